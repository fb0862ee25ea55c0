/* hub-gen-events: realistic retail events as NDJSON, for demos, tests and
 * benchmarks.
 *
 * Options, usage and set-up only; the world is lib/gen/retail.c, the mix
 * of good, resent and defective lines lib/gen/genevents.c. The promise:
 * the same arguments give the same bytes, on every machine. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/time.h"
#include "core/exitcodes.h"
#include "core/options.h"
#include "gen/genevents.h"

enum { OPT_DUP_RATE = HUB_OPT_TOOL, OPT_INVALID_RATE, OPT_START };

static const struct hub_option options[] = {
	{ 's', "seed", "S", "the story to tell (a whole number, default 1)" },
	{ OPT_DUP_RATE, "dup-rate", "R", "repeat an earlier event, byte for byte, with\n"
	  "probability R (0 to 1, default 0)" },
	{ OPT_INVALID_RATE, "invalid-rate", "R", "write a defective line with probability R: truncated\n"
	  "JSON, no id, a wrong type in data, no data, or not\n"
	  "JSON at all (0 to 1, default 0)" },
	{ OPT_START, "start", "TIME", "the time of the first event: RFC 3339, now, or an age\n"
	  "before now such as 2h (default\n"
	  "2026-03-01T08:00:00Z); each next one is 1 to 399 ms later" },
	HUB_OPTION_HELP,
	HUB_OPTION_VERSION,
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] N > events.ndjson\n"
	       "Write N retail business events (CloudEvents 1.0), one JSON object a line:\n"
	       "orders created, paid and shipped under one subject, customers updated,\n"
	       "stock adjusted. The same arguments always give the same bytes.\n"
	       "\n", hub_progname);
	hub_options_help(stdout, options, 23);
	printf("\n"
	       "Exit status: 0 ok, 64 usage, 74 standard output could not be written.\n"
	       "See hub-gen-events(1).\n");
}

/* A probability: a decimal number from 0 to 1. */
static double rate_option(const char *arg, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end || errno || isnan(v) || v < 0 || v > 1)
		hub_usage_error("%s '%s': expected a probability from 0 to 1, such as 0.05", what, arg);
	return v;
}

int main(int argc, char **argv)
{
	struct hub_gen_opts o = { .seed = 1, .start_ms = HUB_GEN_DEFAULT_START_MS };
	struct hub_getopt g;
	int c;

	hub_diag_init(argv[0]);
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 's':
			o.seed = (uint64_t)hub_number_option(optarg, "--seed", LLONG_MIN, LLONG_MAX);
			break;
		case OPT_DUP_RATE: o.dup_rate = rate_option(optarg, "--dup-rate"); break;
		case OPT_INVALID_RATE: o.invalid_rate = rate_option(optarg, "--invalid-rate"); break;
		case OPT_START: {
			int64_t age;

			/* a time, "now", or an age before now (2h, 7d): events dated
			 * where time windows such as find --since 1d look */
			if (strcmp(optarg, "now") == 0)
				o.start_ms = hub_time_now_ms();
			else if (hub_gen_parse_start(optarg, &o.start_ms) == 0)
				;
			else if (hub_duration_parse(optarg, 0, &age) == 0)
				o.start_ms = hub_time_now_ms() - age;
			else
				hub_usage_error("--start '%s': expected a time such as 2026-03-01T08:00:00Z, now, "
				                "or an age such as 2h", optarg);
			break;
		}
		case 'h': usage(); return 0;
		case 'V': printf("hub-gen-events %s\n", HUB_VERSION); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind >= argc)
		hub_usage_error("the number of events to write is missing (hub-gen-events N)");
	if (optind + 1 < argc)
		hub_usage_error("unexpected argument '%s'", argv[optind + 1]);
	o.count = (uint64_t)hub_number_option(argv[optind], "N", 0, LLONG_MAX);
	if (o.dup_rate + o.invalid_rate > 1)
		hub_usage_error("--dup-rate and --invalid-rate add up to more than 1");

	if (hub_gen_events(&o, STDOUT_FILENO) < 0 || close(STDOUT_FILENO) < 0)
		hub_die(HUB_EXIT_IOERR, "standard output: %s", strerror(errno));
	return HUB_EXIT_OK;
}
