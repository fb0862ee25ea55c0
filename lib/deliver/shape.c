/* deliver/shape.c: an event made into the parts of its HTTP request.
 *
 * One scan of the line finds what the request needs: the key that orders
 * it, the fields of the URL template, and in the CloudEvents formats the
 * attributes, checked with the rules of schema/cloudevents.c (an event
 * that is no CloudEvent is failed, never sent half-mapped). Binary mode
 * follows the CloudEvents HTTP binding: each attribute a ce- header, its
 * value percent-encoded where the binding says so, datacontenttype as
 * Content-Type, data (or data_base64, decoded) as the body. An envelope
 * whose headers carry ce_ attributes (the Kafka binding's binary mode) is
 * sent in the HTTP binary mode with those attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "deliver/deliver-internal.h"
#include "schema/cloudevents-internal.h"
#include "stream/ndjson.h"

static int add_path(struct shaper *s, const char *text, const char *what)
{
	char err[256];

	if (s->npaths >= HUB_JSON_MAX_PATHS)
		hub_usage_error("%s: too many field paths", what);
	if (hub_path_parse(text, &s->paths[s->npaths], err, sizeof(err)) < 0)
		hub_usage_error("%s '%s': %s", what, text, err);
	return s->npaths++;
}

/* "https://host/orders/{subject}": literal pieces and {path} pieces;
 * "{{" and "}}" stand for a brace. */
static void parse_template(struct shaper *s, const char *url)
{
	struct hub_buf lit = { 0 };
	const char *p = url;

	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			hub_buf_addc(&lit, p[0]);
			p += 2;
			continue;
		}
		if (*p == '}')
			hub_usage_error("URL '%s': a '}' without its '{' (write '}}' for a brace)", url);
		if (*p != '{') {
			hub_buf_addc(&lit, *p++);
			continue;
		}
		{
			const char *end = strchr(p, '}');
			char *path;

			if (!end || end == p + 1)
				hub_usage_error("URL '%s': '{' must be followed by a field path and '}'", url);
			s->pieces = hub_xrealloc(s->pieces, sizeof(*s->pieces) * (size_t)(s->npieces + 2));
			if (lit.len) {
				s->pieces[s->npieces].literal = hub_xstrndup(lit.data, lit.len);
				s->pieces[s->npieces++].path = -1;
				hub_buf_reset(&lit);
			}
			path = hub_xstrndup(p + 1, (size_t)(end - p - 1));
			s->pieces[s->npieces].literal = NULL;
			s->pieces[s->npieces++].path = add_path(s, path, "URL template field");
			free(path);
			s->templated = 1;
			p = end + 1;
		}
	}
	if (lit.len || s->npieces == 0) {
		s->pieces = hub_xrealloc(s->pieces, sizeof(*s->pieces) * (size_t)(s->npieces + 1));
		s->pieces[s->npieces].literal = hub_xstrndup(lit.data ? lit.data : "", lit.len);
		s->pieces[s->npieces++].path = -1;
	}
	hub_buf_free(&lit);
}

/* The HTTP binding's percent-encoding of a header value: space, '"',
 * '%' and every byte outside printable ASCII. */
static void add_encoded(struct hub_buf *b, const char *v, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= ' ' || c >= 0x7f || c == '"' || c == '%') {
			hub_buf_addc(b, '%');
			hub_buf_addc(b, hex[c >> 4]);
			hub_buf_addc(b, hex[c & 15]);
		} else {
			hub_buf_addc(b, (char)c);
		}
	}
}

static void add_header(struct hub_buf *h, const char *name, size_t namelen, const char *v, size_t n, int encode)
{
	hub_buf_add(h, name, namelen);
	hub_buf_adds(h, ": ");
	if (encode)
		add_encoded(h, v, n);
	else
		for (size_t i = 0; i < n; i++)   /* a header line cannot hold CR, LF or NUL */
			hub_buf_addc(h, (v[i] == '\r' || v[i] == '\n' || v[i] == '\0') ? ' ' : v[i]);
	hub_buf_addc(h, '\0');
}

