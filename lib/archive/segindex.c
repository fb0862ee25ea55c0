/* archive/segindex.c: building, writing and searching segment indexes.
 *
 * File layout, 64-bit little-endian words: "HUBAIX01", covered, nlines,
 * n_id, n_subject, n_frames, 2 reserved words, then the id entries, the
 * subject entries (each: hash, offset; sorted by hash, then offset) and the
 * frames (uncompressed offset, compressed offset). An index is only ever
 * renamed into place complete, so the magic and the counts are trusted; a
 * short read (a foreign or damaged file) makes it unusable, never wrong. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "archive/segindex-internal.h"
#include "core/diag.h"
#include "core/file-internal.h"

#define MAGIC "HUBAIX01"
#define HEADER_WORDS 8

uint64_t hub_aindex_hash(const char *s, size_t n)
{
	/* Fixed key: the hash is part of the file format. */
	static const unsigned char key[crypto_shorthash_KEYBYTES] = "hub-archive-idx";
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)s, n, key);
	memcpy(&h, out, sizeof(h));
	return h;
}

static void add(struct hub_aindex_builder *b, int kind, uint64_t hash, uint64_t off)
{
	if (b->n[kind] == b->cap[kind]) {
		b->cap[kind] = b->cap[kind] ? b->cap[kind] * 2 : 1024;
		b->ent[kind] = hub_xrealloc(b->ent[kind], b->cap[kind] * sizeof(**b->ent));
	}
	b->ent[kind][b->n[kind]++] = (struct hub_aindex_entry){ hash, off };
}

void hub_aindex_add_rec(struct hub_aindex_builder *b, const struct hub_arec *rec, uint64_t off)
{
	const char *s;
	size_t n;

	if (hub_span_str(&rec->id, &b->tmp, &s, &n) == 0)
		add(b, HUB_AINDEX_ID, hub_aindex_hash(s, n), off);
	if (hub_span_str(&rec->subject, &b->tmp, &s, &n) == 0)
		add(b, HUB_AINDEX_SUBJECT, hub_aindex_hash(s, n), off);
	b->nlines++;
}

size_t hub_aindex_add_lines(struct hub_aindex_builder *b, struct hub_arec_parser *p,
                            const char *data, size_t len, uint64_t uoff)
{
	size_t pos = 0;
	const char *nl, *why;
	struct hub_arec rec;

	while (pos < len && (nl = memchr(data + pos, '\n', len - pos))) {
		if (hub_arec_parse(p, data + pos, (size_t)(nl - data - pos), &rec, &why) == 0)
			hub_aindex_add_rec(b, &rec, uoff + pos);
		pos = (size_t)(nl - data) + 1;
	}
	return pos;
}

void hub_aindex_add_frame(struct hub_aindex_builder *b, uint64_t uoff, uint64_t coff)
{
	if (b->nframes == b->frames_cap) {
		b->frames_cap = b->frames_cap ? b->frames_cap * 2 : 256;
		b->frames = hub_xrealloc(b->frames, b->frames_cap * sizeof(*b->frames));
	}
	b->frames[b->nframes++] = (struct hub_aindex_frame){ uoff, coff };
}

static int cmp_entry(const void *a, const void *b)
{
	const struct hub_aindex_entry *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int entry_less(const struct hub_aindex_entry *x, const struct hub_aindex_entry *y)
{
	return x->hash != y->hash ? x->hash < y->hash : x->off < y->off;
}

/* Sorts the entries of a kind: the tail added since the last sort, then one
 * merge with the sorted head, from the back, through a copy of the tail. */
static void sort_kind(struct hub_aindex_builder *b, int k)
{
	struct hub_aindex_entry *e = b->ent[k], *tail;
	size_t head = b->sorted[k], n = b->n[k], m = n - head, i, j, w;

	if (head > n)
		head = 0, m = n;
	if (m == 0)
		return;
	qsort(e + head, m, sizeof(*e), cmp_entry);
	if (head > 0 && entry_less(&e[head], &e[head - 1])) {
		tail = hub_xmalloc(m * sizeof(*tail));
		memcpy(tail, e + head, m * sizeof(*tail));
		i = head, j = m, w = n;
		while (j > 0) {
			if (i > 0 && entry_less(&tail[j - 1], &e[i - 1]))
				e[--w] = e[--i];
			else
				e[--w] = tail[--j];
		}
		free(tail);
	}
	b->sorted[k] = n;
}

int hub_aindex_write(struct hub_aindex_builder *b, const char *path, int do_fsync,
                     char *err, size_t errlen)
{
	uint64_t head[HEADER_WORDS] = { 0 };
	struct iovec parts[] = {
		{ head, sizeof(head) },
		{ b->ent[0], b->n[0] * sizeof(**b->ent) },
		{ b->ent[1], b->n[1] * sizeof(**b->ent) },
		{ b->frames, b->nframes * sizeof(*b->frames) },
	};

	for (int k = 0; k < 2; k++)
		sort_kind(b, k);
	memcpy(&head[0], MAGIC, 8);
	head[1] = b->covered;
	head[2] = b->nlines;
	head[3] = b->n[0];
	head[4] = b->n[1];
	head[5] = b->nframes;
	return hub_write_file(path, parts, 4, do_fsync, err, errlen);
}

void hub_aindex_builder_reset(struct hub_aindex_builder *b)
{
	b->n[0] = b->n[1] = 0;
	b->sorted[0] = b->sorted[1] = 0;
	b->nframes = 0;
	b->covered = b->nlines = 0;
}

void hub_aindex_builder_free(struct hub_aindex_builder *b)
{
	free(b->ent[0]);
	free(b->ent[1]);
	free(b->frames);
	hub_buf_free(&b->tmp);
	memset(b, 0, sizeof(*b));
}

int hub_aindex_open(const char *path, struct hub_aindex *ix)
{
	uint64_t w[HEADER_WORDS];

	memset(ix, 0, sizeof(*ix));
	ix->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ix->fd < 0)
		return -1;
	if (pread(ix->fd, w, sizeof(w), 0) != (ssize_t)sizeof(w) || memcmp(w, MAGIC, 8) != 0 ||
	    w[3] > (1ull << 40) || w[4] > (1ull << 40) || w[5] > (1ull << 40)) {
		hub_aindex_close(ix);
		return -1;
	}
	ix->covered = w[1];
	ix->nlines = w[2];
	ix->n[0] = w[3];
	ix->n[1] = w[4];
	ix->nframes = w[5];
	return 0;
}

