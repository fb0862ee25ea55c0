/* kafka/envelope.c: writing and reading the JSON envelope (format in kafka/envelope-internal.h).
 *
 * Writing is on hub-consume's hot path: it appends straight into the
 * output buffer, validating the value with the streaming scanner and
 * embedding its bytes unchanged. Reading (hub-produce --envelope) uses
 * the same scanner with field paths; values are the line's own bytes,
 * never re-serialised (jansson would alter numbers and refuse big ones). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "core/diag.h"
#include "kafka/envelope-internal.h"

static void add_base64(struct hub_buf *out, const void *p, size_t n)
{
	hub_buf_addc(out, '"');
	hub_buf_base64(out, p, n);
	hub_buf_addc(out, '"');
}

static int embeddable_json(struct hub_json *js, const char *p, size_t n)
{
	if (n == 0 || memchr(p, '\n', n) || memchr(p, '\r', n))
		return 0;
	if (n == 4 && memcmp(p, "null", 4) == 0)
		return 0;   /* "value":null means no value (a tombstone) */
	if (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t')
		return 0;
	return hub_json_scan(js, p, n, NULL, NULL) == 0;
}

static void add_header_value(struct hub_buf *out, const void *v, size_t n)
{
	if (!v) {
		hub_buf_adds(out, "null");
	} else if (hub_is_utf8(v, n)) {
		hub_buf_json_string(out, v, n);
	} else {
		hub_buf_adds(out, "{\"base64\":");
		add_base64(out, v, n);
		hub_buf_addc(out, '}');
	}
}

static void add_headers(struct hub_buf *out, rd_kafka_headers_t *hdrs)
{
	const char *name;
	const void *val;
	size_t size, count = rd_kafka_header_cnt(hdrs);

	hub_buf_adds(out, ",\"headers\":{");
	for (size_t i = 0; i < count; i++) {
		size_t seen = 0, total = 0;

		if (rd_kafka_header_get_all(hdrs, i, &name, &val, &size))
			break;
		/* Only the first occurrence of a name writes it, with all values. */
		for (size_t j = 0; j < i; j++) {
			const char *other;
			const void *ov;
			size_t os;

			rd_kafka_header_get_all(hdrs, j, &other, &ov, &os);
			if (strcmp(other, name) == 0)
				seen = 1;
		}
		if (seen)
			continue;
		for (size_t j = i; j < count; j++) {
			const char *other;
			const void *ov;
			size_t os;

			rd_kafka_header_get_all(hdrs, j, &other, &ov, &os);
			if (strcmp(other, name) == 0)
				total++;
		}
		if (out->data[out->len - 1] != '{')
			hub_buf_addc(out, ',');
		hub_buf_json_string(out, name, strlen(name));
		hub_buf_addc(out, ':');
		if (total == 1) {
			add_header_value(out, val, size);
			continue;
		}
		hub_buf_addc(out, '[');
		for (size_t j = i, k = 0; j < count; j++) {
			const char *other;
			const void *ov;
			size_t os;

			rd_kafka_header_get_all(hdrs, j, &other, &ov, &os);
			if (strcmp(other, name) != 0)
				continue;
			if (k++)
				hub_buf_addc(out, ',');
			add_header_value(out, ov, os);
		}
		hub_buf_addc(out, ']');
	}
	hub_buf_addc(out, '}');
}

/* A log-append time before 2000: no broker's clock, but the placeholder
 * that librdkafka's mock cluster (hub-devbroker) puts in every produce
 * answer. */
#define HUB_LOGAPPEND_PLAUSIBLE_MS INT64_C(946684800000)

void hub_envelope_write(struct hub_buf *out, struct hub_json *js, const rd_kafka_message_t *msg)
{
	hub_envelope_write_delivered(out, js, msg, -1);
}

