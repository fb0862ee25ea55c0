/* core/options.h: one option table per tool, for getopt_long and --help.
 *
 * A tool declares its options once, in a table of struct hub_option
 * (libgit2's cli_opt_spec is the model): the short letter, the long name,
 * the argument's name and the help text. hub_getopt_init() builds
 * getopt_long's short string and struct option array from it, and
 * hub_options_help() prints the OPTIONS part of --help, so the two cannot
 * drift apart. The options every tool shares are the HUB_OPTION_* entries
 * below, declared here once and placed in each tool's table. */
#ifndef HUB_OPTIONS_H
#define HUB_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

/* getopt_long's values for the shared long-only options; a tool numbers
 * its own from HUB_OPT_TOOL. */
enum { HUB_OPT_DLQ = 256, HUB_OPT_MAX_LINE, HUB_OPT_STATS, HUB_OPT_TOOL = 300 };

struct hub_option {
	int id;             /* getopt_long's value: the short letter ('b'), or >= 256 (long only) */
	const char *name;   /* long name ("brokers"), or NULL */
	const char *arg;    /* the argument in --help ("BROKERS"); NULL: takes none */
	const char *help;   /* --help text, '\n' before each continuation line;
	                     * NULL: not on a line of its own (a heading names it) */
};

/* A line of its own in --help: a group heading, "" for a blank line, or
 * one line for several options (their entries then have no help). */
#define HUB_OPTION_HEADING(text) { 0, NULL, NULL, (text) }
#define HUB_OPTION_END { 0, NULL, NULL, NULL }

/* Every tool. */
#define HUB_OPTION_QUIET { 'q', "quiet", NULL, "quiet: errors only" }
#define HUB_OPTION_VERBOSE(text) { 'v', "verbose", NULL, (text) }
#define HUB_OPTION_HELP { 'h', "help", NULL, "this help" }
#define HUB_OPTION_VERSION { 'V', "version", NULL, "version" }
/* The closing lines of every tool's table: -q, -v (with the tool's own
 * words for what -v adds), -h, -V. */
#define HUB_OPTIONS_GENERAL(verbose) HUB_OPTION_QUIET, HUB_OPTION_VERBOSE(verbose), HUB_OPTION_HELP, \
                                     HUB_OPTION_VERSION
/* Every tool that reads events. */
#define HUB_OPTION_DLQ { HUB_OPT_DLQ, "dlq", "FILE", "failure store (default: $HUB_DLQ or\n" \
                         "~/.local/state/hub/failed.ndjson)" }
#define HUB_OPTION_MAX_LINE { HUB_OPT_MAX_LINE, "max-line", "SIZE", "longest accepted line (default 16M)" }
#define HUB_OPTION_STATS { HUB_OPT_STATS, "stats", NULL, \
                           "print a JSON summary on stderr at exit (also on SIGUSR1)" }
/* The Kafka tools. */
#define HUB_OPTION_BROKERS { 'b', "brokers", "BROKERS", "bootstrap brokers, host:port[,...] (default:\n" \
                             "$HUB_BROKERS, hub.conf, or the running hub-devbroker)" }
#define HUB_OPTION_PROPERTY { 'X', "property", "KEY=VALUE", "librdkafka property (repeatable)" }
#define HUB_OPTION_CONFIG { 'F', "config", "FILE", "librdkafka properties from FILE (key=value lines)" }

/* getopt_long's arguments, built from a table. */
struct hub_getopt {
	char shorts[128];
	struct option longs[96];
};

/* Builds g from opts (ending in HUB_OPTION_END); a table too large for g
 * is a programming error (exit 70). */
void hub_getopt_init(struct hub_getopt *g, const struct hub_option *opts);
/* getopt_long(argc, argv, g->shorts, g->longs, NULL). */
int hub_getopt(struct hub_getopt *g, int argc, char **argv);
/* The OPTIONS part of --help: one entry a line, help text from column
 * indent + width (23 or 25 in hub's tools), continuation lines under it. */
void hub_options_help(FILE *out, const struct hub_option *opts, int width);

#endif
