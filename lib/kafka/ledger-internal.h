/* kafka/ledger-internal.h: which consumed offsets may be committed, and when.
 *
 * hub-consume's at-least-once rule in one place: the offset of a message
 * becomes committable only once its line has been written AND the reader
 * has taken those bytes (output positions count the bytes written so far).
 * Per partition, the ledger holds the offset after the last message still
 * in the output buffer, then, once the buffer is written, that offset with
 * the output position it waits for. It also knows which partitions are
 * assigned and which have been read to their end (for -e). */
#ifndef HUB_LEDGER_H
#define HUB_LEDGER_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "core/buf.h"

#define HUB_LEDGER_MARKS 32  /* written-not-consumed offsets kept per partition */

struct hub_ledger_mark {
	int64_t offset;          /* the offset to commit */
	uint64_t end;            /* once the output has consumed this many bytes */
};

struct hub_ledger_part {
	char *topic;
	int32_t partition;
	int assigned;
	int eof;                 /* read to its end, nothing since */
	int past_until;          /* -o e@: a message of the end time came; read no more */
	int64_t buffered;        /* offset after the last buffered message; -1: none */
	int64_t cut;             /* offset after the last message written or buffered; -1: none */
	struct hub_ledger_mark marks[HUB_LEDGER_MARKS];   /* oldest first */
	int nmarks;
	int64_t refused;         /* an offset Kafka refused to commit, until one as high is; 0: none */
};

struct hub_ledger {
	struct hub_ledger_part *parts;
	int n, cap, last;
	int nassigned, neof;
};

/* The entry of a partition, made on first use. Messages mostly come in
 * runs from one partition, so the last one found is tried first. */
struct hub_ledger_part *hub_ledger_find(struct hub_ledger *l, const char *topic, int32_t partition);
/* Unassigning drops what was not committable yet: the next owner reads it. */
void hub_ledger_assign(struct hub_ledger *l, struct hub_ledger_part *p, int assigned);
void hub_ledger_eof(struct hub_ledger *l, struct hub_ledger_part *p, int eof);
/* Whether every assigned partition (at least one) is at its end. */
int hub_ledger_all_at_end(const struct hub_ledger *l);

/* The offsets that go with the output once the buffer is written: every
 * partition's offset after its last message written or buffered, as
 * " topic:partition:offset" words appended to b (for a reader that commits
 * them in its transaction). */
void hub_ledger_cut(struct hub_ledger *l, struct hub_buf *b);
/* The buffer was written out; it ended at output position `end`. */
void hub_ledger_written(struct hub_ledger *l, uint64_t end);
/* The offsets whose bytes the output has consumed up to position
 * `consumed`, as a list for rd_kafka_offsets_store(), or NULL if none. */
rd_kafka_topic_partition_list_t *hub_ledger_take(struct hub_ledger *l, uint64_t consumed);
/* The output failed: nothing not taken yet will ever be committed. */
void hub_ledger_forget(struct hub_ledger *l);
void hub_ledger_free(struct hub_ledger *l);

#endif
