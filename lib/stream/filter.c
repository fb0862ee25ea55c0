/* stream/filter.c: the read-decide-write loop shared by the NDJSON filters.
 *
 * Per line: hub_reader_next(), the tool's verdict, the line (or the tool's
 * rewrite of it) appended to one output buffer. Before each read the
 * buffer goes out with one write(2) if it is full or the reader has
 * nothing buffered; then, and only then, the tool's flushed hook runs.
 * No allocation per line: the buffer grows to the largest batch, once.
 * With wipe, each batch is zeroed as soon as it is written (or lost). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/metrics.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"
#include "stream/filter.h"
#include "core/signals.h"
#include "stream/ack.h"

/* How long the end of a run waits for the reader to make the last output
 * safe, while it makes progress no more slowly than that. */
#define PATIENCE_MS 5000

/* Written batches whose output is not safe downstream yet, oldest
 * first: the input they consumed and the output position that makes
 * them safe. */
struct batch {
	uint64_t in, out;
	size_t flushes;              /* the tool's batches it stands for */
};

struct loop {
	const struct hub_filter *f;
	struct hub_reader *r;
	int out_fd;
	struct hub_buf out;
	struct hub_ack_in *up;
	struct hub_ack_out *down;
	int wake_fd;                 /* the down link's, as the reader knows it */
	uint64_t written;
	struct batch *q;
	size_t head, n;
	/* Topic to topic in transactions (stream/ack.h): the cuts of the
	 * writer of the input, passed on to the reader of the output at the
	 * same place in the events. */
	int txn;                     /* the reader of the output commits in transactions */
	struct hub_buf cuts;         /* "POS rest\n" lines, oldest first */
	size_t cuts_at;
	uint64_t next_cut;           /* the oldest cut's input position; UINT64_MAX: none */
	uint64_t seen_total;
};

#define MAX_BATCHES 4096         /* unsafe batches held before the loop waits */

/* Batches now safe: the tool's hook, then the writer of our input. */
static int settle(struct loop *L)
{
	uint64_t safe = hub_ack_out_safe(L->down), in = 0;
	size_t k = 0, flushes = 0;

	while (k < L->n && L->q[(L->head + k) % MAX_BATCHES].out <= safe) {
		in = L->q[(L->head + k) % MAX_BATCHES].in;
		flushes += L->q[(L->head + k++) % MAX_BATCHES].flushes;
	}
	if (k == 0)
		return 0;
	L->head = (L->head + k) % MAX_BATCHES;
	L->n -= k;
	if (L->f->safe && L->f->safe(L->f->ctx, flushes) < 0)
		return -1;
	hub_ack_in_send(L->up, in);
	return 0;
}

/* The reader wakes up when the down link has news, too. */
static void watch_down(struct loop *L)
{
	int fd = hub_ack_out_fd(L->down);

	if (fd != L->wake_fd) {
		hub_reader_add_wakeup(L->r, fd);
		L->wake_fd = fd;
	}
}

/* The input position of the oldest cut kept, or UINT64_MAX. */
static uint64_t oldest_cut(const struct loop *L)
{
	return L->cuts_at < L->cuts.len ? strtoull(L->cuts.data + L->cuts_at, NULL, 10) : UINT64_MAX;
}

/* The writer's cuts ("cut POS URGENT rest"), kept as "POS URGENT rest". */
static void take_cuts(struct loop *L)
{
	char *msg;
	size_t len;

	while (hub_ack_in_news(L->up, &msg, &len)) {
		if (len > 4 && memcmp(msg, "cut ", 4) == 0) {
			hub_buf_add(&L->cuts, msg + 4, len - 4);
			hub_buf_addc(&L->cuts, '\n');
		}
	}
	L->next_cut = oldest_cut(L);
	hub_reader_set_wakeup3(L->r, hub_ack_in_fd(L->up));   /* -1 once the writer has gone */
}

static void drop_cut(struct loop *L)
{
	char *nl = memchr(L->cuts.data + L->cuts_at, '\n', L->cuts.len - L->cuts_at);

	L->cuts_at = nl ? (size_t)(nl - L->cuts.data) + 1 : L->cuts.len;
	if (L->cuts_at == L->cuts.len) {
		hub_buf_reset(&L->cuts);
		L->cuts_at = 0;
	}
	L->next_cut = oldest_cut(L);
}

/* The input was read exactly to the oldest cut: the output up to here is
 * that cut, told to the reader before the bytes go out. */
static void pass_cut(struct loop *L)
{
	char *p = L->cuts.data + L->cuts_at, *sp = memchr(p, ' ', L->cuts.len - L->cuts_at);
	char *nl = memchr(p, '\n', L->cuts.len - L->cuts_at);
	struct hub_buf msg = { 0 };

	if (sp && nl && sp < nl) {
		hub_buf_addf(&msg, "cut %llu", (unsigned long long)(L->written + L->out.len));
		hub_debug("cut at input byte %llu passed on at output byte %llu", (unsigned long long)L->next_cut,
		          (unsigned long long)(L->written + L->out.len));
		hub_buf_add(&msg, sp, (size_t)(nl - sp) + 1);
		hub_ack_out_tell(L->down, msg.data, msg.len);
		hub_buf_free(&msg);
	}
	drop_cut(L);
}

/* Passes the writer's cut at the input's position on, if it made one
 * there (look: read what the writer said first). 1 if one was passed:
 * the output up to here must go out now. */
static int cut_here(struct loop *L, int look)
{
	uint64_t at = hub_reader_consumed(L->r);

	if (look)
		take_cuts(L);
	while (L->next_cut < at)
		drop_cut(L);
	if (L->next_cut != at)
		return 0;
	pass_cut(L);
	return 1;
}

