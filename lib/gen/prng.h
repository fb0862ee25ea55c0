/* prng.h: the generator's own pseudo-random numbers, the same on every machine.
 *
 * xoshiro256** (Blackman and Vigna) seeded through splitmix64: integer
 * arithmetic only, no libc rand(), no floating point, so a seed gives
 * the same sequence whatever the platform, compiler or C library. */
#ifndef HUB_GEN_PRNG_H
#define HUB_GEN_PRNG_H

#include <stdint.h>

struct hub_prng {
	uint64_t s[4];
};

void hub_prng_seed(struct hub_prng *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t hub_prng_next(struct hub_prng *r);
/* A whole number from 0 to n-1, without modulo bias (n > 0). */
uint64_t hub_prng_below(struct hub_prng *r, uint64_t n);
/* A number from lo to hi-1 (lo < hi), like Python's randrange(lo, hi). */
int64_t hub_prng_range(struct hub_prng *r, int64_t lo, int64_t hi);

#endif
