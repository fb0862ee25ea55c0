/* tests/helper/search-deadline.c: test driver for the deadline of an
 * archive search (archive/search.h), the bound on a server's request.
 *
 *   search-deadline DIR TEXT MS   searches DIR for TEXT (as find --grep)
 *                                 with a deadline MS milliseconds from now
 *                                 (0: none; -1: already past), and prints
 *                                 "rc R, results N" and the message when R
 *                                 is not 0 (exit 0 either way). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "archive/search.h"

static int count(void *ctx, const struct hub_hit *hit)
{
	(*(long *)ctx)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct hub_query q = { .since = INT64_MIN, .until = INT64_MAX };
	struct timespec ts;
	long results = 0, ms;
	char err[512] = "";
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: search-deadline DIR TEXT MS\n");
		return 64;
	}
	q.text = argv[2];
	ms = atol(argv[3]);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ms > 0)
		q.deadline = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + ms;
	else if (ms < 0)
		q.deadline = 1;   /* long past: the machine has been up for more than 1 ms */
	rc = hub_archive_find(argv[1], &q, count, &results, NULL, err, sizeof(err));
	printf("rc %d, results %ld%s%s\n", rc, results, rc ? ": " : "", rc ? err : "");
	return 0;
}
