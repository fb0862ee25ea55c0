/* schema/check.c: matching JSON text against hub_avro_node, in one pass.
 *
 * The text has been validated already, so the walk trusts its syntax: it
 * only looks at the first byte of a value to know its JSON kind, and
 * skips strings with memchr. Each node kind consumes exactly one value
 * and advances the cursor. On the first mismatch the innermost check
 * records expected/found and the path is rebuilt while unwinding, so a
 * matching event costs no path bookkeeping at all. Unions try the branches
 * whose JSON kind fits, in order, then Avro's {"branch": value} encoding. */
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/check-internal.h"
#include "core/buf.h"
#include "core/diag.h"
#include "json/scan.h"
#include "json/text-internal.h"
#include "core/time.h"

struct segment {
	const char *key;     /* member name (raw, without quotes), or NULL */
	size_t keylen;
	long index;
	int escaped;
};

struct hub_avrocheck {
	int allow_extra;
	const char *end;
	struct segment *segs;      /* innermost first, while unwinding */
	int nsegs, capsegs;
	unsigned char *marks;      /* fields seen, a stack of records */
	size_t nmarks, capmarks;
	struct hub_buf key;        /* decoded member names */
	struct hub_buf expected, found, path;
};

struct hub_avrocheck *hub_avrocheck_new(void)
{
	return hub_xcalloc(1, sizeof(struct hub_avrocheck));
}

void hub_avrocheck_free(struct hub_avrocheck *ck)
{
	if (!ck)
		return;
	free(ck->segs);
	free(ck->marks);
	hub_buf_free(&ck->key);
	hub_buf_free(&ck->expected);
	hub_buf_free(&ck->found);
	hub_buf_free(&ck->path);
	free(ck);
}

void hub_avrocheck_allow_extra(struct hub_avrocheck *ck, int allow)
{
	ck->allow_extra = allow;
}

/* The error, set where the mismatch is found; the path grows on the way out. */
static int mismatch(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char *expected,
                    const char *p, const char *what)
{
	const char *v = hub_jt_value_end(p, ck->end);
	size_t len = v - p;

	ck->nsegs = 0;
	hub_buf_reset(&ck->expected);
	if (expected)
		hub_buf_adds(&ck->expected, expected);
	else
		hub_avro_describe(n, &ck->expected);
	hub_buf_reset(&ck->found);
	if (what) {
		hub_buf_adds(&ck->found, what);
		return -1;
	}
	switch (*p) {
	case '{': hub_buf_adds(&ck->found, "object"); break;
	case '[': hub_buf_adds(&ck->found, "array"); break;
	case '"': hub_buf_adds(&ck->found, "string "); break;
	case 't': case 'f': hub_buf_adds(&ck->found, "boolean "); break;
	case 'n': hub_buf_adds(&ck->found, "null"); len = 0; break;
	default: hub_buf_adds(&ck->found, "number "); break;
	}
	if (*p != '{' && *p != '[' && len) {
		if (len > 48) {
			hub_buf_add(&ck->found, p, 44);
			hub_buf_adds(&ck->found, "...");
		} else {
			hub_buf_add(&ck->found, p, len);
		}
	}
	return -1;
}

static int push(struct hub_avrocheck *ck, const char *key, size_t keylen, int escaped, long index)
{
	if (ck->nsegs == ck->capsegs) {
		ck->capsegs = ck->capsegs ? 2 * ck->capsegs : 16;
		ck->segs = hub_xrealloc(ck->segs, ck->capsegs * sizeof(*ck->segs));
	}
	ck->segs[ck->nsegs].key = key;
	ck->segs[ck->nsegs].keylen = keylen;
	ck->segs[ck->nsegs].escaped = escaped;
	ck->segs[ck->nsegs].index = index;
	ck->nsegs++;
	return -1;
}

/* A JSON number's shape: sign, integer digits, fraction digits, exponent. */
struct number {
	const char *start, *end;
	int negative, has_exp;
	size_t intdigits, fracdigits;
	const char *intstart;
};

