/* stream/scanahead-internal.h: reading and scanning input lines in a thread of their own.
 *
 * The JSON scan is a third of a tool's work per event; on a machine with
 * a core to spare it can run ahead of the tool's own loop (producing,
 * writing). With two cores the handing over can cost more than it saves:
 * measure.
 * A scan-ahead thread reads NDJSON from a descriptor, scans each line with
 * the given field paths, and hands the results over in batches, in input
 * order. Memory is bounded: a few batches of about 512 KiB each (a batch
 * grows to hold one line of up to max_line bytes).
 *
 * Signals: SIGINT and SIGTERM interrupt the thread's read(2), which ends
 * the input. A tool that uses it blocks those signals in its other threads
 * (hub_scanahead_block_signals() before creating them) and unblocks them
 * once the thread is stopped. */
#ifndef HUB_SCANAHEAD_H
#define HUB_SCANAHEAD_H

#include <signal.h>

#include "json/path.h"
#include "json/scan.h"
#include "stream/ndjson.h"

struct hub_scanned {
	struct hub_line line;       /* valid until the next hub_scanahead_next() */
	uint64_t consumed;          /* input bytes up to the end of the line */
	int rc;                     /* hub_json_scan()'s result: 0 or -1 */
	enum hub_json_type top;
	const char *err;            /* the scan error when rc < 0 */
	const struct hub_span *found;   /* one span per path */
};

struct hub_scanahead;

/* Starts the thread. The paths must outlive it. */
struct hub_scanahead *hub_scanahead_start(int fd, size_t max_line, const struct hub_path *paths,
                                          int npaths, const volatile sig_atomic_t *interrupt);
/* The next line, waiting for it: 1, or 0 at the end of the input, or -1
 * on a read error (errno set; EINTR when a signal ended the input). */
int hub_scanahead_next(struct hub_scanahead *sa, struct hub_scanned *out);
/* When no line comes within ms milliseconds (-1: no limit, the default),
 * hub_scanahead_next() returns -1 with errno ETIMEDOUT; call it again to
 * go on. */
void hub_scanahead_set_timeout(struct hub_scanahead *sa, int ms);
/* Whether hub_scanahead_next() has a line without waiting. */
int hub_scanahead_ready(struct hub_scanahead *sa);
/* Stops reading (even mid-input) and frees everything. */
void hub_scanahead_stop(struct hub_scanahead *sa);

/* Blocks (1) or unblocks (0) SIGINT and SIGTERM in the calling thread. */
void hub_scanahead_block_signals(int block);

#endif
