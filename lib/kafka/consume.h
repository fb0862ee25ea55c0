/* kafka/consume.h: hub-consume's engine, Kafka messages in, NDJSON lines out.
 *
 * Each message value becomes one line on the output (or, with --envelope,
 * one envelope line). The invariant: an offset is stored for commit only
 * after the line of its message was written with write(2), or the message
 * was appended to the failure store. Output is assembled in one buffer and
 * written in large batches; the batch's offsets are stored after the write
 * returns. A closed or failing output stops the run without storing the
 * offsets of what was not written, so nothing is lost (at least once). */
#ifndef HUB_CONSUMER_H
#define HUB_CONSUMER_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "schema/avrowire.h"
#include "stream/failstore.h"
#include "core/stats.h"

struct hub_consume_opts {
	char **topics;                  /* -t; a name starting with ^ is a regex */
	int ntopics;
	const char *group;              /* -G; NULL: assign partitions directly */
	int32_t partition;              /* -p; -1: every partition */
	int64_t offset;                 /* -o: an offset or RD_KAFKA_OFFSET_* */
	int64_t timestamp;              /* -o s@MS; -1: none */
	int64_t until;                  /* -o e@MS: each partition ends at its first message
	                                 * of this time or later (kcat's e@); -1: none */
	int exit_at_eof;                /* -e */
	uint64_t count;                 /* -c; 0: no limit */
	int envelope;                   /* --envelope */
	struct hub_avrowire *avro;      /* --format avro: values are Avro, Confluent framing */
	int metadata_timeout_ms;        /* -m: how long to wait for the brokers with -e */
	struct hub_failstore *failstore;
	/* With -G: how many commits Kafka refused (kafka/commit.c), for --stats;
	 * set by hub_consume_run() when not NULL. */
	uint64_t *commits_refused;
};

/* Parses -o: beginning, end, stored, N, -N (N from the end), s@MS.
 * Sets *offset (and *timestamp, -1 unless s@). 0, or -1 if invalid. */
int hub_consume_parse_offset(const char *s, int64_t *offset, int64_t *timestamp);

/* Fills kv with the librdkafka properties hub-consume starts from, as
 * key, value pairs ending in NULL (the user's -F/-X override them; n is
 * kv's size, 32 is enough). The ones the invariant needs are forced
 * later, by hub_consume_run(). */
void hub_consume_defaults(const struct hub_consume_opts *opts, const char **kv, int n);

/* Consumes to out_fd until -e/-c/a signal. conf is consumed. Returns the
 * exit status (core/exitcodes.h): 75 when every event was written but
 * Kafka refused to commit some offsets, to the end (a restart reads those
 * events again). Counters land in *stats. */
int hub_consume_run(rd_kafka_conf_t *conf, int out_fd, const struct hub_consume_opts *opts,
                    struct hub_stats *stats);

#endif
