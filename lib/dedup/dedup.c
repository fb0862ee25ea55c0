/* dedup/dedup.c: the hub-dedup loop: key, hash, look up, write or drop, record.
 *
 * One pass per event: hub_json_scan() validates the line and captures the
 * key fields (and `time`) as spans; the key is the spans' canonical text
 * (json/canon-internal.h), one per line, hashed to 128 bits with SipHash-2-4 (libsodium's
 * crypto_shorthash_siphashx24: BLAKE2b measured 40% of the run time) under
 * the state's secret key, so nobody can craft colliding keys.
 * The loop is hub_filter_run() (stream/filter.c), which writes kept events in
 * batches; the keys of the events in a batch are staged and go to the
 * state file only in its safe hook, i.e. once the batch is safe
 * downstream: written, or, when another hub tool reads the output,
 * acknowledged by it (stream/ack.h), so an event that comes back after a
 * crash further down the pipeline passes again instead of being dropped
 * as a duplicate of itself. Duplicates for --dups follow each batch as it
 * is written. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/buf.h"
#include "json/canon-internal.h"
#include "dedup/dedup.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"
#include "core/metrics.h"
#include "stream/filter.h"
#include "json/scan.h"
#include "stream/ndjson.h"
#include "dedup/seenset-internal.h"
#include "core/signals.h"
#include "dedup/statefile-internal.h"
#include "core/time.h"

struct hub_dedup {
	const struct hub_dedup_opts *o;
	struct hub_path *paths;       /* key paths, then `time` when needed */
	int npaths, nkeypaths, time_index;
	struct hub_json *js;
	struct hub_span found[HUB_JSON_MAX_PATHS];
	struct hub_canon *canon;
	struct hub_buf key;           /* the canonical key text of one event */
	struct hub_buf msg;
	unsigned char hashkey[HUB_STATE_KEYBYTES];
	struct hub_seenset *set;
	struct hub_statefile *state;
	struct hub_buf dups;
	int dups_fd;
	int dups_broken;
	uint64_t dropped, expired;
	char extra[160];
};

static void spec_text(const struct hub_dedup_opts *o, struct hub_buf *b)
{
	if (o->content) {
		hub_buf_adds(b, "content");
		return;
	}
	hub_buf_adds(b, "key:");
	if (!o->keys) {
		hub_buf_adds(b, "source,id");
		return;
	}
	for (int i = 0; i < o->nkeys; i++) {
		if (i)
			hub_buf_addc(b, ',');
		hub_buf_adds(b, o->keys[i].text);
	}
}

static void add_path(struct hub_dedup *d, const char *text)
{
	char err[256];

	if (hub_path_parse(text, &d->paths[d->npaths], err, sizeof(err)) < 0)
		hub_die(HUB_EXIT_SOFTWARE, "%s", err);
	d->npaths++;
}

struct hub_dedup *hub_dedup_new(const struct hub_dedup_opts *o, int *status)
{
	struct hub_dedup *d = hub_xcalloc(1, sizeof(*d));
	int nkeys = o->content ? 0 : o->keys ? o->nkeys : 2;

	d->o = o;
	d->dups_fd = -1;
	d->time_index = -1;
	if (nkeys + 1 > HUB_JSON_MAX_PATHS) {
		hub_err("too many --key paths (%d, at most %d)", nkeys, HUB_JSON_MAX_PATHS - 1);
		*status = HUB_EXIT_USAGE;
		free(d);
		return NULL;
	}
	/* Own copies, so that one array holds the key paths and `time`. */
	d->paths = hub_xcalloc((size_t)nkeys + 1, sizeof(*d->paths));
	if (o->keys) {
		for (int i = 0; i < nkeys; i++)
			add_path(d, o->keys[i].text);
	} else if (!o->content) {
		add_path(d, "source");
		add_path(d, "id");
	}
	d->nkeypaths = d->npaths;
	if (o->window && !o->by_arrival) {
		d->time_index = d->npaths;
		add_path(d, "time");
	}
	d->js = hub_json_new();
	hub_json_set_paths(d->js, d->paths, d->npaths);
	d->canon = hub_canon_new();
	d->set = hub_seenset_new(o->max_keys, o->window);

