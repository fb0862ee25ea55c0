/* registry/api.c: the routes of Confluent's Schema Registry API.
 *
 * A request takes the current snapshot (registry/served.h) and answers
 * from it alone. Success is always 200 (Confluent's Java client takes 201
 * for an error); a permanent refusal is never 408, 429 or 5xx, which
 * clients retry. Error codes are Confluent's: 40401 subject not found,
 * 40402 version not found, 40403 schema not found, 42201 invalid schema,
 * 42202 invalid version, 42205 operation not permitted (read-only). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "registry/api.h"
#include "schema/canonical.h"
#include "schema/compat.h"
#include "schema/compile.h"

#define MAX_SEGMENTS 8

struct route {
	const struct hub_http_request *req;
	struct hub_http_reply *rep;
	struct hub_served *sv;
	struct hub_registry_api *api;
	const char *seg[MAX_SEGMENTS];
	size_t seglen[MAX_SEGMENTS];
	int nseg;
};

void hub_registry_api_init(struct hub_registry_api *api, struct hub_served_holder *holder)
{
	memset(api, 0, sizeof(*api));
	api->holder = holder;
	pthread_mutex_init(&api->lock, NULL);
}

void hub_registry_api_destroy(struct hub_registry_api *api)
{
	free(api->stale);
	pthread_mutex_destroy(&api->lock);
}

void hub_registry_api_set_stale(struct hub_registry_api *api, const char *problems)
{
	char *copy = problems ? hub_xstrdup(problems) : NULL, *old;

	pthread_mutex_lock(&api->lock);
	old = api->stale;
	api->stale = copy;
	pthread_mutex_unlock(&api->lock);
	free(old);
}

static void error(struct hub_http_reply *rep, int status, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void error(struct hub_http_reply *rep, int status, int code, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rep->status = status;
	rep->content_type = HUB_REGISTRY_CONTENT_TYPE;
	hub_buf_reset(&rep->body);
	hub_buf_addf(&rep->body, "{\"error_code\":%d,\"message\":", code);
	hub_buf_json_string(&rep->body, msg, strlen(msg));
	hub_buf_adds(&rep->body, "}");
}

void hub_registry_api_error(void *ctx, int status, const char *message, struct hub_http_reply *rep)
{
	error(rep, status, status, "%s", message);
}

static void ok(struct route *r)
{
	r->rep->status = 200;
	r->rep->content_type = HUB_REGISTRY_CONTENT_TYPE;
}

static int seg_is(const struct route *r, int i, const char *word)
{
	return i < r->nseg && r->seglen[i] == strlen(word) && memcmp(r->seg[i], word, r->seglen[i]) == 0;
}

/* A segment as a printable string for messages (cut at 200 bytes). */
static const char *seg_text(const struct route *r, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)(r->seglen[i] > 200 ? 200 : r->seglen[i]), r->seg[i]);
	return buf;
}

/* Confluent's version argument: a number from 1 to 2^31-1, "latest" or
 * -1 (0 here for the latest); -1 when it is neither. */
static long parse_version(const char *s, size_t n)
{
	long v = 0;

	if ((n == 6 && memcmp(s, "latest", 6) == 0) || (n == 2 && memcmp(s, "-1", 2) == 0))
		return 0;
	if (n == 0 || n > 10 || *s == '0')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 2147483647L ? v : -1;
}

