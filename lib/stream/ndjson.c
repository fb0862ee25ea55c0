/* stream/ndjson.c: the buffered line reader behind every tool's input loop.
 *
 * The buffer holds [start, end) of unread bytes. A line is returned as a
 * pointer into the buffer; the next call slides the remainder down only
 * when more input is needed. When a line outgrows max_line the reader
 * keeps its first bytes for the failure store and discards the rest up to
 * the newline, so memory never exceeds max_line plus one read chunk. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "json/scan.h"
#include "stream/ndjson.h"

#define CHUNK (256u << 10)
#define TOO_LONG_KEEP 1024   /* bytes of an over-long line kept for the report */

struct hub_reader {
	int fd;
	size_t max_line;
	char *buf;
	size_t cap;
	size_t start, end;
	size_t first_nl;     /* the first newline in [start, end) when known, else SIZE_MAX */
	uint64_t lineno;
	uint64_t total;      /* bytes read from fd so far */
	int eof;
	int keep;            /* hub_reader_keep_lines() */
	int lines_out;       /* keep: lines were returned from buf since the last swap */
	const volatile int *interrupt;
	int wake_fd[3];      /* hub_reader_set_wakeup(), hub_reader_add_wakeup(), the third; -1: none */
	int timeout_ms;      /* hub_reader_set_timeout(), -1: none */
	char head[TOO_LONG_KEEP];
};

struct hub_reader *hub_reader_new(int fd, size_t max_line)
{
	struct hub_reader *r = hub_xcalloc(1, sizeof(*r));

	r->fd = fd;
	r->wake_fd[0] = r->wake_fd[1] = r->wake_fd[2] = -1;
	r->timeout_ms = -1;
	r->first_nl = SIZE_MAX;
	r->max_line = max_line ? max_line : HUB_MAX_LINE_DEFAULT;
	r->cap = CHUNK * 2;
	r->buf = hub_xmalloc(r->cap);
	return r;
}

void hub_reader_set_interrupt(struct hub_reader *r, const volatile int *flag)
{
	r->interrupt = flag;
}

void hub_reader_set_wakeup(struct hub_reader *r, int wake_fd)
{
	r->wake_fd[0] = wake_fd;
}

void hub_reader_add_wakeup(struct hub_reader *r, int wake_fd)
{
	r->wake_fd[r->wake_fd[0] < 0 ? 0 : 1] = wake_fd;
}

void hub_reader_set_wakeup3(struct hub_reader *r, int wake_fd)
{
	r->wake_fd[2] = wake_fd;
}

void hub_reader_set_timeout(struct hub_reader *r, int ms)
{
	r->timeout_ms = ms;
}

void hub_reader_keep_lines(struct hub_reader *r)
{
	r->keep = 1;
}

void hub_reader_swap_buffer(struct hub_reader *r, char **buf, size_t *cap)
{
	size_t unread = r->end - r->start, need = unread + CHUNK;
	char *nb = *buf;
	size_t ncap = *cap;

	if (need < CHUNK * 2)
		need = CHUNK * 2;
	if (ncap < need) {
		free(nb);
		nb = hub_xmalloc(need);
		ncap = need;
	}
	memcpy(nb, r->buf + r->start, unread);
	*buf = r->buf;
	*cap = r->cap;
	r->buf = nb;
	r->cap = ncap;
	r->start = 0;
	r->end = unread;
	r->first_nl = SIZE_MAX;
	r->lines_out = 0;
}

int hub_reader_buffered(struct hub_reader *r)
{
	char *nl;

	if (r->end == r->start)
		return 0;
	if (r->eof || r->buf[r->end - 1] == '\n')
		return 1;
	if (r->first_nl >= r->start && r->first_nl < r->end)
		return 1;
	/* found once here, used by hub_reader_next(): no line is searched twice */
	if (!(nl = memchr(r->buf + r->start, '\n', r->end - r->start)))
		return 0;
	r->first_nl = (size_t)(nl - r->buf);
	return 1;
}

uint64_t hub_reader_total(const struct hub_reader *r)
{
	return r->total;
}

uint64_t hub_reader_consumed(const struct hub_reader *r)
{
	return r->total - (r->end - r->start);
}

