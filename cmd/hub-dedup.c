/* hub-dedup: each event passes once, across restarts, in bounded memory.
 *
 * Options, usage and set-up only; the work is lib/dedup/dedup.c. The promise:
 * a key is remembered (in memory and in --state) only for an event that
 * was written, so a crash can at worst let an event through twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "dedup/dedup.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/options.h"
#include "stream/failstore.h"
#include "stream/finish.h"
#include "json/path.h"
#include "stream/ndjson.h"
#include "core/signals.h"
#include "core/stats.h"
#include "core/time.h"

enum { OPT_CONTENT = HUB_OPT_TOOL, OPT_WINDOW_BY, OPT_DUPS };

static const struct hub_option options[] = {
	{ 'k', "key", "PATH,...", "the fields that identify an event (default: source,id,\n"
	  "the CloudEvents identity)" },
	{ OPT_CONTENT, "content", NULL, "identify events by their whole canonical content (key\n"
	  "order, whitespace, escapes and 1.0 vs 1 do not matter)" },
	{ 'w', "window", "DURATION", "forget keys older than DURATION (90s, 24h, 7d, 1h30m)" },
	{ OPT_WINDOW_BY, "window-by", "event|arrival", "time the window by each event's `time`\n"
	  "(default) or by the clock when it arrives" },
	{ 'n', "max-keys", "N", "remember at most N keys; the oldest is forgotten first" },
	{ 's', "state", "FILE", "keep the remembered keys in FILE across runs (crash-safe)" },
	{ OPT_DUPS, "dups", "FILE", "append the dropped duplicates to FILE, for audit" },
	HUB_OPTION_DLQ,
	HUB_OPTION_MAX_LINE,
	HUB_OPTION_STATS,
	HUB_OPTIONS_SERVICE,
	HUB_OPTIONS_GENERAL("verbose"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] < events.ndjson > unique.ndjson\n"
	       "Pass each event once: drop the later copies of an event already seen.\n"
	       "\n", hub_progname);
	hub_options_help(stdout, options, 21);
	printf("\n"
	       "Each remembered key costs at most 32 bytes. Exit status: 0 ok, 1 some events\n"
	       "in the failure store, 64 usage, 65 damaged or foreign state file, 69 state\n"
	       "file in use, 74 I/O error, 78 state file made with other key options.\n"
	       "See hub-dedup(1).\n");
}

int main(int argc, char **argv)
{
	struct hub_dedup_opts o = { 0 };
	struct hub_path *keys = NULL;
	struct hub_dedup *d;
	struct hub_stats st;
	struct hub_service_opts svc = { 0 };
	const char *dlq = NULL;
	char err[256], *end;
	struct hub_getopt g;
	int c, status, nkeys = 0;

	hub_diag_init(argv[0]);
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		if (hub_service_option(&svc, c, optarg))
			continue;
		switch (c) {
		case 'k':
			if (keys)
				hub_paths_free(keys, nkeys);
			if ((nkeys = hub_paths_parse_list(optarg, &keys, err, sizeof(err))) < 0)
				hub_usage_error("--key '%s': %s", optarg, err);
			break;
		case OPT_CONTENT: o.content = 1; break;
		case 'w':
			o.window = (uint32_t)(hub_duration_option(optarg, "--window") / 1000);
			break;
		case OPT_WINDOW_BY:
			if (strcmp(optarg, "event") == 0)
				o.by_arrival = 0;
			else if (strcmp(optarg, "arrival") == 0)
				o.by_arrival = 1;
			else
				hub_usage_error("--window-by '%s': expected 'event' or 'arrival'", optarg);
			break;
		case 'n':
			o.max_keys = strtoull(optarg, &end, 10);
			if (end == optarg || *end || *optarg == '-' || o.max_keys == 0 || o.max_keys > 0xfffffff0ull)
				hub_usage_error("--max-keys '%s': expected a number of keys from 1 to 4294967280", optarg);
			break;
		case 's': o.state_path = optarg; break;
		case OPT_DUPS: o.dups_path = optarg; break;
		case HUB_OPT_DLQ: dlq = optarg; break;
		case HUB_OPT_MAX_LINE: o.max_line = hub_max_line_option(optarg); break;
		case HUB_OPT_STATS: o.show_stats = 1; break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-dedup %s (libsodium %s)\n", HUB_VERSION, sodium_version_string()); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind < argc)
		hub_usage_error("unexpected argument '%s': events are read from standard input", argv[optind]);
	if (keys && o.content)
		hub_usage_error("--key and --content exclude each other");
	if (o.by_arrival && !o.window)
		hub_usage_error("--window-by needs --window DURATION");
	if (sodium_init() < 0)
		hub_die(HUB_EXIT_SOFTWARE, "libsodium could not be initialised");

	o.keys = keys;
	o.nkeys = nkeys;
	o.failstore = hub_failstore_new(dlq);
	hub_signals_install(0);
	hub_stats_start(&st);
	hub_service_start(&svc, &st);
	d = hub_dedup_new(&o, &status);
	if (d) {
		status = hub_dedup_run(d, STDIN_FILENO, STDOUT_FILENO, &st);
		status = hub_finish(status, &(struct hub_finish){ .stats = &st, .failstore = o.failstore,
		                    .show_stats = o.show_stats, .stats_extra = hub_dedup_stats_extra(d) });
		status = hub_close_status(status, hub_dedup_free(d));
	} else {
		status = hub_finish(status, &(struct hub_finish){ .failstore = o.failstore });
	}
	if (keys)
		hub_paths_free(keys, nkeys);
	return status;
}
