/* core/exitcodes.h: the exit statuses every hub tool uses, sysexits.h style.
 *
 * Each man page lists these. A tool exits with the most serious status
 * that applies: usage and configuration errors before any work is done,
 * otherwise EVENTS_FAILED when at least one event went to the failure
 * store, UNAVAILABLE/IOERR when the run could not be completed. */
#ifndef HUB_EXITCODES_H
#define HUB_EXITCODES_H

enum {
	HUB_EXIT_OK = 0,           /* every event handled */
	HUB_EXIT_FAILED = 1,       /* some events went to the failure store */
	HUB_EXIT_USAGE = 64,       /* bad command line (EX_USAGE) */
	HUB_EXIT_DATAERR = 65,     /* input unusable as a whole (EX_DATAERR) */
	HUB_EXIT_NOINPUT = 66,     /* an input file could not be opened (EX_NOINPUT) */
	HUB_EXIT_UNAVAILABLE = 69, /* Kafka or another service unavailable (EX_UNAVAILABLE) */
	HUB_EXIT_SOFTWARE = 70,    /* internal error (EX_SOFTWARE) */
	HUB_EXIT_IOERR = 74,       /* read or write error, e.g. stdout closed (EX_IOERR) */
	HUB_EXIT_TEMPFAIL = 75,    /* done, but something to retry: offsets not committed (EX_TEMPFAIL) */
	HUB_EXIT_CONFIG = 78,      /* bad configuration (EX_CONFIG) */
};

#endif
