/* hub-produce: NDJSON events from standard input to Kafka, one line a message.
 *
 * Options, usage and set-up only; the loop is hub_produce_run() in
 * lib/kafka/produce.c. Safe by default: acks=all, idempotence on, and an event
 * counts as delivered only on its delivery report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/config.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/options.h"
#include "stream/failstore.h"
#include "stream/finish.h"
#include "kafka/client.h"
#include "stream/ndjson.h"
#include "kafka/produce.h"
#include "schema/registry.h"
#include "core/signals.h"
#include "core/stats.h"

enum { OPT_TOPIC_FROM = HUB_OPT_TOOL, OPT_BINARY, OPT_ENVELOPE, OPT_RAW, OPT_TEE, OPT_TXN, OPT_FORMAT, OPT_SCHEMAS,
       OPT_TOMBSTONES, OPT_KEEP_PARTITION };

static const struct hub_option options[] = {
	HUB_OPTION_BROKERS,
	{ 't', "topic", "TOPIC", "topic to produce to" },
	{ OPT_TOPIC_FROM, "topic-from", "SPEC", "topic from each event: a field path (type) or a\n"
	  "template (retail.{type})" },
	{ 'p', "partition", "PARTITION", "partition (default: by key, Java-compatible murmur2;\n"
	  "keyless events a batch to a partition)" },
	{ 'k', "key", "PATH", "message key from this field (default: partitionkey,\n"
	  "the CloudEvents Kafka binding); -k '' for no key" },
	{ 'K', "key-delimiter", "DELIM", "each line is KEY, DELIM, then the event (kcat's -K)" },
	{ 'H', "header", "NAME=VALUE", "add a header to every message (repeatable)" },
	{ 'c', "count", "COUNT", "stop after COUNT input lines" },
	HUB_OPTION_PROPERTY,
	HUB_OPTION_CONFIG,
	{ OPT_BINARY, "binary-mode", NULL, "CloudEvents binary content mode: value = data,\n"
	  "attributes as ce_ headers" },
	{ OPT_FORMAT, "format", "FORMAT", "json (default), or avro: data encoded to Avro in Confluent's\n"
	  "wire format with the schema of its type (implies\n"
	  "--binary-mode)" },
	{ OPT_SCHEMAS, "schemas", "DIR", "schema registry for --format avro (default: $HUB_SCHEMAS,\n"
	  "else ./schemas)" },
	{ OPT_ENVELOPE, "envelope", NULL, "input lines are envelopes (as hub-consume --envelope writes)" },
	{ OPT_TOMBSTONES, "allow-tombstones", NULL, "with --envelope, send envelopes without a value as\n"
	  "tombstones (else they go to the failure store)" },
	{ OPT_KEEP_PARTITION, "keep-partition", NULL, "with --envelope and -t, keep each envelope's partition\n"
	  "(else events to another topic are placed by key)" },
	{ OPT_RAW, "raw", NULL, "send lines that are not JSON as they are" },
	{ OPT_TEE, "tee", NULL, "write each delivered event to stdout as an envelope\n"
	  "(with partition and offset)" },
	{ OPT_TXN, "transactional-id", "ID", "the input as one transaction; from hub-consume -G, exactly once" },
	HUB_OPTION_DLQ,
	HUB_OPTION_MAX_LINE,
	HUB_OPTION_STATS,
	HUB_OPTIONS_SERVICE,
	{ 'P', NULL, NULL, "kcat's producer mode: accepted, the only mode here" },
	{ 'C', NULL, NULL, NULL },   /* kcat's consumer mode: says where it is */
	HUB_OPTIONS_GENERAL("verbose (repeat for librdkafka debug logs)"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] -t TOPIC < events.ndjson\n"
	       "Send newline-delimited JSON events to Kafka, one line a message, byte for byte.\n"
	       "\n", hub_progname);
	hub_options_help(stdout, options, 21);
	printf("\n"
	       "Exit status: 0 all delivered, 1 some events in the failure store, 64 usage,\n"
	       "69 Kafka unavailable, 74 I/O error, 78 bad configuration. See hub-produce(1).\n");
}

