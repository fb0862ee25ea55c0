/* kafka/ledger.c: the commit ledger of hub-consume (what it guarantees: kafka/ledger-internal.h).
 *
 * A partition keeps at most HUB_LEDGER_MARKS written-not-consumed marks;
 * when they are all in use, the newest one is moved later instead of a new
 * one being added. That only delays a commit, never advances one, so a
 * slow reader costs repeats after a crash, not losses. */
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "kafka/ledger-internal.h"

struct hub_ledger_part *hub_ledger_find(struct hub_ledger *l, const char *topic, int32_t partition)
{
	struct hub_ledger_part *p;

	if (l->n > 0) {
		p = &l->parts[l->last];
		if (p->partition == partition && strcmp(p->topic, topic) == 0)
			return p;
	}
	for (int i = 0; i < l->n; i++) {
		p = &l->parts[i];
		if (p->partition == partition && strcmp(p->topic, topic) == 0) {
			l->last = i;
			return p;
		}
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->parts = hub_xrealloc(l->parts, sizeof(*l->parts) * l->cap);
	}
	p = &l->parts[l->n];
	memset(p, 0, sizeof(*p));
	p->topic = hub_xstrdup(topic);
	p->partition = partition;
	p->buffered = -1;
	p->cut = -1;
	l->last = l->n++;
	return p;
}

void hub_ledger_eof(struct hub_ledger *l, struct hub_ledger_part *p, int eof)
{
	eof = eof && p->assigned;
	if (p->eof == eof)
		return;
	p->eof = eof;
	l->neof += eof ? 1 : -1;
}

void hub_ledger_assign(struct hub_ledger *l, struct hub_ledger_part *p, int assigned)
{
	if (p->assigned == assigned)
		return;
	hub_ledger_eof(l, p, 0);
	p->assigned = assigned;
	l->nassigned += assigned ? 1 : -1;
	if (!assigned) {
		p->buffered = -1;
		p->cut = -1;
		p->nmarks = 0;
	}
}

int hub_ledger_all_at_end(const struct hub_ledger *l)
{
	return l->nassigned > 0 && l->neof == l->nassigned;
}

void hub_ledger_cut(struct hub_ledger *l, struct hub_buf *b)
{
	for (int i = 0; i < l->n; i++) {
		struct hub_ledger_part *p = &l->parts[i];

		if (p->buffered >= 0)
			p->cut = p->buffered;
		if (p->cut >= 0 && p->assigned)
			hub_buf_addf(b, " %s:%d:%lld", p->topic, (int)p->partition, (long long)p->cut);
	}
}

void hub_ledger_written(struct hub_ledger *l, uint64_t end)
{
	for (int i = 0; i < l->n; i++) {
		struct hub_ledger_part *p = &l->parts[i];

		if (p->buffered < 0)
			continue;
		p->cut = p->buffered;
		if (p->nmarks == HUB_LEDGER_MARKS)
			p->nmarks--;
		p->marks[p->nmarks].offset = p->buffered;
		p->marks[p->nmarks].end = end;
		p->nmarks++;
		p->buffered = -1;
	}
}

rd_kafka_topic_partition_list_t *hub_ledger_take(struct hub_ledger *l, uint64_t consumed)
{
	rd_kafka_topic_partition_list_t *list = NULL;

	for (int i = 0; i < l->n; i++) {
		struct hub_ledger_part *p = &l->parts[i];
		int64_t offset = -1;
		int k = 0;

		while (k < p->nmarks && p->marks[k].end <= consumed)
			offset = p->marks[k++].offset;
		if (k == 0)
			continue;
		memmove(p->marks, p->marks + k, sizeof(p->marks[0]) * (size_t)(p->nmarks - k));
		p->nmarks -= k;
		if (!list)
			list = rd_kafka_topic_partition_list_new(16);
		rd_kafka_topic_partition_list_add(list, p->topic, p->partition)->offset = offset;
	}
	return list;
}

void hub_ledger_forget(struct hub_ledger *l)
{
	for (int i = 0; i < l->n; i++) {
		l->parts[i].buffered = -1;
		l->parts[i].nmarks = 0;
	}
}

void hub_ledger_free(struct hub_ledger *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->parts[i].topic);
	free(l->parts);
	memset(l, 0, sizeof(*l));
}
