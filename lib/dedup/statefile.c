/* dedup/statefile.c: the header, the record log, replay and compaction.
 *
 * Layout (integers little-endian):
 *   header  0 "HUBDEDUP"  8 version (u32)  12 record size (u32)
 *          16 hash key (32 bytes)  48 key-definition fingerprint (8)
 *          56 checksum of bytes 0..55 (8)
 *   record  0 key hash (16)  16 time, seconds (i64)  24 checksum (8)
 * Checksums are SipHash (crypto_shorthash) keyed with the file's hash key,
 * so a record from another state file fails its check too. New files and
 * compactions are written to FILE.tmp, fsynced, locked and renamed over
 * FILE; the directory is fsynced after the rename. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/file-internal.h"
#include "core/exitcodes.h"
#include "dedup/statefile-internal.h"

#define MAGIC "HUBDEDUP"
#define VERSION 1
#define HEADER_SIZE 64
#define RECORD_SIZE 32
#define COMPACT_SLACK 4096   /* records beyond twice the live keys before compacting */

struct hub_statefile {
	char *path;
	int fd;
	unsigned char key[HUB_STATE_KEYBYTES];
	unsigned char fingerprint[8];
	uint64_t records;        /* in the file */
	struct hub_buf staged;   /* sealed batches, then the open one */
	size_t *ends;            /* where each sealed batch ends in staged */
	size_t nends, capends;
	int broken;
};

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void checksum(const struct hub_statefile *sf, const unsigned char *p, size_t n, unsigned char out[8])
{
	crypto_shorthash(out, p, n, sf->key);   /* uses the first 16 bytes of the key */
}

static void make_header(const struct hub_statefile *sf, unsigned char h[HEADER_SIZE])
{
	memset(h, 0, HEADER_SIZE);
	memcpy(h, MAGIC, 8);
	put32(h + 8, VERSION);
	put32(h + 12, RECORD_SIZE);
	memcpy(h + 16, sf->key, HUB_STATE_KEYBYTES);
	memcpy(h + 48, sf->fingerprint, 8);
	checksum(sf, h, 56, h + 56);
}

static void make_record(const struct hub_statefile *sf, const struct hub_seen_key *key, int64_t t,
                        unsigned char r[RECORD_SIZE])
{
	memcpy(r, key, 16);
	put64(r + 16, (uint64_t)t);
	checksum(sf, r, 24, r + 24);
}

struct snapshot {
	struct hub_statefile *sf;
	struct hub_buf buf;
	int fd;
	uint64_t n;
	unsigned char *pending;  /* the staged key hashes, sorted: not safe yet */
	size_t npending;
};

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static int snapshot_key(void *ctx, const struct hub_seen_key *key, uint32_t t)
{
	struct snapshot *s = ctx;
	unsigned char r[RECORD_SIZE];

	/* a key whose event is not safe downstream yet must not survive a
	 * crash: its event comes again and has to pass */
	if (s->npending && bsearch(key, s->pending, s->npending, 16, cmp_hash))
		return 0;

	make_record(s->sf, key, t, r);
	hub_buf_add(&s->buf, r, RECORD_SIZE);
	s->n++;
	if (s->buf.len >= (1u << 20)) {
		if (hub_write_all(s->fd, s->buf.data, s->buf.len) < 0)
			return -1;
		hub_buf_reset(&s->buf);
	}
	return 0;
}

/* Writes the header and every live key to FILE.tmp, fsyncs it, locks it
 * and renames it over FILE; sf->fd becomes the new file, open for
 * appending. The old file stays complete until the rename. */
