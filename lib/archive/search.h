/* archive/search.h: finding events in the archive, ordered by time.
 *
 * Look-ups by id or subject go through the indexes: one day index per
 * partition and day (archive/dayindex-internal.h) where the day is over, else the segment
 * indexes (archive/segindex-internal.h), then a read of the lines they point at; a segment
 * without an index (still being written) is scanned. Other
 * searches scan the segments of the time range asked, with a cheap byte
 * search before any line is parsed. Every candidate is then checked against
 * the whole query on its parsed fields, so an index hash collision or a
 * substring in the wrong field never yields a wrong result. Results come
 * out in event time order; memory holds the matches of one hour at most. */
#ifndef HUB_ASEARCH_H
#define HUB_ASEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "archive/record.h"
#include "core/regex.h"

struct hub_query {
	const char *id, *subject, *type, *source;   /* exact values, NULL: any */
	int64_t since, until;    /* event time in [since, until), Unix ms */
	const char *text;        /* fixed string anywhere in the stored line */
	struct hub_regex *regex; /* a pattern anywhere in the stored line */
	uint64_t limit;          /* stop after this many results, 0: all */
	int64_t deadline;        /* CLOCK_MONOTONIC ms past which the search gives up, 0: none */
};

/* What a search hands its caller for each result. */
struct hub_hit {
	const char *line;
	size_t len;
	const struct hub_arec *rec;  /* the line's fields */
	const char *segment;         /* DIR/part/YYYY/MM/DD/HH[.N] */
	int compressed;
	uint64_t offset;             /* of the line in the (uncompressed) segment */
};

/* Return nonzero to stop the search. */
typedef int (*hub_hit_fn)(void *ctx, const struct hub_hit *hit);

struct hub_search_stats {
	uint64_t segments, indexed, day_indexes, scanned_bytes, candidates, results;
};
/* Prints the counters of a search by command cmd as one JSON line on stderr. */
void hub_search_stats_print(const struct hub_search_stats *st, const char *cmd);

/* 0, or -1 with a message in err (a missing directory, a damaged segment:
 * the search goes on past damaged segments, reporting each on stderr, and
 * returns -1 at the end), or -2 when q->deadline passed (checked between
 * segments and between the chunks of one): the results handed over so far
 * are then only the first ones. */
int hub_archive_find(const char *dir, const struct hub_query *q, hub_hit_fn fn, void *ctx,
                     struct hub_search_stats *st, char *err, size_t errlen);

#endif
