/* archive/dayindex.c: building and searching day indexes (see archive/dayindex-internal.h).
 *
 * Layout, 64-bit little-endian words: "HUBADX01", n_segments, n_id,
 * n_subject, 4 reserved words; the segment table (hh, seq as 32-bit
 * words); the id entries then the subject entries (hash, offset, segment;
 * sorted). A look-up is an interpolated read of one window of entries,
 * hub_aindex_lookup() as for a segment index. The size must match the
 * counts: a day index is a cache written without fsync, so a file cut
 * short by a power loss is refused (and the segment indexes answer
 * instead). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/dayindex-internal.h"
#include "core/diag.h"
#include "core/file-internal.h"

#define MAGIC "HUBADX01"
#define HEADER_WORDS 8

_Static_assert(sizeof(struct hub_dayindex_entry) <= HUB_AINDEX_ENTRY_MAX,
               "a day index entry must fit hub_aindex_lookup()");

/* "HH.idx" or "HH.N.idx". 0 or -1. */
static int parse_idx_name(const char *name, int *hh, int *seq)
{
	size_t n = strlen(name);
	char *end;
	long v;

	if (n < 6 || strcmp(name + n - 4, ".idx") != 0 || name[0] < '0' || name[0] > '2' ||
	    name[1] < '0' || name[1] > '9')
		return -1;
	*hh = (name[0] - '0') * 10 + (name[1] - '0');
	*seq = 0;
	if (n == 6)
		return *hh < 24 ? 0 : -1;
	if (name[2] != '.' || name[3] < '0' || name[3] > '9')
		return -1;
	v = strtol(name + 3, &end, 10);
	if (end != name + n - 4 || v < 1 || v > 999999)
		return -1;
	*seq = (int)v;
	return *hh < 24 ? 0 : -1;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct hub_dayindex_entry *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->seg != y->seg)
		return x->seg < y->seg ? -1 : 1;
	return (x->off > y->off) - (x->off < y->off);
}

