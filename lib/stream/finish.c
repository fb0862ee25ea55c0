/* stream/finish.c: the end of run every tool shares (see finish.h).
 *
 * Standard output is written both with write(2) on fd 1 (the loops) and
 * with stdio (listings, views), so it is flushed, checked and closed as
 * a FILE: fclose() closes fd 1 too, and reports what close(2) says (an
 * NFS or FUSE file reports its write errors only there). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "stream/finish.h"

/* Everything is stored and closed: end as a classic filter ends when its
 * reader has gone, by SIGPIPE (the shell shows 141), saying nothing. */
static void end_by_sigpipe(void)
{
	fflush(stderr);
	signal(SIGPIPE, SIG_DFL);
	raise(SIGPIPE);
}

int hub_close_status(int status, int close_result)
{
	return close_result != 0 ? HUB_EXIT_IOERR : status;
}

int hub_close_stdout(int status)
{
	int failed = 0;

	errno = 0;
	/* The loops write fd 1 and report their own errors; this is stdio's. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (!hub_output_closed(errno))
			hub_err("writing standard output: %s", errno ? strerror(errno) : "write error");
		failed = 1;
	}
	/* EBADF: there was no standard output (run with >&-), nothing lost. */
	errno = 0;
	if (fclose(stdout) != 0 && errno != EBADF && !failed) {
		hub_err("closing standard output: %s", strerror(errno));
		failed = 1;
	}
	status = hub_close_status(status, failed);
	if (hub_output_was_closed() && status == HUB_EXIT_IOERR)
		end_by_sigpipe();
	return status;
}

int hub_finish(int status, const struct hub_finish *f)
{
	const struct hub_stats *st = f->stats;
	const char *failed = f->failed ? f->failed : "failed";
	char *path = NULL;
	int stored = 0;

	/* the last metrics file, with everything counted; STOPPING=1 */
	hub_service_stop();
	if (f->failstore) {
		path = hub_xstrdup(hub_failstore_path(f->failstore));
		stored = hub_failstore_close(f->failstore);
	}
	if (st && st->failed > 0 && path) {
		if (stored == 0)
			hub_warn("%llu of %llu events %s; they are in the failure store %s",
			         (unsigned long long)st->failed, (unsigned long long)st->in, failed, path);
		else
			hub_warn("%llu of %llu events %s; the failure store %s could not keep them all",
			         (unsigned long long)st->failed, (unsigned long long)st->in, failed, path);
	}
	free(path);
	status = hub_close_status(status, stored);
	if (st && f->show_stats)
		hub_stats_print(st, f->stats_extra);
	return hub_close_stdout(status);
}
