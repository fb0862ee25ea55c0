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
 * (place()), so librdkafka runs no partitioner for them.
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
#include "kafka/envelope-internal.h"
#include "core/exitcodes.h"
#include "json/scan.h"
#include "kafka/client.h"
#include "stream/ndjson.h"
#include "kafka/produce.h"
#include "stream/scanahead-internal.h"
#include "core/signals.h"
#include "core/stats.h"

#define OUT_FLUSH (256u << 10)
#define BATCH_MAX 256

/* A copy of an input line, for modes whose message value is not the line. */
struct original {
	uint64_t line;
	size_t len;
	char data[];
};

/* What the scanner thread found in one line. */
struct scanned {
	int rc;                     /* hub_json_scan()'s result */
	enum hub_json_type top;
	const char *err;            /* its error, when rc < 0 */
};

/* Where events to the -t topic go, when hub places them (see place()). */
typedef int32_t (*partitioner_fn)(const rd_kafka_topic_t *rkt, const void *key, size_t keylen,
                                  int32_t partition_cnt, void *rkt_opaque, void *msg_opaque);
struct placement {
	int sticky;                 /* keyless events: hub's, not a partitioner's */
	partitioner_fn keyed;       /* keyed events: the configured hash, or NULL */
	int tried;                  /* the topic's partitions were asked for */
	int32_t count;              /* the topic's partitions, 0 while unknown */
	int32_t *parts;             /* those with a leader */
	int nparts;
	int32_t cur;                /* where this batch's keyless events go, or -1 */
	size_t sent, limit;         /* bytes sent to cur; batch.size */
	double refresh_at;          /* hub_now() of the next metadata look-up */
	double interval;            /* topic.metadata.refresh.interval.ms, in s */
	unsigned seed;
};

struct piece {                  /* --topic-from template: literal, then a path */
	char *literal;
	int path;                   /* index in paths, or -1 */
};

struct producer {
	const struct hub_produce_opts *o;
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
	struct hub_buf arena;       /* the batch's keys, and values that do not stay */
	struct placement place;     /* partitions chosen by hub */
};

static int add_path(struct producer *p, const char *text)
{
	char err[256];

	if (p->npaths >= HUB_JSON_MAX_PATHS)
		hub_die(HUB_EXIT_USAGE, "too many field paths");
	if (hub_path_parse(text, &p->paths[p->npaths], err, sizeof(err)) < 0)
		hub_usage_error("%s", err);
	return p->npaths++;
}

/* "retail.{type}" -> pieces; a bare path -> one piece with that path. */
static void parse_topic_from(struct producer *p, const char *spec)
{
	const char *s = spec;

	if (!strchr(spec, '{')) {
		p->pieces = hub_xcalloc(1, sizeof(*p->pieces));
		p->pieces[0].literal = hub_xstrdup("");
		p->pieces[0].path = add_path(p, spec);
		p->npieces = 1;
		return;
	}
	while (*s) {
		const char *open = strchr(s, '{'), *close;
		char *path;

		p->pieces = hub_xrealloc(p->pieces, sizeof(*p->pieces) * (p->npieces + 1));
		if (!open) {
			p->pieces[p->npieces].literal = hub_xstrdup(s);
			p->pieces[p->npieces++].path = -1;
			break;
		}
		close = strchr(open, '}');
		if (!close || close == open + 1)
			hub_usage_error("--topic-from '%s': expected {field.path}", spec);
		p->pieces[p->npieces].literal = hub_xstrndup(s, (size_t)(open - s));
		path = hub_xstrndup(open + 1, (size_t)(close - open - 1));
		p->pieces[p->npieces++].path = add_path(p, path);
		free(path);
		s = close + 1;
	}
}

/* The topic for the current event, from the template; -1 with a reason. */
static int render_topic(struct producer *p, char *why, size_t whylen)
{
	hub_buf_reset(&p->topic);
	for (int i = 0; i < p->npieces; i++) {
		const struct hub_span *v;

		hub_buf_adds(&p->topic, p->pieces[i].literal);
		if (p->pieces[i].path < 0)
			continue;
		v = &p->found[p->pieces[i].path];
		if (v->type == HUB_JSON_NONE || v->type == HUB_JSON_NULL ||
		    hub_json_span_text(v, &p->topic) < 0) {
			snprintf(why, whylen, "--topic-from: field '%s' is %s, not a string",
			         p->paths[p->pieces[i].path].text, hub_json_type_name(v->type));
			return -1;
		}
	}
	if (!hub_kafka_topic_valid(p->topic.data, p->topic.len)) {
		snprintf(why, whylen, "--topic-from: '%.*s' is not a valid Kafka topic name "
		         "(letters, digits, '.', '_', '-'; at most 249)", (int)(p->topic.len > 300 ? 300 : p->topic.len),
		         p->topic.data);
		return -1;
	}
	hub_buf_cstr(&p->topic);
	return 0;
}

