/* stream/filter.h: the one input loop of the NDJSON filters (hub-validate,
 * hub-tokenize, hub-dedup): each line in, a verdict from the tool out.
 *
 * The loop owns reading, counting, the output batch, signals, the exit
 * status and the acknowledgements of stream/ack.h: a batch of input is
 * acknowledged to the writer of standard input only once the output it
 * gave is safe downstream (acknowledged by the next hub tool, taken from
 * the pipe by another program, or written to a file). The tool only says
 * what each line becomes. Invariant: the safe hook runs for a batch only
 * once its events are safe in that sense, so a tool may record there what
 * must never get ahead of its output (hub-dedup's keys). */
#ifndef HUB_FILTER_H
#define HUB_FILTER_H

#include <stddef.h>

#include "stream/ndjson.h"
#include "core/stats.h"

/* Bytes gathered before the output is written with one write(2). */
#define HUB_FILTER_BATCH (256u << 10)

enum hub_filter_verdict {
	HUB_FILTER_PASS,    /* write *data (the line itself or a rewritten one) */
	HUB_FILTER_FAIL,    /* the tool put the event in the failure store */
	HUB_FILTER_DROP,    /* neither written nor failed (a duplicate) */
};

struct hub_filter {
	void *ctx;          /* the tool's state, passed to every hook */
	/* Required: one line (HUB_LINE_TOO_LONG ones too). On PASS, *data and
	 * *len are the bytes to write, without the newline; they need only
	 * stay valid until the next call. */
	enum hub_filter_verdict (*line)(void *ctx, const struct hub_line *l, const char **data, size_t *len);
	/* Optional: everything passed so far has been written (maybe nothing
	 * this time; the loop is about to read, or its batch was full): what
	 * the tool staged since the last call forms one batch. */
	void (*flushed)(void *ctx);
	/* Optional: the oldest n batches (of flushed) are safe downstream.
	 * 0, or -1 (reported by the hook) to end the run with HUB_EXIT_IOERR. */
	int (*safe)(void *ctx, size_t n);
	/* Optional: the output batch could not be written; the run ends. */
	void (*unwritten)(void *ctx);
	/* Optional: bytes the tool holds for its flushed hook (hub-dedup's
	 * --dups); reaching HUB_FILTER_BATCH makes the loop flush, too. */
	size_t (*held)(void *ctx);
	/* Optional: more members for the stats line ("\"dropped\":3"). */
	const char *(*stats_extra)(void *ctx);
	int wipe;           /* the output may hold secrets: zero each batch once out */
};

/* Reads r to its end or a stop signal (SIGINT, SIGTERM), writes what
 * passes to out_fd in batches, counts st->in/out/failed. in_fd is r's
 * descriptor (for the link to its writer). The batch goes
 * out when full, at the end, and whenever r has nothing buffered (the
 * next read may block), so a slow producer's events are not held back.
 * Returns HUB_EXIT_OK, HUB_EXIT_FAILED when a line failed, or
 * HUB_EXIT_IOERR when standard input or output (or a hook) failed. */
int hub_filter_run(const struct hub_filter *f, struct hub_reader *r, int in_fd, int out_fd, struct hub_stats *st);

#endif
