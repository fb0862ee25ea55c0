/* deliver/deliver.c: the delivery loop behind hub-deliver.
 *
 * One thread, one libcurl multi handle. Each turn reads what input there
 * is room for (never waiting on it while requests are out), turns ready
 * events into requests up to --concurrency, lets libcurl move them, and
 * takes the answers. Order: an event with a key waits behind the
 * unfinished event of the same key before it (a chain per key, in a hash
 * table); a batch may carry a chain's next events along, in order. A
 * request to retry waits, off the multi handle, until its backoff is over.
 *
 * Accounting invariant: every line read ends as exactly one of delivered
 * (st->out) or failed (st->failed, one failure-store record), and only
 * then is it acknowledged to the writer of the input (stream/ack.h), in
 * any order (hub_ack_lines). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "deliver/deliver-internal.h"
#include "stream/ack.h"
#include "stream/ndjson.h"

#define ANSWER_KEEP 256              /* bytes of an answer kept for the failure store */
#define PENDING_BYTES (64u << 20)    /* unfinished events' bytes, at most (one line beyond) */

struct keyslot {
	struct keyslot *hnext;
	struct event *head, *tail;   /* head: the one sent or to send next */
	size_t len;
	char key[];
};

struct request {
	CURL *easy;
	struct request *next;        /* the free list, or the retry list */
	struct event **ev;
	int nev, cap;
	struct hub_buf body;         /* a batch's body */
	struct curl_slist *hdrs;
	struct hub_buf answer;
	struct hub_buf attempts;     /* the failure store's "attempts" members */
	int tries;
	double first, due;
	char errbuf[CURL_ERROR_SIZE];
};

struct gone_url {
	struct gone_url *next;
	char url[];
};

struct deliverer {
	const struct hub_deliver_opts *o;
	struct hub_stats *st;
	struct hub_deliver_tally *t;
	struct shaper shape;
	CURLM *multi;
	struct curl_slist *common;   /* -H and the auth headers */
	struct keyslot **table;
	size_t tsize;
	struct event *ready, *ready_tail;
	struct request *free_reqs, *waiting;
	int inflight;
	uint64_t pending, pending_bytes;
	int window;
	struct gone_url *gone;       /* the URLs that answered 410 */
	int interrupted, io_error;
	struct hub_ack_in *up;
	struct hub_ack_lines *acks;
	struct hub_buf tmp;
	char *bearer, *userpwd;      /* the secrets read from their files */
	size_t bearer_len, userpwd_len;
	unsigned char *whsec;
	size_t whsec_len;
};

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static void push_ready(struct deliverer *d, struct event *e)
{
	e->next_ready = NULL;
	if (d->ready_tail)
		d->ready_tail->next_ready = e;
	else
		d->ready = e;
	d->ready_tail = e;
}

static struct event *pop_ready(struct deliverer *d)
{
	struct event *e = d->ready;

	if (e) {
		d->ready = e->next_ready;
		if (!d->ready)
			d->ready_tail = NULL;
	}
	return e;
}

/* A new event with a key: first of its key (ready), or behind the others. */
static void enqueue(struct deliverer *d, struct event *e, const char *key, size_t len)
{
	uint64_t h = hash(key, len);
	struct keyslot **at = &d->table[h & (d->tsize - 1)], *k;

	for (k = *at; k; k = k->hnext)
		if (k->len == len && memcmp(k->key, key, len) == 0)
			break;
	if (k) {
		k->tail->next_same = e;
		k->tail = e;
		e->slot = k;
		return;
	}
	k = hub_xmalloc(sizeof(*k) + len);
	k->len = len;
	memcpy(k->key, key, len);
	k->head = k->tail = e;
	k->hnext = *at;
	*at = k;
	e->slot = k;
	push_ready(d, e);
}

/* e is finished: the next event of its key may go. */
static void release(struct deliverer *d, struct event *e)
{
	struct keyslot *k = e->slot, **at;

	if (!k)
		return;
	k->head = e->next_same;
	if (k->head) {
		if (!k->head->req)
			push_ready(d, k->head);
		return;
	}
	for (at = &d->table[hash(k->key, k->len) & (d->tsize - 1)]; *at != k; at = &(*at)->hnext)
		;
	*at = k->hnext;
	free(k);
}

static void event_free(struct deliverer *d, struct event *e)
{
	d->pending--;
	d->pending_bytes -= e->len;
	hub_buf_free(&e->parts);
	free(e);
}