static void fail(struct producer *p, const char *reason, uint64_t line, const char *ev, size_t len,
                 int is_json, const char *extra)
{
	p->st->failed++;
	p->txn_abort = 1;
	hub_failstore_add(p->o->failstore, reason, line, ev, len, is_json, extra);
	hub_info("line %llu: %s", (unsigned long long)line, reason);
}

static void flush_out(struct producer *p)
{
	const char *s = p->out.data;
	size_t left = p->out.len;

	while (left > 0 && !p->io_error) {
		ssize_t w = write(STDOUT_FILENO, s, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			hub_err("writing to standard output: %s", strerror(errno));
			p->io_error = 1;
			break;
		}
		s += w;
		left -= (size_t)w;
	}
	hub_buf_reset(&p->out);
}

static void spool_add(struct producer *p, uint64_t line, const char *data, size_t len)
{
	if (!p->spool)
		return;
	if (fwrite(&line, sizeof(line), 1, p->spool) != 1 || fwrite(&len, sizeof(len), 1, p->spool) != 1 ||
	    fwrite(data, 1, len, p->spool) != len) {
		hub_err("transaction spool: %s", strerror(errno));
		p->fatal = 1;
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

		snprintf(reason, sizeof(reason), "delivery failed: %s", rd_kafka_err2str(m->err));
		hub_buf_adds(&x, "\"topic\":");
		hub_buf_json_string(&x, rd_kafka_topic_name(m->rkt), strlen(rd_kafka_topic_name(m->rkt)));
		hub_buf_addf(&x, ",\"partition\":%d,\"error\":\"%s\",\"persisted\":\"%s\"",
		             (int)m->partition, rd_kafka_err2name(m->err), persisted);
		snprintf(extra, sizeof(extra), "%s", hub_buf_cstr(&x));
		hub_buf_free(&x);
		fail(p, reason, line, ev, len, is_json, extra);
	} else {
		p->st->out++;
		spool_add(p, line, ev, len);
		if (p->o->tee) {
			hub_envelope_write(&p->out, p->tee_js, m);
			if (p->out.len >= OUT_FLUSH)
				flush_out(p);
		}
	}
	free(orig);
}

/* --binary-mode: each top-level attribute becomes a header. */
static int on_ce_member(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	struct producer *p = ctx;
	const char *name;

	if (which != p->star_path)
		return 0;
	hub_buf_reset(&p->tmp);
	hub_buf_adds(&p->tmp, "ce_");
	if (hub_json_unescape(key->p, key->len, &p->tmp) < 0)
		return 0;
	name = hub_buf_cstr(&p->tmp) + 3;
	if (strcmp(name, "data") == 0) {
		p->ce_data = *v;
		return 0;
	}
	if (strcmp(name, "data_base64") == 0) {
		p->ce_data64 = *v;
		return 0;
	}
	if (v->type == HUB_JSON_NULL)
		return 0;   /* an attribute set to null is absent */
	if (v->type == HUB_JSON_OBJECT || v->type == HUB_JSON_ARRAY) {
		p->ce_bad = 1;   /* CloudEvents attributes are scalars */
		return 0;
	}
	if (strcmp(name, "datacontenttype") == 0) {
		size_t at = p->tmp.len;

		hub_json_span_text(v, &p->tmp);
		rd_kafka_header_add(p->ce_headers, "content-type", -1, p->tmp.data + at, p->tmp.len - at);
		return 0;
	}
	{
		size_t namelen = p->tmp.len, at;

		hub_buf_addc(&p->tmp, '\0');
		at = p->tmp.len;
		hub_json_span_text(v, &p->tmp);
		rd_kafka_header_add(p->ce_headers, p->tmp.data, (ssize_t)namelen, p->tmp.data + at, p->tmp.len - at);
	}
	return 0;
}

/* --format avro: the value is the data in Avro, framed with its schema id;
 * the schema is the registry's for the event's type (ce_type) and the
 * version its dataschema names. Returns -1 with a reason. */