void hub_envelope_write_delivered(struct hub_buf *out, struct hub_json *js, const rd_kafka_message_t *msg,
                                  int64_t acked_ms)
{
	rd_kafka_timestamp_type_t tstype;
	int64_t ts = rd_kafka_message_timestamp(msg, &tstype);
	rd_kafka_headers_t *hdrs = NULL;

	if (acked_ms >= 0 && tstype == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME && ts < HUB_LOGAPPEND_PLAUSIBLE_MS)
		ts = acked_ms;
	const char *topic = rd_kafka_topic_name(msg->rkt);

	hub_buf_adds(out, "{\"topic\":");
	hub_buf_json_string(out, topic, strlen(topic));
	if (msg->partition >= 0) {
		hub_buf_adds(out, ",\"partition\":");
		hub_buf_add_int(out, msg->partition);
	}
	if (msg->offset >= 0) {
		hub_buf_adds(out, ",\"offset\":");
		hub_buf_add_int(out, msg->offset);
	}
	if (tstype != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) {
		hub_buf_adds(out, ",\"timestamp\":");
		hub_buf_add_int(out, ts);
		hub_buf_adds(out, tstype == RD_KAFKA_TIMESTAMP_CREATE_TIME ?
		             ",\"timestamp_type\":\"create\"" : ",\"timestamp_type\":\"logappend\"");
	}
	if (!msg->key) {
		hub_buf_adds(out, ",\"key\":null");
	} else if (hub_is_utf8(msg->key, msg->key_len)) {
		hub_buf_adds(out, ",\"key\":");
		hub_buf_json_string(out, msg->key, msg->key_len);
	} else {
		hub_buf_adds(out, ",\"key_base64\":");
		add_base64(out, msg->key, msg->key_len);
	}
	if (rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs)
		add_headers(out, hdrs);
	if (msg->payload) {
		if (embeddable_json(js, msg->payload, msg->len)) {
			hub_buf_adds(out, ",\"value\":");
			hub_buf_add(out, msg->payload, msg->len);
		} else if (hub_is_utf8(msg->payload, msg->len)) {
			hub_buf_adds(out, ",\"value_text\":");
			hub_buf_json_string(out, msg->payload, msg->len);
		} else {
			hub_buf_adds(out, ",\"value_base64\":");
			add_base64(out, msg->payload, msg->len);
		}
	}
	hub_buf_add(out, "}\n", 2);
}

/* The scanners and paths an envelope reader needs, made once. Headers are
 * read by nested scans: the members of "headers", the items of an array
 * value, the "base64" member of an object value. */
struct parser {
	struct hub_json *top, *hdr, *items, *b64;
	struct hub_path top_paths[9], any_member, any_item, base64;
	struct hub_json *pairs;     /* kcat -J's headers: ["name","value",...] */
	int pair_at;
	struct hub_buf name, tmp, txt;
	struct hub_envelope *env;
	int bad;
};

/* hub's envelope, and kcat -J's: its "payload" is the value as text, its
 * "headers" an array of names and values in turn. */
enum { P_TOPIC, P_PARTITION, P_KEY, P_KEY64, P_HEADERS, P_VALUE, P_VALUE_TEXT, P_VALUE64, P_PAYLOAD, NTOP };
static const char *const top_names[NTOP] = { "topic", "partition", "key", "key_base64", "headers",
                                             "value", "value_text", "value_base64", "payload" };

/* One header value, under the name in ps->name: a string, null or
 * {"base64":...}. */
static int parse_header_value(struct parser *ps, const struct hub_span *v)
{
	struct hub_span b64;

	hub_buf_reset(&ps->tmp);
	if (v->type == HUB_JSON_NULL)
		return rd_kafka_header_add(ps->env->headers, ps->name.data, -1, NULL, 0) ? -1 : 0;
	if (v->type == HUB_JSON_STRING) {
		if (hub_json_unescape(v->p, v->len, &ps->tmp) < 0)
			return -1;
	} else if (v->type == HUB_JSON_OBJECT) {
		hub_buf_reset(&ps->txt);
		if (hub_json_scan(ps->b64, v->p, v->len, &b64, NULL) < 0 || b64.type != HUB_JSON_STRING ||
		    hub_json_unescape(b64.p, b64.len, &ps->txt) < 0 ||
		    hub_base64_decode(ps->txt.data ? ps->txt.data : "", ps->txt.len, &ps->tmp) < 0)
			return -1;
	} else {
		return -1;
	}
	return rd_kafka_header_add(ps->env->headers, ps->name.data, -1,
	                           ps->tmp.data ? ps->tmp.data : "", ps->tmp.len) ? -1 : 0;
}

static int on_header_item(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	struct parser *ps = ctx;

	if (parse_header_value(ps, v) < 0)
		ps->bad = 1;
	return 0;
}

/* A member of "headers": its value, or an array of values. */
static int on_header(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	struct parser *ps = ctx;

	hub_buf_reset(&ps->name);
	if (hub_json_unescape(key->p, key->len, &ps->name) < 0) {
		ps->bad = 1;
		return 0;
	}
	hub_buf_cstr(&ps->name);
	if (!ps->env->headers)
		ps->env->headers = rd_kafka_headers_new(8);
	if (v->type == HUB_JSON_ARRAY) {
		if (hub_json_scan(ps->items, v->p, v->len, NULL, NULL) < 0)
			ps->bad = 1;
	} else if (parse_header_value(ps, v) < 0) {
		ps->bad = 1;
	}
	return 0;
}

