/* schema/avrowire.c: JSON data to and from Avro binary through avro-c values.
 *
 * avro-c does the Avro encoding (avro_value_write/avro_value_read on
 * generic values, one reused per schema); this file maps JSON onto those
 * values and back, driven by the compiled hub_avro_node tree, whose field,
 * symbol and branch order is the schema's, as avro-c's is. Union branches
 * are chosen with the validator (the first branch the value matches).
 * Decimals are converted between decimal text and two's complement
 * big-endian bytes here, digit by digit, for any precision. */
#include <avro.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/check-internal.h"
#include "schema/avrowire.h"
#include "core/diag.h"
#include "core/time.h"
#include "json/scan.h"

struct codec {
	const struct hub_schema_version *sv;
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t value;
};

struct hub_avrowire {
	struct codec *codecs;
	int ncodecs;
	struct hub_avrocheck *ck;        /* picks union branches, as hub-validate would */
	struct hub_avrocheck *strict;    /* encode_checked's own check */
	struct hub_buf tmp, bytes;
	struct hub_buf *err;
	const char *end;
};

struct hub_avrowire *hub_avrowire_new(const struct hub_registry *reg, struct hub_buf *err)
{
	struct hub_avrowire *w = hub_xcalloc(1, sizeof(*w));
	int n = 0;

	for (int i = 0; i < reg->nsubjects; i++)
		n += reg->subjects[i].nversions;
	w->codecs = hub_xcalloc(n + 1, sizeof(*w->codecs));
	w->ck = hub_avrocheck_new();
	w->strict = hub_avrocheck_new();
	for (int i = 0; i < reg->nsubjects; i++) {
		for (int k = 0; k < reg->subjects[i].nversions; k++) {
			const struct hub_schema_version *sv = &reg->subjects[i].versions[k];
			struct codec *c = &w->codecs[w->ncodecs];
			FILE *f = fopen(sv->path, "rb");
			struct hub_buf text = { 0 };
			char chunk[8192];
			size_t got;

			while (f && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
				hub_buf_add(&text, chunk, got);
			if (f)
				fclose(f);
			if (!f || avro_schema_from_json_length(hub_buf_cstr(&text), text.len, &c->schema) != 0) {
				hub_buf_addf(err, "%s: avro-c cannot load it: %s", sv->path, f ? avro_strerror() : "unreadable");
				hub_buf_free(&text);
				hub_avrowire_free(w);
				return NULL;
			}
			hub_buf_free(&text);
			c->sv = sv;
			c->iface = avro_generic_class_from_schema(c->schema);
			avro_generic_value_new(c->iface, &c->value);
			w->ncodecs++;
		}
	}
	return w;
}

void hub_avrowire_free(struct hub_avrowire *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->ncodecs; i++) {
		avro_value_decref(&w->codecs[i].value);
		avro_value_iface_decref(w->codecs[i].iface);
		avro_schema_decref(w->codecs[i].schema);
	}
	free(w->codecs);
	hub_avrocheck_free(w->ck);
	hub_avrocheck_free(w->strict);
	hub_buf_free(&w->tmp);
	hub_buf_free(&w->bytes);
	free(w);
}

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

static void put_timestamp(struct hub_buf *out, int64_t units, int64_t scale, int digits)
{
	int64_t days = units / (86400 * scale), rest = units % (86400 * scale), y;
	int m, d;

	if (rest < 0) {
		rest += 86400 * scale;
		days--;
	}
	hub_civil_from_days(days, &y, &m, &d);
	hub_buf_addf(out, "\"%04lld-%02d-%02dT", (long long)y, m, d);
	put_time(out, rest, scale, digits);
	hub_buf_adds(out, "Z\"");
}

/* --- decimals -------------------------------------------------------- */

/* Decimal text (checked: plain notation, at most `scale` decimals) to the
 * two's complement big-endian bytes of its unscaled value, in b. */
