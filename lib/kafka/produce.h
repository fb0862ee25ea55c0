/* kafka/produce.h: hub-produce's engine, NDJSON lines in, Kafka messages out.
 *
 * Each input line becomes one message whose value is the line's bytes,
 * unchanged. An event counts as done only when its delivery report says
 * so; one that fails (malformed, refused, or undelivered after
 * librdkafka's retries) goes to the failure store with the reason and
 * whether the broker may have written it anyway. Nothing is dropped on a
 * signal: reading stops, what is in flight is delivered or failed. */
#ifndef HUB_PRODUCER_H
#define HUB_PRODUCER_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "schema/avrowire.h"
#include "stream/failstore.h"
#include "json/path.h"
#include "core/stats.h"

struct hub_produce_opts {
	const char *topic;              /* -t; NULL: --topic-from or the envelope's */
	int32_t partition;              /* -p; RD_KAFKA_PARTITION_UA: partitioner */
	const char *key_path;           /* -k; NULL: "partitionkey"; "" : no key */
	const char *key_delim;          /* -K: each line KEY<DELIM>EVENT, as kcat's */
	const char *topic_from;         /* --topic-from PATH or TEMPLATE with {path} */
	int binary_mode;                /* --binary-mode: CloudEvents binary content mode */
	const struct hub_registry *registry;  /* --format avro: the schemas */
	struct hub_avrowire *avro;      /* --format avro: data as Avro, Confluent framing */
	int envelope;                   /* --envelope: input lines are envelopes */
	int allow_tombstones;           /* --allow-tombstones: envelopes without a value */
	int keep_partition;             /* --keep-partition: the envelope's, to another topic too */
	int raw;                        /* --raw: send lines that are not JSON as they are */
	int tee;                        /* --tee: delivered events to stdout, as envelopes */
	int transactional;              /* transactional.id is set: one transaction */
	uint64_t count;                 /* -c: at most this many lines; 0: all */
	size_t max_line;                /* --max-line */
	const rd_kafka_headers_t *headers;  /* -H, added to every message */
	struct hub_failstore *failstore;
	int show_stats;                 /* --stats at exit */
};

/* Produces stdin (in_fd) to Kafka. conf is consumed. Returns the exit
 * status (core/exitcodes.h). Counters land in *stats. */
int hub_produce_run(rd_kafka_conf_t *conf, int in_fd, const struct hub_produce_opts *opts,
                    struct hub_stats *stats);

#endif
