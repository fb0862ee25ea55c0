/* archive/maintain.h: archive housekeeping, pruning old hours and compressing.
 *
 * Both work on whole segments (a segment, its compressed form and its
 * index go together) and report every file they touch through a callback,
 * so the tool can list them (and a dry run list what would go). */
#ifndef HUB_AMAINT_H
#define HUB_AMAINT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "core/error.h"

/* Called with each file removed (or, in a dry run, to be removed) and its size. */
typedef void (*hub_file_fn)(void *ctx, const char *path, uint64_t size);

/* Removes the segments whose hour ended at or before cutoff_ms, then the
 * directories left empty. 0, or -1 with e set. */
int hub_archive_prune(const char *dir, int64_t cutoff_ms, int dry_run, hub_file_fn fn, void *ctx,
                      struct hub_error *e);
/* Compresses every plain segment whose hour ended at or before cutoff_ms
 * (fn gets each new .zst). Needs the writer lock. 0, or -1 with e set
 * (UNAVAILABLE while a writer holds the lock). */
int hub_archive_compress_all(const char *dir, int64_t cutoff_ms, int level, size_t frame_size,
                             int dry_run, hub_file_fn fn, void *ctx, struct hub_error *e);
/* prune (compress 0) or compress as commands: each file listed on out, a
 * summary on stderr (-v). Returns the exit status: OK; UNAVAILABLE when
 * another writer holds the lock; IOERR. */
int hub_archive_housekeeping(const char *dir, int compress, int64_t cutoff_ms, int level,
                             size_t frame_size, int dry_run, FILE *out);

#endif