static void decimal_to_bytes(const char *s, const char *end, int scale, struct hub_buf *b)
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
static void bytes_to_decimal(const unsigned char *p, size_t n, int scale, struct hub_buf *out)
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

/* --- JSON to avro values --------------------------------------------- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The bytes a JSON string stands for, code points U+0000..U+00FF. */
static void string_bytes(struct hub_avrowire *w, const char *lit, size_t len, struct hub_buf *b)
{
	hub_buf_reset(&w->tmp);
	hub_json_unescape(lit, len, &w->tmp);
	hub_buf_reset(b);
	for (size_t i = 0; i < w->tmp.len; i++) {
		unsigned char c = (unsigned char)w->tmp.data[i];

		if (c >= 0xc0 && i + 1 < w->tmp.len) {
			hub_buf_addc(b, (char)(((c & 0x1f) << 6) | ((unsigned char)w->tmp.data[i + 1] & 0x3f)));
			i++;
		} else {
			hub_buf_addc(b, (char)c);
		}
	}
}

static int encode(struct hub_avrowire *w, const struct hub_avro_node *n, avro_value_t *v, const char *p,
                  const char *end);

static int encode_record(struct hub_avrowire *w, const struct hub_avro_node *n, avro_value_t *v,
                         const char *p, const char *end)
{
	unsigned char seen[256] = { 0 };

	p = skip_ws(p + 1, end);
	while (*p != '}') {
		const char *key = p, *q = hub_avrocheck_skip(p, end), *val, *after;
		int f = -1;

		hub_buf_reset(&w->tmp);
		hub_json_unescape(key, q - key, &w->tmp);
		val = skip_ws(skip_ws(q, end) + 1, end);
		after = hub_avrocheck_skip(val, end);
		for (int i = 0; i < n->nfields && f < 0; i++)
			if (n->fields[i].namelen == w->tmp.len && memcmp(n->fields[i].name, hub_buf_cstr(&w->tmp), w->tmp.len) == 0)
				f = i;
		if (f >= 0) {
			avro_value_t child;

			if (f < 256)
				seen[f] = 1;
			if (avro_value_get_by_index(v, f, &child, NULL) != 0 ||
			    encode(w, n->fields[f].type, &child, val, after) < 0)
				return -1;
		}
		p = skip_ws(after, end);
		if (*p == ',')
			p = skip_ws(p + 1, end);
	}
	for (int i = 0; i < n->nfields; i++) {
		avro_value_t child;
		const char *def = n->fields[i].default_json;

		if ((i < 256 && seen[i]) || !def)
			continue;
		if (avro_value_get_by_index(v, i, &child, NULL) != 0)
			return -1;
		if (encode(w, n->fields[i].type->kind == HUB_AVRO_UNION ? n->fields[i].type : n->fields[i].type,
		           &child, def, def + strlen(def)) < 0)
			return -1;
	}
	return 0;
}

static int encode_union(struct hub_avrowire *w, const struct hub_avro_node *n, avro_value_t *v,
                        const char *p, const char *end)
{
	avro_value_t branch;

	for (int i = 0; i < n->nbranches; i++) {
		if (hub_avrocheck_value(w->ck, n->branches[i], p, end - p) != 0)
			continue;
		if (avro_value_set_branch(v, i, &branch) != 0)
			return -1;
		return encode(w, n->branches[i], &branch, p, end);
	}
	/* {"branch": value} */
	if (*p == '{') {
		const char *key = skip_ws(p + 1, end), *q = hub_avrocheck_skip(key, end), *val, *vend;

		hub_buf_reset(&w->tmp);
		hub_json_unescape(key, q - key, &w->tmp);
		val = skip_ws(skip_ws(q, end) + 1, end);
		vend = hub_avrocheck_skip(val, end);
		for (int i = 0; i < n->nbranches; i++) {
			const char *name = hub_avro_branch_name(n->branches[i]), *dot = strrchr(name, '.');

			if (strcmp(hub_buf_cstr(&w->tmp), name) != 0 && !(dot && strcmp(w->tmp.data, dot + 1) == 0))
				continue;
			if (avro_value_set_branch(v, i, &branch) != 0)
				return -1;
			return encode(w, n->branches[i], &branch, val, vend);
		}
	}
	hub_buf_adds(w->err, "no union branch matches the value");
	return -1;
}