static int avro_value(struct producer *p, char *why, size_t whylen)
{
	const char *type = NULL, *ds = NULL;
	size_t typelen = 0, dslen = 0;
	const struct hub_subject *s;
	const struct hub_schema_version *sv;
	struct hub_buf err = { 0 };
	int version = 0, rc;

	rd_kafka_header_get_last(p->ce_headers, "ce_type", (const void **)&type, &typelen);
	if (!type || !(s = hub_registry_find(p->o->registry, type, typelen))) {
		snprintf(why, whylen, "--format avro: the event's type '%.*s' has no subject in the schema "
		         "registry %s", (int)typelen, type ? type : "", p->o->registry->dir);
		return -1;
	}
	if (!rd_kafka_header_get_last(p->ce_headers, "ce_dataschema", (const void **)&ds, &dslen) && ds)
		version = hub_dataschema_version(ds, dslen);
	if (!(sv = hub_subject_version(s, version))) {
		snprintf(why, whylen, "--format avro: %s has no version %d", s->name, version);
		return -1;
	}
	if (p->ce_data.type == HUB_JSON_NONE) {
		snprintf(why, whylen, "--format avro: the event has no data to encode");
		return -1;
	}
	rc = hub_avrowire_encode_checked(p->o->avro, sv, p->ce_data.p, p->ce_data.len, &p->value, &err);
	if (rc < 0)
		snprintf(why, whylen, "--format avro: %s (%s version %d, schema id %ld)", hub_buf_cstr(&err),
		         s->name, sv->version, sv->id);
	hub_buf_free(&err);
	return rc;
}

/* --binary-mode: the value is the event's data. Returns -1 with a reason. */
static int binary_value(struct producer *p, char *why, size_t whylen)
{
	hub_buf_reset(&p->value);
	if (p->ce_bad) {
		snprintf(why, whylen, "--binary-mode: an attribute is an object or array; "
		         "CloudEvents attributes must be strings, numbers or booleans");
		return -1;
	}
	if (p->o->avro)
		return avro_value(p, why, whylen);
	if (p->ce_data.type != HUB_JSON_NONE && p->ce_data.type != HUB_JSON_NULL) {
		/* A string with a non-JSON content type is sent as its text. */
		const char *ct = NULL;
		size_t ctlen = 0;

		rd_kafka_header_get_last(p->ce_headers, "content-type", (const void **)&ct, &ctlen);
		if (p->ce_data.type == HUB_JSON_STRING && ct && !memmem(ct, ctlen, "json", 4))
			hub_json_unescape(p->ce_data.p, p->ce_data.len, &p->value);
		else
			hub_buf_add(&p->value, p->ce_data.p, p->ce_data.len);
	} else if (p->ce_data64.type == HUB_JSON_STRING) {
		struct hub_buf txt = { 0 };
		int bad = hub_json_unescape(p->ce_data64.p, p->ce_data64.len, &txt) < 0 ||
		          hub_base64_decode(txt.data ? txt.data : "", txt.len, &p->value) < 0;

		hub_buf_free(&txt);
		if (bad) {
			snprintf(why, whylen, "--binary-mode: data_base64 is not base64");
			return -1;
		}
	}
	return 0;
}

/* Hands one message to librdkafka, waiting while its queue is full. */
static rd_kafka_resp_err_t send_message(struct producer *p, const char *topic, int32_t partition,
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
	}
}

/* An event librdkafka refused: to the failure store. */
static void not_accepted(struct producer *p, rd_kafka_resp_err_t err, const char *topic, int32_t partition,
                         uint64_t line, const char *ev, size_t len, int is_json)
{
	char why[512], extra[300];
	struct hub_buf x = { 0 };

	snprintf(why, sizeof(why), "not accepted for sending: %s", rd_kafka_err2str(err));
	hub_buf_adds(&x, "\"topic\":");
	hub_buf_json_string(&x, topic ? topic : rd_kafka_topic_name(p->rkt),
	                    strlen(topic ? topic : rd_kafka_topic_name(p->rkt)));
	hub_buf_addf(&x, ",\"partition\":%d,\"error\":\"%s\"", (int)partition, rd_kafka_err2name(err));
	snprintf(extra, sizeof(extra), "%s", hub_buf_cstr(&x));
	hub_buf_free(&x);
	fail(p, why, line, ev, len, is_json, extra);
	if (err == RD_KAFKA_RESP_ERR__FATAL)
		p->fatal = 1;
}

