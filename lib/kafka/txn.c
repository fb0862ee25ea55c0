/* kafka/txn.c: hub-produce's transactions, when transactional.id is set.
 *
 * Read from a file or a program, the whole input is one transaction.
 * Delivered events wait in a spool file until the commit: on abort each of
 * them goes to the failure store, so the accounting invariant holds (every
 * line read ends as delivered or failed) even for events the broker had
 * acknowledged inside the aborted transaction.
 *
 * Read from hub-consume -G (stream/ack.h), the input is a stream: hub-consume
 * announces cuts (an input position, its group's metadata, each partition's
 * offset there) and the producer commits a transaction at a cut, the
 * consumed offsets in it (Kafka's sendOffsetsToTransaction), at most once
 * a second or at once when the cut is urgent (a revocation, the end): topic
 * to topic, each event exactly once. hub-consume then commits nothing
 * itself. An aborted transaction there loses nothing and fails nothing:
 * its offsets were not committed, so its events are read again; the
 * producer stops (exit 69) for the pipeline to be run again. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/signals.h"
#include "core/stats.h"
#include "json/scan.h"
#include "kafka/produce-internal.h"
#include "stream/failstore.h"

void hub_txn_spool_add(struct producer *p, uint64_t line, const char *data, size_t len)
{
	if (!p->spool)
		return;
	if (fwrite(&line, sizeof(line), 1, p->spool) != 1 || fwrite(&len, sizeof(len), 1, p->spool) != 1 ||
	    fwrite(data, 1, len, p->spool) != len) {
		hub_err("transaction spool: %s", strerror(errno));
		p->fatal = 1;
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

/* Opens the spool and begins the transaction; -1 when the cluster would
 * not (the reason is reported). */
int hub_txn_begin(struct producer *p)
{
	char why[512];

	p->spool = tmpfile();
	if (!p->spool)
		hub_die(HUB_EXIT_IOERR, "cannot create the transaction spool file: %s", strerror(errno));
	if (txn_call(p, rd_kafka_init_transactions(p->rk, 30000), "initialising transactions", why, sizeof(why)) ||
	    txn_call(p, rd_kafka_begin_transaction(p->rk), "beginning the transaction", why, sizeof(why)))
		return -1;
	return 0;
}

/* After every delivery report: commits, or aborts when an event failed,
 * a signal came, the producer hit a fatal error or the input loop ended
 * with status; on abort the spooled events fail into the store. */
static void stream_end(struct producer *p);
static void take_news(struct producer *p);

void hub_txn_end(struct producer *p, int status)
{
	char errstr[512], why[512];

	if (p->up && !p->streaming)
		take_news(p);   /* hub-consume's only cut may be the one at the end */
	if (p->streaming) {
		stream_end(p);
		return;
	}
	if (p->txn_abort || hub_stop_requested || p->fatal || status != HUB_EXIT_OK) {
		snprintf(why, sizeof(why), "%s", p->txn_abort ? "an event failed" :
		         hub_stop_requested ? strsignal(hub_stop_requested) : "input error");
		txn_call(p, rd_kafka_abort_transaction(p->rk, 30000), "aborting the transaction", errstr, sizeof(errstr));
		spool_fail_all(p, why);
	} else if (txn_call(p, rd_kafka_commit_transaction(p->rk, -1), "committing the transaction", errstr,
	                    sizeof(errstr))) {
		txn_call(p, rd_kafka_abort_transaction(p->rk, 30000), "aborting the transaction", why, sizeof(why));
		spool_fail_all(p, errstr);
	}
}

static void cut_free(struct txn_cut *c)
{
	if (c->cgmd)
		rd_kafka_consumer_group_metadata_destroy(c->cgmd);
	if (c->offsets)
		rd_kafka_topic_partition_list_destroy(c->offsets);
}

static void pop_cut(struct producer *p)
{
	cut_free(&p->cuts[0]);
	memmove(p->cuts, p->cuts + 1, sizeof(*p->cuts) * --p->ncuts);
}

/* The cuts the input has gone past: no commit can be made there now. */
static void drop_passed(struct producer *p)
{
	while (p->ncuts > 0 && p->cuts[0].pos < p->consumed)
		pop_cut(p);
}

/* "cut POS URGENT METADATA topic:partition:offset..." from hub-consume. */
static int parse_cut(const char *msg, size_t len, struct txn_cut *c)
{
	char *text = hub_xmalloc(len + 1), *save = NULL, *w;
	struct hub_buf meta = { 0 };
	unsigned long long pos;
	int urgent, ok = 0;

	memcpy(text, msg, len);
	text[len] = '\0';
	memset(c, 0, sizeof(*c));
	if (!(w = strtok_r(text, " ", &save)) || strcmp(w, "cut") != 0 || !(w = strtok_r(NULL, " ", &save)) ||
	    sscanf(w, "%llu", &pos) != 1 || !(w = strtok_r(NULL, " ", &save)) || sscanf(w, "%d", &urgent) != 1 ||
	    !(w = strtok_r(NULL, " ", &save)) || hub_base64_decode(w, strlen(w), &meta) < 0)
		goto out;
	{
		rd_kafka_error_t *error = rd_kafka_consumer_group_metadata_read(&c->cgmd, meta.data, meta.len);

		if (error) {
			rd_kafka_error_destroy(error);
			goto out;
		}
	}
	c->pos = pos;
	c->urgent = urgent;
	c->offsets = rd_kafka_topic_partition_list_new(8);
	while ((w = strtok_r(NULL, " ", &save))) {
		char *a = strrchr(w, ':'), *b;
		long long off;
		int part;

		if (!a)
			goto out;
		*a = '\0';
		if (!(b = strrchr(w, ':')))
			goto out;
		*b = '\0';
		if (sscanf(b + 1, "%d", &part) != 1 || sscanf(a + 1, "%lld", &off) != 1)
			goto out;
		rd_kafka_topic_partition_list_add(c->offsets, w, part)->offset = off;
	}
	ok = 1;
out:
	if (!ok)
		cut_free(c);
	hub_buf_free(&meta);
	free(text);
	return ok ? 0 : -1;
}