/* Binary mode: each top-level attribute as it is met by the scanner. */
static int member(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	struct shaper *s = ctx;
	size_t at;
	const char *name;

	if (which != s->star_path || key->type != HUB_JSON_STRING)
		return 0;
	hub_buf_reset(&s->tmp);
	hub_buf_adds(&s->tmp, "ce-");
	if (hub_json_unescape(key->p, key->len, &s->tmp) < 0)
		return 0;
	name = hub_buf_cstr(&s->tmp) + 3;
	if (strcmp(name, "data") == 0) {
		s->data = *v;
		return 0;
	}
	if (strcmp(name, "data_base64") == 0) {
		s->data64 = *v;
		return 0;
	}
	if (v->type == HUB_JSON_NULL)
		return 0;   /* an attribute set to null is absent */
	if (v->type == HUB_JSON_OBJECT || v->type == HUB_JSON_ARRAY) {
		s->ce_bad = 1;
		return 0;
	}
	if (strcmp(name, "datacontenttype") == 0) {
		s->ctype = *v;
		return 0;
	}
	at = s->tmp.len;
	hub_json_span_text(v, &s->tmp);
	add_header(&s->headers, s->tmp.data, at, s->tmp.data + at, s->tmp.len - at, 1);
	return 0;
}

void hub_shaper_init(struct shaper *s, const struct hub_deliver_opts *o)
{
	const char *kp = o->key_path;

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->key_path = s->star_path = s->id_path = -1;
	for (int i = 0; i < HUB_CE_NATTRS; i++)
		s->ce_path[i] = -1;
	s->js = hub_json_new();
	s->plain = hub_json_new();
	parse_template(s, o->url);
	if (!kp)
		kp = o->envelope ? "" : "subject";
	if (*kp)
		s->key_path = add_path(s, kp, "--key");
	s->id_path = add_path(s, "id", "id");
	if (o->format != HUB_DELIVER_JSON)
		for (int i = 0; i < HUB_CE_NATTRS; i++)
			s->ce_path[i] = add_path(s, hub_ce_attr_names[i], "attribute");
	if (o->format == HUB_DELIVER_BINARY) {
		s->star_path = add_path(s, "*", "attributes");
		hub_json_set_callback(s->js, member, s);
	}
	hub_json_set_paths(s->js, s->paths, s->npaths);
	s->escaper = curl_easy_init();
	if (!s->escaper)
		hub_die(HUB_EXIT_SOFTWARE, "libcurl could not be initialised");
}

void hub_shaper_free(struct shaper *s)
{
	hub_json_free(s->js);
	hub_json_free(s->plain);
	for (int i = 0; i < s->npaths; i++)
		hub_path_free(&s->paths[i]);
	for (int i = 0; i < s->npieces; i++)
		free(s->pieces[i].literal);
	free(s->pieces);
	hub_buf_free(&s->headers);
	hub_buf_free(&s->tmp);
	hub_buf_free(&s->key);
	hub_envelope_free(&s->env);
	if (s->escaper)
		curl_easy_cleanup(s->escaper);
}

/* The URL with each {path} replaced by its value, URL-escaped. */
static int make_url(struct shaper *s, struct hub_buf *out, char *why, size_t whylen)
{
	for (int i = 0; i < s->npieces; i++) {
		const struct url_piece *pc = &s->pieces[i];
		const struct hub_span *v;
		char *esc;

		if (pc->literal) {
			hub_buf_adds(out, pc->literal);
			continue;
		}
		v = &s->found[pc->path];
		hub_buf_reset(&s->tmp);
		if (v->type == HUB_JSON_NONE || v->type == HUB_JSON_NULL || hub_json_span_text(v, &s->tmp) < 0) {
			snprintf(why, whylen, "URL template: the event has no %s to put in the URL%s",
			         s->paths[pc->path].text,
			         v->type == HUB_JSON_OBJECT || v->type == HUB_JSON_ARRAY ? " (it is not a scalar)" : "");
			return -1;
		}
		if (s->tmp.len == 0) {
			snprintf(why, whylen, "URL template: the event's %s is empty", s->paths[pc->path].text);
			return -1;
		}
		esc = curl_easy_escape(s->escaper, s->tmp.data, (int)s->tmp.len);
		if (!esc)
			hub_die(HUB_EXIT_SOFTWARE, "out of memory");
		hub_buf_adds(out, esc);
		curl_free(esc);
	}
	hub_buf_addc(out, '\0');
	return 0;
}

