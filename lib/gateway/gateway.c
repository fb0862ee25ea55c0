/* gateway/gateway.c: one request, from its events to its answer (see
 * gateway/gateway.h).
 *
 * The handler runs on a server thread and blocks until Kafka has
 * answered for every record of the request, so the reply it builds is the
 * truth about each one. Per event it scans the structured form once for
 * the attributes it needs (specversion, id, source, type, the key, the
 * --topic-from fields); the bytes sent are the bytes received. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "gateway/events.h"
#include "gateway/gateway.h"
#include "json/path.h"
#include "json/scan.h"
#include "kafka/client.h"

enum { P_SPECVERSION, P_ID, P_SOURCE, P_TYPE, P_FIXED };

struct piece {                  /* --topic-from: a literal, then a path (or -1) */
	char *literal;
	int path;
};

struct hub_gateway {
	struct hub_gateway_opts o;
	struct hub_path paths[HUB_JSON_MAX_PATHS];
	int npaths;
	int key_path;               /* index in paths, or -1 */
	struct piece *pieces;
	int npieces;
	pthread_mutex_t store_mu;   /* the failure store is one writer */
	uint64_t delivered, failed; /* atomic */
};

/* One event of a request, on its way. */
struct item {
	int status;                 /* 0 while fine so far; then the HTTP status */
	char why[400];
	struct hub_buf id, type, source, topic, key, names;
	int has_key;
	struct hub_gw_header *headers;
	int rec;                    /* index in the request's records, or -1 */
};

static int add_path(struct hub_gateway *g, const char *text, struct hub_error *e)
{
	char why[200];

	if (g->npaths == HUB_JSON_MAX_PATHS)
		return hub_fail(e, HUB_EXIT_USAGE, "too many field paths (at most %d)", HUB_JSON_MAX_PATHS);
	if (hub_path_parse(text, &g->paths[g->npaths], why, sizeof(why)) < 0)
		return hub_fail(e, HUB_EXIT_USAGE, "'%s': %s", text, why);
	return g->npaths++;
}

/* "retail.{type}" into pieces; a bare path is one piece. */
static int parse_topic_from(struct hub_gateway *g, const char *spec, struct hub_error *e)
{
	const char *s = spec;

	if (!strchr(spec, '{')) {
		g->pieces = hub_xcalloc(1, sizeof(*g->pieces));
		g->pieces[0].literal = hub_xstrdup("");
		g->npieces = 1;
		return (g->pieces[0].path = add_path(g, spec, e)) < 0 ? -1 : 0;
	}
	while (*s) {
		const char *open = strchr(s, '{'), *close;
		char *path;
		int at;

		g->pieces = hub_xrealloc(g->pieces, sizeof(*g->pieces) * (size_t)(g->npieces + 1));
		if (!open) {
			g->pieces[g->npieces].literal = hub_xstrdup(s);
			g->pieces[g->npieces++].path = -1;
			break;
		}
		close = strchr(open, '}');
		if (!close || close == open + 1)
			return hub_fail(e, HUB_EXIT_USAGE, "--topic-from '%s': expected {field.path}", spec);
		g->pieces[g->npieces].literal = hub_xstrndup(s, (size_t)(open - s));
		g->pieces[g->npieces].path = -1;
		g->npieces++;
		path = hub_xstrndup(open + 1, (size_t)(close - open - 1));
		at = add_path(g, path, e);
		free(path);
		if (at < 0)
			return -1;
		g->pieces[g->npieces - 1].path = at;
		s = close + 1;
	}
	return 0;
}

struct hub_gateway *hub_gateway_new(const struct hub_gateway_opts *o, struct hub_error *e)
{
	static const char *const fixed[P_FIXED] = { "specversion", "id", "source", "type" };
	struct hub_gateway *g = hub_xcalloc(1, sizeof(*g));
	const char *key = o->key_path ? o->key_path : "partitionkey";

