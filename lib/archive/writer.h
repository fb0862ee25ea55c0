/* archive/writer.h: appending events to the archive, whole lines only.
 *
 * Lines are batched per segment and written with one write(2) per segment
 * per batch on an O_APPEND descriptor, so a kill -9 can at worst cut the
 * last write short; the next run truncates such a torn tail (it goes to
 * the failure store) before it appends. A line is acknowledged (handed
 * back through `acked`) only after its batch was written and, with
 * HUB_FSYNC_BATCH, fsynced. One writer per directory (a lock file). */
#ifndef HUB_ARCHIVE_H
#define HUB_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "stream/failstore.h"
#include "core/stats.h"

enum hub_fsync_policy { HUB_FSYNC_BATCH, HUB_FSYNC_INTERVAL, HUB_FSYNC_NEVER };

struct hub_archive_opts {
	const char *dir;
	uint64_t max_size;          /* rotate a segment once it reaches this size */
	enum hub_fsync_policy fsync;
	double fsync_interval;      /* seconds, HUB_FSYNC_INTERVAL */
	int compress;               /* compress segments as they are closed */
	int level;                  /* zstd level */
	size_t frame_size;          /* uncompressed bytes per zstd frame */
	int grace_hours;            /* a segment closes once events this much newer arrive */
	int max_open;               /* open segments at most (least recently used close) */
	size_t batch_bytes;         /* write once this much is pending */
	int ack;                    /* keep accepted lines for hub_archive_flush's acked */
};

struct hub_archive;

/* What the writer did, for --stats: segment fsyncs, segments sealed (index
 * written), day indexes built, resting segments taken back. */
struct hub_archive_counters {
	uint64_t fsyncs, sealed, day_indexes, woken;
};

/* Takes the directory's writer lock (creating the directory, parents
 * included). NULL with e set: UNAVAILABLE when another writer holds the
 * lock, IOERR otherwise. */
struct hub_archive *hub_archive_open(const struct hub_archive_opts *o, struct hub_failstore *fs,
                                     struct hub_error *e);
/* From now on a's counters are kept in *c (which gets their values so far,
 * and outlives a: hub_archive_close() counts its last seals there). */
void hub_archive_count(struct hub_archive *a, struct hub_archive_counters *c);
/* Stores one line (without newline). 0: pending (or written, when a batch
 * was due: its lines are then appended to acked, which may be NULL); 1: not
 * stored, recorded in the failure store; 2: not stored, a repeat of a line
 * stored lately (a redelivery: archive/recent-internal.h); -1: write error
 * (reported), the archive is unusable. */
int hub_archive_add(struct hub_archive *a, const char *line, size_t len, uint64_t lineno,
                    struct hub_buf *acked);
/* Writes what is pending, fsyncs as the policy says, closes segments past
 * their hour and grace. With o->ack, appends the lines now stored to acked
 * (may be NULL). 0, or -1 on a write error (reported). */
int hub_archive_flush(struct hub_archive *a, struct hub_buf *acked);
/* Flushes and fsyncs every open segment, whatever the policy (but
 * HUB_FSYNC_NEVER). 0, or -1 on an error (reported). */
int hub_archive_sync(struct hub_archive *a, struct hub_buf *acked);
/* Every line up to this number (of hub_archive_add) is stored: written,
 * and fsynced unless the policy is HUB_FSYNC_NEVER; or in the failure
 * store. What the archive acknowledges to the writer of its input. */
uint64_t hub_archive_durable_line(const struct hub_archive *a);
/* Lines not stored as repeats so far. */
uint64_t hub_archive_repeats(const struct hub_archive *a);
/* Flushes and closes every segment (index written, compressed if asked),
 * releases the lock, frees a. 0, or -1 if anything failed (reported). */
int hub_archive_close(struct hub_archive *a, struct hub_buf *acked);

/* Closes one already-closed plain segment into base.ndjson.zst, with its
 * index. Used by the writer and by `hub-archive compress`. */
int hub_archive_compress_segment(const char *base, int level, size_t frame_size, int do_fsync,
                                 char *err, size_t errlen);
/* Takes (0) or fails to take (-1, e set as for hub_archive_open) DIR's
 * writer lock; the descriptor is in *fd (close it to release). */
int hub_archive_lock(const char *dir, int *fd, struct hub_error *e);

/* The write loop: lines from in_fd into a, until end of input or SIGINT/
 * SIGTERM; over-long and invalid lines go to the failure store; batches are
 * written whenever input pauses, so a live stream is archived promptly.
 * With tee_fd >= 0, each line is copied there once it is stored. Closes a.
 * Returns the exit status. */
int hub_archive_run(struct hub_archive *a, int in_fd, size_t max_line, int tee_fd,
                    struct hub_failstore *fs, struct hub_stats *st, int show_stats);

#endif

