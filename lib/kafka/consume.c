/* kafka/consume.c: the consume loop of hub-consume (what it promises: kafka/consume.h).
 *
 * Messages are taken from one queue in batches (rd_kafka_consume_batch_queue),
 * formatted into one output buffer, and written with one write(2) per
 * megabyte, or whenever the queue runs dry so interactive use sees every
 * line at once. The ledger (lib/kafka/ledger.c) holds each partition's offset
 * until the bytes of its line are safe; only then is it stored for
 * librdkafka's auto-commit. When a hub tool reads the output, "safe"
 * means that tool, and through it the rest of the pipeline, acknowledged
 * them (stream/ack.h): stored by the last stage. When another program
 * reads a pipe, it means that program took them out of the pipe, so a
 * reader that dies leaves the events still in the pipe uncommitted.
 *
 * Without -G, partitions are assigned directly from the topics' metadata
 * (librdkafka's queue-based simple consumer) and nothing is committed.
 * With -G, the group protocol is cooperative-sticky; the rebalance
 * callback writes out what was read from revoked partitions and stores
 * their offsets before it gives them up. Both are in kafka/assign.c; -o
 * is parsed in kafka/offset.c. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "kafka/consume.h"
#include "kafka/client.h"
#include "kafka/consume-internal.h"
#include "core/diag.h"
#include "core/metrics.h"
#include "kafka/envelope-internal.h"
#include "core/exitcodes.h"
#include "json/scan.h"
#include "kafka/ledger-internal.h"
#include "core/time.h"
#include "core/signals.h"
#include "stream/ack.h"

#define BATCH 4096                  /* messages taken from the queue at once */
#define FLUSH_BYTES (1024 * 1024)   /* write when the buffer holds this much */
#define IDLE_WAIT_MS 100            /* longest wait for a message, for signals */
#define LINGER_MS 2                 /* how long a dry queue may take to refill */
#define COMMIT_PATIENCE_MS 10000    /* how long the last commit waits for a rebalance */
#define LIBRDKAFKA_4312_FIXED 0x020300ff   /* 2.3.0 */

void hub_consume_defaults(const struct hub_consume_opts *o, const char **kv, int n)
{
	int i = 0;

#define SET(k, v) do { if (i + 3 <= n) { kv[i++] = (k); kv[i++] = (v); } } while (0)
	/* A deep local queue and large fetches: the loop, not the network,
	 * should be what limits throughput. */
	SET("queued.min.messages", "200000");
	SET("fetch.wait.max.ms", "100");
	SET("fetch.error.backoff.ms", "100");
	/* The invariant's own; hub_consume_run() insists on them. */
	SET("enable.auto.offset.store", "false");
	SET("enable.partition.eof", o->exit_at_eof ? "true" : "false");
	if (o->group) {
		SET("enable.auto.commit", "true");
		/* What was stored but not committed yet comes again after a
		 * crash; a second keeps that within what hub-archive's
		 * memory of repeats covers (hub(7), End to end). */
		SET("auto.commit.interval.ms", "1000");
		SET("partition.assignment.strategy", "cooperative-sticky");
		/* A new group starts at the beginning: it never skips events. */
		SET("auto.offset.reset", o->offset == RD_KAFKA_OFFSET_END ? "latest" : "earliest");
	} else {
		SET("enable.auto.commit", "false");
	}
#undef SET
	kv[i] = NULL;
}

/* Stores the offsets whose lines are safe: acknowledged by the hub tool
 * that reads the output, taken out of the pipe by another reader, or
 * written to a file (stream/ack.h). */
static void store_consumed(struct consumer *c)
{
	rd_kafka_topic_partition_list_t *list = hub_ledger_take(&c->ledger, hub_ack_out_safe(c->ack));

	if (!list)
		return;
	if (hub_ack_out_txn(c->ack)) {
		/* the reader commits them, in its transactions, from our cuts */
		rd_kafka_topic_partition_list_destroy(list);
		return;
	}
	if (rd_kafka_offsets_store(c->rk, list) != RD_KAFKA_RESP_ERR_NO_ERROR || hub_verbosity >= 3) {
		for (int i = 0; i < list->cnt; i++) {
			const rd_kafka_topic_partition_t *tp = &list->elems[i];

			if (tp->err)
				hub_debug("%s [%" PRId32 "]: offset %" PRId64 " not stored: %s (it will be read again)",
				          tp->topic, tp->partition, tp->offset, rd_kafka_err2str(tp->err));
		}
	}
	rd_kafka_topic_partition_list_destroy(list);
}

