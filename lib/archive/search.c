/* archive/search.c: the search behind find, trace and show.
 *
 * Segments are taken an hour at a time (every partition of that hour),
 * candidates are copied into an arena, sorted by event time (ties keep the
 * segment order, i.e. the order they were written in) and handed over;
 * then the next hour. A segment's hour is its events' hour, so this is a
 * global time order with one hour of matches in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "archive/segindex-internal.h"
#include "archive/search.h"
#include "archive/dayindex-internal.h"
#include "core/diag.h"
#include "archive/segment-internal.h"

struct cand {
	int64_t time;
	uint64_t order;
	size_t at, len;      /* in the arena */
	size_t seg;          /* index in the segment list */
	uint64_t offset;
};

struct search {
	const struct hub_query *q;
	struct hub_arec_parser *parser;
	struct hub_buf tmp;
	struct hub_buf arena;
	struct cand *c;
	size_t nc, capc;
	uint64_t order, emitted;
	struct hub_seginfo *segs;
	size_t nsegs, capsegs;
	int64_t from_hour, to_hour;
	struct hub_search_stats *st;
	int damaged;
	int stop;
	int overdue;         /* q->deadline passed */
};

/* Whether the query's deadline has passed (then the search stops). */
static int overdue(struct search *s)
{
	struct timespec ts;

	if (!s->q->deadline || s->overdue)
		return s->overdue;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 > s->q->deadline)
		s->overdue = s->stop = 1;
	return s->overdue;
}

static int field_ok(struct search *s, const struct hub_span *v, const char *want)
{
	return !want || hub_span_equals(v, &s->tmp, want, strlen(want));
}

/* Quick rejection without parsing: a wanted value must appear in the raw
 * bytes, unless the line has escapes (then it might be written escaped). */
static int prefilter(struct search *s, const char *line, size_t len)
{
	const struct hub_query *q = s->q;
	const char *want[4] = { q->type, q->source, q->id, q->subject };

	if (q->text && !memmem(line, len, q->text, strlen(q->text)))
		return 0;
	if (memchr(line, '\\', len))
		return 1;
	for (int i = 0; i < 4; i++)
		if (want[i] && !memmem(line, len, want[i], strlen(want[i])))
			return 0;
	return 1;
}

static int matches(struct search *s, const char *line, size_t len, int64_t seg_hour,
                   struct hub_arec *rec, int64_t *time)
{
	const struct hub_query *q = s->q;
	const char *why;

	if (hub_arec_parse(s->parser, line, len, rec, &why) != 0)
		return 0;
	if (!field_ok(s, &rec->id, q->id) || !field_ok(s, &rec->subject, q->subject) ||
	    !field_ok(s, &rec->type, q->type) || !field_ok(s, &rec->source, q->source))
		return 0;
	*time = rec->has_time ? rec->time_ms : seg_hour * 3600000;
	if (*time < q->since || *time >= q->until)
		return 0;
	if (q->regex && !hub_regex_match(q->regex, line, len))
		return 0;
	return 1;
}

static void candidate(struct search *s, const char *line, size_t len, size_t seg, uint64_t off,
                      int64_t hour)
{
	struct hub_arec rec;
	int64_t time;

	s->st->candidates++;
	if (!matches(s, line, len, hour, &rec, &time))
		return;
	if (s->nc == s->capc) {
		s->capc = s->capc ? s->capc * 2 : 64;
		s->c = hub_xrealloc(s->c, s->capc * sizeof(*s->c));
	}
	s->c[s->nc++] = (struct cand){ time, s->order++, s->arena.len, len, seg, off };
	hub_buf_add(&s->arena, line, len);
}

