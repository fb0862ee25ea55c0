/* kafka/client.h: librdkafka set-up shared by hub-produce and hub-consume.
 *
 * hub_kafka_conf() turns a hub_config into an rd_kafka_conf_t, finds the
 * brokers (config, $HUB_BROKERS, or a running hub-devbroker), and routes
 * librdkafka's log and error callbacks through hub's diagnostics. */
#ifndef HUB_KAFKA_H
#define HUB_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "kafka/config.h"

/* Returns a new conf, or NULL with e set (a bad property: 78; no broker
 * known: 69). `defaults` are applied first, as key, value pairs ending in
 * NULL, so the user's properties override them. */
rd_kafka_conf_t *hub_kafka_conf(const struct hub_config *cfg, const char *const *defaults,
                                struct hub_error *e);
/* Whether the brokers refused this process's login (SASL authentication
 * or the TLS handshake, seen in librdkafka's logs or errors): 1 with the
 * first refusal's words in why, else 0. Thread-safe. */
int hub_kafka_login_refused(char *why, size_t len);
/* The one error for it: which brokers, their words, what to check, and
 * then (or NULL) what the tool does about it. */
void hub_kafka_say_login_refused(const char *brokers, const char *why, const char *then);
/* Whether a topic name is legal for Kafka ([A-Za-z0-9._-], 1..249, not . or ..). */
int hub_kafka_topic_valid(const char *name, size_t len);

#endif