	g->o = *o;
	pthread_mutex_init(&g->store_mu, NULL);
	for (int i = 0; i < P_FIXED; i++)
		add_path(g, fixed[i], e);
	g->key_path = -1;
	if (*key && (g->key_path = add_path(g, key, e)) < 0) {
		hub_fail_prefix(e, "-k ");
		goto fail;
	}
	if (o->topic_from && parse_topic_from(g, o->topic_from, e) < 0)
		goto fail;
	return g;
fail:
	hub_gateway_free(g);
	return NULL;
}

void hub_gateway_free(struct hub_gateway *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->npaths; i++)
		hub_path_free(&g->paths[i]);
	for (int i = 0; i < g->npieces; i++)
		free(g->pieces[i].literal);
	free(g->pieces);
	pthread_mutex_destroy(&g->store_mu);
	free(g);
}

void hub_gateway_set_sender(struct hub_gateway *g, struct hub_gw_sender *s)
{
	g->o.sender = s;
}

uint64_t hub_gateway_delivered(const struct hub_gateway *g)
{
	return __atomic_load_n(&g->delivered, __ATOMIC_RELAXED);
}

uint64_t hub_gateway_failed(const struct hub_gateway *g)
{
	return __atomic_load_n(&g->failed, __ATOMIC_RELAXED);
}

static const char *client_name(const struct hub_http_request *req)
{
	const struct hub_gw_client *c = req->client;

	return c ? c->name : "anonymous";
}

/* ---- access ---- */

const char *hub_gateway_auth(void *ctx, const struct hub_http_request *req, void **client, char *why,
                             size_t len)
{
	struct hub_gateway *g = ctx;
	const char *authz = hub_http_header(req, "Authorization");
	const struct hub_gw_client *c;
	char cn[256];

	if (!g->o.clients)
		return NULL;
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7) != 0)
			return "Authorization: expected 'Bearer TOKEN'";
		authz += 7;
		authz += strspn(authz, " ");
		if (!(c = hub_gw_clients_by_token(g->o.clients, authz, strlen(authz))))
			return "the bearer token is not one of this gateway's clients";
		*client = (void *)c;
		return NULL;
	}
	if (hub_http_client_cert_name(req, cn, sizeof(cn)) == 0) {
		if (!(c = hub_gw_clients_by_cert(g->o.clients, cn))) {
			snprintf(why, len, "the client certificate's name '%s' is not one of this gateway's clients", cn);
			return why;
		}
		*client = (void *)c;
		return NULL;
	}
	return "credentials are required: Authorization: Bearer TOKEN, or a client certificate";
}

/* ---- answers ---- */

static void json_error(struct hub_buf *out, int status, const char *message, long position)
{
	hub_buf_addf(out, "{\"status\":%d,\"error\":", status);
	hub_buf_json_string(out, message, strlen(message));
	if (position >= 0)
		hub_buf_addf(out, ",\"position\":%ld", position);
	hub_buf_addc(out, '}');
}

void hub_gateway_refusal(void *ctx, int status, const char *message, struct hub_http_reply *rep)
{
	rep->status = status;
	rep->content_type = "application/json";
	json_error(&rep->body, status, message, -1);
	hub_buf_addc(&rep->body, '\n');
}

static void store(struct hub_gateway *g, const struct hub_http_request *req, const char *reason, uint64_t n,
                  const char *event, size_t len, int is_json, int status, const char *topic)
{
	struct hub_buf extra = { 0 };
	const char *name = client_name(req);

	hub_buf_adds(&extra, "\"client\":");
	hub_buf_json_string(&extra, name, strlen(name));
	hub_buf_addf(&extra, ",\"status\":%d", status);
	if (topic && *topic) {
		hub_buf_adds(&extra, ",\"topic\":");
		hub_buf_json_string(&extra, topic, strlen(topic));
	}
	pthread_mutex_lock(&g->store_mu);
	hub_failstore_add(g->o.failstore, reason, n, event, len, is_json, hub_buf_cstr(&extra));
	pthread_mutex_unlock(&g->store_mu);
	__atomic_add_fetch(&g->failed, 1, __ATOMIC_RELAXED);
	hub_buf_free(&extra);
}

/* ---- one event ---- */

