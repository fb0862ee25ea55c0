/* archive/input.c: the input loop of `hub-archive -d DIR`.
 *
 * Lines from standard input into the writer (archive/writer.c) until end
 * of input or a signal; a batch is written whenever input pauses, and an
 * fsync due under --fsync interval is not kept waiting by an idle input.
 * Invariant: --tee copies a line to standard output only once it is stored,
 * and the writer of the input hears of a line (stream/ack.h) only then.
 * A last line cut short by a hub tool that died writing it (no newline,
 * not valid JSON, a link to the writer) is neither stored nor a failure:
 * unacknowledged, it comes again from the stage before. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "archive/writer.h"
#include "archive/writer-internal.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "core/stats.h"
#include "json/scan.h"
#include "stream/ack.h"
#include "stream/ndjson.h"

/* Input positions waiting for their lines to be stored: the end of line
 * `line` is byte `in` of the input. One mark every MARK_LINES lines and
 * wherever the input pauses; an acknowledgement waits at most that long. */
#define MARK_LINES 512
#define WRITE_BYTES (64u << 10)
#define MAX_MARKS 4096

struct mark {
	uint64_t line, in;
	uint64_t added;          /* lines given to the writer up to it */
};

struct marks {
	struct mark q[MAX_MARKS];
	size_t head, n;
	struct hub_ack_in *up;
	uint64_t stored;         /* lines known stored: --stats' out */
};

static void mark(struct marks *m, uint64_t line, uint64_t in, uint64_t added)
{
	if (m->n == MAX_MARKS)   /* the newest moves on: a later acknowledgement, never an early one */
		m->q[(m->head + m->n - 1) % MAX_MARKS] = (struct mark){ line, in, added };
	else
		m->q[(m->head + m->n++) % MAX_MARKS] = (struct mark){ line, in, added };
}

/* What is stored now: counted, and told to the writer of the input. */
static void acknowledge(struct marks *m, uint64_t durable)
{
	uint64_t in = 0;
	int any = 0;

	while (m->n > 0 && m->q[m->head].line <= durable) {
		in = m->q[m->head].in;
		m->stored = m->q[m->head].added;
		any = 1;
		m->head = (m->head + 1) % MAX_MARKS;
		m->n--;
	}
	if (any)
		hub_ack_in_send(m->up, in);
}

/* The writer's own members of the stats line. */
static const char *counted(const struct hub_archive_counters *c, uint64_t repeats, char *buf, size_t n)
{
	snprintf(buf, n, "\"repeats\":%llu,\"fsyncs\":%llu,\"segments_indexed\":%llu,\"day_indexes\":%llu,"
	         "\"reopened\":%llu", (unsigned long long)repeats, (unsigned long long)c->fsyncs,
	         (unsigned long long)c->sealed, (unsigned long long)c->day_indexes, (unsigned long long)c->woken);
	return buf;
}

/* Whether the input's last line, which has no newline, is a torn piece of
 * a line rather than a whole one (a file's last line often lacks its
 * newline): it is not one valid JSON text. */
static int torn(const char *line, size_t len)
{
	struct hub_json *js = hub_json_new();
	struct hub_span none[1];
	enum hub_json_type top;
	int bad = hub_json_scan(js, line, len, none, &top) != 0;

	hub_json_free(js);
	return bad;
}

static int tee_out(int fd, struct hub_buf *acked)
{
	int rc = 0;

	if (fd >= 0 && acked->len)
		rc = hub_write_all(fd, acked->data, acked->len);
	hub_buf_reset(acked);
	return rc;
}

int hub_archive_run(struct hub_archive *a, int in_fd, size_t max_line, int tee_fd,
                    struct hub_failstore *fs, struct hub_stats *st, int show_stats)
{
	struct hub_reader *r = hub_reader_new(in_fd, max_line);
	static struct marks m;   /* 64 KiB: not on the stack */
	struct hub_buf acked = { 0 };
	struct hub_line l;
	/* static: read by the metrics thread until the run's end (core/metrics.h) */
	static struct hub_archive_counters c;
	static uint64_t repeats_seen;
	int rc, status = HUB_EXIT_OK;
	char extra[96], why[160], line[256];
	uint64_t repeats, added = 0, consumed_before = 0, consumed_now = 0, torn_bytes = 0, flushed_at = 0;

