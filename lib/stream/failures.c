/* stream/failures.c: queries, summaries and replays of the failure store.
 *
 * Each record is scanned once with field paths (json/scan.h), so an
 * event comes out with the very bytes it was stored with: a record keeps
 * the failed event as raw JSON when it parsed, as a string when it did
 * not, and an envelope (hub-consume --envelope) keeps the event in its
 * "value" (or "value_text"). Records are named by their byte offset in
 * the store, which only ever grows; FILE.replayed lists the offsets of
 * the records a replay has handed on safely. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"
#include "core/signals.h"
#include "core/time.h"
#include "json/scan.h"
#include "stream/ack.h"
#include "stream/failures.h"
#include "stream/ndjson.h"

enum {
	F_TIME, F_TOOL, F_REASON, F_TOPIC, F_EVENT, F_SUBJECT, F_TYPE, F_ID,
	F_ENV_TOPIC, F_VALUE, F_VALUE_TEXT, F_VAL_SUBJECT, F_VAL_TYPE, F_VAL_ID, F_PIPELINE, NFIELDS
};
static const char *const field_paths[NFIELDS] = {
	"time", "tool", "reason", "topic", "event", "event.subject", "event.type", "event.id",
	"event.topic", "event.value", "event.value_text", "event.value.subject", "event.value.type",
	"event.value.id", "pipeline",
};

struct count {
	char *tool, *reason;
	uint64_t n;
};

struct pending {
	uint64_t out_end;       /* output bytes up to the end of this event */
	uint64_t record;        /* the record's offset in the store */
};

struct run {
	const struct hub_failure_query *q;
	enum hub_failures_mode mode;
	struct hub_json *js;
	struct hub_path paths[NFIELDS];
	struct hub_span f[NFIELDS];
	struct hub_buf tmp, out;
	uint64_t *replayed;     /* sorted offsets from FILE.replayed */
	size_t nreplayed;
	struct count *counts;
	size_t ncounts, capcounts;
	/* replay */
	int out_fd, io_error;
	struct hub_ack_out *ack;
	uint64_t written;
	struct pending *pend;
	size_t npend, cappend, donepend;
	int marks_fd;
	const char *marks_path;
	uint64_t results, marked;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static char *marks_name(const char *path)
{
	struct hub_buf b = { 0 };

	hub_buf_addf(&b, "%s.replayed", path);
	hub_buf_cstr(&b);
	return b.data;
}

/* FILE.replayed: one decimal offset a line; a torn last line is ignored. */
static void load_replayed(struct run *r, const char *path)
{
	char *name = marks_name(path), why[256];
	size_t len = 0, cap = 0;
	char *text = hub_read_file(name, (size_t)1 << 30, &len, why, sizeof(why));

	free(name);
	if (!text)
		return;
	for (char *p = text, *nl; (nl = memchr(p, '\n', len - (size_t)(p - text))); p = nl + 1) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);

		if (end != nl || end == p)
			continue;
		if (r->nreplayed == cap) {
			cap = cap ? cap * 2 : 256;
			r->replayed = hub_xrealloc(r->replayed, cap * sizeof(*r->replayed));
		}
		r->replayed[r->nreplayed++] = v;
	}
	free(text);
	qsort(r->replayed, r->nreplayed, sizeof(*r->replayed), cmp_u64);
}

static int was_replayed(const struct run *r, uint64_t off)
{
	return r->nreplayed && bsearch(&off, r->replayed, r->nreplayed, sizeof(off), cmp_u64) != NULL;
}

/* A span as text into r->tmp (reset first); 0, or -1 when absent. */
static int text_of(struct run *r, int which)
{
	hub_buf_reset(&r->tmp);
	return r->f[which].type == HUB_JSON_NONE ? -1 : hub_json_span_text(&r->f[which], &r->tmp);
}

static int equals(struct run *r, int which, const char *want)
{
	return text_of(r, which) == 0 && strcmp(hub_buf_cstr(&r->tmp), want) == 0;
}

/* The failed event's attribute, from the envelope's value when the event
 * is an envelope. */
static int attr_equals(struct run *r, int plain, int in_value, const char *want)
{
	return equals(r, r->f[F_VALUE].type != HUB_JSON_NONE ? in_value : plain, want);
}

