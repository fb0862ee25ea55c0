/* stream/scanahead.c: the scan-ahead thread and its batches (see stream/scanahead-internal.h).
 *
 * Batches circulate between two lists under one mutex: `free` (empty,
 * for the thread to fill) and `full` (filled, in input order, for the
 * tool). Lines are not copied: the reader keeps the lines it returns, and
 * when it needs to read more the thread swaps the batch's spare buffer for
 * the reader's, so the batch goes out holding the very buffer its lines
 * were read into (only the unread start of the next line is moved). Each
 * batch owns one buffer and the reader a fifth; a buffer is spare again
 * once the tool is done with its batch. Per line a batch holds the scan
 * result, spans as offsets into the line. The thread publishes a batch
 * whenever its reader needs input, so an event typed or trickling in is
 * never held back waiting for more, and when the batch is full. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/diag.h"
#include "stream/scanahead-internal.h"

#define NBATCHES 4
#define BATCH_LINES 4096

struct item {
	const char *data;           /* the line, in the batch's buffer or arena */
	size_t len, full_len;
	uint64_t number;
	uint64_t consumed;          /* input bytes up to the end of this line */
	enum hub_line_status status;
	int rc;
	enum hub_json_type top;
	size_t err_off;             /* the error text in errs */
	size_t head_off;            /* a line too long: its head in arena */
	size_t span0;               /* first of npaths spans in spans */
};

struct span_off {
	size_t off, len;            /* relative to the line */
	enum hub_json_type type;
};

struct batch {
	char *buf;                  /* holds the lines once published; spare while filling */
	size_t bufcap;
	struct hub_buf arena, errs; /* the heads of lines too long; scan errors */
	struct item *items;
	size_t n, cap;
	struct span_off *spans;
	size_t nspans, spancap;
	int end;                    /* the last batch: 0 end, -1 error */
	int end_errno;
	struct batch *next;
};

struct hub_scanahead {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *free, *full, *full_tail;
	struct batch *cur;          /* being read by the tool */
	size_t pos;
	int done;                   /* the thread has published its last batch */
	int stopping;
	int wake[2];                /* a pipe: written to stop the reader */
	int timeout_ms;             /* hub_scanahead_set_timeout(), -1: none */
	struct hub_reader *reader;
	struct hub_json *js;
	const struct hub_path *paths;
	int npaths;
	struct hub_span found[HUB_JSON_MAX_PATHS], out_found[HUB_JSON_MAX_PATHS];
	struct batch batches[NBATCHES];
};

void hub_scanahead_block_signals(int block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static void batch_reset(struct batch *b)
{
	hub_buf_reset(&b->arena);
	hub_buf_reset(&b->errs);
	b->n = b->nspans = 0;
	b->end = 1;
	b->end_errno = 0;
	b->next = NULL;
}

static void add_line(struct hub_scanahead *sa, struct batch *b, const struct hub_line *l)
{
	struct item *it;
	const char *base;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->items = hub_xrealloc(b->items, sizeof(*b->items) * b->cap);
	}
	if (b->nspans + (size_t)sa->npaths > b->spancap) {
		b->spancap = (b->spancap ? b->spancap * 2 : 1024) + (size_t)sa->npaths;
		b->spans = hub_xrealloc(b->spans, sizeof(*b->spans) * b->spancap);
	}
	it = &b->items[b->n++];
	it->data = l->data;
	it->len = l->len;
	it->full_len = l->full_len;
	it->number = l->number;
	it->consumed = hub_reader_consumed(sa->reader);
	it->status = l->status;
	it->span0 = b->nspans;
	it->err_off = 0;
	it->rc = 0;
	it->top = HUB_JSON_NONE;
	b->nspans += (size_t)sa->npaths;
	if (l->status != HUB_LINE_OK) {
		/* The reader's copy of the head lasts until its next call:
		 * a copy goes to the arena (an offset, as the arena grows). */
		it->head_off = b->arena.len;
		hub_buf_add(&b->arena, l->data, l->len);
		memset(&b->spans[it->span0], 0, sizeof(*b->spans) * (size_t)sa->npaths);
		return;
	}
	base = l->data;
	it->rc = hub_json_scan(sa->js, base, l->len, sa->found, &it->top);
	if (it->rc < 0) {
		it->err_off = b->errs.len;
		hub_buf_adds(&b->errs, hub_json_error(sa->js));
		hub_buf_addc(&b->errs, '\0');
		memset(sa->found, 0, sizeof(sa->found[0]) * (size_t)sa->npaths);
	}
	for (int i = 0; i < sa->npaths; i++) {
		struct span_off *so = &b->spans[it->span0 + (size_t)i];

		so->type = sa->found[i].type;
		so->off = so->type ? (size_t)(sa->found[i].p - base) : 0;
		so->len = sa->found[i].len;
	}
}

