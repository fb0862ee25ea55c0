/* archive/segment.c: segment names, the directory walk, reading and compression.
 *
 * The walk prunes by day directory before it looks at files, so a search
 * bounded in time touches only the days it needs. Reading maps the file:
 * a plain segment is searched in place, without copies; a compressed one
 * is decompressed one frame (a few hundred KiB of whole lines) at a time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/file-internal.h"
#include "archive/segment-internal.h"
#include "core/time.h"

#define FRAME_MAX (256u << 20)   /* largest frame content we decompress */

void hub_seg_sanitize(const char *s, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < HUB_SEG_NAME_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		         c == '_' || c == '-' || (c == '.' && k > 0);

		out[k++] = ok ? (char)c : '_';
	}
	if (k == 0)
		out[k++] = '_';
	out[k] = 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

void hub_seg_base(struct hub_buf *out, const char *dir, const char *part, int64_t hour, int seq)
{
	int64_t y;
	int m, d;

	hub_civil_from_days(floor_div(hour, 24), &y, &m, &d);
	hub_buf_addf(out, "%s/%s/%04d/%02d/%02d/%02d", dir, part, (int)y, m, d,
	             (int)(hour - floor_div(hour, 24) * 24));
	if (seq > 0)
		hub_buf_addf(out, ".%d", seq);
}

/* ---- listing ---- */

struct list {
	struct hub_seginfo *v;
	size_t n, cap;
};

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* "HH[.N].ndjson[.zst]": hour of day, sequence, compressed. 0 or -1. */
static int parse_name(const char *name, int *hh, int *seq, int *zst)
{
	size_t n = strlen(name), stem;
	const char *dot;

	if (n > 4 && strcmp(name + n - 4, ".zst") == 0) {
		*zst = 1;
		n -= 4;
	} else {
		*zst = 0;
	}
	if (n < 9 || strncmp(name + n - 7, ".ndjson", 7) != 0)
		return -1;
	stem = n - 7;
	if (stem < 2 || !all_digits(name, 2))
		return -1;
	*hh = (name[0] - '0') * 10 + (name[1] - '0');
	if (*hh > 23)
		return -1;
	*seq = 0;
	if (stem > 2) {
		dot = name + 2;
		if (*dot != '.' || !all_digits(dot + 1, stem - 3) || stem - 3 > 6)
			return -1;
		*seq = atoi(dot + 1);
	}
	return 0;
}

/* Files of one day directory are added together: a segment's plain and
 * compressed files are matched among the entries from `first` on only. */