static int tool_matches(struct run *r, const char *want)
{
	const char *t;

	if (text_of(r, F_TOOL) < 0)
		return 0;
	t = hub_buf_cstr(&r->tmp);
	return strcmp(t, want) == 0 || (strncmp(t, "hub-", 4) == 0 && strcmp(t + 4, want) == 0);
}

static int matches(struct run *r)
{
	const struct hub_failure_query *q = r->q;
	int64_t ms;

	if (q->since != INT64_MIN || q->until != INT64_MAX) {
		if (text_of(r, F_TIME) < 0 || hub_time_parse(hub_buf_cstr(&r->tmp), r->tmp.len, &ms) < 0 ||
		    ms < q->since || ms >= q->until)
			return 0;
	}
	if (q->tool && !tool_matches(r, q->tool))
		return 0;
	if (q->reason && (text_of(r, F_REASON) < 0 || !strstr(hub_buf_cstr(&r->tmp), q->reason)))
		return 0;
	if (q->subject && !attr_equals(r, F_SUBJECT, F_VAL_SUBJECT, q->subject))
		return 0;
	if (q->type && !attr_equals(r, F_TYPE, F_VAL_TYPE, q->type))
		return 0;
	if (q->id && !attr_equals(r, F_ID, F_VAL_ID, q->id))
		return 0;
	if (q->topic && !equals(r, F_TOPIC, q->topic) && !equals(r, F_ENV_TOPIC, q->topic))
		return 0;
	if (q->pipeline && !equals(r, F_PIPELINE, q->pipeline))
		return 0;
	return 1;
}

/* The event as it was before it failed, with its newline, into r->out:
 * an envelope's value, the raw JSON of an event that parsed, the text of
 * one that did not. -1 when the record holds no event. */
static int add_event(struct run *r)
{
	const struct hub_span *ev = &r->f[F_EVENT];

	if (ev->type == HUB_JSON_OBJECT && r->f[F_ENV_TOPIC].type == HUB_JSON_STRING &&
	    (r->f[F_VALUE].type != HUB_JSON_NONE || r->f[F_VALUE_TEXT].type == HUB_JSON_STRING)) {
		if (r->f[F_VALUE].type == HUB_JSON_OBJECT || r->f[F_VALUE].type == HUB_JSON_ARRAY)
			hub_buf_add(&r->out, r->f[F_VALUE].p, r->f[F_VALUE].len);
		else if (r->f[F_VALUE_TEXT].type == HUB_JSON_STRING)
			hub_json_unescape(r->f[F_VALUE_TEXT].p, r->f[F_VALUE_TEXT].len, &r->out);
		else
			hub_buf_add(&r->out, r->f[F_VALUE].p, r->f[F_VALUE].len);
	} else if (ev->type == HUB_JSON_STRING) {
		hub_json_unescape(ev->p, ev->len, &r->out);
	} else if (ev->type != HUB_JSON_NONE) {
		hub_buf_add(&r->out, ev->p, ev->len);
	} else {
		return -1;
	}
	hub_buf_addc(&r->out, '\n');
	return 0;
}

/* "invalid JSON at byte 12: ..." and "... at byte 99: ..." count as one. */
static void normalize_reason(const char *s, struct hub_buf *out)
{
	while (*s) {
		if (strncmp(s, "at byte ", 8) == 0 && s[8] >= '0' && s[8] <= '9') {
			hub_buf_adds(out, "at byte N");
			for (s += 8; *s >= '0' && *s <= '9'; s++)
				;
			continue;
		}
		hub_buf_addc(out, *s++);
	}
}

static void count(struct run *r)
{
	struct hub_buf reason = { 0 };
	char *tool;

	tool = hub_xstrdup(text_of(r, F_TOOL) == 0 ? hub_buf_cstr(&r->tmp) : "?");
	if (text_of(r, F_REASON) == 0)
		normalize_reason(hub_buf_cstr(&r->tmp), &reason);
	hub_buf_cstr(&reason);
	for (size_t i = 0; i < r->ncounts; i++)
		if (strcmp(r->counts[i].tool, tool) == 0 && strcmp(r->counts[i].reason, reason.data) == 0) {
			r->counts[i].n++;
			free(tool);
			hub_buf_free(&reason);
			return;
		}
	if (r->ncounts == r->capcounts) {
		r->capcounts = r->capcounts ? r->capcounts * 2 : 32;
		r->counts = hub_xrealloc(r->counts, r->capcounts * sizeof(*r->counts));
	}
	r->counts[r->ncounts++] = (struct count){ .tool = tool, .reason = reason.data, .n = 1 };
}

