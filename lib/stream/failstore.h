/* stream/failstore.h: the failure store, one writer for every tool.
 *
 * An event a tool cannot handle is appended here, one NDJSON record per
 * event: {"time","tool","reason","line","event",...}. "event" is the
 * original event as JSON when it parses, as a string when it does not.
 * The file is created 0600 on the first failure only, each record is one
 * write(2) with O_APPEND (whole lines, even with several writers), and
 * hub_failstore_close() fsyncs before the tool exits.
 *
 * Path: --dlq FILE, else $HUB_DLQ, else $XDG_STATE_HOME/hub/failed.ndjson
 * (~/.local/state/hub/failed.ndjson). Read back, summed up and replayed by
 * hub-failures (stream/failures.h). */
#ifndef HUB_FAILSTORE_H
#define HUB_FAILSTORE_H

#include <stddef.h>
#include <stdint.h>

struct hub_failstore;

/* path NULL: the default above. Nothing is created until the first add. */
struct hub_failstore *hub_failstore_new(const char *path);
/* Appends a record. event_is_json: the bytes are one valid JSON text.
 * extra: more members, already JSON ("\"topic\":\"x\",\"partition\":1"),
 * or NULL. Returns 0, or -1 (error reported on stderr). */
int hub_failstore_add(struct hub_failstore *fs, const char *reason, uint64_t line,
                      const char *event, size_t len, int event_is_json, const char *extra);
uint64_t hub_failstore_count(const struct hub_failstore *fs);
const char *hub_failstore_path(const struct hub_failstore *fs);
/* fsyncs and closes; returns 0, or -1 if anything could not be stored. */
int hub_failstore_close(struct hub_failstore *fs);

/* Current time as RFC 3339 UTC with milliseconds, into buf (>= 32 bytes). */
void hub_time_now_iso(char *buf, size_t n);

#endif
