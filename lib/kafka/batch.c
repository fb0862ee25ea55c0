/* kafka/batch.c: plain events to the -t topic, handed to librdkafka up to
 * BATCH_MAX at a time with one rd_kafka_produce_batch(): one timestamp and
 * one topic lock for a batch instead of per message. Each event carries
 * its partition (kafka/placement.c), so librdkafka runs no partitioner.
 *
 * Invariant: an event in the batch is either taken by librdkafka (its
 * delivery report follows) or failed into the store, never neither. */
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/stats.h"
#include "kafka/placement-internal.h"
#include "kafka/produce-internal.h"

/* Puts the batch in p->order by partition, keeping the input order
 * within each: librdkafka then looks up a partition once a run, not once
 * a message. Kafka orders nothing across partitions. */
static void batch_order(struct producer *p, int n)
{
	int32_t max = -1;
	int sorted = 1;

	for (int i = 0; i < n; i++) {
		int32_t part = p->batched[i].partition;

		sorted &= part >= max;
		if (part > max)
			max = part;
		p->order[i] = &p->batched[i];
	}
	if (sorted || max >= (int32_t)(sizeof(p->runs) / sizeof(p->runs[0])) - 1)
		return;
	/* a counting sort on partition + 1 (UA, -1, first) */
	memset(p->runs, 0, sizeof(p->runs[0]) * (size_t)(max + 2));
	for (int i = 0; i < n; i++)
		p->runs[p->batched[i].partition + 1]++;
	for (int k = 0, at = 0; k <= max + 1; k++) {
		int c = p->runs[k];

		p->runs[k] = at;
		at += c;
	}
	for (int i = 0; i < n; i++)
		p->order[p->runs[p->batched[i].partition + 1]++] = &p->batched[i];
}

/* Hands the batch to librdkafka, in partition order. A message it did
 * not take because its queue was full goes again alone, waiting for room,
 * as hub_produce_send() does; any other refusal fails the event, as for a
 * single message. */
void hub_batch_flush(struct producer *p)
{
	int n = p->nbatch;

	if (n == 0)
		return;
	p->nbatch = 0;
	p->place.sent = p->place.limit;      /* the next batch moves on */
	if (p->place.tried && hub_now() >= p->place.refresh_at)
		hub_place_refresh(&p->place, p->rk, p->rkt);
	batch_order(p, n);
	if (p->place.refused) {   /* the cluster refuses the topic: fail them now */
		for (int i = 0; i < n; i++) {
			const struct batched *b = p->order[i];

			hub_produce_not_accepted(p, p->place.refused, NULL, b->partition, b->line,
			                         b->data ? b->data : p->arena.data + b->at, b->len, b->is_json);
		}
		hub_buf_reset(&p->arena);
		return;
	}
	for (int i = 0; i < n; i++) {
		const struct batched *b = p->order[i];
		rd_kafka_message_t *m = &p->batch[i];

		memset(m, 0, sizeof(*m));
		m->partition = b->partition;
		m->payload = b->data ? (void *)b->data : p->arena.data + b->at;
		m->len = b->len;
		m->key = b->has_key ? p->arena.data + b->key_at : NULL;
		m->key_len = b->key_len;
		m->_private = (void *)(uintptr_t)((b->line << 2) | (b->is_json ? 0 : 2) | 1);
	}
	rd_kafka_produce_batch(p->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_PARTITION,
	                       p->batch, n);
	for (int i = 0; i < n; i++) {
		const struct batched *b = p->order[i];
		rd_kafka_message_t *m = &p->batch[i];
		rd_kafka_resp_err_t err = m->err;

		if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
			err = hub_produce_send(p, NULL, m->partition, m->payload, m->len, m->key, m->key_len, NULL,
			                       m->_private);
		if (err)
			hub_produce_not_accepted(p, err, NULL, m->partition, b->line, m->payload, b->len, b->is_json);
	}
	hub_buf_reset(&p->arena);
}

/* Queues a plain event for the next batch. The key is copied, as the key
 * buffer moves on; so is the line, unless the reader keeps it in place
 * until the flush (kafka/produce.c flushes before every read). */
void hub_batch_add(struct producer *p, const struct hub_line *l, int32_t partition, const void *key,
                   size_t klen, int is_json)
{
	struct batched *b = &p->batched[p->nbatch];

	b->line = l->number;
	b->is_json = is_json;
	b->len = l->len;
	b->data = p->lines_stay ? l->data : NULL;
	b->at = p->arena.len;
	if (!b->data)
		hub_buf_add(&p->arena, l->data, l->len);
	b->has_key = key != NULL;
	b->key_at = p->arena.len;
	b->key_len = klen;
	if (key)
		hub_buf_add(&p->arena, key, klen);
	b->partition = partition == RD_KAFKA_PARTITION_UA ? hub_place(&p->place, p->rk, p->rkt, key, klen, l->len)
	                                                  : partition;
	if (++p->nbatch == BATCH_MAX)
		hub_batch_flush(p);
}
