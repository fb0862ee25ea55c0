/* kafka/produce.c: the produce loop behind hub-produce.
 *
 * The hot path per line: one scan of the bytes (validation plus the few
 * fields needed: key, topic template, CloudEvents attributes), then
 * rd_kafka_producev() with RD_KAFKA_MSG_F_COPY, or, for plain events to
 * the -t topic, a place in a batch of up to 256 for one
 * rd_kafka_produce_batch(), handed over before every non-blocking poll
 * that serves delivery reports. No allocation per event in the default
 * mode: the message's opaque is the input line number, tagged in its low
 * bit, and the failure store takes the event back from the delivery
 * report's own copy of the payload. In --envelope and --binary-mode, whose
 * message value is not the input line, the opaque is a copy of the line.
 * The events of a batch already carry their partition, chosen by hub
 * (kafka/placement.c), so librdkafka runs no partitioner for them. The
 * batch, the CloudEvents binding, transactions and topic templates have
 * files of their own (kafka/produce-internal.h).
 *
 * Accounting invariant: every line read ends as exactly one of delivered
 * (stats->out) or failed (stats->failed, one failure-store record). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/file-internal.h"
#include "kafka/envelope-internal.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "json/scan.h"
#include "kafka/client.h"
#include "stream/ndjson.h"
#include "kafka/placement-internal.h"
#include "kafka/produce.h"
#include "kafka/produce-internal.h"
#include "stream/scanahead-internal.h"
#include "core/signals.h"
#include "core/stats.h"
#include "core/time.h"

#define OUT_FLUSH (256u << 10)

/* A copy of an input line, for modes whose message value is not the line. */
struct original {
	uint64_t line;
	size_t len;
	char data[];
};

int hub_produce_add_path(struct producer *p, const char *text)
{
	char err[256];

	if (p->npaths >= HUB_JSON_MAX_PATHS)
		hub_die(HUB_EXIT_USAGE, "too many field paths");
	if (hub_path_parse(text, &p->paths[p->npaths], err, sizeof(err)) < 0)
		hub_usage_error("%s", err);
	return p->npaths++;
}

static void fail(struct producer *p, const char *reason, uint64_t line, const char *ev, size_t len,
                 int is_json, const char *extra)
{
	p->st->failed++;
	p->txn_abort = 1;
	hub_info("line %llu: %s", (unsigned long long)line, reason);
	/* a failure that could not be recorded is never acknowledged (the
	 * writer keeps it), and reading stops: exit 74 */
	if (hub_failstore_add(p->o->failstore, reason, line, ev, len, is_json, extra) < 0)
		p->io_error = 1;
	else
		hub_ack_lines_done(p->acks, line);
}

static void flush_out(struct producer *p)
{
	const char *s = p->out.data;
	size_t left = p->out.len;

	if (left > 0 && !p->io_error && hub_write_all(STDOUT_FILENO, s, left) < 0) {
		if (!hub_output_closed(errno))
			hub_err("writing standard output: %s", strerror(errno));
		p->io_error = 1;
	}
	hub_buf_reset(&p->out);
}

/* Each kind of delivery failure is said once on stderr, with the topic and
 * the broker's reason, so that "10 of 10 events failed" does not come
 * alone; the events themselves are in the failure store. */
