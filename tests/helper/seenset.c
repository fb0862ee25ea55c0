/* tests/helper/seenset.c: test driver for libhub's seen set, against a naive model.
 *
 *   seenset [FIRST-SEQ]    random adds over a small universe of keys whose
 *                          hashes crowd a few buckets, with --max-keys style
 *                          eviction, checked verdict by verdict against a
 *                          plain FIFO array; prints "N adds, N dups" or the
 *                          first difference (exit 1).
 *
 * FIRST-SEQ (e.g. 4294967000) makes the run cross the 2^32 boundary where
 * the 32-bit index slots wrap; tests/hub-dedup.bats runs both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedup/seenset-internal.h"

#define UNIVERSE 3000
#define MAX_KEYS 700
#define ADDS 200000

static struct hub_seen_key key_of(uint32_t id)
{
	/* w[0] picks the bucket: few distinct values, long probe runs */
	struct hub_seen_key k = { { id % 97 * 0x9e3779b1u, id, ~id, id * 31u } };

	return k;
}

int main(int argc, char **argv)
{
	uint64_t first = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
	struct hub_seenset *s = hub_seenset_new(MAX_KEYS, 0);
	uint32_t fifo[MAX_KEYS];
	size_t n = 0, dups = 0;
	unsigned seed = 12345;
	int rc = 0;

	hub_seenset_start_at(s, first);
	for (long i = 0; i < ADDS; i++) {
		uint32_t id = (uint32_t)(rand_r(&seed) % UNIVERSE);
		struct hub_seen_key k = key_of(id);
		int known = 0;
		enum hub_seen got;

		for (size_t j = 0; j < n; j++)
			if (fifo[j] == id)
				known = 1;
		if (!known) {
			if (n == MAX_KEYS) {
				memmove(fifo, fifo + 1, (MAX_KEYS - 1) * sizeof(*fifo));
				n--;
			}
			fifo[n++] = id;
		}
		got = hub_seenset_add(s, &k, 0);
		if ((got == HUB_SEEN_DUP) != known || hub_seenset_count(s) != n) {
			printf("add %ld (key %u): got %s with %llu keys, expected %s with %zu\n", i, id,
			       got == HUB_SEEN_DUP ? "dup" : "new", (unsigned long long)hub_seenset_count(s),
			       known ? "dup" : "new", n);
			rc = 1;
			break;
		}
		dups += known;
	}
	if (!rc)
		printf("%d adds, %zu dups\n", ADDS, dups);
	hub_seenset_free(s);
	return rc;
}