static int cmp_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;
	int c;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if ((c = strcmp(x->tool, y->tool)) != 0)
		return c;
	return strcmp(x->reason, y->reason);
}

static void flush_out(struct run *r)
{
	if (r->out.len == 0)
		return;
	if (!r->io_error && hub_write_all(r->out_fd, r->out.data, r->out.len) < 0) {
		if (!hub_output_closed(errno))   /* | head has what it wanted */
			hub_err("writing standard output: %s", strerror(errno));
		r->io_error = 1;
	}
	if (!r->io_error && r->ack)
		hub_ack_out_wrote(r->ack, r->out.len);
	r->written += r->out.len;
	hub_buf_reset(&r->out);
}

/* Notes as replayed every record whose event the reader has made safe. */
static void mark_safe(struct run *r, uint64_t safe)
{
	struct hub_buf b = { 0 };

	while (r->donepend < r->npend && r->pend[r->donepend].out_end <= safe) {
		hub_buf_addf(&b, "%llu\n", (unsigned long long)r->pend[r->donepend].record);
		r->donepend++;
		r->marked++;
	}
	if (b.len && r->marks_fd >= 0 && hub_write_all(r->marks_fd, b.data, b.len) < 0) {
		hub_err("%s: %s: the replayed events are not noted, and a rerun would send them again",
		        r->marks_path, strerror(errno));
		close(r->marks_fd);
		r->marks_fd = -1;
		r->io_error = 1;
	}
	hub_buf_free(&b);
}

static void replay_one(struct run *r, uint64_t record)
{
	if (add_event(r) < 0)
		return;
	if (r->out.len >= (1 << 16))
		flush_out(r);
	if (r->npend == r->cappend) {
		r->cappend = r->cappend ? r->cappend * 2 : 256;
		r->pend = hub_xrealloc(r->pend, r->cappend * sizeof(*r->pend));
	}
	r->pend[r->npend++] = (struct pending){ .out_end = r->written + r->out.len, .record = record };
	if (r->ack && (r->npend & 255) == 0)
		mark_safe(r, hub_ack_out_safe(r->ack));
}

static void handle(struct run *r, const struct hub_line *l, uint64_t offset)
{
	if (r->q->limit && r->results >= r->q->limit)
		return;
	if (l->status != HUB_LINE_OK || hub_json_scan(r->js, l->data, l->len, r->f, NULL) < 0)
		return;   /* a torn or damaged record: the writers end it with a newline */
	if (!r->q->include_replayed && (r->mode == HUB_FAILURES_SUMMARY || r->mode == HUB_FAILURES_REPLAY) &&
	    was_replayed(r, offset))
		return;
	if (!matches(r))
		return;
	r->results++;
	switch (r->mode) {
	case HUB_FAILURES_FIND:
		hub_buf_add(&r->out, l->data, l->len);
		hub_buf_addc(&r->out, '\n');
		if (r->out.len >= (1 << 16))
			flush_out(r);
		break;
	case HUB_FAILURES_EVENTS:
		if (add_event(r) == 0 && r->out.len >= (1 << 16))
			flush_out(r);
		break;
	case HUB_FAILURES_SUMMARY:
		count(r);
		break;
	case HUB_FAILURES_REPLAY:
		replay_one(r, offset);
		break;
	case HUB_FAILURES_COUNT:
		break;
	}
}

static void print_summary(struct run *r)
{
	qsort(r->counts, r->ncounts, sizeof(*r->counts), cmp_count);
	for (size_t i = 0; i < r->ncounts; i++)
		hub_buf_addf(&r->out, "%llu\t%s\t%s\n", (unsigned long long)r->counts[i].n, r->counts[i].tool,
		             r->counts[i].reason);
	flush_out(r);
}

static void run_free(struct run *r)
{
	for (int i = 0; i < NFIELDS; i++)
		hub_path_free(&r->paths[i]);
	for (size_t i = 0; i < r->ncounts; i++) {
		free(r->counts[i].tool);
		free(r->counts[i].reason);
	}
	free(r->counts);
	free(r->replayed);
	free(r->pend);
	hub_json_free(r->js);
	hub_buf_free(&r->tmp);
	hub_buf_free(&r->out);
}

