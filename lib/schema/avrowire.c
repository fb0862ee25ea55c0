/* schema/avrowire.c: JSON data to and from Avro binary through avro-c values.
 *
 * avro-c does the Avro encoding (avro_value_write/avro_value_read on
 * generic values, one reused per schema); this file maps JSON onto those
 * values and back, driven by the compiled hub_avro_node tree, whose field,
 * symbol and branch order is the schema's, as avro-c's is. Union branches
 * are chosen with the validator (the first branch the value matches).
 * Logical types (dates, times, timestamps, decimals) are converted
 * between their JSON text and Avro's values in schema/logical.c. */
#include <avro.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/check-internal.h"
#include "schema/avrowire.h"
#include "schema/logical-internal.h"
#include "core/diag.h"
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

/* A decimal's bytes (in w->bytes) as a fixed: sign-extended to its size. */
static int set_fixed_decimal(struct hub_avrowire *w, const struct hub_avro_node *n, avro_value_t *v)
{
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

static int encode_array(struct hub_avrowire *w, const struct hub_avro_node *n, avro_value_t *v,
                        const char *p, const char *end)
{
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

static int encode_map(struct hub_avrowire *w, const struct hub_avro_node *n, avro_value_t *v,
                      const char *p, const char *end)
{
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
		if (*p == '"')
			return avro_value_set_int(v, hub_logical_int(n, p + 1, len - 2));
		return avro_value_set_int(v, (int32_t)strtol(numtext, NULL, 10));
	case HUB_AVRO_LONG:
		if (*p == '"')
			return avro_value_set_long(v, hub_logical_long(n, p + 1, len - 2));
		return avro_value_set_long(v, strtoll(numtext, NULL, 10));
	case HUB_AVRO_FLOAT: return avro_value_set_float(v, strtof(numtext, NULL));
	case HUB_AVRO_DOUBLE: return avro_value_set_double(v, strtod(numtext, NULL));
	case HUB_AVRO_BYTES: case HUB_AVRO_FIXED:
		if (n->logical == HUB_LOGICAL_DECIMAL) {
			if (*p == '"')
				hub_logical_decimal_to_bytes(p + 1, vend - 1, n->scale, &w->bytes);
			else
				hub_logical_decimal_to_bytes(numtext, numtext + len, n->scale, &w->bytes);
			if (n->kind == HUB_AVRO_FIXED)
				return set_fixed_decimal(w, n, v);
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
	case HUB_AVRO_ARRAY: return encode_array(w, n, v, p, end);
	case HUB_AVRO_MAP: return encode_map(w, n, v, p, end);
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

static int decode(const struct hub_avro_node *n, avro_value_t *v, struct hub_buf *out);

static int decode_record(const struct hub_avro_node *n, avro_value_t *v, struct hub_buf *out)
{
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
}

/* An array's items, or a map's members. */
static int decode_items(const struct hub_avro_node *n, avro_value_t *v, struct hub_buf *out)
{
	size_t count = 0;

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

/* A decimal's unscaled two's-complement bytes as a number, if it has no
 * more digits than the schema's precision: a producer may send any number
 * of bytes, and what does not fit the type is refused, not printed (it
 * would not encode again, and hub-validate would reject it). */
static int put_decimal(const struct hub_avro_node *n, const unsigned char *p, size_t size, struct hub_buf *out)
{
	size_t at = out->len;
	int digits = 0, leading = 1;

	/* bytes that only extend the sign (a fixed pads with them) */
	while (size > 1 && ((p[0] == 0x00 && p[1] < 0x80) || (p[0] == 0xff && p[1] >= 0x80)))
		p++, size--;
	if (size > 32)   /* 2^255 has 77 digits; precisions go to 76 */
		return -1;
	hub_logical_bytes_to_decimal(p, size, n->scale, out);
	for (size_t i = at; i < out->len; i++) {
		char c = out->data[i];

		if (c >= '1' && c <= '9')
			leading = 0;
		if (c >= '0' && c <= '9' && !leading)
			digits++;
	}
	if (n->precision > 0 && digits > n->precision) {
		out->len = at;
		return -1;
	}
	return 0;
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
		int b = 0;

		avro_value_get_boolean(v, &b);
		hub_buf_adds(out, b ? "true" : "false");
		return 0;
	}
	case HUB_AVRO_INT: {
		int32_t i = 0;

		avro_value_get_int(v, &i);
		hub_logical_put_int(n, i, out);
		return 0;
	}
	case HUB_AVRO_LONG: {
		int64_t l = 0;

		avro_value_get_long(v, &l);
		hub_logical_put_long(n, l, out);
		return 0;
	}
	case HUB_AVRO_FLOAT: {
		float f = 0;

		avro_value_get_float(v, &f);
		put_real(out, f, 1);
		return 0;
	}
	case HUB_AVRO_DOUBLE: {
		double d = 0;

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
			return put_decimal(n, p, size, out);
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
		int e = 0;

		avro_value_get_enum(v, &e);
		if (e < 0 || e >= n->nsymbols)
			return -1;
		hub_buf_json_string(out, n->symbols[e], n->symlen[e]);
		return 0;
	}
	case HUB_AVRO_RECORD: return decode_record(n, v, out);
	case HUB_AVRO_ARRAY: case HUB_AVRO_MAP: return decode_items(n, v, out);
	}
	return -1;
}

/* --- the body checked before avro-c reads it ------------------------------
 * avro-c allocates whatever a length in the message says (a string length
 * near 2^63 is an allocation of that size) and leaks a little on each
 * malformed message; so the body is first walked against the schema, every
 * length and count checked against the bytes that are left, and only a
 * body that is whole and exactly as long as the message reaches avro-c. */

#define WIRE_MAX_DEPTH 64

/* A zigzag varint (an int or long). 0, or -1 past the end or too long. */
static int wire_long(const unsigned char **p, const unsigned char *end, int64_t *v)
{
	uint64_t u = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		u |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80)) {
			*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
			return 0;
		}
	}
	return -1;
}