static void say_delivery_error(struct producer *p, const char *topic, rd_kafka_resp_err_t err)
{
	for (int i = 0; i < p->nsaid; i++)
		if (p->said[i] == (int)err)
			return;
	if (p->nsaid < (int)(sizeof(p->said) / sizeof(p->said[0])))
		p->said[p->nsaid++] = (int)err;
	switch (err) {
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
		hub_err("topic %s: not authorized (%s): this user may not write it; its events go to the "
		        "failure store", topic, rd_kafka_err2name(err));
		break;
	case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
		hub_err("topic %s has no such partition (%s): %s; its events go to the failure store", topic,
		        rd_kafka_err2name(err), p->o->envelope && p->o->topic ? "the envelopes' partitions are "
		        "kept by --keep-partition, and this topic has fewer; without it they are placed by key" :
		        p->o->envelope ? "the envelopes name partitions this topic does not have; give -t to "
		        "place them by key, or add partitions to the topic" : "check -p against the topic's "
		        "partitions");
		break;
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
		hub_err("topic %s does not exist (and the cluster does not create topics): create it, or check "
		        "-t; its events go to the failure store", topic);
		break;
	default:
		hub_err("topic %s: delivery failed: %s (%s); the events go to the failure store", topic,
		        rd_kafka_err2str(err), rd_kafka_err2name(err));
	}
}

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct producer *p = opaque;
	uintptr_t tag = (uintptr_t)m->_private;
	struct original *orig = (tag & 1) ? NULL : (struct original *)m->_private;
	uint64_t line = orig ? orig->line : (uint64_t)(tag >> 2);
	const char *ev = orig ? orig->data : m->payload;
	size_t len = orig ? orig->len : m->len;
	int is_json = orig ? 1 : !(tag & 2);

	(void)rk;
	if (orig && p->o->raw)
		is_json = 0;   /* envelope/binary lines were validated; raw ones may not be */
	if (m->err) {
		char reason[512], extra[512];
		rd_kafka_msg_status_t status = rd_kafka_message_status(m);
		const char *persisted = status == RD_KAFKA_MSG_STATUS_PERSISTED ? "yes" :
		                        status == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED ? "possibly" : "no";
		struct hub_buf x = { 0 };

		if (p->refused[0])
			snprintf(reason, sizeof(reason), "not sent: the brokers refused the login: %s", p->refused);
		else
			snprintf(reason, sizeof(reason), "delivery failed: %s", rd_kafka_err2str(m->err));
		hub_buf_adds(&x, "\"topic\":");
		hub_buf_json_string(&x, rd_kafka_topic_name(m->rkt), strlen(rd_kafka_topic_name(m->rkt)));
		hub_buf_addf(&x, ",\"partition\":%d,\"error\":\"%s\",\"persisted\":\"%s\"",
		             (int)m->partition, rd_kafka_err2name(m->err), persisted);
		snprintf(extra, sizeof(extra), "%s", hub_buf_cstr(&x));
		hub_buf_free(&x);
		if (!p->refused[0])
			say_delivery_error(p, rd_kafka_topic_name(m->rkt), m->err);
		fail(p, reason, line, ev, len, is_json, extra);
	} else {
		p->st->out++;
		p->st->bytes_out += m->len;
		hub_txn_spool_add(p, line, ev, len);
		if (!p->spool)   /* in a transaction, safe once it is committed */
			hub_ack_lines_done(p->acks, line);
		if (p->o->tee) {
			hub_envelope_write_delivered(&p->out, p->tee_js, m, hub_time_now_ms());
			if (p->out.len >= OUT_FLUSH)
				flush_out(p);
		}
	}
	free(orig);
}

static void watch_brokers(struct producer *p);