	memset(&m, 0, sizeof(m));
	m.up = hub_ack_in_new(in_fd, 0);   /* before the first read: stream/ack.h */
	memset(&c, 0, sizeof(c));
	repeats_seen = 0;
	hub_archive_count(a, &c);
	hub_metrics_counter("fsyncs", "fsync(2) calls that made segments durable.", &c.fsyncs);
	hub_metrics_counter("repeats_dropped", "Lines not stored again: repeats of lines stored lately (redeliveries).",
	                    &repeats_seen);
	hub_reader_set_interrupt(r, &hub_stop_requested);
	hub_reader_set_wakeup(r, hub_signal_fd());   /* SIGUSR1 while idle, too */
	hub_service_ready();
	while (!hub_stop_requested) {
		acknowledge(&m, hub_archive_durable_line(a));
		st->out = m.stored;
		if (!hub_reader_buffered(r))
			hub_reader_set_timeout(r, hub_archive_sync_due_ms(a));
		if ((rc = hub_reader_next(r, &l)) == 0)
			break;
		if (rc < 0 && errno == ETIMEDOUT) {    /* idle, and an fsync is due */
			if (hub_archive_flush(a, &acked) != 0) {
				status = HUB_EXIT_IOERR;
				break;
			}
			continue;
		}
		if (rc < 0 && errno == EINTR) {        /* a stop (the loop ends), or SIGUSR1 */
			hub_signal_drain();
			if (hub_stats_due())
				hub_stats_print(st, counted(&c, hub_archive_repeats(a), line, sizeof(line)));
			continue;
		}
		if (rc < 0) {
			hub_err("reading standard input: %s", strerror(errno));
			status = HUB_EXIT_IOERR;
			break;
		}
		st->in++;
		st->bytes_in += l.len + 1;
		consumed_before = consumed_now;
		consumed_now = hub_reader_consumed(r);
		if (l.status == HUB_LINE_TOO_LONG) {
			hub_line_too_long_reason(&l, why, sizeof(why), extra, sizeof(extra));
			hub_failstore_add(fs, why, l.number, l.data, l.len, 0, extra);
			st->failed++;
			continue;
		}
		if (l.unterminated && m.up && torn(l.data, l.len)) {
			/* not stored, not a failure, and not acknowledged: the
			 * stage before sends it again, whole */
			hub_warn("line %llu, the last, is cut short (no newline at the end of the input: the "
			         "hub tool writing it stopped in mid-line); not stored: it is not acknowledged, so "
			         "it comes again", (unsigned long long)l.number);
			st->in--;
			torn_bytes = hub_reader_consumed(r) - consumed_before;
			break;
		}
		rc = hub_archive_add(a, l.data, l.len, l.number, &acked);
		if (rc < 0) {
			status = HUB_EXIT_IOERR;
			break;
		}
		if (rc == 1)
			st->failed++;
		else if (rc == 0)
			added++;
		if (l.number % MARK_LINES == 0 || !hub_reader_buffered(r))
			mark(&m, l.number, hub_reader_consumed(r), added);
		/* written when the input is read up, and at least every
		 * WRITE_BYTES: a write the disk refuses halfway then leaves
		 * little stored and unacknowledged (stored again when it comes
		 * again), however large the pipe */
		if ((!hub_reader_buffered(r) || consumed_now - flushed_at >= WRITE_BYTES)) {
			flushed_at = consumed_now;
			if (hub_archive_flush(a, &acked) != 0) {
				status = HUB_EXIT_IOERR;
				break;
			}
		}
		if (acked.len && tee_out(tee_fd, &acked) != 0) {
			if (!hub_output_closed(errno))
				hub_err("writing standard output: %s", strerror(errno));
			status = HUB_EXIT_IOERR;
			break;
		}
		__atomic_store_n(&repeats_seen, hub_archive_repeats(a), __ATOMIC_RELAXED);
		if (hub_stats_due())
			hub_stats_print(st, counted(&c, hub_archive_repeats(a), line, sizeof(line)));
	}
	if (hub_stop_requested)
		hub_info("%s: stopping; what was read is being stored", strsignal(hub_stop_requested));
	/* everything read is stored or failed: acknowledged before the
	 * segments are closed (indexes, compression), which can take a while */
	if (status != HUB_EXIT_IOERR && hub_archive_sync(a, &acked) == 0) {
		m.stored = added;
		hub_ack_in_send(m.up, hub_reader_consumed(r) - torn_bytes);
	} else {
		acknowledge(&m, hub_archive_durable_line(a));
	}
	st->out = m.stored;   /* out: stored, not merely given to the writer */
	hub_ack_in_free(m.up);
	repeats = hub_archive_repeats(a);   /* a is gone after close */
	__atomic_store_n(&repeats_seen, repeats, __ATOMIC_RELAXED);
	if (hub_archive_close(a, &acked) != 0)
		status = HUB_EXIT_IOERR;
	if (tee_out(tee_fd, &acked) != 0 && status == HUB_EXIT_OK) {
		if (!hub_output_closed(errno))
			hub_err("writing standard output: %s", strerror(errno));
		status = HUB_EXIT_IOERR;
	}
	if (status == HUB_EXIT_OK && st->failed)
		status = HUB_EXIT_FAILED;
	if (show_stats)
		hub_stats_print(st, counted(&c, repeats, line, sizeof(line)));
	hub_buf_free(&acked);
	hub_reader_free(r);
	return status;
}