static off_t entry_pos(const struct hub_aindex *ix, int kind, uint64_t i)
{
	return (off_t)(HEADER_WORDS * 8 + ((kind ? ix->n[0] : 0) + i) * sizeof(struct hub_aindex_entry));
}

#define WINDOW 256   /* entries read around the interpolated position */

static uint64_t hash_at(const unsigned char *entry)
{
	uint64_t h;

	memcpy(&h, entry, sizeof(h));
	return h;
}

static void add_hit(void **hits, size_t *cap, size_t *n, const void *entry, size_t esize)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*hits = hub_xrealloc(*hits, *cap * esize);
	}
	memcpy((char *)*hits + (*n)++ * esize, entry, esize);
}

/* Hashes are uniform, so an entry sits near n * hash / 2^64: one read of a
 * window around that place nearly always holds the answer (the expected
 * deviation is about sqrt(n) / 2 entries). When it does not, or the hash
 * runs on past the window, a plain binary search with small reads does. */
size_t hub_aindex_lookup(int fd, off_t pos, uint64_t total, size_t esize, uint64_t hash,
                         void **hits, size_t *cap)
{
	uint64_t wbuf[WINDOW * HUB_AINDEX_ENTRY_MAX / 8], ebuf[HUB_AINDEX_ENTRY_MAX / 8];
	unsigned char *w = (unsigned char *)wbuf, *e = (unsigned char *)ebuf;
	uint64_t lo = 0, hi = total, start, guess;
	size_t n = 0, got, i;

	if (!total || esize < sizeof(uint64_t) || esize > HUB_AINDEX_ENTRY_MAX)
		return 0;
	guess = (uint64_t)(((unsigned __int128)hash * total) >> 64);
	start = guess > WINDOW / 2 ? guess - WINDOW / 2 : 0;
	if (start + WINDOW > total)
		start = total > WINDOW ? total - WINDOW : 0;
	got = (size_t)(total - start < WINDOW ? total - start : WINDOW);
	if (pread(fd, w, got * esize, pos + (off_t)(start * esize)) != (ssize_t)(got * esize))
		return 0;
	if ((start == 0 || hash_at(w) < hash) &&
	    (start + got == total || hash_at(w + (got - 1) * esize) > hash)) {
		for (i = 0; i < got && hash_at(w + i * esize) < hash; i++)
			;
		for (; i < got && hash_at(w + i * esize) == hash; i++)
			add_hit(hits, cap, &n, w + i * esize, esize);
		return n;
	}
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (pread(fd, e, esize, pos + (off_t)(mid * esize)) != (ssize_t)esize)
			return 0;
		if (hash_at(e) < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < total && pread(fd, e, esize, pos + (off_t)(lo * esize)) == (ssize_t)esize &&
	       hash_at(e) == hash; lo++)
		add_hit(hits, cap, &n, e, esize);
	return n;
}

size_t hub_aindex_find(struct hub_aindex *ix, enum hub_aindex_kind kind, uint64_t hash)
{
	void *hits = ix->hits;
	size_t n = hub_aindex_lookup(ix->fd, entry_pos(ix, kind, 0), ix->n[kind], sizeof(*ix->hits), hash,
	                             &hits, &ix->hits_cap);

	ix->hits = hits;
	return n;
}

int hub_aindex_load_entries(struct hub_aindex *ix, enum hub_aindex_kind kind,
                            struct hub_aindex_builder *b)
{
	size_t bytes = ix->n[kind] * sizeof(struct hub_aindex_entry);

	if (b->cap[kind] < b->n[kind] + ix->n[kind]) {
		b->cap[kind] = b->n[kind] + ix->n[kind];
		b->ent[kind] = hub_xrealloc(b->ent[kind], (b->cap[kind] ? b->cap[kind] : 1) * sizeof(**b->ent));
	}
	if (bytes && pread(ix->fd, b->ent[kind] + b->n[kind], bytes, entry_pos(ix, kind, 0)) != (ssize_t)bytes)
		return -1;
	/* an index file is sorted: into an empty builder, its entries need no sort */
	if (b->sorted[kind] == 0 && b->n[kind] == 0)
		b->sorted[kind] = ix->n[kind];
	b->n[kind] += ix->n[kind];
	return 0;
}

int hub_aindex_load_frames(struct hub_aindex *ix)
{
	size_t bytes = ix->nframes * sizeof(struct hub_aindex_frame);

	if (ix->frames || !ix->nframes)
		return 0;
	ix->frames = hub_xmalloc(bytes);
	if (pread(ix->fd, ix->frames, bytes, entry_pos(ix, 1, ix->n[1])) != (ssize_t)bytes) {
		free(ix->frames);
		ix->frames = NULL;
		return -1;
	}
	return 0;
}

void hub_aindex_close(struct hub_aindex *ix)
{
	if (ix->fd >= 0)
		close(ix->fd);
	free(ix->hits);
	free(ix->frames);
	memset(ix, 0, sizeof(*ix));
	ix->fd = -1;
}
