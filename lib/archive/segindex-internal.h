/* archive/segindex-internal.h: per-segment look-up indexes of the archive, by id and subject.
 *
 * One file per segment (HH.idx beside HH.ndjson), written once, atomically
 * (temporary file, fsync, rename), when the segment is closed. It holds two
 * arrays of (64-bit SipHash of the value, byte offset of the line in the
 * uncompressed segment) sorted by hash, and for a compressed segment the
 * table of its zstd frames, so a look-up is a binary search in a mapped
 * file and, at most, the decompression of one frame. `covered` says how
 * many bytes of the segment the index describes: bytes after that (a
 * segment appended to after a restart, or still open) are scanned. */
#ifndef HUB_AINDEX_H
#define HUB_AINDEX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "archive/record.h"

enum hub_aindex_kind { HUB_AINDEX_ID = 0, HUB_AINDEX_SUBJECT = 1 };

struct hub_aindex_entry {
	uint64_t hash;
	uint64_t off;        /* offset of the line in the uncompressed segment */
};

struct hub_aindex_frame {
	uint64_t uoff;       /* first uncompressed byte of the frame */
	uint64_t coff;       /* offset of the frame in the .zst file */
};

struct hub_aindex_builder {
	struct hub_aindex_entry *ent[2];
	size_t n[2], cap[2];
	size_t sorted[2];    /* the first sorted[k] entries are in order (loaded, or written) */
	struct hub_aindex_frame *frames;
	size_t nframes, frames_cap;
	uint64_t covered, nlines;
	struct hub_buf tmp;
};

uint64_t hub_aindex_hash(const char *s, size_t n);
/* Records a line stored at off (its id and subject, when strings). */
void hub_aindex_add_rec(struct hub_aindex_builder *b, const struct hub_arec *rec, uint64_t off);
/* Records every whole line of data (a segment's bytes from uoff on);
 * returns the number of bytes of whole lines consumed. */
size_t hub_aindex_add_lines(struct hub_aindex_builder *b, struct hub_arec_parser *p,
                            const char *data, size_t len, uint64_t uoff);
void hub_aindex_add_frame(struct hub_aindex_builder *b, uint64_t uoff, uint64_t coff);
/* Sorts and writes the index to path: the entries added since the last
 * sort are sorted alone and merged into the sorted ones, so a segment
 * reopened and closed again costs a merge, not a sort of the whole. 0, or
 * -1 with a message in err. */
int hub_aindex_write(struct hub_aindex_builder *b, const char *path, int do_fsync,
                     char *err, size_t errlen);
void hub_aindex_builder_reset(struct hub_aindex_builder *b);
void hub_aindex_builder_free(struct hub_aindex_builder *b);

/* An index opened for look-ups: the header is read at open; entries are
 * read with pread(2) as the binary search needs them (no mapping: a
 * look-up over thousands of segments is a few small reads each). */
struct hub_aindex {
	int fd;
	uint64_t covered, nlines;
	uint64_t n[2];
	uint64_t nframes;
	struct hub_aindex_entry *hits;      /* the last hub_aindex_find() */
	size_t hits_cap;
	struct hub_aindex_frame *frames;    /* after hub_aindex_load_frames() */
};

/* The search both index files share. Their entries are fixed-size records
 * of esize bytes (at most HUB_AINDEX_ENTRY_MAX), the 64-bit hash first,
 * sorted by hash, total of them from byte pos of fd: the entries with this
 * hash are copied to *hits, an array of *cap entries grown as needed.
 * Returns how many; 0 also when the file is cut short. */
#define HUB_AINDEX_ENTRY_MAX 24
size_t hub_aindex_lookup(int fd, off_t pos, uint64_t total, size_t esize, uint64_t hash,
                         void **hits, size_t *cap);

/* Opens an index file. 0, or -1 when it is missing or not an index. */
int hub_aindex_open(const char *path, struct hub_aindex *ix);
/* The entries with this hash, in ix->hits: the count, or 0. */
size_t hub_aindex_find(struct hub_aindex *ix, enum hub_aindex_kind kind, uint64_t hash);
/* Reads all entries of a kind into b. 0 or -1. */
int hub_aindex_load_entries(struct hub_aindex *ix, enum hub_aindex_kind kind,
                            struct hub_aindex_builder *b);
/* Reads the frame table into ix->frames. 0 or -1. */
int hub_aindex_load_frames(struct hub_aindex *ix);
void hub_aindex_close(struct hub_aindex *ix);

#endif