static int fail_item(struct item *it, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail_item(struct item *it, int status, const char *fmt, ...)
{
	va_list ap;

	it->status = status;
	va_start(ap, fmt);
	vsnprintf(it->why, sizeof(it->why), fmt, ap);
	va_end(ap);
	return -1;
}

static int required(struct item *it, const struct hub_span *v, const char *name, struct hub_buf *out)
{
	if (v->type != HUB_JSON_STRING || hub_json_span_text(v, out) < 0 || out->len == 0)
		return fail_item(it, 400, "the required attribute '%s' is %s, not a non-empty string", name,
		                 v->type == HUB_JSON_STRING ? "empty" : hub_json_type_name(v->type));
	hub_buf_cstr(out);
	return 0;
}

static int render_topic(struct hub_gateway *g, struct item *it, const struct hub_span *found)
{
	if (g->o.topic) {
		hub_buf_adds(&it->topic, g->o.topic);
		hub_buf_cstr(&it->topic);
		return 0;
	}
	for (int i = 0; i < g->npieces; i++) {
		const struct hub_span *v;

		hub_buf_adds(&it->topic, g->pieces[i].literal);
		if (g->pieces[i].path < 0)
			continue;
		v = &found[g->pieces[i].path];
		if (v->type == HUB_JSON_NONE || v->type == HUB_JSON_NULL || hub_json_span_text(v, &it->topic) < 0) {
			hub_buf_reset(&it->topic);   /* no topic: the event has none */
			return fail_item(it, 400, "--topic-from: field '%s' is %s, not a string",
			                 g->paths[g->pieces[i].path].text, hub_json_type_name(v->type));
		}
	}
	if (!hub_kafka_topic_valid(it->topic.data, it->topic.len)) {
		fail_item(it, 400, "--topic-from: '%.200s' is not a valid Kafka topic name (letters, digits, "
		          "'.', '_', '-'; at most 249)", hub_buf_cstr(&it->topic));
		hub_buf_reset(&it->topic);
		return -1;
	}
	hub_buf_cstr(&it->topic);
	return 0;
}

/* Checks and routes event ev into it: 0, or -1 with it->status set. */
static int prepare(struct hub_gateway *g, struct hub_json *js, const struct hub_http_request *req,
                   const struct hub_gw_event *ev, struct item *it)
{
	struct hub_span found[HUB_JSON_MAX_PATHS];
	enum hub_json_type top;
	const struct hub_gw_client *c = req->client;

	if (hub_json_scan(js, ev->json, ev->len, found, &top) < 0)
		return fail_item(it, 400, "not JSON: %s", hub_json_error(js));
	if (top != HUB_JSON_OBJECT)
		return fail_item(it, 400, "an event is a JSON object, not %s", hub_json_type_name(top));
	if (found[P_ID].type == HUB_JSON_STRING)
		hub_json_span_text(&found[P_ID], &it->id);
	if (required(it, &found[P_SPECVERSION], "specversion", &it->type) < 0)
		return -1;
	if (strcmp(it->type.data, "1.0") != 0)
		return fail_item(it, 400, "specversion '%.40s': this gateway takes CloudEvents 1.0", it->type.data);
	hub_buf_reset(&it->type);
	if (required(it, &found[P_ID], "id", &it->key) < 0 || required(it, &found[P_SOURCE], "source", &it->source) < 0 ||
	    required(it, &found[P_TYPE], "type", &it->type) < 0)
		return -1;
	hub_buf_reset(&it->key);
	if (g->key_path >= 0) {
		const struct hub_span *k = &found[g->key_path];

		if (k->type == HUB_JSON_OBJECT || k->type == HUB_JSON_ARRAY)
			return fail_item(it, 400, "the key field '%s' is %s, not a scalar", g->paths[g->key_path].text,
			                 hub_json_type_name(k->type));
		if (k->type != HUB_JSON_NONE && k->type != HUB_JSON_NULL) {
			hub_json_span_text(k, &it->key);
			hub_buf_cstr(&it->key);
			it->has_key = 1;
		}
	}
	if (render_topic(g, it, found) < 0)
		return -1;
	if (!hub_gw_client_allows(c, HUB_GW_TYPE, it->type.data))
		return fail_item(it, 403, "client %s may not send events of type '%.200s'", c->name, it->type.data);
	if (!hub_gw_client_allows(c, HUB_GW_SOURCE, it->source.data))
		return fail_item(it, 403, "client %s may not send events of source '%.200s'", c->name, it->source.data);
	if (!hub_gw_client_allows(c, HUB_GW_TOPIC, it->topic.data))
		return fail_item(it, 403, "client %s may not send to topic '%.200s'", c->name, it->topic.data);
	return 0;
}

/* The Kafka binding's binary mode: ce_ headers, the value is the data. */
static void binary_record(const struct hub_gw_event *ev, struct item *it, struct hub_gw_record *r)
{
	size_t at = 0;
	int n = 0;

	it->headers = hub_xcalloc((size_t)ev->nattrs + 1, sizeof(*it->headers));
	for (int a = 0; a < ev->nattrs; a++)
		hub_buf_addf(&it->names, "ce_%s%c", ev->attrs[a].name, '\0');
	for (int a = 0; a < ev->nattrs; a++) {
		it->headers[n].name = it->names.data + at;
		at += strlen(it->names.data + at) + 1;
		it->headers[n].value = ev->attrs[a].value;
		it->headers[n++].len = strlen(ev->attrs[a].value);
	}
	if (ev->content_type) {
		it->headers[n].name = "content-type";
		it->headers[n].value = ev->content_type;
		it->headers[n++].len = strlen(ev->content_type);
	}
	r->headers = it->headers;
	r->nheaders = n;
	r->value = ev->data;
	r->vlen = ev->data_len;
}

static void result_json(struct hub_buf *out, const struct item *it, const struct hub_gw_record *r)
{
	hub_buf_addc(out, '{');
	if (it->id.len) {
		hub_buf_adds(out, "\"id\":");
		hub_buf_json_string(out, it->id.data, it->id.len);
		hub_buf_addc(out, ',');
	}
	hub_buf_addf(out, "\"status\":%d", it->status);
	if (it->topic.len) {
		hub_buf_adds(out, ",\"topic\":");
		hub_buf_json_string(out, it->topic.data, it->topic.len);
	}
	if (it->status == 200)
		hub_buf_addf(out, ",\"partition\":%d,\"offset\":%lld", (int)r->partition, (long long)r->offset);
	else {
		hub_buf_adds(out, ",\"error\":");
		hub_buf_json_string(out, it->why, strlen(it->why));
	}
	hub_buf_addc(out, '}');
}

static void ingest(struct hub_gateway *g, const struct hub_http_request *req, struct hub_http_reply *rep)
{
	struct hub_gw_input in;
	struct item *items;
	struct hub_gw_record *recs;
	struct hub_json *js;
	int nrecs = 0, ok = 0, first = 0, same = 1;

	rep->content_type = "application/json";
	if (hub_gw_parse(req, &in) < 0) {
		rep->status = in.status;
		json_error(&rep->body, in.status, in.message, in.position);
		hub_buf_addc(&rep->body, '\n');
		if (in.status == 400)
			store(g, req, in.message, 0, req->body, req->body_len, 0, 400, NULL);
		hub_gw_input_free(&in);
		return;
	}
	items = hub_xcalloc((size_t)in.n + 1, sizeof(*items));
	recs = hub_xcalloc((size_t)in.n + 1, sizeof(*recs));
	js = hub_json_new();
	hub_json_set_paths(js, g->paths, g->npaths);
	for (int i = 0; i < in.n; i++) {
		struct item *it = &items[i];
		struct hub_gw_record *r;

		it->rec = -1;
		if (prepare(g, js, req, &in.ev[i], it) < 0)
			continue;
		if (!hub_gw_sender_up(g->o.sender)) {
			fail_item(it, 503, "Kafka is unreachable: send again later");
			continue;
		}
		it->rec = nrecs;
		r = &recs[nrecs++];
		r->topic = it->topic.data;
		r->key = it->has_key ? it->key.data : NULL;
		r->klen = it->key.len;
		if (in.mode == HUB_GW_BINARY && !g->o.structured) {
			binary_record(&in.ev[i], it, r);
		} else {
			r->value = in.ev[i].json;
			r->vlen = in.ev[i].len;
		}
	}
	hub_json_free(js);
	if (nrecs)
		hub_gw_send(g->o.sender, recs, nrecs);
	for (int i = 0; i < in.n; i++) {
		struct item *it = &items[i];
		const struct hub_gw_record *r = it->rec >= 0 ? &recs[it->rec] : NULL;

		if (r && r->status == 200) {
			it->status = 200;
			ok++;
		} else if (r) {
			fail_item(it, r->status, "Kafka: %s%s", rd_kafka_err2str(r->err),
			          r->status == 429 ? ": the producer queue is full, send again later"
			          : r->status == 503 ? ": send again later"
			          : r->possibly_persisted ? " (the broker may have written it)" : "");
		}
		if (it->status != 200 && it->status != 429 && it->status != 503)
			store(g, req, it->why, (uint64_t)i + 1, in.ev[i].json, in.ev[i].len, 1, it->status,
			      it->topic.len ? hub_buf_cstr(&it->topic) : NULL);
		if (i == 0)
			first = it->status;
		else if (it->status != first)
			same = 0;
	}
	__atomic_add_fetch(&g->delivered, (uint64_t)ok, __ATOMIC_RELAXED);
	rep->status = in.n == 0 ? 200 : same ? first : 207;
	if (rep->status == 429 || rep->status == 503)
		rep->retry_after = 1;
	if (in.mode == HUB_GW_BATCH) {
		hub_buf_adds(&rep->body, "{\"results\":[");
		for (int i = 0; i < in.n; i++) {
			if (i)
				hub_buf_addc(&rep->body, ',');
			result_json(&rep->body, &items[i], items[i].rec >= 0 ? &recs[items[i].rec] : NULL);
		}
		hub_buf_adds(&rep->body, "]}\n");
	} else {
		result_json(&rep->body, &items[0], items[0].rec >= 0 ? &recs[items[0].rec] : NULL);
		hub_buf_addc(&rep->body, '\n');
	}
	for (int i = 0; i < in.n; i++) {
		hub_buf_free(&items[i].id);
		hub_buf_free(&items[i].type);
		hub_buf_free(&items[i].source);
		hub_buf_free(&items[i].topic);
		hub_buf_free(&items[i].key);
		hub_buf_free(&items[i].names);
		free(items[i].headers);
	}
	free(items);
	free(recs);
	hub_gw_input_free(&in);
}

void hub_gateway_handle(void *ctx, const struct hub_http_request *req, struct hub_http_reply *rep)
{
	struct hub_gateway *g = ctx;
	int get = strcmp(req->method, "GET") == 0;

	rep->content_type = "application/json";
	if (strcmp(req->path, "/healthz") == 0 && get) {
		hub_buf_adds(&rep->body, "{\"status\":\"ok\"}\n");
	} else if (strcmp(req->path, "/readyz") == 0 && get) {
		if (hub_gw_sender_up(g->o.sender)) {
			hub_buf_adds(&rep->body, "{\"status\":\"ready\"}\n");
		} else {
			rep->status = 503;
			rep->retry_after = 1;
			hub_buf_adds(&rep->body, "{\"status\":\"not ready\",\"error\":\"no Kafka broker answers\"}\n");
		}
	} else if (strcmp(req->path, "/") == 0 && strcmp(req->method, "POST") == 0) {
		ingest(g, req, rep);
	} else if (strcmp(req->path, "/") == 0 || strcmp(req->path, "/healthz") == 0 ||
	           strcmp(req->path, "/readyz") == 0) {
		hub_gateway_refusal(g, 405, "method not allowed here: POST / takes events, GET /healthz and "
		                    "GET /readyz answer how the gateway is", rep);
	} else {
		hub_gateway_refusal(g, 404, "no such path: POST / takes events (CloudEvents HTTP binding)", rep);
	}
}