/* The batch first, then the hook: the order that lets a tool record what
 * depends on its events being written. 0, or -1 (reported). */
static int flush(struct loop *L)
{
	const struct hub_filter *f = L->f;
	struct hub_buf *out = &L->out;

	if (!L->txn && L->up && hub_ack_out_txn(L->down)) {
		L->txn = 1;
		hub_ack_in_txn(L->up);   /* the writer's offsets go to the transactions */
		hub_reader_set_wakeup3(L->r, hub_ack_in_fd(L->up));   /* an urgent cut while idle */
	}
	if (out->len > 0) {
		int failed = hub_write_all(L->out_fd, out->data, out->len) < 0;

		if (failed && !hub_output_closed(errno))
			hub_err("writing standard output: %s", strerror(errno));
		if (!failed) {
			L->written += out->len;
			hub_ack_out_wrote(L->down, out->len);
		}
		if (f->wipe)
			sodium_memzero(out->data, out->len);
		hub_buf_reset(out);
		if (failed) {
			if (f->unwritten)
				f->unwritten(f->ctx);
			return -1;
		}
	}
	if (f->flushed)
		f->flushed(f->ctx);
	/* Too many batches wait: wait for the reader a while, then fold
	 * this one into the newest (that delays an acknowledgement, never
	 * advances one). */
	for (int tries = 0; L->n == MAX_BATCHES && tries < 10; tries++) {
		struct pollfd pfd = { .fd = hub_ack_out_fd(L->down), .events = POLLIN };

		if (settle(L) < 0)
			return -1;
		if (L->n < MAX_BATCHES || pfd.fd < 0 || hub_stop_requested)
			break;
		poll(&pfd, 1, 100);
	}
	if (L->n == MAX_BATCHES) {
		struct batch *b = &L->q[(L->head + L->n - 1) % MAX_BATCHES];

		b->in = hub_reader_consumed(L->r);
		b->out = L->written;
		b->flushes++;
	} else {
		L->q[(L->head + L->n++) % MAX_BATCHES] = (struct batch){ hub_reader_consumed(L->r), L->written, 1 };
	}
	watch_down(L);
	return settle(L);
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

int hub_filter_run(const struct hub_filter *f, struct hub_reader *r, int in_fd, int out_fd, struct hub_stats *st)
{
	struct loop L = { .f = f, .r = r, .out_fd = out_fd, .wake_fd = -1, .next_cut = UINT64_MAX };
	struct hub_line l;
	const char *data;
	size_t len;
	int status = HUB_EXIT_OK, broken = 0, rc;

	hub_buf_reserve(&L.out, HUB_FILTER_BATCH + 4096);
	L.q = hub_xmalloc(sizeof(*L.q) * MAX_BATCHES);
	/* listen before the first write, connect before the first read */
	L.down = hub_ack_out_new(out_fd);
	L.up = hub_ack_in_new(in_fd, 0);
	hub_reader_set_interrupt(r, &hub_stop_requested);
	hub_reader_set_wakeup(r, hub_signal_fd());   /* SIGUSR1 while idle, too */
	watch_down(&L);
	hub_service_ready();
	while (!hub_stop_requested) {
		if ((!hub_reader_buffered(r) || batch_full(f, &L.out)) && flush(&L) < 0) {
			broken = 1;
			break;
		}
		rc = hub_reader_next(r, &l);
		if (rc == 0)
			break;
		if (rc < 0 && errno == EINTR && !hub_stop_requested) {
			/* woken by SIGUSR1 or by the down link while waiting for input */
			hub_signal_drain();
			print_stats(f, st);
			hub_ack_in_retry(L.up);
			if (settle(&L) < 0) {
				broken = 1;
				break;
			}
			/* a cut where the input is now: an urgent one */
			if (L.txn && cut_here(&L, 1) && flush(&L) < 0) {
				broken = 1;
				break;
			}
			watch_down(&L);
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
		st->bytes_in += l.len + 1;
		switch (f->line(f->ctx, &l, &data, &len)) {
		case HUB_FILTER_PASS:
			hub_buf_add(&L.out, data, len);
			hub_buf_addc(&L.out, '\n');
			st->out++;
			st->bytes_out += len + 1;
			break;
		case HUB_FILTER_FAIL:
			st->failed++;
			break;
		case HUB_FILTER_DROP:
			break;
		}
		if (L.txn) {
			/* a cut comes before its bytes: look when more were read */
			int look = hub_reader_total(r) != L.seen_total;

			L.seen_total = hub_reader_total(r);
			if (cut_here(&L, look) && flush(&L) < 0) {
				broken = 1;
				break;
			}
		}
		print_stats(f, st);
	}
	/* the writer's last cut is where the input ended (its end, or a stop) */
	if (!broken && L.txn)
		cut_here(&L, 1);
	/* what was read is written, even after a read error or a stop */
	if (!broken && flush(&L) < 0)
		broken = 1;
	/* and made safe before its input is acknowledged, when anyone waits
	 * for that: the writer of the input, or the tool's own records */
	if (!broken && (L.up || f->safe)) {
		hub_ack_out_end(L.down, PATIENCE_MS);
		if (settle(&L) < 0)
			broken = 1;
	}
	hub_ack_in_free(L.up);
	hub_ack_out_free(L.down);
	free(L.q);
	hub_buf_free(&L.out);
	hub_buf_free(&L.cuts);
	if (broken)
		return HUB_EXIT_IOERR;
	if (status == HUB_EXIT_OK && st->failed)
		status = HUB_EXIT_FAILED;
	return status;
}
