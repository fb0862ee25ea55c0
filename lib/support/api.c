/* support/api.c: the routes of the support page's API (support/api.h).
 *
 * Every answer comes from hub_archive_find(), the search behind the
 * command line, and the event view is hub_show_format()'s text, so the
 * page never disagrees with `hub-archive find/trace/show`. The archive
 * hands results oldest first; a page newest first is the last
 * offset+limit results of the search, kept in a ring as they pass, so a
 * request holds one page and its offset at most, whatever the count. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/search.h"
#include "archive/view.h"
#include "core/diag.h"
#include "core/regex.h"
#include "core/time.h"
#include "support/api.h"
#include "support/assets.h"
#include "stream/failures.h"

#define MAX_PARAMS 16
#define MAX_VALUE 1024              /* bytes of one parameter's value */
#define MAX_RING_BYTES (64u << 20)  /* stored lines held for one page */
#define EVENT_MAX 20                /* events shown for one id */
#define SAME_SUBJECT_MAX 200        /* same-subject events listed with an event */
#define JSON_TYPE "application/json; charset=utf-8"

enum param { P_ID, P_SUBJECT, P_TYPE, P_SOURCE, P_SINCE, P_UNTIL, P_TEXT, P_REGEX, P_LIMIT, P_OFFSET, NPARAMS };

static const char *const param_names[NPARAMS] = {
	"id", "subject", "type", "source", "since", "until", "text", "regex", "limit", "offset",
};

/* The CLI option each search parameter is. */
static const char *const param_options[P_LIMIT] = {
	"--id", "--subject", "--type", "--source", "--since", "--until", "--grep", "--regex",
};

struct call {
	struct hub_support_api *api;
	const struct hub_http_request *req;
	struct hub_http_reply *rep;
	unsigned allowed;              /* bit per enum param */
	const char *value[NPARAMS];    /* NULL: not given (or given empty) */
	int nparams;
	char problem[MAX_VALUE + 256];
};

static void security_headers(struct hub_http_reply *rep, const char *csp)
{
	rep->headers[0].name = "X-Content-Type-Options";
	rep->headers[0].value = "nosniff";
	rep->headers[1].name = "Content-Security-Policy";
	rep->headers[1].value = csp;
	rep->headers[2].name = "Referrer-Policy";
	rep->headers[2].value = "no-referrer";
	rep->headers[3].name = "Cache-Control";
	rep->headers[3].value = "no-store";
}