/* Hands one message to librdkafka, waiting while its queue is full. */
rd_kafka_resp_err_t hub_produce_send(struct producer *p, const char *topic, int32_t partition,
                                     const void *value, size_t vlen, const void *key, size_t klen,
                                     rd_kafka_headers_t *hdrs, void *opaque)
{
	rd_kafka_resp_err_t err;

	for (;;) {
		if (topic)
			err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
			                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			                        RD_KAFKA_V_VALUE((void *)value, vlen), RD_KAFKA_V_KEY(key, klen),
			                        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
		else
			err = rd_kafka_producev(p->rk, RD_KAFKA_V_RKT(p->rkt), RD_KAFKA_V_PARTITION(partition),
			                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			                        RD_KAFKA_V_VALUE((void *)value, vlen), RD_KAFKA_V_KEY(key, klen),
			                        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			return err;
		rd_kafka_poll(p->rk, 10);   /* serve delivery reports to make room */
		watch_brokers(p);
		if (p->fatal)
			return RD_KAFKA_RESP_ERR__FATAL;
	}
}

/* An event librdkafka refused: to the failure store. */
void hub_produce_not_accepted(struct producer *p, rd_kafka_resp_err_t err, const char *topic,
                              int32_t partition, uint64_t line, const char *ev, size_t len, int is_json)
{
	char why[512], extra[300];
	struct hub_buf x = { 0 };

	if (p->refused[0])
		snprintf(why, sizeof(why), "not sent: the brokers refused the login: %s", p->refused);
	else
		snprintf(why, sizeof(why), "not accepted for sending: %s", rd_kafka_err2str(err));
	hub_buf_adds(&x, "\"topic\":");
	hub_buf_json_string(&x, topic ? topic : rd_kafka_topic_name(p->rkt),
	                    strlen(topic ? topic : rd_kafka_topic_name(p->rkt)));
	hub_buf_addf(&x, ",\"partition\":%d,\"error\":\"%s\"", (int)partition, rd_kafka_err2name(err));
	snprintf(extra, sizeof(extra), "%s", hub_buf_cstr(&x));
	hub_buf_free(&x);
	if (!p->refused[0])
		say_delivery_error(p, topic ? topic : rd_kafka_topic_name(p->rkt), err);
	fail(p, why, line, ev, len, is_json, extra);
	if (err == RD_KAFKA_RESP_ERR__FATAL)
		p->fatal = 1;
}

static struct original *copy_line(const struct hub_line *l)
{
	struct original *o = hub_xmalloc(sizeof(*o) + l->len);

	o->line = l->number;
	o->len = l->len;
	memcpy(o->data, l->data, l->len);
	return o;
}

/* One message as it will be sent, for the line itself or from its envelope. */
struct message {
	const char *topic;          /* NULL: the -t topic */
	int32_t partition;
	const void *value, *key;    /* key NULL: none */
	size_t vlen, klen;
	rd_kafka_headers_t *hdrs;
	int is_json;
};

/* --envelope: the message the line describes; -1 when the line failed. */
static int from_envelope(struct producer *p, const struct hub_line *l, struct message *m)
{
	const struct hub_produce_opts *o = p->o;
	char why[512];

	if (hub_envelope_parse(l->data, l->len, &p->env, why, sizeof(why)) < 0) {
		fail(p, why, l->number, l->data, l->len, hub_json_scan(p->tee_js, l->data, l->len, NULL, NULL) == 0, NULL);
		return -1;
	}
	if (!m->topic && !p->env.has_topic) {
		fail(p, "envelope has no \"topic\" and no -t was given", l->number, l->data, l->len, 1, NULL);
		return -1;
	}
	/* a line that is no envelope would go out as a tombstone and its event
	 * be lost: a message without a value is sent only when asked for */
	if (!p->env.has_value && !o->allow_tombstones) {
		fail(p, p->env.null_value ? "envelope's \"value\" is null: a tombstone; give --allow-tombstones "
		     "to send tombstones" : "not an envelope: no \"value\" (nor \"value_text\", \"value_base64\"); "
		     "bare events go without --envelope, tombstones with --allow-tombstones",
		     l->number, l->data, l->len, 1, NULL);
		return -1;
	}
	if (!o->topic)
		m->topic = hub_buf_cstr(&p->env.topic);
	/* the envelope's partition is its place in its own topic: to another
	 * topic (which may have fewer partitions) events go by key, unless
	 * --keep-partition says to keep it there too */
	if (m->partition == RD_KAFKA_PARTITION_UA &&
	    (!o->topic || o->keep_partition || !p->env.has_topic || strcmp(o->topic, hub_buf_cstr(&p->env.topic)) == 0))
		m->partition = p->env.partition;
	m->value = p->env.has_value ? p->env.value.data : NULL;
	m->vlen = p->env.has_value ? p->env.value.len : 0;
	if (p->env.has_value && !m->value)
		m->value = "";
	m->key = p->env.has_key ? (p->env.key.data ? p->env.key.data : "") : NULL;
	m->klen = p->env.key.len;
	m->hdrs = p->env.headers;
	p->env.headers = NULL;
	return 0;
}

/* Scans the line (or takes the scanner thread's result): -1 when it
 * failed, 0 when it goes on, *is_json cleared for a --raw line. */
static int scan_event(struct producer *p, const struct hub_line *l, int *is_json)
{
	const struct hub_produce_opts *o = p->o;
	char why[512];
	enum hub_json_type top;
	int scan_rc;
	const char *scan_err;

	if (p->pre) {            /* scanned already, by the scanner thread */
		scan_rc = p->pre->rc;
		top = p->pre->top;
		scan_err = p->pre->err;
	} else {
		scan_rc = hub_json_scan(p->js, l->data, l->len, p->found, &top);
		scan_err = hub_json_error(p->js);
	}
	if (scan_rc < 0) {
		if (!o->raw) {
			snprintf(why, sizeof(why), "%s", scan_err);
			fail(p, why, l->number, l->data, l->len, 0, NULL);
			return -1;
		}
		*is_json = 0;
		memset(p->found, 0, sizeof(p->found));
	} else if (top != HUB_JSON_OBJECT && !o->raw) {
		snprintf(why, sizeof(why), "not an event: the line is %s, not a JSON object", hub_json_type_name(top));
		fail(p, why, l->number, l->data, l->len, 1, NULL);
		return -1;
	}
	return 0;
}

/* -k: the key is the field's text, or its JSON for an object or array;
 * an event without the field (or with null) has no key. */
static void event_key(struct producer *p, struct message *m)
{
	const struct hub_span *k = &p->found[p->key_path];

	if (k->type != HUB_JSON_NONE && k->type != HUB_JSON_NULL) {
		hub_buf_reset(&p->key);
		if (hub_json_span_text(k, &p->key) < 0)
			hub_buf_add(&p->key, k->p, k->len);  /* object or array: its JSON text */
		m->key = p->key.data ? p->key.data : "";
		m->klen = p->key.len;
		p->keyed++;
	}
}

/* An event line: its topic, key and, in --binary-mode, its value and
 * headers; -1 when the line failed. */
static int from_event(struct producer *p, const struct hub_line *l, struct message *m)
{
	const struct hub_produce_opts *o = p->o;
	char why[512];

	if (o->binary_mode) {
		p->ce_headers = rd_kafka_headers_new(10);
		p->ce_data.type = p->ce_data64.type = HUB_JSON_NONE;
		p->ce_bad = 0;
	}
	if (scan_event(p, l, &m->is_json) < 0)
		return -1;
	if (o->topic_from) {
		if (hub_topicmap_render(p, why, sizeof(why)) < 0) {
			fail(p, why, l->number, l->data, l->len, m->is_json, NULL);
			return -1;
		}
		m->topic = p->topic.data;
	}
	if (p->key_path >= 0)
		event_key(p, m);
	if (o->binary_mode && m->is_json) {
		if (hub_binding_value(p, why, sizeof(why)) < 0) {
			fail(p, why, l->number, l->data, l->len, 1, NULL);
			return -1;
		}
		m->value = p->value.data ? p->value.data : "";
		m->vlen = p->value.len;
		if (p->ce_data.type == HUB_JSON_NONE && p->ce_data64.type == HUB_JSON_NONE)
			m->value = NULL, m->vlen = 0;
		m->hdrs = p->ce_headers;
		p->ce_headers = NULL;
	}
	return 0;
}

/* -H: the headers every message gets, after its own. */
static void add_option_headers(const struct hub_produce_opts *o, rd_kafka_headers_t **hdrs)
{
	const char *n;
	const void *v;
	size_t sz;

	if (!o->headers)
		return;
	if (!*hdrs)
		*hdrs = rd_kafka_headers_new(4);
	for (size_t i = 0; !rd_kafka_header_get_all(o->headers, i, &n, &v, &sz); i++)
		rd_kafka_header_add(*hdrs, n, -1, v, sz);
}

/* Hands the message to librdkafka, or to the batch; one it refuses fails
 * the line. */
static void send_line(struct producer *p, const struct hub_line *l, struct message *m)
{
	const struct hub_produce_opts *o = p->o;
	void *opaque;
	rd_kafka_resp_err_t err;

	if (o->envelope || o->binary_mode)
		opaque = copy_line(l);
	else
		opaque = (void *)(uintptr_t)((l->number << 2) | (m->is_json ? 0 : 2) | 1);
	if (p->batching && !m->hdrs) {
		hub_batch_add(p, l, m->partition, m->key, m->klen, m->is_json);
		return;
	}
	err = hub_produce_send(p, m->topic, m->partition, m->value, m->vlen, m->key, m->klen, m->hdrs, opaque);
	if (err) {
		if (m->hdrs)
			rd_kafka_headers_destroy(m->hdrs);
		if (!((uintptr_t)opaque & 1))
			free(opaque);
		hub_produce_not_accepted(p, err, m->topic, m->partition, l->number, l->data, l->len, m->is_json);
	}
}

static void produce_line(struct producer *p, const struct hub_line *l)
{
	struct message m = { .topic = p->o->topic, .partition = p->o->partition, .value = l->data,
	                     .vlen = l->len, .is_json = 1 };
	int ok;

	if (l->status == HUB_LINE_TOO_LONG) {
		char why[512], extra[64];

		hub_line_too_long_reason(l, why, sizeof(why), extra, sizeof(extra));
		fail(p, why, l->number, l->data, l->len, 0, extra);
		return;
	}
	if (p->o->key_delim) {
		/* -K, as kcat's: KEY<DELIM>EVENT */
		const char *d = memmem(l->data, l->len, p->o->key_delim, strlen(p->o->key_delim));
		struct hub_line ev = *l;

		if (!d) {
			fail(p, "no key delimiter (-K) in the line: expected KEY, the delimiter, then the event",
			     l->number, l->data, l->len, 0, NULL);
			return;
		}
		ev.data = d + strlen(p->o->key_delim);
		ev.len = l->len - (size_t)(ev.data - l->data);
		ev.full_len = ev.len;
		m.value = ev.data;
		m.vlen = ev.len;
		if (from_event(p, &ev, &m) == 0) {
			m.key = l->data;
			m.klen = (size_t)(d - l->data);
			add_option_headers(p->o, &m.hdrs);
			send_line(p, &ev, &m);
		}
	} else {
		ok = (p->o->envelope ? from_envelope(p, l, &m) : from_event(p, l, &m)) == 0;
		if (ok) {
			add_option_headers(p->o, &m.hdrs);
			send_line(p, l, &m);
		}
	}
	if (p->ce_headers) {
		rd_kafka_headers_destroy(p->ce_headers);
		p->ce_headers = NULL;
	}
}

/* How long events may wait, none delivered yet, before hub-produce says
 * that no broker answers (they wait on, until message.timeout.ms). */
#define UNREACHABLE_SAY_MS 10000

/* While events wait: a login the brokers refused is permanent, so reading
 * stops and the events go to the failure store at once, with the reason;
 * brokers that never answered are said within seconds, with what to
 * check, instead of minutes of silence until message.timeout.ms. */
static void watch_brokers(struct producer *p)
{
	char brokers[512] = "", timeout[32] = "";
	size_t n;
	const rd_kafka_metadata_t *md;

	if (p->refused[0]) {
		/* what was still batched when the refusal was seen */
		if (rd_kafka_outq_len(p->rk) > 0)
			rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		return;
	}
	if (p->st->out > 0)
		return;
	if (hub_kafka_login_refused(p->refused, sizeof(p->refused))) {
		n = sizeof(brokers);
		rd_kafka_conf_get(rd_kafka_conf(p->rk), "bootstrap.servers", brokers, &n);
		hub_kafka_say_login_refused(brokers, p->refused, "the events read go to the failure store, and no "
		                            "more is read (the rest stays on standard input)");
		p->fatal = 1;
		rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		return;
	}
	if (p->said_unreachable || rd_kafka_outq_len(p->rk) == 0 ||
	    hub_time_now_ms() - p->started_ms < UNREACHABLE_SAY_MS)
		return;
	p->said_unreachable = 1;
	if (rd_kafka_metadata(p->rk, 0, NULL, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		rd_kafka_metadata_destroy(md);   /* a broker answers: slow, not absent */
		return;
	}
	n = sizeof(brokers);
	rd_kafka_conf_get(rd_kafka_conf(p->rk), "bootstrap.servers", brokers, &n);
	n = sizeof(timeout);
	rd_kafka_conf_get(rd_kafka_conf(p->rk), "message.timeout.ms", timeout, &n);
	hub_warn("no Kafka broker answers at %s after %d s: check -b, HUB_BROKERS and the network; the %d "
	         "events read wait for one until message.timeout.ms (%s ms); interrupt twice (Ctrl-C) to "
	         "give up on them (they go to the failure store)", brokers, UNREACHABLE_SAY_MS / 1000,
	         rd_kafka_outq_len(p->rk), timeout);
}

static void serve_stats(struct producer *p)
{
	watch_brokers(p);
	if (hub_stats_due())
		hub_stats_print(p->st, NULL);
}

/* Waits until every message has its delivery report. The first stop
 * signal of the run only stops the reading (whether it came while reading
 * or now, after the input's end): delivery goes on, up to
 * message.timeout.ms. The second purges what is still queued: those events
 * fail, into the store. */
static void drain(struct producer *p)
{
	int purged = 0, told = hub_stop_count > 0;

	while (rd_kafka_outq_len(p->rk) > 0) {
		rd_kafka_poll(p->rk, 100);
		if (!told && hub_stop_count == 1) {
			hub_warn("%s: the input was read to its end; still delivering the %d events in flight "
			         "(until message.timeout.ms); a second signal gives up on them (failure store)",
			         strsignal(hub_stop_requested), rd_kafka_outq_len(p->rk));
			told = 1;
		}
		if (!purged && hub_stop_count >= 2) {
			hub_warn("interrupted again: giving up on %d undelivered events; they go to the failure store",
			         rd_kafka_outq_len(p->rk));
			rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
			purged = 1;
		}
		serve_stats(p);
	}
}

/* Before the next line: every 256 lines, and whenever it may have to be
 * waited for, the batch goes out and delivery reports are served; before
 * a wait, --tee's envelopes are written too, so that neither they, the
 * counters nor the failure store lag while the input is idle. */
static void before_next(struct producer *p, uint64_t lines, int waits)
{
	if ((lines & 255) == 0 || waits) {
		hub_batch_flush(p);
		rd_kafka_poll(p->rk, 0);
		if (waits)
			flush_out(p);
	}
}

/* Woken while waiting for input: delivery reports, --tee, SIGUSR1. */
static void while_waiting(struct producer *p)
{
	rd_kafka_poll(p->rk, 0);
	flush_out(p);
	serve_stats(p);
}

/* The input loop in this thread: read, scan and send each line. */
static void read_lines(struct producer *p, int in_fd, uint64_t *lines, int *status)
{
	const struct hub_produce_opts *o = p->o;
	struct hub_reader *r = hub_reader_new(in_fd, o->max_line);
	rd_kafka_queue_t *mainq = rd_kafka_queue_get_main(p->rk);
	struct hub_line l;
	int rc, reports[2];

	hub_reader_set_interrupt(r, &hub_stop_requested);
	/* While it waits for input, the loop wakes for SIGUSR1 and for delivery
	 * reports: librdkafka writes to a pipe when its queue gets one. */
	hub_reader_set_wakeup(r, hub_signal_fd());
	if (pipe2(reports, O_CLOEXEC | O_NONBLOCK) == 0) {
		rd_kafka_queue_io_event_enable(mainq, reports[1], "r", 1);
		hub_reader_add_wakeup(r, reports[0]);
	} else {
		reports[0] = reports[1] = -1;
	}
	p->lines_stay = 1;
	while (!hub_stop_requested && !p->fatal && !p->io_error && (o->count == 0 || *lines < o->count)) {
		/* The batch goes out before every read: a read may move the
		 * lines the batch points at, and nothing else does. */
		before_next(p, *lines, !hub_reader_buffered(r));
		if (p->spool && p->up) {
			/* an urgent cut or a due commit while the input is idle */
			hub_reader_set_wakeup3(r, hub_ack_in_fd(p->up));
			hub_reader_set_timeout(r, hub_txn_wait_ms(p));
		}
		rc = hub_reader_next(r, &l);
		if (rc == 0)
			break;
		if (rc < 0 && errno == ETIMEDOUT) {
			hub_txn_at(p, hub_reader_total(r), 1);
			continue;
		}
		if (rc < 0 && errno == EINTR && !hub_stop_requested) {
			char drain[64];

			/* woken while waiting: SIGUSR1, or delivery reports */
			hub_signal_drain();
			while (reports[0] >= 0 && read(reports[0], drain, sizeof(drain)) > 0)
				;
			while_waiting(p);
			hub_txn_at(p, hub_reader_total(r), 1);
			continue;
		}
		if (rc < 0) {
			if (errno != EINTR) {
				hub_err("reading standard input: %s", strerror(errno));
				*status = HUB_EXIT_IOERR;
			}
			break;
		}
		(*lines)++;
		p->st->in++;
		p->st->bytes_in += l.len + 1;
		p->consumed = hub_reader_consumed(r);
		hub_ack_lines_read(p->acks, l.number, p->consumed, !hub_reader_buffered(r));
		produce_line(p, &l);
		hub_txn_at(p, hub_reader_total(r), 0);
		serve_stats(p);
	}
	hub_batch_flush(p);
	p->lines_stay = 0;
	if (reports[0] >= 0) {
		rd_kafka_queue_io_event_enable(mainq, -1, NULL, 0);
		close(reports[0]);
		close(reports[1]);
	}
	rd_kafka_queue_destroy(mainq);
	hub_reader_free(r);
}

/* The input loop with the scan-ahead thread. Every line the thread has
 * read is sent, even after a signal: it is no longer on standard input. */
static void read_scanned(struct producer *p, int in_fd, uint64_t *lines, int *status)
{
	const struct hub_produce_opts *o = p->o;
	struct hub_scanahead *sa = hub_scanahead_start(in_fd, o->max_line, p->paths, p->npaths,
	                                               &hub_stop_requested);
	struct hub_scanned sc;
	struct scanned pre;
	int rc;

	/* waiting for lines, it looks at delivery reports and SIGUSR1 ten
	 * times a second */
	hub_scanahead_set_timeout(sa, 100);
	while (!p->fatal && !p->io_error && (o->count == 0 || *lines < o->count)) {
		before_next(p, *lines, !hub_scanahead_ready(sa));
		rc = hub_scanahead_next(sa, &sc);
		if (rc == 0)
			break;
		if (rc < 0 && errno == ETIMEDOUT) {
			while_waiting(p);
			continue;
		}
		if (rc < 0) {
			if (errno != EINTR) {
				hub_err("reading standard input: %s", strerror(errno));
				*status = HUB_EXIT_IOERR;
			}
			break;
		}
		(*lines)++;
		p->st->in++;
		p->st->bytes_in += sc.line.len + 1;
		p->consumed = sc.consumed;
		hub_ack_lines_read(p->acks, sc.line.number, p->consumed, !hub_scanahead_ready(sa));
		memcpy(p->found, sc.found, sizeof(p->found[0]) * (size_t)p->npaths);
		pre.rc = sc.rc;
		pre.top = sc.top;
		pre.err = sc.err;
		p->pre = &pre;
		produce_line(p, &sc.line);
		p->pre = NULL;
		serve_stats(p);
	}
	hub_batch_flush(p);
	hub_scanahead_stop(sa);
	hub_scanahead_block_signals(0);
}

/* Whether a scan-ahead thread pays: when this loop, the scan and
 * librdkafka's broker thread can each have a core. On two cores (often
 * shared with a local broker) the three contend, and handing lines from
 * core to core costs more than the scan it moves: 1,000,000 gen-events
 * lines took 15-25% more CPU time with the thread than without, and no
 * less wall time (up to 15% more under load). HUB_SCAN_AHEAD=1 or 0
 * decides instead. */
static int scan_ahead_pays(void)
{
	const char *env = getenv("HUB_SCAN_AHEAD");
	cpu_set_t cpus;

	if (env && *env)
		return strcmp(env, "0") != 0;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return 0;
	return CPU_COUNT(&cpus) > 2;
}

/* The field paths the scanner finds: the key, --topic-from's, and for
 * --binary-mode every top-level member, through the binding's callback. */
static void prepare_scan(struct producer *p)
{
	const struct hub_produce_opts *o = p->o;

	p->key_path = p->star_path = -1;
	p->js = hub_json_new();
	p->tee_js = hub_json_new();
	if (!o->envelope) {
		const char *kp = o->key_path ? o->key_path : "partitionkey";

		if (*kp)
			p->key_path = hub_produce_add_path(p, kp);
		if (o->topic_from)
			hub_topicmap_parse(p, o->topic_from);
		if (o->binary_mode) {
			p->star_path = hub_produce_add_path(p, "*");
			hub_json_set_callback(p->js, hub_binding_member, p);
		}
	}
	hub_json_set_paths(p->js, p->paths, p->npaths);
}

static void producer_free(struct producer *p)
{
	if (p->spool)
		fclose(p->spool);
	hub_envelope_free(&p->env);
	hub_json_free(p->js);
	hub_json_free(p->tee_js);
	for (int i = 0; i < p->npaths; i++)
		hub_path_free(&p->paths[i]);
	for (int i = 0; i < p->npieces; i++)
		free(p->pieces[i].literal);
	free(p->pieces);
	hub_buf_free(&p->key);
	hub_buf_free(&p->topic);
	hub_buf_free(&p->value);
	hub_buf_free(&p->tmp);
	hub_buf_free(&p->out);
	hub_buf_free(&p->arena);
	free(p->place.parts);
}

int hub_produce_run(rd_kafka_conf_t *conf, int in_fd, const struct hub_produce_opts *o,
                    struct hub_stats *st)
{
	struct producer p = { 0 };
	char errstr[512];
	int status = HUB_EXIT_OK, pipelined;
	uint64_t lines = 0;

	p.o = o;
	p.st = st;
	prepare_scan(&p);

	/* Plain events are scanned ahead in a thread of their own when that
	 * pays; the modes that need the scanner's callbacks (--binary-mode)
	 * or none of it (--envelope) run in this one. */
	pipelined = !o->binary_mode && !o->envelope && !o->transactional && !o->key_delim && scan_ahead_pays();
	if (pipelined)
		hub_scanahead_block_signals(1);   /* librdkafka's threads inherit this */
	hub_place_configure(&p.place, conf);
	rd_kafka_conf_set_opaque(conf, &p);
	rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
	p.started_ms = hub_time_now_ms();
	p.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!p.rk) {
		rd_kafka_conf_destroy(conf);
		hub_err("cannot create the Kafka producer: %s", errstr);
		status = HUB_EXIT_CONFIG;
		goto out;
	}
	if (o->topic)
		p.rkt = rd_kafka_topic_new(p.rk, o->topic, NULL);
	p.batching = p.rkt && !o->envelope && !o->binary_mode && !o->topic_from && !o->headers;
	hub_buf_reserve(&p.arena, 1);   /* an empty value or key is never NULL */
	if (o->transactional && hub_txn_begin(&p) < 0) {
		status = HUB_EXIT_UNAVAILABLE;
		goto destroy;
	}

	/* before the first read: stream/ack.h */
	p.up = hub_ack_in_new(in_fd, o->transactional ? HUB_ACK_TXN : 0);
	p.acks = hub_ack_lines_new(p.up);
	hub_service_ready();
	if (pipelined)
		read_scanned(&p, in_fd, &lines, &status);
	else
		read_lines(&p, in_fd, &lines, &status);
	if (o->key_path && *o->key_path && p.keyed == 0 && lines > 0)
		/* kcat's -k is the key itself; hub's names the event's field */
		hub_warn("-k %s: no event has a field %s, so every message went without a key; -k names the "
		         "field that holds the key (kcat's -k is the key itself: put it in the events, or "
		         "send envelopes with --envelope)", o->key_path, o->key_path);
	if (hub_stop_requested)
		hub_warn("%s: stopped reading; delivering the %d events in flight",
		         strsignal(hub_stop_requested), rd_kafka_outq_len(p.rk));

	if (o->transactional) {
		drain(&p);
		hub_txn_end(&p, status);
	}
	drain(&p);
	flush_out(&p);
	/* every line read is delivered (committed) or in the failure store */
	if (!p.fatal && !p.io_error)
		hub_ack_in_send(p.up, p.consumed);
destroy:
	if (p.rkt)
		rd_kafka_topic_destroy(p.rkt);
	rd_kafka_destroy(p.rk);
out:
	if (pipelined)
		hub_scanahead_block_signals(0);
	hub_ack_lines_free(p.acks);
	hub_ack_in_free(p.up);
	producer_free(&p);
	if (p.io_error && status == HUB_EXIT_OK)
		status = HUB_EXIT_IOERR;
	if (p.fatal && status == HUB_EXIT_OK)
		status = HUB_EXIT_UNAVAILABLE;
	if (status == HUB_EXIT_OK && st->failed > 0)
		status = HUB_EXIT_FAILED;
	return status;
}
