/* gateway/sender.h: hub-gateway's one Kafka producer, shared by every
 * request.
 *
 * A request hands its records over and waits until librdkafka's delivery
 * report has come for each (acks=all, idempotence on, as hub-produce):
 * only then is anything answered, so a 2xx always means "in Kafka". A
 * thread polls the producer for those reports, and notices when no broker
 * answers (every request is then refused at once with 503 until one does
 * again). */
#ifndef HUB_GATEWAY_SENDER_H
#define HUB_GATEWAY_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "core/error.h"

struct hub_gw_header {
	const char *name;
	const void *value;
	size_t len;
};

struct hub_gw_record {
	/* in */
	const char *topic;
	const void *value, *key;
	size_t vlen, klen;              /* key NULL: none */
	const struct hub_gw_header *headers;
	int nheaders;
	/* out */
	int status;                     /* 200 delivered; else the HTTP status that says why not */
	rd_kafka_resp_err_t err;
	int32_t partition;
	int64_t offset;
	int possibly_persisted;         /* failed, but the broker may have it */
	struct hub_gw_wait *wait;              /* for the delivery report */
};

struct hub_gw_sender;

/* conf is consumed. NULL with e set when librdkafka refuses it. */
struct hub_gw_sender *hub_gw_sender_new(rd_kafka_conf_t *conf, struct hub_error *e);
/* Sends the n records and waits for all their reports; fills in each
 * one's status. Once the producer queue is full, the records after are
 * refused too (429), so a client sending them again keeps their order.
 * Returns how many were delivered. Thread-safe. */
int hub_gw_send(struct hub_gw_sender *s, struct hub_gw_record *recs, int n);
/* Whether a broker answered lately (0: every broker is down). */
int hub_gw_sender_up(struct hub_gw_sender *s);
/* Waits (up to timeout_ms) for what is in flight, then ends the producer. */
void hub_gw_sender_free(struct hub_gw_sender *s, int timeout_ms);

#endif