static void fail_output(struct consumer *c, int err)
{
	if (hub_output_closed(err))
		hub_info("events not written stay uncommitted");
	else
		hub_err("writing standard output: %s; stopping (events not written stay uncommitted)",
		        strerror(err));
	c->out.len = 0;
	hub_ledger_forget(&c->ledger);
	c->status = HUB_EXIT_IOERR;
	c->stop = 1;
}

/* Before the buffer goes out, a reader that commits our offsets in its
 * own transactions (hub-produce --transactional-id) is told the cut: the
 * output position after the buffer, the group's metadata (generation and
 * member, for the transaction's fencing) and each partition's offset
 * there. Sent first, so it is there when the reader reaches that point. */
static void tell_cut(struct consumer *c, int urgent)
{
	rd_kafka_consumer_group_metadata_t *cgmd = rd_kafka_consumer_group_metadata(c->rk);
	struct hub_buf msg = { 0 };
	rd_kafka_error_t *error;
	void *meta = NULL;
	size_t size = 0;

	if (!cgmd)
		return;
	error = rd_kafka_consumer_group_metadata_write(cgmd, &meta, &size);
	rd_kafka_consumer_group_metadata_destroy(cgmd);
	if (error) {
		hub_warn("cannot pass the group's metadata on: %s", rd_kafka_error_string(error));
		rd_kafka_error_destroy(error);
		return;
	}
	hub_buf_addf(&msg, "cut %llu %d ", (unsigned long long)(c->written + c->out.len), urgent);
	hub_buf_base64(&msg, meta, size);
	rd_kafka_mem_free(NULL, meta);
	hub_ledger_cut(&c->ledger, &msg);
	hub_buf_addc(&msg, '\n');
	hub_debug("cut at output byte %llu%s", (unsigned long long)(c->written + c->out.len), urgent ? " (urgent)" : "");
	hub_ack_out_tell(c->ack, msg.data, msg.len);
	hub_buf_free(&msg);
}

/* Writes the buffer out, then marks each partition's offset as written. */
void hub_consume_flush_urgent(struct consumer *c, int urgent)
{
	const char *p = c->out.data;
	size_t left = c->out.len;

	if (c->status == HUB_EXIT_IOERR)
		return;
	if (c->group && hub_ack_out_txn(c->ack) && (c->out.len > 0 || urgent))
		tell_cut(c, urgent);
	while (left > 0) {
		ssize_t w = write(c->out_fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fail_output(c, errno);
			return;
		}
		p += w;
		left -= (size_t)w;
		c->written += (uint64_t)w;
		c->st->bytes_out += (uint64_t)w;
		hub_ack_out_wrote(c->ack, (uint64_t)w);
	}
	c->out.len = 0;
	if (!c->group)
		return;
	hub_ledger_written(&c->ledger, c->written);
	store_consumed(c);
}

void hub_consume_flush(struct consumer *c)
{
	hub_consume_flush_urgent(c, 0);
}

static int reader_gone(struct consumer *c)
{
	struct pollfd pfd = { .fd = c->out_fd, .events = 0 };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL));
}

/* Waits while the reader keeps making what was written safe, so that its
 * offsets can be stored; gives up after `patience_ms` without progress.
 * The output stays open (a rebalance, not the end). */
void hub_consume_drain(struct consumer *c, int patience_ms)
{
	uint64_t safe = hub_ack_out_safe(c->ack), before;
	int idle = 0;

	while (c->group && safe < c->written && idle < patience_ms && c->status != HUB_EXIT_IOERR) {
		struct pollfd pfd = { .fd = hub_ack_out_fd(c->ack), .events = POLLIN };

		if (reader_gone(c))
			break;
		poll(&pfd, pfd.fd >= 0 ? 1 : 0, 10);
		before = safe;
		safe = hub_ack_out_safe(c->ack);
		idle = safe > before ? 0 : idle + 10;
		store_consumed(c);
	}
	store_consumed(c);
}

