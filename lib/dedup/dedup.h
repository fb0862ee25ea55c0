/* dedup/dedup.h: hub-dedup's work: each event passes once, in bounded memory.
 *
 * An event's key (source + id, the values at --key paths, or its
 * canonical content) is hashed to 128 bits (SipHash-2-4, 128-bit output)
 * under a secret key and looked up in the seen set; a new event is
 * written, a duplicate dropped.
 * The invariant: a key reaches the state file only after its event has
 * been written to standard output, so a crash can let an event through
 * twice but never lose one. */
#ifndef HUB_DEDUP_H
#define HUB_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "stream/failstore.h"
#include "json/path.h"
#include "core/stats.h"

struct hub_dedup_opts {
	const struct hub_path *keys;  /* --key paths; NULL: source and id */
	int nkeys;
	int content;                  /* --content: the canonical event is the key */
	uint64_t max_keys;            /* 0: no limit */
	uint32_t window;              /* seconds; 0: no window */
	int by_arrival;               /* window by arrival time, not event time */
	const char *state_path;       /* NULL: memory only */
	const char *dups_path;        /* NULL: duplicates are only counted */
	struct hub_failstore *failstore;
	size_t max_line;
	int show_stats;
};

struct hub_dedup;

/* Sets up (opens and loads the state file, opens the dups file). NULL on
 * error, with the message reported and the exit status in *status. */
struct hub_dedup *hub_dedup_new(const struct hub_dedup_opts *o, int *status);
/* Reads events from in_fd until end of input or a stop signal, writing
 * the first of each to out_fd. Returns an exit status (core/exitcodes.h). */
int hub_dedup_run(struct hub_dedup *d, int in_fd, int out_fd, struct hub_stats *st);
/* The --stats extra members ("dropped":N,"keys":N,...), valid until free. */
const char *hub_dedup_stats_extra(struct hub_dedup *d);
uint64_t hub_dedup_dropped(const struct hub_dedup *d);
/* Closes the state and dups files. Returns 0, or -1 if they could not be
 * written completely. */
int hub_dedup_free(struct hub_dedup *d);

#endif
