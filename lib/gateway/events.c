/* gateway/events.c: a request into events, by the CloudEvents HTTP
 * binding (see gateway/events.h).
 *
 * JSON is checked by the project's scanner (json/scan.h), which gives the
 * byte a 400 is about and the raw span of each batch element, so events
 * pass on byte for byte. Binary-mode header values are percent-decoded
 * and must then be UTF-8; the structured form built for them is the
 * attributes as strings, then the data: as JSON when its content type is
 * JSON, as a string when it is UTF-8 text, else base64 (data_base64). */
#include <ctype.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "gateway/events.h"
#include "json/path.h"
#include "json/scan.h"

static int refuse(struct hub_gw_input *in, int status, long position, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct hub_gw_input *in, int status, long position, const char *fmt, ...)
{
	va_list ap;

	in->status = status;
	in->position = position;
	va_start(ap, fmt);
	vsnprintf(in->message, sizeof(in->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* The media type of a Content-Type, without parameters, into out. */
static void media_type(const char *ct, char *out, size_t len)
{
	size_t n = 0;

	ct += strspn(ct, " \t");
	while (*ct && *ct != ';' && *ct != ' ' && *ct != '\t' && n + 1 < len)
		out[n++] = (char)tolower((unsigned char)*ct++);
	out[n] = '\0';
}

static int is_json_type(const char *media)
{
	size_t n = strlen(media);

	return strcmp(media, "application/json") == 0 || strcmp(media, "text/json") == 0 ||
	       (n > 5 && strcmp(media + n - 5, "+json") == 0);
}

static int json_refusal(struct hub_gw_input *in, struct hub_json *js, const char *what)
{
	long at = hub_json_error_offset(js);

	return refuse(in, 400, at, "%s: %s", what, hub_json_error(js));
}

static struct hub_gw_event *add_event(struct hub_gw_input *in)
{
	in->ev = hub_xrealloc(in->ev, sizeof(*in->ev) * (size_t)(in->n + 1));
	memset(&in->ev[in->n], 0, sizeof(*in->ev));
	return &in->ev[in->n++];
}

static int on_element(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	struct hub_gw_input *in = ctx;
	struct hub_gw_event *ev = add_event(in);

	ev->json = v->p;
	ev->len = v->len;
	return 0;
}

static int parse_json(const struct hub_http_request *req, struct hub_gw_input *in, int batch)
{
	struct hub_json *js = hub_json_new();
	struct hub_path all;
	enum hub_json_type top;
	char why[128];
	int rc;

	if (batch) {
		if (hub_path_parse("[*]", &all, why, sizeof(why)) < 0)
			hub_die(HUB_EXIT_SOFTWARE, "the batch path: %s", why);
		hub_json_set_paths(js, &all, 1);
		hub_json_set_callback(js, on_element, in);
	}
	rc = hub_json_scan(js, req->body, req->body_len, NULL, &top);
	if (rc < 0)
		json_refusal(in, js, batch ? "the batch is not JSON" : "the event is not JSON");
	else if (batch && top != HUB_JSON_ARRAY)
		rc = refuse(in, 400, 0, "a batch (application/cloudevents-batch+json) is a JSON array of events, "
		            "not %s", hub_json_type_name(top));
	else if (!batch && top != HUB_JSON_OBJECT)
		rc = refuse(in, 400, 0, "an event (application/cloudevents+json) is a JSON object, not %s",
		            hub_json_type_name(top));
	else if (!batch)
		add_event(in)->json = req->body, in->ev[0].len = req->body_len;
	if (batch)
		hub_path_free(&all);
	hub_json_free(js);
	return rc;
}

static int unhex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* %XX sequences decoded; NULL for a malformed one. */
static char *percent_decode(const char *s, size_t len, size_t *outlen)
{
	char *out = hub_xmalloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			out[n++] = s[i];
			continue;
		}
		hi = i + 1 < len ? unhex((unsigned char)s[i + 1]) : -1;
		lo = i + 2 < len ? unhex((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

struct binary {
	struct hub_gw_input *in;
	struct hub_gw_event *ev;
	int failed;
};

static int on_header(void *ctx, const char *name, const char *value, size_t len)
{
	struct binary *b = ctx;
	struct hub_gw_event *ev = b->ev;
	char *decoded, *lname;
	size_t n;

	if (strncasecmp(name, "ce-", 3) != 0)
		return 0;
	name += 3;
	n = strlen(name);
	if (n == 0 || n > 20 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n) {
		refuse(b->in, 400, -1, "header ce-%.40s: a CloudEvents attribute name is 1 to 20 letters or digits",
		       name);
		return b->failed = 1;
	}
	if (!(decoded = percent_decode(value, len, &n))) {
		refuse(b->in, 400, -1, "header ce-%s: a '%%' not followed by two hex digits", name);
		return b->failed = 1;
	}
	if (!hub_is_utf8(decoded, n) || memchr(decoded, '\0', n)) {
		free(decoded);
		refuse(b->in, 400, -1, "header ce-%s: not UTF-8 text once percent-decoded", name);
		return b->failed = 1;
	}
	lname = hub_xstrdup(name);
	for (char *p = lname; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (int i = 0; i < ev->nattrs; i++)
		if (strcmp(ev->attrs[i].name, lname) == 0 || strcmp(lname, "data") == 0 ||
		    strcmp(lname, "datacontenttype") == 0) {
			refuse(b->in, 400, -1, "header ce-%s: given twice (or an attribute binary mode takes "
			       "from elsewhere)", lname);
			free(decoded);
			free(lname);
			return b->failed = 1;
		}
	ev->attrs = hub_xrealloc(ev->attrs, sizeof(*ev->attrs) * (size_t)(ev->nattrs + 1));
	ev->attrs[ev->nattrs].name = lname;
	ev->attrs[ev->nattrs].value = decoded;
	ev->nattrs++;
	return 0;
}

static int parse_binary(const struct hub_http_request *req, struct hub_gw_input *in, const char *ct,
                        const char *media)
{
	struct binary b = { in, NULL, 0 };
	struct hub_gw_event *ev = add_event(in);
	struct hub_buf *f = &ev->form;
	int has_version = 0;

	b.ev = ev;
	hub_http_headers(req, on_header, &b);
	if (b.failed)
		return -1;
	for (int i = 0; i < ev->nattrs; i++)
		has_version |= strcmp(ev->attrs[i].name, "specversion") == 0;
	if (!has_version)
		return refuse(in, 415, -1, "content type '%s' without a ce-specversion header: send "
		              "application/cloudevents+json (one event), application/cloudevents-batch+json "
		              "(an array), or the CloudEvents binary mode (ce- headers)", ct ? ct : "(none)");
	ev->content_type = ct;
	ev->data = req->body;
	ev->data_len = req->body_len;
	hub_buf_addc(f, '{');
	for (int i = 0; i < ev->nattrs; i++) {
		if (i)
			hub_buf_addc(f, ',');
		hub_buf_json_string(f, ev->attrs[i].name, strlen(ev->attrs[i].name));
		hub_buf_addc(f, ':');
		hub_buf_json_string(f, ev->attrs[i].value, strlen(ev->attrs[i].value));
	}
	if (ct) {
		hub_buf_adds(f, ",\"datacontenttype\":");
		hub_buf_json_string(f, ct, strlen(ct));
	}
	if (req->body_len && is_json_type(media)) {
		struct hub_json *js = hub_json_new();
		int rc = hub_json_scan(js, req->body, req->body_len, NULL, NULL);

		if (rc < 0)
			json_refusal(in, js, "the data is not the JSON its content type says");
		hub_json_free(js);
		if (rc < 0)
			return -1;
		hub_buf_adds(f, ",\"data\":");
		hub_buf_add(f, req->body, req->body_len);
	} else if (req->body_len && hub_is_utf8(req->body, req->body_len) &&
	           !memchr(req->body, '\0', req->body_len)) {
		hub_buf_adds(f, ",\"data\":");
		hub_buf_json_string(f, req->body, req->body_len);
	} else if (req->body_len) {
		size_t at;

		hub_buf_adds(f, ",\"data_base64\":\"");
		at = f->len;
		hub_buf_reserve(f, sodium_base64_ENCODED_LEN(req->body_len, sodium_base64_VARIANT_ORIGINAL));
		sodium_bin2base64(f->data + at, sodium_base64_ENCODED_LEN(req->body_len, sodium_base64_VARIANT_ORIGINAL),
		                  (const unsigned char *)req->body, req->body_len, sodium_base64_VARIANT_ORIGINAL);
		f->len = at + strlen(f->data + at);
		hub_buf_addc(f, '"');
	}
	hub_buf_addc(f, '}');
	ev->json = hub_buf_cstr(f);
	ev->len = f->len;
	return 0;
}

int hub_gw_parse(const struct hub_http_request *req, struct hub_gw_input *in)
{
	const char *ct = hub_http_header(req, "Content-Type");
	char media[128];

	memset(in, 0, sizeof(*in));
	in->position = -1;
	media_type(ct ? ct : "", media, sizeof(media));
	if (strcmp(media, "application/cloudevents+json") == 0) {
		in->mode = HUB_GW_STRUCTURED;
		return parse_json(req, in, 0);
	}
	if (strcmp(media, "application/cloudevents-batch+json") == 0) {
		in->mode = HUB_GW_BATCH;
		return parse_json(req, in, 1);
	}
	in->mode = HUB_GW_BINARY;
	return parse_binary(req, in, ct, media);
}

void hub_gw_input_free(struct hub_gw_input *in)
{
	for (int i = 0; i < in->n; i++) {
		for (int a = 0; a < in->ev[i].nattrs; a++) {
			free(in->ev[i].attrs[a].name);
			free(in->ev[i].attrs[a].value);
		}
		free(in->ev[i].attrs);
		hub_buf_free(&in->ev[i].form);
	}
	free(in->ev);
	memset(in, 0, sizeof(*in));
}