/* The Kafka coordinates of a failed message, plus whatever the failure
 * store's "event" string cannot hold (a key, bytes that are not UTF-8). */
static void fail_message(struct consumer *c, const rd_kafka_message_t *m, const char *reason, int is_json)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	struct hub_buf *x = &c->extra;

	hub_buf_reset(x);
	hub_buf_adds(x, "\"topic\":");
	hub_buf_json_string(x, topic, strlen(topic));
	hub_buf_adds(x, ",\"partition\":");
	hub_buf_add_int(x, m->partition);
	hub_buf_adds(x, ",\"offset\":");
	hub_buf_add_int(x, m->offset);
	if (m->key && hub_is_utf8(m->key, m->key_len)) {
		hub_buf_adds(x, ",\"key\":");
		hub_buf_json_string(x, m->key, m->key_len);
	} else if (m->key) {
		hub_buf_adds(x, ",\"key_base64\":\"");
		hub_buf_base64(x, m->key, m->key_len);
		hub_buf_addc(x, '"');
	}
	if (m->payload && !is_json && !hub_is_utf8(m->payload, m->len)) {
		hub_buf_adds(x, ",\"value_base64\":\"");
		hub_buf_base64(x, m->payload, m->len);
		hub_buf_addc(x, '"');
	}
	c->st->failed++;
	if (hub_failstore_add(c->o->failstore, reason, 0, m->payload ? m->payload : "null",
	                      m->payload ? m->len : 4, m->payload ? is_json : 1, hub_buf_cstr(x)) < 0) {
		/* Neither written nor stored: its offset must never be committed. */
		c->status = HUB_EXIT_IOERR;
		c->stop = 1;
	}
}

/* One value as one line, or to the failure store. Returns 1 if handled. */
static int add_value(struct consumer *c, const rd_kafka_message_t *m)
{
	enum hub_json_type top;
	char reason[320];

	if (!m->payload) {
		fail_message(c, m, "null value (tombstone)", 1);
		return c->status != HUB_EXIT_IOERR;
	}
	if (hub_json_scan(c->js, m->payload, m->len, NULL, &top) < 0) {
		const unsigned char *v = m->payload;

		if (m->len >= 5 && v[0] == 0) {
			/* magic byte 0 and a schema id: Confluent's wire format */
			uint32_t id = (uint32_t)v[1] << 24 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 8 | v[4];

			snprintf(reason, sizeof(reason), "value is not JSON: it is in Confluent's wire format (magic "
			         "byte 0, schema id %" PRIu32 "): read the topic with --format avro", id);
			if (!c->said_avro++)
				hub_warn("%s [%" PRId32 "]: values in Confluent's wire format (Avro, schema id %" PRIu32
				         "), not JSON: give --format avro", rd_kafka_topic_name(m->rkt), m->partition, id);
		} else {
			snprintf(reason, sizeof(reason), "value is not JSON: %s", hub_json_error(c->js));
		}
		fail_message(c, m, reason, 0);
	} else if (top != HUB_JSON_OBJECT) {
		snprintf(reason, sizeof(reason), "value is %s, not a JSON object", hub_json_type_name(top));
		fail_message(c, m, reason, 1);
	} else if (memchr(m->payload, '\n', m->len) || memchr(m->payload, '\r', m->len)) {
		/* As a string: the failure store is one record a line too. */
		fail_message(c, m, "value spans several lines (a line break would split the event)", 0);
	} else {
		hub_buf_add(&c->out, m->payload, m->len);
		hub_buf_addc(&c->out, '\n');
		c->st->out++;
	}
	return c->status != HUB_EXIT_IOERR;
}

/* --format avro: the value decoded to JSON data, and the event rebuilt
 * from the CloudEvents binary mode headers (ce_*, content-type); a message
 * without them gives its data alone. Returns 1 if handled. */
