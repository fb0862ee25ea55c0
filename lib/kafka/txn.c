/* kafka/txn.c: hub-produce's one transaction, when transactional.id is set.
 *
 * Delivered events wait in a spool file until the commit: on abort each of
 * them goes to the failure store, so the accounting invariant holds (every
 * line read ends as delivered or failed) even for events the broker had
 * acknowledged inside the aborted transaction. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/signals.h"
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
void hub_txn_end(struct producer *p, int status)
{
	char errstr[512], why[512];

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
