/* core/stats.h: counters every tool keeps, and the --stats / SIGUSR1 line.
 *
 * The line is one JSON object on stderr:
 *   {"tool":"hub-produce","in":1000,"out":998,"failed":2,"seconds":0.41,"rate":2439.0}
 * "rate" is input events per second. Tools may add members (e.g.
 * "dropped" for hub-dedup) through `extra`. */
#ifndef HUB_STATS_H
#define HUB_STATS_H

#include <stdint.h>

struct hub_stats {
	uint64_t in, out, failed;
	uint64_t bytes_in, bytes_out;   /* the events' bytes, where the tool knows them */
	double started;          /* monotonic seconds */
};

double hub_now(void);        /* monotonic clock, seconds */
void hub_stats_start(struct hub_stats *st);
/* extra: more members as JSON ("\"dropped\":3"), or NULL. */
void hub_stats_print(const struct hub_stats *st, const char *extra);

#endif