int main(int argc, char **argv)
{
	static const char *const formats[] = { "json", "avro", NULL };
	struct hub_produce_opts o = { 0 };
	struct hub_config cfg = { 0 };
	struct hub_stats st;
	struct hub_service_opts svc = { 0 };
	rd_kafka_headers_t *headers = NULL;
	const char *brokers = NULL, *dlq = NULL, *txn = NULL, *schemas = NULL;
	struct hub_registry *reg = NULL;
	int avro = 0;
	struct hub_error e = { 0 };
	struct hub_getopt g;
	int c, status;
	static const char *const defaults[] = {
		"acks", "all",
		"enable.idempotence", "true",
		"partitioner", "murmur2_random",
		NULL,
	};
	rd_kafka_conf_t *conf;

	hub_diag_init(argv[0]);
	o.partition = RD_KAFKA_PARTITION_UA;
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		if (hub_service_option(&svc, c, optarg))
			continue;
		switch (c) {
		case 'b': brokers = optarg; break;
		case 't': o.topic = optarg; break;
		case 'p': o.partition = (int32_t)hub_number_option(optarg, "-p", 0, INT32_MAX); break;
		case 'k': o.key_path = optarg; break;
		case 'K':
			if (!*optarg)
				hub_usage_error("-K: the key delimiter is empty");
			o.key_delim = optarg;
			break;
		case 'P': break;
		case 'C': hub_usage_error("-C is kcat's consumer mode: hub-consume reads from Kafka");
		case 'H': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg)
				hub_usage_error("-H '%s': expected NAME=VALUE", optarg);
			if (!headers)
				headers = rd_kafka_headers_new(4);
			rd_kafka_header_add(headers, optarg, eq - optarg, eq + 1, -1);
			break;
		}
		case 'c': o.count = (uint64_t)hub_number_option(optarg, "-c", 1, INT64_MAX); break;
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
		case OPT_TOPIC_FROM: o.topic_from = optarg; break;
		case OPT_BINARY: o.binary_mode = 1; break;
		case OPT_FORMAT: avro = hub_choice_option(optarg, "--format", formats); break;
		case OPT_SCHEMAS: schemas = optarg; break;
		case OPT_ENVELOPE: o.envelope = 1; break;
		case OPT_TOMBSTONES: o.allow_tombstones = 1; break;
		case OPT_KEEP_PARTITION: o.keep_partition = 1; break;
		case OPT_RAW: o.raw = 1; break;
		case OPT_TEE: o.tee = 1; break;
		case OPT_TXN: txn = optarg; break;
		case HUB_OPT_DLQ: dlq = optarg; break;
		case HUB_OPT_MAX_LINE: o.max_line = hub_max_line_option(optarg); break;
		case HUB_OPT_STATS: o.show_stats = 1; break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-produce %s (librdkafka %s)\n", HUB_VERSION, rd_kafka_version_str()); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind < argc)
		hub_usage_error("unexpected argument '%s': events are read from standard input", argv[optind]);
	if (!o.topic && !o.topic_from && !o.envelope)
		hub_usage_error("no topic: give -t TOPIC (or --topic-from, or --envelope)");
	if (o.topic && o.topic_from)
		hub_usage_error("-t and --topic-from exclude each other");
	if (o.envelope && (o.binary_mode || o.topic_from || o.key_path || o.raw))
		hub_usage_error("--envelope takes topic, key, headers and value from each line; "
		                "it excludes --binary-mode, --topic-from, -k and --raw");
	if (o.key_delim && (o.envelope || o.key_path || o.binary_mode || o.raw))
		hub_usage_error("-K takes the key from each line; it excludes --envelope, -k, --binary-mode and --raw");
	if (o.keep_partition && !o.envelope)
		hub_usage_error("--keep-partition keeps the partitions of envelopes; give --envelope");
	if (o.topic && !hub_kafka_topic_valid(o.topic, strlen(o.topic)))
		hub_usage_error("-t '%s': not a valid Kafka topic name (letters, digits, '.', '_', '-')", o.topic);

	if (avro && (o.envelope || o.raw))
		hub_usage_error("--format avro encodes each event's data; it excludes --envelope and --raw");
	if (avro) {
		struct hub_buf problems = { 0 };

		o.binary_mode = 1;
		reg = hub_registry_load(schemas ? schemas : hub_registry_default_dir(), &problems);
		if (reg && !reg->nproblems)
			o.avro = hub_avrowire_new(reg, &problems);
		if (!o.avro) {
			fprintf(stderr, "%.*s", (int)problems.len, problems.data);
			hub_die(HUB_EXIT_CONFIG, "--format avro: the schema registry %s is unusable "
			        "(hub-validate --lint shows why)", schemas ? schemas : hub_registry_default_dir());
		}
		o.registry = reg;
		hub_buf_free(&problems);
	}
	if (txn)
		hub_config_set(&cfg, "transactional.id", txn);
	if (brokers)
		hub_config_set(&cfg, "bootstrap.servers", brokers);
	if (hub_config_load_defaults(&cfg, &e) < 0)
		hub_die_error(&e);
	o.transactional = hub_config_get(&cfg, "transactional.id") != NULL;
	conf = hub_kafka_conf(&cfg, defaults, &e);
	hub_config_free(&cfg);
	if (!conf)
		hub_die_error(&e);

	o.headers = headers;
	o.failstore = hub_failstore_new(dlq);
	hub_signals_install(0);
	hub_stats_start(&st);
	hub_service_start(&svc, &st);
	status = hub_produce_run(conf, STDIN_FILENO, &o, &st);

	status = hub_finish(status, &(struct hub_finish){ .stats = &st, .failstore = o.failstore,
	                    .show_stats = o.show_stats });
	if (headers)
		rd_kafka_headers_destroy(headers);
	hub_avrowire_free(o.avro);
	hub_registry_free(reg);
	return status;
}
