/* gateway/sender.c: the shared producer and the wait for delivery reports
 * (see gateway/sender.h).
 *
 * Each request waits on its own condition variable; the delivery report
 * callback, run by the poll thread, fills in a record and counts the
 * request's outstanding records down. Values are not copied: the request
 * body they point into lives until every report is in. Whether Kafka is
 * reachable is learnt from the "all brokers down" error, and relearnt by
 * a metadata request once a second while it lasts (or by any delivery). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "gateway/sender.h"
#include "kafka/client.h"

struct hub_gw_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int remaining;
};

struct hub_gw_sender {
	rd_kafka_t *rk;
	pthread_t poller;
	int stop;                       /* atomic */
	int down;                       /* atomic: every broker is down */
	int fatal;                      /* atomic: the producer cannot go on */
	double probed;                  /* poll thread only */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The HTTP status for a record Kafka did not take. */
static int status_of(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR__QUEUE_FULL:
		return 429;
	case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
		return 413;
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
		return 404;
	case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
	case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
	case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
	case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
	case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
	case RD_KAFKA_RESP_ERR__FATAL:
		return 503;
	default:
		return 502;
	}
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct hub_gw_sender *s = opaque;
	struct hub_gw_record *r = m->_private;
	struct hub_gw_wait *w = r->wait;

	r->err = m->err;
	if (!m->err) {
		r->status = 200;
		r->partition = m->partition;
		r->offset = m->offset;
		__atomic_store_n(&s->down, 0, __ATOMIC_RELAXED);
	} else {
		r->status = status_of(m->err);
		r->possibly_persisted = rd_kafka_message_status(m) != RD_KAFKA_MSG_STATUS_NOT_PERSISTED;
	}
	pthread_mutex_lock(&w->mu);
	if (--w->remaining == 0)
		pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct hub_gw_sender *s = opaque;
	char why[512];

	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
		if (!__atomic_exchange_n(&s->down, 1, __ATOMIC_RELAXED))
			hub_warn("all brokers are down (%s): requests are answered 503 until one is back", reason);
	} else if (err == RD_KAFKA_RESP_ERR__FATAL) {
		rd_kafka_fatal_error(rk, why, sizeof(why));
		hub_err("fatal Kafka error: %s: requests are answered 503", why);
		__atomic_store_n(&s->fatal, 1, __ATOMIC_RELAXED);
	} else {
		hub_info("Kafka: %s: %s", rd_kafka_err2name(err), reason);
	}
}

/* Whether a broker answers a metadata request within timeout_ms. */
static int probe(struct hub_gw_sender *s, int timeout_ms)
{
	const struct rd_kafka_metadata *md;

	if (rd_kafka_metadata(s->rk, 0, NULL, &md, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return 0;
	rd_kafka_metadata_destroy(md);
	return 1;
}

static void *poll_loop(void *arg)
{
	struct hub_gw_sender *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		rd_kafka_poll(s->rk, 50);
		if (__atomic_load_n(&s->down, __ATOMIC_RELAXED) && now_s() - s->probed >= 1) {
			s->probed = now_s();
			if (probe(s, 500) && __atomic_exchange_n(&s->down, 0, __ATOMIC_RELAXED))
				hub_info("a broker answers again: accepting events");
		}
	}
	return NULL;
}

struct hub_gw_sender *hub_gw_sender_new(rd_kafka_conf_t *conf, struct hub_error *e)
{
	struct hub_gw_sender *s = hub_xcalloc(1, sizeof(*s));
	char why[512];

	rd_kafka_conf_set_opaque(conf, s);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_error_cb(conf, on_error);
	if (!(s->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why)))) {
		hub_fail(e, HUB_EXIT_CONFIG, "Kafka producer: %s", why);
		rd_kafka_conf_destroy(conf);
		free(s);
		return NULL;
	}
	if (!probe(s, 3000)) {
		s->down = 1;
		hub_warn("no Kafka broker answers yet: requests are answered 503 until one does");
	}
	s->probed = now_s();
	if (pthread_create(&s->poller, NULL, poll_loop, s) != 0)
		hub_die(HUB_EXIT_SOFTWARE, "cannot start the delivery report thread");
	return s;
}

int hub_gw_sender_up(struct hub_gw_sender *s)
{
	return !__atomic_load_n(&s->down, __ATOMIC_RELAXED) && !__atomic_load_n(&s->fatal, __ATOMIC_RELAXED);
}

int hub_gw_send(struct hub_gw_sender *s, struct hub_gw_record *recs, int n)
{
	struct hub_gw_wait w = { .remaining = 0 };
	int delivered = 0, full = 0;

	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	for (int i = 0; i < n; i++) {
		struct hub_gw_record *r = &recs[i];
		rd_kafka_headers_t *hdrs = NULL;
		rd_kafka_resp_err_t err;

		r->wait = &w;
		r->partition = -1;
		r->offset = -1;
		if (full) {
			/* refused too, so that what the client sends again keeps its order */
			r->err = RD_KAFKA_RESP_ERR__QUEUE_FULL;
			r->status = 429;
			continue;
		}
		if (r->nheaders) {
			hdrs = rd_kafka_headers_new((size_t)r->nheaders);
			for (int h = 0; h < r->nheaders; h++)
				rd_kafka_header_add(hdrs, r->headers[h].name, -1, r->headers[h].value,
				                    (ssize_t)r->headers[h].len);
		}
		pthread_mutex_lock(&w.mu);
		w.remaining++;
		pthread_mutex_unlock(&w.mu);
		err = rd_kafka_producev(s->rk, RD_KAFKA_V_TOPIC(r->topic),
		                        RD_KAFKA_V_VALUE((void *)r->value, r->vlen),
		                        RD_KAFKA_V_KEY(r->key, r->key ? r->klen : 0),
		                        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(r), RD_KAFKA_V_END);
		if (err) {
			if (hdrs)
				rd_kafka_headers_destroy(hdrs);
			pthread_mutex_lock(&w.mu);
			w.remaining--;
			pthread_mutex_unlock(&w.mu);
			r->err = err;
			r->status = status_of(err);
			full = err == RD_KAFKA_RESP_ERR__QUEUE_FULL;
		}
	}
	pthread_mutex_lock(&w.mu);
	while (w.remaining > 0)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	for (int i = 0; i < n; i++)
		delivered += recs[i].status == 200;
	return delivered;
}

void hub_gw_sender_free(struct hub_gw_sender *s, int timeout_ms)
{
	if (!s)
		return;
	if (rd_kafka_flush(s->rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
		hub_warn("%d events were still in flight at exit", rd_kafka_outq_len(s->rk));
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	pthread_join(s->poller, NULL);
	rd_kafka_destroy(s->rk);
	free(s);
}
