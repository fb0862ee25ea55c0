/* stream/filter.c: the read-decide-write loop shared by the NDJSON filters.
 *
 * Per line: hub_reader_next(), the tool's verdict, the line (or the tool's
 * rewrite of it) appended to one output buffer. Before each read the
 * buffer goes out with one write(2) if it is full or the reader has
 * nothing buffered; then, and only then, the tool's flushed hook runs.
 * No allocation per line: the buffer grows to the largest batch, once.
 * With wipe, each batch is zeroed as soon as it is written (or lost). */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"
#include "stream/filter.h"
#include "core/signals.h"

/* The batch first, then the hook: the order that lets a tool record what
 * depends on its events being written. 0, or -1 (reported). */
static int flush(const struct hub_filter *f, int out_fd, struct hub_buf *out)
{
	if (out->len > 0) {
		int failed = hub_write_all(out_fd, out->data, out->len) < 0;

		if (failed && !hub_output_closed(errno))
			hub_err("writing standard output: %s", strerror(errno));
		if (f->wipe)
			sodium_memzero(out->data, out->len);
		hub_buf_reset(out);
		if (failed) {
			if (f->unwritten)
				f->unwritten(f->ctx);
			return -1;
		}
	}
	return f->flushed ? f->flushed(f->ctx) : 0;
}

/* SIGUSR1: the stats line now. */
static void print_stats(const struct hub_filter *f, const struct hub_stats *st)
{
	if (hub_stats_due())
		hub_stats_print(st, f->stats_extra ? f->stats_extra(f->ctx) : NULL);
}

static int batch_full(const struct hub_filter *f, const struct hub_buf *out)
{
	return out->len >= HUB_FILTER_BATCH || (f->held && f->held(f->ctx) >= HUB_FILTER_BATCH);
}

int hub_filter_run(const struct hub_filter *f, struct hub_reader *r, int out_fd, struct hub_stats *st)
{
	struct hub_buf out = { 0 };
	struct hub_line l;
	const char *data;
	size_t len;
	int status = HUB_EXIT_OK, broken = 0, rc;

	hub_buf_reserve(&out, HUB_FILTER_BATCH + 4096);
	hub_reader_set_interrupt(r, &hub_stop_requested);
	hub_reader_set_wakeup(r, hub_signal_fd());   /* SIGUSR1 while idle, too */
	while (!hub_stop_requested) {
		if ((!hub_reader_buffered(r) || batch_full(f, &out)) && flush(f, out_fd, &out) < 0) {
			broken = 1;
			break;
		}
		rc = hub_reader_next(r, &l);
		if (rc == 0)
			break;
		if (rc < 0 && errno == EINTR && !hub_stop_requested) {
			/* woken by SIGUSR1 while waiting for input */
			hub_signal_drain();
			print_stats(f, st);
			continue;
		}
		if (rc < 0) {
			/* EINTR: a stop signal, not an error */
			if (errno != EINTR) {
				hub_err("reading standard input: %s", strerror(errno));
				status = HUB_EXIT_IOERR;
			}
			break;
		}
		st->in++;
		switch (f->line(f->ctx, &l, &data, &len)) {
		case HUB_FILTER_PASS:
			hub_buf_add(&out, data, len);
			hub_buf_addc(&out, '\n');
			st->out++;
			break;
		case HUB_FILTER_FAIL:
			st->failed++;
			break;
		case HUB_FILTER_DROP:
			break;
		}
		print_stats(f, st);
	}
	/* what was read is written, even after a read error or a stop */
	if (!broken && flush(f, out_fd, &out) < 0)
		broken = 1;
	hub_buf_free(&out);
	if (broken)
		return HUB_EXIT_IOERR;
	if (status == HUB_EXIT_OK && st->failed)
		status = HUB_EXIT_FAILED;
	return status;
}