/* ---- partitions, chosen here ----
 *
 * librdkafka's partitioner places each message by itself: per message a
 * clock read, two partition look-ups and their locks, which together cost
 * hub-produce more than the JSON scan of the event. For the events of a
 * batch hub gives the partition itself, and librdkafka takes each message
 * straight to it:
 *
 * - A keyed event goes where the configured partitioner puts it (Java's
 *   murmur2 by default): hub calls the same librdkafka function, with the
 *   topic's partition count.
 * - The keyless events of a batch (the up to 256 lines read together) go
 *   to one partition, picked at random among those with a leader and
 *   other than the last batch's; a batch that reaches batch.size bytes
 *   moves on within. librdkafka still gathers each partition's messages
 *   into its own batches to send.
 *
 * Why not one partition for a whole batch.size, as Kafka's Java producer
 * does since 3.3 (KIP-794)? Measured here at 10,000 single events a
 * second, one partition taking all for 10 ms nearly doubled the median
 * latency through the broker to a consumer (11.5 ms against 6.8);
 * librdkafka, whose sticky interval is 10 ms too, ends up changing
 * partition every event or two at that rate. Events trickling in are
 * batches of one, so they spread as before.
 *
 * The partitions come from the topic's metadata, asked for at the first
 * event and again every topic.metadata.refresh.interval.ms, as librdkafka
 * refreshes its own. Until an answer comes (a second at most; again 10 s
 * later), librdkafka places the events. It also does whenever hub could
 * not do as it would: keyless events that the configuration gives to a
 * partitioner rather than to the sticky one (partitioner=consistent,
 * murmur2 or fnv1a, or sticky.partitioning.linger.ms=0), keyed events
 * under partitioner=random, and empty keys under consistent_random. */

/* How librdkafka, configured so, would place events (rd_kafka_topic_new()
 * decides the same way). */
static void place_configure(struct placement *pl, rd_kafka_conf_t *conf)
{
	static const struct {
		const char *name;
		partitioner_fn fn;
		int sticky;             /* keyless messages go to the sticky partition */
	} known[] = {
		{ "consistent", rd_kafka_msg_partitioner_consistent, 0 },
		{ "consistent_random", rd_kafka_msg_partitioner_consistent_random, 1 },
		{ "murmur2", rd_kafka_msg_partitioner_murmur2, 0 },
		{ "murmur2_random", rd_kafka_msg_partitioner_murmur2_random, 1 },
		{ "fnv1a", rd_kafka_msg_partitioner_fnv1a, 0 },
		{ "fnv1a_random", rd_kafka_msg_partitioner_fnv1a_random, 1 },
		{ "random", NULL, 1 },  /* keyed too: random, which needs the partitioner's locks */
	};
	rd_kafka_topic_conf_t *tc = rd_kafka_conf_get_default_topic_conf(conf);
	char v[64];
	size_t n = sizeof(v);
	int linger = 0;

	pl->cur = -1;
	pl->limit = 1000000;
	pl->interval = 300;
	if (rd_kafka_conf_get(conf, "batch.size", v, &n) == RD_KAFKA_CONF_OK)
		pl->limit = strtoul(v, NULL, 10);
	n = sizeof(v);
	if (rd_kafka_conf_get(conf, "topic.metadata.refresh.interval.ms", v, &n) == RD_KAFKA_CONF_OK &&
	    atol(v) > 0)
		pl->interval = atol(v) / 1000.0;
	n = sizeof(v);
	if (rd_kafka_conf_get(conf, "sticky.partitioning.linger.ms", v, &n) == RD_KAFKA_CONF_OK)
		linger = atol(v) > 0;
	n = sizeof(v);
	if (!tc || rd_kafka_topic_conf_get(tc, "partitioner", v, &n) != RD_KAFKA_CONF_OK)
		snprintf(v, sizeof(v), "consistent_random");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(v, known[i].name)) {
			pl->keyed = known[i].fn;
			pl->sticky = known[i].sticky && linger;
		}
	pl->seed = (unsigned)getpid() ^ (unsigned)(hub_now() * 1e6);
}

/* A partition from the list, other than cur when there is a choice. */
static void sticky_move(struct placement *pl)
{
	int32_t next;

	pl->sent = 0;
	if (pl->nparts == 0) {
		pl->cur = -1;
		return;
	}
	do
		next = pl->parts[rand_r(&pl->seed) % (unsigned)pl->nparts];
	while (pl->nparts > 1 && next == pl->cur);
	pl->cur = next;
}

/* Asks the cluster for the topic's partitions and which have a leader. On
 * no answer, what was known stays, and the question comes again in 10 s. */
