/* stream/finish.h: the one end of run every tool shares.
 *
 * After its loop a tool says how many events went to the failure store,
 * closes the store, prints --stats and closes standard output the sbase
 * fshut way (flush, check the error flag, close). One rule for the status:
 * a close that fails makes it 74 (HUB_EXIT_IOERR), whatever it was, since
 * an event that reached neither stdout nor the store is lost and exit 1
 * ("they are in the failure store") would then be a lie. */
#ifndef HUB_FINISH_H
#define HUB_FINISH_H

#include "core/stats.h"
#include "stream/failstore.h"

struct hub_finish {
	const struct hub_stats *stats;      /* NULL: no warning, no --stats line */
	struct hub_failstore *failstore;    /* closed here; NULL when none */
	const char *failed;                 /* "failed" (default), "rejected"... */
	int show_stats;                     /* --stats */
	const char *stats_extra;            /* more --stats members, or NULL */
};

/* Ends the run as above; returns the exit status for main(). */
int hub_finish(int status, const struct hub_finish *f);
/* Closes standard output as fshut does; returns status, or 74 if the
 * flush or the close failed (reported on stderr). */
int hub_close_stdout(int status);
/* The rule on its own: status, or 74 when close_result is nonzero. */
int hub_close_status(int status, int close_result);

#endif