	if (o->state_path) {
		char err[768];

		spec_text(o, &d->msg);
		d->state = hub_statefile_open(o->state_path, hub_buf_cstr(&d->msg), d->set, d->hashkey,
		                              err, sizeof(err), status);
		if (!d->state) {
			hub_err("%s", err);
			hub_dedup_free(d);
			return NULL;
		}
		if (o->window && o->by_arrival)
			hub_seenset_expire(d->set, (uint32_t)time(NULL));
		hub_info("state file %s: %llu keys remembered", o->state_path,
		         (unsigned long long)hub_seenset_count(d->set));
	} else {
		randombytes_buf(d->hashkey, sizeof(d->hashkey));
	}
	if (o->dups_path) {
		d->dups_fd = open(o->dups_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (d->dups_fd < 0) {
			hub_err("--dups %s: %s", o->dups_path, strerror(errno));
			*status = HUB_EXIT_IOERR;
			hub_dedup_free(d);
			return NULL;
		}
	}
	return d;
}

/* The filter's flushed hook: the events kept so far are written, so
 * their keys form a batch, recorded once the events are safe (below);
 * the duplicates follow now. */
static void flushed(void *ctx)
{
	struct hub_dedup *d = ctx;

	if (d->state)
		hub_statefile_seal(d->state);
	if (d->dups.len > 0 && !d->dups_broken && hub_write_all(d->dups_fd, d->dups.data, d->dups.len) < 0) {
		hub_err("--dups %s: %s", d->o->dups_path, strerror(errno));
		d->dups_broken = 1;
	}
	hub_buf_reset(&d->dups);
	if (d->o->window && d->o->by_arrival)
		hub_seenset_expire(d->set, (uint32_t)time(NULL));
}

/* The filter's safe hook: the events of the oldest n batches are safe
 * downstream (stored by the last hub tool of the pipeline, or written
 * where no hub tool reads), so their keys may be recorded. */
static int safe(void *ctx, size_t n)
{
	struct hub_dedup *d = ctx;

	return d->state ? hub_statefile_commit(d->state, d->set, n) : 0;
}

/* The batch could not be written: neither are its keys. */
static void unwritten(void *ctx)
{
	struct hub_dedup *d = ctx;

	if (d->state)
		hub_statefile_discard(d->state);
	hub_info("the events not written are not remembered either");
}

/* Duplicates waiting for --dups count toward the batch. */
static size_t held(void *ctx)
{
	const struct hub_dedup *d = ctx;

	return d->dups.len;
}

static enum hub_filter_verdict fail(struct hub_dedup *d, const struct hub_line *l, const char *why, int is_json,
                                    const char *extra)
{
	hub_failstore_add(d->o->failstore, why, l->number, l->data, l->len, is_json, extra);
	return HUB_FILTER_FAIL;
}

/* The event's time in seconds for the window, or -1 (reason in d->msg). */
static int64_t event_time(struct hub_dedup *d)
{
	const struct hub_span *v = &d->found[d->time_index];
	int64_t t;

	hub_buf_reset(&d->msg);
	if (v->type == HUB_JSON_STRING) {
		hub_json_unescape(v->p, v->len, &d->msg);
		if (hub_time_parse(d->msg.data, d->msg.len, &t) == 0) {
			t = t >= 0 ? t / 1000 : (t - 999) / 1000;
			return t < 0 ? 0 : t > UINT32_MAX ? UINT32_MAX : t;
		}
		hub_buf_reset(&d->msg);
		hub_buf_adds(&d->msg, "'time' is not an RFC 3339 time (2026-03-01T08:00:00Z)");
	} else {
		hub_buf_addf(&d->msg, "'time' is %s, not an RFC 3339 time string", hub_json_type_name(v->type));
	}
	hub_buf_adds(&d->msg, "; --window counts in event time (use --window-by arrival for events without one)");
	hub_buf_cstr(&d->msg);
	return -1;
}

/* The canonical key text of the event in d->key; -1 if a key field is
 * missing (reason in d->msg). */
static int key_text(struct hub_dedup *d, const char *line, size_t len)
{
	hub_buf_reset(&d->key);
	if (d->o->content) {
		hub_canon_value(d->canon, line, len, &d->key);
		return 0;
	}
	for (int i = 0; i < d->nkeypaths; i++) {
		const struct hub_span *v = &d->found[i];

		if (v->type == HUB_JSON_NONE) {
			hub_buf_reset(&d->msg);
			hub_buf_addf(&d->msg, "no key: the event has no '%s'", d->paths[i].text);
			if (!d->o->keys)
				hub_buf_adds(&d->msg, " (the default key is source + id; see --key, --content)");
			hub_buf_cstr(&d->msg);
			return -1;
		}
		if (v->type == HUB_JSON_STRING && !memchr(v->p, '\\', v->len))
			hub_buf_add(&d->key, v->p, v->len);
		else
			hub_canon_value(d->canon, v->p, v->len, &d->key);
		hub_buf_addc(&d->key, '\n');
	}
	return 0;
}

/* One line: PASS (a new key, or too old for the window), DROP (a
 * duplicate) or FAIL. */
static enum hub_filter_verdict handle(void *ctx, const struct hub_line *l, const char **data, size_t *len)
{
	struct hub_dedup *d = ctx;
	enum hub_json_type top;
	unsigned char hash[16];
	struct hub_seen_key key;
	int64_t t = 0;

