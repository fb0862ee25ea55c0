/* kafka/placement-internal.h: the partition hub-produce gives the events
 * of a batch itself, as librdkafka's configured partitioner would.
 *
 * Invariant: hub places an event only where librdkafka would have put it
 * by the same rule; whenever it cannot, hub_place() answers
 * RD_KAFKA_PARTITION_UA and librdkafka chooses. */
#ifndef HUB_PLACEMENT_INTERNAL_H
#define HUB_PLACEMENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

/* Where events to the -t topic go, when hub places them (see kafka/placement.c). */
typedef int32_t (*hub_partitioner_fn)(const rd_kafka_topic_t *rkt, const void *key, size_t keylen,
                                      int32_t partition_cnt, void *rkt_opaque, void *msg_opaque);
struct hub_placement {
	int sticky;                 /* keyless events: hub's, not a partitioner's */
	hub_partitioner_fn keyed;   /* keyed events: the configured hash, or NULL */
	int tried;                  /* the topic's partitions were asked for */
	int32_t count;              /* the topic's partitions, 0 while unknown */
	int32_t *parts;             /* those with a leader */
	int nparts;
	int32_t cur;                /* where this batch's keyless events go, or -1 */
	size_t sent, limit;         /* bytes sent to cur; batch.size */
	double refresh_at;          /* hub_now() of the next metadata look-up */
	double interval;            /* topic.metadata.refresh.interval.ms, in s */
	rd_kafka_resp_err_t refused; /* the cluster refuses the topic for good (not authorized) */
	unsigned seed;
};

/* Reads batch.size, the metadata refresh interval, the partitioner and
 * sticky.partitioning.linger.ms from conf, before rd_kafka_new(). */
void hub_place_configure(struct hub_placement *pl, rd_kafka_conf_t *conf);
/* Asks the cluster for rkt's partitions and which have a leader. */
void hub_place_refresh(struct hub_placement *pl, rd_kafka_t *rk, rd_kafka_topic_t *rkt);
/* The partition for an event of len bytes with this key (NULL: none), or
 * RD_KAFKA_PARTITION_UA to let librdkafka choose. */
int32_t hub_place(struct hub_placement *pl, rd_kafka_t *rk, rd_kafka_topic_t *rkt, const void *key,
                  size_t klen, size_t len);

#endif