static int encode(struct hub_avrowire *w, const struct hub_avro_node *n, avro_value_t *v, const char *p,
                  const char *end)
{
	const char *vend;
	char numtext[400];
	size_t len;

	p = skip_ws(p, end);
	vend = hub_avrocheck_skip(p, end);
	len = vend - p;
	if (*p != '"' && *p != '{' && *p != '[') {
		if (len >= sizeof(numtext))
			len = sizeof(numtext) - 1;
		memcpy(numtext, p, len);
		numtext[len] = '\0';
	}
	switch (n->kind) {
	case HUB_AVRO_UNION: return encode_union(w, n, v, p, end);
	case HUB_AVRO_NULL: return avro_value_set_null(v);
	case HUB_AVRO_BOOLEAN: return avro_value_set_boolean(v, *p == 't');
	case HUB_AVRO_INT:
		if (*p == '"') {
			size_t used;

			if (n->logical == HUB_LOGICAL_DATE)
				return avro_value_set_int(v, (int32_t)hub_days_from_civil(num(p + 1, 4), num(p + 6, 2), num(p + 9, 2)));
			return avro_value_set_int(v, (int32_t)time_units(p + 1, len - 2, 1000, &used));
		}
		return avro_value_set_int(v, (int32_t)strtol(numtext, NULL, 10));
	case HUB_AVRO_LONG:
		if (*p == '"') {
			size_t used;

			switch (n->logical) {
			case HUB_LOGICAL_TIMESTAMP_MILLIS: return avro_value_set_long(v, timestamp_units(p + 1, len - 2, 1000));
			case HUB_LOGICAL_TIMESTAMP_MICROS: return avro_value_set_long(v, timestamp_units(p + 1, len - 2, 1000000));
			default: return avro_value_set_long(v, time_units(p + 1, len - 2, 1000000, &used));
			}
		}
		return avro_value_set_long(v, strtoll(numtext, NULL, 10));
	case HUB_AVRO_FLOAT: return avro_value_set_float(v, strtof(numtext, NULL));
	case HUB_AVRO_DOUBLE: return avro_value_set_double(v, strtod(numtext, NULL));
	case HUB_AVRO_BYTES: case HUB_AVRO_FIXED:
		if (n->logical == HUB_LOGICAL_DECIMAL) {
			if (*p == '"')
				decimal_to_bytes(p + 1, vend - 1, n->scale, &w->bytes);
			else
				decimal_to_bytes(numtext, numtext + len, n->scale, &w->bytes);
			if (n->kind == HUB_AVRO_FIXED) {
				/* sign-extend to the fixed size */
				struct hub_buf fx = { 0 };
				char fill = (w->bytes.len && (w->bytes.data[0] & 0x80)) ? (char)0xff : 0;

				for (size_t i = w->bytes.len; i < (size_t)n->size; i++)
					hub_buf_addc(&fx, fill);
				hub_buf_add(&fx, w->bytes.data, w->bytes.len);
				if (fx.len != (size_t)n->size) {
					hub_buf_free(&fx);
					hub_buf_addf(w->err, "decimal does not fit in %ld bytes", n->size);
					return -1;
				}
				avro_value_set_fixed(v, fx.data, fx.len);
				hub_buf_free(&fx);
				return 0;
			}
		} else {
			string_bytes(w, p, len, &w->bytes);
		}
		if (n->kind == HUB_AVRO_FIXED)
			return avro_value_set_fixed(v, w->bytes.data, w->bytes.len);
		return avro_value_set_bytes(v, w->bytes.data ? w->bytes.data : "", w->bytes.len);
	case HUB_AVRO_STRING:
		hub_buf_reset(&w->tmp);
		hub_json_unescape(p, len, &w->tmp);
		return avro_value_set_string_len(v, hub_buf_cstr(&w->tmp), w->tmp.len + 1);
	case HUB_AVRO_ENUM:
		hub_buf_reset(&w->tmp);
		hub_json_unescape(p, len, &w->tmp);
		for (int i = 0; i < n->nsymbols; i++)
			if (strcmp(n->symbols[i], hub_buf_cstr(&w->tmp)) == 0)
				return avro_value_set_enum(v, i);
		return -1;
	case HUB_AVRO_RECORD: return encode_record(w, n, v, p, end);
	case HUB_AVRO_ARRAY: {
		const char *q = skip_ws(p + 1, end);

		while (*q != ']') {
			avro_value_t child;
			const char *e = hub_avrocheck_skip(q, end);

			if (avro_value_append(v, &child, NULL) != 0 || encode(w, n->items, &child, q, e) < 0)
				return -1;
			q = skip_ws(e, end);
			if (*q == ',')
				q = skip_ws(q + 1, end);
		}
		return 0;
	}
	case HUB_AVRO_MAP: {
		const char *q = skip_ws(p + 1, end);

		while (*q != '}') {
			avro_value_t child;
			const char *k = hub_avrocheck_skip(q, end), *val = skip_ws(skip_ws(k, end) + 1, end);
			const char *e = hub_avrocheck_skip(val, end);
			char *key;
			int rc;

			hub_buf_reset(&w->tmp);
			hub_json_unescape(q, k - q, &w->tmp);
			key = hub_xstrndup(hub_buf_cstr(&w->tmp), w->tmp.len);
			rc = avro_value_add(v, key, &child, NULL, NULL);
			free(key);
			if (rc != 0 || encode(w, n->items, &child, val, e) < 0)
				return -1;
			q = skip_ws(e, end);
			if (*q == ',')
				q = skip_ws(q + 1, end);
		}
		return 0;
	}
	}
	return -1;
}

