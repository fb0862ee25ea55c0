/* deliver/deliver-internal.h: what deliver.c (the loop), request.c (an
 * event made into a request's parts), retry.c (what an answer means) and
 * sign.c (Standard Webhooks signatures) share.
 *
 * An event is one allocation: the struct, the input line, then the parts
 * its request needs (URL, ce- headers, body when it is not the line),
 * all in `parts` and found by offset, so that a failure can always store
 * the line as it came. */
#ifndef HUB_DELIVER_INTERNAL_H
#define HUB_DELIVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "deliver/deliver.h"
#include "json/path.h"
#include "json/scan.h"
#include "kafka/envelope-internal.h"

struct keyslot;
struct request;

struct event {
	uint64_t line;
	struct event *next_ready;     /* the ready queue */
	struct event *next_same;      /* the next event of its key, waiting for this one */
	struct keyslot *slot;         /* its key's place, NULL when it has none */
	struct request *req;          /* the request carrying it, NULL before */
	int is_json;                  /* the line is valid JSON (for the failure store) */
	struct hub_buf parts;         /* url \0, headers ("Name: value\0"...), body */
	size_t url_len, hdr_at, hdr_len, body_at, body_len;
	int body_is_line;             /* the body is the line itself */
	size_t id_at, id_len;         /* the webhook-id (the event's id), in parts; 0 length: none */
	size_t len;
	char data[];                  /* the line */
};

static inline const char *event_body(const struct event *e)
{
	return e->body_is_line ? e->data : e->parts.data + e->body_at;
}

/* A piece of the URL template: literal text, or a field path's value. */
struct url_piece {
	char *literal;                /* NULL: the value at paths[path] */
	int path;
};

/* The parts of request making that stay for the run. */
struct shaper {
	const struct hub_deliver_opts *o;
	struct hub_json *js;
	struct hub_json *plain;             /* no paths: an envelope's line */
	struct hub_path paths[HUB_JSON_MAX_PATHS];
	int npaths;
	int key_path, star_path, id_path;   /* indexes into paths, -1: none */
	int ce_path[16];                    /* the CloudEvents attributes (schema/cloudevents-internal.h) */
	struct hub_span found[HUB_JSON_MAX_PATHS];
	struct url_piece *pieces;
	int npieces;
	int templated;                      /* the URL has {path} pieces */
	/* during one event */
	struct hub_buf headers;             /* "ce-x: v\0" lines of the binary mode */
	struct hub_buf tmp, key;
	int ce_bad;
	struct hub_span data, data64, ctype;
	struct hub_envelope env;
	CURL *escaper;
};

/* Parses the URL template and the field paths; usage errors exit. */
void hub_shaper_init(struct shaper *s, const struct hub_deliver_opts *o);
void hub_shaper_free(struct shaper *s);
/* Makes the event's request parts from its line, and its key into
 * s->key (has_key 1) when it has one. Returns 0, or -1 with the reason
 * for the failure store in why. */
int hub_shaper_event(struct shaper *s, struct event **ev, int *has_key, char *why, size_t whylen);

/* What an attempt's result means. */
enum hub_verdict {
	HUB_VERDICT_DELIVERED,
	HUB_VERDICT_RETRY,
	HUB_VERDICT_FAIL,             /* at once: the endpoint refuses it */
	HUB_VERDICT_GONE,             /* 410: stop sending to the endpoint */
};

/* result: libcurl's code; status: the HTTP status (0: no answer).
 * Writes the attempt's reason ("HTTP 503", "connection refused: ...")
 * into why. */
enum hub_verdict hub_deliver_verdict(CURLcode result, long status, const char *curl_error,
                                     char *why, size_t whylen);
/* The delay before retry number n (1 for the first), exponential from
 * base_ms with jitter: uniformly in [d/2, d], d = base * 2^(n-1), at most
 * 60 s. */
long hub_deliver_backoff(long base_ms, int n);

/* A secret file's first line (malloc'd, *len bytes): a missing file
 * exits 66, one others may read or an empty one 78. */
char *hub_deliver_secret(const char *path, const char *option, size_t *len);
/* Wipes and frees what hub_deliver_secret() returned. */
void hub_deliver_secret_free(char *s, size_t len);

/* The bytes of a whsec_ secret file (hub_xmalloc'd); a malformed one exits 78. */
unsigned char *hub_webhook_secret(const char *path, size_t *len);

/* Standard Webhooks: appends the webhook-id, webhook-timestamp and
 * webhook-signature header lines ("Name: value", one curl_slist entry
 * each) for body, signed with the secret at time now. */
struct curl_slist *hub_webhook_sign(struct curl_slist *h, const unsigned char *secret, size_t secret_len,
                                    const char *id, size_t idlen, long long now, const char *body,
                                    size_t len);

#endif