/* Every whole line of data (starting at uncompressed offset uoff). */
static void scan(struct search *s, const char *data, size_t len, uint64_t uoff, size_t seg,
                 int64_t hour)
{
	const char *end = data + len, *p = data, *nl;
	const char *text = s->q->text;
	size_t tlen = text ? strlen(text) : 0;

	s->st->scanned_bytes += len;
	while (p < end) {
		if (text) {
			/* jump to the next occurrence, then back to its line's start */
			const char *hit = memmem(p, (size_t)(end - p), text, tlen);

			if (!hit)
				return;
			while (hit > p && hit[-1] != '\n')
				hit--;
			p = hit;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return;
		if (prefilter(s, p, (size_t)(nl - p)))
			candidate(s, p, (size_t)(nl - p), seg, uoff + (uint64_t)(p - data), hour);
		p = nl + 1;
	}
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static void emit(struct search *s, hub_hit_fn fn, void *ctx)
{
	struct hub_arec rec;
	const char *why;

	if (s->nc > 1)
		qsort(s->c, s->nc, sizeof(*s->c), cmp_cand);
	for (size_t i = 0; i < s->nc && !s->stop; i++) {
		struct cand *c = &s->c[i];
		struct hub_hit hit = { s->arena.data + c->at, c->len, &rec, s->segs[c->seg].base,
		                       s->segs[c->seg].compressed, c->offset };

		hub_arec_parse(s->parser, hit.line, hit.len, &rec, &why);
		s->st->results++;
		if (fn(ctx, &hit) != 0 || (s->q->limit && ++s->emitted >= s->q->limit))
			s->stop = 1;
	}
	s->nc = 0;
	hub_buf_reset(&s->arena);
}

static void damaged(struct search *s, const char *what)
{
	hub_err("%s", what);
	s->damaged = 1;
}

/* One segment: index look-ups where an index helps, scanning otherwise. */
static void search_segment(struct search *s, size_t i)
{
	const struct hub_seginfo *si = &s->segs[i];
	const struct hub_query *q = s->q;
	struct hub_aindex ix;
	struct hub_segment seg;
	struct hub_buf path = { 0 };
	int have_ix = 0, open = 0;
	uint64_t from = 0;
	const char *data;
	size_t len;
	uint64_t uoff;
	char err[512];
	s->st->segments++;
	if (q->id || q->subject) {
		hub_buf_addf(&path, "%s.idx", si->base);
		if (hub_aindex_open(hub_buf_cstr(&path), &ix) == 0) {
			hub_buf_reset(&path);
			hub_buf_addf(&path, "%s.ndjson%s", si->base, si->compressed ? ".zst" : "");
			if (!si->compressed || ix.nframes > 0 || ix.covered == 0)
				have_ix = 1;
			else
				hub_aindex_close(&ix);
		}
	}
	hub_buf_reset(&path);
	hub_buf_addf(&path, "%s.ndjson%s", si->base, si->compressed ? ".zst" : "");
	hub_buf_cstr(&path);
	if (have_ix) {
		enum hub_aindex_kind kind = q->id ? HUB_AINDEX_ID : HUB_AINDEX_SUBJECT;
		const char *key = q->id ? q->id : q->subject;
		size_t n = hub_aindex_find(&ix, kind, hub_aindex_hash(key, strlen(key)));
		const struct hub_aindex_entry *e = ix.hits;

		s->st->indexed++;
		from = ix.covered;
		if (n && si->compressed && hub_aindex_load_frames(&ix) != 0) {
			snprintf(err, sizeof(err), "%s.idx: damaged frame table; remove it to have "
			         "the segment scanned", si->base);
			damaged(s, err);
			goto out;
		}
		if (n) {
			if (hub_segment_open(&seg, path.data, si->compressed, err, sizeof(err)) != 0) {
				damaged(s, err);
				goto out;
			}
			open = 1;
		}
		for (size_t k = 0; k < n; k++) {
			const char *line;
			size_t ll;

			if (hub_segment_line_at(&seg, &ix, e[k].off, &line, &ll) != 0) {
				snprintf(err, sizeof(err), "%s: the index points past the data; "
				         "remove %s.idx to have it scanned", path.data, si->base);
				damaged(s, err);
				continue;
			}
			candidate(s, line, ll, i, e[k].off, si->hour);
		}
		/* an index is written when its segment is closed, so it covers it all;
		 * lines past it (a copied-back older index) are scanned all the same */
		if (si->compressed || !open || seg.size <= from)
			goto out;
		hub_segment_seek(&seg, from);
	} else {
		if (hub_segment_open(&seg, path.data, si->compressed, err, sizeof(err)) != 0) {
			damaged(s, err);
			goto out;
		}
		open = 1;
	}
	while (!overdue(s)) {
		int r = hub_segment_next(&seg, &data, &len, &uoff, err, sizeof(err));

		if (r < 0) {
			char msg[800];

			snprintf(msg, sizeof(msg), "%s: %s", path.data, err);
			damaged(s, msg);
		}
		if (r <= 0)
			break;
		scan(s, data, len, uoff, i, si->hour);
	}
out:
	if (open)
		hub_segment_close(&seg);
	if (have_ix)
		hub_aindex_close(&ix);
	hub_buf_free(&path);
}

/* The lines at offs of segment i (from a day index) become candidates. */
static void fetch(struct search *s, size_t i, const uint64_t *offs, size_t n)
{
	const struct hub_seginfo *si = &s->segs[i];
	struct hub_aindex ix = { .fd = -1 };
	struct hub_segment seg;
	struct hub_buf path = { 0 };
	char err[512];

	if (si->compressed) {
		hub_buf_addf(&path, "%s.idx", si->base);
		if (hub_aindex_open(hub_buf_cstr(&path), &ix) != 0 || hub_aindex_load_frames(&ix) != 0) {
			snprintf(err, sizeof(err), "%s: missing or damaged; remove %s/%s to have the "
			         "day searched segment by segment", path.data, si->base, "../" HUB_DAYINDEX_NAME);
			damaged(s, err);
			goto out;
		}
	}
	hub_buf_reset(&path);
	hub_buf_addf(&path, "%s.ndjson%s", si->base, si->compressed ? ".zst" : "");
	if (hub_segment_open(&seg, hub_buf_cstr(&path), si->compressed, err, sizeof(err)) != 0) {
		damaged(s, err);
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		const char *line;
		size_t len;

		if (hub_segment_line_at(&seg, &ix, offs[k], &line, &len) != 0) {
			snprintf(err, sizeof(err), "%s: the day index points past the data; remove %s to "
			         "have the day searched segment by segment", path.data, HUB_DAYINDEX_NAME);
			damaged(s, err);
			continue;
		}
		candidate(s, line, len, i, offs[k], si->hour);
	}
	hub_segment_close(&seg);
out:
	hub_aindex_close(&ix);
	hub_buf_free(&path);
}

/* Adds segment DIR/part/.../HH[.seq] of a day index hit to the list: its
 * index, or -1 when it is gone (pruned since). */
static long push_seg(struct search *s, const char *daydir, const char *part, int64_t hour, int seq)
{
	struct hub_buf base = { 0 }, f = { 0 };
	int zst, plain;
	int64_t hh = hour % 24;

	hub_buf_addf(&base, "%s/%02d", daydir, (int)(hh < 0 ? hh + 24 : hh));
	if (seq > 0)
		hub_buf_addf(&base, ".%d", seq);
	hub_buf_addf(&f, "%s.ndjson.zst", hub_buf_cstr(&base));
	zst = access(hub_buf_cstr(&f), F_OK) == 0;
	f.len -= 4;
	plain = !zst && access(hub_buf_cstr(&f), F_OK) == 0;
	hub_buf_free(&f);
	if (!zst && !plain) {
		hub_buf_free(&base);
		return -1;
	}
	if (s->nsegs == s->capsegs) {
		s->capsegs = s->capsegs ? s->capsegs * 2 : 64;
		s->segs = hub_xrealloc(s->segs, s->capsegs * sizeof(*s->segs));
	}
	s->segs[s->nsegs] = (struct hub_seginfo){ .base = base.data, .part = hub_xstrdup(part),
	                                          .hour = hour, .seq = seq, .plain = plain,
	                                          .compressed = zst };
	return (long)s->nsegs++;
}

/* A look-up in one day directory: through its day index when it has one
 * (the writer removes it before it adds to the day, so it then covers the
 * whole day and the directory need not even be listed), else segment by
 * segment. */
static void lookup_day(void *ctx, const char *daydir, const char *part, int64_t day)
{
	struct search *s = ctx;
	const struct hub_query *q = s->q;
	struct hub_dayindex dx;
	size_t first = s->nsegs;

	if (overdue(s))
		return;
	if (hub_dayindex_open(daydir, &dx) == 0) {
		const char *key = q->id ? q->id : q->subject;
		size_t n = hub_dayindex_find(&dx, q->id ? HUB_AINDEX_ID : HUB_AINDEX_SUBJECT,
		                             hub_aindex_hash(key, strlen(key)));

		s->st->day_indexes++;
		s->st->segments += dx.nsegs;
		s->st->indexed += dx.nsegs;
		for (size_t k = 0; k < n; k++) {
			const struct hub_dayindex_seg *ds = &dx.segs[dx.hits[k].seg];
			int64_t hour = day * 24 + ds->hh;
			long i;

			if (hour < s->from_hour || hour > s->to_hour)
				continue;
			if ((i = push_seg(s, daydir, part, hour, (int)ds->seq)) >= 0)
				fetch(s, (size_t)i, &dx.hits[k].off, 1);
		}
		hub_dayindex_close(&dx);
		return;
	}
	hub_seg_list_day(daydir, part, day, s->from_hour, s->to_hour, &s->segs, &s->nsegs, &s->capsegs);
	for (size_t i = first; i < s->nsegs && !overdue(s); i++)
		search_segment(s, i);
}

int hub_archive_find(const char *dir, const struct hub_query *q, hub_hit_fn fn, void *ctx,
                     struct hub_search_stats *st, char *err, size_t errlen)
{
	struct search s = { .q = q };
	struct hub_search_stats dummy = { 0 };
	size_t n = 0, i = 0;
	int rc;
	int64_t from = q->since == INT64_MIN ? INT64_MIN : q->since / 3600000 - 1;
	int64_t to = q->until == INT64_MAX ? INT64_MAX : q->until / 3600000 + 1;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium could not be initialised");
		return -1;
	}
	s.st = st ? st : &dummy;
	s.from_hour = from;
	s.to_hour = to;
	s.parser = hub_arec_parser_new();
	if (q->id || q->subject) {
		/* look-ups: a day directory at a time; the results (a handful) are
		 * sorted once at the end */
		rc = hub_seg_walk_days(dir, from, to, lookup_day, &s, err, errlen);
		if (rc == 0)
			emit(&s, fn, ctx);
	} else if ((rc = hub_seg_list(dir, from, to, 1, &s.segs, &n, err, errlen)) == 0) {
		s.nsegs = n;
	}
	while (rc == 0 && i < n && !s.stop) {
		size_t j = i;

		while (j < n && s.segs[j].hour == s.segs[i].hour && !overdue(&s))
			search_segment(&s, j++);
		if (s.overdue)
			break;
		emit(&s, fn, ctx);
		i = j;
	}
	hub_arec_parser_free(s.parser);
	hub_seg_list_free(s.segs, s.nsegs);
	hub_buf_free(&s.tmp);
	hub_buf_free(&s.arena);
	free(s.c);
	if (rc == 0 && s.overdue) {
		snprintf(err, errlen, "the search took longer than it may and was stopped");
		return -2;
	}
	if (rc == 0 && s.damaged) {
		snprintf(err, errlen, "some segments could not be read (see above)");
		return -1;
	}
	return rc;
}

void hub_search_stats_print(const struct hub_search_stats *st, const char *cmd)
{
	fprintf(stderr, "{\"tool\":\"%s\",\"command\":\"%s\",\"segments\":%llu,\"indexed\":%llu,"
	        "\"day_indexes\":%llu,\"scanned_bytes\":%llu,\"candidates\":%llu,\"results\":%llu}\n",
	        hub_progname, cmd, (unsigned long long)st->segments, (unsigned long long)st->indexed,
	        (unsigned long long)st->day_indexes, (unsigned long long)st->scanned_bytes,
	        (unsigned long long)st->candidates, (unsigned long long)st->results);
}