static int add_avro(struct consumer *c, const rd_kafka_message_t *m)
{
	struct hub_buf data = { 0 }, err = { 0 }, reason = { 0 };
	const struct hub_schema_version *sv;
	rd_kafka_headers_t *hdrs = NULL;
	const char *name;
	const void *val;
	size_t size, at = c->out.len;
	int attrs = 0;

	if (!m->payload || hub_avrowire_decode(c->o->avro, m->payload, m->len, &data, &sv, &err) < 0) {
		hub_buf_addf(&reason, "--format avro: %s", m->payload ? hub_buf_cstr(&err) : "null value (tombstone)");
		fail_message(c, m, hub_buf_cstr(&reason), 0);
		goto done;
	}
	if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &val, &size); i++) {
			const char *attr = strncmp(name, "ce_", 3) == 0 ? name + 3 :
			                   strcmp(name, "content-type") == 0 ? "datacontenttype" : NULL;

			if (!attr || !*attr || !val)
				continue;
			hub_buf_addc(&c->out, attrs++ ? ',' : '{');
			hub_buf_json_string(&c->out, attr, strlen(attr));
			hub_buf_addc(&c->out, ':');
			hub_buf_json_string(&c->out, val, size);
		}
	}
	if (attrs) {
		hub_buf_adds(&c->out, ",\"data\":");
		hub_buf_add(&c->out, data.data, data.len);
		hub_buf_addc(&c->out, '}');
	} else {
		c->out.len = at;
		hub_buf_add(&c->out, data.data, data.len);
	}
	hub_buf_addc(&c->out, '\n');
	c->st->out++;
done:
	hub_buf_free(&data);
	hub_buf_free(&err);
	hub_buf_free(&reason);
	return c->status != HUB_EXIT_IOERR;
}

static void message_error(struct consumer *c, const rd_kafka_message_t *m)
{
	const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : NULL;
	char why[512];

	switch (m->err) {
	case RD_KAFKA_RESP_ERR_INVALID_SESSION_TIMEOUT: {
		char v[64] = "";
		size_t vlen = sizeof(v);

		/* the group would never be joined: a configuration error */
		rd_kafka_conf_get(rd_kafka_conf(c->rk), "session.timeout.ms", v, &vlen);
		hub_err("the group coordinator refuses session.timeout.ms=%s (%s): the brokers accept only "
		        "values between their group.min.session.timeout.ms and group.max.session.timeout.ms; "
		        "change -X session.timeout.ms", v, rd_kafka_message_errstr(m));
		c->status = HUB_EXIT_CONFIG;
		c->stop = 1;
		break;
	}
	case RD_KAFKA_RESP_ERR__FATAL:
		rd_kafka_fatal_error(c->rk, why, sizeof(why));
		hub_err("fatal Kafka error: %s", why);
		c->status = HUB_EXIT_UNAVAILABLE;
		c->stop = 1;
		break;
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
		if (c->o->exit_at_eof) {
			hub_err("%s%s%s: %s", topic ? "topic " : "", topic ? topic : "",
			        topic ? "" : "subscription", rd_kafka_message_errstr(m));
			c->status = HUB_EXIT_NOINPUT;
			c->stop = 1;
		} else {
			hub_warn("%s: %s; waiting for it", topic ? topic : "subscription",
			         rd_kafka_message_errstr(m));
		}
		break;
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
		hub_err("%s: %s; check the ACLs of this client", topic ? topic : "group",
		        rd_kafka_message_errstr(m));
		c->status = HUB_EXIT_UNAVAILABLE;
		c->stop = 1;
		break;
	default:
		if (topic)
			hub_warn("%s [%" PRId32 "]: %s", topic, m->partition, rd_kafka_message_errstr(m));
		else
			hub_warn("%s", rd_kafka_message_errstr(m));
	}
}

/* -o e@TIME: a partition ends before its first message of TIME or later,
 * which is neither written nor committed (kcat's e@, end not included);
 * the partition is paused and counts as read to its end. */
static int past_until(struct consumer *c, struct hub_ledger_part *p, const rd_kafka_message_t *m)
{
	rd_kafka_timestamp_type_t tt;

	if (p->past_until)
		return 1;
	if (rd_kafka_message_timestamp(m, &tt) < c->o->until)
		return 0;
	p->past_until = 1;
	hub_ledger_eof(&c->ledger, p, 1);
	{
		rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);

		rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt), m->partition);
		rd_kafka_pause_partitions(c->rk, l);
		rd_kafka_topic_partition_list_destroy(l);
	}
	return 1;
}

