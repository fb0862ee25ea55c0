/* schema/logical.c: Avro's logical types as hub writes them in JSON.
 *
 * date as "YYYY-MM-DD", time-millis and time-micros as "HH:MM:SS.fff",
 * timestamp-millis and -micros as RFC 3339 in UTC ("...T...Z"), decimal as
 * decimal text; in Avro, the days, units and two's complement big-endian
 * bytes of the underlying int, long, bytes or fixed. Text here was checked
 * against the schema first (schema/check.c), so parsing trusts its shape;
 * decimals are converted digit by digit, for any precision. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/time.h"
#include "schema/compile.h"
#include "schema/logical-internal.h"

/* --- dates and times ------------------------------------------------- */

static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* HH:MM:SS[.frac] (already checked) in units of 1/scale seconds. */
static int64_t time_units(const char *s, size_t n, int64_t scale, size_t *used)
{
	int64_t v = (int64_t)(num(s, 2) * 3600 + num(s + 3, 2) * 60 + num(s + 6, 2)) * scale;
	size_t i = 8;

	if (i < n && s[i] == '.') {
		int64_t unit = scale;

		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			unit /= 10;
			v += (s[i] - '0') * unit;
		}
	}
	*used = i;
	return v;
}

/* An RFC 3339 date-time (already checked) in units since the epoch. */
static int64_t timestamp_units(const char *s, size_t n, int64_t scale)
{
	int64_t days = hub_days_from_civil(num(s, 4), num(s + 5, 2), num(s + 8, 2));
	size_t used;
	int64_t v = days * 86400 * scale + time_units(s + 11, n - 11, scale, &used);
	const char *z = s + 11 + used;

	if (*z == '+' || *z == '-') {
		int64_t off = (int64_t)(num(z + 1, 2) * 3600 + num(z + 4, 2) * 60) * scale;

		v += *z == '+' ? -off : off;
	}
	return v;
}

static void put_time(struct hub_buf *out, int64_t units, int64_t scale, int digits)
{
	int64_t secs = units / scale, frac = units % scale;

	hub_buf_addf(out, "%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	if (digits)
		hub_buf_addf(out, ".%0*lld", digits, (long long)frac);
}

/* A timestamp outside years 0000 to 9999 has no RFC 3339 form: it is
 * written as its number of units, which reads back to the same value. */
static void put_timestamp(struct hub_buf *out, int64_t units, int64_t scale, int digits)
{
	int64_t days = units / (86400 * scale), rest = units % (86400 * scale), y;
	int m, d;

	if (rest < 0) {
		rest += 86400 * scale;
		days--;
	}
	hub_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		hub_buf_add_int(out, units);
		return;
	}
	hub_buf_addf(out, "\"%04lld-%02d-%02dT", (long long)y, m, d);
	put_time(out, rest, scale, digits);
	hub_buf_adds(out, "Z\"");
}

/* --- decimals -------------------------------------------------------- */

/* Decimal text (checked: plain notation, at most `scale` decimals) to the
 * two's complement big-endian bytes of its unscaled value, in b. */
void hub_logical_decimal_to_bytes(const char *s, const char *end, int scale, struct hub_buf *b)
{
	unsigned char mag[40] = { 0 };   /* 10^76 < 2^256: 32 bytes and a margin */
	int neg = 0, frac = -1;
	size_t n = sizeof(mag), first;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; s < end && frac < scale; s++) {
		int carry;

		if (*s == '.') {
			frac = 0;
			continue;
		}
		carry = *s - '0';
		for (size_t i = n; i-- > 0;) {
			int v = mag[i] * 10 + carry;

			mag[i] = v & 0xff;
			carry = v >> 8;
		}
		if (frac >= 0)
			frac++;
	}
	for (frac = frac < 0 ? 0 : frac; frac < scale; frac++) {
		int carry = 0;

		for (size_t i = n; i-- > 0;) {
			int v = mag[i] * 10 + carry;

			mag[i] = v & 0xff;
			carry = v >> 8;
		}
	}
	if (neg) {
		int carry = 1;

		for (size_t i = n; i-- > 0;) {
			int v = (unsigned char)~mag[i] + carry;

			mag[i] = v & 0xff;
			carry = v >> 8;
		}
	}
	/* the shortest form that keeps the sign */
	for (first = 0; first + 1 < n; first++) {
		unsigned char fill = neg ? 0xff : 0x00;

		if (mag[first] != fill || ((mag[first + 1] & 0x80) != (fill & 0x80)))
			break;
	}
	hub_buf_reset(b);
	hub_buf_add(b, mag + first, n - first);
}

