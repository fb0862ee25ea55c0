/* archive/maintain.c: prune and compress over the segment list (see archive/maintain.h).
 *
 * Prune takes no writer lock, so it runs beside a writer: it removes a
 * segment only while it holds the segment's own lock alone, which a writer
 * holds shared as long as it has the segment open (a writer closes a
 * segment once events an hour or so newer arrive, so a quiet stream keeps
 * its last ones open). Compress takes the writer lock, so it never
 * compresses a segment that is still being appended to. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/maintain.h"
#include "archive/writer.h"
#include "core/buf.h"
#include "archive/dayindex-internal.h"
#include "core/diag.h"
#include "core/time.h"
#include "core/error.h"
#include "core/exitcodes.h"
#include "archive/segment-internal.h"

static int remove_file(const char *base, const char *ext, int dry_run, hub_file_fn fn, void *ctx,
                       char *err, size_t errlen)
{
	struct hub_buf p = { 0 };
	struct stat st;
	int rc = 0;

	hub_buf_addf(&p, "%s%s", base, ext);
	if (stat(hub_buf_cstr(&p), &st) == 0) {
		if (!dry_run && unlink(p.data) != 0) {
			snprintf(err, errlen, "cannot remove %s: %s", p.data, strerror(errno));
			rc = -1;
		} else if (fn) {
			fn(ctx, p.data, (uint64_t)st.st_size);
		}
	}
	hub_buf_free(&p);
	return rc;
}

/* rmdir the day, month, year and partition directories if now empty. */
static void remove_empty_dirs(const char *dir, const char *base)
{
	char *p = hub_xstrdup(base), *slash;
	size_t keep = strlen(dir);

	while ((slash = strrchr(p, '/')) && (size_t)(slash - p) > keep) {
		*slash = 0;
		if (rmdir(p) != 0)
			break;
	}
	free(p);
}

/* Takes base.ndjson's lock alone, when there is such a file: 0 with *fd
 * the lock (-1: no plain file, which no writer appends to), or -1 when a
 * writer has the segment open. */