/* Handles one message. Returns 0 when the run is over (-c, an error). */
static int handle(struct consumer *c, const rd_kafka_message_t *m)
{
	struct hub_ledger_part *p;

	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		p = hub_ledger_find(&c->ledger, rd_kafka_topic_name(m->rkt), m->partition);
		hub_ledger_eof(&c->ledger, p, 1);
		return 1;
	}
	if (m->err) {
		message_error(c, m);
		return !c->stop;
	}
	p = hub_ledger_find(&c->ledger, rd_kafka_topic_name(m->rkt), m->partition);
	if (c->o->until >= 0 && past_until(c, p, m))
		return 1;
	hub_ledger_eof(&c->ledger, p, 0);
	c->st->in++;
	c->st->bytes_in += m->len;
	if (c->o->envelope) {
		hub_envelope_write(&c->out, c->js, m);
		c->st->out++;
	} else if (c->o->avro) {
		if (!add_avro(c, m))
			return 0;
	} else if (!add_value(c, m)) {
		return 0;
	}
	if (c->group)
		p->buffered = m->offset + 1;
	return !(c->o->count && c->st->in >= c->o->count);
}

/* Sets a property the invariant depends on, whatever -X said (the
 * defaults set it already, so a different value came from the user). */
static int force(rd_kafka_conf_t *conf, const char *key, const char *value, const char *why)
{
	char cur[64], err[256];
	size_t n = sizeof(cur);

	if (rd_kafka_conf_get(conf, key, cur, &n) == RD_KAFKA_CONF_OK && strcmp(cur, value) != 0)
		hub_warn("ignoring %s=%s: %s", key, cur, why);
	if (rd_kafka_conf_set(conf, key, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
		hub_err("property %s=%s: %s", key, value, err);
		return -1;
	}
	return 0;
}

/* Whether the reader of a pipe on stdout has gone: on an idle topic no
 * write would find it out, and the consumer would wait for ever. */
static int output_gone(const struct consumer *c)
{
	struct pollfd pfd = { .fd = c->out_fd, .events = 0 };

	return c->out_is_pipe && poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP));
}

/* A login the brokers refused (a wrong password, say) is permanent:
 * librdkafka would retry it for ever while the consumer waits in silence. */
static int login_refused(struct consumer *c)
{
	char why[400], brokers[512] = "";
	size_t blen = sizeof(brokers);

	if (!hub_kafka_login_refused(why, sizeof(why)))
		return 0;
	rd_kafka_conf_get(rd_kafka_conf(c->rk), "bootstrap.servers", brokers, &blen);
	hub_kafka_say_login_refused(brokers, why, NULL);
	c->status = HUB_EXIT_UNAVAILABLE;
	return 1;
}

/* A member that waits for its group in silence looks hung: after this
 * long without an assignment it says what it waits for. */
#define JOIN_SAY_MS 10000

/* Whether any broker has answered (the cluster's id came with metadata). */
static int broker_answered(struct consumer *c)
{
	char *cluster = rd_kafka_clusterid(c->rk, 0);

	rd_kafka_mem_free(c->rk, cluster);
	return cluster != NULL;
}

static void say_waiting(struct consumer *c)
{
	char v[32] = "", brokers[512] = "";
	size_t n = sizeof(v), blen = sizeof(brokers);

	c->said_waiting = 1;
	if (!broker_answered(c)) {   /* not the group: no broker has answered at all */
		rd_kafka_conf_get(rd_kafka_conf(c->rk), "bootstrap.servers", brokers, &blen);
		hub_warn("still waiting to join group %s after %d s: no broker has answered at %s; check -b (or "
		         "bootstrap.servers) and that the cluster is up; it goes on trying", c->o->group,
		         JOIN_SAY_MS / 1000, brokers);
		return;
	}
	rd_kafka_conf_get(rd_kafka_conf(c->rk), "session.timeout.ms", v, &n);
	hub_warn("still waiting to join group %s after %d s: the group is rebalancing, and a member that "
	         "ended without leaving it (killed, or stopped before its assignment) holds it until its "
	         "session times out (session.timeout.ms, %s ms here, 45000 by default); it goes on by itself",
	         c->o->group, JOIN_SAY_MS / 1000, v);
}

