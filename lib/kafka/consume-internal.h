/* kafka/consume-internal.h: what the files of hub-consume's engine share.
 *
 * One struct consumer per run, owned by hub_consume_run() (kafka/consume.c);
 * partition assignment (kafka/assign.c) starts and stops what it reads and,
 * with -G, writes out and stores what was read before it gives a partition
 * up. Not installed: libhub's API is kafka/consume.h. */
#ifndef HUB_CONSUME_INTERNAL_H
#define HUB_CONSUME_INTERNAL_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "core/buf.h"
#include "core/stats.h"
#include "json/scan.h"
#include "kafka/consume.h"
#include "kafka/ledger-internal.h"
#include "stream/ack.h"

struct consumer {
	const struct hub_consume_opts *o;
	struct hub_stats *st;
	rd_kafka_t *rk;
	rd_kafka_queue_t *queue;
	int group;                      /* -G: offsets are stored */
	int out_fd;
	int out_is_pipe;
	uint64_t written;               /* bytes written to out_fd so far */
	int said_avro;                  /* "give --format avro" was said */
	int said_waiting;               /* "still waiting to join the group" was said */
	int64_t started_ms;
	struct hub_ack_out *ack;        /* what of it is safe (stream/ack.h) */
	struct hub_buf out;
	struct hub_buf extra;           /* failure store members */
	struct hub_json *js;
	struct hub_ledger ledger;
	rd_kafka_topic_t **rkts;        /* simple mode: the topics started */
	int nrkts;
	int status;                     /* set once something ends the run */
	int stop;
	int ever_assigned;              /* -G: the group gave us an assignment once */
	uint64_t commits_refused;       /* commits Kafka refused (--stats) */
	rd_kafka_resp_err_t refusal;    /* the last reason, said once on stderr */
};

/* kafka/consume.c: the output */
void hub_consume_flush(struct consumer *c);
/* The same; urgent: a reader that commits our offsets in transactions
 * (stream/ack.h) should commit at this point at once (a revocation, the
 * end). */
void hub_consume_flush_urgent(struct consumer *c, int urgent);
void hub_consume_drain(struct consumer *c, int patience_ms);

/* kafka/assign.c: which partitions are read */
void hub_assign_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                          void *opaque);
int hub_assign_start_simple(struct consumer *c, const char *brokers);
void hub_assign_stop_simple(struct consumer *c);
int hub_assign_start_group(struct consumer *c, const char *brokers);

/* kafka/lag.c: kafka_consumergroup_lag in --metrics, from librdkafka's
 * statistics (-G only; nothing when no metrics file is written) */
void hub_lag_configure(rd_kafka_conf_t *conf);

/* kafka/commit.c: commits Kafka refused, said and retried */
void hub_commit_result(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets,
                       void *opaque);
/* Before the group is left: commits what is stored, again and again while
 * a rebalance is in progress (up to patience_ms, or a second signal), and
 * says which offsets stay uncommitted. 0, or HUB_EXIT_TEMPFAIL when some do. */
int hub_commit_final(struct consumer *c, int patience_ms);
/* "\"commits_refused\":N" for --stats once a commit was refused, else NULL. */
const char *hub_commit_stats(const struct consumer *c, char *buf, size_t n);

#endif
