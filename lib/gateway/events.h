/* gateway/events.h: the CloudEvents HTTP binding, a request into events.
 *
 * Structured mode (application/cloudevents+json): the body is one event.
 * Batch mode (application/cloudevents-batch+json): a JSON array of them.
 * Binary mode (any other content type, with a ce-specversion header): the
 * attributes are the ce- headers, percent-decoded, the body is the data.
 * Every event ends up with a structured form, one JSON object, which
 * routing, keys and access rules read; structured events keep their bytes
 * as sent (never re-serialised). A binary event keeps its attributes and
 * data too, for the Kafka binding's ce_ headers. */
#ifndef HUB_GATEWAY_EVENTS_H
#define HUB_GATEWAY_EVENTS_H

#include <stddef.h>

#include "core/buf.h"
#include "http/server.h"

enum hub_gw_mode { HUB_GW_STRUCTURED, HUB_GW_BATCH, HUB_GW_BINARY };

struct hub_gw_attr {
	char *name;                 /* without "ce-", lower case */
	char *value;                /* percent-decoded, NUL-terminated */
};

struct hub_gw_event {
	const char *json;           /* the structured form */
	size_t len;
	struct hub_buf form;        /* where json is, when it was built here */
	/* binary mode */
	struct hub_gw_attr *attrs;
	int nattrs;
	const char *content_type;   /* of the data, or NULL */
	const char *data;
	size_t data_len;
};

struct hub_gw_input {
	enum hub_gw_mode mode;
	struct hub_gw_event *ev;
	int n;
	/* a request refused as a whole: status (400, 415) and why */
	int status;
	char message[400];
	long position;              /* byte of the body a 400 is about, or -1 */
};

/* Reads req into in: 0, or -1 with in->status and in->message set. */
int hub_gw_parse(const struct hub_http_request *req, struct hub_gw_input *in);
void hub_gw_input_free(struct hub_gw_input *in);

#endif
