/* aindex.c: building, writing and searching segment indexes.
 *
 * File layout, 64-bit little-endian words: "HUBAIX01", covered, nlines,
 * n_id, n_subject, n_frames, 2 reserved words, then the id entries, the
 * subject entries (each: hash, offset; sorted by hash, then offset) and the
 * frames (uncompressed offset, compressed offset). The size must match the
 * counts exactly, so a torn or foreign file is never trusted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "aindex.h"
#include "diag.h"

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

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int hub_aindex_write(struct hub_aindex_builder *b, const char *path, int do_fsync,
                     char *err, size_t errlen)
{
	uint64_t head[HEADER_WORDS] = { 0 };
	struct hub_buf tmp = { 0 };
	int fd, rc = -1;

	for (int k = 0; k < 2; k++)
		if (b->n[k])
			qsort(b->ent[k], b->n[k], sizeof(**b->ent), cmp_entry);
	memcpy(&head[0], MAGIC, 8);
	head[1] = b->covered;
	head[2] = b->nlines;
	head[3] = b->n[0];
	head[4] = b->n[1];
	head[5] = b->nframes;
	hub_buf_addf(&tmp, "%s.tmp", path);
	fd = open(hub_buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp.data, strerror(errno));
		goto out;
	}
	if (write_all(fd, head, sizeof(head)) || write_all(fd, b->ent[0], b->n[0] * sizeof(**b->ent)) ||
	    write_all(fd, b->ent[1], b->n[1] * sizeof(**b->ent)) ||
	    write_all(fd, b->frames, b->nframes * sizeof(*b->frames)) || (do_fsync && fsync(fd))) {
		snprintf(err, errlen, "%s: %s", tmp.data, strerror(errno));
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (close(fd) || rename(tmp.data, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp.data);
		goto out;
	}
	rc = 0;
out:
	hub_buf_free(&tmp);
	return rc;
}

void hub_aindex_builder_reset(struct hub_aindex_builder *b)
{
	b->n[0] = b->n[1] = 0;
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
	struct stat st;
	const uint64_t *w;
	uint64_t want;
	int fd;

	memset(ix, 0, sizeof(*ix));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || (size_t)st.st_size < HEADER_WORDS * 8) {
		close(fd);
		return -1;
	}
	ix->size = (size_t)st.st_size;
	ix->map = mmap(NULL, ix->size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (ix->map == MAP_FAILED) {
		ix->map = NULL;
		return -1;
	}
	w = ix->map;
	if (memcmp(w, MAGIC, 8) != 0)
		goto bad;
	ix->covered = w[1];
	ix->nlines = w[2];
	ix->n[0] = w[3];
	ix->n[1] = w[4];
	ix->nframes = w[5];
	if (ix->n[0] > ix->size || ix->n[1] > ix->size || ix->nframes > ix->size)
		goto bad;
	want = HEADER_WORDS * 8 + (ix->n[0] + ix->n[1]) * sizeof(struct hub_aindex_entry) +
	       ix->nframes * sizeof(struct hub_aindex_frame);
	if (want != ix->size)
		goto bad;
	ix->ent[0] = (const struct hub_aindex_entry *)(w + HEADER_WORDS);
	ix->ent[1] = ix->ent[0] + ix->n[0];
	ix->frames = (const struct hub_aindex_frame *)(ix->ent[1] + ix->n[1]);
	return 0;
bad:
	hub_aindex_close(ix);
	return -1;
}

size_t hub_aindex_find(const struct hub_aindex *ix, enum hub_aindex_kind kind, uint64_t hash,
                       const struct hub_aindex_entry **first)
{
	const struct hub_aindex_entry *e = ix->ent[kind];
	size_t lo = 0, hi = ix->n[kind], end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < ix->n[kind] && e[end].hash == hash; end++)
		;
	*first = e + lo;
	return end - lo;
}

void hub_aindex_close(struct hub_aindex *ix)
{
	if (ix->map)
		munmap(ix->map, ix->size);
	memset(ix, 0, sizeof(*ix));
}
