/* deliver/deliver.h: hub-deliver's engine, NDJSON events in, HTTP requests out.
 *
 * Each input line (an event, or an envelope as hub-consume --envelope
 * writes it) becomes one HTTP request to an endpoint, or a place in a
 * batch, sent with libcurl's multi interface: up to `concurrency`
 * requests in flight over kept-alive connections (HTTP/2 when the server
 * offers it), but the events of one key (the CloudEvents subject by
 * default) one after the other, in input order. An event counts as done
 * only when it was answered 2xx or is in the failure store; failures the
 * endpoint may recover from are retried with exponential backoff and
 * jitter. Memory is bounded: while `window` events are unfinished, no
 * more input is read. */
#ifndef HUB_DELIVER_H
#define HUB_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "stream/failstore.h"

enum hub_deliver_format {
	HUB_DELIVER_BINARY,       /* CloudEvents HTTP binding, binary mode: data as the body, ce- headers */
	HUB_DELIVER_STRUCTURED,   /* the event as the body, application/cloudevents+json */
	HUB_DELIVER_JSON,         /* the event as a plain JSON body */
};

struct hub_deliver_opts {
	const char *url;              /* the endpoint; {path} pieces are filled from each event */
	const char *method;           /* -X; NULL: POST */
	enum hub_deliver_format format;
	int envelope;                 /* --envelope: lines are hub-consume envelopes */
	const char *key_path;         /* --key; NULL: subject (envelopes: their key); "": none */
	const char *const *headers;   /* -H "Name: value", nheaders of them */
	int nheaders;
	int batch;                    /* --batch N: up to N events a request; 0 or 1: one */
	int concurrency;              /* --concurrency: requests in flight (>= 1) */
	int retries;                  /* --retries: attempts after the first */
	long retry_max_ms;            /* --retry-max-time: from an event's first attempt */
	long retry_delay_ms;          /* --retry-delay: the first backoff */
	long timeout_ms;              /* --timeout: one attempt */
	long connect_timeout_ms;      /* --connect-timeout */
	int window;                   /* unfinished events at most; 0: from concurrency and batch */
	/* authentication: secrets are read from files (hub_deliver_auth_files) */
	const char *bearer_file;      /* --bearer-file: the token */
	const char *user_file;        /* --user-file: "user:password" */
	const char *cert, *cert_key, *cacert;  /* --cert, --cert-key, --cacert: file names */
	const char *webhook_secret_file;  /* --webhook-secret-file: whsec_... */
	uint64_t count;               /* -c: at most this many lines; 0: all */
	size_t max_line;              /* --max-line */
	struct hub_failstore *failstore;
	int verbose_http;             /* -vv: libcurl's own trace */
};

/* The secret files' contents are read by hub_deliver_run() at its start:
 * a missing file exits 66, one that group or others may read, or an empty
 * or malformed one, 78. */

/* What --stats adds to the common counters. */
struct hub_deliver_tally {
	uint64_t retries;             /* attempts after an event's first */
	uint64_t requests;            /* requests answered (any status) */
	int gone;                     /* the endpoint said 410 Gone */
	char extra[160];              /* the --stats members for hub_finish() */
};

/* Delivers the events of in_fd. Returns the exit status
 * (core/exitcodes.h): 0, 1 some events in the failure store, 69 the
 * endpoint said 410 Gone, 74 a read error. Counters land in *st (in,
 * out = delivered, failed) and *t. */
int hub_deliver_run(int in_fd, const struct hub_deliver_opts *o, struct hub_stats *st,
                    struct hub_deliver_tally *t);

#endif