static void delivered(struct deliverer *d, struct event *e)
{
	d->st->out++;
	hub_ack_lines_done(d->acks, e->line);
	release(d, e);
	event_free(d, e);
}

/* To the failure store, with the reason and extra members (JSON). */
static void failed(struct deliverer *d, struct event *e, const char *why, const char *extra)
{
	d->st->failed++;
	hub_info("line %llu: %s", (unsigned long long)e->line, why);
	/* a failure that could not be recorded is never acknowledged: the
	 * writer keeps it, and reading stops (exit 74) */
	if (hub_failstore_add(d->o->failstore, why, e->line, e->data, e->len, e->is_json, extra) < 0)
		d->io_error = 1;
	else
		hub_ack_lines_done(d->acks, e->line);
	release(d, e);
	event_free(d, e);
}

/* A line that never became an event (too long, not JSON...). */
static void failed_line(struct deliverer *d, const struct hub_line *l, const char *why, int is_json,
                        const char *extra)
{
	d->st->failed++;
	hub_info("line %llu: %s", (unsigned long long)l->number, why);
	if (hub_failstore_add(d->o->failstore, why, l->number, l->data, l->len, is_json, extra) < 0)
		d->io_error = 1;
	else
		hub_ack_lines_done(d->acks, l->number);
}

static int is_gone(const struct deliverer *d, const char *url)
{
	for (const struct gone_url *g = d->gone; g; g = g->next)
		if (strcmp(g->url, url) == 0)
			return 1;
	return 0;
}

static const char *gone_reason(struct deliverer *d)
{
	return "not sent: the endpoint answered 410 Gone (it takes no more events; hub-deliver stopped "
	       "sending to it)";
}

/* Takes one line: an event to send, or a failure. */
static void take_line(struct deliverer *d, const struct hub_line *l)
{
	struct event *e;
	char why[512];
	int has_key;

	if (l->status == HUB_LINE_TOO_LONG) {
		char extra[64];

		hub_line_too_long_reason(l, why, sizeof(why), extra, sizeof(extra));
		failed_line(d, l, why, 0, extra);
		return;
	}
	e = hub_xcalloc(1, sizeof(*e) + l->len + 1);
	e->line = l->number;
	e->len = l->len;
	memcpy(e->data, l->data, l->len);
	d->pending++;
	d->pending_bytes += e->len;
	if (hub_shaper_event(&d->shape, &e, &has_key, why, sizeof(why)) < 0) {
		failed(d, e, why, NULL);
		return;
	}
	if (d->gone && is_gone(d, e->parts.data)) {
		failed(d, e, gone_reason(d), NULL);
		return;
	}
	if (has_key)
		enqueue(d, e, d->shape.key.data ? d->shape.key.data : "", d->shape.key.len);
	else
		push_ready(d, e);
}

static size_t on_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct request *r = ctx;
	size_t len = size * n;

	if (r->answer.len < ANSWER_KEEP)
		hub_buf_add(&r->answer, p, len < ANSWER_KEEP - r->answer.len ? len : ANSWER_KEEP - r->answer.len);
	return len;
}

static struct request *request_new(struct deliverer *d)
{
	struct request *r = d->free_reqs;
	const struct hub_deliver_opts *o = d->o;

	if (r) {
		d->free_reqs = r->next;
	} else {
		r = hub_xcalloc(1, sizeof(*r));
		if (!(r->easy = curl_easy_init()))
			hub_die(HUB_EXIT_SOFTWARE, "libcurl could not make a request handle");
		curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
		curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_answer);
		curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
		curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
		curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(r->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
		curl_easy_setopt(r->easy, CURLOPT_PIPEWAIT, 1L);
		curl_easy_setopt(r->easy, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, o->timeout_ms);
		curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
		curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "hub-deliver/" HUB_VERSION);
		curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
		if (o->method && strcmp(o->method, "POST") != 0)
			curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, o->method);
		if (o->verbose_http)
			curl_easy_setopt(r->easy, CURLOPT_VERBOSE, 1L);
		if (d->bearer) {
			curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
			curl_easy_setopt(r->easy, CURLOPT_XOAUTH2_BEARER, d->bearer);
		} else if (d->userpwd) {
			curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
			curl_easy_setopt(r->easy, CURLOPT_USERPWD, d->userpwd);
		}
		if (o->cert)
			curl_easy_setopt(r->easy, CURLOPT_SSLCERT, o->cert);
		if (o->cert_key)
			curl_easy_setopt(r->easy, CURLOPT_SSLKEY, o->cert_key);
		if (o->cacert)
			curl_easy_setopt(r->easy, CURLOPT_CAINFO, o->cacert);
	}
	r->nev = 0;
	r->tries = 0;
	r->first = hub_now();
	hub_buf_reset(&r->attempts);
	return r;
}

