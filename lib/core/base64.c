/* core/base64.c: base64url without padding, a table each way (see core/base64.h).
 *
 * Three bytes make four characters. Decoding looks each character up in a
 * 256-entry table whose invalid entries have the high bit set, ORs the four
 * lookups of a group together and checks that bit once per group. */
#include <stdint.h>

#include "core/base64.h"

static const char alphabet[65] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define X 0x80
static const unsigned char value[256] = {
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, 62, X, X,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 63,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
#undef X

void hub_base64url_encode(char *out, const unsigned char *bin, size_t n)
{
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t w = (uint32_t)bin[i] << 16 | (uint32_t)bin[i + 1] << 8 | bin[i + 2];

		out[0] = alphabet[w >> 18];
		out[1] = alphabet[(w >> 12) & 63];
		out[2] = alphabet[(w >> 6) & 63];
		out[3] = alphabet[w & 63];
		out += 4;
	}
	if (n - i == 1) {
		out[0] = alphabet[bin[i] >> 2];
		out[1] = alphabet[(bin[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t w = (uint32_t)bin[i] << 8 | bin[i + 1];

		out[0] = alphabet[w >> 10];
		out[1] = alphabet[(w >> 4) & 63];
		out[2] = alphabet[(w & 15) << 2];
	}
}

int hub_base64url_decode(unsigned char *bin, size_t *binlen, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = 0, o = 0, rest = len % 4;
	unsigned a, b, c, d;

	if (rest == 1)
		return -1;
	for (; i + 4 <= len; i += 4) {
		a = value[t[i]], b = value[t[i + 1]], c = value[t[i + 2]], d = value[t[i + 3]];
		if ((a | b | c | d) & 0x80)
			return -1;
		bin[o] = (unsigned char)(a << 2 | b >> 4);
		bin[o + 1] = (unsigned char)(b << 4 | c >> 2);
		bin[o + 2] = (unsigned char)(c << 6 | d);
		o += 3;
	}
	if (rest == 2) {
		a = value[t[i]], b = value[t[i + 1]];
		if ((a | b) & 0x80 || (b & 15))
			return -1;
		bin[o++] = (unsigned char)(a << 2 | b >> 4);
	} else if (rest == 3) {
		a = value[t[i]], b = value[t[i + 1]], c = value[t[i + 2]];
		if ((a | b | c) & 0x80 || (c & 3))
			return -1;
		bin[o++] = (unsigned char)(a << 2 | b >> 4);
		bin[o++] = (unsigned char)(b << 4 | c >> 2);
	}
	*binlen = o;
	return 0;
}
