/* dedup/statefile-internal.h: hub-dedup's remembered keys on disk, crash-safe.
 *
 * The file is a 64-byte header (magic, version, the hash key, a
 * fingerprint of the key definition, a checksum) followed by an
 * append-only log of 32-byte records (key hash, time, checksum). Records
 * are staged while their events sit in the output buffer and written only
 * once those events are safe downstream (commit: written, or acknowledged
 * by the next hub tool, stream/ack.h); a record cut
 * short by a crash is dropped on the next start, a damaged record
 * anywhere else stops the tool. The log is compacted into a new file,
 * fsynced and renamed over the old one, so kill -9 at any moment leaves a
 * usable file. One process at a time: the file is locked (flock). */
#ifndef HUB_STATEFILE_H
#define HUB_STATEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "dedup/seenset-internal.h"

#define HUB_STATE_KEYBYTES 32

struct hub_statefile;

/* Opens and locks path, creating it when absent (or empty), and replays
 * its records into set. spec names the key definition: a file made with
 * another one is refused. hashkey receives the file's hash key (a new
 * random one for a new file). NULL on error, with the message in err and
 * the exit status (65 damaged or foreign file, 78 other key definition or
 * version, 69 locked by another process, 74 I/O error) in *status. */
struct hub_statefile *hub_statefile_open(const char *path, const char *spec, struct hub_seenset *set,
                                         unsigned char hashkey[HUB_STATE_KEYBYTES],
                                         char *err, size_t errlen, int *status);
/* A key to record once the events now buffered are safe downstream. */
void hub_statefile_stage(struct hub_statefile *sf, const struct hub_seen_key *key, int64_t t);
/* The buffered events were written: the keys staged so far form a batch,
 * to be committed once those events are safe. */
void hub_statefile_seal(struct hub_statefile *sf);
/* The oldest nbatches sealed batches are safe: append their records (and
 * compact when the log has grown well past the live keys; keys not
 * committed yet stay out of the compacted file). 0, or -1. */
int hub_statefile_commit(struct hub_statefile *sf, const struct hub_seenset *set, size_t nbatches);
/* The buffered events could not be written: forget the keys staged since
 * the last seal. */
void hub_statefile_discard(struct hub_statefile *sf);
/* Commits nothing more; fsyncs, unlocks and closes. 0, or -1 on error. */
int hub_statefile_close(struct hub_statefile *sf);
uint64_t hub_statefile_records(const struct hub_statefile *sf);

#endif
