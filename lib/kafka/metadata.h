/* kafka/metadata.h: the cluster's brokers, topics and partitions, listed.
 *
 * hub-consume -L, as kcat -L: which brokers there are, which topics, and
 * for each partition its leader, replicas and in-sync replicas; as text,
 * or with -J as one JSON object. */
#ifndef HUB_KAFKA_METADATA_H
#define HUB_KAFKA_METADATA_H

#include <stdint.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

/* Lists all topics, or only topic, on out; conf is consumed. Returns the
 * exit status: OK, NOINPUT when topic does not exist, UNAVAILABLE when no
 * broker answers within timeout_ms, IOERR when out cannot be written. */
int hub_kafka_list(rd_kafka_conf_t *conf, const char *topic, int json, int timeout_ms, FILE *out);

/* hub-consume -Q, as kcat -Q: each partition's offset of its first message
 * at or after ms (-1: none that recent), one line each, or JSON lines. */
int hub_kafka_offsets_for_time(rd_kafka_conf_t *conf, const char *topic, int64_t ms, int json,
                               int timeout_ms, FILE *out);

#endif