static const char *read_number(const char *p, const char *end, struct number *num)
{
	memset(num, 0, sizeof(*num));
	num->start = p;
	if (p < end && *p == '-') {
		num->negative = 1;
		p++;
	}
	num->intstart = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	num->intdigits = p - num->intstart;
	if (p < end && *p == '.') {
		const char *f = ++p;

		while (p < end && *p >= '0' && *p <= '9')
			p++;
		num->fracdigits = p - f;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		num->has_exp = 1;
		p++;
		while (p < end && (*p == '+' || *p == '-' || (*p >= '0' && *p <= '9')))
			p++;
	}
	num->end = p;
	return p;
}

/* Whether an integer's digits fit between -2^(bits-1) and 2^(bits-1)-1. */
static int integer_fits(const struct number *num, int bits)
{
	static const char *const max32 = "2147483647", *const max64 = "9223372036854775807";
	const char *max = bits == 32 ? max32 : max64;
	size_t maxlen = strlen(max);
	const char *d = num->intstart;
	size_t n = num->intdigits;
	int cmp;

	if (num->has_exp || num->fracdigits || (num->end - num->start) != (ptrdiff_t)(n + num->negative))
		return 0;
	if (n < maxlen)
		return 1;
	if (n > maxlen)
		return 0;
	cmp = memcmp(d, max, n);
	return cmp <= 0 || (num->negative && cmp > 0 && memcmp(d, max, n - 1) == 0 &&
	                    d[n - 1] == max[n - 1] + 1);
}

static int is_float_number(const struct number *num)
{
	return num->end > num->start && (num->fracdigits || num->has_exp);
}

/* A decimal in plain notation within precision and scale. */
static int decimal_fits(const struct hub_avro_node *n, const char *p, const char *end)
{
	struct number num;
	const char *q = read_number(p, end, &num);
	size_t intdigits = num.intdigits;
	const char *d = num.intstart;

	if (q != end || num.has_exp || intdigits == 0)
		return 0;
	while (intdigits > 1 && *d == '0') {
		d++;
		intdigits--;
	}
	if (intdigits == 1 && *d == '0')
		intdigits = 0;
	return num.fracdigits <= (size_t)n->scale && intdigits + n->scale <= (size_t)n->precision;
}

static int real_fits(const struct number *num, int is_float)
{
	char small[64], *s = small;
	size_t len = num->end - num->start;
	double v;

	if (len >= sizeof(small))
		s = hub_xstrndup(num->start, len);
	else {
		memcpy(small, num->start, len);
		small[len] = '\0';
	}
	errno = 0;
	v = strtod(s, NULL);
	if (s != small)
		free(s);
	if (errno == ERANGE && (v > 1 || v < -1))
		return 0;
	return !is_float || (v <= FLT_MAX && v >= -FLT_MAX);
}

static int check_number(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char **pp)
{
	const char *p = *pp;
	struct number num;

	*pp = read_number(p, ck->end, &num);
	switch (n->kind) {
	case HUB_AVRO_INT:
		if (!integer_fits(&num, 32))
			return mismatch(ck, n, NULL, p, NULL);
		return 0;
	case HUB_AVRO_LONG:
		if (!integer_fits(&num, 64))
			return mismatch(ck, n, NULL, p, NULL);
		return 0;
	case HUB_AVRO_FLOAT: case HUB_AVRO_DOUBLE:
		if (is_float_number(&num) && !real_fits(&num, n->kind == HUB_AVRO_FLOAT))
			return mismatch(ck, n, n->kind == HUB_AVRO_FLOAT ? "float (out of range)" : "double (out of range)", p, NULL);
		if (!is_float_number(&num) && !integer_fits(&num, 64) && !real_fits(&num, n->kind == HUB_AVRO_FLOAT))
			return mismatch(ck, n, NULL, p, NULL);
		return 0;
	default:
		if (n->logical == HUB_LOGICAL_DECIMAL && decimal_fits(n, num.start, num.end))
			return 0;
		return mismatch(ck, n, NULL, p, NULL);
	}
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int uuid_valid(const char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;
		}
	}
	return 1;
}

/* The number of bytes a string stands for in Avro's JSON encoding of bytes
 * (every character U+0000..U+00FF), or -1 when a character is above. */
