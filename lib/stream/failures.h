/* stream/failures.h: reading the failure store back, for support and replay.
 *
 * The store (stream/failstore.h) is append-only, one record a line. A
 * query picks records by the time they failed, the tool, words of the
 * reason, and the failed event's own attributes (subject, type, id) or
 * Kafka topic, looked for inside an envelope too. A replay takes the
 * records that were in the store when it started, never the ones written
 * while it runs (the failures of the replay itself), writes their events
 * as they were before they failed, envelopes unwrapped, and notes each
 * record as replayed in FILE.replayed (its byte offset in the store) only
 * once the reader of the output has made it safe (stream/ack.h), so a
 * replay killed half-way is taken up again where it stopped. */
#ifndef HUB_FAILURES_H
#define HUB_FAILURES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hub_failure_query {
	int64_t since, until;           /* record time in [since, until), Unix ms */
	const char *tool;               /* "hub-validate" or "validate"; NULL: any */
	const char *reason;             /* a fixed string in the reason; NULL: any */
	const char *subject, *type, *id, *topic;   /* exact values; NULL: any */
	const char *pipeline;           /* $HUB_PIPELINE of the tool that failed it */
	int include_replayed;           /* also records already replayed */
	uint64_t limit;                 /* at most this many; 0: all */
};

enum hub_failures_mode {
	HUB_FAILURES_FIND,      /* the matching records, as stored */
	HUB_FAILURES_EVENTS,    /* their events, envelopes unwrapped */
	HUB_FAILURES_SUMMARY,   /* counts by tool and reason */
	HUB_FAILURES_REPLAY,    /* events, each noted replayed once safe */
	HUB_FAILURES_COUNT,     /* nothing written: hub_failures_count() */
};

/* Runs mode over the store at path, output on out_fd. Returns the exit
 * status: OK, FAILED when nothing matched, NOINPUT when there is no store,
 * IOERR. */
int hub_failures_run(const char *path, const struct hub_failure_query *q, enum hub_failures_mode mode,
                     int out_fd, size_t max_line);

/* How many records of the store at path match (0 when there is none):
 * hub-archive trace tells of an object's failures beside its events. */
uint64_t hub_failures_count(const char *path, const struct hub_failure_query *q);

#endif
