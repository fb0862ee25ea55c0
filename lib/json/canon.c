/* json/canon.c: canonical JSON text, written straight from validated text.
 *
 * No DOM: a recursive walk over text hub_json_scan() has accepted (so the
 * depth is bounded by HUB_JSON_MAX_DEPTH) appends each value's canonical
 * form to the output. An object's members are written one after another,
 * remembered as (offset, name length, length), sorted, and then laid out
 * again in sorted order through a scratch buffer. Buffers and the member
 * stack are kept in the hub_canon and reused: no allocation per event
 * once they have grown. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/canon-internal.h"
#include "json/text-internal.h"
#include "core/diag.h"
#include "json/scan.h"

struct member {
	size_t off;        /* in the output buffer */
	size_t namelen;    /* the canonical name literal */
	size_t len;        /* name, ':' and value */
};

struct hub_canon {
	struct member *members;   /* a stack: the open objects' members */
	size_t nmembers, cap;
	struct hub_buf scratch;
	struct hub_buf text;      /* a decoded string */
	const char *base;         /* output buffer data, for the comparator */
};

struct hub_canon *hub_canon_new(void)
{
	return hub_xcalloc(1, sizeof(struct hub_canon));
}

void hub_canon_free(struct hub_canon *c)
{
	if (!c)
		return;
	free(c->members);
	hub_buf_free(&c->scratch);
	hub_buf_free(&c->text);
	free(c);
}

static void canon_string(struct hub_canon *c, const char *p, size_t n, struct hub_buf *out)
{
	if (!memchr(p, '\\', n)) {
		/* no escape: the literal is already minimal (the text is valid) */
		hub_buf_add(out, p, n);
		return;
	}
	hub_buf_reset(&c->text);
	hub_json_unescape(p, n, &c->text);
	hub_buf_json_string(out, c->text.data, c->text.len);
}

static void add_exponent(struct hub_buf *out, long long exp)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long v = exp < 0 ? -(unsigned long long)exp : (unsigned long long)exp;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	if (exp < 0)
		*--p = '-';
	*--p = 'e';
	hub_buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* A number by exact value: [-]DIGITSe[-]EXP with no leading or trailing
 * zero digit, or 0. An exponent too long to add to is kept as written. */
static void canon_number(const char *p, size_t n, struct hub_buf *out)
{
	const char *end = p + n, *q = p, *ip, *fp = NULL;
	size_t ilen, flen = 0, start = out->len, d, first, last;
	long long exp = 0;
	int neg = 0, eneg = 0, edigits = 0;

	if (q < end && *q == '-') {
		neg = 1;
		q++;
	}
	ip = q;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	ilen = (size_t)(q - ip);
	if (q < end && *q == '.') {
		fp = ++q;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		flen = (size_t)(q - fp);
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			eneg = *q++ == '-';
		while (q < end && *q == '0')
			q++;
		for (; q < end && *q >= '0' && *q <= '9'; q++, edigits++)
			if (edigits < 16)   /* no more is added to: no overflow */
				exp = exp * 10 + (*q - '0');
		if (edigits > 15) {
			hub_buf_add(out, p, n);
			return;
		}
		if (eneg)
			exp = -exp;
	}
	if (neg)
		hub_buf_addc(out, '-');
	d = out->len;
	hub_buf_add(out, ip, ilen);
	if (flen)
		hub_buf_add(out, fp, flen);
	for (first = d; first < out->len && out->data[first] == '0'; first++)
		;
	if (first == out->len) {
		out->len = start;
		hub_buf_addc(out, '0');
		return;
	}
	for (last = out->len; out->data[last - 1] == '0'; last--)
		;
	exp += (long long)(out->len - last) - (long long)flen;
	memmove(out->data + d, out->data + first, last - first);
	out->len = d + (last - first);
	add_exponent(out, exp);
}