static void request_add(struct request *r, struct event *e)
{
	if (r->nev == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		r->ev = hub_xrealloc(r->ev, sizeof(*r->ev) * (size_t)r->cap);
	}
	r->ev[r->nev++] = e;
	e->req = r;
}

static void request_recycle(struct deliverer *d, struct request *r)
{
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
	hub_buf_reset(&r->body);
	r->next = d->free_reqs;
	d->free_reqs = r;
}

static struct curl_slist *append(struct curl_slist *h, const char *line)
{
	struct curl_slist *n = curl_slist_append(h, line);

	if (!n)
		hub_die(HUB_EXIT_SOFTWARE, "out of memory");
	return n;
}

/* The headers of one attempt: the common ones, then the event's own. */
static struct curl_slist *attempt_headers(struct deliverer *d, struct request *r)
{
	struct curl_slist *h = NULL;
	const struct event *e = r->ev[0];

	for (const struct curl_slist *c = d->common; c; c = c->next)
		h = append(h, c->data);
	if (r->nev > 1 || d->o->batch > 1)
		h = append(h, d->o->format == HUB_DELIVER_JSON ? "Content-Type: application/json"
		           : "Content-Type: application/cloudevents-batch+json");
	else if (d->o->format == HUB_DELIVER_STRUCTURED && !e->hdr_len)
		h = append(h, "Content-Type: application/cloudevents+json; charset=utf-8");
	else if (!e->hdr_len)
		h = append(h, "Content-Type: application/json");
	else
		for (size_t at = 0; at < e->hdr_len;) {
			const char *line = e->parts.data + e->hdr_at + at;

			h = append(h, line);
			at += strlen(line) + 1;
		}
	if (d->whsec) {
		int batch = r->nev > 1 || d->o->batch > 1;

		h = hub_webhook_sign(h, d->whsec, d->whsec_len, batch ? NULL : e->parts.data + e->id_at,
		                     batch ? 0 : e->id_len, (long long)time(NULL),
		                     batch ? (r->body.data ? r->body.data : "") : event_body(e),
		                     batch ? r->body.len : e->body_len);
	}
	return append(h, "Expect:");   /* no 100-continue round trip */
}

static void start_attempt(struct deliverer *d, struct request *r)
{
	const struct event *e = r->ev[0];

	curl_slist_free_all(r->hdrs);
	r->hdrs = attempt_headers(d, r);
	hub_buf_reset(&r->answer);
	r->errbuf[0] = '\0';
	r->tries++;
	curl_easy_setopt(r->easy, CURLOPT_URL, e->parts.data);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	if (r->nev > 1 || d->o->batch > 1) {
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body.data ? r->body.data : "");
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
	} else {
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, e->body_len ? event_body(e) : "");
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)e->body_len);
	}
	if (curl_multi_add_handle(d->multi, r->easy) != CURLM_OK)
		hub_die(HUB_EXIT_SOFTWARE, "libcurl refused a request");
	d->inflight++;
}

/* A batch: the ready events, each followed by the next ones of its key. */
static void fill_batch(struct deliverer *d, struct request *r)
{
	struct event *e;

	while (r->nev < d->o->batch && (e = pop_ready(d))) {
		request_add(r, e);
		while (r->nev < d->o->batch && e->next_same && !e->next_same->req) {
			e = e->next_same;
			request_add(r, e);
		}
	}
	hub_buf_addc(&r->body, '[');
	for (int i = 0; i < r->nev; i++) {
		if (i)
			hub_buf_addc(&r->body, ',');
		hub_buf_add(&r->body, event_body(r->ev[i]), r->ev[i]->body_len);
	}
	hub_buf_addc(&r->body, ']');
}

/* Requests out, up to --concurrency: due retries first, then new ones. */
static void dispatch(struct deliverer *d)
{
	double now = hub_now();
	struct request **at = &d->waiting;

	while (*at && d->inflight < d->o->concurrency) {
		struct request *r = *at;

		if (r->due <= now) {
			*at = r->next;
			start_attempt(d, r);
		} else {
			at = &r->next;
		}
	}
	while (d->inflight < d->o->concurrency && d->ready) {
		struct request *r;

		if (d->gone && is_gone(d, d->ready->parts.data)) {
			failed(d, pop_ready(d), gone_reason(d), NULL);
			continue;
		}
		r = request_new(d);

		if (d->o->batch > 1)
			fill_batch(d, r);
		else
			request_add(r, pop_ready(d));
		start_attempt(d, r);
	}
}

