/* hub-consume: Kafka messages to standard output, one event a line.
 *
 * Options, usage and set-up only; the loop is hub_consume_run() in
 * lib/kafka/consume.c. kcat's flags where the meaning is the same. Safe by
 * default: with -G an offset is committed only after its event was
 * written (at least once), and a value that is not one JSON object on
 * one line goes to the failure store instead of breaking the stream. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/config.h"
#include "kafka/consume.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/options.h"
#include "stream/failstore.h"
#include "stream/finish.h"
#include "kafka/client.h"
#include "kafka/metadata.h"
#include "schema/registry.h"
#include "core/signals.h"
#include "core/stats.h"
#include "core/time.h"

enum { OPT_FORMAT = HUB_OPT_TOOL, OPT_SCHEMAS };
enum { MAX_TOPICS = 256 };

static const struct hub_option options[] = {
	HUB_OPTION_BROKERS,
	{ 't', "topic", "TOPIC", "topic to read (repeatable, or as arguments); ^REGEX\n"
	  "matches topic names" },
	{ 'G', "group", "GROUP", "consume as a member of GROUP (cooperative rebalancing);\n"
	  "offsets are committed after their events are written" },
	{ 'p', "partition", "PARTITION", "only this partition (without -G)" },
	{ 'o', "offset", "OFFSET", "where to start: beginning, end, stored, N, -N (N from\n"
	  "the end), s@TIME (first message at or after TIME);\n"
	  "-o e@TIME too: stop before messages of TIME or later\n"
	  "(default: beginning; with -G: the committed offset,\n"
	  "else beginning; -o end makes a new group start at the end)" },
	{ 'e', "exit", NULL, "exit when every partition has been read to its end" },
	{ 'c', "count", "COUNT", "exit after COUNT messages" },
	{ 'm', NULL, "DURATION", "with -e, how long to wait for the brokers (default 10s)" },
	HUB_OPTION_PROPERTY,
	HUB_OPTION_CONFIG,
	{ 'J', "envelope", NULL, "each line a JSON envelope: topic, partition, offset,\n"
	  "timestamp, key, headers and the value" },
	{ OPT_FORMAT, "format", "FORMAT", "json (default), or avro: values in Confluent's Avro wire\n"
	  "format, decoded to JSON with the registry's schemas" },
	{ OPT_SCHEMAS, "schemas", "DIR", "schema registry for --format avro (default: $HUB_SCHEMAS,\n"
	  "else ./schemas)" },
	HUB_OPTION_DLQ,
	HUB_OPTION_STATS,
	HUB_OPTIONS_SERVICE,
	{ 'L', "list", NULL, "list the brokers, topics and partitions (all, or -t's),\n"
	  "as kcat -L; with -J as JSON" },
	{ 'Q', "query", NULL, "with -t and -o s@TIME, print each partition's offset\n"
	  "of that time, as kcat -Q (-J: JSON lines)" },
	{ 'C', NULL, NULL, "kcat's consumer mode: accepted, the only mode here" },
	{ 'P', NULL, NULL, NULL },   /* kcat's producer mode: says where it is */
	HUB_OPTIONS_GENERAL("verbose (repeat for librdkafka debug logs)"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] [-G GROUP] -t TOPIC [-t TOPIC]... > events.ndjson\n"
	       "Write Kafka messages to standard output, one JSON event a line.\n"
	       "\n", hub_progname);
	hub_options_help(stdout, options, 21);
	printf("\n"
	       "Exit status: 0 done, 1 some events in the failure store, 64 usage, 66 no such\n"
	       "topic, 69 Kafka unavailable, 74 output error, 75 offsets Kafka refused to\n"
	       "commit (-G: read again), 78 bad configuration.\n"
	       "See hub-consume(1).\n");
}

static void add_topic(struct hub_consume_opts *o, char *topic)
{
	if (topic[0] != '^' && !hub_kafka_topic_valid(topic, strlen(topic)))
		hub_usage_error("topic '%s': not a valid Kafka topic name (letters, digits, "
		                "'.', '_', '-'; ^REGEX for a pattern)", topic);
	if (o->ntopics == MAX_TOPICS)
		hub_usage_error("more than %d topics: use a ^REGEX", MAX_TOPICS);
	o->topics[o->ntopics++] = topic;
}