static int write_snapshot(struct hub_statefile *sf, const struct hub_seenset *set, char *err, size_t errlen)
{
	struct snapshot s = { sf, { 0 }, -1, 0, NULL, 0 };
	unsigned char h[HEADER_SIZE];
	char *tmp;
	size_t n = strlen(sf->path) + 5;
	const char *what = "write";

	if (sf->staged.len) {
		s.npending = sf->staged.len / RECORD_SIZE;
		s.pending = hub_xmalloc(s.npending * 16);
		for (size_t i = 0; i < s.npending; i++)
			memcpy(s.pending + i * 16, sf->staged.data + i * RECORD_SIZE, 16);
		qsort(s.pending, s.npending, 16, cmp_hash);
	}

	tmp = hub_xmalloc(n);
	snprintf(tmp, n, "%s.tmp", sf->path);
	s.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (s.fd < 0 && errno == ENOENT && hub_mkdir_parents(tmp, 0700) == 0)   /* a fresh machine */
		s.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (s.fd < 0) {
		/* the user's path, not the temporary one: that is what they can act on */
		snprintf(err, errlen, "state file %s: cannot create: %s", sf->path, strerror(errno));
		free(tmp);
		return -1;
	}
	make_header(sf, h);
	hub_buf_add(&s.buf, h, HEADER_SIZE);
	if ((set && hub_seenset_each(set, snapshot_key, &s) < 0) ||
	    hub_write_all(s.fd, s.buf.data, s.buf.len) < 0 || (what = "fsync", fsync(s.fd) < 0) ||
	    (what = "lock", flock(s.fd, LOCK_EX | LOCK_NB) < 0) || (what = "rename", rename(tmp, sf->path) < 0)) {
		snprintf(err, errlen, "state file %s: %s of its new copy %s: %s", sf->path, what, tmp, strerror(errno));
		close(s.fd);
		unlink(tmp);
		hub_buf_free(&s.buf);
		free(s.pending);
		free(tmp);
		return -1;
	}
	hub_fsync_dir(sf->path);
	if (sf->fd >= 0)
		close(sf->fd);
	sf->fd = s.fd;
	sf->records = s.n;
	hub_buf_free(&s.buf);
	free(s.pending);
	free(tmp);
	return 0;
}

static struct hub_statefile *fail(struct hub_statefile *sf, int *status, int code, char *err, size_t errlen,
                                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static struct hub_statefile *fail(struct hub_statefile *sf, int *status, int code, char *err, size_t errlen,
                                  const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	*status = code;
	hub_statefile_close(sf);
	return NULL;
}

static int check_header(struct hub_statefile *sf, const unsigned char *h, int *status, char *err, size_t errlen)
{
	unsigned char sum[8];

	if (memcmp(h, MAGIC, 8) != 0) {
		snprintf(err, errlen, "state file %s is not a hub-dedup state file (no HUBDEDUP header); "
		         "refusing to use or overwrite it: give another --state FILE", sf->path);
		*status = HUB_EXIT_DATAERR;
		return -1;
	}
	if (get32(h + 8) != VERSION || get32(h + 12) != RECORD_SIZE) {
		snprintf(err, errlen, "state file %s has format version %u; this hub-dedup reads version %d",
		         sf->path, get32(h + 8), VERSION);
		*status = HUB_EXIT_CONFIG;
		return -1;
	}
	memcpy(sf->key, h + 16, HUB_STATE_KEYBYTES);
	checksum(sf, h, 56, sum);
	if (memcmp(sum, h + 56, 8) != 0) {
		snprintf(err, errlen, "state file %s: header is damaged (checksum mismatch); "
		         "move the file away to start with an empty state", sf->path);
		*status = HUB_EXIT_DATAERR;
		return -1;
	}
	if (memcmp(sf->fingerprint, h + 48, 8) != 0) {
		snprintf(err, errlen, "state file %s was written with another key definition "
		         "(--key/--content); use the same options as before, or another --state FILE", sf->path);
		*status = HUB_EXIT_CONFIG;
		return -1;
	}
	return 0;
}

/* Replays the records into set. A damaged or partial record is accepted
 * only at the very end (a write cut short), and cut off. */
static int replay(struct hub_statefile *sf, struct hub_seenset *set, off_t size, int *status,
                  char *err, size_t errlen)
{
	unsigned char *buf = hub_xmalloc(1u << 20);
	off_t pos = HEADER_SIZE, good_end = HEADER_SIZE, bad_at = -1;
	size_t have = 0;
	int rc = 0;

	while (pos < size) {
		ssize_t r = pread(sf->fd, buf, 1u << 20, pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "state file %s: read: %s", sf->path, r < 0 ? strerror(errno) : "file shrank");
			*status = HUB_EXIT_IOERR;
			rc = -1;
			goto out;
		}
		have = (size_t)r - (size_t)r % RECORD_SIZE;
		if (have == 0)
			break;   /* a partial record at the end */
		for (size_t i = 0; i < have; i += RECORD_SIZE) {
			unsigned char sum[8];
			const unsigned char *rec = buf + i;
			int64_t t;
			struct hub_seen_key key;

			checksum(sf, rec, 24, sum);
			if (memcmp(sum, rec + 24, 8) != 0) {
				if (bad_at < 0)
					bad_at = pos + (off_t)i;
				continue;
			}
			if (bad_at >= 0) {
				snprintf(err, errlen, "state file %s: damaged record at byte %lld (followed by good "
				         "ones): the file is corrupt; move it away to start with an empty state",
				         sf->path, (long long)bad_at);
				*status = HUB_EXIT_DATAERR;
				rc = -1;
				goto out;
			}
			memcpy(&key, rec, 16);
			t = (int64_t)get64(rec + 16);
			hub_seenset_add(set, &key, t < 0 ? 0 : t > UINT32_MAX ? UINT32_MAX : (uint32_t)t);
			sf->records++;
			good_end = pos + (off_t)i + RECORD_SIZE;
		}
		pos += (off_t)have;
	}
	if (good_end < size) {
		hub_warn("state file %s: %lld bytes at the end were cut short by an interrupted write; "
		         "dropped (at worst an event passes twice)", sf->path, (long long)(size - good_end));
		if (ftruncate(sf->fd, good_end) < 0) {
			snprintf(err, errlen, "state file %s: truncate: %s", sf->path, strerror(errno));
			*status = HUB_EXIT_IOERR;
			rc = -1;
		}
	}
out:
	free(buf);
	return rc;
}