/* One attempt's record for the failure store's "attempts". */
static void note_attempt(struct request *r, const char *why, long status)
{
	char at[40];

	hub_time_now_iso(at, sizeof(at));
	if (r->attempts.len)
		hub_buf_addc(&r->attempts, ',');
	hub_buf_addf(&r->attempts, "{\"time\":\"%s\",\"reason\":", at);
	hub_buf_json_string(&r->attempts, why, strlen(why));
	if (status)
		hub_buf_addf(&r->attempts, ",\"status\":%ld", status);
	hub_buf_addc(&r->attempts, '}');
}

/* Every event of r fails with why; extra members from the request. */
static void fail_request(struct deliverer *d, struct request *r, const char *why, long status, int answer)
{
	struct hub_buf x = { 0 };
	const struct event *e0 = r->ev[0];

	hub_buf_adds(&x, "\"url\":");
	hub_buf_json_string(&x, e0->parts.data, e0->url_len);
	if (status)
		hub_buf_addf(&x, ",\"status\":%ld", status);
	if (answer && r->answer.len) {
		hub_buf_adds(&x, ",\"answer\":");
		hub_buf_json_string(&x, r->answer.data, r->answer.len);
	}
	if (r->attempts.len)
		hub_buf_addf(&x, ",\"attempts\":[%s]", hub_buf_cstr(&r->attempts));
	if (r->nev > 1)
		hub_buf_addf(&x, ",\"batch\":%d", r->nev);
	for (int i = 0; i < r->nev; i++)
		failed(d, r->ev[i], why, hub_buf_cstr(&x));
	hub_buf_free(&x);
	request_recycle(d, r);
}

static void say_gone(struct deliverer *d, const char *url)
{
	struct gone_url *g;

	if (is_gone(d, url))
		return;
	g = hub_xmalloc(sizeof(*g) + strlen(url) + 1);
	strcpy(g->url, url);
	g->next = d->gone;
	d->gone = g;
	d->t->gone++;
	hub_err("%s answered 410 Gone: the endpoint takes no more events; sending to it stops, and every "
	        "event for it goes to the failure store", url);
}

/* An attempt's answer. */
static void answered(struct deliverer *d, struct request *r, CURLcode result)
{
	long status = 0;
	curl_off_t retry_after = 0;
	char why[CURL_ERROR_SIZE + 64], reason[CURL_ERROR_SIZE + 512];
	enum hub_verdict v;
	double now = hub_now();

	curl_multi_remove_handle(d->multi, r->easy);
	d->inflight--;
	d->t->requests++;
	if (result == CURLE_OK)
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	v = hub_deliver_verdict(result, status, r->errbuf, why, sizeof(why));
	if (v == HUB_VERDICT_DELIVERED) {
		for (int i = 0; i < r->nev; i++)
			delivered(d, r->ev[i]);
		request_recycle(d, r);
		return;
	}
	note_attempt(r, why, status);
	if (v == HUB_VERDICT_GONE) {
		say_gone(d, r->ev[0]->parts.data);
		snprintf(reason, sizeof(reason), "refused: HTTP 410 Gone from %s: the endpoint takes no more "
		         "events (hub-deliver stopped sending to it)", r->ev[0]->parts.data);
		fail_request(d, r, reason, status, 1);
		return;
	}
	if (v == HUB_VERDICT_FAIL) {
		snprintf(reason, sizeof(reason), "refused: %s from %s%s", why, r->ev[0]->parts.data,
		         status ? " (not retried: the endpoint would refuse it again)" : "");
		fail_request(d, r, reason, status, 1);
		return;
	}
	/* retry, unless the tries or the time are used up */
	if (result == CURLE_OK)
		curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &retry_after);
	{
		long delay = retry_after > 0 ? (long)retry_after * 1000 : hub_deliver_backoff(d->o->retry_delay_ms, r->tries);
		double left = d->o->retry_max_ms / 1000.0 - (now - r->first);
		const char *over = NULL;

		if (is_gone(d, r->ev[0]->parts.data))
			over = "the endpoint said 410 Gone meanwhile";
		else if (hub_stop_count > 1)
			over = "interrupted";
		else if (r->tries > d->o->retries)
			over = "no retries left";
		else if (delay / 1000.0 > left)
			over = retry_after > 0 ? "Retry-After is past --retry-max-time" : "--retry-max-time is over";
		if (over) {
			snprintf(reason, sizeof(reason), "not delivered after %d attempt%s (%s): last %s from %s",
			         r->tries, r->tries == 1 ? "" : "s", over, why, r->ev[0]->parts.data);
			fail_request(d, r, reason, status, 1);
			return;
		}
		hub_debug("line %llu: %s; retry %d in %ld ms", (unsigned long long)r->ev[0]->line, why, r->tries,
		          delay);
		d->t->retries++;
		r->due = now + delay / 1000.0;
		r->next = d->waiting;
		d->waiting = r;
	}
}