static int run(const char *path, const struct hub_failure_query *q, enum hub_failures_mode mode, int out_fd,
               size_t max_line, uint64_t *results);

int hub_failures_run(const char *path, const struct hub_failure_query *q, enum hub_failures_mode mode,
                     int out_fd, size_t max_line)
{
	uint64_t n;

	return run(path, q, mode, out_fd, max_line, &n);
}

uint64_t hub_failures_count(const char *path, const struct hub_failure_query *q)
{
	uint64_t n = 0;

	if (access(path, F_OK) == 0)
		run(path, q, HUB_FAILURES_COUNT, -1, 0, &n);
	return n;
}

static int run(const char *path, const struct hub_failure_query *q, enum hub_failures_mode mode, int out_fd,
               size_t max_line, uint64_t *results)
{
	struct run r = { .q = q, .mode = mode, .out_fd = out_fd, .marks_fd = -1 };
	struct hub_reader *rd;
	struct hub_line l;
	struct stat sb;
	uint64_t start = 0, end, snapshot;
	char *marks = NULL, err[128];
	int fd, rc, status = HUB_EXIT_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0 || errno != ENOENT)
			hub_err("failure store %s: %s", path, fd >= 0 ? "not a regular file" : strerror(errno));
		else
			hub_err("no failure store at %s: nothing has failed there (give --dlq FILE or set HUB_DLQ "
			        "for another)", path);
		if (fd >= 0)
			close(fd);
		return HUB_EXIT_NOINPUT;
	}
	/* what is there now: the failures of this replay's own pipeline,
	 * appended while it runs, are not read again */
	snapshot = (uint64_t)sb.st_size;
	r.js = hub_json_new();
	for (int i = 0; i < NFIELDS; i++)
		if (hub_path_parse(field_paths[i], &r.paths[i], err, sizeof(err)) < 0)
			hub_die(HUB_EXIT_SOFTWARE, "field path %s: %s", field_paths[i], err);
	hub_json_set_paths(r.js, r.paths, NFIELDS);
	load_replayed(&r, path);
	if (mode == HUB_FAILURES_REPLAY) {
		marks = marks_name(path);
		r.marks_path = marks;
		r.marks_fd = open(marks, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (r.marks_fd < 0) {
			hub_err("%s: %s: a replay notes there what it has sent", marks, strerror(errno));
			status = HUB_EXIT_IOERR;
			goto out;
		}
		r.ack = hub_ack_out_new(out_fd);
	}
	rd = hub_reader_new(fd, max_line);
	while ((rc = hub_reader_next(rd, &l)) > 0) {
		end = hub_reader_consumed(rd);
		if (end > snapshot)
			break;
		handle(&r, &l, start);
		start = end;
		if (r.io_error)
			break;
	}
	if (rc < 0) {
		hub_err("reading %s: %s", path, strerror(errno));
		status = HUB_EXIT_IOERR;
	}
	hub_reader_free(rd);
	if (mode == HUB_FAILURES_SUMMARY)
		print_summary(&r);
	flush_out(&r);
	if (r.ack) {
		/* a reader that is alive may be slow to make its first events
		 * safe (a producer connecting): 30 s without progress, then a
		 * rerun sends the rest again */
		mark_safe(&r, hub_ack_out_end(r.ack, 30000));
		if (r.marks_fd >= 0 && fsync(r.marks_fd) != 0)
			r.io_error = 1;
		if (r.donepend < r.npend)
			hub_warn("%zu of %zu replayed events were not acknowledged by the reader: a rerun sends "
			         "them again", r.npend - r.donepend, r.npend);
		hub_info("replayed %llu events, noted in %s", (unsigned long long)r.marked, marks);
	}
	if (r.io_error && status == HUB_EXIT_OK && !hub_output_was_closed())
		status = HUB_EXIT_IOERR;
	if (status == HUB_EXIT_OK && r.results == 0)
		status = HUB_EXIT_FAILED;
out:
	*results = r.results;
	if (r.marks_fd >= 0)
		close(r.marks_fd);
	hub_ack_out_free(r.ack);
	free(marks);
	close(fd);
	run_free(&r);
	return status;
}