/* A FILE.tmp left by a compaction that was killed: only the holder of the
 * lock on FILE writes it, and that is us now. */
static void remove_stale_tmp(const struct hub_statefile *sf)
{
	size_t n = strlen(sf->path) + 5;
	char *tmp = hub_xmalloc(n);

	snprintf(tmp, n, "%s.tmp", sf->path);
	unlink(tmp);
	free(tmp);
}

struct hub_statefile *hub_statefile_open(const char *path, const char *spec, struct hub_seenset *set,
                                         unsigned char hashkey[HUB_STATE_KEYBYTES],
                                         char *err, size_t errlen, int *status)
{
	struct hub_statefile *sf = hub_xcalloc(1, sizeof(*sf));
	unsigned char fp[crypto_generichash_BYTES_MIN], h[HEADER_SIZE];
	struct stat st, st2;
	int tries = 0;

	sf->path = hub_xstrdup(path);
	sf->fd = -1;
	crypto_generichash(fp, sizeof(fp), (const unsigned char *)spec, strlen(spec), NULL, 0);
	memcpy(sf->fingerprint, fp, 8);
again:
	sf->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (sf->fd < 0 && errno == ENOENT) {
		randombytes_buf(sf->key, sizeof(sf->key));
		if (write_snapshot(sf, NULL, err, errlen) < 0)
			return fail(sf, status, HUB_EXIT_IOERR, err, errlen, NULL);
		memcpy(hashkey, sf->key, HUB_STATE_KEYBYTES);
		return sf;
	}
	if (sf->fd < 0)
		return fail(sf, status, HUB_EXIT_IOERR, err, errlen, "state file %s: %s", path, strerror(errno));
	if (flock(sf->fd, LOCK_EX | LOCK_NB) < 0)
		return fail(sf, status, HUB_EXIT_UNAVAILABLE, err, errlen,
		            "state file %s is in use by another hub-dedup (locked); one process per state file",
		            path);
	/* locked, but maybe the file was just replaced by a compaction */
	if (fstat(sf->fd, &st) < 0 || stat(path, &st2) < 0 || st.st_ino != st2.st_ino || st.st_dev != st2.st_dev) {
		close(sf->fd);
		sf->fd = -1;
		if (++tries < 10)
			goto again;
		return fail(sf, status, HUB_EXIT_IOERR, err, errlen, "state file %s keeps changing", path);
	}
	if (!S_ISREG(st.st_mode))
		return fail(sf, status, HUB_EXIT_DATAERR, err, errlen, "state file %s is not a regular file", path);
	remove_stale_tmp(sf);
	if (st.st_size == 0) {
		randombytes_buf(sf->key, sizeof(sf->key));
		if (write_snapshot(sf, NULL, err, errlen) < 0)
			return fail(sf, status, HUB_EXIT_IOERR, err, errlen, NULL);
		memcpy(hashkey, sf->key, HUB_STATE_KEYBYTES);
		return sf;
	}
	if (st.st_size < HEADER_SIZE || pread(sf->fd, h, HEADER_SIZE, 0) != HEADER_SIZE) {
		if (st.st_size >= 8 && pread(sf->fd, h, 8, 0) == 8 && memcmp(h, MAGIC, 8) == 0)
			return fail(sf, status, HUB_EXIT_DATAERR, err, errlen,
			            "state file %s: header cut short; move the file away to start afresh", path);
		return fail(sf, status, HUB_EXIT_DATAERR, err, errlen,
		            "state file %s is not a hub-dedup state file (too short); refusing to use it", path);
	}
	if (check_header(sf, h, status, err, errlen) < 0)
		return fail(sf, status, *status, err, errlen, NULL);
	if (replay(sf, set, st.st_size, status, err, errlen) < 0)
		return fail(sf, status, *status, err, errlen, NULL);
	memcpy(hashkey, sf->key, HUB_STATE_KEYBYTES);
	return sf;
}

