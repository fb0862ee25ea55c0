/* core/stats.c: the one-line JSON summary on stderr. */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "core/diag.h"
#include "core/stats.h"

double hub_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hub_stats_start(struct hub_stats *st)
{
	st->in = st->out = st->failed = 0;
	st->bytes_in = st->bytes_out = 0;
	st->started = hub_now();
}

void hub_stats_print(const struct hub_stats *st, const char *extra)
{
	double secs = hub_now() - st->started, cpu = 0;
	struct rusage ru;

	/* the CPU the process used (user and system), so that the stage
	 * holding a pipeline back can be told from the ones that wait */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	fprintf(stderr, "{\"tool\":\"%s\",\"in\":%llu,\"out\":%llu,\"failed\":%llu%s%s,"
	        "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"rate\":%.1f}\n", hub_progname,
	        (unsigned long long)st->in, (unsigned long long)st->out,
	        (unsigned long long)st->failed, extra ? "," : "", extra ? extra : "",
	        secs, cpu, secs > 0 ? (double)st->in / secs : 0.0);
}