static void place_refresh(struct producer *p)
{
	struct placement *pl = &p->place;
	const struct rd_kafka_metadata *md;
	const struct rd_kafka_metadata_topic *t;
	int n = 0;

	pl->tried = 1;
	pl->refresh_at = hub_now() + 10;     /* again soon, unless this answer comes */
	if (rd_kafka_metadata(p->rk, 0, p->rkt, &md, 1000) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return;
	t = md->topic_cnt == 1 ? &md->topics[0] : NULL;
	if (t && !t->err && t->partition_cnt > 0) {
		pl->parts = hub_xrealloc(pl->parts, sizeof(*pl->parts) * (size_t)t->partition_cnt);
		for (int i = 0; i < t->partition_cnt; i++)
			if (t->partitions[i].leader >= 0 && !t->partitions[i].err)
				pl->parts[n++] = t->partitions[i].id;
		pl->nparts = n;
		pl->count = t->partition_cnt;
		pl->refresh_at = hub_now() + pl->interval;
		pl->cur = -1;
		pl->sent = pl->limit;
	}
	rd_kafka_metadata_destroy(md);
}

/* The partition for an event of len bytes with this key (NULL: none), or
 * RD_KAFKA_PARTITION_UA to let librdkafka choose. */
static int32_t place(struct producer *p, const void *key, size_t klen, size_t len)
{
	struct placement *pl = &p->place;

	if (key ? !pl->keyed || (klen == 0 && pl->keyed == rd_kafka_msg_partitioner_consistent_random)
	        : !pl->sticky)
		return RD_KAFKA_PARTITION_UA;
	if (!pl->tried)
		place_refresh(p);
	if (pl->count == 0)
		return RD_KAFKA_PARTITION_UA;
	if (key)
		return pl->keyed(p->rkt, key, klen, pl->count, NULL, NULL);
	if (pl->sent >= pl->limit)
		sticky_move(pl);
	if (pl->cur < 0)
		return RD_KAFKA_PARTITION_UA;
	pl->sent += len;
	return pl->cur;
}

/* Puts the batch in p->order by partition, keeping the input order
 * within each: librdkafka then looks up a partition once a run, not once
 * a message. Kafka orders nothing across partitions. */
static void batch_order(struct producer *p, int n)
{
	int32_t max = -1;
	int sorted = 1;

	for (int i = 0; i < n; i++) {
		int32_t part = p->batched[i].partition;

		sorted &= part >= max;
		if (part > max)
			max = part;
		p->order[i] = &p->batched[i];
	}
	if (sorted || max >= (int32_t)(sizeof(p->runs) / sizeof(p->runs[0])) - 1)
		return;
	/* a counting sort on partition + 1 (UA, -1, first) */
	memset(p->runs, 0, sizeof(p->runs[0]) * (size_t)(max + 2));
	for (int i = 0; i < n; i++)
		p->runs[p->batched[i].partition + 1]++;
	for (int k = 0, at = 0; k <= max + 1; k++) {
		int c = p->runs[k];

		p->runs[k] = at;
		at += c;
	}
	for (int i = 0; i < n; i++)
		p->order[p->runs[p->batched[i].partition + 1]++] = &p->batched[i];
}

/* Hands the batch to librdkafka, in partition order. A message it did
 * not take because its queue was full goes again alone, waiting for room,
 * as send_message() does; any other refusal fails the event, as for a
 * single message. */
static void batch_flush(struct producer *p)
{
	int n = p->nbatch;

	if (n == 0)
		return;
	p->nbatch = 0;
	p->place.sent = p->place.limit;      /* the next batch moves on */
	if (p->place.tried && hub_now() >= p->place.refresh_at)
		place_refresh(p);
	batch_order(p, n);
	for (int i = 0; i < n; i++) {
		const struct batched *b = p->order[i];
		rd_kafka_message_t *m = &p->batch[i];

		memset(m, 0, sizeof(*m));
		m->partition = b->partition;
		m->payload = b->data ? (void *)b->data : p->arena.data + b->at;
		m->len = b->len;
		m->key = b->has_key ? p->arena.data + b->key_at : NULL;
		m->key_len = b->key_len;
		m->_private = (void *)(uintptr_t)((b->line << 2) | (b->is_json ? 0 : 2) | 1);
	}
	rd_kafka_produce_batch(p->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_PARTITION,
	                       p->batch, n);
	for (int i = 0; i < n; i++) {
		const struct batched *b = p->order[i];
		rd_kafka_message_t *m = &p->batch[i];
		rd_kafka_resp_err_t err = m->err;

		if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
			err = send_message(p, NULL, m->partition, m->payload, m->len, m->key, m->key_len, NULL,
			                   m->_private);
		if (err)
			not_accepted(p, err, NULL, m->partition, b->line, m->payload, b->len, b->is_json);
	}
	hub_buf_reset(&p->arena);
}

/* Queues a plain event for the next batch. The key is copied, as the key
 * buffer moves on; so is the line, unless the reader keeps it in place
 * until the flush (read_lines() flushes before every read). */
static void batch_add(struct producer *p, const struct hub_line *l, int32_t partition, const void *key,
                      size_t klen, int is_json)
{
	struct batched *b = &p->batched[p->nbatch];

	b->line = l->number;
	b->is_json = is_json;
	b->len = l->len;
	b->data = p->lines_stay ? l->data : NULL;
	b->at = p->arena.len;
	if (!b->data)
		hub_buf_add(&p->arena, l->data, l->len);
	b->has_key = key != NULL;
	b->key_at = p->arena.len;
	b->key_len = klen;
	if (key)
		hub_buf_add(&p->arena, key, klen);
	b->partition = partition == RD_KAFKA_PARTITION_UA ? place(p, key, klen, l->len) : partition;
	if (++p->nbatch == BATCH_MAX)
		batch_flush(p);
}

static struct original *copy_line(const struct hub_line *l)
{
	struct original *o = hub_xmalloc(sizeof(*o) + l->len);

	o->line = l->number;
	o->len = l->len;
	memcpy(o->data, l->data, l->len);
	return o;
}

static void produce_line(struct producer *p, const struct hub_line *l)
{
	const struct hub_produce_opts *o = p->o;
	const char *topic = o->topic;
	const void *value = l->data, *key = NULL;
	size_t vlen = l->len, klen = 0;
	int32_t partition = o->partition;
	rd_kafka_headers_t *hdrs = NULL;
	int is_json = 1;
	void *opaque;
	char why[512];
	enum hub_json_type top;
	rd_kafka_resp_err_t err;
	int scan_rc;
	const char *scan_err;

	if (l->status == HUB_LINE_TOO_LONG) {
		char extra[64];

		hub_line_too_long_reason(l, why, sizeof(why), extra, sizeof(extra));
		fail(p, why, l->number, l->data, l->len, 0, extra);
		return;
	}
	if (o->envelope) {
		if (hub_envelope_parse(l->data, l->len, &p->env, why, sizeof(why)) < 0) {
			fail(p, why, l->number, l->data, l->len, hub_json_scan(p->tee_js, l->data, l->len, NULL, NULL) == 0, NULL);
			return;
		}
		if (!topic && !p->env.has_topic) {
			fail(p, "envelope has no \"topic\" and no -t was given", l->number, l->data, l->len, 1, NULL);
			return;
		}
		if (!o->topic)
			topic = hub_buf_cstr(&p->env.topic);
		if (partition == RD_KAFKA_PARTITION_UA)
			partition = p->env.partition;
		value = p->env.has_value ? p->env.value.data : NULL;
		vlen = p->env.has_value ? p->env.value.len : 0;
		if (p->env.has_value && !value)
			value = "";
		key = p->env.has_key ? (p->env.key.data ? p->env.key.data : "") : NULL;
		klen = p->env.key.len;
		hdrs = p->env.headers;
		p->env.headers = NULL;
		if (o->headers) {
			const char *n;
			const void *v;
			size_t sz;

			if (!hdrs)
				hdrs = rd_kafka_headers_new(4);
			for (size_t i = 0; !rd_kafka_header_get_all(o->headers, i, &n, &v, &sz); i++)
				rd_kafka_header_add(hdrs, n, -1, v, sz);
		}
		goto send;
	}

	if (p->o->binary_mode) {
		p->ce_headers = rd_kafka_headers_new(10);
		p->ce_data.type = p->ce_data64.type = HUB_JSON_NONE;
		p->ce_bad = 0;
	}
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
			goto drop;
		}
		is_json = 0;
		memset(p->found, 0, sizeof(p->found));
	} else if (top != HUB_JSON_OBJECT && !o->raw) {
		snprintf(why, sizeof(why), "not an event: the line is %s, not a JSON object", hub_json_type_name(top));
		fail(p, why, l->number, l->data, l->len, 1, NULL);
		goto drop;
	}
	if (o->topic_from) {
		if (render_topic(p, why, sizeof(why)) < 0) {
			fail(p, why, l->number, l->data, l->len, is_json, NULL);
			goto drop;
		}
		topic = p->topic.data;
	}
	if (p->key_path >= 0) {
		const struct hub_span *k = &p->found[p->key_path];

		if (k->type != HUB_JSON_NONE && k->type != HUB_JSON_NULL) {
			hub_buf_reset(&p->key);
			if (hub_json_span_text(k, &p->key) < 0)
				hub_buf_add(&p->key, k->p, k->len);  /* object or array: its JSON text */
			key = p->key.data ? p->key.data : "";
			klen = p->key.len;
		}
	}
	if (o->binary_mode && is_json) {
		if (binary_value(p, why, sizeof(why)) < 0) {
			fail(p, why, l->number, l->data, l->len, 1, NULL);
			goto drop;
		}
		value = p->value.data ? p->value.data : "";
		vlen = p->value.len;
		if (p->ce_data.type == HUB_JSON_NONE && p->ce_data64.type == HUB_JSON_NONE)
			value = NULL, vlen = 0;
		hdrs = p->ce_headers;
		p->ce_headers = NULL;
	}
	if (o->headers) {
		const char *n;
		const void *v;
		size_t sz;

		if (!hdrs)
			hdrs = rd_kafka_headers_new(4);
		for (size_t i = 0; !rd_kafka_header_get_all(o->headers, i, &n, &v, &sz); i++)
			rd_kafka_header_add(hdrs, n, -1, v, sz);
	}