static void take_answers(struct deliverer *d)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(d->multi, &left))) {
		struct request *r;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		answered(d, r, m->data.result);
	}
}

/* What waits (to retry, or to be sent) for the URLs gone, or for any URL
 * (all, interrupted twice), to the failure store. */
static void fail_waiting(struct deliverer *d, const char *why, int all)
{
	struct request **at = &d->waiting;
	struct event *e;

	while (*at) {
		struct request *r = *at;

		if (all || is_gone(d, r->ev[0]->parts.data)) {
			*at = r->next;
			fail_request(d, r, why, 0, 0);
		} else {
			at = &r->next;
		}
	}
	if (all)   /* failing one may make the next of its key ready: they go too */
		while ((e = pop_ready(d)))
			failed(d, e, why, NULL);
}

/* How long to wait for the network or the input, in ms. */
static int wait_ms(struct deliverer *d)
{
	double next = -1, now = hub_now();
	int ms = 1000;

	for (struct request *r = d->waiting; r; r = r->next)
		if (next < 0 || r->due < next)
			next = r->due;
	if (next >= 0) {
		double w = (next - now) * 1000 + 1;

		ms = w < 0 ? 0 : w < ms ? (int)w : ms;
	}
	if (d->ready && d->inflight < d->o->concurrency)
		ms = 0;
	return ms;
}

static void make_extra(struct deliverer *d)
{
	snprintf(d->t->extra, sizeof(d->t->extra), "\"delivered\":%llu,\"retries\":%llu,\"requests\":%llu,"
	         "\"gone\":%s", (unsigned long long)d->st->out, (unsigned long long)d->t->retries,
	         (unsigned long long)d->t->requests, d->gone ? "true" : "false");
}

static void serve_stats(struct deliverer *d)
{
	if (hub_stats_due()) {
		make_extra(d);
		hub_stats_print(d->st, d->t->extra);
	}
}

static int room(const struct deliverer *d)
{
	return d->pending < (uint64_t)d->window && d->pending_bytes < PENDING_BYTES;
}

static void common_headers(struct deliverer *d)
{
	const struct hub_deliver_opts *o = d->o;

	for (int i = 0; i < o->nheaders; i++)
		d->common = append(d->common, o->headers[i]);
}