int hub_dayindex_build(const char *daydir, char *err, size_t errlen)
{
	struct hub_dayindex_seg *segs = NULL;
	struct hub_dayindex_entry *ent[2] = { NULL, NULL };
	size_t nsegs = 0, n[2] = { 0, 0 }, cap[2] = { 0, 0 };
	struct hub_aindex_builder b = { 0 };
	struct hub_buf path = { 0 };
	uint64_t head[HEADER_WORDS] = { 0 };
	DIR *d;
	struct dirent *e;
	struct iovec parts[4];
	int hh, seq, rc = -1;

	if (!(d = opendir(daydir))) {
		snprintf(err, errlen, "%s: %s", daydir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		struct hub_aindex ix;

		if (parse_idx_name(e->d_name, &hh, &seq) != 0)
			continue;
		hub_buf_reset(&path);
		hub_buf_addf(&path, "%s/%s", daydir, e->d_name);
		if (hub_aindex_open(hub_buf_cstr(&path), &ix) != 0)
			continue;
		hub_aindex_builder_reset(&b);
		if (hub_aindex_load_entries(&ix, HUB_AINDEX_ID, &b) == 0 &&
		    hub_aindex_load_entries(&ix, HUB_AINDEX_SUBJECT, &b) == 0) {
			segs = hub_xrealloc(segs, (nsegs + 1) * sizeof(*segs));
			segs[nsegs] = (struct hub_dayindex_seg){ (uint32_t)hh, (uint32_t)seq };
			for (int k = 0; k < 2; k++) {
				if (n[k] + b.n[k] > cap[k]) {
					cap[k] = (n[k] + b.n[k]) * 2;
					ent[k] = hub_xrealloc(ent[k], cap[k] * sizeof(**ent));
				}
				for (size_t i = 0; i < b.n[k]; i++)
					ent[k][n[k]++] = (struct hub_dayindex_entry){ b.ent[k][i].hash,
					                                              b.ent[k][i].off, nsegs };
			}
			nsegs++;
		}
		hub_aindex_close(&ix);
	}
	closedir(d);
	hub_buf_reset(&path);
	hub_buf_addf(&path, "%s/%s", daydir, HUB_DAYINDEX_NAME);
	hub_buf_cstr(&path);
	if (nsegs == 0) {
		unlink(path.data);
		rc = 0;
		goto out;
	}
	for (int k = 0; k < 2; k++)
		if (n[k])
			qsort(ent[k], n[k], sizeof(**ent), cmp_entry);
	memcpy(&head[0], MAGIC, 8);
	head[1] = nsegs;
	head[2] = n[0];
	head[3] = n[1];
	parts[0] = (struct iovec){ head, sizeof(head) };
	parts[1] = (struct iovec){ segs, nsegs * sizeof(*segs) };
	parts[2] = (struct iovec){ ent[0], n[0] * sizeof(**ent) };
	parts[3] = (struct iovec){ ent[1], n[1] * sizeof(**ent) };
	rc = hub_write_file(path.data, parts, 4, 0, err, errlen);
out:
	free(segs);
	free(ent[0]);
	free(ent[1]);
	hub_aindex_builder_free(&b);
	hub_buf_free(&path);
	return rc;
}

int hub_dayindex_open(const char *daydir, struct hub_dayindex *dx)
{
	struct hub_buf path = { 0 };
	uint64_t w[HEADER_WORDS];
	struct stat st;
	size_t tbytes;

	memset(dx, 0, sizeof(*dx));
	hub_buf_addf(&path, "%s/%s", daydir, HUB_DAYINDEX_NAME);
	dx->fd = open(hub_buf_cstr(&path), O_RDONLY | O_CLOEXEC);
	hub_buf_free(&path);
	if (dx->fd < 0)
		return -1;
	if (pread(dx->fd, w, sizeof(w), 0) != (ssize_t)sizeof(w) || memcmp(w, MAGIC, 8) != 0 ||
	    w[1] > (1u << 24) || w[2] > (1ull << 40) || w[3] > (1ull << 40) || fstat(dx->fd, &st) != 0 ||
	    (uint64_t)st.st_size != sizeof(w) + w[1] * sizeof(struct hub_dayindex_seg) +
	                            (w[2] + w[3]) * sizeof(struct hub_dayindex_entry))
		goto bad;
	dx->nsegs = w[1];
	dx->n[0] = w[2];
	dx->n[1] = w[3];
	tbytes = dx->nsegs * sizeof(*dx->segs);
	dx->segs = hub_xmalloc(tbytes ? tbytes : 1);
	if (pread(dx->fd, dx->segs, tbytes, sizeof(w)) != (ssize_t)tbytes)
		goto bad;
	return 0;
bad:
	hub_dayindex_close(dx);
	return -1;
}

int hub_dayindex_covers(const struct hub_dayindex *dx, int hh, int seq)
{
	for (uint64_t i = 0; i < dx->nsegs; i++)
		if (dx->segs[i].hh == (uint32_t)hh && dx->segs[i].seq == (uint32_t)seq)
			return 1;
	return 0;
}

static off_t entry_pos(const struct hub_dayindex *dx, int kind, uint64_t i)
{
	return (off_t)(HEADER_WORDS * 8 + dx->nsegs * sizeof(struct hub_dayindex_seg) +
	               ((kind ? dx->n[0] : 0) + i) * sizeof(struct hub_dayindex_entry));
}

/* Entries of segments the table does not list (a damaged file) are left out. */
size_t hub_dayindex_find(struct hub_dayindex *dx, enum hub_aindex_kind kind, uint64_t hash)
{
	void *hits = dx->hits;
	size_t n = hub_aindex_lookup(dx->fd, entry_pos(dx, kind, 0), dx->n[kind], sizeof(*dx->hits), hash,
	                             &hits, &dx->hits_cap), kept = 0;

	dx->hits = hits;
	for (size_t i = 0; i < n; i++)
		if (dx->hits[i].seg < dx->nsegs)
			dx->hits[kept++] = dx->hits[i];
	return kept;
}

void hub_dayindex_close(struct hub_dayindex *dx)
{
	if (dx->fd >= 0)
		close(dx->fd);
	free(dx->segs);
	free(dx->hits);
	memset(dx, 0, sizeof(*dx));
	dx->fd = -1;
}
