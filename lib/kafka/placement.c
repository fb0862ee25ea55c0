/* kafka/placement.c: partitions for hub-produce's batches, chosen here.
 *
 * librdkafka's partitioner places each message by itself: per message a
 * clock read, two partition look-ups and their locks, which together cost
 * hub-produce more than the JSON scan of the event. For the events of a
 * batch hub gives the partition itself, and librdkafka takes each message
 * straight to it:
 *
 * - A keyed event goes where the configured partitioner puts it (Java's
 *   murmur2 by default): hub calls the same librdkafka function, with the
 *   topic's partition count.
 * - The keyless events of a batch (the up to 256 lines read together) go
 *   to one partition, picked at random among those with a leader and
 *   other than the last batch's; a batch that reaches batch.size bytes
 *   moves on within. librdkafka still gathers each partition's messages
 *   into its own batches to send.
 *
 * Why not one partition for a whole batch.size, as Kafka's Java producer
 * does since 3.3 (KIP-794)? Measured here at 10,000 single events a
 * second, one partition taking all for 10 ms nearly doubled the median
 * latency through the broker to a consumer (11.5 ms against 6.8);
 * librdkafka, whose sticky interval is 10 ms too, ends up changing
 * partition every event or two at that rate. Events trickling in are
 * batches of one, so they spread as before.
 *
 * The partitions come from the topic's metadata, asked for at the first
 * event and again every topic.metadata.refresh.interval.ms, as librdkafka
 * refreshes its own. Until an answer comes (a second at most; again 10 s
 * later), librdkafka places the events. It also does whenever hub could
 * not do as it would: keyless events that the configuration gives to a
 * partitioner rather than to the sticky one (partitioner=consistent,
 * murmur2 or fnv1a, or sticky.partitioning.linger.ms=0), keyed events
 * under partitioner=random, and empty keys under consistent_random. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/stats.h"
#include "kafka/placement-internal.h"

/* How librdkafka, configured so, would place events (rd_kafka_topic_new()
 * decides the same way). */
void hub_place_configure(struct hub_placement *pl, rd_kafka_conf_t *conf)
{
	static const struct {
		const char *name;
		hub_partitioner_fn fn;
		int sticky;             /* keyless messages go to the sticky partition */
	} known[] = {
		{ "consistent", rd_kafka_msg_partitioner_consistent, 0 },
		{ "consistent_random", rd_kafka_msg_partitioner_consistent_random, 1 },
		{ "murmur2", rd_kafka_msg_partitioner_murmur2, 0 },
		{ "murmur2_random", rd_kafka_msg_partitioner_murmur2_random, 1 },
		{ "fnv1a", rd_kafka_msg_partitioner_fnv1a, 0 },
		{ "fnv1a_random", rd_kafka_msg_partitioner_fnv1a_random, 1 },
		{ "random", NULL, 1 },  /* keyed too: random, which needs the partitioner's locks */
	};
	rd_kafka_topic_conf_t *tc = rd_kafka_conf_get_default_topic_conf(conf);
	char v[64];
	size_t n = sizeof(v);
	int linger = 0;

	pl->cur = -1;
	pl->limit = 1000000;
	pl->interval = 300;
	if (rd_kafka_conf_get(conf, "batch.size", v, &n) == RD_KAFKA_CONF_OK)
		pl->limit = strtoul(v, NULL, 10);
	n = sizeof(v);
	if (rd_kafka_conf_get(conf, "topic.metadata.refresh.interval.ms", v, &n) == RD_KAFKA_CONF_OK &&
	    atol(v) > 0)
		pl->interval = atol(v) / 1000.0;
	n = sizeof(v);
	if (rd_kafka_conf_get(conf, "sticky.partitioning.linger.ms", v, &n) == RD_KAFKA_CONF_OK)
		linger = atol(v) > 0;
	n = sizeof(v);
	if (!tc || rd_kafka_topic_conf_get(tc, "partitioner", v, &n) != RD_KAFKA_CONF_OK)
		snprintf(v, sizeof(v), "consistent_random");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(v, known[i].name)) {
			pl->keyed = known[i].fn;
			pl->sticky = known[i].sticky && linger;
		}
	pl->seed = (unsigned)getpid() ^ (unsigned)(hub_now() * 1e6);
}

/* A partition from the list, other than cur when there is a choice. */
static void sticky_move(struct hub_placement *pl)
{
	int32_t next;

	pl->sent = 0;
	if (pl->nparts == 0) {
		pl->cur = -1;
		return;
	}
	do
		next = pl->parts[rand_r(&pl->seed) % (unsigned)pl->nparts];
	while (pl->nparts > 1 && next == pl->cur);
	pl->cur = next;
}

/* Asks the cluster for the topic's partitions and which have a leader. On
 * no answer, what was known stays, and the question comes again in 10 s. */
void hub_place_refresh(struct hub_placement *pl, rd_kafka_t *rk, rd_kafka_topic_t *rkt)
{
	const struct rd_kafka_metadata *md;
	const struct rd_kafka_metadata_topic *t;
	int n = 0;

	pl->tried = 1;
	pl->refresh_at = hub_now() + 10;     /* again soon, unless this answer comes */
	if (rd_kafka_metadata(rk, 0, rkt, &md, 1000) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return;
	t = md->topic_cnt == 1 ? &md->topics[0] : NULL;
	/* an authorization error is permanent: no retry will deliver, so the
	 * events fail now, not after message.timeout.ms (nor never, as some
	 * brokers leave them queued) */
	pl->refused = t && t->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ? t->err : 0;
	if (t && !t->err && t->partition_cnt > 0) {
		pl->parts = hub_xrealloc(pl->parts, sizeof(*pl->parts) * (size_t)t->partition_cnt);
		for (int i = 0; i < t->partition_cnt; i++)
			if (t->partitions[i].leader >= 0 && !t->partitions[i].err)
				pl->parts[n++] = t->partitions[i].id;
		pl->nparts = n;
		pl->count = t->partition_cnt;
		pl->refresh_at = hub_now() + pl->interval;
		pl->cur = -1;
		pl->sent = pl->limit;
	}
	rd_kafka_metadata_destroy(md);
}

/* The partition for an event of len bytes with this key (NULL: none), or
 * RD_KAFKA_PARTITION_UA to let librdkafka choose. */
int32_t hub_place(struct hub_placement *pl, rd_kafka_t *rk, rd_kafka_topic_t *rkt, const void *key,
                  size_t klen, size_t len)
{

	if (key ? !pl->keyed || (klen == 0 && pl->keyed == rd_kafka_msg_partitioner_consistent_random)
	        : !pl->sticky)
		return RD_KAFKA_PARTITION_UA;
	if (!pl->tried)
		hub_place_refresh(pl, rk, rkt);
	if (pl->count == 0)
		return RD_KAFKA_PARTITION_UA;
	if (key)
		return pl->keyed(rkt, key, klen, pl->count, NULL, NULL);
	if (pl->sent >= pl->limit)
		sticky_move(pl);
	if (pl->cur < 0)
		return RD_KAFKA_PARTITION_UA;
	pl->sent += len;
	return pl->cur;
}