int hub_deliver_run(int in_fd, const struct hub_deliver_opts *o, struct hub_stats *st, struct hub_deliver_tally *t)
{
	struct deliverer d = { 0 };
	struct hub_reader *r;
	struct hub_line l;
	int status = HUB_EXIT_OK, input_open = 1, running, stops = 0;
	uint64_t lines = 0;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		hub_die(HUB_EXIT_SOFTWARE, "libcurl could not be initialised");
	d.o = o;
	d.st = st;
	d.t = t;
	d.window = o->window > 0 ? o->window : o->concurrency * (o->batch > 1 ? o->batch : 1) * 4 + 64;
	d.tsize = 1024;
	while (d.tsize < (size_t)d.window * 2)
		d.tsize *= 2;
	d.table = hub_xcalloc(d.tsize, sizeof(*d.table));
	hub_shaper_init(&d.shape, o);
	common_headers(&d);
	if (o->bearer_file)
		d.bearer = hub_deliver_secret(o->bearer_file, "--bearer-file", &d.bearer_len);
	if (o->user_file) {
		d.userpwd = hub_deliver_secret(o->user_file, "--user-file", &d.userpwd_len);
		if (!strchr(d.userpwd, ':'))
			hub_die(HUB_EXIT_CONFIG, "--user-file %s: expected one line USER:PASSWORD", o->user_file);
	}
	if (o->webhook_secret_file)
		d.whsec = hub_webhook_secret(o->webhook_secret_file, &d.whsec_len);
	d.multi = curl_multi_init();
	if (!d.multi)
		hub_die(HUB_EXIT_SOFTWARE, "libcurl could not be initialised");
	curl_multi_setopt(d.multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(d.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->concurrency);
	curl_multi_setopt(d.multi, CURLMOPT_MAXCONNECTS, (long)o->concurrency + 4);

	/* before the first read: stream/ack.h */
	d.up = hub_ack_in_new(in_fd, 0);
	d.acks = hub_ack_lines_new(d.up);
	r = hub_reader_new(in_fd, o->max_line);
	hub_reader_set_interrupt(r, &hub_stop_requested);
	hub_reader_set_timeout(r, 0);   /* the wait is curl_multi_poll()'s */
	hub_service_ready();

	for (;;) {
		struct curl_waitfd fds[2];
		unsigned nfds = 0;

		if (d.io_error)
			input_open = 0;   /* the failure store cannot keep what fails: no further */
		while (input_open && room(&d)) {
			int rc = hub_reader_next(r, &l);

			if (rc == 0) {
				input_open = 0;
				break;
			}
			if (rc < 0) {
				if (errno != EINTR && errno != ETIMEDOUT) {
					hub_err("reading standard input: %s", strerror(errno));
					status = HUB_EXIT_IOERR;
					input_open = 0;
				}
				break;
			}
			lines++;
			st->in++;
			st->bytes_in += l.len + 1;
			hub_ack_lines_read(d.acks, l.number, hub_reader_consumed(r), !hub_reader_buffered(r));
			take_line(&d, &l);
			if (o->count && lines >= o->count)
				input_open = 0;
		}
		if (hub_stop_requested && !stops) {
			stops = 1;
			if (input_open)
				hub_warn("%s: stopped reading; delivering the %llu events read (a second signal sends "
				         "them to the failure store)", strsignal(hub_stop_requested),
				         (unsigned long long)d.pending);
			input_open = 0;
		}
		if (hub_stop_count > 1 && !d.interrupted) {
			d.interrupted = 1;
			fail_waiting(&d, "not delivered: interrupted", 1);
		}
		if (d.gone)
			fail_waiting(&d, gone_reason(&d), 0);
		dispatch(&d);
		curl_multi_perform(d.multi, &running);
		take_answers(&d);
		if (d.gone)
			fail_waiting(&d, gone_reason(&d), 0);
		dispatch(&d);
		hub_ack_in_retry(d.up);
		serve_stats(&d);
		if (!input_open && d.pending == 0)
			break;
		if (input_open && room(&d)) {
			fds[nfds].fd = in_fd;
			fds[nfds].events = CURL_WAIT_POLLIN;
			fds[nfds++].revents = 0;
		}
		if (hub_signal_fd() >= 0) {
			fds[nfds].fd = hub_signal_fd();
			fds[nfds].events = CURL_WAIT_POLLIN;
			fds[nfds++].revents = 0;
		}
		if (hub_reader_buffered(r) && input_open && room(&d))
			continue;
		curl_multi_poll(d.multi, fds, nfds, wait_ms(&d), NULL);
		hub_signal_drain();
	}
	/* every line read is delivered or in the failure store */
	if (!d.io_error)
		hub_ack_in_send(d.up, hub_reader_consumed(r));

	make_extra(&d);
	hub_reader_free(r);
	hub_ack_lines_free(d.acks);
	hub_ack_in_free(d.up);
	while (d.free_reqs) {
		struct request *q = d.free_reqs;

		d.free_reqs = q->next;
		curl_easy_cleanup(q->easy);
		curl_slist_free_all(q->hdrs);
		hub_buf_free(&q->body);
		hub_buf_free(&q->answer);
		hub_buf_free(&q->attempts);
		free(q->ev);
		free(q);
	}
	curl_multi_cleanup(d.multi);
	curl_slist_free_all(d.common);
	hub_shaper_free(&d.shape);
	hub_deliver_secret_free(d.bearer, d.bearer_len);
	hub_deliver_secret_free(d.userpwd, d.userpwd_len);
	hub_deliver_secret_free((char *)d.whsec, d.whsec_len);
	free(d.table);
	hub_buf_free(&d.tmp);
	curl_global_cleanup();
	if (status == HUB_EXIT_OK && d.gone)
		status = HUB_EXIT_UNAVAILABLE;
	while (d.gone) {
		struct gone_url *g = d.gone;

		d.gone = g->next;
		free(g);
	}
	if (status == HUB_EXIT_OK && st->failed > 0)
		status = HUB_EXIT_FAILED;
	return status;
}
