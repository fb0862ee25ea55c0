/* hub-failures: the failure store read back: searched, summed up, replayed.
 *
 * Options, usage and dispatch only; the work is hub_failures_run() in
 * lib/stream/failures.c. Every command only reads the store; replay also
 * notes what it has handed on in FILE.replayed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/options.h"
#include "core/signals.h"
#include "core/time.h"
#include "stream/failstore.h"
#include "stream/failures.h"
#include "stream/finish.h"
#include "stream/ndjson.h"

enum {
	OPT_SINCE = HUB_OPT_TOOL, OPT_UNTIL, OPT_TOOL, OPT_REASON, OPT_SUBJECT, OPT_TYPE, OPT_ID, OPT_TOPIC,
	OPT_EVENTS, OPT_ALL, OPT_PIPELINE,
};

static const struct hub_option options[] = {
	HUB_OPTION_DLQ,
	HUB_OPTION_HEADING("Which records (all of them must match):"),
	{ OPT_SINCE, "since", "WHEN", "failed at or after WHEN: RFC 3339, a date, or an age (1d)" },
	{ OPT_UNTIL, "until", "WHEN", "failed before WHEN" },
	{ OPT_TOOL, "tool", "NAME", "recorded by this tool (hub-validate, or validate)" },
	{ OPT_REASON, "reason", "TEXT", "the reason contains TEXT" },
	{ OPT_SUBJECT, "subject", "S", "the event's subject (inside an envelope too)" },
	{ OPT_TYPE, "type", "T", "the event's type" },
	{ OPT_ID, "id", "ID", "the event's id" },
	{ OPT_TOPIC, "topic", "T", "the Kafka topic of the record or of its envelope" },
	{ OPT_PIPELINE, "pipeline", "NAME", "recorded in the pipeline of this name ($HUB_PIPELINE)" },
	{ 'c', "count", "COUNT", "at most COUNT records" },
	{ OPT_ALL, "all", NULL, "summary and replay: also records already replayed" },
	HUB_OPTION_HEADING("Output:"),
	{ OPT_EVENTS, "events", NULL, "find: the events, as they were before they failed" },
	HUB_OPTION_MAX_LINE,
	HUB_OPTIONS_GENERAL("verbose"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [find] [OPTIONS]       the failure records that match\n"
	       "       %s summary [OPTIONS]      how many failed, by tool and reason\n"
	       "       %s replay [OPTIONS] | hub-validate | ... | hub-produce -t TOPIC\n"
	       "The failure store read back. replay writes the events of the records that\n"
	       "were in the store when it started and not replayed before, as they were\n"
	       "before they failed (envelopes unwrapped), for the pipeline they failed in;\n"
	       "each is noted as replayed once that pipeline has made it safe.\n"
	       "\n", hub_progname, hub_progname, hub_progname);
	hub_options_help(stdout, options, 23);
	printf("\n"
	       "Exit status: 0 done, 1 no record matched, 64 usage, 66 no failure store,\n"
	       "74 I/O error. See hub-failures(1).\n");
}

int main(int argc, char **argv)
{
	struct hub_failure_query q = { .since = INT64_MIN, .until = INT64_MAX };
	enum hub_failures_mode mode = HUB_FAILURES_FIND;
	const char *dlq = NULL, *cmd = "find";
	size_t max_line = 0;
	struct hub_failstore *fs;
	struct hub_getopt g;
	int c, events = 0, status;

	hub_diag_init(argv[0]);
	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case HUB_OPT_DLQ: dlq = optarg; break;
		case OPT_SINCE: q.since = hub_when_option(optarg, "--since"); break;
		case OPT_UNTIL: q.until = hub_when_option(optarg, "--until"); break;
		case OPT_TOOL: q.tool = optarg; break;
		case OPT_REASON: q.reason = optarg; break;
		case OPT_SUBJECT: q.subject = optarg; break;
		case OPT_TYPE: q.type = optarg; break;
		case OPT_ID: q.id = optarg; break;
		case OPT_TOPIC: q.topic = optarg; break;
		case OPT_PIPELINE: q.pipeline = optarg; break;
		case 'c': q.limit = (uint64_t)hub_number_option(optarg, "-c", 1, INT64_MAX); break;
		case OPT_ALL: q.include_replayed = 1; break;
		case OPT_EVENTS: events = 1; break;
		case HUB_OPT_MAX_LINE: max_line = hub_max_line_option(optarg); break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-failures %s\n", HUB_VERSION); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind < argc)
		hub_usage_error("unexpected argument '%s'", argv[optind]);
	if (strcmp(cmd, "find") == 0)
		mode = events ? HUB_FAILURES_EVENTS : HUB_FAILURES_FIND;
	else if (strcmp(cmd, "summary") == 0)
		mode = HUB_FAILURES_SUMMARY;
	else if (strcmp(cmd, "replay") == 0)
		mode = HUB_FAILURES_REPLAY;
	else
		hub_usage_error("unknown command '%s': expected find, summary or replay", cmd);
	if (events && mode != HUB_FAILURES_EVENTS)
		hub_usage_error("--events is for find (replay always writes events)");
	if (q.include_replayed && mode == HUB_FAILURES_FIND)
		hub_usage_error("--all is for summary and replay (find shows every record)");
	hub_signals_install(1);
	fs = hub_failstore_new(dlq);
	status = hub_failures_run(hub_failstore_path(fs), &q, mode, STDOUT_FILENO, max_line);
	/* no record is written to the store here: closing it creates nothing */
	return hub_finish(status, &(struct hub_finish){ .failstore = fs });
}
