/* dedup/seenset.c: remembered keys as a FIFO ring plus a 32-bit open-addressing index.
 *
 * Every key ever added gets a sequence number; the ring holds the live
 * ones, [head, tail), in blocks of 65536 entries allocated and freed as
 * the ring moves, so memory follows the live count. The index (linear
 * probing, load at most 0.7) stores the low 32 bits of a key's sequence
 * number, which is enough because fewer than 2^32 keys are ever live;
 * sequence numbers whose low 32 bits are 0 are skipped, so 0 marks an
 * empty slot. The index is rebuilt from the ring when it grows, never
 * copied, so growing needs no second table. Deletion shifts entries back
 * (no tombstones), so lookups stay short however long the run. */
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "dedup/seenset-internal.h"

#define BLOCK_SHIFT 16
#define BLOCK_SIZE ((uint64_t)1 << BLOCK_SHIFT)
#define MAX_LIVE 0xfffffff0u

struct entry {
	struct hub_seen_key key;
	uint32_t time;
};

struct hub_seenset {
	uint64_t max_keys;
	uint32_t window;
	uint32_t latest;         /* the latest time seen: the window ends here */
	uint64_t head, tail;     /* live entries: sequence numbers [head, tail) */
	uint64_t count;          /* keys in the index (tail - head minus skipped) */
	struct entry **blocks;   /* block k at blocks[k & (nblocks - 1)] */
	uint64_t nblocks;
	uint64_t blk_first, blk_end;  /* allocated blocks: [blk_first, blk_end) */
	uint32_t *slots;
	uint64_t mask;           /* slots: mask + 1 of them */
};

static inline struct entry *entry_at(const struct hub_seenset *s, uint64_t seq)
{
	return &s->blocks[(seq >> BLOCK_SHIFT) & (s->nblocks - 1)][seq & (BLOCK_SIZE - 1)];
}

static inline uint64_t bucket(const struct hub_seenset *s, const struct hub_seen_key *k)
{
	return k->w[0] & s->mask;
}

static inline uint64_t decode(const struct hub_seenset *s, uint32_t v)
{
	return s->head + (uint32_t)(v - (uint32_t)s->head);
}

static inline int same_key(const struct hub_seen_key *a, const struct hub_seen_key *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] && a->w[3] == b->w[3];
}

struct hub_seenset *hub_seenset_new(uint64_t max_keys, uint32_t window)
{
	struct hub_seenset *s = hub_xcalloc(1, sizeof(*s));

	s->max_keys = max_keys;
	s->window = window;
	s->nblocks = 4;
	s->blocks = hub_xcalloc(s->nblocks, sizeof(*s->blocks));
	s->mask = 1023;
	s->slots = hub_xcalloc(s->mask + 1, sizeof(*s->slots));
	return s;
}

void hub_seenset_free(struct hub_seenset *s)
{
	if (!s)
		return;
	for (uint64_t k = s->blk_first; k < s->blk_end; k++)
		free(s->blocks[k & (s->nblocks - 1)]);
	free(s->blocks);
	free(s->slots);
	free(s);
}

static void index_put(struct hub_seenset *s, const struct hub_seen_key *key, uint64_t seq)
{
	uint64_t i = bucket(s, key);

	while (s->slots[i])
		i = (i + 1) & s->mask;
	s->slots[i] = (uint32_t)seq;
}

/* The index at twice the size, refilled from the ring. */
static void index_grow(struct hub_seenset *s)
{
	free(s->slots);
	s->mask = 2 * s->mask + 1;
	s->slots = hub_xcalloc(s->mask + 1, sizeof(*s->slots));
	for (uint64_t seq = s->head; seq < s->tail; seq++)
		if ((uint32_t)seq)
			index_put(s, &entry_at(s, seq)->key, seq);
}

/* Takes seq's slot out of the index, shifting later entries of the same
 * probe run back so that no lookup stops short. */