static void error(struct hub_http_reply *rep, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void error(struct hub_http_reply *rep, int status, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rep->status = status;
	rep->content_type = JSON_TYPE;
	security_headers(rep, "default-src 'none'");
	hub_buf_reset(&rep->body);
	hub_buf_addf(&rep->body, "{\"status\":%d,\"error\":", status);
	hub_buf_json_string(&rep->body, msg, strlen(msg));
	hub_buf_adds(&rep->body, "}\n");
}

void hub_support_api_error(void *ctx, int status, const char *message, struct hub_http_reply *rep)
{
	error(rep, status, "%s", message);
}

static int on_param(void *ctx, const char *key, const char *value, size_t len)
{
	struct call *c = ctx;
	int p;

	if (++c->nparams > MAX_PARAMS) {
		snprintf(c->problem, sizeof(c->problem), "more than %d query parameters", MAX_PARAMS);
		return -1;
	}
	for (p = 0; p < NPARAMS; p++)
		if ((c->allowed >> p & 1) && strcmp(key, param_names[p]) == 0)
			break;
	if (p == NPARAMS) {
		struct hub_buf known = { 0 };

		for (int i = 0; i < NPARAMS; i++)
			if (c->allowed >> i & 1)
				hub_buf_addf(&known, "%s%s", known.len ? ", " : "", param_names[i]);
		snprintf(c->problem, sizeof(c->problem), "unknown query parameter '%.64s%s' (this path takes: %s)",
		         hub_is_utf8(key, strlen(key)) ? key : "?", strlen(key) > 64 ? "..." : "",
		         hub_buf_cstr(&known));
		hub_buf_free(&known);
		return -1;
	}
	if (len > MAX_VALUE || strlen(value) != len || !hub_is_utf8(value, len)) {
		snprintf(c->problem, sizeof(c->problem), "query parameter '%s': %s", key,
		         len > MAX_VALUE ? "longer than 1024 bytes" :
		         strlen(value) != len ? "holds a NUL byte" : "not UTF-8");
		return -1;
	}
	if (c->value[p]) {
		snprintf(c->problem, sizeof(c->problem), "query parameter '%s' given twice", key);
		return -1;
	}
	c->value[p] = len ? value : NULL;
	if (!len)   /* an empty form field is no criterion, but still counts once */
		c->value[p] = NULL;
	return 0;
}

/* Reads the query string; 0, or -1 having answered 400. */
static int read_params(struct call *c, unsigned allowed)
{
	c->allowed = allowed;
	if (hub_http_query_each(c->req, on_param, c) != 0) {
		error(c->rep, 400, "%s", c->problem);
		return -1;
	}
	return 0;
}

/* A number parameter in [lo, hi], else def; -1 having answered 400. */
static int number_param(struct call *c, enum param p, long lo, long hi, long def, long *out)
{
	const char *v = c->value[p];
	char *end;
	long n;

	*out = def;
	if (!v)
		return 0;
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || n < lo || n > hi) {
		error(c->rep, 400, "%s '%s': expected a whole number from %ld to %ld", param_names[p], v, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

/* An argument as a POSIX shell reads it back: bare when plain, else in
 * single quotes. */
static void shell_word(struct hub_buf *b, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-") == strlen(s)) {
		hub_buf_adds(b, s);
		return;
	}
	hub_buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			hub_buf_adds(b, "'\\''");
		else
			hub_buf_addc(b, *s);
	}
	hub_buf_addc(b, '\'');
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The query from the parameters, and the command line that asks the same
 * (cmd: "find", "trace", "show"); 0, or -1 having answered 400. The
 * regex is the caller's to free. */
static int build_query(struct call *c, const char *cmd, struct hub_query *q, struct hub_buf *line)
{
	int64_t now = hub_time_now_ms();

	memset(q, 0, sizeof(*q));
	q->since = INT64_MIN;
	q->until = INT64_MAX;
	q->id = c->value[P_ID];
	q->subject = c->value[P_SUBJECT];
	q->type = c->value[P_TYPE];
	q->source = c->value[P_SOURCE];
	q->text = c->value[P_TEXT];
	for (int p = P_SINCE; p <= P_UNTIL; p++) {
		if (c->value[p] && hub_when_parse(c->value[p], now, p == P_SINCE ? &q->since : &q->until) != 0) {
			error(c->rep, 400, "%s '%s': expected a time: RFC 3339 (2026-03-01T08:00:00Z), a date "
			      "(2026-03-01), an age (90m, 2h, 7d) or Unix milliseconds", param_names[p], c->value[p]);
			return -1;
		}
	}
	if (c->value[P_REGEX]) {
		char msg[300];

		if (!(q->regex = hub_regex_new(c->value[P_REGEX], msg, sizeof(msg)))) {
			error(c->rep, 400, "regex '%s': %s", c->value[P_REGEX], msg);
			return -1;
		}
	}
	hub_buf_adds(line, "hub-archive -d ");
	shell_word(line, c->api->dir);
	hub_buf_addf(line, " %s", cmd);
	for (int p = 0; p < P_LIMIT; p++) {
		if (!c->value[p])
			continue;
		if ((strcmp(cmd, "trace") == 0 && p == P_SUBJECT) || (strcmp(cmd, "show") == 0 && p == P_ID))
			continue;
		hub_buf_addf(line, " %s ", param_options[p]);
		shell_word(line, c->value[p]);
	}
	if (strcmp(cmd, "trace") == 0) {
		hub_buf_addc(line, ' ');
		shell_word(line, q->subject);
	} else if (strcmp(cmd, "show") == 0) {
		hub_buf_addc(line, ' ');
		shell_word(line, q->id);
	}
	q->deadline = monotonic_ms() + (c->api->timeout_ms > 0 ? c->api->timeout_ms : 10000);
	return 0;
}

/* A span as JSON: as stored (it is valid JSON), or null when absent. */
static void span_json(struct hub_buf *b, const struct hub_span *v)
{
	if (v->type == HUB_JSON_NONE)
		hub_buf_adds(b, "null");
	else
		hub_buf_add(b, v->p, v->len);
}

/* One result as a row of the table: the columns of the trace table plus
 * subject, and where the line is kept. */
static void row(struct hub_buf *b, const struct hub_arec *r, const char *segment, int compressed, uint64_t offset)
{
	hub_buf_adds(b, "{\"time\":");
	if (r->has_time) {
		char ts[40];

		hub_time_format(r->time_ms, ts, sizeof(ts));
		hub_buf_addf(b, "\"%s\",\"time_ms\":", ts);
		hub_buf_add_int(b, r->time_ms);
	} else {
		span_json(b, &r->time);
		hub_buf_adds(b, ",\"time_ms\":null");
	}
	hub_buf_adds(b, ",\"type\":");
	span_json(b, &r->type);
	hub_buf_adds(b, ",\"source\":");
	span_json(b, &r->source);
	hub_buf_adds(b, ",\"subject\":");
	span_json(b, &r->subject);
	hub_buf_adds(b, ",\"id\":");
	span_json(b, &r->id);
	hub_buf_adds(b, ",\"topic\":");
	span_json(b, &r->topic);
	hub_buf_adds(b, ",\"partition\":");
	span_json(b, &r->partition);
	hub_buf_adds(b, ",\"offset\":");
	span_json(b, &r->offset);
	hub_buf_adds(b, ",\"archive\":{\"segment\":");
	{
		struct hub_buf path = { 0 };

		hub_buf_addf(&path, "%s.ndjson%s", segment, compressed ? ".zst" : "");
		hub_buf_json_string(b, path.data, path.len);
		hub_buf_free(&path);
	}
	hub_buf_addf(b, ",\"offset\":%llu}}", (unsigned long long)offset);
}

/* A copy of one result, kept until the search is over. */
struct kept {
	char *line;
	size_t len, cap;
	char *segment;
	int compressed;
	uint64_t offset;
};

/* The last size results of a search (all of them when size is 0 and
 * first is set: the first `first` are kept, the rest counted). */
struct ring {
	struct kept *k;
	size_t size;                   /* slots */
	int keep_first;                /* keep the first size results, not the last */
	uint64_t n;                    /* results seen */
	size_t bytes;                  /* of the lines held */
	int too_big;
};

static void ring_init(struct ring *r, size_t size, int keep_first)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->keep_first = keep_first;
	r->k = hub_xcalloc(size ? size : 1, sizeof(*r->k));
}

static void ring_free(struct ring *r)
{
	for (size_t i = 0; i < r->size; i++) {
		free(r->k[i].line);
		free(r->k[i].segment);
	}
	free(r->k);
}

static int on_hit(void *ctx, const struct hub_hit *h)
{
	struct ring *r = ctx;
	struct kept *k;

	if (r->keep_first && r->n >= r->size) {
		r->n++;
		return 0;
	}
	k = &r->k[r->n++ % r->size];
	r->bytes -= k->cap;
	if (k->cap < h->len + 1) {
		k->cap = h->len + 1;
		k->line = hub_xrealloc(k->line, k->cap);
	}
	r->bytes += k->cap;
	memcpy(k->line, h->line, h->len);
	k->line[h->len] = '\0';
	k->len = h->len;
	if (!k->segment || strcmp(k->segment, h->segment) != 0) {
		free(k->segment);
		k->segment = hub_xstrdup(h->segment);
	}
	k->compressed = h->compressed;
	k->offset = h->offset;
	if (r->bytes > MAX_RING_BYTES) {
		r->too_big = 1;
		return 1;
	}
	return 0;
}

/* Runs q into ring; 0, or -1 having answered the error. */
static int run(struct call *c, const struct hub_query *q, struct ring *r)
{
	char err[512];
	int rc = hub_archive_find(c->api->dir, q, on_hit, r, NULL, err, sizeof(err));

	if (rc == -2) {
		char took[48];

		hub_duration_format(c->api->timeout_ms > 0 ? c->api->timeout_ms : 10000, took, sizeof(took));
		error(c->rep, 503, "the search took longer than %s and was stopped: narrow it (an id, a "
		      "subject, a type, a shorter time range)", took);
		return -1;
	}
	if (rc != 0) {
		hub_err("%s: %s", c->api->dir, err);
		error(c->rep, 500, "the archive could not be read: %s", err);
		return -1;
	}
	if (r->too_big) {
		error(c->rep, 400, "the events up to this page are over %u MiB: ask for an earlier page or "
		      "narrow the search", MAX_RING_BYTES >> 20);
		return -1;
	}
	return 0;
}

/* Appends the kept result i as a row (re-read from its copy). */
static void kept_row(struct hub_buf *b, struct hub_arec_parser *parser, const struct kept *k, int64_t *time_ms)
{
	struct hub_arec rec;
	const char *why;

	if (hub_arec_parse(parser, k->line, k->len, &rec, &why) != 0) {
		hub_buf_adds(b, "null");   /* it parsed when it was found */
		return;
	}
	row(b, &rec, k->segment, k->compressed, k->offset);
	if (time_ms)
		*time_ms = rec.has_time ? rec.time_ms : INT64_MIN;
}

static void json_member_string(struct hub_buf *b, const char *name, const char *s)
{
	hub_buf_addf(b, "\"%s\":", name);
	if (s)
		hub_buf_json_string(b, s, strlen(s));
	else
		hub_buf_adds(b, "null");
}

/* ,"failures":{...}: the records of the failure store for this id or
 * subject, and the hub-failures command that lists them. */
static void failures(struct hub_buf *b, struct call *c, const char *option, const char *value)
{
	struct hub_failure_query fq = { .since = INT64_MIN, .until = INT64_MAX };
	struct hub_buf cmd = { 0 };

	if (!c->api->failstore)
		return;
	if (strcmp(option, "--id") == 0)
		fq.id = value;
	else
		fq.subject = value;
	hub_buf_adds(&cmd, "hub-failures --dlq ");
	shell_word(&cmd, c->api->failstore);
	hub_buf_addf(&cmd, " %s ", option);
	shell_word(&cmd, value);
	hub_buf_addf(b, ",\"failures\":{\"count\":%llu,", (unsigned long long)hub_failures_count(c->api->failstore, &fq));
	json_member_string(b, "store", c->api->failstore);
	hub_buf_addc(b, ',');
	json_member_string(b, "command", hub_buf_cstr(&cmd));
	hub_buf_addc(b, '}');
	hub_buf_free(&cmd);
}

static void reply_json(struct call *c)
{
	c->rep->status = 200;
	c->rep->content_type = JSON_TYPE;
	security_headers(c->rep, "default-src 'none'");
}

static void search(struct call *c)
{
	struct hub_query q;
	struct hub_buf line = { 0 }, *b = &c->rep->body;
	struct ring r;
	long limit, offset;
	struct hub_arec_parser *parser;

	if (read_params(c, (1u << NPARAMS) - 1) != 0 ||
	    number_param(c, P_LIMIT, 1, HUB_SUPPORT_MAX_LIMIT, 50, &limit) != 0 ||
	    number_param(c, P_OFFSET, 0, HUB_SUPPORT_MAX_OFFSET, 0, &offset) != 0)
		return;
	if (build_query(c, "find", &q, &line) != 0)
		goto out;
	ring_init(&r, (size_t)(limit + offset), 0);
	if (run(c, &q, &r) == 0) {
		reply_json(c);
		hub_buf_addf(b, "{\"count\":%llu,\"offset\":%ld,\"limit\":%ld,\"more\":%s,",
		             (unsigned long long)r.n, offset, limit, r.n > (uint64_t)(offset + limit) ? "true" : "false");
		json_member_string(b, "command", hub_buf_cstr(&line));
		hub_buf_adds(b, ",\"results\":[");
		parser = hub_arec_parser_new();
		for (long i = 0; i < limit && (uint64_t)(offset + i) < r.n; i++) {
			uint64_t at = r.n - 1 - (uint64_t)(offset + i);

			if (i)
				hub_buf_addc(b, ',');
			kept_row(b, parser, &r.k[at % r.size], NULL);
		}
		hub_arec_parser_free(parser);
		hub_buf_adds(b, "]}\n");
	}
	ring_free(&r);
out:
	hub_regex_free(q.regex);
	hub_buf_free(&line);
}

/* The rows of ring (results in time order, the first ones kept), each
 * with the time since the one before. */
static void timeline_rows(struct hub_buf *b, struct ring *r)
{
	struct hub_arec_parser *parser = hub_arec_parser_new();
	int64_t prev = INT64_MIN, t;
	uint64_t n = r->n < r->size ? r->n : r->size;

	hub_buf_addf(b, "\"count\":%llu,\"truncated\":%s,\"results\":[", (unsigned long long)r->n,
	             r->n > r->size ? "true" : "false");
	for (uint64_t i = 0; i < n; i++) {
		if (i)
			hub_buf_addc(b, ',');
		t = INT64_MIN;
		kept_row(b, parser, &r->k[i], &t);
		if (b->len && b->data[b->len - 1] == '}') {
			/* the row's object, one more member */
			b->len--;
			if (prev != INT64_MIN && t != INT64_MIN)
				hub_buf_addf(b, ",\"since_previous_ms\":%lld}", (long long)(t - prev));
			else
				hub_buf_adds(b, ",\"since_previous_ms\":null}");
		}
		if (t != INT64_MIN)
			prev = t;
	}
	hub_buf_adds(b, "]");
	hub_arec_parser_free(parser);
}

static void timeline(struct call *c)
{
	struct hub_query q;
	struct hub_buf line = { 0 }, *b = &c->rep->body;
	struct ring r;
	long limit;

	if (read_params(c, 1u << P_SUBJECT | 1u << P_SINCE | 1u << P_UNTIL | 1u << P_LIMIT) != 0 ||
	    number_param(c, P_LIMIT, 1, HUB_SUPPORT_MAX_TIMELINE, HUB_SUPPORT_MAX_TIMELINE, &limit) != 0)
		return;
	if (!c->value[P_SUBJECT]) {
		error(c->rep, 400, "a subject is required: /api/timeline?subject=S");
		return;
	}
	if (build_query(c, "trace", &q, &line) != 0)
		goto out;
	ring_init(&r, (size_t)limit, 1);
	if (run(c, &q, &r) == 0) {
		if (r.n == 0) {
			error(c->rep, 404, "no event with subject '%s' in %s", q.subject, c->api->dir);
		} else {
			reply_json(c);
			hub_buf_adds(b, "{");
			json_member_string(b, "subject", q.subject);
			hub_buf_addc(b, ',');
			json_member_string(b, "command", hub_buf_cstr(&line));
			hub_buf_addc(b, ',');
			timeline_rows(b, &r);
			failures(b, c, "--subject", q.subject);
			hub_buf_adds(b, "}\n");
		}
	}
	ring_free(&r);
out:
	hub_regex_free(q.regex);
	hub_buf_free(&line);
}

static void event(struct call *c)
{
	struct hub_query q, sq;
	struct hub_buf line = { 0 }, trace = { 0 }, show = { 0 }, subject = { 0 }, *b = &c->rep->body;
	struct hub_arec_parser *parser = NULL;
	struct ring r, same;
	int have_same = 0;

	memset(&sq, 0, sizeof(sq));
	if (read_params(c, 1u << P_ID) != 0)
		return;
	if (!c->value[P_ID]) {
		error(c->rep, 400, "an id is required: /api/event?id=ID");
		return;
	}
	if (build_query(c, "show", &q, &line) != 0)
		return;
	ring_init(&r, EVENT_MAX, 1);
	if (run(c, &q, &r) != 0)
		goto out;
	if (r.n == 0) {
		error(c->rep, 404, "no event with id '%s' in %s", q.id, c->api->dir);
		goto out;
	}
	parser = hub_arec_parser_new();
	{
		/* the subject of the first event with this id: its neighbours */
		struct hub_arec rec;
		const char *why, *s;
		size_t n;

		if (hub_arec_parse(parser, r.k[0].line, r.k[0].len, &rec, &why) == 0 &&
		    hub_span_str(&rec.subject, &subject, &s, &n) == 0 && n && n <= MAX_VALUE && !memchr(s, 0, n)) {
			char *copy = hub_xmalloc(n + 1);

			memcpy(copy, s, n);
			copy[n] = '\0';
			hub_buf_reset(&subject);
			hub_buf_adds(&subject, copy);
			free(copy);
			sq = (struct hub_query){ .subject = hub_buf_cstr(&subject), .since = INT64_MIN,
			                         .until = INT64_MAX, .deadline = q.deadline };
			ring_init(&same, SAME_SUBJECT_MAX, 1);
			have_same = 1;
			if (run(c, &sq, &same) != 0)
				goto out;
		}
	}
	reply_json(c);
	hub_buf_adds(b, "{");
	json_member_string(b, "id", q.id);
	hub_buf_addc(b, ',');
	json_member_string(b, "command", hub_buf_cstr(&line));
	hub_buf_addf(b, ",\"count\":%llu,\"events\":[", (unsigned long long)r.n);
	for (uint64_t i = 0; i < r.n && i < r.size; i++) {
		const struct kept *k = &r.k[i];
		struct hub_arec rec;
		const char *why;
		struct hub_hit hit = { k->line, k->len, &rec, k->segment, k->compressed, k->offset };

		if (hub_arec_parse(parser, k->line, k->len, &rec, &why) != 0)
			continue;
		if (i)
			hub_buf_addc(b, ',');
		hub_buf_adds(b, "{\"row\":");
		row(b, &rec, k->segment, k->compressed, k->offset);
		hub_buf_reset(&show);
		hub_show_format(&show, &hit);
		/* the show form as an object and as the text the command prints */
		hub_buf_adds(b, ",\"show\":");
		hub_buf_add(b, show.data, show.len);
		hub_buf_adds(b, ",\"text\":");
		hub_buf_json_string(b, show.data, show.len);
		hub_buf_addc(b, '}');
	}
	hub_buf_adds(b, "],\"same_subject\":");
	if (have_same) {
		hub_buf_adds(b, "{");
		json_member_string(b, "subject", sq.subject);
		hub_buf_adds(&trace, "hub-archive -d ");
		shell_word(&trace, c->api->dir);
		hub_buf_adds(&trace, " trace ");
		shell_word(&trace, sq.subject);
		hub_buf_addc(b, ',');
		json_member_string(b, "command", hub_buf_cstr(&trace));
		hub_buf_addc(b, ',');
		timeline_rows(b, &same);
		failures(b, c, "--subject", sq.subject);
		hub_buf_adds(b, "}");
	} else {
		hub_buf_adds(b, "null");
	}
	failures(b, c, "--id", q.id);
	hub_buf_adds(b, "}\n");
out:
	if (have_same)
		ring_free(&same);
	ring_free(&r);
	hub_arec_parser_free(parser);
	hub_buf_free(&line);
	hub_buf_free(&trace);
	hub_buf_free(&show);
	hub_buf_free(&subject);
}

/* The page's files; "/" is the page. */
static int asset(struct call *c)
{
	const char *path = c->req->path;

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	else if (strcmp(path, "/api/openapi.yaml") == 0)
		path = "/archive-api.yaml";
	else if (strcmp(path, "/index.html") == 0 || strcmp(path, "/archive-api.yaml") == 0)
		return 0;   /* one address each */
	for (const struct hub_asset *a = hub_assets; a->path; a++) {
		if (strcmp(a->path, path) != 0)
			continue;
		/* the page takes its search from the query string; the files nothing */
		if (strcmp(path, "/index.html") != 0 && read_params(c, 0) != 0)
			return 1;
		c->rep->status = 200;
		c->rep->content_type = a->content_type;
		security_headers(c->rep, "default-src 'self'; img-src 'self' data:; form-action 'self'; "
		                 "frame-ancestors 'none'; base-uri 'none'");
		c->rep->headers[3].value = "no-cache";
		hub_buf_add(&c->rep->body, a->data, a->len);
		return 1;
	}
	return 0;
}

void hub_support_api_handle(void *ctx, const struct hub_http_request *req, struct hub_http_reply *rep)
{
	struct call c = { .api = ctx, .req = req, .rep = rep };

	if (strcmp(req->method, "GET") != 0) {
		error(rep, 405, "%s is not served: this API is read-only (GET and HEAD)", req->method);
		rep->headers[4].name = "Allow";
		rep->headers[4].value = "GET, HEAD";
		return;
	}
	if (strcmp(req->path, "/api/search") == 0)
		search(&c);
	else if (strcmp(req->path, "/api/event") == 0)
		event(&c);
	else if (strcmp(req->path, "/api/timeline") == 0)
		timeline(&c);
	else if (!asset(&c))
		error(rep, 404, "no such path: the API is /api/search, /api/event, /api/timeline "
		      "(/api/openapi.yaml describes them), the page is /");
}