/* A length (of bytes, a string or a block's bytes) that fits what is left. */
static int wire_length(const unsigned char **p, const unsigned char *end, int64_t *n)
{
	return wire_long(p, end, n) == 0 && *n >= 0 && *n <= end - *p ? 0 : -1;
}

static int wire_check(const struct hub_avro_node *n, const unsigned char **p, const unsigned char *end,
                      int depth)
{
	int64_t v, count;

	if (!n || depth > WIRE_MAX_DEPTH)
		return -1;
	switch (n->kind) {
	case HUB_AVRO_NULL:
		return 0;
	case HUB_AVRO_BOOLEAN:
		if (*p >= end || **p > 1)
			return -1;
		(*p)++;
		return 0;
	case HUB_AVRO_INT:
		return wire_long(p, end, &v) == 0 && v >= INT32_MIN && v <= INT32_MAX ? 0 : -1;
	case HUB_AVRO_LONG:
		return wire_long(p, end, &v);
	case HUB_AVRO_FLOAT:
	case HUB_AVRO_DOUBLE:
		v = n->kind == HUB_AVRO_FLOAT ? 4 : 8;
		if (end - *p < v)
			return -1;
		*p += v;
		return 0;
	case HUB_AVRO_BYTES:
		if (wire_length(p, end, &v) < 0)
			return -1;
		*p += v;
		return 0;
	case HUB_AVRO_STRING:   /* UTF-8, as Avro says: not decoded with U+FFFD in it */
		if (wire_length(p, end, &v) < 0 || !hub_is_utf8(*p, (size_t)v))
			return -1;
		*p += v;
		return 0;
	case HUB_AVRO_FIXED:
		if (n->size < 0 || end - *p < n->size)
			return -1;
		*p += n->size;
		return 0;
	case HUB_AVRO_ENUM:
		return wire_long(p, end, &v) == 0 && v >= 0 && v < n->nsymbols ? 0 : -1;
	case HUB_AVRO_UNION:
		if (wire_long(p, end, &v) < 0 || v < 0 || v >= n->nbranches)
			return -1;
		return wire_check(n->branches[v], p, end, depth + 1);
	case HUB_AVRO_RECORD:
		for (int i = 0; i < n->nfields; i++)
			if (wire_check(n->fields[i].type, p, end, depth + 1) < 0)
				return -1;
		return 0;
	case HUB_AVRO_ARRAY:
	case HUB_AVRO_MAP:
		for (;;) {
			if (wire_long(p, end, &count) < 0)
				return -1;
			if (count == 0)
				return 0;
			if (count < 0) {   /* a negative count is followed by the block's size in bytes */
				if (count == INT64_MIN || wire_length(p, end, &v) < 0)
					return -1;
				count = -count;
			}
			if (count > end - *p && !(n->kind == HUB_AVRO_ARRAY && n->items &&
			                          n->items->kind == HUB_AVRO_NULL && count <= 1 << 20))
				return -1;   /* every item takes a byte at least, but null */
			for (int64_t i = 0; i < count; i++) {
				if (n->kind == HUB_AVRO_MAP) {
					if (wire_length(p, end, &v) < 0)
						return -1;
					*p += v;
				}
				if (wire_check(n->items, p, end, depth + 1) < 0)
					return -1;
			}
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
	{
		const unsigned char *p = m + 5;

		if (wire_check(c->sv->schema->root, &p, m + len, 0) < 0 || p != m + len) {
			hub_buf_addf(err, "schema id %ld: the body does not fit the schema (a length, count or "
			             "branch past the message's %zu bytes, a string not UTF-8, or bytes left over)",
			             id, len);
			return -1;
		}
	}
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
		hub_buf_addf(err, "schema id %ld: the decoded value does not fit the schema (a decimal with "
		             "more digits than its precision, an enum symbol out of range)", id);
		return -1;
	}
	return 0;
}

