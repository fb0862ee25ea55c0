/* dedup/seenset-internal.h: the keys hub-dedup remembers, in bounded memory.
 *
 * A key is a 128-bit keyed hash (never the key itself) with a time in
 * seconds. Keys live in a FIFO ring in the order they were added (20 bytes
 * each) and are found through an open-addressing index of 32-bit ring
 * positions, so a remembered key costs at most 32 bytes, table slack
 * included. The oldest key is forgotten first (--max-keys), and keys older
 * than the window are forgotten as time moves on (--window). */
#ifndef HUB_SEENSET_H
#define HUB_SEENSET_H

#include <stdint.h>

struct hub_seen_key {
	uint32_t w[4];      /* the 128-bit hash, as four words */
};

struct hub_seenset;

/* max_keys 0: no limit; window 0: none (seconds otherwise). */
struct hub_seenset *hub_seenset_new(uint64_t max_keys, uint32_t window);
void hub_seenset_free(struct hub_seenset *s);

enum hub_seen { HUB_SEEN_NEW, HUB_SEEN_DUP, HUB_SEEN_EXPIRED };

/* Looks key up at time t (seconds) and remembers it when it is new.
 * HUB_SEEN_DUP: known and inside the window. HUB_SEEN_NEW: now remembered
 * (and older keys forgotten as max_keys and the window require).
 * HUB_SEEN_EXPIRED: older than the window already; not remembered. A key
 * known but out of the window is remembered again with time t (NEW). */
enum hub_seen hub_seenset_add(struct hub_seenset *s, const struct hub_seen_key *key, uint32_t t);
/* Forgets the keys the window has passed, as of time now (arrival-time
 * windows call this as the clock moves, even without input). */
void hub_seenset_expire(struct hub_seenset *s, uint32_t now);

/* Starts an empty set's sequence numbers at seq, so that tests can cross
 * the 2^32 boundary of the index's 32-bit slots without 4e9 keys. */
void hub_seenset_start_at(struct hub_seenset *s, uint64_t seq);

uint64_t hub_seenset_count(const struct hub_seenset *s);
/* The remembered keys, oldest first: calls fn for each (state snapshots). */
int hub_seenset_each(const struct hub_seenset *s,
                     int (*fn)(void *ctx, const struct hub_seen_key *key, uint32_t t), void *ctx);
/* Bytes of memory in use, for --stats and the memory tests. */
uint64_t hub_seenset_bytes(const struct hub_seenset *s);

#endif
