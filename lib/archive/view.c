/* archive/view.c: the trace table, the show form, and printing search results
 * (with what find, trace and show exit with).
 *
 * Cells hold decoded text; control characters are shown as '?', so an
 * event cannot move the cursor or clear the support engineer's screen. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/segment-internal.h"
#include "archive/view.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/time.h"
#include "json/pretty-internal.h"
#include "stream/failures.h"

#define NCOLS 7

static const char *const heads[NCOLS] = {
	"TIME", "TYPE", "ID", "SOURCE", "TOPIC", "PARTITION", "OFFSET",
};

struct hub_table {
	char **cells;        /* rows * NCOLS */
	size_t rows, cap;
	struct hub_buf tmp;
};

struct hub_table *hub_table_new(void)
{
	return hub_xcalloc(1, sizeof(struct hub_table));
}

static char *cell(struct hub_table *t, const struct hub_span *v)
{
	hub_buf_reset(&t->tmp);
	if (v->type == HUB_JSON_NONE || hub_json_span_text(v, &t->tmp) != 0) {
		hub_buf_reset(&t->tmp);
		hub_buf_addc(&t->tmp, '-');
	}
	for (size_t i = 0; i < t->tmp.len; i++)
		if ((unsigned char)t->tmp.data[i] < 0x20 || t->tmp.data[i] == 0x7f)
			t->tmp.data[i] = '?';
	return hub_xstrdup(hub_buf_cstr(&t->tmp));
}

void hub_table_add(struct hub_table *t, const struct hub_hit *hit)
{
	const struct hub_arec *r = hit->rec;
	char **row;

	if (t->rows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = hub_xrealloc(t->cells, t->cap * NCOLS * sizeof(*t->cells));
	}
	row = t->cells + t->rows++ * NCOLS;
	if (r->has_time) {
		char ts[40];

		hub_time_format(r->time_ms, ts, sizeof(ts));
		row[0] = hub_xstrdup(ts);
	} else {
		row[0] = cell(t, &r->time);
	}
	row[1] = cell(t, &r->type);
	row[2] = cell(t, &r->id);
	row[3] = cell(t, &r->source);
	row[4] = cell(t, &r->topic);
	row[5] = cell(t, &r->partition);
	row[6] = cell(t, &r->offset);
}

/* Display width of UTF-8 text: code points (close enough for names). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

size_t hub_table_print(struct hub_table *t, FILE *out)
{
	size_t w[NCOLS];

	for (int c = 0; c < NCOLS; c++) {
		w[c] = strlen(heads[c]);
		for (size_t r = 0; r < t->rows; r++) {
			size_t x = width(t->cells[r * NCOLS + c]);

			if (x > w[c])
				w[c] = x;
		}
	}
	for (size_t r = 0; r <= t->rows; r++)
		for (int c = 0; c < NCOLS; c++) {
			const char *s = r == 0 ? heads[c] : t->cells[(r - 1) * NCOLS + c];

			if (c == NCOLS - 1)
				fprintf(out, "%s\n", s);
			else
				fprintf(out, "%s%*s  ", s, (int)(w[c] - width(s)), "");
		}
	return t->rows;
}

void hub_table_free(struct hub_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->rows * NCOLS; i++)
		free(t->cells[i]);
	free(t->cells);
	hub_buf_free(&t->tmp);
	free(t);
}

static void member(struct hub_buf *b, const char *name, const struct hub_span *v)
{
	if (v->type == HUB_JSON_NONE)
		return;
	hub_buf_addf(b, ",\"%s\":", name);
	hub_buf_add(b, v->p, v->len);
}

void hub_show_format(struct hub_buf *out, const struct hub_hit *hit)
{
	const struct hub_arec *r = hit->rec;
	struct hub_buf b = { 0 }, path = { 0 };

	hub_buf_addf(&path, "%s.ndjson%s", hit->segment, hit->compressed ? ".zst" : "");
	hub_buf_adds(&b, "{\"archive\":{\"segment\":");
	hub_buf_json_string(&b, path.data, path.len);
	hub_buf_free(&path);
	hub_buf_addf(&b, ",\"offset\":%llu", (unsigned long long)hit->offset);
	if (r->has_time) {
		char ts[40];

		hub_time_format(r->time_ms, ts, sizeof(ts));
		hub_buf_addf(&b, ",\"time\":\"%s\"", ts);
	}
	hub_buf_addc(&b, '}');
	if (r->envelope) {
		hub_buf_adds(&b, ",\"kafka\":{\"topic\":");
		hub_buf_add(&b, r->topic.p, r->topic.len);
		member(&b, "partition", &r->partition);
		member(&b, "offset", &r->offset);
		member(&b, "timestamp", &r->timestamp);
		if (r->timestamp.type == HUB_JSON_NUMBER && r->timestamp.len < 20) {
			/* Kafka's milliseconds, as a time a person reads */
			char num[24], ts[40], *end;
			long long ms;

			memcpy(num, r->timestamp.p, r->timestamp.len);
			num[r->timestamp.len] = '\0';
			ms = strtoll(num, &end, 10);
			if (*end == '\0' && ms >= 0) {
				hub_time_format(ms, ts, sizeof(ts));
				hub_buf_addf(&b, ",\"timestamp_time\":\"%s\"", ts);
			}
		}
		member(&b, "key", &r->key);
		member(&b, "headers", &r->headers);
		hub_buf_adds(&b, "},\"event\":");
		hub_buf_add(&b, r->value.p, r->value.len);
	} else {
		hub_buf_adds(&b, ",\"event\":");
		hub_buf_add(&b, hit->line, hit->len);
	}
	hub_buf_addc(&b, '}');
	hub_json_pretty(out, b.data, b.len, 0);
	hub_buf_addc(out, '\n');
	hub_buf_free(&b);
}