static void add_file(struct list *l, size_t first, const char *daydir, const char *part,
                     int64_t day, const char *name)
{
	int hh, seq, zst;
	struct hub_buf base = { 0 };
	size_t i;

	if (parse_name(name, &hh, &seq, &zst) != 0)
		return;
	for (i = first; i < l->n; i++)
		if (l->v[i].hour == day * 24 + hh && l->v[i].seq == seq)
			break;
	if (i == l->n) {
		hub_buf_addf(&base, "%s/%02d", daydir, hh);
		if (seq > 0)
			hub_buf_addf(&base, ".%d", seq);
		hub_buf_cstr(&base);
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->v = hub_xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[i] = (struct hub_seginfo){ .base = base.data, .part = hub_xstrdup(part),
		                                .hour = day * 24 + hh, .seq = seq };
		l->n++;
	}
	if (zst)
		l->v[i].compressed = 1;
	else
		l->v[i].plain = 1;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct hub_seginfo *x = a, *y = b;
	int c;

	if (x->hour != y->hour)
		return x->hour < y->hour ? -1 : 1;
	if ((c = strcmp(x->part, y->part)) != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* DIR/part/YYYY/MM/DD: fn for each day directory that may hold hours in
 * [from_hour, to_hour]; the others are not opened. */
static void walk_part(const char *dir, const char *part, int64_t from_hour, int64_t to_hour,
                      hub_day_fn fn, void *ctx)
{
	struct hub_buf p = { 0 };
	DIR *dy, *dm, *dd;
	struct dirent *ey, *em, *ed;

	hub_buf_addf(&p, "%s/%s", dir, part);
	if (!(dy = opendir(hub_buf_cstr(&p))))
		goto out;
	while ((ey = readdir(dy))) {
		size_t l1;

		if (strlen(ey->d_name) != 4 || !all_digits(ey->d_name, 4))
			continue;
		l1 = p.len;
		hub_buf_addf(&p, "/%s", ey->d_name);
		if ((dm = opendir(hub_buf_cstr(&p)))) {
			while ((em = readdir(dm))) {
				size_t l2 = p.len;

				if (strlen(em->d_name) != 2 || !all_digits(em->d_name, 2))
					continue;
				hub_buf_addf(&p, "/%s", em->d_name);
				if ((dd = opendir(hub_buf_cstr(&p)))) {
					while ((ed = readdir(dd))) {
						size_t l3 = p.len;
						int64_t ms, day;
						char date[16];

						if (strlen(ed->d_name) != 2 || !all_digits(ed->d_name, 2))
							continue;
						snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", ey->d_name,
						         em->d_name, ed->d_name);
						if (hub_when_parse(date, 0, &ms) != 0)
							continue;
						day = ms / 86400000;
						if (day * 24 + 23 < from_hour || day * 24 > to_hour)
							continue;
						hub_buf_addf(&p, "/%s", ed->d_name);
						fn(ctx, hub_buf_cstr(&p), part, day);
						p.len = l3;
					}
					closedir(dd);
				}
				p.len = l2;
			}
			closedir(dm);
		}
		p.len = l1;
	}
	closedir(dy);
out:
	hub_buf_free(&p);
}

int hub_seg_walk_days(const char *dir, int64_t from_hour, int64_t to_hour, hub_day_fn fn,
                      void *ctx, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			walk_part(dir, e->d_name, from_hour, to_hour, fn, ctx);
	closedir(d);
	return 0;
}

struct list_ctx {
	struct list l;
	int64_t from_hour, to_hour;
};

static void list_day(struct list *l, const char *daydir, const char *part, int64_t day,
                     int64_t from_hour, int64_t to_hour)
{
	DIR *df = opendir(daydir);
	struct dirent *ef;
	size_t first = l->n;

	if (!df)
		return;
	while ((ef = readdir(df)))
		if (ef->d_name[0] >= '0' && ef->d_name[0] <= '9') {
			int hh = atoi(ef->d_name);

			if (day * 24 + hh >= from_hour && day * 24 + hh <= to_hour)
				add_file(l, first, daydir, part, day, ef->d_name);
		}
	closedir(df);
}

static void on_day(void *ctx, const char *daydir, const char *part, int64_t day)
{
	struct list_ctx *c = ctx;

	list_day(&c->l, daydir, part, day, c->from_hour, c->to_hour);
}

int hub_seg_list_day(const char *daydir, const char *part, int64_t day, int64_t from_hour,
                     int64_t to_hour, struct hub_seginfo **v, size_t *n, size_t *cap)
{
	struct list l = { *v, *n, *cap };
	size_t before = *n;

	list_day(&l, daydir, part, day, from_hour, to_hour);
	*v = l.v;
	*n = l.n;
	*cap = l.cap;
	return (int)(l.n - before);
}

int hub_seg_list(const char *dir, int64_t from_hour, int64_t to_hour, int by_time,
                 struct hub_seginfo **out, size_t *n, char *err, size_t errlen)
{
	struct list_ctx c = { { 0 }, from_hour, to_hour };

	if (hub_seg_walk_days(dir, from_hour, to_hour, on_day, &c, err, errlen) != 0)
		return -1;
	if (c.l.n && by_time)
		qsort(c.l.v, c.l.n, sizeof(*c.l.v), cmp_seg);
	*out = c.l.v;
	*n = c.l.n;
	return 0;
}

void hub_seg_list_free(struct hub_seginfo *segs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(segs[i].base);
		free(segs[i].part);
	}
	free(segs);
}

