/* archive/input.c: the input loop of `hub-archive -d DIR`.
 *
 * Lines from standard input into the writer (archive/writer.c) until end
 * of input or a signal; a batch is written whenever input pauses, and an
 * fsync due under --fsync interval is not kept waiting by an idle input.
 * Invariant: --tee copies a line to standard output only once it is stored. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "archive/writer.h"
#include "archive/writer-internal.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"
#include "core/signals.h"
#include "core/stats.h"
#include "stream/ndjson.h"

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
	struct hub_buf acked = { 0 };
	struct hub_line l;
	struct hub_archive_counters c;
	int rc, status = HUB_EXIT_OK;
	char extra[96], why[160], counted[160];

	hub_archive_count(a, &c);
	hub_reader_set_interrupt(r, &hub_stop_requested);
	hub_reader_set_wakeup(r, hub_signal_fd());   /* SIGUSR1 while idle, too */
	while (!hub_stop_requested) {
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
				hub_stats_print(st, NULL);
			continue;
		}
		if (rc < 0) {
			hub_err("reading standard input: %s", strerror(errno));
			status = HUB_EXIT_IOERR;
			break;
		}
		st->in++;
		if (l.status == HUB_LINE_TOO_LONG) {
			hub_line_too_long_reason(&l, why, sizeof(why), extra, sizeof(extra));
			hub_failstore_add(fs, why, l.number, l.data, l.len, 0, extra);
			st->failed++;
			continue;
		}
		rc = hub_archive_add(a, l.data, l.len, l.number, &acked);
		if (rc < 0) {
			status = HUB_EXIT_IOERR;
			break;
		}
		if (rc > 0)
			st->failed++;
		else
			st->out++;
		if (!hub_reader_buffered(r) && hub_archive_flush(a, &acked) != 0) {
			status = HUB_EXIT_IOERR;
			break;
		}
		if (acked.len && tee_out(tee_fd, &acked) != 0) {
			if (!hub_output_closed(errno))
				hub_err("writing standard output: %s", strerror(errno));
			status = HUB_EXIT_IOERR;
			break;
		}
		if (hub_stats_due())
			hub_stats_print(st, NULL);
	}
	if (hub_stop_requested)
		hub_info("%s: stopping; what was read is being stored", strsignal(hub_stop_requested));
	if (hub_archive_close(a, &acked) != 0)
		status = HUB_EXIT_IOERR;
	if (tee_out(tee_fd, &acked) != 0 && status == HUB_EXIT_OK) {
		if (!hub_output_closed(errno))
			hub_err("writing standard output: %s", strerror(errno));
		status = HUB_EXIT_IOERR;
	}
	if (status == HUB_EXIT_OK && st->failed)
		status = HUB_EXIT_FAILED;
	snprintf(counted, sizeof(counted), "\"fsyncs\":%llu,\"segments_indexed\":%llu,\"day_indexes\":%llu,"
	         "\"reopened\":%llu", (unsigned long long)c.fsyncs, (unsigned long long)c.sealed,
	         (unsigned long long)c.day_indexes, (unsigned long long)c.woken);
	if (show_stats)
		hub_stats_print(st, counted);
	hub_buf_free(&acked);
	hub_reader_free(r);
	return status;
}
