/* kafka/assign.c: the partitions hub-consume reads.
 *
 * Without -G, they are assigned here from the topics' metadata (-t names
 * or ^regular expressions, -p, -o) and started on the loop's queue. With
 * -G, the group assigns them, cooperative-sticky; before a partition is
 * revoked, what was read from it is written out and its offsets stored
 * while it is still ours (kafka/consume.h's invariant). */
#include <inttypes.h>
#include <poll.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "core/time.h"
#include "kafka/client.h"
#include "kafka/devbroker.h"
#include "kafka/consume-internal.h"
#include "kafka/ledger-internal.h"

void hub_assign_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                          void *opaque)
{
	struct consumer *c = opaque;
	int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
	rd_kafka_error_t *error = NULL;
	rd_kafka_resp_err_t aerr = RD_KAFKA_RESP_ERR_NO_ERROR;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		c->ever_assigned = 1;
		hub_service_ready();
		for (int i = 0; i < parts->cnt; i++)
			hub_ledger_assign(&c->ledger, hub_ledger_find(&c->ledger, parts->elems[i].topic,
			                                              parts->elems[i].partition), 1);
		hub_info("assigned %d partitions (%d in all)", parts->cnt, c->ledger.nassigned);
		if (cooperative)
			error = rd_kafka_incremental_assign(rk, parts);
		else
			aerr = rd_kafka_assign(rk, parts);
	} else {
		/* What was read from these partitions goes out, and its offsets
		 * are stored, while they are still ours. */
		hub_consume_flush_urgent(c, 1);
		if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !rd_kafka_assignment_lost(rk))
			hub_consume_drain(c, 2000);
		else
			hub_warn("lost %d partitions (%s); their unwritten events will be read again",
			         parts ? parts->cnt : 0, rd_kafka_err2str(err));
		for (int i = 0; parts && i < parts->cnt; i++)
			hub_ledger_assign(&c->ledger, hub_ledger_find(&c->ledger, parts->elems[i].topic,
			                                              parts->elems[i].partition), 0);
		hub_info("revoked %d partitions (%d left)", parts ? parts->cnt : 0, c->ledger.nassigned);
		if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
			aerr = rd_kafka_assign(rk, NULL);
		else if (cooperative)
			error = rd_kafka_incremental_unassign(rk, parts);
		else
			aerr = rd_kafka_assign(rk, NULL);
	}
	if (error) {
		hub_err("updating the assignment: %s", rd_kafka_error_string(error));
		rd_kafka_error_destroy(error);
	} else if (aerr) {
		hub_err("updating the assignment: %s", rd_kafka_err2str(aerr));
	}
}

/* Asks for the cluster's metadata: with -e once, otherwise until it comes
 * (librdkafka's error callback says meanwhile that the brokers are down). */
static const rd_kafka_metadata_t *get_metadata(struct consumer *c, int all_topics, const char *brokers)
{
	const rd_kafka_metadata_t *md = NULL;
	rd_kafka_resp_err_t err;
	int warned = 0;
	char why[400];

	for (;;) {
		/* in slices, so that Ctrl-C stops the wait at once */
		int64_t deadline = hub_time_now_ms() + c->o->metadata_timeout_ms;

		/* a slice that times out doubles: a slow broker (a long round
		 * trip) is waited for as long as it needs, within -m, and Ctrl-C
		 * waits at most for the slice under way */
		int64_t slice = 250;

		for (;;) {
			int64_t t0 = hub_time_now_ms(), left = deadline - t0;

			err = rd_kafka_metadata(c->rk, all_topics, NULL, &md, (int)(left < slice ? (left > 0 ? left : 1) : slice));
			if (err == RD_KAFKA_RESP_ERR_NO_ERROR || hub_stop_requested || hub_time_now_ms() >= deadline ||
			    hub_kafka_login_refused(NULL, 0))
				break;
			if (err == RD_KAFKA_RESP_ERR__TIMED_OUT)
				slice *= 2;
			else if (hub_time_now_ms() - t0 < 100)
				poll(NULL, 0, 100);   /* refused at once: not a busy loop */
		}
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
			return md;
		if (hub_stop_requested) {
			hub_info("%s: stopped before any broker of %s answered", strsignal(hub_stop_requested),
			         brokers ? brokers : "");
			return NULL;
		}
		if (hub_kafka_login_refused(why, sizeof(why))) {
			/* permanent until the configuration changes: no retrying */
			hub_kafka_say_login_refused(brokers, why, NULL);
			return NULL;
		}
		if (c->o->exit_at_eof || hub_stop_requested) {
			hub_err("cannot reach the Kafka brokers %s within %d s (%s); check -b, HUB_BROKERS "
			        "and the network, or raise the wait with -m", brokers ? brokers : "",
			        c->o->metadata_timeout_ms / 1000, rd_kafka_err2str(err));
			return NULL;
		}
		if (!warned++)
			hub_warn("cannot reach the Kafka brokers %s yet (%s); still trying",
			         brokers ? brokers : "", rd_kafka_err2str(err));
	}
}