int main(int argc, char **argv)
{
	static const char *const formats[] = { "json", "avro", NULL };
	struct hub_consume_opts o = { 0 };
	char *topics[MAX_TOPICS];
	struct hub_config cfg = { 0 };
	struct hub_stats st;
	struct hub_service_opts svc = { 0 };
	const char *brokers = NULL, *dlq = NULL, *offset = NULL, *schemas = NULL;
	struct hub_registry *reg = NULL;
	int avro = 0;
	const char *defaults[32];
	struct hub_error e = { 0 };
	struct hub_getopt g;
	int c, status, show_stats = 0, list = 0, query = 0;
	uint64_t commits_refused = 0;
	char extra[64];
	rd_kafka_conf_t *conf;

	hub_diag_init(argv[0]);
	o.partition = -1;
	o.timestamp = -1;
	o.until = -1;
	o.metadata_timeout_ms = 10000;
	o.topics = topics;
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		if (hub_service_option(&svc, c, optarg))
			continue;
		switch (c) {
		case 'C': break;   /* kcat's consumer mode: the only mode here */
		case 'L': list = 1; break;
		case 'Q': query = 1; break;
		case 'P': hub_usage_error("-P is kcat's producer mode: hub-produce writes to Kafka");
		case 'b': brokers = optarg; break;
		case 't': add_topic(&o, optarg); break;
		case 'G': o.group = optarg; break;
		case 'p': o.partition = (int32_t)hub_number_option(optarg, "-p", 0, INT32_MAX); break;
		case 'o':
			if (strncmp(optarg, "e@", 2) == 0)   /* kcat's end time; s@ or an offset may come too */
				o.until = hub_when_option(optarg + 2, "-o e@");
			else
				offset = optarg;
			break;
		case 'e': o.exit_at_eof = 1; break;
		case 'c': o.count = (uint64_t)hub_number_option(optarg, "-c", 1, INT64_MAX); break;
		case 'm': o.metadata_timeout_ms = (int)hub_duration_option(optarg, "-m"); break;
		case 'X':
			if (strcmp(optarg, "list") == 0) {   /* kcat -X list */
				rd_kafka_conf_properties_show(stdout);
				return 0;
			}
			if (hub_config_set_kv(&cfg, optarg, &e) < 0)
				hub_usage_error("-X %s", e.msg);
			break;
		case 'F':
			cfg.explicit_file = 1;
			if (hub_config_load_file(&cfg, optarg, &e) < 0)
				hub_die_error(&e);
			break;
		case 'J': o.envelope = 1; break;
		case HUB_OPT_DLQ: dlq = optarg; break;
		case OPT_FORMAT: avro = hub_choice_option(optarg, "--format", formats); break;
		case OPT_SCHEMAS: schemas = optarg; break;
		case HUB_OPT_STATS: show_stats = 1; break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-consume %s (librdkafka %s)\n", HUB_VERSION, rd_kafka_version_str()); return 0;
		default: return hub_usage_hint();
		}
	}
	while (optind < argc)   /* kcat -G takes its topics as arguments */
		add_topic(&o, argv[optind++]);
	if (query && (o.ntopics != 1 || o.topics[0][0] == '^' || !offset || strncmp(offset, "s@", 2) != 0 || o.group))
		hub_usage_error("-Q asks for the offsets of a time: give one -t TOPIC and -o s@TIME, without -G");
	if (list && (o.ntopics > 1 || o.group || (o.ntopics == 1 && o.topics[0][0] == '^')))
		hub_usage_error("-L lists all topics, or the one -t names (not a pattern), without -G");
	if (o.ntopics == 0 && !list)
		hub_usage_error("no topic: give -t TOPIC");
	o.offset = o.group ? RD_KAFKA_OFFSET_STORED : RD_KAFKA_OFFSET_BEGINNING;
	if (offset && hub_consume_parse_offset(offset, &o.offset, &o.timestamp) < 0)
		hub_usage_error("-o '%s': expected beginning, end, stored, N, -N or s@TIME (RFC 3339, a date, an "
		                "age such as 2h, or Unix milliseconds)", offset);
	if (o.group && o.partition >= 0)
		hub_usage_error("-p and -G exclude each other: a group assigns the partitions");
	if (o.group && (o.timestamp >= 0 || o.offset >= 0 || o.offset <= RD_KAFKA_OFFSET_TAIL_BASE))
		hub_usage_error("with -G, -o takes beginning, end or stored: where a group without "
		                "a committed offset starts");
	if (o.until >= 0)
		o.exit_at_eof = 1;   /* e@: every partition ends, at that time or at its end */
	if (!o.group && o.offset == RD_KAFKA_OFFSET_STORED)
		hub_usage_error("-o stored needs -G GROUP: offsets are stored per group");

	if (avro && o.envelope)
		hub_usage_error("--format avro and --envelope exclude each other");
	if (avro) {
		struct hub_buf problems = { 0 };

		reg = hub_registry_load(schemas ? schemas : hub_registry_default_dir(), &problems);
		if (reg && !reg->nproblems)
			o.avro = hub_avrowire_new(reg, &problems);
		if (!o.avro) {
			fprintf(stderr, "%.*s", (int)problems.len, problems.data);
			hub_die(HUB_EXIT_CONFIG, "--format avro: the schema registry %s is unusable "
			        "(hub-validate --lint shows why)", schemas ? schemas : hub_registry_default_dir());
		}
		hub_buf_free(&problems);
	}
	if (o.group)
		hub_config_set(&cfg, "group.id", o.group);
	if (brokers)
		hub_config_set(&cfg, "bootstrap.servers", brokers);
	if (hub_config_load_defaults(&cfg, &e) < 0)
		hub_die_error(&e);
	hub_consume_defaults(&o, defaults, 32);
	conf = hub_kafka_conf(&cfg, defaults, &e);
	hub_config_free(&cfg);
	if (!conf)
		hub_die_error(&e);

	if (query)
		return hub_kafka_offsets_for_time(conf, o.topics[0], o.timestamp, o.envelope, o.metadata_timeout_ms,
		                                  stdout);
	if (list)
		return hub_kafka_list(conf, o.ntopics ? o.topics[0] : NULL, o.envelope, o.metadata_timeout_ms, stdout);
	o.failstore = hub_failstore_new(dlq);
	hub_signals_install(1);
	hub_stats_start(&st);
	hub_service_start(&svc, &st);
	o.commits_refused = &commits_refused;
	status = hub_consume_run(conf, STDOUT_FILENO, &o, &st);

	if (commits_refused)
		snprintf(extra, sizeof(extra), "\"commits_refused\":%" PRIu64, commits_refused);
	status = hub_finish(status, &(struct hub_finish){ .stats = &st, .failstore = o.failstore,
	                    .show_stats = show_stats, .stats_extra = commits_refused ? extra : NULL });
	hub_avrowire_free(o.avro);
	hub_registry_free(reg);
	return status;
}
