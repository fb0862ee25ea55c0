/* prng.c: xoshiro256** with splitmix64 seeding, for hub-gen-events.
 *
 * Written from the published description of both generators. Bounded
 * numbers below 2^32 use Lemire's multiply-and-reject method in 64-bit
 * arithmetic (no 128-bit type needed), wider ones a masked rejection; either
 * way every value below n is equally likely. */
#include "gen/prng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void hub_prng_seed(struct hub_prng *r, uint64_t seed)
{
	uint64_t x = seed;

	/* splitmix64 never yields four zero words in a row, so the state is
	 * never the all-zero one xoshiro cannot leave. */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t hub_prng_next(struct hub_prng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t hub_prng_below(struct hub_prng *r, uint64_t n)
{
	if (n <= 0xffffffffull) {
		/* 32 random bits times n: the top half is the number, and the
		 * low half below 2^32 mod n is the small biased part, redrawn. */
		uint32_t bound = (uint32_t)n;
		uint64_t m = (hub_prng_next(r) >> 32) * bound;

		/* the threshold (a division) is needed only when the low
		 * half is below n, a chance of n in 2^32 */
		if ((uint32_t)m < bound) {
			uint32_t threshold = (uint32_t)(-bound % bound);

			while ((uint32_t)m < threshold)
				m = (hub_prng_next(r) >> 32) * bound;
		}
		return m >> 32;
	}
	/* Wide ranges (tracking numbers): draw masked values until one fits. */
	uint64_t mask = n - 1, x;

	for (int shift = 1; shift < 64; shift <<= 1)
		mask |= mask >> shift;
	do
		x = hub_prng_next(r) & mask;
	while (x >= n);
	return x;
}

int64_t hub_prng_range(struct hub_prng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)hub_prng_below(r, (uint64_t)(hi - lo));
}