void hub_reader_free(struct hub_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

/* Read more input after the unread bytes; grows the buffer up to the
 * limit. Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t fill(struct hub_reader *r)
{
	ssize_t n;

	if (r->start > 0 && (r->cap - r->end < CHUNK)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->first_nl = SIZE_MAX;
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < CHUNK) {
		size_t ncap = r->cap * 2;

		if (ncap > r->max_line + 2 * CHUNK)
			ncap = r->max_line + 2 * CHUNK;
		if (ncap > r->cap) {
			r->buf = hub_xrealloc(r->buf, ncap);
			r->cap = ncap;
		}
	}
	if (r->interrupt && *r->interrupt) {
		errno = EINTR;
		return -1;
	}
	if (r->wake_fd[0] >= 0 || r->wake_fd[1] >= 0 || r->wake_fd[2] >= 0 || r->timeout_ms >= 0) {
		/* a wake-up fd of -1 is ignored by poll(2) */
		struct pollfd fds[4] = { { .fd = r->fd, .events = POLLIN },
		                         { .fd = r->wake_fd[0], .events = POLLIN },
		                         { .fd = r->wake_fd[1], .events = POLLIN },
		                         { .fd = r->wake_fd[2], .events = POLLIN } };
		int ready;

		while ((ready = poll(fds, 4, r->timeout_ms)) < 0) {
			if (errno != EINTR || (r->interrupt && *r->interrupt)) {
				errno = EINTR;
				return -1;
			}
		}
		if (ready == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (fds[1].revents || fds[2].revents || fds[3].revents) {
			errno = EINTR;
			return -1;
		}
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR && !(r->interrupt && *r->interrupt));
	if (n > 0) {
		r->end += (size_t)n;
		r->total += (uint64_t)n;
	}
	return n;
}

/* Discard an over-long line up to and including its newline. */
static int skip_rest(struct hub_reader *r, size_t *total)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		ssize_t n;

		if (nl) {
			*total += (size_t)(nl - (r->buf + r->start));
			r->start = (size_t)(nl - r->buf) + 1;
			return 0;
		}
		*total += r->end - r->start;
		r->start = r->end = 0;
		r->first_nl = SIZE_MAX;
		n = fill(r);
		if (n < 0)
			return -1;
		if (n == 0) {
			r->eof = 1;
			return 0;
		}
	}
}

int hub_reader_next(struct hub_reader *r, struct hub_line *line)
{
	size_t scanned = 0;

	for (;;) {
		char *p = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = r->first_nl >= r->start && r->first_nl < r->end ? r->buf + r->first_nl
		           : memchr(p + scanned, '\n', avail - scanned);
		size_t len;

		if (nl || (r->eof && avail > 0)) {
			len = nl ? (size_t)(nl - p) : avail;
			if (len > r->max_line)
				goto too_long;
			r->start += len + (nl ? 1 : 0);
			if (len > 0 && p[len - 1] == '\r')
				len--;
			line->data = p;
			line->len = line->full_len = len;
			line->number = ++r->lineno;
			line->status = HUB_LINE_OK;
			line->unterminated = !nl;
			r->lines_out = 1;
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->keep && r->lines_out) {
			errno = EAGAIN;   /* a read would overwrite them: swap first */
			return -1;
		}
		if (avail > r->max_line)
			goto too_long;
		scanned = avail;
		ssize_t n = fill(r);
		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = 1;
		continue;
too_long:
		{
			/* the line's own bytes only, never the next line's */
			size_t mine = nl ? (size_t)(nl - p) : avail;
			size_t keep = mine < TOO_LONG_KEEP ? mine : TOO_LONG_KEEP;
			size_t total = 0;

			memcpy(r->head, p, keep);
			if (skip_rest(r, &total) < 0)
				return -1;
			line->data = r->head;
			line->len = keep;
			line->full_len = total;
			line->number = ++r->lineno;
			line->status = HUB_LINE_TOO_LONG;
			line->unterminated = 0;
			r->lines_out = 1;
			return 1;
		}
	}
}

void hub_line_too_long_reason(const struct hub_line *l, char *why, size_t whylen,
                              char *extra, size_t extralen)
{
	int part = l->len < l->full_len;

	if (part)
		snprintf(why, whylen, "line is %zu bytes, longer than the limit (--max-line); "
		         "only its first %zu bytes are kept here", l->full_len, l->len);
	else
		snprintf(why, whylen, "line is %zu bytes, longer than the limit (--max-line)", l->full_len);
	snprintf(extra, extralen, "\"bytes\":%zu,\"truncated\":%s", l->full_len, part ? "true" : "false");
}

const char *hub_not_object_reason(int top)
{
	static const char *const reasons[] = {
		[HUB_JSON_ARRAY] = "not an event: the line is an array, not a JSON object",
		[HUB_JSON_STRING] = "not an event: the line is a string, not a JSON object",
		[HUB_JSON_NUMBER] = "not an event: the line is a number, not a JSON object",
		[HUB_JSON_BOOL] = "not an event: the line is a boolean, not a JSON object",
		[HUB_JSON_NULL] = "not an event: the line is null, not a JSON object",
	};

	return top > 0 && top < (int)(sizeof(reasons) / sizeof(reasons[0])) && reasons[top] ? reasons[top]
	       : "not an event: the line is not a JSON object";
}

size_t hub_parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return 0;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end)
		return 0;
	return (size_t)v;
}

size_t hub_max_line_option(const char *arg)
{
	size_t n = hub_parse_size(arg);

	if (!n)
		hub_usage_error("--max-line '%s': expected a size such as 16M", arg);
	return n;
}
