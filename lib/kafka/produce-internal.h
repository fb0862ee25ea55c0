/* kafka/produce-internal.h: what the files of hub-produce's engine share.
 *
 * One struct producer per run, owned by hub_produce_run() (kafka/produce.c);
 * the batch (kafka/batch.c), the CloudEvents binding (kafka/binding.c),
 * transactions (kafka/txn.c) and topic templates (kafka/topicmap.c) each
 * work on their part of it. Not installed: libhub's API is kafka/produce.h. */
#ifndef HUB_PRODUCE_INTERNAL_H
#define HUB_PRODUCE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "core/buf.h"
#include "core/stats.h"
#include "json/path.h"
#include "json/scan.h"
#include "kafka/envelope-internal.h"
#include "kafka/placement-internal.h"
#include "kafka/produce.h"
#include "stream/ack.h"
#include "stream/ndjson.h"

#define BATCH_MAX 256

/* What the scanner thread found in one line. */
struct scanned {
	int rc;                     /* hub_json_scan()'s result */
	enum hub_json_type top;
	const char *err;            /* its error, when rc < 0 */
};

struct piece {                  /* --topic-from template: literal, then a path */
	char *literal;
	int path;                   /* index in paths, or -1 */
};

struct producer {
	const struct hub_produce_opts *o;
	int said[8];                /* delivery errors already told on stderr */
	int nsaid;
	struct hub_stats *st;
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;      /* the -t topic */
	struct hub_json *js;        /* scans input events */
	struct hub_json *tee_js;    /* tells JSON values apart for --tee */
	struct hub_path paths[HUB_JSON_MAX_PATHS];
	struct hub_span found[HUB_JSON_MAX_PATHS];
	int npaths;
	int key_path;               /* index in paths, or -1 */
	int star_path;              /* "*" for --binary-mode, or -1 */
	struct piece *pieces;
	int npieces;
	struct hub_buf key, topic, value, tmp, out;
	/* --binary-mode, per event */
	rd_kafka_headers_t *ce_headers;
	struct hub_span ce_data, ce_data64;
	int ce_bad;
	struct hub_envelope env;
	FILE *spool;                /* transactional: delivered, not yet committed */
	int txn_abort;              /* a failure means the transaction must abort */
	int io_error;
	int fatal;
	int64_t started_ms;         /* when the producer was made */
	int said_unreachable;       /* "no Kafka broker answers" was said */
	uint64_t keyed;             /* events -k found a key in */
	char refused[400];          /* the brokers refused the login: why */
	const struct scanned *pre;  /* set while producing a pre-scanned line */
	/* Plain events to the -t topic wait here, copied, for one
	 * rd_kafka_produce_batch(): one timestamp and one topic lock for a
	 * batch instead of per message. */
	int batching;
	rd_kafka_message_t batch[BATCH_MAX];
	struct batched {
		uint64_t line;
		const char *data;       /* the line in place, or NULL: at in arena */
		size_t at, len, key_at, key_len;
		int32_t partition;
		int has_key, is_json;
	} batched[BATCH_MAX];
	const struct batched *order[BATCH_MAX];   /* the batch by partition */
	int runs[1025];             /* counts per partition, for the ordering */
	int nbatch;
	int lines_stay;             /* the reader keeps the batch's lines until it is flushed */
	struct hub_ack_in *up;      /* the hub tool writing our input hears what is delivered */
	struct hub_ack_lines *acks;
	uint64_t consumed;          /* input bytes up to the last line read */
	/* Transactions that carry hub-consume's offsets (kafka/txn.c): the
	 * cuts it announced, oldest first. */
	struct txn_cut {
		uint64_t pos;               /* input position the offsets go with */
		int urgent;                 /* commit there at once */
		rd_kafka_consumer_group_metadata_t *cgmd;
		rd_kafka_topic_partition_list_t *offsets;
	} *cuts;
	size_t ncuts, capcuts;
	int streaming;              /* cuts came: a transaction per cut, not one for all */
	int txn_lost;               /* a transaction was aborted: its events are read again */
	double last_commit;
	uint64_t committed_at;      /* the input position of the last commit */
	uint64_t seen_total;        /* input bytes read when the cuts were last looked at */
	struct hub_buf arena;       /* the batch's keys, and values that do not stay */
	struct hub_placement place; /* partitions chosen by hub */
};

/* kafka/produce.c: the produce loop */
int hub_produce_add_path(struct producer *p, const char *text);
rd_kafka_resp_err_t hub_produce_send(struct producer *p, const char *topic, int32_t partition,
                                     const void *value, size_t vlen, const void *key, size_t klen,
                                     rd_kafka_headers_t *hdrs, void *opaque);
void hub_produce_not_accepted(struct producer *p, rd_kafka_resp_err_t err, const char *topic,
                              int32_t partition, uint64_t line, const char *ev, size_t len, int is_json);

/* kafka/batch.c: plain events to the -t topic, sent BATCH_MAX at a time */
void hub_batch_add(struct producer *p, const struct hub_line *l, int32_t partition, const void *key,
                   size_t klen, int is_json);
void hub_batch_flush(struct producer *p);

/* kafka/binding.c: --binary-mode, CloudEvents attributes as ce_ headers */
int hub_binding_member(void *ctx, int which, const struct hub_span *key, const struct hub_span *v);
int hub_binding_value(struct producer *p, char *why, size_t whylen);

/* kafka/txn.c: one transaction for the run, and the spool of its events */
int hub_txn_begin(struct producer *p);
void hub_txn_spool_add(struct producer *p, uint64_t line, const char *data, size_t len);
void hub_txn_end(struct producer *p, int status);
/* After each line (look: also when woken while waiting for input): the
 * cuts hub-consume announced, and a commit when one
 * falls exactly where the input is (at most once a second, unless urgent). */
void hub_txn_at(struct producer *p, uint64_t total, int look);
/* How long the input may keep the producer waiting before a commit at the
 * cut where it stands is due, in ms; -1: no such cut. */
int hub_txn_wait_ms(const struct producer *p);

/* kafka/topicmap.c: --topic-from, the topic from the event's fields */
void hub_topicmap_parse(struct producer *p, const char *spec);
int hub_topicmap_render(struct producer *p, char *why, size_t whylen);

#endif