static int lock_segment(const char *base, int *fd)
{
	struct hub_buf p = { 0 };

	hub_buf_addf(&p, "%s.ndjson", base);
	*fd = open(hub_buf_cstr(&p), O_RDONLY | O_CLOEXEC);
	hub_buf_free(&p);
	if (*fd >= 0 && flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

int hub_archive_prune(const char *dir, int64_t cutoff_ms, int dry_run, hub_file_fn fn, void *ctx,
                      struct hub_error *e)
{
	char *err = e->msg;
	size_t errlen = sizeof(e->msg);
	struct hub_seginfo *segs;
	size_t n;
	int64_t last_hour = cutoff_ms / 3600000 - 1;
	int rc = 0;
	char **days = NULL;         /* dry run: the day indexes listed already */
	size_t ndays = 0;
	static const char *const exts[] = { ".ndjson", ".ndjson.zst", ".idx" };

	e->status = HUB_EXIT_IOERR;
	if (cutoff_ms < 3600000)
		return 0;
	if (hub_seg_list(dir, INT64_MIN, last_hour, 1, &segs, &n, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int lock;

		if ((segs[i].hour + 1) * 3600000 > cutoff_ms)
			continue;
		if (lock_segment(segs[i].base, &lock) != 0) {
			hub_warn("%s.ndjson: kept, a writer still has it open (it closes it when newer events "
			         "come, or at exit)", segs[i].base);
			continue;
		}
		for (int k = 0; k < 3 && rc == 0; k++)
			rc = remove_file(segs[i].base, exts[k], dry_run, fn, ctx, err, errlen);
		if (lock >= 0)
			close(lock);
		if (rc == 0) {
			/* the day index lists what was removed: it goes too (a cache);
			 * a dry run lists it once a day, as the run would remove it */
			char *day = hub_xstrdup(segs[i].base), *slash = strrchr(day, '/');

			int seen = 0;

			if (slash) {
				*slash = 0;
				for (size_t d = 0; dry_run && d < ndays && !seen; d++)
					seen = strcmp(days[d], day) == 0;
				if (!seen)
					rc = remove_file(day, "/" HUB_DAYINDEX_NAME, dry_run, fn, ctx, err, errlen);
			}
			if (dry_run && !seen) {
				days = hub_xrealloc(days, (ndays + 1) * sizeof(*days));
				days[ndays++] = day;
			} else {
				free(day);
			}
			if (!dry_run)
				remove_empty_dirs(dir, segs[i].base);
		}
	}
	for (size_t d = 0; d < ndays; d++)
		free(days[d]);
	free(days);
	hub_seg_list_free(segs, n);
	return rc;
}

int hub_archive_compress_all(const char *dir, int64_t cutoff_ms, int level, size_t frame_size,
                             int dry_run, hub_file_fn fn, void *ctx, struct hub_error *e)
{
	char *err = e->msg;
	size_t errlen = sizeof(e->msg);
	struct hub_seginfo *segs;
	size_t n;
	int lock, rc = 0;
	struct hub_buf p = { 0 };
	struct stat st;

	if (hub_archive_lock(dir, &lock, e) != 0)
		return -1;
	e->status = HUB_EXIT_IOERR;   /* what fails from here on is reading or writing */
	if (hub_seg_list(dir, INT64_MIN, INT64_MAX, 1, &segs, &n, err, errlen) != 0) {
		close(lock);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!segs[i].plain || segs[i].compressed || (segs[i].hour + 1) * 3600000 > cutoff_ms)
			continue;
		hub_buf_reset(&p);
		hub_buf_addf(&p, "%s.ndjson.zst", segs[i].base);
		if (!dry_run)
			rc = hub_archive_compress_segment(segs[i].base, level, frame_size, 1, err, errlen);
		if (rc == 0 && fn)
			fn(ctx, hub_buf_cstr(&p), stat(p.data, &st) == 0 ? (uint64_t)st.st_size : 0);
	}
	hub_buf_free(&p);
	hub_seg_list_free(segs, n);
	close(lock);
	return rc;
}

struct listing {
	FILE *out;
	uint64_t files, bytes;
};

static void list_file(void *ctx, const char *path, uint64_t size)
{
	struct listing *l = ctx;

	fprintf(l->out, "%s\n", path);
	l->files++;
	l->bytes += size;
}

int hub_archive_housekeeping(const char *dir, int compress, int64_t cutoff_ms, int level,
                             size_t frame_size, int dry_run, FILE *out)
{
	struct listing l = { .out = out };
	struct hub_error e = { 0 };
	int rc;

	int64_t first, last;

	if (!compress && hub_seg_hours(dir, &first, &last) > 0 && (last + 1) * 3600000 <= cutoff_ms) {
		char a[48], b[48], c[48];

		/* the tour's events, or an archive not written to for long */
		hub_time_format(first * 3600000, a, sizeof(a));
		hub_time_format((last + 1) * 3600000, b, sizeof(b));
		hub_time_format(cutoff_ms, c, sizeof(c));
		hub_warn("every hour in %s (%s to %s) ended before %s: prune %s the whole archive", dir, a, b,
		         c, dry_run ? "would remove" : "removes");
	}
	if (compress)
		rc = hub_archive_compress_all(dir, cutoff_ms, level, frame_size, dry_run, list_file, &l,
		                              &e);
	else
		rc = hub_archive_prune(dir, cutoff_ms, dry_run, list_file, &l, &e);
	if (rc != 0) {
		hub_err("%s", e.msg);
		return e.status;
	}
	hub_info("%s%s: %llu files, %llu bytes", compress ? "compress" : "prune",
	         dry_run ? " (dry run, nothing changed)" : "", (unsigned long long)l.files,
	         (unsigned long long)l.bytes);
	return fflush(out) == 0 ? HUB_EXIT_OK : HUB_EXIT_IOERR;
}
