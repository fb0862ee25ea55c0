/* archive/record.c: reading an archived line's attributes in one pass.
 *
 * The scanner is given every path the archive may need, plain and under
 * "value", so a line costs one validation pass whatever its form. A line is
 * an envelope when it has a string "topic" and an object "value", the shape
 * hub-consume --envelope writes; otherwise it is the event itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/record.h"
#include "core/diag.h"
#include "json/path.h"
#include "core/time.h"
#include "stream/ndjson.h"

enum {
	P_ID, P_SUBJECT, P_TYPE, P_SOURCE, P_TIME,
	P_TOPIC, P_PARTITION, P_OFFSET, P_TIMESTAMP, P_KEY, P_HEADERS, P_VALUE,
	P_VID, P_VSUBJECT, P_VTYPE, P_VSOURCE, P_VTIME,
	P_COUNT
};

static const char *const path_text[P_COUNT] = {
	"id", "subject", "type", "source", "time",
	"topic", "partition", "offset", "timestamp", "key", "headers", "value",
	"value.id", "value.subject", "value.type", "value.source", "value.time",
};

struct hub_arec_parser {
	struct hub_json *js;
	struct hub_path paths[P_COUNT];
	struct hub_span found[P_COUNT];
	struct hub_buf tmp;
};

struct hub_arec_parser *hub_arec_parser_new(void)
{
	struct hub_arec_parser *p = hub_xcalloc(1, sizeof(*p));
	char err[128];

	for (int i = 0; i < P_COUNT; i++)
		if (hub_path_parse(path_text[i], &p->paths[i], err, sizeof(err)) != 0)
			hub_die(70, "internal field path %s: %s", path_text[i], err);
	p->js = hub_json_new();
	hub_json_set_paths(p->js, p->paths, P_COUNT);
	return p;
}

void hub_arec_parser_free(struct hub_arec_parser *p)
{
	if (!p)
		return;
	hub_json_free(p->js);
	for (int i = 0; i < P_COUNT; i++)
		hub_path_free(&p->paths[i]);
	hub_buf_free(&p->tmp);
	free(p);
}

int hub_span_str(const struct hub_span *v, struct hub_buf *tmp, const char **s, size_t *n)
{
	if (v->type != HUB_JSON_STRING)
		return -1;
	if (!memchr(v->p, '\\', v->len)) {
		*s = v->p + 1;
		*n = v->len - 2;
		return 0;
	}
	hub_buf_reset(tmp);
	if (hub_json_unescape(v->p, v->len, tmp) != 0)
		return -1;
	*s = tmp->data;
	*n = tmp->len;
	return 0;
}

int hub_span_equals(const struct hub_span *v, struct hub_buf *tmp, const char *s, size_t n)
{
	const char *t;
	size_t tn;

	return hub_span_str(v, tmp, &t, &tn) == 0 && tn == n && memcmp(t, s, n) == 0;
}

/* A Kafka timestamp is milliseconds since 1970, -1 for none; one past
 * 9999-12-31T23:59:59.999Z has no RFC 3339 form and no hour directory
 * that searches walk (four-digit years), so it counts as none: such an
 * event is filed under its arrival, like one without a time. */
#define KAFKA_TIMESTAMP_MAX INT64_C(253402300799999)

static int parse_int(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	int neg = 0;
	size_t i = 0;

	if (n && s[0] == '-')
		neg = 1, i = 1;
	if (i == n || n - i > 18)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

int hub_arec_parse(struct hub_arec_parser *p, const char *line, size_t len,
                   struct hub_arec *rec, const char **why)
{
	enum hub_json_type top;
	struct hub_span *f = p->found;
	const char *s;
	size_t n;
	int64_t ts;

	if (hub_json_scan(p->js, line, len, f, &top) != 0) {
		*why = hub_json_error(p->js);
		return -1;
	}
	if (top != HUB_JSON_OBJECT) {
		*why = hub_not_object_reason(top);
		return -2;
	}
	memset(rec, 0, sizeof(*rec));
	rec->envelope = f[P_TOPIC].type == HUB_JSON_STRING && f[P_VALUE].type == HUB_JSON_OBJECT;
	if (rec->envelope) {
		rec->id = f[P_VID];
		rec->subject = f[P_VSUBJECT];
		rec->type = f[P_VTYPE];
		rec->source = f[P_VSOURCE];
		rec->time = f[P_VTIME];
		rec->topic = f[P_TOPIC];
		rec->partition = f[P_PARTITION];
		rec->offset = f[P_OFFSET];
		rec->timestamp = f[P_TIMESTAMP];
		rec->key = f[P_KEY];
		rec->headers = f[P_HEADERS];
		rec->value = f[P_VALUE];
	} else {
		rec->id = f[P_ID];
		rec->subject = f[P_SUBJECT];
		rec->type = f[P_TYPE];
		rec->source = f[P_SOURCE];
		rec->time = f[P_TIME];
	}
	if (hub_span_str(&rec->time, &p->tmp, &s, &n) == 0 && hub_time_parse(s, n, &rec->time_ms) == 0)
		rec->has_time = 1;
	else if (rec->timestamp.type == HUB_JSON_NUMBER &&
	         parse_int(rec->timestamp.p, rec->timestamp.len, &ts) == 0 &&
	         ts >= 0 && ts <= KAFKA_TIMESTAMP_MAX)
		rec->has_time = 2, rec->time_ms = ts;
	return 0;
}