struct printer {
	struct hub_view *v;
	FILE *out;
	struct hub_buf buf;
	struct hub_table *table;
};

static int flush_buf(struct printer *p)
{
	if (p->buf.len && fwrite(p->buf.data, 1, p->buf.len, p->out) != p->buf.len)
		p->v->io_error = 1;
	hub_buf_reset(&p->buf);
	return p->v->io_error;
}

static int on_hit(void *ctx, const struct hub_hit *h)
{
	struct printer *p = ctx;

	if (p->table) {
		hub_table_add(p->table, h);
		return 0;
	}
	if (p->v->show) {
		hub_show_format(&p->buf, h);
	} else if (p->v->events && h->rec->envelope) {
		hub_buf_add(&p->buf, h->rec->value.p, h->rec->value.len);
		hub_buf_addc(&p->buf, '\n');
	} else {
		hub_buf_add(&p->buf, h->line, h->len);
		hub_buf_addc(&p->buf, '\n');
	}
	return p->buf.len > (1 << 16) ? flush_buf(p) : 0;
}

int hub_view_search(const char *dir, const struct hub_query *q, struct hub_view *v, FILE *out,
                    struct hub_search_stats *st, char *err, size_t errlen)
{
	struct printer p = { .v = v, .out = out };
	int rc;

	if (v->table)
		p.table = hub_table_new();
	rc = hub_archive_find(dir, q, on_hit, &p, st, err, errlen);
	if (p.table) {
		if (p.table->rows)
			hub_table_print(p.table, out);
		hub_table_free(p.table);
	}
	flush_buf(&p);
	hub_buf_free(&p.buf);
	return rc;
}

/* A time window that found nothing: what the archive holds, by the hours
 * of its segments, so that "--since 1d" on older events is not a silent
 * exit 1. */
static void say_time_range(const char *dir, const struct hub_query *q)
{
	int64_t lo, hi;
	size_t n = hub_seg_hours(dir, &lo, &hi);
	char since[48] = "the start", until[48] = "now", a[48], b[48];

	if (q->since != INT64_MIN)
		hub_time_format(q->since, since, sizeof(since));
	if (q->until != INT64_MAX)
		hub_time_format(q->until, until, sizeof(until));
	if (n == 0) {
		hub_warn("nothing between %s and %s: the archive %s holds no events yet", since, until, dir);
		return;
	}
	hub_time_format(lo * 3600000, a, sizeof(a));
	hub_time_format((hi + 1) * 3600000, b, sizeof(b));
	hub_warn("nothing between %s and %s in %s: its events are from the hours %s to %s (event time); "
	         "give --since and --until within them", since, until, dir, a, b);
}

int hub_view_run(const char *dir, const char *cmd, const struct hub_query *q, struct hub_view *v,
                 FILE *out, int stats)
{
	struct hub_search_stats st = { 0 };
	char err[512];
	int rc = hub_view_search(dir, q, v, out, &st, err, sizeof(err));

	if (stats)
		hub_search_stats_print(&st, cmd);
	if (rc != 0 && st.segments == 0 && access(dir, F_OK) != 0) {
		hub_err("%s; is -d the archive directory?", err);
		return HUB_EXIT_NOINPUT;
	}
	if (rc != 0)
		hub_err("%s", err);
	if (fflush(out) != 0 || v->io_error || rc != 0)
		return HUB_EXIT_IOERR;
	if (v->failstore && (q->subject || (v->show && q->id)) && (v->show || strcmp(cmd, "trace") == 0)) {
		/* support's one place to ask: the rejected events too */
		struct hub_failure_query fq = { .since = INT64_MIN, .until = INT64_MAX, .subject = q->subject,
		                                .id = v->show ? q->id : NULL };
		uint64_t n = hub_failures_count(v->failstore, &fq);

		if (n)
			hub_warn("%s %s: also %llu record%s in the failure store %s: hub-failures --%s %s",
			         fq.id ? "event" : "subject", fq.id ? fq.id : fq.subject, (unsigned long long)n,
			         n == 1 ? "" : "s", v->failstore, fq.id ? "id" : "subject", fq.id ? fq.id : fq.subject);
	}
	if (st.results == 0) {
		if (v->show)
			hub_err("no event with id '%s' in %s", q->id, dir);
		else if (strcmp(cmd, "trace") == 0)
			hub_err("no event with subject '%s' in %s", q->subject, dir);
		if (q->since != INT64_MIN || q->until != INT64_MAX)
			say_time_range(dir, q);
		else if (!v->show && strcmp(cmd, "trace") != 0)
			hub_info("no event matched in %s", dir);
		return HUB_EXIT_FAILED;
	}
	return HUB_EXIT_OK;
}