/* ---- reading ---- */

int hub_segment_open(struct hub_segment *s, const char *path, int compressed,
                     char *err, size_t errlen)
{
	struct stat st;
	int fd;

	memset(s, 0, sizeof(*s));
	s->compressed = compressed;
	s->frame_coff = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	s->size = (size_t)st.st_size;
	if (s->size) {
		void *m = mmap(NULL, s->size, PROT_READ, MAP_SHARED, fd, 0);

		if (m == MAP_FAILED) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		s->map = m;
		if (!compressed)
			madvise(m, s->size, MADV_SEQUENTIAL);
	}
	close(fd);
	if (compressed)
		s->dctx = ZSTD_createDCtx();
	return 0;
}

void hub_segment_seek(struct hub_segment *s, uint64_t uoff)
{
	if (!s->compressed)
		s->pos = uoff;
}

/* Decompresses the frame at coff into s->frame. Its compressed size in *csize. */
static int load_frame(struct hub_segment *s, uint64_t coff, size_t *csize, char *err, size_t errlen)
{
	size_t fsz, r;
	unsigned long long usz;

	fsz = ZSTD_findFrameCompressedSize(s->map + coff, s->size - coff);
	if (ZSTD_isError(fsz)) {
		snprintf(err, errlen, "damaged zstd frame at byte %llu: %s", (unsigned long long)coff,
		         ZSTD_getErrorName(fsz));
		return -1;
	}
	*csize = fsz;
	if ((int64_t)coff == s->frame_coff)
		return 0;
	usz = ZSTD_getFrameContentSize(s->map + coff, fsz);
	if (usz == ZSTD_CONTENTSIZE_UNKNOWN || usz == ZSTD_CONTENTSIZE_ERROR || usz > FRAME_MAX) {
		snprintf(err, errlen, "zstd frame at byte %llu has no usable content size (not written by hub-archive?)",
		         (unsigned long long)coff);
		return -1;
	}
	hub_buf_reset(&s->frame);
	hub_buf_reserve(&s->frame, (size_t)usz + 1);
	r = ZSTD_decompressDCtx(s->dctx, s->frame.data, (size_t)usz + 1, s->map + coff, fsz);
	if (ZSTD_isError(r) || r != usz) {
		snprintf(err, errlen, "damaged zstd frame at byte %llu: %s", (unsigned long long)coff,
		         ZSTD_isError(r) ? ZSTD_getErrorName(r) : "wrong size");
		s->frame_coff = -1;
		return -1;
	}
	s->frame.len = r;
	s->frame_coff = (int64_t)coff;
	return 0;
}

/* Length of the whole lines at the start of p (up to the last newline). */
static size_t whole_lines(const char *p, size_t n)
{
	const char *nl = n ? memrchr(p, '\n', n) : NULL;

	return nl ? (size_t)(nl - p) + 1 : 0;
}

int hub_segment_next(struct hub_segment *s, const char **data, size_t *len, uint64_t *uoff,
                     char *err, size_t errlen)
{
	size_t csize;

	if (!s->compressed) {
		size_t n;

		if (s->pos >= s->size)
			return 0;
		n = whole_lines(s->map + s->pos, s->size - s->pos);
		*data = s->map + s->pos;
		*len = n;
		*uoff = s->pos;
		s->pos = s->size;
		return n > 0;
	}
	while (s->pos < s->size) {
		if (load_frame(s, s->pos, &csize, err, errlen) != 0)
			return -1;
		s->pos += csize;
		*data = s->frame.data;
		*len = whole_lines(s->frame.data, s->frame.len);
		*uoff = s->upos;
		s->upos += s->frame.len;
		if (*len)
			return 1;
	}
	return 0;
}