/* The CloudEvents checks, reason in why. */
static int check_ce(struct shaper *s, char *why, size_t whylen)
{
	struct hub_span attrs[HUB_CE_NATTRS];
	struct hub_buf exp = { 0 }, found = { 0 };
	const char *attr = NULL;
	int rc;

	for (int i = 0; i < HUB_CE_NATTRS; i++)
		attrs[i] = s->found[s->ce_path[i]];
	rc = hub_ce_check(attrs, &attr, &exp, &found);
	if (rc < 0)
		snprintf(why, whylen, "not a CloudEvent (needed by --format %s; --format json sends any "
		         "event): %s: expected %s, found %s",
		         s->o->format == HUB_DELIVER_BINARY ? "binary" : "structured", attr, hub_buf_cstr(&exp),
		         hub_buf_cstr(&found));
	else if (s->ce_bad) {
		snprintf(why, whylen, "not a CloudEvent: an attribute is an object or array; "
		         "CloudEvents attributes are strings, numbers or booleans");
		rc = -1;
	}
	hub_buf_free(&exp);
	hub_buf_free(&found);
	return rc;
}

/* Binary mode's body and Content-Type, from data or data_base64. */
static int binary_body(struct shaper *s, struct event *e, char *why, size_t whylen)
{
	struct hub_buf *p = &e->parts;
	const char *ct = "application/json";
	size_t ctlen = strlen(ct);

	hub_buf_reset(&s->tmp);
	if (s->ctype.type == HUB_JSON_STRING) {
		hub_json_span_text(&s->ctype, &s->tmp);
		ct = s->tmp.data;
		ctlen = s->tmp.len;
	}
	e->body_at = p->len;
	if (s->data.type != HUB_JSON_NONE && s->data.type != HUB_JSON_NULL) {
		/* a string with a content type that is not JSON is sent as its text */
		if (s->data.type == HUB_JSON_STRING && !memmem(ct, ctlen, "json", 4))
			hub_json_unescape(s->data.p, s->data.len, p);
		else
			hub_buf_add(p, s->data.p, s->data.len);
	} else if (s->data64.type == HUB_JSON_STRING) {
		struct hub_buf txt = { 0 };
		int bad = hub_json_unescape(s->data64.p, s->data64.len, &txt) < 0 ||
		          hub_base64_decode(txt.data ? txt.data : "", txt.len, p) < 0;

		hub_buf_free(&txt);
		if (bad) {
			snprintf(why, whylen, "data_base64 is not base64");
			return -1;
		}
		if (s->ctype.type != HUB_JSON_STRING) {
			ct = "application/octet-stream";
			ctlen = strlen(ct);
		}
	}
	e->body_len = p->len - e->body_at;
	if (e->body_len > 0 || s->ctype.type == HUB_JSON_STRING)
		add_header(&s->headers, "Content-Type", 12, ct, ctlen, 0);
	return 0;
}

/* An envelope with ce_ headers: binary mode from its headers. */
static int envelope_headers(struct shaper *s)
{
	size_t n = 0;
	const char *name;
	const void *v;
	size_t vlen;
	int any = 0;

	if (!s->env.headers)
		return 0;
	for (size_t i = 0; rd_kafka_header_get_all(s->env.headers, i, &name, &v, &vlen) == 0; i++)
		if (strncmp(name, "ce_", 3) == 0)
			any = 1;
	if (!any)
		return 0;
	for (; rd_kafka_header_get_all(s->env.headers, n, &name, &v, &vlen) == 0; n++) {
		if (strncmp(name, "ce_", 3) == 0) {
			hub_buf_reset(&s->tmp);
			hub_buf_adds(&s->tmp, "ce-");
			hub_buf_adds(&s->tmp, name + 3);
			add_header(&s->headers, s->tmp.data, s->tmp.len, v ? v : "", v ? vlen : 0, 1);
		} else if (strcasecmp(name, "content-type") == 0 && v) {
			add_header(&s->headers, "Content-Type", 12, v, vlen, 0);
		}
	}
	return 1;
}