send:
	if (o->envelope || o->binary_mode)
		opaque = copy_line(l);
	else
		opaque = (void *)(uintptr_t)((l->number << 2) | (is_json ? 0 : 2) | 1);
	if (p->batching && !hdrs) {
		batch_add(p, l, partition, key, klen, is_json);
		goto drop;
	}
	err = send_message(p, topic, partition, value, vlen, key, klen, hdrs, opaque);
	if (err) {
		if (hdrs)
			rd_kafka_headers_destroy(hdrs);
		if (!((uintptr_t)opaque & 1))
			free(opaque);
		not_accepted(p, err, topic, partition, l->number, l->data, l->len, is_json);
	}
drop:
	if (p->ce_headers) {
		rd_kafka_headers_destroy(p->ce_headers);
		p->ce_headers = NULL;
	}
}

/* On abort, the events of the transaction go to the failure store. */
static void spool_fail_all(struct producer *p, const char *why)
{
	uint64_t line;
	size_t len;
	struct hub_buf ev = { 0 };
	char reason[600];

	if (!p->spool)
		return;
	snprintf(reason, sizeof(reason), "transaction aborted: %s", why);
	rewind(p->spool);
	while (fread(&line, sizeof(line), 1, p->spool) == 1 && fread(&len, sizeof(len), 1, p->spool) == 1) {
		hub_buf_reset(&ev);
		hub_buf_reserve(&ev, len);
		if (fread(ev.data, 1, len, p->spool) != len)
			break;
		ev.len = len;
		p->st->out--;
		p->st->failed++;
		hub_failstore_add(p->o->failstore, reason, line, ev.data, ev.len,
		                  !p->o->raw || hub_json_scan(p->tee_js, ev.data, ev.len, NULL, NULL) == 0, NULL);
	}
	hub_buf_free(&ev);
}