static struct codec *codec_of(struct hub_avrowire *w, const struct hub_schema_version *sv)
{
	for (int i = 0; i < w->ncodecs; i++)
		if (w->codecs[i].sv == sv)
			return &w->codecs[i];
	return NULL;
}

int hub_avrowire_encode(struct hub_avrowire *w, const struct hub_schema_version *sv, const char *json,
                        size_t len, struct hub_buf *out, struct hub_buf *err)
{
	struct codec *c = codec_of(w, sv);
	avro_writer_t writer;
	size_t size = 0, at;

	w->err = err;
	if (!c || !sv->schema)
		return hub_buf_adds(err, "no codec for this schema"), -1;
	avro_value_reset(&c->value);
	if (encode(w, sv->schema->root, &c->value, json, json + len) < 0) {
		if (!err->len)
			hub_buf_addf(err, "avro-c: %s", avro_strerror());
		return -1;
	}
	if (avro_value_sizeof(&c->value, &size) != 0) {
		hub_buf_addf(err, "avro-c: %s", avro_strerror());
		return -1;
	}
	hub_buf_addc(out, 0);
	hub_buf_addc(out, (char)((sv->id >> 24) & 0xff));
	hub_buf_addc(out, (char)((sv->id >> 16) & 0xff));
	hub_buf_addc(out, (char)((sv->id >> 8) & 0xff));
	hub_buf_addc(out, (char)(sv->id & 0xff));
	at = out->len;
	hub_buf_reserve(out, size + 1);
	writer = avro_writer_memory(out->data + at, (int64_t)size);
	if (avro_value_write(writer, &c->value) != 0) {
		hub_buf_addf(err, "avro-c: %s", avro_strerror());
		avro_writer_free(writer);
		return -1;
	}
	out->len = at + (size_t)avro_writer_tell(writer);
	avro_writer_free(writer);
	return 0;
}