int hub_shaper_event(struct shaper *s, struct event **evp, int *has_key, char *why, size_t whylen)
{
	struct event *e = *evp;
	const struct hub_deliver_opts *o = s->o;
	const char *text = e->data;
	size_t len = e->len;
	enum hub_json_type top = HUB_JSON_NONE;
	int from_headers = 0, scanned = 0;

	*has_key = 0;
	hub_buf_reset(&s->headers);
	hub_buf_reset(&s->key);
	s->ce_bad = 0;
	s->data.type = s->data64.type = s->ctype.type = HUB_JSON_NONE;
	memset(s->found, 0, sizeof(s->found[0]) * (size_t)s->npaths);
	if (o->envelope) {
		char err[256];

		if (hub_json_scan(s->plain, e->data, e->len, NULL, &top) < 0) {
			snprintf(why, whylen, "%s", hub_json_error(s->plain));
			return -1;
		}
		e->is_json = 1;
		if (hub_envelope_parse(e->data, e->len, &s->env, err, sizeof(err)) < 0) {
			snprintf(why, whylen, "not an envelope: %s", err);
			return -1;
		}
		if (!s->env.has_value) {
			snprintf(why, whylen, "the envelope has no value (a tombstone): nothing to send");
			return -1;
		}
		if (s->env.has_key) {
			hub_buf_add(&s->key, s->env.key.data, s->env.key.len);
			*has_key = 1;
		}
		text = s->env.value.data ? s->env.value.data : "";
		len = s->env.value.len;
		from_headers = envelope_headers(s);
		memset(s->found, 0, sizeof(s->found[0]) * (size_t)s->npaths);
		s->data.type = s->data64.type = s->ctype.type = HUB_JSON_NONE;
		if (from_headers) {
			/* the value is the data; only the URL template and key look into it */
			if (s->templated || s->key_path >= 0) {
				hub_json_set_callback(s->js, NULL, NULL);
				scanned = hub_json_scan(s->js, text, len, s->found, &top) == 0;
				if (o->format == HUB_DELIVER_BINARY)
					hub_json_set_callback(s->js, member, s);
			}
			hub_buf_reset(&s->headers);
			envelope_headers(s);
		}
	}
	if (!from_headers) {
		if (hub_json_scan(s->js, text, len, s->found, &top) < 0) {
			snprintf(why, whylen, "%s%s", o->envelope ? "the envelope's value: " : "", hub_json_error(s->js));
			return -1;
		}
		if (!o->envelope)
			e->is_json = 1;
		if (top != HUB_JSON_OBJECT) {
			snprintf(why, whylen, "%s%s", o->envelope ? "the envelope's value: " : "", hub_not_object_reason(top));
			return -1;
		}
		scanned = 1;
	}
	if (scanned && s->key_path >= 0) {
		const struct hub_span *k = &s->found[s->key_path];

		if (k->type != HUB_JSON_NONE && k->type != HUB_JSON_NULL) {
			hub_buf_reset(&s->key);
			if (hub_json_span_text(k, &s->key) < 0) {
				snprintf(why, whylen, "--key %s: the event's value is an %s, not a string or number",
				         s->paths[s->key_path].text, hub_json_type_name(k->type));
				return -1;
			}
			*has_key = 1;
		}
	}
	if (!from_headers && o->format != HUB_DELIVER_JSON && check_ce(s, why, whylen) < 0)
		return -1;

	/* the parts: url, headers, body */
	hub_buf_reset(&e->parts);
	if (s->templated && !scanned) {
		snprintf(why, whylen, "URL template: the envelope's value is not JSON");
		return -1;
	}
	if (make_url(s, &e->parts, why, whylen) < 0)
		return -1;
	e->url_len = e->parts.len - 1;
	if (scanned && s->found[s->id_path].type == HUB_JSON_STRING) {
		e->id_at = e->parts.len;
		hub_json_span_text(&s->found[s->id_path], &e->parts);
		e->id_len = e->parts.len - e->id_at;
	}
	e->body_is_line = 0;
	if (from_headers) {
		e->body_at = e->parts.len;
		hub_buf_add(&e->parts, text, len);
		e->body_len = len;
	} else if (o->format == HUB_DELIVER_BINARY) {
		if (binary_body(s, e, why, whylen) < 0)
			return -1;
	} else if (o->envelope) {
		e->body_at = e->parts.len;
		hub_buf_add(&e->parts, text, len);
		e->body_len = len;
	} else {
		e->body_is_line = 1;
		e->body_len = e->len;
	}
	e->hdr_at = e->parts.len;
	hub_buf_add(&e->parts, s->headers.data, s->headers.len);
	e->hdr_len = s->headers.len;
	return 0;
}