static long parse_id(const char *s, size_t n)
{
	long v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The subject segment i names; NULL with 40401 answered. */
static const struct hub_subject *subject_of(struct route *r, int i)
{
	const struct hub_subject *s = hub_served_subject(r->sv, r->seg[i], r->seglen[i]);
	char name[256];

	if (!s)
		error(r->rep, 404, 40401, "Subject '%s' not found.", seg_text(r, i, name, sizeof(name)));
	return s;
}

/* The version segment i names of subject s; NULL with 40402 or 42202
 * answered. */
static const struct hub_served_version *version_of(struct route *r, const struct hub_subject *s, int i)
{
	long v = parse_version(r->seg[i], r->seglen[i]);
	const struct hub_served_version *sv;
	char text[256];

	if (v < 0) {
		error(r->rep, 422, 42202, "The specified version '%s' is not a valid version id. Allowed values "
		      "are between [1, 2^31-1] and the string \"latest\"", seg_text(r, i, text, sizeof(text)));
		return NULL;
	}
	if (!(sv = hub_served_version(r->sv, s, (int)v)))
		error(r->rep, 404, 40402, "Version %ld not found.", v);
	return sv;
}

/* {"subject":...,"version":...,"id":...,"schema":...}: the subject as the
 * client named it. */
static void version_body(struct route *r, const struct hub_served_version *v, int subject_seg)
{
	struct hub_buf *b = &r->rep->body;

	hub_buf_adds(b, "{\"subject\":");
	hub_buf_json_string(b, r->seg[subject_seg], r->seglen[subject_seg]);
	hub_buf_addf(b, ",\"version\":%d,\"id\":%ld,\"schema\":", v->sv->version, v->sv->id);
	hub_buf_add(b, v->quoted, v->quotedlen);
	hub_buf_adds(b, "}");
}

/* The schema a POST body carries: its canonical form in canon, its text
 * in *text (owned by *root); -1 with the error answered. */
static int posted_schema(struct route *r, json_t **root, const char **text, size_t *len, struct hub_buf *canon)
{
	json_error_t je;
	json_t *schema, *type;
	struct hub_buf why = { 0 };

	*root = json_loadb(r->req->body, r->req->body_len, 0, &je);
	if (!*root) {
		error(r->rep, 400, 400, "the request body is not JSON: line %d column %d: %s", je.line, je.column,
		      je.text);
		return -1;
	}
	schema = json_object_get(*root, "schema");
	type = json_object_get(*root, "schemaType");
	if (type && (!json_is_string(type) || strcmp(json_string_value(type), "AVRO") != 0)) {
		error(r->rep, 422, 42201, "Invalid schema: hub-registry serves Avro schemas only (schemaType "
		      "\"AVRO\", or none), not %s", json_is_string(type) ? json_string_value(type) : "that");
		goto fail;
	}
	if (!json_is_string(schema)) {
		error(r->rep, 422, 42201, "Invalid schema: the request body has no \"schema\" string, as in "
		      "{\"schema\":\"{\\\"type\\\":\\\"record\\\",...}\"}");
		goto fail;
	}
	*text = json_string_value(schema);
	*len = json_string_length(schema);
	if (hub_avro_canonical(*text, *len, canon, &why) < 0) {
		error(r->rep, 422, 42201, "Invalid schema: %s", hub_buf_cstr(&why));
		goto fail;
	}
	hub_buf_free(&why);
	return 0;
fail:
	hub_buf_free(&why);
	json_decref(*root);
	*root = NULL;
	return -1;
}

/* POST /subjects/{s}: which version of s is this schema? */
static void lookup(struct route *r)
{
	const struct hub_subject *s = subject_of(r, 1);
	const struct hub_served_version *v;
	struct hub_buf canon = { 0 };
	json_t *root;
	const char *text;
	size_t len;
	char name[256];

	if (!s)
		goto out;
	if ((v = hub_served_cached(r->sv, r->seg[1], r->seglen[1], r->req->body, r->req->body_len))) {
		ok(r);
		version_body(r, v, 1);
		goto out;
	}
	if (posted_schema(r, &root, &text, &len, &canon) < 0)
		goto out;
	if (!(v = hub_served_match(r->sv, s, hub_buf_cstr(&canon))))
		error(r->rep, 404, 40403, "Schema not found: subject '%s' (%s in the registry) has no version "
		      "with this schema's canonical form", seg_text(r, 1, name, sizeof(name)), s->name);
	else {
		hub_served_remember(r->sv, r->seg[1], r->seglen[1], r->req->body, r->req->body_len, v);
		ok(r);
		version_body(r, v, 1);
	}
	json_decref(root);
out:
	hub_buf_free(&canon);
}

/* The breaking changes of a schema against s's latest version, "; "
 * between them, in out (nothing when it does not compile or breaks
 * nothing). */
static void why_new(const struct hub_subject *s, const char *text, size_t len, struct hub_buf *out)
{
	struct hub_buf errors = { 0 }, lines = { 0 };
	struct hub_schema *cand = hub_schema_compile(text, len, &errors);

	if (cand && hub_compat_check_candidate(s, cand, NULL, &lines) > 0) {
		hub_buf_adds(out, " Against the latest version it is not compatible either: ");
		for (size_t i = 0; i < lines.len; i++)
			if (lines.data[i] != '\n')
				hub_buf_addc(out, lines.data[i]);
			else if (i + 1 < lines.len)
				hub_buf_adds(out, "; ");
		hub_buf_addc(out, '.');
	}
	hub_schema_free(cand);
	hub_buf_free(&errors);
	hub_buf_free(&lines);
}

/* POST /subjects/{s}/versions: the id of a schema the registry has; a new
 * one is refused, saying where schemas come from. */
static void register_schema(struct route *r)
{
	const struct hub_subject *s;
	const struct hub_served_version *v, *elsewhere;
	struct hub_buf canon = { 0 }, why = { 0 };
	json_t *root;
	const char *text;
	size_t len;
	char name[256];

	if ((v = hub_served_cached(r->sv, r->seg[1], r->seglen[1], r->req->body, r->req->body_len))) {
		ok(r);
		hub_buf_addf(&r->rep->body, "{\"id\":%ld}", v->sv->id);
		goto out;
	}
	if (posted_schema(r, &root, &text, &len, &canon) < 0)
		goto out;
	seg_text(r, 1, name, sizeof(name));
	s = hub_served_subject(r->sv, r->seg[1], r->seglen[1]);
	if (s && (v = hub_served_match(r->sv, s, hub_buf_cstr(&canon)))) {
		hub_served_remember(r->sv, r->seg[1], r->seglen[1], r->req->body, r->req->body_len, v);
		ok(r);
		hub_buf_addf(&r->rep->body, "{\"id\":%ld}", v->sv->id);
		goto done;
	}
	elsewhere = hub_served_match_any(r->sv, hub_buf_cstr(&canon));
	if (!s && elsewhere)
		error(r->rep, 422, 42205, "Subject '%s' is not in the schema registry, which is read-only: "
		      "this schema is version %d of subject %s (id %ld); name that subject, its record "
		      "(RecordNameStrategy), or map topic to it in %s/topics", name, elsewhere->sv->version,
		      elsewhere->subject->name, elsewhere->sv->id, r->sv->reg->dir);
	else if (!s)
		error(r->rep, 422, 42205, "Subject '%s' is not in the schema registry, which is read-only: "
		      "subjects and their schemas are added by a reviewed change to the registry directory "
		      "(%s, see hub-schemas(5)), not by clients", name, r->sv->reg->dir);
	else {
		why_new(s, text, len, &why);
		error(r->rep, 422, 42205, "Subject '%s' is read-only: this schema is not one of the %d versions "
		      "of %s in the schema registry. New schemas are added by a reviewed change to the "
		      "registry directory (%s/%s/%d.avsc and its line in %s/index, see hub-schemas(5)), "
		      "not by clients.%s", name, s->nversions, s->name, r->sv->reg->dir, s->name,
		      s->nversions + 1, r->sv->reg->dir, why.data ? hub_buf_cstr(&why) : "");
	}
done:
	json_decref(root);
out:
	hub_buf_free(&canon);
	hub_buf_free(&why);
}

/* POST /compatibility/subjects/{s}/versions[/{v}] */
static void compatibility(struct route *r)
{
	const struct hub_subject *s = subject_of(r, 2);
	const struct hub_served_version *against = NULL;
	struct hub_buf canon = { 0 }, errors = { 0 }, lines = { 0 };
	struct hub_schema *cand = NULL;
	json_t *root = NULL;
	const char *text;
	size_t len;
	int breaks;

	if (!s || (r->nseg == 5 && !(against = version_of(r, s, 4))))
		goto out;
	if (posted_schema(r, &root, &text, &len, &canon) < 0)
		goto out;
	if (!(cand = hub_schema_compile(text, len, &errors))) {
		for (size_t i = 0; i + 1 < errors.len; i++)
			if (errors.data[i] == '\n')
				errors.data[i] = ';';
		error(r->rep, 422, 42201, "Invalid schema: %.*s", (int)(errors.len ? errors.len - 1 : 0),
		      errors.data ? errors.data : "");
		goto out;
	}
	breaks = hub_compat_check_candidate(s, cand, against ? against->sv : NULL, &lines);
	ok(r);
	hub_buf_addf(&r->rep->body, "{\"is_compatible\":%s", breaks ? "false" : "true");
	if (hub_http_query_bool(r->req, "verbose")) {
		int first = 1;

		hub_buf_adds(&r->rep->body, ",\"messages\":[");
		for (char *line = lines.data, *nl; line && line < lines.data + lines.len; line = nl + 1) {
			nl = memchr(line, '\n', lines.data + lines.len - line);
			if (!first)
				hub_buf_addc(&r->rep->body, ',');
			first = 0;
			hub_buf_json_string(&r->rep->body, line, nl - line);
		}
		hub_buf_adds(&r->rep->body, "]");
	}
	hub_buf_adds(&r->rep->body, "}");
out:
	hub_schema_free(cand);
	json_decref(root);
	hub_buf_free(&canon);
	hub_buf_free(&errors);
	hub_buf_free(&lines);
}

static void list_subjects(struct route *r)
{
	const char *prefix = hub_http_query(r->req, "subjectPrefix");
	struct hub_buf *b = &r->rep->body;
	int first = 1;

	ok(r);
	hub_buf_addc(b, '[');
	for (int i = 0; i < r->sv->reg->nsubjects; i++) {
		const struct hub_subject *s = &r->sv->reg->subjects[i];

		if (prefix && strncmp(s->name, prefix, strlen(prefix)) != 0)
			continue;
		if (!first)
			hub_buf_addc(b, ',');
		first = 0;
		hub_buf_json_string(b, s->name, s->namelen);
	}
	hub_buf_addc(b, ']');
}

static void subject_routes(struct route *r)
{
	const int get = strcmp(r->req->method, "GET") == 0, post = strcmp(r->req->method, "POST") == 0;
	const struct hub_subject *s;
	const struct hub_served_version *v;

	if (r->nseg == 1 && get)
		return list_subjects(r);
	if (r->nseg == 2 && post)
		return lookup(r);
	if (r->nseg == 3 && seg_is(r, 2, "versions") && post)
		return register_schema(r);
	if (!get || r->nseg == 2)
		goto not_allowed;
	if (r->nseg < 3 || !seg_is(r, 2, "versions") || r->nseg > 5 ||
	    (r->nseg == 5 && !seg_is(r, 4, "schema") && !seg_is(r, 4, "referencedby")))
		goto not_found;
	if (!(s = subject_of(r, 1)))
		return;
	if (r->nseg == 3) {
		ok(r);
		hub_buf_addc(&r->rep->body, '[');
		for (int k = 0; k < s->nversions; k++)
			hub_buf_addf(&r->rep->body, k ? ",%d" : "%d", s->versions[k].version);
		hub_buf_addc(&r->rep->body, ']');
		return;
	}
	if (!(v = version_of(r, s, 3)))
		return;
	ok(r);
	if (r->nseg == 4)
		version_body(r, v, 1);
	else if (seg_is(r, 4, "schema"))
		hub_buf_add(&r->rep->body, v->schema, v->schemalen);
	else
		hub_buf_adds(&r->rep->body, "[]");
	return;
not_allowed:
	error(r->rep, 405, 405, "HTTP 405 Method Not Allowed");
	return;
not_found:
	error(r->rep, 404, 404, "HTTP 404 Not Found");
}

static void schema_routes(struct route *r)
{
	const struct hub_served_version *v;
	struct hub_buf *b = &r->rep->body;
	char text[256];
	long id;

	if (strcmp(r->req->method, "GET") != 0) {
		error(r->rep, 405, 405, "HTTP 405 Method Not Allowed");
		return;
	}
	if (r->nseg == 2 && seg_is(r, 1, "types")) {
		ok(r);
		hub_buf_adds(b, "[\"AVRO\"]");
		return;
	}
	if (r->nseg == 1) {
		ok(r);
		hub_buf_addc(b, '[');
		for (int k = 0; k < r->sv->nversions; k++) {
			v = &r->sv->versions[k];
			hub_buf_adds(b, k ? ",{\"subject\":" : "{\"subject\":");
			hub_buf_json_string(b, v->subject->name, v->subject->namelen);
			hub_buf_addf(b, ",\"version\":%d,\"id\":%ld,\"schema\":", v->sv->version, v->sv->id);
			hub_buf_add(b, v->quoted, v->quotedlen);
			hub_buf_addc(b, '}');
		}
		hub_buf_addc(b, ']');
		return;
	}
	if (r->nseg < 3 || r->nseg > 4 || !seg_is(r, 1, "ids") ||
	    (r->nseg == 4 && !seg_is(r, 3, "schema") && !seg_is(r, 3, "subjects") && !seg_is(r, 3, "versions"))) {
		error(r->rep, 404, 404, "HTTP 404 Not Found");
		return;
	}
	id = parse_id(r->seg[2], r->seglen[2]);
	if (id < 0 || !(v = hub_served_id(r->sv, id))) {
		error(r->rep, 404, 40403, "Schema %s not found", seg_text(r, 2, text, sizeof(text)));
		return;
	}
	ok(r);
	if (r->nseg == 3) {
		hub_buf_reserve(b, v->quotedlen + 12);
		hub_buf_adds(b, "{\"schema\":");
		hub_buf_add(b, v->quoted, v->quotedlen);
		hub_buf_addc(b, '}');
	} else if (seg_is(r, 3, "schema")) {
		hub_buf_add(b, v->schema, v->schemalen);
	} else if (seg_is(r, 3, "subjects")) {
		hub_buf_addc(b, '[');
		hub_buf_json_string(b, v->subject->name, v->subject->namelen);
		hub_buf_addc(b, ']');
	} else {
		hub_buf_adds(b, "[{\"subject\":");
		hub_buf_json_string(b, v->subject->name, v->subject->namelen);
		hub_buf_addf(b, ",\"version\":%d}]", v->sv->version);
	}
}

static void config_routes(struct route *r)
{
	const struct hub_subject *s;

	if (r->nseg > 2) {
		error(r->rep, 404, 404, "HTTP 404 Not Found");
		return;
	}
	if (r->nseg == 1) {
		ok(r);
		hub_buf_addf(&r->rep->body, "{\"compatibilityLevel\":\"%s\"}", hub_compat_name(r->sv->reg->compat));
		return;
	}
	if (!(s = subject_of(r, 1)))
		return;
	ok(r);
	hub_buf_addf(&r->rep->body, "{\"compatibilityLevel\":\"%s\"}", hub_compat_name(s->compat));
}

static void health(struct route *r)
{
	ok(r);
	r->rep->content_type = "application/json";
	if (seg_is(r, 0, "healthz")) {
		hub_buf_adds(&r->rep->body, "{\"status\":\"ok\"}");
		return;
	}
	/* ready while it serves: a broken change keeps the last good registry
	 * served, and says so */
	pthread_mutex_lock(&r->api->lock);
	if (r->api->stale) {
		hub_buf_adds(&r->rep->body, "{\"status\":\"stale\",\"message\":");
		hub_buf_json_string(&r->rep->body, r->api->stale, strlen(r->api->stale));
	} else {
		hub_buf_adds(&r->rep->body, "{\"status\":\"ok\",\"message\":\"serving the registry directory\"");
	}
	pthread_mutex_unlock(&r->api->lock);
	hub_buf_addf(&r->rep->body, ",\"directory\":");
	hub_buf_json_string(&r->rep->body, r->sv->reg->dir, strlen(r->sv->reg->dir));
	hub_buf_addf(&r->rep->body, ",\"subjects\":%d,\"schemas\":%d}", r->sv->reg->nsubjects, r->sv->nversions);
}

static void dispatch(struct route *r)
{
	const char *m = r->req->method;
	const int get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;

	if (strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0 || strcmp(m, "PATCH") == 0) {
		error(r->rep, 422, 42205, "Operation not permitted: hub-registry is read-only (mode READONLY); "
		      "schemas, compatibility modes and subjects change by a reviewed change to the registry "
		      "directory %s (see hub-schemas(5))", r->sv->reg->dir);
		return;
	}
	if (!get && !post) {
		error(r->rep, 405, 405, "HTTP 405 Method Not Allowed");
		return;
	}
	if (r->nseg == 0) {
		ok(r);
		hub_buf_adds(&r->rep->body, "{}");
	} else if (seg_is(r, 0, "subjects")) {
		subject_routes(r);
	} else if (seg_is(r, 0, "schemas")) {
		schema_routes(r);
	} else if (seg_is(r, 0, "compatibility")) {
		if (!post)
			error(r->rep, 405, 405, "HTTP 405 Method Not Allowed");
		else if ((r->nseg == 4 || r->nseg == 5) && seg_is(r, 1, "subjects") && seg_is(r, 3, "versions"))
			compatibility(r);
		else
			error(r->rep, 404, 404, "HTTP 404 Not Found");
	} else if (!get) {
		error(r->rep, 405, 405, "HTTP 405 Method Not Allowed");
	} else if (seg_is(r, 0, "config")) {
		config_routes(r);
	} else if (seg_is(r, 0, "mode") && r->nseg <= 2) {
		if (r->nseg == 2 && !subject_of(r, 1))
			return;
		ok(r);
		hub_buf_adds(&r->rep->body, "{\"mode\":\"READONLY\"}");
	} else if (seg_is(r, 0, "contexts") && r->nseg == 1) {
		ok(r);
		hub_buf_adds(&r->rep->body, "[\".\"]");
	} else if ((seg_is(r, 0, "healthz") || seg_is(r, 0, "readyz")) && r->nseg == 1) {
		health(r);
	} else {
		error(r->rep, 404, 404, "HTTP 404 Not Found");
	}
}

void hub_registry_api_handle(void *ctx, const struct hub_http_request *req, struct hub_http_reply *rep)
{
	struct hub_registry_api *api = ctx;
	struct route r = { .req = req, .rep = rep, .api = api };
	const char *p = req->path;

	while (*p) {
		const char *end;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		if (r.nseg == MAX_SEGMENTS) {
			error(rep, 404, 404, "HTTP 404 Not Found");
			return;
		}
		r.seg[r.nseg] = p;
		r.seglen[r.nseg++] = end - p;
		p = end;
	}
	r.sv = hub_served_get(api->holder);
	dispatch(&r);
	hub_served_put(api->holder, r.sv);
}