/* Two's complement big-endian bytes to decimal text with `scale` decimals. */
void hub_logical_bytes_to_decimal(const unsigned char *p, size_t n, int scale, struct hub_buf *out)
{
	unsigned char mag[64];
	char digits[200];
	int nd = 0, neg = n > 0 && (p[0] & 0x80);
	size_t len = n < sizeof(mag) ? n : sizeof(mag);

	memcpy(mag, p + (n - len), len);
	if (neg) {
		int carry = 1;

		for (size_t i = len; i-- > 0;) {
			int v = (unsigned char)~mag[i] + carry;

			mag[i] = v & 0xff;
			carry = v >> 8;
		}
	}
	for (;;) {
		int rem = 0, zero = 1;

		for (size_t i = 0; i < len; i++) {
			int v = rem * 256 + mag[i];

			mag[i] = v / 10;
			rem = v % 10;
			zero &= mag[i] == 0;
		}
		digits[nd++] = '0' + rem;
		if ((zero && nd > scale) || nd >= (int)sizeof(digits) - 1)
			break;
	}
	if (neg)
		hub_buf_addc(out, '-');
	for (int i = nd - 1; i >= 0; i--) {
		hub_buf_addc(out, digits[i]);
		if (i == scale && scale > 0)
			hub_buf_addc(out, '.');
	}
}

int32_t hub_logical_int(const struct hub_avro_node *n, const char *s, size_t len)
{
	size_t used;

	if (n->logical == HUB_LOGICAL_DATE)
		return (int32_t)hub_days_from_civil(num(s, 4), num(s + 5, 2), num(s + 8, 2));
	return (int32_t)time_units(s, len, 1000, &used);
}

int64_t hub_logical_long(const struct hub_avro_node *n, const char *s, size_t len)
{
	size_t used;

	switch (n->logical) {
	case HUB_LOGICAL_TIMESTAMP_MILLIS: return timestamp_units(s, len, 1000);
	case HUB_LOGICAL_TIMESTAMP_MICROS: return timestamp_units(s, len, 1000000);
	default: return time_units(s, len, 1000000, &used);
	}
}

void hub_logical_put_int(const struct hub_avro_node *n, int32_t i, struct hub_buf *out)
{
	if (n->logical == HUB_LOGICAL_DATE) {
		int64_t y;
		int m, d;

		hub_civil_from_days(i, &y, &m, &d);
		if (y < 0 || y > 9999)   /* no YYYY-MM-DD form: the days */
			hub_buf_add_int(out, i);
		else
			hub_buf_addf(out, "\"%04lld-%02d-%02d\"", (long long)y, m, d);
	} else if (n->logical == HUB_LOGICAL_TIME_MILLIS && i >= 0) {
		hub_buf_addc(out, '"');
		put_time(out, i, 1000, 3);
		hub_buf_addc(out, '"');
	} else {
		hub_buf_add_int(out, i);
	}
}

void hub_logical_put_long(const struct hub_avro_node *n, int64_t l, struct hub_buf *out)
{
	if (n->logical == HUB_LOGICAL_TIMESTAMP_MILLIS) {
		put_timestamp(out, l, 1000, 3);
	} else if (n->logical == HUB_LOGICAL_TIMESTAMP_MICROS) {
		put_timestamp(out, l, 1000000, 6);
	} else if (n->logical == HUB_LOGICAL_TIME_MICROS && l >= 0) {
		hub_buf_addc(out, '"');
		put_time(out, l, 1000000, 6);
		hub_buf_addc(out, '"');
	} else {
		hub_buf_add_int(out, l);
	}
}
