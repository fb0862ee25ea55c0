/* archive/dayindex-internal.h: one index per partition and day, merged from its segments'.
 *
 * A look-up over months of hourly segments would open thousands of
 * segment indexes; DIR/part/YYYY/MM/DD/day.idx holds the entries of every
 * closed segment of that day (hash, offset, which segment), so a look-up
 * opens one file a day. It is a cache, derived from the segment indexes
 * (archive/segindex-internal.h), which stay the truth: it lists the segments it was built
 * from, segments it does not list are looked up on their own, and the
 * writer removes it before it appends to any segment of that day again. */
#ifndef HUB_DAYINDEX_H
#define HUB_DAYINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "archive/segindex-internal.h"

#define HUB_DAYINDEX_NAME "day.idx"

struct hub_dayindex_seg {
	uint32_t hh;         /* hour of the day */
	uint32_t seq;        /* HH.seq */
};

struct hub_dayindex_entry {
	uint64_t hash;
	uint64_t off;        /* in the uncompressed segment */
	uint64_t seg;        /* index in the segment table */
};

struct hub_dayindex {
	int fd;
	uint64_t nsegs, n[2];
	struct hub_dayindex_seg *segs;
	struct hub_dayindex_entry *hits;  /* the last hub_dayindex_find() */
	size_t hits_cap;
};

/* Rebuilds daydir/day.idx from the segment indexes in daydir (temporary
 * file and rename); removes it when there are none. 0, or -1 (err). */
int hub_dayindex_build(const char *daydir, char *err, size_t errlen);
/* Opens daydir/day.idx. 0, or -1 when missing or not valid. */
int hub_dayindex_open(const char *daydir, struct hub_dayindex *dx);
/* Whether the index covers segment HH[.seq]. */
int hub_dayindex_covers(const struct hub_dayindex *dx, int hh, int seq);
/* The entries with this hash, in dx->hits: the count. */
size_t hub_dayindex_find(struct hub_dayindex *dx, enum hub_aindex_kind kind, uint64_t hash);
void hub_dayindex_close(struct hub_dayindex *dx);

#endif
