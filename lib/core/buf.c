/* core/buf.c: growable byte buffer and JSON string escaping. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/diag.h"

void hub_buf_reserve(struct hub_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap < 256)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	b->data = hub_xrealloc(b->data, b->cap);
}

void hub_buf_add(struct hub_buf *b, const void *p, size_t n)
{
	hub_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

void hub_buf_addc(struct hub_buf *b, char c)
{
	hub_buf_reserve(b, 1);
	b->data[b->len++] = c;
}

void hub_buf_adds(struct hub_buf *b, const char *s)
{
	hub_buf_add(b, s, strlen(s));
}

void hub_buf_addf(struct hub_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	hub_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Digits from the end of a small buffer: no printf on paths that run per
 * value (the key version of every token). */
void hub_buf_add_int(struct hub_buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	hub_buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

size_t hub_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

void hub_buf_json_string(struct hub_buf *b, const void *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data, *end = p + n, *run = p;

	hub_buf_reserve(b, n + 2);
	hub_buf_addc(b, '"');
	while (p < end) {
		unsigned char c = *p;
		size_t seq;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0x80 && (seq = hub_utf8_seq(p, (size_t)(end - p))) > 0) {
			p += seq;
			continue;
		}
		hub_buf_add(b, run, (size_t)(p - run));
		switch (c) {
		case '"': hub_buf_add(b, "\\\"", 2); break;
		case '\\': hub_buf_add(b, "\\\\", 2); break;
		case '\n': hub_buf_add(b, "\\n", 2); break;
		case '\r': hub_buf_add(b, "\\r", 2); break;
		case '\t': hub_buf_add(b, "\\t", 2); break;
		case '\b': hub_buf_add(b, "\\b", 2); break;
		case '\f': hub_buf_add(b, "\\f", 2); break;
		default:
			if (c < 0x20) {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				hub_buf_add(b, u, 6);
			} else {
				hub_buf_add(b, "\xef\xbf\xbd", 3); /* invalid UTF-8: U+FFFD */
			}
		}
		p++;
		run = p;
	}
	hub_buf_add(b, run, (size_t)(p - run));
	hub_buf_addc(b, '"');
}

const char *hub_buf_cstr(struct hub_buf *b)
{
	hub_buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return b->data;
}

void hub_buf_reset(struct hub_buf *b)
{
	b->len = 0;
}

void hub_buf_free(struct hub_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void hub_buf_base64(struct hub_buf *b, const void *p, size_t n)
{
	size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);

	hub_buf_reserve(b, len);
	sodium_bin2base64(b->data + b->len, len, p, n, sodium_base64_VARIANT_ORIGINAL);
	b->len += len - 1;
}

int hub_base64_decode(const char *s, size_t n, struct hub_buf *b)
{
	size_t bin = 0;

	hub_buf_reserve(b, n);
	if (sodium_base642bin((unsigned char *)b->data + b->len, n + 1, s, n, "\n\r ", &bin,
	                      NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	b->len += bin;
	return 0;
}

int hub_is_utf8(const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;

	while (i < n) {
		size_t s;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		s = hub_utf8_seq(p + i, n - i);
		if (!s)
			return 0;
		i += s;
	}
	return 1;
}
