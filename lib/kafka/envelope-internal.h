/* kafka/envelope-internal.h: a Kafka message as one JSON line, and back.
 *
 * hub-consume --envelope writes, hub-produce --envelope reads, and
 * hub-produce --tee writes this form, so consume | jq | produce round-trips
 * message by message:
 *
 *   {"topic":"orders","partition":3,"offset":42,"timestamp":1764028800000,
 *    "timestamp_type":"create","key":"ORD-1","headers":{"ce_type":"x"},
 *    "value":{...}}
 *
 * value:        the message value embedded as JSON, when its bytes are one
 *               JSON text with no newline and no surrounding white space
 *               (so embedding keeps them byte for byte);
 * value_text:   otherwise the value as a JSON string, when it is UTF-8;
 * value_base64: otherwise the value in base64;
 *               none of the three: a null value (a tombstone).
 * key:          a string, or null for no key; key_base64 when not UTF-8.
 * headers:      an object; a name that repeats has an array of values; a
 *               value is a string, null, or {"base64":"..."} when not UTF-8.
 * partition, offset, timestamp, timestamp_type are left out when unknown;
 * on input only topic (unless -t is given), and partition, key, headers and
 * the value are read. */
#ifndef HUB_ENVELOPE_H
#define HUB_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "core/buf.h"
#include "json/scan.h"

struct hub_envelope {
	struct hub_buf topic;
	int has_topic;
	int32_t partition;        /* RD_KAFKA_PARTITION_UA when absent */
	struct hub_buf key;
	int has_key;
	rd_kafka_headers_t *headers;   /* NULL when none; take it to keep it */
	struct hub_buf value;
	int has_value;
	int null_value;           /* "value":null: a tombstone, said so */
	void *parser;             /* scanners, made on first parse */
};

/* Appends msg as an envelope line (with newline) to out. js is a scanner
 * used to tell JSON values from others (its paths are left untouched if
 * it has none). */
void hub_envelope_write(struct hub_buf *out, struct hub_json *js, const rd_kafka_message_t *msg);
/* The same for a delivery report: a log-append time no broker's clock
 * gives (hub-devbroker's placeholder) is replaced by acked_ms, the time of
 * the acknowledgement (-1: kept as it is). */
void hub_envelope_write_delivered(struct hub_buf *out, struct hub_json *js, const rd_kafka_message_t *msg,
                                  int64_t acked_ms);
/* Parses an envelope line. Returns 0, or -1 with a reason in err. */
int hub_envelope_parse(const char *line, size_t len, struct hub_envelope *env,
                       char *err, size_t errlen);
void hub_envelope_free(struct hub_envelope *env);

#endif