int hub_avrowire_encode_checked(struct hub_avrowire *w, const struct hub_schema_version *sv,
                                const char *json, size_t len, struct hub_buf *out, struct hub_buf *err)
{
	if (!sv->schema)
		return hub_buf_adds(err, "no codec for this schema"), -1;
	if (hub_avrocheck_value(w->strict, sv->schema->root, json, len) < 0) {
		hub_buf_addf(err, "data%s: expected %s, found %s", hub_avrocheck_path(w->strict),
		             hub_avrocheck_expected(w->strict), hub_avrocheck_found(w->strict));
		return -1;
	}
	return hub_avrowire_encode(w, sv, json, len, out, err);
}

/* --- avro values to JSON --------------------------------------------- */

static void put_real(struct hub_buf *out, double d, int is_float)
{
	char s[64];

	if (!isfinite(d)) {
		hub_buf_adds(out, "null");
		return;
	}
	for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (is_float ? strtof(s, NULL) == (float)d : strtod(s, NULL) == d)
			break;
	}
	hub_buf_adds(out, s);
	if (!strpbrk(s, ".eEn"))
		hub_buf_adds(out, ".0");
}

static void put_byte_string(struct hub_buf *out, const unsigned char *p, size_t n)
{
	struct hub_buf u = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x80) {
			hub_buf_addc(&u, (char)p[i]);
		} else {
			hub_buf_addc(&u, (char)(0xc0 | (p[i] >> 6)));
			hub_buf_addc(&u, (char)(0x80 | (p[i] & 0x3f)));
		}
	}
	hub_buf_json_string(out, u.data ? u.data : "", u.len);
	hub_buf_free(&u);
}

