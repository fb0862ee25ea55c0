/* tests/helper/base64.c: test driver for libhub's base64url (lib/core/base64.c), against libsodium's.
 *
 *   base64 [ROUNDS]    random inputs of 0 to 300 bytes encoded by both, and
 *                      random strings (mostly alphabet, with padding, other
 *                      bytes and every length) decoded by both: the same
 *                      characters, the same verdicts, the same bytes; prints
 *                      "N encodings, N decodings (N accepted)" or the first
 *                      difference (exit 1). One difference is meant:
 *                      libsodium takes any byte of 128 or more for '_',
 *                      which no encoder writes; they are refused here.
 *
 * tests/hub-tokenize.bats runs it: tokens keep their format, and -d reads
 * the tokens written before (sodium_bin2base64) unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/base64.h"

#define VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define MAXLEN 300

/* xorshift64*, seeded: a failure can be replayed */
static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint32_t uniform(uint32_t bound)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (uint32_t)((state * 0x2545f4914f6cdd1dull) >> 32) % bound;
}

static void random_bytes(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)uniform(256);
}

int main(int argc, char **argv)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char bin[MAXLEN], ours[MAXLEN], theirs[MAXLEN];
	char a[2 * MAXLEN], b[2 * MAXLEN];
	long rounds = argc > 1 ? atol(argv[1]) : 200000, accepted = 0;

	if (sodium_init() < 0)
		return 70;
	for (long r = 0; r < rounds; r++) {
		size_t n = uniform(MAXLEN + 1), len = HUB_BASE64URL_LEN(n);

		random_bytes(bin, n);
		sodium_bin2base64(b, sizeof(b), bin, n, VARIANT);
		memset(a, 0, sizeof(a));
		hub_base64url_encode(a, bin, n);
		if (strlen(b) != len || memcmp(a, b, len + 1) != 0) {
			printf("encoding %zu bytes: '%s', libsodium '%s'\n", n, a, b);
			return 1;
		}
	}
	for (long r = 0; r < rounds; r++) {
		size_t len = uniform(2 * MAXLEN / 3), nours = 0, ntheirs = 0;
		const char *end = NULL;
		int rc_ours, rc_theirs;

		for (size_t i = 0; i < len; i++) {
			uint32_t x = uniform(1000);

			/* one string in ten has a stray byte; padding and NUL included */
			a[i] = x < 1 ? (char)uniform(256) : x < 2 ? '=' : chars[uniform(64)];
		}
		if (uniform(2) && len) {
			/* a valid encoding, with random bits past the last byte half the time */
			size_t n = uniform((uint32_t)(len * 3 / 4) + 1);

			random_bytes(bin, n);
			hub_base64url_encode(a, bin, n);
			len = HUB_BASE64URL_LEN(n);
			if (len % 4 && uniform(2))
				a[len - 1] = chars[uniform(64)];
		}
		rc_ours = hub_base64url_decode(ours, &nours, a, len);
		rc_theirs = sodium_base642bin(theirs, sizeof(theirs), a, len, NULL, &ntheirs, &end, VARIANT);
		if (rc_theirs == 0 && end != a + len)
			rc_theirs = -1;
		/* libsodium reads a byte of 128 or more as '_' (which it never
		 * writes there): such a string is no token, and refused here */
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)a[i] >= 0x80)
				rc_theirs = -1;
		if (rc_ours != rc_theirs || (rc_ours == 0 && (nours != ntheirs || memcmp(ours, theirs, nours)))) {
			printf("decoding '%.*s' (%zu): %d (%zu bytes), libsodium %d (%zu bytes)\n", (int)len, a, len,
			       rc_ours, nours, rc_theirs, ntheirs);
			return 1;
		}
		accepted += rc_ours == 0;
	}
	printf("%ld encodings, %ld decodings (%ld accepted)\n", rounds, rounds, accepted);
	return 0;
}