static int txn_call(struct producer *p, rd_kafka_error_t *error, const char *what, char *why, size_t whylen)
{
	if (!error)
		return 0;
	snprintf(why, whylen, "%s: %s", what, rd_kafka_error_string(error));
	hub_err("%s", why);
	rd_kafka_error_destroy(error);
	return -1;
}

static void serve_stats(struct producer *p)
{
	if (hub_stats_due())
		hub_stats_print(p->st, NULL);
}

/* Waits until every message has its delivery report. A second signal
 * purges what is still queued: those events fail, into the store. */
static void drain(struct producer *p)
{
	int purged = 0, signals_before = hub_stop_count;

	while (rd_kafka_outq_len(p->rk) > 0) {
		rd_kafka_poll(p->rk, 100);
		if (!purged && hub_stop_count > signals_before) {
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
		batch_flush(p);
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
	while (!hub_stop_requested && !p->fatal && (o->count == 0 || *lines < o->count)) {
		/* The batch goes out before every read: a read may move the
		 * lines the batch points at, and nothing else does. */
		before_next(p, *lines, !hub_reader_buffered(r));
		rc = hub_reader_next(r, &l);
		if (rc == 0)
			break;
		if (rc < 0 && errno == EINTR && !hub_stop_requested) {
			char drain[64];

			/* woken while waiting: SIGUSR1, or delivery reports */
			hub_signal_drain();
			while (reports[0] >= 0 && read(reports[0], drain, sizeof(drain)) > 0)
				;
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
		produce_line(p, &l);
		serve_stats(p);
	}
	batch_flush(p);
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
	while (!p->fatal && (o->count == 0 || *lines < o->count)) {
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
		memcpy(p->found, sc.found, sizeof(p->found[0]) * (size_t)p->npaths);
		pre.rc = sc.rc;
		pre.top = sc.top;
		pre.err = sc.err;
		p->pre = &pre;
		produce_line(p, &sc.line);
		p->pre = NULL;
		serve_stats(p);
	}
	batch_flush(p);
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

int hub_produce_run(rd_kafka_conf_t *conf, int in_fd, const struct hub_produce_opts *o,
                    struct hub_stats *st)
{
	struct producer p = { 0 };
	char errstr[512], why[512];
	int status = HUB_EXIT_OK, pipelined;
	uint64_t lines = 0;

	p.o = o;
	p.st = st;
	p.key_path = p.star_path = -1;
	p.js = hub_json_new();
	p.tee_js = hub_json_new();
	if (!o->envelope) {
		const char *kp = o->key_path ? o->key_path : "partitionkey";

		if (*kp)
			p.key_path = add_path(&p, kp);
		if (o->topic_from)
			parse_topic_from(&p, o->topic_from);
		if (o->binary_mode) {
			p.star_path = add_path(&p, "*");
			hub_json_set_callback(p.js, on_ce_member, &p);
		}
	}
	hub_json_set_paths(p.js, p.paths, p.npaths);

	/* Plain events are scanned ahead in a thread of their own when that
	 * pays; the modes that need the scanner's callbacks (--binary-mode)
	 * or none of it (--envelope) run in this one. */
	pipelined = !o->binary_mode && !o->envelope && scan_ahead_pays();
	if (pipelined)
		hub_scanahead_block_signals(1);   /* librdkafka's threads inherit this */
	place_configure(&p.place, conf);
	rd_kafka_conf_set_opaque(conf, &p);
	rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
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
	if (o->transactional) {
		p.spool = tmpfile();
		if (!p.spool)
			hub_die(HUB_EXIT_IOERR, "cannot create the transaction spool file: %s", strerror(errno));
		if (txn_call(&p, rd_kafka_init_transactions(p.rk, 30000), "initialising transactions", why, sizeof(why)) ||
		    txn_call(&p, rd_kafka_begin_transaction(p.rk), "beginning the transaction", why, sizeof(why))) {
			status = HUB_EXIT_UNAVAILABLE;
			goto destroy;
		}
	}

	if (pipelined)
		read_scanned(&p, in_fd, &lines, &status);
	else
		read_lines(&p, in_fd, &lines, &status);
	if (hub_stop_requested)
		hub_warn("%s: stopped reading; delivering the %d events in flight",
		         strsignal(hub_stop_requested), rd_kafka_outq_len(p.rk));

	if (o->transactional) {
		drain(&p);
		if (p.txn_abort || hub_stop_requested || p.fatal || status != HUB_EXIT_OK) {
			snprintf(why, sizeof(why), "%s", p.txn_abort ? "an event failed" :
			         hub_stop_requested ? strsignal(hub_stop_requested) : "input error");
			txn_call(&p, rd_kafka_abort_transaction(p.rk, 30000), "aborting the transaction", errstr, sizeof(errstr));
			spool_fail_all(&p, why);
		} else if (txn_call(&p, rd_kafka_commit_transaction(p.rk, -1), "committing the transaction", errstr,
		                    sizeof(errstr))) {
			txn_call(&p, rd_kafka_abort_transaction(p.rk, 30000), "aborting the transaction", why, sizeof(why));
			spool_fail_all(&p, errstr);
		}
	}
	drain(&p);
	flush_out(&p);
destroy:
	if (p.rkt)
		rd_kafka_topic_destroy(p.rkt);
	rd_kafka_destroy(p.rk);
out:
	if (pipelined)
		hub_scanahead_block_signals(0);
	if (p.spool)
		fclose(p.spool);
	hub_envelope_free(&p.env);
	hub_json_free(p.js);
	hub_json_free(p.tee_js);
	for (int i = 0; i < p.npaths; i++)
		hub_path_free(&p.paths[i]);
	for (int i = 0; i < p.npieces; i++)
		free(p.pieces[i].literal);
	free(p.pieces);
	hub_buf_free(&p.key);
	hub_buf_free(&p.topic);
	hub_buf_free(&p.value);
	hub_buf_free(&p.tmp);
	hub_buf_free(&p.out);
	hub_buf_free(&p.arena);
	free(p.place.parts);
	if (p.io_error && status == HUB_EXIT_OK)
		status = HUB_EXIT_IOERR;
	if (p.fatal && status == HUB_EXIT_OK)
		status = HUB_EXIT_UNAVAILABLE;
	if (status == HUB_EXIT_OK && st->failed > 0)
		status = HUB_EXIT_FAILED;
	return status;
}