static void index_remove(struct hub_seenset *s, const struct hub_seen_key *key, uint64_t seq)
{
	uint64_t i = bucket(s, key), j, k;

	while (s->slots[i] != (uint32_t)seq) {
		if (!s->slots[i])
			return;   /* not indexed: cannot happen, but harmless */
		i = (i + 1) & s->mask;
	}
	for (;;) {
		j = i;
		for (;;) {
			j = (j + 1) & s->mask;
			if (!s->slots[j]) {
				s->slots[i] = 0;
				return;
			}
			k = bucket(s, &entry_at(s, decode(s, s->slots[j]))->key);
			/* the entry at j may move to i unless its home lies in (i, j] */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		s->slots[i] = s->slots[j];
		i = j;
	}
}

static void pop_oldest(struct hub_seenset *s)
{
	if ((uint32_t)s->head) {
		index_remove(s, &entry_at(s, s->head)->key, s->head);
		s->count--;
	}
	s->head++;
	while (s->blk_first < s->blk_end && s->blk_first < (s->head >> BLOCK_SHIFT)) {
		free(s->blocks[s->blk_first & (s->nblocks - 1)]);
		s->blocks[s->blk_first & (s->nblocks - 1)] = NULL;
		s->blk_first++;
	}
}

static struct entry *push_newest(struct hub_seenset *s)
{
	uint64_t k = s->tail >> BLOCK_SHIFT;

	if (k >= s->blk_end) {
		if (s->blk_end + 1 - s->blk_first > s->nblocks) {
			uint64_t n = 2 * s->nblocks;
			struct entry **nb = hub_xcalloc(n, sizeof(*nb));

			for (uint64_t b = s->blk_first; b < s->blk_end; b++)
				nb[b & (n - 1)] = s->blocks[b & (s->nblocks - 1)];
			free(s->blocks);
			s->blocks = nb;
			s->nblocks = n;
		}
		if (s->blk_first == s->blk_end)
			s->blk_first = k;
		s->blocks[k & (s->nblocks - 1)] = hub_xmalloc(BLOCK_SIZE * sizeof(struct entry));
		s->blk_end = k + 1;
	}
	return entry_at(s, s->tail++);
}

static inline uint32_t window_start(const struct hub_seenset *s)
{
	return s->window && s->latest > s->window ? s->latest - s->window : 0;
}

void hub_seenset_expire(struct hub_seenset *s, uint32_t now)
{
	uint32_t start;

	if (now > s->latest)
		s->latest = now;
	if (!s->window)
		return;
	start = window_start(s);
	while (s->head < s->tail && (!(uint32_t)s->head || entry_at(s, s->head)->time < start))
		pop_oldest(s);
}

enum hub_seen hub_seenset_add(struct hub_seenset *s, const struct hub_seen_key *key, uint32_t t)
{
	uint64_t i;
	uint32_t start;
	struct entry *e;

	if (s->window && t > s->latest)
		hub_seenset_expire(s, t);
	start = window_start(s);
	for (i = bucket(s, key); s->slots[i]; i = (i + 1) & s->mask) {
		e = entry_at(s, decode(s, s->slots[i]));
		if (!same_key(&e->key, key))
			continue;
		if (e->time >= start)
			return HUB_SEEN_DUP;
		if (t < start)
			return HUB_SEEN_EXPIRED;
		e->time = t;    /* out of the window: remembered afresh */
		return HUB_SEEN_NEW;
	}
	if (t < start)
		return HUB_SEEN_EXPIRED;
	while (s->max_keys && s->count >= s->max_keys)
		pop_oldest(s);   /* the skipped sequence numbers do not count */
	if (s->count >= MAX_LIVE)
		hub_die(HUB_EXIT_SOFTWARE, "more than %u keys to remember: give --max-keys or --window", MAX_LIVE);
	if ((s->count + 1) * 10 > (s->mask + 1) * 7)
		index_grow(s);
	if (!(uint32_t)s->tail) {
		/* sequence numbers ending in 32 zero bits are never used: 0 is "empty" */
		memset(push_newest(s), 0, sizeof(struct entry));
	}
	e = push_newest(s);
	e->key = *key;
	e->time = t;
	index_put(s, key, s->tail - 1);
	s->count++;
	return HUB_SEEN_NEW;
}

void hub_seenset_start_at(struct hub_seenset *s, uint64_t seq)
{
	if (s->head != s->tail || s->blk_first != s->blk_end)
		return;   /* not empty: numbering cannot change */
	s->head = s->tail = seq;
	s->blk_first = s->blk_end = seq >> BLOCK_SHIFT;
}

uint64_t hub_seenset_count(const struct hub_seenset *s)
{
	return s->count;
}

int hub_seenset_each(const struct hub_seenset *s,
                     int (*fn)(void *ctx, const struct hub_seen_key *key, uint32_t t), void *ctx)
{
	for (uint64_t seq = s->head; seq < s->tail; seq++) {
		const struct entry *e = entry_at(s, seq);

		if ((uint32_t)seq && fn(ctx, &e->key, e->time) != 0)
			return -1;
	}
	return 0;
}

uint64_t hub_seenset_bytes(const struct hub_seenset *s)
{
	return (s->mask + 1) * sizeof(uint32_t) + s->nblocks * sizeof(struct entry *) +
	       (s->blk_end - s->blk_first) * BLOCK_SIZE * sizeof(struct entry);
}
