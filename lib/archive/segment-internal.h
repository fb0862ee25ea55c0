/* archive/segment-internal.h: the archive's files, named, listed, read and compressed.
 *
 * A segment holds whole NDJSON lines of one partition (a Kafka topic, or
 * the event type) and one UTC hour: DIR/<partition>/YYYY/MM/DD/HH.ndjson,
 * then HH.1.ndjson, HH.2.ndjson... when it rotates by size. A closed
 * segment may be compressed into HH.ndjson.zst: independent zstd frames of
 * whole lines, which `zstd -d` and `zstdgrep` read as one stream and an
 * index can point into one at a time. When both exist, the .zst is the
 * complete one (it is renamed into place before the plain file goes).
 * Readers never see a last line without its newline (a write cut short). */
#ifndef HUB_SEGMENT_H
#define HUB_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include <zstd.h>

#include "archive/segindex-internal.h"
#include "core/buf.h"

#define HUB_SEG_NAME_MAX 100

/* A partition name from event data: bytes other than A-Z a-z 0-9 . _ -
 * become '_', a leading '.' too (no "..", no hidden names), at most
 * HUB_SEG_NAME_MAX bytes; empty gives "_". out holds NAME_MAX + 1. */
void hub_seg_sanitize(const char *s, size_t n, char *out);
/* Appends "DIR/part/YYYY/MM/DD/HH[.seq]" (no extension) to out. */
void hub_seg_base(struct hub_buf *out, const char *dir, const char *part, int64_t hour, int seq);

struct hub_seginfo {
	char *base;          /* DIR/part/YYYY/MM/DD/HH[.seq] */
	char *part;
	int64_t hour;        /* hours since the epoch, UTC */
	int seq;
	int plain;           /* base.ndjson exists */
	int compressed;      /* base.ndjson.zst exists (and wins) */
};

/* The segments of dir whose hour lies in [from_hour, to_hour]; by_time:
 * sorted by hour, partition, sequence, else grouped by day directory (in
 * no particular order within one). 0, or -1 with a message in err. */
int hub_seg_list(const char *dir, int64_t from_hour, int64_t to_hour, int by_time,
                 struct hub_seginfo **out, size_t *n, char *err, size_t errlen);
void hub_seg_list_free(struct hub_seginfo *segs, size_t n);
/* The first and last hour (hours since the epoch) of dir's segments: the
 * number of segments, 0 when there are none (or dir cannot be read). */
size_t hub_seg_hours(const char *dir, int64_t *first, int64_t *last);

/* The day directories (DIR/part/YYYY/MM/DD) that may hold hours in
 * [from_hour, to_hour], one call each; day is days since the epoch. */
typedef void (*hub_day_fn)(void *ctx, const char *daydir, const char *part, int64_t day);
int hub_seg_walk_days(const char *dir, int64_t from_hour, int64_t to_hour, hub_day_fn fn,
                      void *ctx, char *err, size_t errlen);
/* Appends the segments of one day directory in the hour range to *v (*n
 * entries, room for *cap). Returns how many were added. */
int hub_seg_list_day(const char *daydir, const char *part, int64_t day, int64_t from_hour,
                     int64_t to_hour, struct hub_seginfo **v, size_t *n, size_t *cap);

/* A segment opened for reading: plain files are mapped, compressed ones
 * decompressed a frame at a time. */
struct hub_segment {
	int compressed;
	const char *map;
	size_t size;
	uint64_t pos;        /* plain: next offset; compressed: next frame's offset */
	uint64_t upos;       /* uncompressed offset of the next frame */
	ZSTD_DCtx *dctx;
	struct hub_buf frame;
	int64_t frame_coff;  /* frame held in `frame`, -1 none */
};

int hub_segment_open(struct hub_segment *s, const char *path, int compressed,
                     char *err, size_t errlen);
/* Reading starts at uncompressed offset uoff (plain segments only). */
void hub_segment_seek(struct hub_segment *s, uint64_t uoff);
/* The next run of whole lines: 1 (data, len, uncompressed offset of data),
 * 0 at the end, -1 on a damaged frame (message in err). */
int hub_segment_next(struct hub_segment *s, const char **data, size_t *len, uint64_t *uoff,
                     char *err, size_t errlen);
/* The line starting at uncompressed offset off (ix gives the frames of a
 * compressed segment). 0, or -1 if there is no whole line there. */
int hub_segment_line_at(struct hub_segment *s, const struct hub_aindex *ix, uint64_t off,
                        const char **line, size_t *len);
void hub_segment_close(struct hub_segment *s);

/* Writes plain's whole lines to zst as frames of about frame_size bytes,
 * recording the frames in b; through a temporary file renamed at the end.
 * 0, or -1 with a message in err. */
int hub_segment_compress(const char *plain, const char *zst, int level, size_t frame_size,
                         struct hub_aindex_builder *b, int do_fsync, char *err, size_t errlen);

#endif