static void take_news(struct producer *p)
{
	char *msg;
	size_t len;

	while (hub_ack_in_news(p->up, &msg, &len)) {
		struct txn_cut c;

		if (parse_cut(msg, len, &c) < 0) {
			hub_debug("a message from hub-consume that is no cut; ignored");
			continue;
		}
		if (p->ncuts == p->capcuts) {
			p->capcuts = p->capcuts ? p->capcuts * 2 : 16;
			p->cuts = hub_xrealloc(p->cuts, sizeof(*p->cuts) * p->capcuts);
		}
		p->cuts[p->ncuts++] = c;
		hub_debug("cut at input byte %llu%s", (unsigned long long)c.pos, c.urgent ? " (urgent)" : "");
		if (!p->streaming) {
			p->streaming = 1;
			hub_info("reading from hub-consume: a transaction per second, with the group's offsets in it");
		}
	}
}

/* The transaction so far is given up, losing nothing: its offsets are not
 * committed either, so hub-consume's group reads its events again. After
 * an error the producer stops (exit 69); at a stop between two cuts it is
 * only said. */
static void lost(struct producer *p, const char *why, int error)
{
	char errstr[512];

	if (error)
		hub_err("%s; the transaction is aborted: its events are read again from the group's last "
		        "committed offsets when the pipeline runs again", why);
	else
		hub_info("%s: the events since the last commit are read again next time", why);
	txn_call(p, rd_kafka_abort_transaction(p->rk, 30000), "aborting the transaction", errstr, sizeof(errstr));
	p->txn_lost = error;
	if (error)
		p->fatal = 1;
}

/* Commits the transaction at cut c, its offsets in it, and begins the
 * next one. */
static void commit_at(struct producer *p, const struct txn_cut *c, int begin)
{
	char why[512];

	hub_batch_flush(p);
	if (txn_call(p, rd_kafka_send_offsets_to_transaction(p->rk, c->offsets, c->cgmd, -1),
	             "sending the consumed offsets to the transaction", why, sizeof(why)) ||
	    txn_call(p, rd_kafka_commit_transaction(p->rk, -1), "committing the transaction", why, sizeof(why))) {
		lost(p, why, 1);
		return;
	}
	/* committed: nothing of it can fail any more */
	if (p->spool && (fflush(p->spool) != 0 || ftruncate(fileno(p->spool), 0) != 0))
		hub_warn("transaction spool: %s", strerror(errno));
	if (p->spool)
		rewind(p->spool);
	hub_ack_in_send(p->up, c->pos);
	hub_debug("transaction committed at input byte %llu, with the offsets of %d partitions",
	          (unsigned long long)c->pos, c->offsets->cnt);
	p->committed_at = c->pos;
	p->last_commit = hub_now();
	if (begin && txn_call(p, rd_kafka_begin_transaction(p->rk), "beginning a transaction", why, sizeof(why)))
		lost(p, why, 1);
}

void hub_txn_at(struct producer *p, uint64_t total, int look)
{
	if (!p->spool || !p->up || p->fatal)
		return;
	if (look || total != p->seen_total) {   /* more input came: its cuts were sent before it */
		p->seen_total = total;
		take_news(p);
	}
	drop_passed(p);
	if (p->ncuts > 0 && p->cuts[0].pos == p->consumed &&
	    (p->cuts[0].urgent || hub_now() - p->last_commit >= 1.0)) {
		commit_at(p, &p->cuts[0], 1);
		pop_cut(p);
	}
}

int hub_txn_wait_ms(const struct producer *p)
{
	double left;

	if (!p->streaming || p->fatal || p->ncuts == 0 || p->cuts[0].pos != p->consumed)
		return -1;
	left = p->last_commit + 1.0 - hub_now();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

/* The end of a stream: a commit where the input stopped, if hub-consume
 * cut there; otherwise the events since the last cut are read again. */
static void stream_end(struct producer *p)
{
	char why[512];

	take_news(p);
	hub_debug("end of input at byte %llu; %zu cuts, the first at %llu", (unsigned long long)p->consumed,
	          p->ncuts, p->ncuts ? (unsigned long long)p->cuts[0].pos : 0ULL);
	drop_passed(p);
	if (!p->fatal && p->ncuts > 0 && p->cuts[0].pos == p->consumed)
		commit_at(p, &p->cuts[0], 0);
	else if (!p->fatal && p->committed_at == p->consumed && p->consumed > 0)
		txn_call(p, rd_kafka_abort_transaction(p->rk, 30000), "ending the last, empty transaction", why,
		         sizeof(why));
	else if (!p->fatal)
		lost(p, hub_stop_requested ? "stopped between two commits" : "the input ended between two commits",
		     !hub_stop_requested);
	while (p->ncuts > 0)
		pop_cut(p);
	free(p->cuts);
	p->cuts = NULL;
}
