/* core/metrics.h: --metrics FILE and systemd's notify protocol, for every tool.
 *
 * A tool that runs for long hands its struct hub_stats to hub_service_start()
 * once it has parsed its options. A thread of the library's then, every
 * --metrics-interval seconds and once more at the end of the run, writes the
 * counters as Prometheus text (node_exporter's textfile convention: a
 * temporary file in the same directory, renamed over FILE; no timestamps;
 * every series present from the start, zeros included), and, when systemd
 * started the tool with $NOTIFY_SOCKET, sends STATUS= with the counts and
 * WATCHDOG=1 at half of $WATCHDOG_USEC. The tool's own loop never waits for
 * either: a file that cannot be written is a warning, once, never an exit.
 *
 * One writer per process (like the signal flags of core/signals.h), so that
 * the library code that knows a number (the failure store its reasons,
 * hub-dedup its duplicates, the consumer its lag) adds it where it is,
 * without a handle passed down through every layer. What the thread reads
 * it reads with relaxed atomic loads or under the lock below; the tool's
 * counters stay plain integers on its hot path. */
#ifndef HUB_METRICS_H
#define HUB_METRICS_H

#include <stdint.h>

#include "core/stats.h"

/* The shared options (placed in a tool's table, see core/options.h). */
enum { HUB_OPT_METRICS = 270, HUB_OPT_METRICS_INTERVAL, HUB_OPT_NAME };
#define HUB_OPTION_METRICS { HUB_OPT_METRICS, "metrics", "FILE", \
                             "write Prometheus text metrics to FILE (renamed into place)" }
#define HUB_OPTION_METRICS_INTERVAL { HUB_OPT_METRICS_INTERVAL, "metrics-interval", "DURATION", \
                                      "rewrite --metrics every DURATION (default 5s)" }
#define HUB_OPTION_NAME { HUB_OPT_NAME, "name", "NAME", \
                          "the integration point's name in metrics and status\n" \
                          "(default: the tool's name)" }
#define HUB_OPTIONS_SERVICE HUB_OPTION_METRICS, HUB_OPTION_METRICS_INTERVAL, HUB_OPTION_NAME

struct hub_service_opts {
	const char *metrics;    /* --metrics FILE, or NULL */
	const char *name;       /* --name, or NULL: the tool's name */
	int64_t interval_ms;    /* --metrics-interval; 0: 5 s */
};

/* One of the shared options (c from hub_getopt): taken into o, returns 1;
 * any other c: 0. A bad argument is a usage error. */
int hub_service_option(struct hub_service_opts *o, int c, const char *arg);

/* Starts the writer for st (already hub_stats_start()ed), when --metrics
 * or $NOTIFY_SOCKET asks for it; st must live until hub_service_stop().
 * st NULL (a server, which counts no events): notifications only, with
 * STATUS=NAME: serving. */
void hub_service_start(const struct hub_service_opts *o, struct hub_stats *st);
/* READY=1: the tool's input is open (its consumer assigned, its server
 * listening). Once; nothing without $NOTIFY_SOCKET. */
void hub_service_ready(void);
/* STOPPING=1, the last metrics file, the thread joined. Idempotent; run by
 * hub_finish() and at exit. */
void hub_service_stop(void);

/* A counter of the tool's own, read from *value (which must live until
 * hub_service_stop()), as hub_NAME_total; help is its HELP text. */
void hub_metrics_counter(const char *name, const char *help, const uint64_t *value);
/* One event in the failure store, by the class of its reason. */
void hub_metrics_failure(const char *reason);
/* The class of a failure's reason: "invalid_json", "not_an_event",
 * "too_long", "schema", "delivery", "io", or "other". */
const char *hub_metrics_failure_class(const char *reason);
/* kafka_consumergroup_lag{consumergroup,topic,partition}: the last value
 * set (-1 removes the series, e.g. a partition revoked). */
void hub_metrics_lag(const char *group, const char *topic, int32_t partition, int64_t lag);
/* --metrics-interval when a metrics file is written, else 0 (the consumer
 * asks before it turns librdkafka's statistics on). */
int64_t hub_metrics_interval_ms(void);

#endif