static long byte_string_length(const char *s, size_t n)
{
	long count = 0;

	for (size_t i = 0; i < n; count++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			if (s[i + 1] == 'u') {
				if (!(s[i + 2] == '0' && s[i + 3] == '0'))
					return -1;
				i += 6;
			} else {
				i += 2;
			}
		} else if (c < 0x80) {
			i++;
		} else if (c == 0xc2 || c == 0xc3) {
			i += 2;
		} else {
			return -1;
		}
	}
	return count;
}

static int check_string(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char **pp)
{
	const char *p = *pp, *body = p + 1;
	int escaped = 0;
	size_t len;

	*pp = hub_jt_string_end(p, ck->end, &escaped);
	len = *pp - body - 1;
	switch (n->logical) {
	case HUB_LOGICAL_NONE: break;
	case HUB_LOGICAL_DECIMAL:
		if (decimal_fits(n, body, body + len))
			return 0;
		return mismatch(ck, n, NULL, p, NULL);
	case HUB_LOGICAL_DATE:
		return hub_date_valid(body, len) ? 0 : mismatch(ck, n, NULL, p, NULL);
	case HUB_LOGICAL_TIME_MILLIS: case HUB_LOGICAL_TIME_MICROS:
		return hub_time_valid(body, len) ? 0 : mismatch(ck, n, NULL, p, NULL);
	case HUB_LOGICAL_TIMESTAMP_MILLIS: case HUB_LOGICAL_TIMESTAMP_MICROS:
		return hub_rfc3339_valid(body, len) ? 0 : mismatch(ck, n, NULL, p, NULL);
	case HUB_LOGICAL_UUID:
		return uuid_valid(body, len) ? 0 : mismatch(ck, n, NULL, p, NULL);
	}
	switch (n->kind) {
	case HUB_AVRO_STRING:
		return 0;
	case HUB_AVRO_BYTES:
		return byte_string_length(body, len) >= 0 ? 0 :
		       mismatch(ck, n, "bytes (characters U+0000 to U+00FF only)", p, NULL);
	case HUB_AVRO_FIXED:
		return byte_string_length(body, len) == n->size ? 0 : mismatch(ck, n, NULL, p, NULL);
	case HUB_AVRO_ENUM: {
		const char *s = body;

		if (escaped) {
			hub_buf_reset(&ck->key);
			hub_json_unescape(p, len + 2, &ck->key);
			s = hub_buf_cstr(&ck->key);
			len = ck->key.len;
		}
		for (int i = 0; i < n->nsymbols; i++)
			if (n->symlen[i] == len && memcmp(n->symbols[i], s, len) == 0)
				return 0;
		return mismatch(ck, n, NULL, p, NULL);
	}
	default:
		return mismatch(ck, n, NULL, p, NULL);
	}
}

static int check(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char **pp);

/* A member name, decoded if it holds escapes: sets key and keylen. */
static const char *read_key(struct hub_avrocheck *ck, const char *p, const char **key, size_t *keylen,
                            int *escaped)
{
	const char *q;

	*escaped = 0;
	q = hub_jt_string_end(p, ck->end, escaped);
	*key = p + 1;
	*keylen = q - p - 2;
	q = hub_jt_space(q, ck->end);
	return hub_jt_space(q + 1, ck->end);   /* past ':' */
}

static int key_equals(struct hub_avrocheck *ck, const char *key, size_t keylen, int escaped,
                      const char *name, size_t namelen)
{
	if (escaped) {
		hub_buf_reset(&ck->key);
		hub_json_unescape(key - 1, keylen + 2, &ck->key);
		return ck->key.len == namelen && memcmp(hub_buf_cstr(&ck->key), name, namelen) == 0;
	}
	return keylen == namelen && memcmp(key, name, namelen) == 0;
}

