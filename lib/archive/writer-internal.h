/* archive/writer-internal.h: what the files of the archive writer share
 * besides libhub's API (archive/writer.h): compression of a segment whose
 * index is in memory (archive/compress.c), and when the input loop
 * (archive/input.c) must stop waiting for the next fsync. */
#ifndef HUB_WRITER_INTERNAL_H
#define HUB_WRITER_INTERNAL_H

#include <stddef.h>

#include "archive/segindex-internal.h"
#include "archive/writer.h"

/* Compresses base.ndjson into base.ndjson.zst, writes the index (b's
 * entries with the frames), then removes the plain file. */
int hub_archive_compress_with(const char *base, struct hub_aindex_builder *b, int level, size_t frame_size,
                              int do_fsync, char *err, size_t errlen);
/* With --fsync interval, how long the written lines may wait for their
 * fsync, in ms, if some wait; else -1. */
int hub_archive_sync_due_ms(const struct hub_archive *a);

#endif