/* kcat's headers array: a name, then its value (a string or null), ... */
static int on_header_pair(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	struct parser *ps = ctx;

	if (ps->pair_at++ % 2 == 0) {
		hub_buf_reset(&ps->name);
		if (v->type != HUB_JSON_STRING || hub_json_unescape(v->p, v->len, &ps->name) < 0)
			ps->bad = 1;
		hub_buf_cstr(&ps->name);
	} else if (parse_header_value(ps, v) < 0) {
		ps->bad = 1;
	}
	return 0;
}

static struct parser *parser_get(struct hub_envelope *env)
{
	struct parser *ps = env->parser;
	char perr[64];

	if (ps)
		return ps;
	ps = hub_xcalloc(1, sizeof(*ps));
	for (int i = 0; i < NTOP; i++)
		hub_path_parse(top_names[i], &ps->top_paths[i], perr, sizeof(perr));
	hub_path_parse("*", &ps->any_member, perr, sizeof(perr));
	hub_path_parse("[*]", &ps->any_item, perr, sizeof(perr));
	hub_path_parse("base64", &ps->base64, perr, sizeof(perr));
	ps->top = hub_json_new();
	hub_json_set_paths(ps->top, ps->top_paths, NTOP);
	ps->hdr = hub_json_new();
	hub_json_set_paths(ps->hdr, &ps->any_member, 1);
	hub_json_set_callback(ps->hdr, on_header, ps);
	ps->items = hub_json_new();
	hub_json_set_paths(ps->items, &ps->any_item, 1);
	hub_json_set_callback(ps->items, on_header_item, ps);
	ps->b64 = hub_json_new();
	hub_json_set_paths(ps->b64, &ps->base64, 1);
	ps->pairs = hub_json_new();
	hub_json_set_paths(ps->pairs, &ps->any_item, 1);
	hub_json_set_callback(ps->pairs, on_header_pair, ps);
	env->parser = ps;
	return ps;
}

static int string_member(const struct hub_span *v, struct hub_buf *out)
{
	return v->type == HUB_JSON_STRING ? hub_json_unescape(v->p, v->len, out) : -1;
}