static int compare_members(const void *a, const void *b, void *ctx)
{
	const struct member *x = a, *y = b;
	const char *base = ctx;
	size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
	int r = memcmp(base + x->off, base + y->off, n);

	if (r || x->namelen != y->namelen)
		return r ? r : (x->namelen < y->namelen ? -1 : 1);
	n = x->len < y->len ? x->len : y->len;
	r = memcmp(base + x->off, base + y->off, n);
	if (r || x->len == y->len)
		return r;
	return x->len < y->len ? -1 : 1;
}

static const char *canon(struct hub_canon *c, const char *p, const char *end, struct hub_buf *out);

static const char *canon_object(struct hub_canon *c, const char *p, const char *end, struct hub_buf *out)
{
	size_t start = out->len, base = c->nmembers;

	p = hub_jt_space(p + 1, end);
	while (p < end && *p == '"') {
		const char *q = hub_jt_string_end(p, end, NULL);
		struct member m;

		m.off = out->len;
		canon_string(c, p, (size_t)(q - p), out);
		m.namelen = out->len - m.off;
		hub_buf_addc(out, ':');
		p = hub_jt_space(q, end);       /* at ':' */
		p = canon(c, hub_jt_space(p + 1, end), end, out);
		m.len = out->len - m.off;
		if (c->nmembers == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 64;
			c->members = hub_xrealloc(c->members, c->cap * sizeof(*c->members));
		}
		c->members[c->nmembers++] = m;
		p = hub_jt_space(p, end);
		if (p < end && *p == ',')
			p = hub_jt_space(p + 1, end);
	}
	/* p is at '}' */
	if (c->nmembers == base) {   /* {}: nothing to sort or copy */
		hub_buf_add(out, "{}", 2);
		return p < end ? p + 1 : end;
	}
	if (c->nmembers - base > 1)
		qsort_r(c->members + base, c->nmembers - base, sizeof(struct member), compare_members, out->data);
	hub_buf_reset(&c->scratch);
	hub_buf_add(&c->scratch, out->data + start, out->len - start);
	out->len = start;
	hub_buf_addc(out, '{');
	for (size_t i = base; i < c->nmembers; i++) {
		if (i > base)
			hub_buf_addc(out, ',');
		hub_buf_add(out, c->scratch.data + (c->members[i].off - start), c->members[i].len);
	}
	hub_buf_addc(out, '}');
	c->nmembers = base;
	return p < end ? p + 1 : end;
}

static const char *canon_array(struct hub_canon *c, const char *p, const char *end, struct hub_buf *out)
{
	int first = 1;

	hub_buf_addc(out, '[');
	p = hub_jt_space(p + 1, end);
	while (p < end && *p != ']') {
		if (!first)
			hub_buf_addc(out, ',');
		first = 0;
		p = hub_jt_space(canon(c, p, end, out), end);
		if (p < end && *p == ',')
			p = hub_jt_space(p + 1, end);
	}
	hub_buf_addc(out, ']');
	return p < end ? p + 1 : end;
}

static const char *canon(struct hub_canon *c, const char *p, const char *end, struct hub_buf *out)
{
	const char *q;

	p = hub_jt_space(p, end);
	if (p >= end)
		return end;
	switch (*p) {
	case '{':
		return canon_object(c, p, end, out);
	case '[':
		return canon_array(c, p, end, out);
	case '"':
		q = hub_jt_string_end(p, end, NULL);
		canon_string(c, p, (size_t)(q - p), out);
		return q;
	case 't':
	case 'n':
		hub_buf_add(out, p, 4);
		return p + 4;
	case 'f':
		hub_buf_add(out, p, 5);
		return p + 5;
	default:
		for (q = p; q < end && *q && (strchr("+-.eE", *q) || (*q >= '0' && *q <= '9')); q++)
			;
		canon_number(p, (size_t)(q - p), out);
		return q;
	}
}

void hub_canon_value(struct hub_canon *c, const char *text, size_t len, struct hub_buf *out)
{
	c->nmembers = 0;
	canon(c, text, text + len, out);
}
