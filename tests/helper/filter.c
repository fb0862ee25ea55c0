/* tests/helper/filter.c: test driver for libhub's filter loop (lib/stream/filter.c).
 *
 *   filter < lines > out    a line "fail..." fails, "drop..." is dropped,
 *                           any other passes as it is; at the end, stderr
 *                           gets "in N out N failed N flushes N unwritten N
 *                           status N" and the exit status is the loop's.
 *
 * Each flushed hook prints "flushed BYTES" (what stdout has taken so far)
 * and, when stdout is a regular file, checks that it holds every byte
 * passed so far: the invariant hub-dedup's state file relies on. A breach
 * prints "hook before write" and makes the exit status 99. The safe hook
 * counts the batches it is told are safe: "safe batches N of N" at the
 * end, and "safe before flushed" (status 99) if it ever runs ahead. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diag.h"
#include "stream/filter.h"
#include "stream/ndjson.h"
#include "core/stats.h"

struct counts {
	unsigned long long passed_bytes, flushes, unwritten, safe;
	int regular, breach;
};

static enum hub_filter_verdict verdict(void *ctx, const struct hub_line *l, const char **data, size_t *len)
{
	struct counts *c = ctx;

	if (l->len >= 4 && memcmp(l->data, "fail", 4) == 0)
		return HUB_FILTER_FAIL;
	if (l->len >= 4 && memcmp(l->data, "drop", 4) == 0)
		return HUB_FILTER_DROP;
	*data = l->data;
	*len = l->len;
	c->passed_bytes += l->len + 1;
	return HUB_FILTER_PASS;
}

static void flushed(void *ctx)
{
	struct counts *c = ctx;
	struct stat sb;

	c->flushes++;
	if (c->regular && fstat(STDOUT_FILENO, &sb) == 0) {
		fprintf(stderr, "flushed %lld\n", (long long)sb.st_size);
		if ((unsigned long long)sb.st_size != c->passed_bytes) {
			fprintf(stderr, "hook before write: %lld bytes out, %llu passed\n", (long long)sb.st_size,
			        c->passed_bytes);
			c->breach = 1;
		}
	}
}

/* Batches become safe in order, never more than were flushed. */
static int safe(void *ctx, size_t n)
{
	struct counts *c = ctx;

	c->safe += n;
	if (c->safe > c->flushes) {
		fprintf(stderr, "safe before flushed: %llu of %llu\n", c->safe, c->flushes);
		c->breach = 1;
	}
	return 0;
}

static void unwritten(void *ctx)
{
	((struct counts *)ctx)->unwritten++;
}

int main(int argc, char **argv)
{
	struct counts c = { 0 };
	struct hub_filter f = { .ctx = &c, .line = verdict, .flushed = flushed, .safe = safe, .unwritten = unwritten };
	struct hub_reader *r = hub_reader_new(STDIN_FILENO, HUB_MAX_LINE_DEFAULT);
	struct hub_stats st;
	struct stat sb;
	int status;

	(void)argc;
	hub_diag_init(argv[0]);
	c.regular = fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode);
	hub_stats_start(&st);
	status = hub_filter_run(&f, r, STDIN_FILENO, STDOUT_FILENO, &st);
	hub_reader_free(r);
	fprintf(stderr, "safe batches %llu of %llu\n", c.safe, c.flushes);
	fprintf(stderr, "in %llu out %llu failed %llu flushes %llu unwritten %llu status %d\n",
	        (unsigned long long)st.in, (unsigned long long)st.out, (unsigned long long)st.failed, c.flushes,
	        c.unwritten, status);
	return c.breach ? 99 : status;
}
