/* hub-validate: every event checked against its Avro schema in the registry.
 *
 * Options, usage and the registry commands (--list, --lint,
 * --check-compat); the events go through hub_validate_run() in
 * lib/schema/validate.c (the check) and lib/stream/filter.c (the loop), the registry
 * lib/schema/registry.c, compatibility lib/schema/compat.c. Valid events go out byte
 * for byte; the others go to the failure store, exit status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema/compat.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/options.h"
#include "stream/failstore.h"
#include "stream/finish.h"
#include "stream/ndjson.h"
#include "schema/registry.h"
#include "core/signals.h"
#include "core/stats.h"
#include "schema/validate.h"

enum {
	OPT_SCHEMAS = HUB_OPT_TOOL, OPT_SUBJECT, OPT_SCHEMA_VERSION, OPT_WHOLE, OPT_UNKNOWN, OPT_EXTRA, OPT_PLAIN,
	OPT_LIST, OPT_LINT, OPT_COMPAT,
};

static const struct hub_option options[] = {
	{ OPT_SCHEMAS, "schemas", "DIR", "schema registry (default: $HUB_SCHEMAS, ./schemas, or\n"
	  "the registry installed with hub)" },
	{ OPT_SUBJECT, "subject", "NAME", "check every event against this subject, whatever its type" },
	{ OPT_SCHEMA_VERSION, "schema-version", "N", "with --subject: this version (default: the latest)" },
	{ OPT_WHOLE, "whole-event", NULL, "the schema describes the whole event, not its data" },
	{ OPT_UNKNOWN, "allow-unknown", NULL, "pass events whose type has no subject (default: reject)" },
	{ OPT_EXTRA, "allow-extra", NULL, "accept record members the schema does not declare" },
	{ OPT_PLAIN, "plain", NULL, "plain JSON objects: no CloudEvents attribute checks" },
	HUB_OPTION_DLQ,
	HUB_OPTION_MAX_LINE,
	HUB_OPTION_STATS,
	HUB_OPTIONS_SERVICE,
	HUB_OPTION_HEADING(""),
	HUB_OPTION_HEADING("Registry commands (output on stdout, exit 1 when they find a problem):"),
	{ OPT_LIST, "list", NULL, "subjects, versions, ids and compatibility modes" },
	{ OPT_LINT, "lint", NULL, "check every schema, name, id and the index" },
	{ OPT_COMPAT, "check-compat", NULL, "check each subject's versions under its compatibility mode" },
	HUB_OPTION_HEADING(""),
	HUB_OPTIONS_GENERAL("verbose"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] < events.ndjson > valid.ndjson\n"
	       "       %s --list | --lint | --check-compat [--schemas DIR]\n"
	       "Check each event's data against the Avro schema of its type in the schema\n"
	       "registry; valid events pass byte for byte, the others go to the failure store.\n"
	       "\n", hub_progname, hub_progname);
	hub_options_help(stdout, options, 21);
	printf("\n"
	       "Exit status: 0 all valid (or no problem found), 1 some events rejected (or\n"
	       "problems found), 64 usage, 74 I/O error, 78 unusable registry. See hub-validate(1).\n");
}

/* --list: one line a schema, tab-separated: subject, version, id, mode, file. */
static int list(const struct hub_registry *reg)
{
	for (int i = 0; i < reg->nsubjects; i++) {
		const struct hub_subject *s = &reg->subjects[i];

		for (int k = 0; k < s->nversions; k++)
			printf("%s\t%d\t%ld\t%s\t%s\n", s->name, s->versions[k].version, s->versions[k].id,
			       hub_compat_name(s->compat), s->versions[k].path);
	}
	return HUB_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct hub_validate_opts o = { 0 };
	struct hub_registry *reg;
	struct hub_buf problems = { 0 };
	struct hub_stats st;
	struct hub_service_opts svc = { 0 };
	const char *dir = NULL, *dlq = NULL;
	struct hub_getopt g;
	int c, status, command = 0;
	char *end;

	hub_diag_init(argv[0]);
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		if (hub_service_option(&svc, c, optarg))
			continue;
		switch (c) {
		case OPT_SCHEMAS: dir = optarg; break;
		case OPT_SUBJECT: o.subject = optarg; break;
		case OPT_SCHEMA_VERSION:
			o.version = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || o.version < 1)
				hub_usage_error("--schema-version '%s': expected a version number, 1 or more", optarg);
			break;
		case OPT_WHOLE: o.whole_event = 1; break;
		case OPT_UNKNOWN: o.allow_unknown = 1; break;
		case OPT_EXTRA: o.allow_extra = 1; break;
		case OPT_PLAIN: o.plain = 1; break;
		case HUB_OPT_DLQ: dlq = optarg; break;
		case HUB_OPT_MAX_LINE: o.max_line = hub_max_line_option(optarg); break;
		case HUB_OPT_STATS: o.show_stats = 1; break;
		case OPT_LIST: case OPT_LINT: case OPT_COMPAT:
			if (command && command != c)
				hub_usage_error("--list, --lint and --check-compat exclude each other");
			command = c;
			break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-validate %s\n", HUB_VERSION); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind < argc)
		hub_usage_error("unexpected argument '%s': events are read from standard input", argv[optind]);
	if (o.version && !o.subject)
		hub_usage_error("--schema-version goes with --subject (events name theirs in dataschema)");
	if (!dir)
		dir = hub_registry_default_dir();

	reg = hub_registry_load(dir, &problems);
	if (!reg)
		hub_die(HUB_EXIT_CONFIG, "%.*s", (int)problems.len - 1, problems.data);
	if (command == OPT_LINT) {
		if (problems.len)
			fwrite(problems.data, 1, problems.len, stdout);
		hub_info("%s: %d subject%s, %d problem%s", dir, reg->nsubjects, reg->nsubjects == 1 ? "" : "s",
		         reg->nproblems, reg->nproblems == 1 ? "" : "s");
		status = reg->nproblems ? HUB_EXIT_FAILED : HUB_EXIT_OK;
		goto done;
	}
	if (reg->nproblems) {
		fprintf(stderr, "%.*s", (int)problems.len, problems.data);
		hub_err("the schema registry %s has %d problem%s (listed above; hub-validate --lint shows them)",
		        dir, reg->nproblems, reg->nproblems == 1 ? "" : "s");
		status = HUB_EXIT_CONFIG;
		goto done;
	}
	if (command == OPT_LIST) {
		status = list(reg);
		goto done;
	}
	if (command == OPT_COMPAT) {
		int breaks = hub_compat_check_registry(reg, stdout);

		hub_info("%s: %d subjects checked, %d breaking changes", dir, reg->nsubjects, breaks);
		status = breaks ? HUB_EXIT_FAILED : HUB_EXIT_OK;
		goto done;
	}
	if (o.subject && !hub_registry_find(reg, o.subject, strlen(o.subject)))
		hub_usage_error("--subject '%s': no such subject in %s (hub-validate --list shows them)", o.subject, dir);

	o.reg = reg;
	o.failstore = hub_failstore_new(dlq);
	hub_signals_install(0);
	hub_stats_start(&st);
	hub_service_start(&svc, &st);
	status = hub_validate_run(STDIN_FILENO, STDOUT_FILENO, &o, &st);
	status = hub_finish(status, &(struct hub_finish){ .stats = &st, .failstore = o.failstore,
	                    .failed = "rejected", .show_stats = o.show_stats });
	hub_buf_free(&problems);
	hub_registry_free(reg);
	return status;
done:   /* the registry commands: their output is on stdout too */
	hub_buf_free(&problems);
	hub_registry_free(reg);
	return hub_close_stdout(status);
}