static struct batch *take_free(struct hub_scanahead *sa)
{
	struct batch *b;

	pthread_mutex_lock(&sa->lock);
	while (!sa->free && !sa->stopping)
		pthread_cond_wait(&sa->cond, &sa->lock);
	b = sa->free;
	if (b)
		sa->free = b->next;
	pthread_mutex_unlock(&sa->lock);
	if (b)
		batch_reset(b);
	return b;
}

static void publish(struct hub_scanahead *sa, struct batch *b, int last)
{
	pthread_mutex_lock(&sa->lock);
	b->next = NULL;
	if (sa->full_tail)
		sa->full_tail->next = b;
	else
		sa->full = b;
	sa->full_tail = b;
	if (last)
		sa->done = 1;
	pthread_cond_broadcast(&sa->cond);
	pthread_mutex_unlock(&sa->lock);
}

static void *run(void *arg)
{
	struct hub_scanahead *sa = arg;
	struct batch *b = take_free(sa);
	struct hub_line l;
	int rc;

	hub_scanahead_block_signals(0);
	pthread_setname_np(pthread_self(), "hub:scan");
	while (b) {
		rc = hub_reader_next(sa->reader, &l);
		if (rc > 0) {
			add_line(sa, b, &l);
			if (b->n < BATCH_LINES)
				continue;
		} else if (!(rc < 0 && errno == EAGAIN)) {
			b->end = rc;
			b->end_errno = rc < 0 ? errno : 0;
			publish(sa, b, 1);   /* its lines stay in the reader's buffer */
			return NULL;
		}
		/* The reader needs input, or the batch is full: the batch takes
		 * the buffer its lines are in, and gives its spare one. */
		hub_reader_swap_buffer(sa->reader, &b->buf, &b->bufcap);
		publish(sa, b, 0);
		b = take_free(sa);
	}
	return NULL;
}

struct hub_scanahead *hub_scanahead_start(int fd, size_t max_line, const struct hub_path *paths,
                                          int npaths, const volatile sig_atomic_t *interrupt)
{
	struct hub_scanahead *sa = hub_xcalloc(1, sizeof(*sa));
	pthread_condattr_t ca;

	pthread_mutex_init(&sa->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sa->cond, &ca);
	pthread_condattr_destroy(&ca);
	sa->timeout_ms = -1;
	if (pipe2(sa->wake, O_CLOEXEC) < 0)
		hub_die(70, "cannot create a pipe: %s", strerror(errno));
	sa->reader = hub_reader_new(fd, max_line);
	hub_reader_keep_lines(sa->reader);
	hub_reader_set_interrupt(sa->reader, interrupt);
	hub_reader_set_wakeup(sa->reader, sa->wake[0]);
	sa->js = hub_json_new();
	sa->paths = paths;
	sa->npaths = npaths;
	hub_json_set_paths(sa->js, paths, npaths);
	for (int i = 0; i < NBATCHES; i++) {
		sa->batches[i].next = sa->free;
		sa->free = &sa->batches[i];
	}
	if (pthread_create(&sa->thread, NULL, run, sa) != 0)
		hub_die(70, "cannot start the scan-ahead thread: %s", strerror(errno));
	return sa;
}