static int decode(const struct hub_avro_node *n, avro_value_t *v, struct hub_buf *out)
{
	switch (n->kind) {
	case HUB_AVRO_UNION: {
		int d;
		avro_value_t b;

		if (avro_value_get_discriminant(v, &d) != 0 || d < 0 || d >= n->nbranches ||
		    avro_value_get_current_branch(v, &b) != 0)
			return -1;
		return decode(n->branches[d], &b, out);
	}
	case HUB_AVRO_NULL: hub_buf_adds(out, "null"); return 0;
	case HUB_AVRO_BOOLEAN: {
		int b;

		avro_value_get_boolean(v, &b);
		hub_buf_adds(out, b ? "true" : "false");
		return 0;
	}
	case HUB_AVRO_INT: {
		int32_t i;

		avro_value_get_int(v, &i);
		if (n->logical == HUB_LOGICAL_DATE) {
			int64_t y;
			int m, d;

			hub_civil_from_days(i, &y, &m, &d);
			hub_buf_addf(out, "\"%04lld-%02d-%02d\"", (long long)y, m, d);
		} else if (n->logical == HUB_LOGICAL_TIME_MILLIS && i >= 0) {
			hub_buf_addc(out, '"');
			put_time(out, i, 1000, 3);
			hub_buf_addc(out, '"');
		} else {
			hub_buf_add_int(out, i);
		}
		return 0;
	}
	case HUB_AVRO_LONG: {
		int64_t l;

		avro_value_get_long(v, &l);
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
		return 0;
	}
	case HUB_AVRO_FLOAT: {
		float f;

		avro_value_get_float(v, &f);
		put_real(out, f, 1);
		return 0;
	}
	case HUB_AVRO_DOUBLE: {
		double d;

		avro_value_get_double(v, &d);
		put_real(out, d, 0);
		return 0;
	}
	case HUB_AVRO_BYTES: case HUB_AVRO_FIXED: {
		const void *p;
		size_t size;

		if ((n->kind == HUB_AVRO_BYTES ? avro_value_get_bytes(v, &p, &size) : avro_value_get_fixed(v, &p, &size)) != 0)
			return -1;
		if (n->logical == HUB_LOGICAL_DECIMAL)
			bytes_to_decimal(p, size, n->scale, out);
		else
			put_byte_string(out, p, size);
		return 0;
	}
	case HUB_AVRO_STRING: {
		const char *s;
		size_t size;

		if (avro_value_get_string(v, &s, &size) != 0)
			return -1;
		hub_buf_json_string(out, s, size ? size - 1 : 0);
		return 0;
	}
	case HUB_AVRO_ENUM: {
		int e;

		avro_value_get_enum(v, &e);
		if (e < 0 || e >= n->nsymbols)
			return -1;
		hub_buf_json_string(out, n->symbols[e], n->symlen[e]);
		return 0;
	}
	case HUB_AVRO_RECORD:
		hub_buf_addc(out, '{');
		for (int i = 0; i < n->nfields; i++) {
			avro_value_t child;

			if (avro_value_get_by_index(v, i, &child, NULL) != 0)
				return -1;
			if (i)
				hub_buf_addc(out, ',');
			hub_buf_json_string(out, n->fields[i].name, n->fields[i].namelen);
			hub_buf_addc(out, ':');
			if (decode(n->fields[i].type, &child, out) < 0)
				return -1;
		}
		hub_buf_addc(out, '}');
		return 0;
	case HUB_AVRO_ARRAY: case HUB_AVRO_MAP: {
		size_t count;

		avro_value_get_size(v, &count);
		hub_buf_addc(out, n->kind == HUB_AVRO_ARRAY ? '[' : '{');
		for (size_t i = 0; i < count; i++) {
			avro_value_t child;
			const char *name = NULL;

			if (avro_value_get_by_index(v, i, &child, &name) != 0)
				return -1;
			if (i)
				hub_buf_addc(out, ',');
			if (n->kind == HUB_AVRO_MAP) {
				hub_buf_json_string(out, name, strlen(name));
				hub_buf_addc(out, ':');
			}
			if (decode(n->items, &child, out) < 0)
				return -1;
		}
		hub_buf_addc(out, n->kind == HUB_AVRO_ARRAY ? ']' : '}');
		return 0;
	}
	}
	return -1;
}

int hub_avrowire_decode(struct hub_avrowire *w, const void *msg, size_t len, struct hub_buf *out,
                        const struct hub_schema_version **svp, struct hub_buf *err)
{
	const unsigned char *m = msg;
	long id;
	struct codec *c = NULL;
	avro_reader_t reader;
	size_t at = out->len;

	if (len < 5 || m[0] != 0) {
		hub_buf_adds(err, "not Avro in Confluent's wire format (magic byte 0 and a 4-byte schema id)");
		return -1;
	}
	id = ((long)m[1] << 24) | ((long)m[2] << 16) | ((long)m[3] << 8) | (long)m[4];
	for (int i = 0; i < w->ncodecs && !c; i++)
		if (w->codecs[i].sv->id == id)
			c = &w->codecs[i];
	if (!c || !c->sv->schema) {
		hub_buf_addf(err, "schema id %ld is not in the registry", id);
		return -1;
	}
	*svp = c->sv;
	avro_value_reset(&c->value);
	reader = avro_reader_memory((const char *)m + 5, (int64_t)(len - 5));
	if (avro_value_read(reader, &c->value) != 0) {
		hub_buf_addf(err, "schema id %ld: cannot decode the body: %s", id, avro_strerror());
		avro_reader_free(reader);
		return -1;
	}
	avro_reader_free(reader);
	if (decode(c->sv->schema->root, &c->value, out) < 0) {
		out->len = at;
		hub_buf_addf(err, "schema id %ld: the decoded value does not fit the schema", id);
		return -1;
	}
	return 0;
}