/* Whether the brokers refuse this client the topic: a listing of all
 * topics leaves out those it may not describe, so a topic missing there is
 * asked for by name, which tells "not authorized" from "does not exist". */
static int topic_refused(struct consumer *c, const char *name)
{
	rd_kafka_topic_t *rkt;
	const rd_kafka_metadata_t *md = NULL;
	int refused = 0;
	char brokers[512] = "", *dev = hub_devbroker_read();
	size_t blen = sizeof(brokers);

	/* the development broker has no ACLs, and creates any topic asked for */
	rd_kafka_conf_get(rd_kafka_conf(c->rk), "bootstrap.servers", brokers, &blen);
	if (dev && strcmp(dev, brokers) == 0) {
		free(dev);
		return 0;
	}
	free(dev);
	if (!(rkt = rd_kafka_topic_new(c->rk, name, NULL)))
		return 0;
	if (rd_kafka_metadata(c->rk, 0, rkt, &md, c->o->metadata_timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		for (int t = 0; t < md->topic_cnt; t++)
			if (strcmp(md->topics[t].topic, name) == 0 &&
			    md->topics[t].err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
				refused = 1;
		rd_kafka_metadata_destroy(md);
	}
	rd_kafka_topic_destroy(rkt);
	return refused;
}

/* -p and -o s@: the partitions to start, each at its offset. */
static int select_partitions(struct consumer *c, const rd_kafka_metadata_t *md,
                             rd_kafka_topic_partition_list_t *list)
{
	const struct hub_consume_opts *o = c->o;

	for (int i = 0; i < o->ntopics; i++) {
		const char *want = o->topics[i];
		regex_t re;
		int matched = 0, listed_refused = 0;

		if (want[0] == '^' && regcomp(&re, want, REG_EXTENDED | REG_NOSUB) != 0) {
			hub_err("-t '%s': not a valid regular expression", want);
			return HUB_EXIT_USAGE;
		}
		for (int t = 0; t < md->topic_cnt; t++) {
			const rd_kafka_metadata_topic_t *mt = &md->topics[t];
			int found = 0;

			if (want[0] == '^' ? (mt->topic[0] == '_' && mt->topic[1] == '_') ||
			                     regexec(&re, mt->topic, 0, NULL, 0) != 0
			                   : strcmp(want, mt->topic) != 0)
				continue;
			if (mt->err) {
				if (want[0] == '^')
					continue;
				listed_refused = mt->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED;
				break;
			}
			matched = 1;
			for (int k = 0; k < mt->partition_cnt; k++) {
				if (o->partition >= 0 && mt->partitions[k].id != o->partition)
					continue;
				found = 1;
				if (!rd_kafka_topic_partition_list_find(list, mt->topic, mt->partitions[k].id))
					rd_kafka_topic_partition_list_add(list, mt->topic, mt->partitions[k].id)->offset =
						o->timestamp >= 0 ? o->timestamp : o->offset;
			}
			if (!found) {
				hub_err("topic %s has no partition %" PRId32 " (it has %d)", mt->topic,
				        o->partition, mt->partition_cnt);
				if (want[0] == '^')
					regfree(&re);
				return HUB_EXIT_USAGE;
			}
		}
		if (want[0] == '^')
			regfree(&re);
		if (!matched && want[0] != '^' && (listed_refused || topic_refused(c, want))) {
			hub_err("topic %s: not authorized (TOPIC_AUTHORIZATION_FAILED): this user may not read it; "
			        "check the ACLs of this client", want);
			return HUB_EXIT_UNAVAILABLE;
		}
		if (!matched) {
			hub_err(want[0] == '^' ? "no topic matches %s" :
			        "topic %s does not exist; create it first, or use -G to wait for it", want);
			return HUB_EXIT_NOINPUT;
		}
	}
	return HUB_EXIT_OK;
}

int hub_assign_start_simple(struct consumer *c, const char *brokers)
{
	const rd_kafka_metadata_t *md = get_metadata(c, 1, brokers);
	rd_kafka_topic_partition_list_t *list;
	rd_kafka_queue_t *mainq;
	int status;

	if (!md)
		return hub_stop_requested ? HUB_EXIT_OK : HUB_EXIT_UNAVAILABLE;
	list = rd_kafka_topic_partition_list_new(64);
	status = select_partitions(c, md, list);
	rd_kafka_metadata_destroy(md);
	if (status == HUB_EXIT_OK && c->o->timestamp >= 0) {
		/* Each partition's first offset at or after the time; -1 (no such
		 * message) is the end of the partition. */
		rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(c->rk, list, c->o->metadata_timeout_ms);

		if (err) {
			hub_err("looking up the offsets for time %" PRId64 ": %s", c->o->timestamp,
			        rd_kafka_err2str(err));
			status = HUB_EXIT_UNAVAILABLE;
		}
	}
	if (status != HUB_EXIT_OK) {
		rd_kafka_topic_partition_list_destroy(list);
		return status;
	}
	/* Errors and logs are served by the loop's queue too. */
	mainq = rd_kafka_queue_get_main(c->rk);
	rd_kafka_queue_forward(mainq, c->queue);
	rd_kafka_queue_destroy(mainq);
	rd_kafka_topic_partition_list_sort(list, NULL, NULL);
	c->rkts = hub_xcalloc(list->cnt ? list->cnt : 1, sizeof(*c->rkts));
	for (int i = 0; i < list->cnt; i++) {
		rd_kafka_topic_partition_t *tp = &list->elems[i];
		rd_kafka_topic_t *rkt = NULL;
		int64_t offset = tp->offset < 0 && c->o->timestamp >= 0 ? RD_KAFKA_OFFSET_END : tp->offset;

		for (int k = 0; k < c->nrkts && !rkt; k++)
			if (strcmp(rd_kafka_topic_name(c->rkts[k]), tp->topic) == 0)
				rkt = c->rkts[k];
		if (!rkt)
			rkt = c->rkts[c->nrkts++] = rd_kafka_topic_new(c->rk, tp->topic, NULL);
		if (rd_kafka_consume_start_queue(rkt, tp->partition, offset, c->queue) < 0) {
			hub_err("%s [%" PRId32 "]: cannot start consuming: %s", tp->topic, tp->partition,
			        rd_kafka_err2str(rd_kafka_last_error()));
			status = HUB_EXIT_UNAVAILABLE;
			break;
		}
		hub_ledger_assign(&c->ledger, hub_ledger_find(&c->ledger, tp->topic, tp->partition), 1);
	}
	hub_info("consuming %d partitions", c->ledger.nassigned);
	rd_kafka_topic_partition_list_destroy(list);
	return status;
}

void hub_assign_stop_simple(struct consumer *c)
{
	for (int i = 0; i < c->ledger.n; i++) {
		const struct hub_ledger_part *p = &c->ledger.parts[i];

		for (int k = 0; k < c->nrkts && p->assigned; k++)
			if (strcmp(rd_kafka_topic_name(c->rkts[k]), p->topic) == 0)
				rd_kafka_consume_stop(c->rkts[k], p->partition);
	}
	for (int k = 0; k < c->nrkts; k++)
		rd_kafka_topic_destroy(c->rkts[k]);
	free(c->rkts);
	c->rkts = NULL;
	c->nrkts = 0;
}

int hub_assign_start_group(struct consumer *c, const char *brokers)
{
	rd_kafka_topic_partition_list_t *list;
	rd_kafka_resp_err_t err;

	if (c->o->exit_at_eof) {
		/* Fail fast when nothing answers, rather than wait for a group. */
		const rd_kafka_metadata_t *md = get_metadata(c, 1, brokers);

		if (!md)
			return hub_stop_requested ? HUB_EXIT_OK : HUB_EXIT_UNAVAILABLE;
		/* -e reads what is there: a topic that is not would be created
		 * by the subscription on brokers that create topics, and read
		 * empty (a typo's exit 0); it is said instead, as without -G */
		for (int i = 0; i < c->o->ntopics; i++) {
			const char *want = c->o->topics[i];
			int found = want[0] == '^';

			int listed_refused = 0;

			for (int t = 0; !found && t < md->topic_cnt; t++)
				if (strcmp(md->topics[t].topic, want) == 0) {
					found = !md->topics[t].err;
					listed_refused = md->topics[t].err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED;
				}
			if (found)
				continue;
			rd_kafka_metadata_destroy(md);
			if (listed_refused || topic_refused(c, want)) {
				hub_err("topic %s: not authorized (TOPIC_AUTHORIZATION_FAILED): this user may not read "
				        "it; check the ACLs of this client", want);
				return HUB_EXIT_UNAVAILABLE;
			}
			hub_err("topic %s does not exist; create it first (hub-consume -L lists the topics), or "
			        "leave out -e to wait for it", want);
			return HUB_EXIT_NOINPUT;
		}
		rd_kafka_metadata_destroy(md);
	}
	list = rd_kafka_topic_partition_list_new(c->o->ntopics);
	for (int i = 0; i < c->o->ntopics; i++)
		rd_kafka_topic_partition_list_add(list, c->o->topics[i], RD_KAFKA_PARTITION_UA);
	err = rd_kafka_subscribe(c->rk, list);
	rd_kafka_topic_partition_list_destroy(list);
	if (err) {
		hub_err("subscribing to the topics: %s", rd_kafka_err2str(err));
		return HUB_EXIT_UNAVAILABLE;
	}
	return HUB_EXIT_OK;
}