/* A member stopped while its JoinGroup is under way has no member id yet:
 * leaving the group would send nothing, and the group would wait for it
 * until its session times out (45 s by default) before the next member
 * gets partitions. The join is let finish first (at most JOIN_SETTLE_MS,
 * cut short by another stop signal), so that the close which follows
 * leaves the group. What comes meanwhile is neither written nor stored:
 * it is read again. */
#define JOIN_SETTLE_MS 3000

static int has_member_id(struct consumer *c)
{
	char *member = rd_kafka_memberid(c->rk);
	int joined = member && *member;

	rd_kafka_mem_free(c->rk, member);
	return joined;
}

static void settle_join(struct consumer *c)
{
	int64_t until = hub_time_now_ms() + JOIN_SETTLE_MS;
	int stops = hub_stop_count;
	rd_kafka_message_t *m;

	if (has_member_id(c) || !broker_answered(c))   /* no broker: no join to finish */
		return;
	hub_debug("the group's join is under way: letting it finish, so that leaving the group frees its "
	          "partitions at once");
	while (!has_member_id(c) && hub_time_now_ms() < until && hub_stop_count == stops)
		if (rd_kafka_consume_batch_queue(c->queue, 50, &m, 1) == 1)
			rd_kafka_message_destroy(m);
}

static void consume_loop(struct consumer *c)
{
	rd_kafka_message_t **msgs = hub_xmalloc(sizeof(*msgs) * BATCH);
	int timeout = 0;

	while (!c->stop && !hub_stop_requested && !(c->o->exit_at_eof && hub_ledger_all_at_end(&c->ledger))) {
		/* Take what is there; when the queue runs dry, give it a moment
		 * to refill, then write out and wait for the next message. */
		ssize_t n = rd_kafka_consume_batch_queue(c->queue, timeout, msgs, timeout > LINGER_MS ? 1 : BATCH);

		if (hub_stats_due()) {
			char extra[64];

			hub_stats_print(c->st, hub_commit_stats(c, extra, sizeof(extra)));
		}
		if (n < 0) {
			hub_err("consuming: %s", rd_kafka_err2str(rd_kafka_last_error()));
			c->status = HUB_EXIT_UNAVAILABLE;
			break;
		}
		if (n == 0) {
			if (timeout == 0) {
				timeout = LINGER_MS;
			} else {
				hub_consume_flush(c);
				timeout = IDLE_WAIT_MS;
				if (output_gone(c))   /* | head is done, though no message came to tell */
					fail_output(c, EPIPE);
				if (c->st->in == 0 && login_refused(c))
					break;
				if (c->group && !c->ever_assigned && !c->said_waiting &&
				    hub_time_now_ms() - c->started_ms >= JOIN_SAY_MS)
					say_waiting(c);
			}
			continue;
		}
		timeout = 0;
		for (ssize_t i = 0; i < n; i++) {
			if (!c->stop && !handle(c, msgs[i]))
				c->stop = 1;
			rd_kafka_message_destroy(msgs[i]);
		}
		if (c->out.len >= FLUSH_BYTES)
			hub_consume_flush(c);
	}
	free(msgs);
	hub_consume_flush_urgent(c, 1);
}

int hub_consume_run(rd_kafka_conf_t *conf, int out_fd, const struct hub_consume_opts *o,
                    struct hub_stats *st)
{
	struct consumer c = { 0 };
	struct stat sb;
	char errstr[512], brokers[512] = "";
	size_t blen = sizeof(brokers);
	int status, joined = 0;

