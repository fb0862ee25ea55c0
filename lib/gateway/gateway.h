/* gateway/gateway.h: hub-gateway's requests, from HTTP to Kafka and back.
 *
 * POST / takes CloudEvents (gateway/events.h); each event is checked
 * (the required attributes), routed (-t, or --topic-from as hub-produce),
 * keyed (-k, Java-compatible partitioning by librdkafka's murmur2),
 * checked against its client's allowed types, sources and topics
 * (gateway/clients.h), then sent (gateway/sender.h). The answer comes
 * once Kafka acknowledged or refused every record: 200 with each record's
 * topic, partition and offset; a batch with some failures 207, one
 * result per event in order; an event refused for what it is (400, 403,
 * 404, 413, 502) also goes to the failure store with the client's name.
 * 429 and 503 ask the client to send again later (Retry-After) and are
 * not stored: the client still has the event. GET /healthz answers while
 * the process runs, GET /readyz while a Kafka broker answers. */
#ifndef HUB_GATEWAY_H
#define HUB_GATEWAY_H

#include <stdint.h>

#include "core/error.h"
#include "gateway/clients.h"
#include "gateway/sender.h"
#include "http/server.h"
#include "stream/failstore.h"

struct hub_gateway_opts {
	const char *topic;                     /* -t */
	const char *topic_from;                /* --topic-from PATH or TEMPLATE */
	const char *key_path;                  /* -k; NULL: partitionkey; "": no key */
	int structured;                        /* --structured: binary-mode requests as structured events */
	const struct hub_gw_clients *clients;  /* NULL: no authentication (--no-auth) */
	struct hub_failstore *failstore;
	struct hub_gw_sender *sender;
};

struct hub_gateway;

/* NULL with e set (a bad -k or --topic-from: 64). */
struct hub_gateway *hub_gateway_new(const struct hub_gateway_opts *o, struct hub_error *e);
void hub_gateway_free(struct hub_gateway *g);
/* The producer, when it was made after the options were checked. */
void hub_gateway_set_sender(struct hub_gateway *g, struct hub_gw_sender *s);
/* For struct hub_http_config, with ctx the gateway. */
void hub_gateway_handle(void *ctx, const struct hub_http_request *req, struct hub_http_reply *rep);
void hub_gateway_refusal(void *ctx, int status, const char *message, struct hub_http_reply *rep);
const char *hub_gateway_auth(void *ctx, const struct hub_http_request *req, void **client, char *why,
                             size_t len);
/* Events answered 2xx, and events put in the failure store, so far. */
uint64_t hub_gateway_delivered(const struct hub_gateway *g);
uint64_t hub_gateway_failed(const struct hub_gateway *g);

#endif
