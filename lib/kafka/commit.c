/* kafka/commit.c: offset commits that Kafka refused, said, counted and retried.
 *
 * With -G, librdkafka commits the stored offsets every second; a commit
 * can be refused (REBALANCE_IN_PROGRESS while the group rebalances, the
 * coordinator moving, a timeout). Nothing is lost then, but a restart
 * reads those events again, so it is never silent: the first refusal of
 * each kind is a warning, each one is counted (--stats "commits_refused"),
 * and the ledger keeps per partition the highest offset refused until a
 * commit as high succeeds. An assigned partition's stored offset is
 * simply committed again on the next round; at the end, hub_commit_final()
 * commits what is stored, retrying while the group settles, and whatever
 * stays refused is named on stderr and makes the exit status 75. */
#include <inttypes.h>
#include <stdio.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/signals.h"
#include "core/stats.h"
#include "kafka/consume-internal.h"
#include "kafka/ledger-internal.h"

/* Refusals that a later commit of the same offsets may overcome. */
static int retriable(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
	case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
	case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
	case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__WAIT_COORD:
	case RD_KAFKA_RESP_ERR__OUTDATED:
		return 1;
	default:
		return 0;
	}
}

void hub_commit_result(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets,
                       void *opaque)
{
	struct consumer *c = opaque;
	rd_kafka_resp_err_t why = err;
	int refused = err != RD_KAFKA_RESP_ERR_NO_ERROR && (!offsets || offsets->cnt == 0);

	if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)   /* nothing new to commit */
		return;
	for (int i = 0; offsets && i < offsets->cnt; i++) {
		const rd_kafka_topic_partition_t *tp = &offsets->elems[i];
		struct hub_ledger_part *p;
		rd_kafka_resp_err_t e = tp->err ? tp->err : err;

		if (tp->offset < 0)
			continue;
		p = hub_ledger_find(&c->ledger, tp->topic, tp->partition);
		if (e) {
			refused++;
			why = e;
			if (tp->offset > p->refused)
				p->refused = tp->offset;
		} else if (p->refused && tp->offset >= p->refused) {
			p->refused = 0;
			hub_info("%s [%" PRId32 "]: offset %" PRId64 " committed after all", tp->topic, tp->partition,
			         tp->offset);
		}
	}
	if (!refused)
		return;
	c->commits_refused++;
	if (why != c->refusal) {
		c->refusal = why;
		hub_warn("Kafka refused to commit the offsets of %d partition%s: %s; %s", refused, refused == 1 ? "" : "s",
		         rd_kafka_err2str(why),
		         retriable(why) ? "committing them again once the group has settled (a restart before "
		                          "then reads those events again)"
		                        : "a restart reads those events again");
	} else {
		hub_info("Kafka refused to commit the offsets of %d partition%s: %s", refused, refused == 1 ? "" : "s",
		         rd_kafka_err2str(why));
	}
}

/* The partitions whose refused offsets no commit has made good, on stderr. */
static int report_refused(struct consumer *c)
{
	int n = 0;

	for (int i = 0; i < c->ledger.n; i++) {
		const struct hub_ledger_part *p = &c->ledger.parts[i];

		if (!p->refused)
			continue;
		if (n++ < 8)
			hub_err("%s [%" PRId32 "]: offset %" PRId64 " not committed (%s): group %s reads the events "
			        "since its last commit again", p->topic, p->partition, p->refused,
			        rd_kafka_err2str(c->refusal), c->o->group);
	}
	if (n > 8)
		hub_err("... and %d more partitions not committed", n - 8);
	return n;
}

/* The refused offsets of the partitions assigned to us now, to commit
 * again by name: after a rebalance that took a partition and gave it back,
 * librdkafka no longer holds its stored offset. NULL when none. */
static rd_kafka_topic_partition_list_t *refused_assigned(const struct consumer *c)
{
	rd_kafka_topic_partition_list_t *list = NULL;

	for (int i = 0; i < c->ledger.n; i++) {
		const struct hub_ledger_part *p = &c->ledger.parts[i];

		if (!p->refused || !p->assigned)
			continue;
		if (!list)
			list = rd_kafka_topic_partition_list_new(4);
		rd_kafka_topic_partition_list_add(list, p->topic, p->partition)->offset = p->refused;
	}
	return list;
}

static int count_refused(const struct consumer *c)
{
	int n = 0;

	for (int i = 0; i < c->ledger.n; i++)
		n += c->ledger.parts[i].refused != 0;
	return n;
}

/* Refusals the end of a rebalance may overcome: those above, and a
 * generation or member id the rebalance made stale (librdkafka rejoins). */
static int settles(rd_kafka_resp_err_t err)
{
	return retriable(err) || err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
	       err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || err == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID;
}

int hub_commit_final(struct consumer *c, int patience_ms)
{
	double now = hub_now(), until = now + patience_ms / 1000.0, calm = 0;
	int tries = 0;

	for (;;) {
		rd_kafka_resp_err_t err = rd_kafka_commit_queue(c->rk, NULL, NULL, hub_commit_result, c);
		rd_kafka_topic_partition_list_t *again = refused_assigned(c);

		tries++;
		if (again) {
			rd_kafka_resp_err_t err2 = rd_kafka_commit_queue(c->rk, again, NULL, hub_commit_result, c);

			if (!err || err == RD_KAFKA_RESP_ERR__NO_OFFSET)
				err = err2;
			rd_kafka_topic_partition_list_destroy(again);
		}
		now = hub_now();
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
			if (!count_refused(c))
				break;
			/* Refused offsets of partitions that are not ours now: the
			 * rebalance may give them back; once the group has been
			 * calm a while, they are another member's. */
			if (!calm)
				calm = now;
			else if (now - calm >= 4)
				break;
		} else {
			calm = 0;
			if (!settles(err))
				break;
		}
		if (now >= until || hub_stop_count >= 2)
			break;
		/* Let the rebalance go on: the group's callbacks are served
		 * here. A message that comes meanwhile is dropped unwritten, its
		 * offset not stored: it is read again, by us or the next owner. */
		while (hub_now() < now + 0.2) {
			rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 50);

			if (m)
				rd_kafka_message_destroy(m);
		}
	}
	if (c->commits_refused && report_refused(c) > 0)
		return HUB_EXIT_TEMPFAIL;
	if (c->commits_refused && tries > 1)
		hub_info("offsets committed once the group had settled (%d tries)", tries);
	return 0;
}

const char *hub_commit_stats(const struct consumer *c, char *buf, size_t n)
{
	if (!c->commits_refused)
		return NULL;
	snprintf(buf, n, "\"commits_refused\":%" PRIu64, c->commits_refused);
	return buf;
}
