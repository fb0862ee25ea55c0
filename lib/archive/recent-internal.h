/* archive/recent-internal.h: the lines an archive stored last, so that a
 * line delivered again is stored once.
 *
 * After a crash a pipeline delivers again what its consumer had not
 * committed yet, and some of that the archive had already stored. Each
 * stored line leaves a 64-bit keyed hash (SipHash-2-4) of its bytes in
 * DIR/.recent.0 and DIR/.recent.1, two generations of HUB_RECENT_KEEP
 * hashes each: the archive remembers the last HUB_RECENT_KEEP to twice
 * that many lines it stored, and a line whose hash is among them is a
 * repeat, not stored again. A redelivery repeats its bytes exactly (an
 * envelope carries its Kafka coordinates), so equal bytes are the same
 * delivery; a collision needs 2^64 tries against a secret key.
 *
 * The hashes are written after the lines they stand for, and fsynced
 * after them too: a crash can make the archive forget a line it stored
 * (it is stored twice), never remember one it did not store. Lines
 * written but not fsynced yet leave their hashes in DIR/.recent.w, which
 * counts only in the boot that wrote it: after kill -9 the lines are still
 * there (the page cache), after a power cut they may not be. */
#ifndef HUB_ARCHIVE_RECENT_H
#define HUB_ARCHIVE_RECENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HUB_RECENT_KEEP (128u * 1024)

struct hub_recent;

/* Opens (or creates) the two files in dir and loads them. NULL with e set
 * on an I/O error; a damaged file is started afresh, with a warning. */
struct hub_recent *hub_recent_open(const char *dir, struct hub_error *e);
/* Whether the line was stored lately; if not, it is remembered (pending
 * until hub_recent_sync()). */
int hub_recent_seen(struct hub_recent *r, const char *line, size_t len);
/* The lines remembered since the last sync are written (not fsynced):
 * their hashes go to DIR/.recent.w, kept across a kill -9 of the writer
 * but not across a reboot (its boot id is in the file), for the lines
 * may be lost then. 0, or -1 (reported). */
int hub_recent_wrote(struct hub_recent *r);
/* Writes the pending hashes (after the lines they stand for were
 * fsynced), fsynced when do_fsync. 0, or -1 (reported). */
int hub_recent_sync(struct hub_recent *r, int do_fsync);
void hub_recent_close(struct hub_recent *r);

#endif