int hub_scanahead_next(struct hub_scanahead *sa, struct hub_scanned *out)
{
	struct item *it;

	for (;;) {
		if (sa->cur && sa->pos < sa->cur->n)
			break;
		if (sa->cur) {
			int end = sa->cur->end, err = sa->cur->end_errno;

			if (end <= 0) {       /* the last batch: keep it, report the end */
				errno = err;
				return end;
			}
			pthread_mutex_lock(&sa->lock);
			sa->cur->next = sa->free;
			sa->free = sa->cur;
			pthread_cond_broadcast(&sa->cond);
			pthread_mutex_unlock(&sa->lock);
			sa->cur = NULL;
		}
		pthread_mutex_lock(&sa->lock);
		if (sa->timeout_ms >= 0) {
			struct timespec until;

			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += sa->timeout_ms / 1000;
			until.tv_nsec += (long)(sa->timeout_ms % 1000) * 1000000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			while (!sa->full && pthread_cond_timedwait(&sa->cond, &sa->lock, &until) != ETIMEDOUT)
				;
			if (!sa->full) {
				pthread_mutex_unlock(&sa->lock);
				errno = ETIMEDOUT;
				return -1;
			}
		}
		while (!sa->full)
			pthread_cond_wait(&sa->cond, &sa->lock);
		sa->cur = sa->full;
		sa->full = sa->cur->next;
		if (!sa->full)
			sa->full_tail = NULL;
		pthread_mutex_unlock(&sa->lock);
		sa->pos = 0;
	}
	it = &sa->cur->items[sa->pos++];
	out->line.data = it->status == HUB_LINE_OK ? it->data : sa->cur->arena.data + it->head_off;
	out->line.len = it->len;
	out->line.full_len = it->full_len;
	out->line.number = it->number;
	out->consumed = it->consumed;
	out->line.status = it->status;
	out->rc = it->rc;
	out->top = it->top;
	out->err = it->rc < 0 ? sa->cur->errs.data + it->err_off : "";
	for (int i = 0; i < sa->npaths; i++) {
		const struct span_off *so = &sa->cur->spans[it->span0 + (size_t)i];

		sa->out_found[i].type = so->type;
		sa->out_found[i].p = so->type ? out->line.data + so->off : NULL;
		sa->out_found[i].len = so->len;
	}
	out->found = sa->out_found;
	return 1;
}

void hub_scanahead_set_timeout(struct hub_scanahead *sa, int ms)
{
	sa->timeout_ms = ms;
}

int hub_scanahead_ready(struct hub_scanahead *sa)
{
	int ready;

	if (sa->cur && (sa->pos < sa->cur->n || sa->cur->end <= 0))
		return 1;
	pthread_mutex_lock(&sa->lock);
	ready = sa->full != NULL;
	pthread_mutex_unlock(&sa->lock);
	return ready;
}

void hub_scanahead_stop(struct hub_scanahead *sa)
{
	if (!sa)
		return;
	pthread_mutex_lock(&sa->lock);
	sa->stopping = 1;
	pthread_cond_broadcast(&sa->cond);
	pthread_mutex_unlock(&sa->lock);
	if (write(sa->wake[1], "", 1) < 0)   /* wakes a reader waiting for input */
		hub_warn("scan-ahead: %s", strerror(errno));
	pthread_join(sa->thread, NULL);
	close(sa->wake[0]);
	close(sa->wake[1]);
	for (int i = 0; i < NBATCHES; i++) {
		free(sa->batches[i].buf);
		hub_buf_free(&sa->batches[i].arena);
		hub_buf_free(&sa->batches[i].errs);
		free(sa->batches[i].items);
		free(sa->batches[i].spans);
	}
	hub_json_free(sa->js);
	hub_reader_free(sa->reader);
	pthread_cond_destroy(&sa->cond);
	pthread_mutex_destroy(&sa->lock);
	free(sa);
}