int hub_envelope_parse(const char *line, size_t len, struct hub_envelope *env,
                       char *err, size_t errlen)
{
	struct parser *ps = parser_get(env);
	struct hub_span f[NTOP];
	enum hub_json_type top;

	hub_buf_reset(&env->topic);
	hub_buf_reset(&env->key);
	hub_buf_reset(&env->value);
	env->has_topic = env->has_key = env->has_value = env->null_value = 0;
	env->partition = RD_KAFKA_PARTITION_UA;
	if (env->headers)
		rd_kafka_headers_destroy(env->headers);
	env->headers = NULL;

	if (hub_json_scan(ps->top, line, len, f, &top) < 0) {
		snprintf(err, errlen, "envelope: %s", hub_json_error(ps->top));
		return -1;
	}
	if (top != HUB_JSON_OBJECT) {
		snprintf(err, errlen, "envelope is %s, not a JSON object", hub_json_type_name(top));
		return -1;
	}
	if (f[P_TOPIC].type != HUB_JSON_NONE && f[P_TOPIC].type != HUB_JSON_NULL) {
		if (string_member(&f[P_TOPIC], &env->topic) < 0) {
			snprintf(err, errlen, "envelope: \"topic\" is not a string");
			return -1;
		}
		env->has_topic = 1;
	}
	if (f[P_PARTITION].type != HUB_JSON_NONE && f[P_PARTITION].type != HUB_JSON_NULL) {
		char num[24];
		char *end;
		long v = -1;

		if (f[P_PARTITION].type == HUB_JSON_NUMBER && f[P_PARTITION].len < sizeof(num)) {
			memcpy(num, f[P_PARTITION].p, f[P_PARTITION].len);
			num[f[P_PARTITION].len] = '\0';
			v = strtol(num, &end, 10);
			if (*end)
				v = -1;
		}
		if (v < 0 || v > INT32_MAX) {
			snprintf(err, errlen, "envelope: \"partition\" is not a partition number");
			return -1;
		}
		env->partition = (int32_t)v;
	}
	if (f[P_KEY].type != HUB_JSON_NONE && f[P_KEY].type != HUB_JSON_NULL) {
		if (string_member(&f[P_KEY], &env->key) < 0) {
			snprintf(err, errlen, "envelope: \"key\" is not a string");
			return -1;
		}
		env->has_key = 1;
	} else if (f[P_KEY64].type != HUB_JSON_NONE) {
		struct hub_buf txt = { 0 };
		int bad = string_member(&f[P_KEY64], &txt) < 0 ||
		          hub_base64_decode(txt.data ? txt.data : "", txt.len, &env->key) < 0;

		hub_buf_free(&txt);
		if (bad) {
			snprintf(err, errlen, "envelope: \"key_base64\" is not base64");
			return -1;
		}
		env->has_key = 1;
	}
	if (f[P_HEADERS].type == HUB_JSON_OBJECT) {
		ps->env = env;
		ps->bad = 0;
		if (hub_json_scan(ps->hdr, f[P_HEADERS].p, f[P_HEADERS].len, NULL, NULL) < 0 || ps->bad) {
			snprintf(err, errlen, "envelope: a header value is not a string, null, "
			         "{\"base64\":...} or an array of these");
			return -1;
		}
	} else if (f[P_HEADERS].type == HUB_JSON_ARRAY) {
		ps->env = env;
		ps->bad = 0;
		ps->pair_at = 0;
		if (!env->headers)
			env->headers = rd_kafka_headers_new(8);
		if (hub_json_scan(ps->pairs, f[P_HEADERS].p, f[P_HEADERS].len, NULL, NULL) < 0 || ps->bad ||
		    ps->pair_at % 2) {
			snprintf(err, errlen, "envelope: \"headers\" as an array (kcat -J's) must hold a name "
			         "then its value (a string or null), in turn");
			return -1;
		}
	} else if (f[P_HEADERS].type != HUB_JSON_NONE && f[P_HEADERS].type != HUB_JSON_NULL) {
		snprintf(err, errlen, "envelope: \"headers\" is not an object");
		return -1;
	}
	if (f[P_VALUE].type != HUB_JSON_NONE) {
		if (f[P_VALUE].type != HUB_JSON_NULL) {
			hub_buf_add(&env->value, f[P_VALUE].p, f[P_VALUE].len);
			env->has_value = 1;
		} else {
			env->null_value = 1;
		}
	} else if (f[P_VALUE_TEXT].type != HUB_JSON_NONE) {
		if (string_member(&f[P_VALUE_TEXT], &env->value) < 0) {
			snprintf(err, errlen, "envelope: \"value_text\" is not a string");
			return -1;
		}
		env->has_value = 1;
	} else if (f[P_VALUE64].type != HUB_JSON_NONE) {
		struct hub_buf txt = { 0 };
		int bad = string_member(&f[P_VALUE64], &txt) < 0 ||
		          hub_base64_decode(txt.data ? txt.data : "", txt.len, &env->value) < 0;

		hub_buf_free(&txt);
		if (bad) {
			snprintf(err, errlen, "envelope: \"value_base64\" is not base64");
			return -1;
		}
		env->has_value = 1;
	} else if (f[P_PAYLOAD].type == HUB_JSON_NULL) {
		env->null_value = 1;
	} else if (f[P_PAYLOAD].type != HUB_JSON_NONE) {
		if (string_member(&f[P_PAYLOAD], &env->value) < 0) {
			snprintf(err, errlen, "envelope: \"payload\" (kcat -J's value) is not a string");
			return -1;
		}
		env->has_value = 1;
	}
	return 0;
}

void hub_envelope_free(struct hub_envelope *env)
{
	struct parser *ps = env->parser;

	hub_buf_free(&env->topic);
	hub_buf_free(&env->key);
	hub_buf_free(&env->value);
	if (env->headers)
		rd_kafka_headers_destroy(env->headers);
	env->headers = NULL;
	if (ps) {
		hub_json_free(ps->top);
		hub_json_free(ps->hdr);
		hub_json_free(ps->items);
		hub_json_free(ps->b64);
		hub_json_free(ps->pairs);
		for (int i = 0; i < NTOP; i++)
			hub_path_free(&ps->top_paths[i]);
		hub_path_free(&ps->any_member);
		hub_path_free(&ps->any_item);
		hub_path_free(&ps->base64);
		hub_buf_free(&ps->name);
		hub_buf_free(&ps->tmp);
		hub_buf_free(&ps->txt);
		free(ps);
		env->parser = NULL;
	}
}