int hub_segment_line_at(struct hub_segment *s, const struct hub_aindex *ix, uint64_t off,
                        const char **line, size_t *len)
{
	const char *base, *nl;
	size_t n;
	char err[256];

	if (!s->compressed) {
		base = s->map;
		n = s->size;
	} else {
		size_t lo = 0, hi = ix ? ix->nframes : 0, csize;

		/* the last frame starting at or before off */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (ix->frames[mid].uoff <= off)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0 || ix->frames[lo - 1].coff >= s->size)
			return -1;
		if (load_frame(s, ix->frames[lo - 1].coff, &csize, err, sizeof(err)) != 0)
			return -1;
		off -= ix->frames[lo - 1].uoff;
		base = s->frame.data;
		n = s->frame.len;
	}
	if (off >= n || !(nl = memchr(base + off, '\n', n - off)))
		return -1;
	*line = base + off;
	*len = (size_t)(nl - base - off);
	return 0;
}

void hub_segment_close(struct hub_segment *s)
{
	if (s->map)
		munmap((void *)s->map, s->size);
	ZSTD_freeDCtx(s->dctx);
	hub_buf_free(&s->frame);
	memset(s, 0, sizeof(*s));
}

/* ---- compression ---- */

int hub_segment_compress(const char *plain, const char *zst, int level, size_t frame_size,
                         struct hub_aindex_builder *b, int do_fsync, char *err, size_t errlen)
{
	struct hub_segment in;
	struct hub_buf tmp = { 0 }, out = { 0 };
	ZSTD_CCtx *cctx = NULL;
	uint64_t pos = 0, coff = 0;
	size_t total;
	int fd = -1, rc = -1;

	if (hub_segment_open(&in, plain, 0, err, errlen) != 0)
		return -1;
	total = whole_lines(in.map, in.size);
	hub_buf_addf(&tmp, "%s.tmp", zst);
	fd = open(hub_buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp.data, strerror(errno));
		goto out;
	}
	cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
	b->nframes = 0;
	while (pos < total) {
		size_t n = total - pos, c;

		if (n > frame_size) {
			/* whole lines up to frame_size, or one longer line */
			const char *nl = memrchr(in.map + pos, '\n', frame_size);

			if (!nl)
				nl = memchr(in.map + pos + frame_size, '\n', n - frame_size);
			n = (size_t)(nl - (in.map + pos)) + 1;
		}
		hub_buf_reset(&out);
		hub_buf_reserve(&out, ZSTD_compressBound(n));
		c = ZSTD_compress2(cctx, out.data, out.cap, in.map + pos, n);
		if (ZSTD_isError(c)) {
			snprintf(err, errlen, "%s: zstd: %s", plain, ZSTD_getErrorName(c));
			goto fail;
		}
		if (hub_write_all(fd, out.data, c) != 0) {
			snprintf(err, errlen, "%s: %s", tmp.data, strerror(errno));
			goto fail;
		}
		hub_aindex_add_frame(b, pos, coff);
		pos += n;
		coff += c;
	}
	if ((do_fsync && fsync(fd) != 0) || close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "%s: %s", tmp.data, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp.data, zst) != 0) {
		snprintf(err, errlen, "%s: %s", zst, strerror(errno));
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.data);
out:
	ZSTD_freeCCtx(cctx);
	hub_segment_close(&in);
	hub_buf_free(&tmp);
	hub_buf_free(&out);
	return rc;
}

size_t hub_seg_hours(const char *dir, int64_t *first, int64_t *last)
{
	struct hub_seginfo *segs = NULL;
	size_t n = 0;
	char err[256];

	*first = INT64_MAX;
	*last = INT64_MIN;
	if (hub_seg_list(dir, -((int64_t)1 << 40), (int64_t)1 << 40, 0, &segs, &n, err, sizeof(err)) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		*first = segs[i].hour < *first ? segs[i].hour : *first;
		*last = segs[i].hour > *last ? segs[i].hour : *last;
	}
	hub_seg_list_free(segs, n);
	return n;
}