static int check_record(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char **pp)
{
	const char *p = hub_jt_space(*pp + 1, ck->end), *obj = *pp;
	size_t base = ck->nmarks;
	int member = 0;

	if (ck->capmarks < base + n->nfields + 1) {
		ck->capmarks = 2 * (base + n->nfields + 1);
		ck->marks = hub_xrealloc(ck->marks, ck->capmarks);
	}
	memset(ck->marks + base, 0, n->nfields);
	ck->nmarks = base + n->nfields;
	while (*p != '}') {
		const char *key, *value;
		size_t keylen;
		int escaped, f = -1;

		value = read_key(ck, p, &key, &keylen, &escaped);
		if (member < n->nfields &&
		    key_equals(ck, key, keylen, escaped, n->fields[member].name, n->fields[member].namelen))
			f = member;
		for (int i = 0; f < 0 && i < n->nfields; i++)
			if (key_equals(ck, key, keylen, escaped, n->fields[i].name, n->fields[i].namelen))
				f = i;
		member++;
		p = value;
		if (f < 0) {
			if (!ck->allow_extra) {
				struct hub_buf e = { 0 };

				hub_buf_addf(&e, "only the fields of record %s (--allow-extra to accept others)", n->name);
				mismatch(ck, n, hub_buf_cstr(&e), value, "a member the schema does not declare");
				hub_buf_free(&e);
				ck->nmarks = base;
				return push(ck, key, keylen, escaped, -1);
			}
			p = hub_jt_value_end(p, ck->end);
		} else {
			if (ck->marks[base + f]) {
				mismatch(ck, n, "each field once", value, "a member given twice");
				ck->nmarks = base;
				return push(ck, key, keylen, escaped, -1);
			}
			ck->marks[base + f] = 1;
			if (check(ck, n->fields[f].type, &p) < 0) {
				ck->nmarks = base;
				return push(ck, key, keylen, escaped, -1);
			}
		}
		p = hub_jt_space(p, ck->end);
		if (*p == ',')
			p = hub_jt_space(p + 1, ck->end);
	}
	for (int i = 0; i < n->nfields; i++) {
		if (ck->marks[base + i] || n->fields[i].has_default)
			continue;
		mismatch(ck, n->fields[i].type, NULL, obj, "nothing (a required field without default is missing)");
		ck->nmarks = base;
		return push(ck, n->fields[i].name, n->fields[i].namelen, 0, -1);
	}
	ck->nmarks = base;
	*pp = p + 1;
	return 0;
}

static int check_map(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char **pp)
{
	const char *p = hub_jt_space(*pp + 1, ck->end);

	while (*p != '}') {
		const char *key;
		size_t keylen;
		int escaped;

		p = read_key(ck, p, &key, &keylen, &escaped);
		if (check(ck, n->items, &p) < 0)
			return push(ck, key, keylen, escaped, -1);
		p = hub_jt_space(p, ck->end);
		if (*p == ',')
			p = hub_jt_space(p + 1, ck->end);
	}
	*pp = p + 1;
	return 0;
}

static int check_array(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char **pp)
{
	const char *p = hub_jt_space(*pp + 1, ck->end);
	long index = 0;

	while (*p != ']') {
		if (check(ck, n->items, &p) < 0)
			return push(ck, NULL, 0, 0, index);
		index++;
		p = hub_jt_space(p, ck->end);
		if (*p == ',')
			p = hub_jt_space(p + 1, ck->end);
	}
	*pp = p + 1;
	return 0;
}

/* Whether a value whose text starts with c can be of type n at all. */
static int kind_fits(const struct hub_avro_node *n, char c)
{
	switch (c) {
	case 'n': return n->kind == HUB_AVRO_NULL;
	case 't': case 'f': return n->kind == HUB_AVRO_BOOLEAN;
	case '{': return n->kind == HUB_AVRO_RECORD || n->kind == HUB_AVRO_MAP;
	case '[': return n->kind == HUB_AVRO_ARRAY;
	case '"':
		return n->kind == HUB_AVRO_STRING || n->kind == HUB_AVRO_BYTES || n->kind == HUB_AVRO_FIXED ||
		       n->kind == HUB_AVRO_ENUM || n->logical != HUB_LOGICAL_NONE;
	default:
		return n->kind == HUB_AVRO_INT || n->kind == HUB_AVRO_LONG || n->kind == HUB_AVRO_FLOAT ||
		       n->kind == HUB_AVRO_DOUBLE || n->logical == HUB_LOGICAL_DECIMAL;
	}
}

/* {"branch": value}, Avro's JSON encoding of a union: the branch named by
 * the only member, or NULL. *pp is moved to the member's value. */