	if (l->status == HUB_LINE_TOO_LONG) {
		char why[160], extra[64];

		hub_line_too_long_reason(l, why, sizeof(why), extra, sizeof(extra));
		return fail(d, l, why, 0, extra);
	}
	memset(d->found, 0, sizeof(d->found[0]) * (size_t)d->npaths);
	if (hub_json_scan(d->js, l->data, l->len, d->found, &top) < 0) {
		return fail(d, l, hub_json_error(d->js), 0, NULL);
	}
	if (top != HUB_JSON_OBJECT) {
		return fail(d, l, hub_not_object_reason(top), 1, NULL);
	}
	if (d->time_index >= 0 && (t = event_time(d)) < 0) {
		return fail(d, l, d->msg.data, 1, NULL);
	}
	if (d->o->by_arrival)
		t = time(NULL);
	if (key_text(d, l->data, l->len) < 0) {
		return fail(d, l, d->msg.data, 1, NULL);
	}
	/* SipHash-2-4 with 128-bit output, keyed with the second half of the
	 * state's key (the first half keys the state file's checksums) */
	crypto_shorthash_siphashx24(hash, (const unsigned char *)d->key.data, d->key.len, d->hashkey + 16);
	memcpy(&key, hash, sizeof(key));
	switch (hub_seenset_add(d->set, &key, (uint32_t)t)) {
	case HUB_SEEN_DUP:
		d->dropped++;
		if (d->dups_fd >= 0) {
			hub_buf_add(&d->dups, l->data, l->len);
			hub_buf_addc(&d->dups, '\n');
		}
		return HUB_FILTER_DROP;
	case HUB_SEEN_NEW:
		if (d->state)
			hub_statefile_stage(d->state, &key, t);
		break;
	case HUB_SEEN_EXPIRED:
		d->expired++;
		break;
	}
	*data = l->data;
	*len = l->len;
	return HUB_FILTER_PASS;
}

const char *hub_dedup_stats_extra(struct hub_dedup *d)
{
	snprintf(d->extra, sizeof(d->extra), "\"dropped\":%llu,\"too_old\":%llu,\"keys\":%llu,\"key_bytes\":%llu",
	         (unsigned long long)d->dropped, (unsigned long long)d->expired,
	         (unsigned long long)hub_seenset_count(d->set), (unsigned long long)hub_seenset_bytes(d->set));
	return d->extra;
}

uint64_t hub_dedup_dropped(const struct hub_dedup *d)
{
	return d->dropped;
}

static const char *stats_extra(void *ctx)
{
	return hub_dedup_stats_extra(ctx);
}

int hub_dedup_run(struct hub_dedup *d, int in_fd, int out_fd, struct hub_stats *st)
{
	struct hub_filter f = { .ctx = d, .line = handle, .flushed = flushed, .safe = safe, .unwritten = unwritten,
	                        .held = held, .stats_extra = stats_extra };
	struct hub_reader *r = hub_reader_new(in_fd, d->o->max_line ? d->o->max_line : HUB_MAX_LINE_DEFAULT);
	int status;

	hub_metrics_counter("duplicates_dropped", "Events dropped as copies of events already passed "
	                    "(as --stats \"dropped\").", &d->dropped);
	status = hub_filter_run(&f, r, in_fd, out_fd, st);

	if (hub_stop_requested)
		hub_info("%s: stopping; every event read has been handled", strsignal(hub_stop_requested));
	hub_reader_free(r);
	if ((status == HUB_EXIT_OK || status == HUB_EXIT_FAILED) && d->dups_broken)
		status = HUB_EXIT_IOERR;
	return status;
}

int hub_dedup_free(struct hub_dedup *d)
{
	int rc = 0;

	if (!d)
		return 0;
	if (d->state && hub_statefile_close(d->state) < 0)
		rc = -1;
	if (d->dups_fd >= 0) {
		if (fsync(d->dups_fd) < 0 && errno != EINVAL)
			rc = -1;
		if (close(d->dups_fd) < 0)
			rc = -1;
	}
	if (d->dups_broken)
		rc = -1;
	hub_seenset_free(d->set);
	hub_canon_free(d->canon);
	hub_json_free(d->js);
	if (d->paths)
		hub_paths_free(d->paths, d->npaths);
	hub_buf_free(&d->key);
	hub_buf_free(&d->msg);
	hub_buf_free(&d->dups);
	sodium_memzero(d->hashkey, sizeof(d->hashkey));
	free(d);
	return rc;
}
