/* core/signals.h: the signals every tool handles, as flags its loop polls.
 *
 * SIGINT/SIGTERM set hub_stop_requested (the tool stops reading, finishes
 * or fails what is in flight, reports); SIGUSR1 sets hub_stats_requested
 * (print the --stats line now). SIGPIPE is ignored so that a closed stdout
 * shows up as EPIPE on write, where the tool can stop cleanly.
 *
 * Each handled signal also writes a byte to a self-pipe, so a loop blocked
 * in poll(2) on its input wakes up at once, with no race between checking
 * a flag and blocking (hub_reader_set_wakeup(r, hub_signal_fd())). */
#ifndef HUB_SIGNALS_H
#define HUB_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t hub_stop_requested;    /* the signal number */
extern volatile sig_atomic_t hub_stop_count;        /* stop signals received */
extern volatile sig_atomic_t hub_stats_requested;
extern volatile sig_atomic_t hub_reload_requested;  /* SIGHUP, for the servers */

/* restart: whether read(2) is restarted after a signal (0: it returns
 * EINTR, so a tool blocked on stdin notices SIGINT at once). */
void hub_signals_install(int restart);
/* SIGHUP sets hub_reload_requested (and wakes the self-pipe) instead of
 * ending the process: for a server that reloads its files on it. */
void hub_signals_install_reload(void);
/* Readable once a handled signal arrived (-1 before install). */
int hub_signal_fd(void);
/* Empties the self-pipe, once the flags have been looked at. */
void hub_signal_drain(void);
/* Whether SIGUSR1 asked for the stats line since the last call (the
 * request is then taken): if (hub_stats_due()) hub_stats_print(...). */
int hub_stats_due(void);

/* Standard output was closed by its reader (EPIPE: `| head` has what it
 * wanted). The writer says it once, quietly (-v), and stops; at the end of
 * the run hub_finish() ends the process the way cat and grep end there, by
 * SIGPIPE (status 141 in the shell), once what was written is committed
 * and the failure store is closed. Returns 1 when err is EPIPE. */
int hub_output_closed(int err);
/* Whether standard output was found closed. */
int hub_output_was_closed(void);

#endif