static const struct hub_avro_node *wrapped_branch(struct hub_avrocheck *ck, const struct hub_avro_node *n,
                                                  const char **pp)
{
	const char *key, *value, *after;
	size_t keylen;
	int escaped;

	value = read_key(ck, hub_jt_space(*pp + 1, ck->end), &key, &keylen, &escaped);
	if (key[-1] != '"')
		return NULL;
	after = hub_jt_space(hub_jt_value_end(value, ck->end), ck->end);
	if (*after != '}')
		return NULL;
	for (int i = 0; i < n->nbranches; i++) {
		const struct hub_avro_node *b = n->branches[i];
		const char *name = hub_avro_branch_name(b), *shortname = strrchr(name, '.');

		if (key_equals(ck, key, keylen, escaped, name, strlen(name)) ||
		    (shortname && key_equals(ck, key, keylen, escaped, shortname + 1, strlen(shortname + 1)))) {
			*pp = value;
			return b;
		}
	}
	return NULL;
}

static int check_union(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char **pp)
{
	const char *p = *pp, *q;
	const struct hub_avro_node *b;
	int fits = 0;

	for (int i = 0; i < n->nbranches; i++) {
		if (!kind_fits(n->branches[i], *p))
			continue;
		fits++;
		q = p;
		if (check(ck, n->branches[i], &q) == 0) {
			*pp = q;
			return 0;
		}
	}
	if (*p == '{' && p[1] != '}') {
		q = p;
		if ((b = wrapped_branch(ck, n, &q))) {
			if (check(ck, b, &q) < 0)
				return -1;
			*pp = hub_jt_space(q, ck->end) + 1;
			return 0;
		}
	}
	if (fits == 1)
		return -1;   /* the one branch that could match said why it does not */
	return mismatch(ck, n, NULL, p, NULL);
}

static int check(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char **pp)
{
	const char *p = *pp;

	if (n->kind == HUB_AVRO_UNION)
		return check_union(ck, n, pp);
	switch (*p) {
	case '{':
		if (n->kind == HUB_AVRO_RECORD)
			return check_record(ck, n, pp);
		if (n->kind == HUB_AVRO_MAP)
			return check_map(ck, n, pp);
		return mismatch(ck, n, NULL, p, NULL);
	case '[':
		if (n->kind == HUB_AVRO_ARRAY)
			return check_array(ck, n, pp);
		return mismatch(ck, n, NULL, p, NULL);
	case '"':
		return check_string(ck, n, pp);
	case 'n':
		*pp = p + 4;
		return n->kind == HUB_AVRO_NULL ? 0 : mismatch(ck, n, NULL, p, NULL);
	case 't': case 'f':
		*pp = p + (*p == 't' ? 4 : 5);
		return n->kind == HUB_AVRO_BOOLEAN ? 0 : mismatch(ck, n, NULL, p, NULL);
	default:
		return check_number(ck, n, pp);
	}
}

int hub_avrocheck_value(struct hub_avrocheck *ck, const struct hub_avro_node *n, const char *text, size_t len)
{
	const char *p = text;

	ck->end = text + len;
	ck->nmarks = 0;
	ck->nsegs = 0;
	p = hub_jt_space(p, ck->end);
	return check(ck, n, &p);
}

const char *hub_avrocheck_skip(const char *p, const char *end)
{
	return hub_jt_value_end(p, end);
}

static int bare_key(const char *k, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9') ||
		      c == '-' || (unsigned char)c >= 0x80))
			return 0;
	}
	return 1;
}

const char *hub_avrocheck_path(struct hub_avrocheck *ck)
{
	hub_buf_reset(&ck->path);
	for (int i = ck->nsegs - 1; i >= 0; i--) {
		const struct segment *s = &ck->segs[i];

		if (!s->key) {
			hub_buf_addf(&ck->path, "[%ld]", s->index);
		} else if (!s->escaped && bare_key(s->key, s->keylen)) {
			hub_buf_addc(&ck->path, '.');
			hub_buf_add(&ck->path, s->key, s->keylen);
		} else {
			hub_buf_adds(&ck->path, "[\"");
			hub_buf_add(&ck->path, s->key, s->keylen);
			hub_buf_adds(&ck->path, "\"]");
		}
	}
	return hub_buf_cstr(&ck->path);
}

const char *hub_avrocheck_expected(struct hub_avrocheck *ck)
{
	return hub_buf_cstr(&ck->expected);
}

const char *hub_avrocheck_found(struct hub_avrocheck *ck)
{
	return hub_buf_cstr(&ck->found);
}