	c.o = o;
	c.st = st;
	c.group = o->group != NULL;
	c.out_fd = out_fd;
	c.out_is_pipe = fstat(out_fd, &sb) == 0 && S_ISFIFO(sb.st_mode);
	c.started_ms = hub_time_now_ms();
	/* before the first byte is written: see stream/ack.h */
	c.ack = hub_ack_out_new(out_fd);
	rd_kafka_conf_get(conf, "bootstrap.servers", brokers, &blen);
	if (force(conf, "enable.auto.offset.store", "false",
	          "hub-consume stores an offset only after its event was written") < 0 ||
	    (c.group && force(conf, "enable.auto.commit", "true",
	                      "hub-consume commits the offsets of written events") < 0) ||
	    force(conf, "enable.partition.eof", o->exit_at_eof ? "true" : "false",
	          o->exit_at_eof ? "-e needs it" : "set by -e") < 0) {
		rd_kafka_conf_destroy(conf);
		return HUB_EXIT_CONFIG;
	}
	rd_kafka_conf_set_opaque(conf, &c);
	if (c.group) {
		rd_kafka_conf_set_rebalance_cb(conf, hub_assign_rebalance);
		rd_kafka_conf_set_offset_commit_cb(conf, hub_commit_result);
		hub_lag_configure(conf);
	}
	c.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!c.rk) {
		rd_kafka_conf_destroy(conf);
		hub_err("cannot create the Kafka consumer: %s", errstr);
		return HUB_EXIT_CONFIG;
	}
	c.js = hub_json_new();
	hub_buf_reserve(&c.out, FLUSH_BYTES + FLUSH_BYTES / 4);
	if (c.group) {
		rd_kafka_poll_set_consumer(c.rk);
		c.queue = rd_kafka_queue_get_consumer(c.rk);
		status = hub_assign_start_group(&c, brokers);
	} else {
		c.queue = rd_kafka_queue_new(c.rk);
		status = hub_assign_start_simple(&c, brokers);
		if (status == HUB_EXIT_OK)
			hub_service_ready();   /* with -G: at the first assignment */
	}
	if (status == HUB_EXIT_OK)
		consume_loop(&c);
	if (hub_stop_requested)
		hub_info("%s: stopping", strsignal(hub_stop_requested));
	/* Let the reader make safe what it was given, so its offsets are
	 * stored: a hub tool sees the end of its input and acknowledges what
	 * it stored; another reader takes what is in the pipe. */
	if (c.group && c.status != HUB_EXIT_IOERR) {
		hub_ack_out_end(c.ack, 5000);
		store_consumed(&c);
	}
	/* What is stored is committed before the group is left, again while
	 * a rebalance refuses it: leaving would only try once. */
	if (c.group && !hub_ack_out_txn(c.ack)) {
		int cstatus = hub_commit_final(&c, COMMIT_PATIENCE_MS);

		if (cstatus && c.status == HUB_EXIT_OK)
			c.status = cstatus;
	}
	if (o->commits_refused)
		*o->commits_refused = c.commits_refused;
	if (c.group && status == HUB_EXIT_OK)
		settle_join(&c);
	if (c.group) {
		/* a member id comes with the JoinGroup response, with which
		 * librdkafka also picks the assignor (see issue 4312 below) */
		char *member = rd_kafka_memberid(c.rk);

		joined = member && *member;
		rd_kafka_mem_free(c.rk, member);
	}
	if (c.group) {
		rd_kafka_resp_err_t err = rd_kafka_consumer_close(c.rk);

		if (err && err != RD_KAFKA_RESP_ERR__FATAL)
			hub_warn("leaving the group: %s", rd_kafka_err2str(err));
	} else {
		hub_assign_stop_simple(&c);
		rd_kafka_queue_t *mainq = rd_kafka_queue_get_main(c.rk);

		rd_kafka_queue_forward(mainq, NULL);
		rd_kafka_queue_destroy(mainq);
	}
	rd_kafka_queue_destroy(c.queue);
	if (c.group && joined && !c.ever_assigned && rd_kafka_version() < LIBRDKAFKA_4312_FIXED)
		/* librdkafka before 2.3.0 aborts in rd_kafka_destroy() when a
		 * member of a cooperative-sticky group had joined but was never
		 * given an assignment (its issue 4312: SIGTERM while the group
		 * waits for a killed member). The group was left cleanly above
		 * and nothing is in flight: the handle goes with the process. */
		hub_debug("librdkafka %s: the consumer is not destroyed (never assigned; librdkafka issue 4312)",
		          rd_kafka_version_str());
	else
		rd_kafka_destroy(c.rk);

	hub_json_free(c.js);
	hub_buf_free(&c.out);
	hub_buf_free(&c.extra);
	hub_ledger_free(&c.ledger);
	hub_ack_out_free(c.ack);
	if (status == HUB_EXIT_OK)
		status = c.status;
	/* events in the failure store outrank offsets to commit again */
	if ((status == HUB_EXIT_OK || status == HUB_EXIT_TEMPFAIL) && st->failed > 0)
		status = HUB_EXIT_FAILED;
	return status;
}