void hub_statefile_stage(struct hub_statefile *sf, const struct hub_seen_key *key, int64_t t)
{
	unsigned char r[RECORD_SIZE];

	make_record(sf, key, t, r);
	hub_buf_add(&sf->staged, r, RECORD_SIZE);
}

void hub_statefile_discard(struct hub_statefile *sf)
{
	sf->staged.len = sf->nends ? sf->ends[sf->nends - 1] : 0;
}

void hub_statefile_seal(struct hub_statefile *sf)
{
	if (sf->nends == sf->capends) {
		sf->capends = sf->capends ? sf->capends * 2 : 64;
		sf->ends = hub_xrealloc(sf->ends, sizeof(*sf->ends) * sf->capends);
	}
	sf->ends[sf->nends++] = sf->staged.len;
}

int hub_statefile_commit(struct hub_statefile *sf, const struct hub_seenset *set, size_t nbatches)
{
	size_t upto;
	char err[512];

	if (sf->broken)
		return -1;
	if (nbatches > sf->nends)
		nbatches = sf->nends;
	if (nbatches == 0)
		return 0;
	upto = sf->ends[nbatches - 1];
	sf->nends -= nbatches;
	memmove(sf->ends, sf->ends + nbatches, sizeof(*sf->ends) * sf->nends);
	for (size_t i = 0; i < sf->nends; i++)
		sf->ends[i] -= upto;
	if (upto == 0)
		return 0;
	if (hub_write_all(sf->fd, sf->staged.data, upto) < 0) {
		hub_err("state file %s: write: %s", sf->path, strerror(errno));
		sf->broken = 1;
		return -1;
	}
	sf->records += upto / RECORD_SIZE;
	memmove(sf->staged.data, sf->staged.data + upto, sf->staged.len - upto);
	sf->staged.len -= upto;
	if (sf->records > 2 * hub_seenset_count(set) + COMPACT_SLACK) {
		if (write_snapshot(sf, set, err, sizeof(err)) < 0) {
			/* the old file is still whole and in use: carry on */
			hub_warn("%s (compaction skipped)", err);
		}
	}
	return 0;
}

int hub_statefile_close(struct hub_statefile *sf)
{
	int rc = 0;

	if (!sf)
		return 0;
	if (sf->fd >= 0) {
		if (fsync(sf->fd) < 0) {
			hub_err("state file %s: fsync: %s", sf->path, strerror(errno));
			rc = -1;
		}
		if (close(sf->fd) < 0)
			rc = -1;
	}
	if (sf->broken)
		rc = -1;
	hub_buf_free(&sf->staged);
	free(sf->ends);
	sodium_memzero(sf->key, sizeof(sf->key));
	free(sf->path);
	free(sf);
	return rc;
}

uint64_t hub_statefile_records(const struct hub_statefile *sf)
{
	return sf->records;
}
