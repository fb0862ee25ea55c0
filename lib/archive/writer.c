/* archive/writer.c: the writer behind `hub-archive -d DIR`.
 *
 * Invariant: every byte in a segment before its last newline is a whole,
 * valid line that was acknowledged or is about to be, and the in-memory
 * index of an open or resting segment describes exactly the lines in the
 * file plus the pending batch. Segments are looked up in a small table
 * (linear: a few dozen entries, the last one used first); the table is
 * bounded by max_open and each pending batch by batch_bytes, so memory
 * stays bounded whatever the input. The directory lock, compression and
 * the input loop have files of their own (archive/lock.c, compress.c,
 * input.c).
 *
 * Disorder costs time linear in the events, not in the events times the
 * hours they jump: a consumer of many partitions delivers hours hours
 * apart, so a segment is left and come back to all the time. A segment
 * evicted from the table rests (file closed and fsynced, its in-memory
 * index kept, no index file yet), and comes back without re-reading
 * anything; it is sealed (index written, compressed) once, when it is past
 * the horizon: --grace plus how late events have recently come (`reach`).
 * A day index is built once its day is past that horizon too, and only one
 * with no open or resting segment. Under --fsync batch, fsyncs are grouped:
 * a segment is fsynced at most once per --fsync-interval (lines are written
 * at once and acknowledged after their fsync), whatever the size of the
 * pieces the input arrives in. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "archive/segindex-internal.h"
#include "archive/writer.h"
#include "archive/writer-internal.h"
#include "archive/record.h"
#include "archive/dayindex-internal.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"
#include "stream/ndjson.h"
#include "archive/recent-internal.h"
#include "archive/segment-internal.h"
#include "core/signals.h"
#include "core/stats.h"

struct openseg {
	char part[HUB_SEG_NAME_MAX + 1];
	int64_t hour;
	int seq;
	char *base;              /* DIR/part/YYYY/MM/DD/HH[.seq] */
	int fd;
	uint64_t size;           /* bytes in the file and pending */
	struct hub_buf pending;
	struct hub_aindex_builder ix;
	int dirty;               /* written since the last fsync */
	uint64_t kicked;         /* bytes whose write-back was started */
	uint64_t used;           /* last use, for eviction */
};

/* Resting segments at most, and their in-memory indexes' bytes at most;
 * past either, the least recently used are sealed. */
#define REST_MAX 4096
/* write-back is started for this much written at a time (write_seg) */
#define KICK_BYTES ((uint64_t)1 << 20)
#define REST_BYTES ((size_t)64 << 20)
/* The in-memory indexes of open and resting segments, at most: past it, the
 * least recently used are sealed (resting ones first). */
#define INDEX_BYTES ((size_t)512 << 20)
/* how late events came is remembered for two windows of this many hours */
#define LATE_WINDOW 12

/* A day directory written to: its day index is rebuilt once the day is over
 * (no segment of it open, events past its end and the grace period). */
struct touched {
	char *daydir;
	char part[HUB_SEG_NAME_MAX + 1];
	int64_t day;
};

struct hub_archive {
	struct hub_archive_opts o;
	struct touched *days;
	int ndays;
	struct hub_failstore *fs;
	struct hub_arec_parser *parser;
	struct openseg **segs;
	int nsegs;
	struct openseg *last;
	uint64_t tick;
	size_t pending;
	struct hub_buf ack;
	int lock_fd;
	int broken;
	int64_t max_hour;
	double last_sync;
	struct hub_recent *recent;   /* the lines stored last: a repeat is not stored again */
	uint64_t repeats;
	uint64_t added_line;     /* the last line number given to add */
	uint64_t durable_line;   /* every line up to it is stored as the policy says */
	struct hub_buf path, tmp;
	struct openseg **rest;   /* resting segments (see the top of the file) */
	int nrest, rest_dirty;   /* ... and those written since their last fsync */
	size_t rest_bytes;
	int64_t late_now, late_prev, late_since;   /* hours late, this window and the last */
	int moved;               /* the horizon moved, or a segment was sealed */
	uint64_t unsynced;       /* bytes written since the last fsync (--fsync batch) */
	struct hub_archive_counters own, *count;
};

static int64_t reach(const struct hub_archive *a)
{
	return a->late_now > a->late_prev ? a->late_now : a->late_prev;
}

/* Whether segments and days of this hour are done: events newer than
 * grace and recent lateness have arrived. */
static int past_horizon(const struct hub_archive *a, int64_t hour)
{
	return a->max_hour != INT64_MIN && hour + a->o.grace_hours + reach(a) < a->max_hour;
}

static size_t index_bytes(const struct openseg *s)
{
	return (s->ix.n[0] + s->ix.n[1]) * sizeof(struct hub_aindex_entry);
}


/* Descriptors for max_open segments and a few more: the soft limit is
 * raised as far as the hard one allows, and max_open lowered to fit. */
static int fit_open_files(int max_open)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max_open + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return max_open;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return max_open;
	max_open = rl.rlim_cur > 80 ? (int)(rl.rlim_cur - 64) : 16;
	hub_info("--max-open lowered to %d: the limit on open files is %llu", max_open,
	         (unsigned long long)rl.rlim_cur);
	return max_open;
}

struct hub_archive *hub_archive_open(const struct hub_archive_opts *o, struct hub_failstore *fs,
                                     struct hub_error *e)
{
	struct hub_archive *a;
	int fd;

	if (sodium_init() < 0) {
		hub_fail(e, HUB_EXIT_SOFTWARE, "libsodium could not be initialised");
		return NULL;
	}
	if (hub_archive_lock(o->dir, &fd, e) != 0)
		return NULL;
	a = hub_xcalloc(1, sizeof(*a));
	if (!(a->recent = hub_recent_open(o->dir, e))) {
		close(fd);
		free(a);
		return NULL;
	}
	a->o = *o;
	a->o.max_open = fit_open_files(o->max_open);
	a->fs = fs;
	a->lock_fd = fd;
	a->parser = hub_arec_parser_new();
	a->segs = hub_xcalloc((size_t)a->o.max_open, sizeof(*a->segs));
	a->rest = hub_xcalloc(REST_MAX, sizeof(*a->rest));
	a->max_hour = INT64_MIN;
	a->late_since = INT64_MIN;
	a->last_sync = hub_now() - o->fsync_interval;
	a->count = &a->own;
	return a;
}

void hub_archive_count(struct hub_archive *a, struct hub_archive_counters *c)
{
	*c = *a->count;
	a->count = c;
}

static int exists(const char *base, const char *ext, struct hub_buf *tmp)
{
	struct stat st;

	hub_buf_reset(tmp);
	hub_buf_addf(tmp, "%s%s", base, ext);
	return stat(hub_buf_cstr(tmp), &st) == 0;
}

/* A last line without its newline is what a write cut short leaves: it
 * was never acknowledged. It goes to the failure store, and the file is
 * truncated after its last newline. */
static int repair_tail(struct hub_archive *a, int fd, const char *path, uint64_t *size)
{
	struct stat st;
	char *buf;
	size_t chunk = 1 << 16;
	off_t end, cut = 0;

	if (fstat(fd, &st) != 0)
		return -1;
	end = st.st_size;
	*size = (uint64_t)end;
	if (end == 0)
		return 0;
	buf = hub_xmalloc(chunk);
	for (off_t pos = end; pos > 0;) {
		size_t n = (size_t)(pos > (off_t)chunk ? (off_t)chunk : pos);
		ssize_t r = pread(fd, buf, n, pos - (off_t)n);
		const char *nl;

		if (r != (ssize_t)n) {
			free(buf);
			return -1;
		}
		if ((nl = memrchr(buf, '\n', n))) {
			cut = pos - (off_t)n + (nl - buf) + 1;
			break;
		}
		pos -= (off_t)n;
	}
	free(buf);
	if (cut == end)
		return 0;
	{
		size_t tn = (size_t)(end - cut);
		char *torn = hub_xmalloc(tn ? tn : 1);
		struct hub_buf extra = { 0 };

		if (pread(fd, torn, tn, cut) != (ssize_t)tn) {
			free(torn);
			return -1;
		}
		hub_buf_adds(&extra, "\"segment\":");
		hub_buf_json_string(&extra, path, strlen(path));
		hub_warn("%s: %zu bytes of a line cut short by an interrupted write removed "
		         "(kept in the failure store)", path, tn);
		hub_failstore_add(a->fs, "torn line at the end of a segment (interrupted write), removed",
		                  0, torn, tn, 0, hub_buf_cstr(&extra));
		hub_buf_free(&extra);
		free(torn);
	}
	if (ftruncate(fd, cut) != 0)
		return -1;
	*size = (uint64_t)cut;
	return 0;
}

/* Reads an existing segment's entries into its in-memory index: from its
 * index file when that describes the whole file, else from its lines. */
static int reindex(struct hub_archive *a, struct openseg *s, const char *path)
{
	struct hub_aindex ix;
	void *m;

	if (s->size == 0)
		return 0;
	hub_buf_reset(&a->path);
	hub_buf_addf(&a->path, "%s.idx", s->base);
	if (hub_aindex_open(hub_buf_cstr(&a->path), &ix) == 0) {
		int ok = ix.covered == s->size && hub_aindex_load_entries(&ix, HUB_AINDEX_ID, &s->ix) == 0 &&
		         hub_aindex_load_entries(&ix, HUB_AINDEX_SUBJECT, &s->ix) == 0;

		if (ok)
			s->ix.nlines = ix.nlines;
		hub_aindex_close(&ix);
		if (ok)
			return 0;
		hub_aindex_builder_reset(&s->ix);
	}
	m = mmap(NULL, s->size, PROT_READ, MAP_SHARED, s->fd, 0);
	if (m == MAP_FAILED) {
		hub_err("%s: %s", path, strerror(errno));
		return -1;
	}
	hub_aindex_add_lines(&s->ix, a->parser, m, s->size, 0);
	munmap(m, s->size);
	return 0;
}

static int rest_seg(struct hub_archive *a, struct openseg *s);

static int64_t day_of(int64_t hour)
{
	return hour >= 0 ? hour / 24 : -((-hour + 23) / 24);
}

/* Records that the day of segment s is about to change, and removes its
 * day index, which readers trust to cover the whole day; it is rebuilt
 * once the day is over. */
static void touch_day(struct hub_archive *a, const struct openseg *s)
{
	char *dir = hub_xstrdup(s->base), *slash = strrchr(dir, '/');
	int i;

	if (slash)
		*slash = 0;
	hub_buf_reset(&a->tmp);
	hub_buf_addf(&a->tmp, "%s/%s", dir, HUB_DAYINDEX_NAME);
	if (unlink(hub_buf_cstr(&a->tmp)) == 0 && a->o.fsync != HUB_FSYNC_NEVER)
		hub_fsync_dir(a->tmp.data);
	for (i = 0; i < a->ndays; i++)
		if (strcmp(a->days[i].daydir, dir) == 0)
			break;
	if (i < a->ndays) {
		free(dir);
		return;
	}
	a->days = hub_xrealloc(a->days, (size_t)(a->ndays + 1) * sizeof(*a->days));
	a->days[a->ndays].daydir = dir;
	snprintf(a->days[a->ndays].part, sizeof(a->days[a->ndays].part), "%s", s->part);
	a->days[a->ndays].day = day_of(s->hour);
	a->ndays++;
}

/* Builds the day indexes of the days that are over (all of them with all). */
static int build_days(struct hub_archive *a, int all)
{
	char err[512];
	int rc = 0;

	for (int i = 0; i < a->ndays;) {
		struct touched *t = &a->days[i];
		int busy = 0;

		for (int k = 0; k < a->nsegs && !busy; k++)
			busy = day_of(a->segs[k]->hour) == t->day && strcmp(a->segs[k]->part, t->part) == 0;
		for (int k = 0; k < a->nrest && !busy; k++)
			busy = day_of(a->rest[k]->hour) == t->day && strcmp(a->rest[k]->part, t->part) == 0;
		if (busy || (!all && !past_horizon(a, (t->day + 1) * 24 - 1))) {
			i++;
			continue;
		}
		if (hub_dayindex_build(t->daydir, err, sizeof(err)) != 0) {
			hub_err("cannot write the day index: %s", err);
			rc = -1;
		}
		a->count->day_indexes++;
		free(t->daydir);
		a->days[i] = a->days[--a->ndays];
	}
	return rc;
}

/* Opens a segment file to append to (read access too: its tail is checked
 * and its lines re-indexed), creating it and its directories as needed,
 * and takes a shared lock on it: `prune` removes only segments whose lock
 * it can take alone, so never one being written. A file removed between
 * the open and the lock (no links left), or a directory removed before the
 * open, is made anew. *fresh: the file was created. -1 with errno. */
static int open_locked(const char *path, int *fresh)
{
	for (int tries = 0; tries < 10; tries++) {
		struct stat st;
		int fd;

		*fresh = access(path, F_OK) != 0;
		if (*fresh && hub_mkdir_parents(path, 0755) != 0)
			return -1;
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_SH) == 0 && fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/* Room in the table: the segment used least recently rests. */
static int evict_one(struct hub_archive *a)
{
	int lru = 0;

	for (int i = 1; i < a->nsegs; i++)
		if (a->segs[i]->used < a->segs[lru]->used)
			lru = i;
	return rest_seg(a, a->segs[lru]);
}

/* s->seq and s->base: the latest segment of (part, hour), or the one
 * after it when that one is closed and compressed. */
static void choose_segment(struct hub_archive *a, struct openseg *s, const char *part, int64_t hour)
{
	int last = -1;

	for (int seq = 0;; seq++) {
		hub_buf_reset(&a->path);
		hub_seg_base(&a->path, a->o.dir, part, hour, seq);
		hub_buf_cstr(&a->path);
		if (!exists(a->path.data, ".ndjson", &a->tmp) && !exists(a->path.data, ".ndjson.zst", &a->tmp))
			break;
		last = seq;
	}
	s->seq = last < 0 ? 0 : last;
	for (;;) {
		hub_buf_reset(&a->path);
		hub_seg_base(&a->path, a->o.dir, part, hour, s->seq);
		s->base = hub_xstrdup(hub_buf_cstr(&a->path));
		if (exists(s->base, ".ndjson.zst", &a->tmp)) {
			/* closed and compressed; a plain twin is a leftover of a crash */
			if (exists(s->base, ".ndjson", &a->tmp))
				unlink(a->tmp.data);
			free(s->base);
			s->seq++;
			continue;
		}
		break;
	}
}

/* A segment found full: make sure it has its index (a->path), and start
 * the next one in its place. */
static int start_next(struct hub_archive *a, struct openseg *s, const char *part, int64_t hour)
{
	char err[512];
	int fresh;

	s->ix.covered = s->size;
	if (hub_aindex_write(&s->ix, a->path.data, a->o.fsync != HUB_FSYNC_NEVER, err,
	                     sizeof(err)) != 0) {
		hub_err("cannot write the index: %s", err);
		return -1;
	}
	hub_aindex_builder_reset(&s->ix);
	close(s->fd);
	s->fd = -1;
	free(s->base);
	s->seq++;
	hub_buf_reset(&a->path);
	hub_seg_base(&a->path, a->o.dir, part, hour, s->seq);
	s->base = hub_xstrdup(hub_buf_cstr(&a->path));
	hub_buf_reset(&a->tmp);
	hub_buf_addf(&a->tmp, "%s.ndjson", s->base);
	s->fd = open_locked(hub_buf_cstr(&a->tmp), &fresh);
	if (s->fd < 0) {
		hub_err("%s: %s", a->tmp.data, strerror(errno));
		return -1;
	}
	s->size = 0;
	return 0;
}

/* A segment that grows: its index (a->path) goes, since readers trust an
 * index to describe a closed segment whole. */
static int drop_index(struct hub_archive *a)
{
	if (unlink(a->path.data) == 0) {
		if (a->o.fsync != HUB_FSYNC_NEVER)
			hub_fsync_dir(a->path.data);
	} else if (errno != ENOENT) {
		hub_err("%s: %s", a->path.data, strerror(errno));
		return -1;
	}
	return 0;
}

/* An existing segment file, opened at path: its last line checked, its
 * lines indexed in memory, then appended to if it has room. */
static int resume_segment(struct hub_archive *a, struct openseg *s, const char *path, const char *part,
                          int64_t hour)
{
	if (repair_tail(a, s->fd, path, &s->size) != 0) {
		hub_err("%s: cannot check its last line: %s", path, strerror(errno));
		return -1;
	}
	if (reindex(a, s, path) != 0)
		return -1;
	hub_buf_reset(&a->path);
	hub_buf_addf(&a->path, "%s.idx", s->base);
	hub_buf_cstr(&a->path);
	if (s->size >= a->o.max_size)
		return start_next(a, s, part, hour);
	return drop_index(a);
}

/* Opens the segment that takes the next lines of (part, hour): the latest
 * plain one if it still has room, else a new one after it. */
/* A resting segment of (part, hour) back into the table: its file opened
 * again, its index still in memory. A file that changed meanwhile (removed
 * by prune, say) is taken as it now is. */
static struct openseg *wake_seg(struct hub_archive *a, int i)
{
	struct openseg *s = a->rest[i];
	int fresh;
	const char *path;
	off_t end;

	a->rest[i] = a->rest[--a->nrest];
	a->rest_bytes -= index_bytes(s);
	a->rest_dirty -= s->dirty;
	if (a->nsegs == a->o.max_open && evict_one(a) != 0)
		goto fail;
	hub_buf_reset(&a->tmp);
	hub_buf_addf(&a->tmp, "%s.ndjson", s->base);
	path = hub_buf_cstr(&a->tmp);
	if ((s->fd = open_locked(path, &fresh)) < 0) {
		hub_err("%s: %s", path, strerror(errno));
		goto fail;
	}
	end = lseek(s->fd, 0, SEEK_END);
	if (fresh || end != (off_t)s->size) {
		hub_aindex_builder_reset(&s->ix);
		s->size = 0;
		if (fresh && a->o.fsync != HUB_FSYNC_NEVER)
			hub_fsync_dir(path);
		touch_day(a, s);
		if (!fresh && resume_segment(a, s, path, s->part, s->hour) != 0)
			goto fail;
	}
	a->count->woken++;
	a->segs[a->nsegs++] = s;
	return s;
fail:
	if (s->fd >= 0)
		close(s->fd);
	hub_aindex_builder_free(&s->ix);
	free(s->base);
	free(s);
	return NULL;
}

static struct openseg *open_seg(struct hub_archive *a, const char *part, int64_t hour)
{
	struct openseg *s;
	int fresh;
	const char *path;

	for (int i = 0; i < a->nrest; i++)
		if (a->rest[i]->hour == hour && strcmp(a->rest[i]->part, part) == 0)
			return wake_seg(a, i);
	if (a->nsegs == a->o.max_open && evict_one(a) != 0)
		return NULL;
	s = hub_xcalloc(1, sizeof(*s));
	snprintf(s->part, sizeof(s->part), "%s", part);
	s->hour = hour;
	s->fd = -1;
	choose_segment(a, s, part, hour);
	/* a day index covers its whole day: it goes before the day changes */
	touch_day(a, s);
	hub_buf_reset(&a->tmp);
	hub_buf_addf(&a->tmp, "%s.ndjson", s->base);
	path = hub_buf_cstr(&a->tmp);
	s->fd = open_locked(path, &fresh);
	if (s->fd < 0) {
		hub_err("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fresh) {
		if (a->o.fsync != HUB_FSYNC_NEVER)
			hub_fsync_dir(path);
	} else if (resume_segment(a, s, path, part, hour) != 0) {
		goto fail;
	}
	a->segs[a->nsegs++] = s;
	return s;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s->base);
	free(s);
	return NULL;
}

/* Starts the write-back of what s has written since the last start, when
 * that is at least `least` bytes (the kernel charges each start's work to
 * the caller, so small ones cost more than they save). */
static void kick(struct openseg *s, uint64_t least)
{
	if (s->kicked > s->size)   /* the file was started again */
		s->kicked = 0;
	if (s->fd >= 0 && s->size > s->kicked && s->size - s->kicked >= least) {
		sync_file_range(s->fd, (off_t)s->kicked, (off_t)(s->size - s->kicked), SYNC_FILE_RANGE_WRITE);
		s->kicked = s->size;
	}
}

static int write_seg(struct hub_archive *a, struct openseg *s)
{
	if (!s->pending.len)
		return 0;
	if (hub_write_all(s->fd, s->pending.data, s->pending.len) != 0) {
		hub_err("%s.ndjson: write failed: %s", s->base, strerror(errno));
		a->broken = 1;
		return -1;
	}
	a->pending -= s->pending.len;
	/* A megabyte or more written since the last start: its write-back
	 * starts now, beside the work that follows, so that the fsync due
	 * later finds little left to wait for */
	if (a->o.fsync != HUB_FSYNC_NEVER)
		kick(s, KICK_BYTES);
	hub_buf_reset(&s->pending);
	s->dirty = 1;
	return 0;
}

static int sync_seg(struct hub_archive *a, struct openseg *s)
{
	if (!s->dirty)
		return 0;
	if (fsync(s->fd) != 0) {
		hub_err("%s.ndjson: fsync failed: %s", s->base, strerror(errno));
		a->broken = 1;
		return -1;
	}
	s->dirty = 0;
	a->count->fsyncs++;
	return 0;
}

/* fsyncs a segment out of the table that was written since its last
 * fsync, through a descriptor opened for it (Linux syncs the file's pages
 * whoever wrote them, and reports a write-back error to a new descriptor
 * when no one has seen it yet). */
static int sync_closed(struct hub_archive *a, struct openseg *s)
{
	int fd, rc;

	if (!s->dirty)
		return 0;
	hub_buf_reset(&a->tmp);
	hub_buf_addf(&a->tmp, "%s.ndjson", s->base);
	if ((fd = open(hub_buf_cstr(&a->tmp), O_RDONLY | O_CLOEXEC)) < 0) {
		hub_err("%s: %s", a->tmp.data, strerror(errno));
		a->broken = 1;
		return -1;
	}
	s->fd = fd;
	rc = sync_seg(a, s);

	close(fd);
	s->fd = -1;
	return rc;
}

/* Takes s out of the table: what is pending written, and with sync, fsynced
 * (unless --fsync never); its file closed; its in-memory index stays. */
static int leave_table(struct hub_archive *a, struct openseg *s, int sync)
{
	int rc = 0;

	if (write_seg(a, s) != 0 || (sync && a->o.fsync != HUB_FSYNC_NEVER && sync_seg(a, s) != 0))
		rc = -1;
	close(s->fd);
	s->fd = -1;
	for (int i = 0; i < a->nsegs; i++)
		if (a->segs[i] == s) {
			a->segs[i] = a->segs[--a->nsegs];
			break;
		}
	if (a->last == s)
		a->last = NULL;
	hub_buf_free(&s->pending);
	if (rc)
		a->broken = 1;
	return rc;
}

/* A segment out of the table, done: its index written, compressed if
 * asked, freed. */
static int seal_seg(struct hub_archive *a, struct openseg *s)
{
	int do_fsync = a->o.fsync != HUB_FSYNC_NEVER, rc = 0;
	char err[512];

	/* the index may only ever describe lines on disk */
	if (do_fsync && !a->broken)
		sync_closed(a, s);
	if (!a->broken) {
		s->ix.covered = s->size;
		hub_buf_reset(&a->tmp);
		hub_buf_addf(&a->tmp, "%s.idx", s->base);
		if (a->o.compress) {
			if (hub_archive_compress_with(s->base, &s->ix, a->o.level, a->o.frame_size, do_fsync, err,
			                              sizeof(err)) != 0) {
				hub_err("cannot compress %s.ndjson (left plain): %s", s->base, err);
				rc = -1;
				s->ix.nframes = 0;
				hub_aindex_write(&s->ix, a->tmp.data, do_fsync, err, sizeof(err));
			}
		} else if (hub_aindex_write(&s->ix, hub_buf_cstr(&a->tmp), do_fsync, err, sizeof(err)) != 0) {
			hub_err("cannot write the index: %s", err);
			rc = -1;
		}
		a->count->sealed++;
		a->moved = 1;
	}
	if (rc)
		a->broken = 1;
	hub_aindex_builder_free(&s->ix);
	free(s->base);
	free(s);
	return rc;
}

/* Takes s out of the table and seals it. */
static int close_seg(struct hub_archive *a, struct openseg *s)
{
	int rc = leave_table(a, s, 1);

	return seal_seg(a, s) != 0 || rc ? -1 : 0;
}

/* Seals the resting segment at i. */
static int seal_resting(struct hub_archive *a, int i)
{
	struct openseg *s = a->rest[i];

	a->rest[i] = a->rest[--a->nrest];
	a->rest_bytes -= index_bytes(s);
	a->rest_dirty -= s->dirty;
	return seal_seg(a, s);
}

/* Takes s out of the table to rest (a full segment is sealed: nothing more
 * goes to it); its fsync waits for the next one due. Past the bounds of the
 * resting, the least recently used are sealed. */
static int rest_seg(struct hub_archive *a, struct openseg *s)
{
	int rc = leave_table(a, s, 0);

	if (rc || s->size >= a->o.max_size)
		return seal_seg(a, s) != 0 || rc ? -1 : 0;
	a->rest[a->nrest++] = s;
	a->rest_bytes += index_bytes(s);
	a->rest_dirty += s->dirty;
	while (a->nrest == REST_MAX || (a->rest_bytes > REST_BYTES && a->nrest > 1)) {
		int lru = 0;

		for (int i = 1; i < a->nrest; i++)
			if (a->rest[i]->used < a->rest[lru]->used)
				lru = i;
		if (seal_resting(a, lru) != 0)
			rc = -1;
	}
	return rc;
}

static struct openseg *find_seg(struct hub_archive *a, const char *part, int64_t hour)
{
	struct openseg *s = a->last;

	if (s && s->hour == hour && strcmp(s->part, part) == 0)
		return s;
	for (int i = 0; i < a->nsegs; i++) {
		s = a->segs[i];
		if (s->hour == hour && strcmp(s->part, part) == 0)
			return s;
	}
	return NULL;
}

int hub_archive_add(struct hub_archive *a, const char *line, size_t len, uint64_t lineno,
                    struct hub_buf *acked)
{
	struct hub_arec rec;
	const char *why, *name;
	size_t n;
	char part[HUB_SEG_NAME_MAX + 1];
	int64_t ms, hour;
	struct openseg *s;
	int rc;

	if (a->broken)
		return -1;
	a->added_line = lineno;
	if ((rc = hub_arec_parse(a->parser, line, len, &rec, &why)) != 0) {
		hub_failstore_add(a->fs, why, lineno, line, len, rc == -2, NULL);
		return 1;
	}
	if (hub_recent_seen(a->recent, line, len)) {
		a->repeats++;
		return 2;
	}
	ms = rec.has_time ? rec.time_ms : hub_time_now_ms();
	hour = ms >= 0 ? ms / 3600000 : -((-ms + 3599999) / 3600000);
	if (rec.envelope && hub_span_str(&rec.topic, &a->tmp, &name, &n) == 0)
		hub_seg_sanitize(name, n, part);
	else if (hub_span_str(&rec.type, &a->tmp, &name, &n) == 0)
		hub_seg_sanitize(name, n, part);
	else
		strcpy(part, "untyped");
	if (!(s = find_seg(a, part, hour)) && !(s = open_seg(a, part, hour))) {
		a->broken = 1;
		return -1;
	}
	a->last = s;
	s->used = ++a->tick;
	hub_aindex_add_rec(&s->ix, &rec, s->size);
	hub_buf_reserve(&s->pending, len + 1);
	memcpy(s->pending.data + s->pending.len, line, len);
	s->pending.data[s->pending.len + len] = '\n';
	s->pending.len += len + 1;
	s->size += len + 1;
	a->pending += len + 1;
	if (hour > a->max_hour) {
		a->max_hour = hour;
		a->moved = 1;
		if (a->late_since == INT64_MIN || hour >= a->late_since + LATE_WINDOW) {
			a->late_prev = a->late_now;
			a->late_now = 0;
			a->late_since = hour;
		}
	} else if (a->max_hour - hour > a->late_now) {
		a->late_now = a->max_hour - hour;
	}
	if (a->o.ack) {
		hub_buf_add(&a->ack, line, len);
		hub_buf_addc(&a->ack, '\n');
	}
	if (s->size >= a->o.max_size || a->pending >= a->o.batch_bytes)
		return hub_archive_flush(a, acked) == 0 ? 0 : -1;
	return 0;
}

/* Whether the lines written are to be fsynced now. --fsync batch: before
 * they are acknowledged, at most once per --fsync-interval (the input
 * loop wakes up for it), sooner when much is waiting or at the end. */
static int sync_due(const struct hub_archive *a, int force)
{
	double since = hub_now() - a->last_sync;

	switch (a->o.fsync) {
	case HUB_FSYNC_BATCH:
		return force || since >= a->o.fsync_interval || a->unsynced >= 16 * (uint64_t)a->o.batch_bytes;
	case HUB_FSYNC_INTERVAL:
		return force || since >= a->o.fsync_interval;
	default:
		return 0;
	}
}

/* Keeps the in-memory indexes within INDEX_BYTES. */
static int bound_indexes(struct hub_archive *a)
{
	size_t total = a->rest_bytes;

	for (int i = 0; i < a->nsegs; i++)
		total += index_bytes(a->segs[i]);
	while (total > INDEX_BYTES && (a->nrest || a->nsegs > 1)) {
		int lru = 0;

		if (a->nrest) {
			for (int i = 1; i < a->nrest; i++)
				if (a->rest[i]->used < a->rest[lru]->used)
					lru = i;
			total -= index_bytes(a->rest[lru]);
			if (seal_resting(a, lru) != 0)
				return -1;
			continue;
		}
		for (int i = 1; i < a->nsegs; i++)
			if (a->segs[i]->used < a->segs[lru]->used)
				lru = i;
		total -= index_bytes(a->segs[lru]);
		if (close_seg(a, a->segs[lru]) != 0)
			return -1;
	}
	return 0;
}

static int flush(struct hub_archive *a, struct hub_buf *acked, int force)
{
	int dirty = 0;

	if (a->broken)
		return -1;
	for (int i = 0; i < a->nsegs; i++) {
		a->unsynced += a->segs[i]->pending.len;
		if (write_seg(a, a->segs[i]) != 0)
			return -1;
	}
	/* the lines are written: so are their hashes, for a kill -9 */
	if (hub_recent_wrote(a->recent) != 0) {
		a->broken = 1;
		return -1;
	}
	if (sync_due(a, force)) {
		/* every segment's write-back is under way before the first
		 * fsync waits: the disk takes them together, and a journal
		 * commit that one fsync waits for covers the others' too */
		for (int i = 0; i < a->nsegs; i++)
			if (a->segs[i]->dirty)
				kick(a->segs[i], 1);
		for (int i = 0; i < a->nsegs; i++)
			if (sync_seg(a, a->segs[i]) != 0)
				return -1;
		for (int i = 0; i < a->nrest && a->rest_dirty; i++) {
			if (!a->rest[i]->dirty)
				continue;
			if (sync_closed(a, a->rest[i]) != 0)
				return -1;
			a->rest_dirty--;
		}
		a->last_sync = hub_now();
		a->unsynced = 0;
	}
	/* rotation: by size, and by time once past the horizon */
	for (int i = 0; i < a->nsegs;) {
		struct openseg *s = a->segs[i];

		if (s->size >= a->o.max_size || past_horizon(a, s->hour)) {
			if (close_seg(a, s) != 0)
				return -1;
			continue;   /* the table moved its last entry to i */
		}
		i++;
	}
	if (bound_indexes(a) != 0)
		return -1;
	dirty = a->rest_dirty > 0;
	for (int i = 0; i < a->nsegs && !dirty; i++)
		dirty = a->segs[i]->dirty;
	if (!dirty)
		a->unsynced = 0;
	/* Every line given is durable now: the hashes of the lines after the
	 * lines, fsynced after them; then the writer of the input may hear of
	 * them (hub_archive_durable_line). */
	if (a->o.fsync == HUB_FSYNC_NEVER || !dirty) {
		if (hub_recent_sync(a->recent, a->o.fsync != HUB_FSYNC_NEVER) != 0) {
			a->broken = 1;
			return -1;
		}
		a->durable_line = a->added_line;
	}
	/* the lines are stored (under --fsync batch: fsynced too): acknowledge them */
	if (acked && a->ack.len && (a->o.fsync != HUB_FSYNC_BATCH || !dirty)) {
		hub_buf_add(acked, a->ack.data, a->ack.len);
		hub_buf_reset(&a->ack);
	}
	if (!a->moved)
		return 0;
	a->moved = 0;
	for (int i = 0; i < a->nrest;) {
		if (past_horizon(a, a->rest[i]->hour)) {
			if (seal_resting(a, i) != 0)
				return -1;
			continue;
		}
		i++;
	}
	return a->ndays ? build_days(a, 0) : 0;
}

int hub_archive_flush(struct hub_archive *a, struct hub_buf *acked)
{
	return flush(a, acked, 0);
}

/* How long the written lines may wait for their fsync, in ms, if some
 * wait; else -1. The write loop waits no longer than that for input, so a
 * stream that pauses is synced (and, under --fsync batch, acknowledged)
 * within the interval, not at the next line, whenever that comes. */
int hub_archive_sync_due_ms(const struct hub_archive *a)
{
	double left;
	int dirty = 0;

	if (a->o.fsync == HUB_FSYNC_NEVER)
		return -1;
	dirty = a->rest_dirty > 0;
	for (int i = 0; i < a->nsegs && !dirty; i++)
		dirty = a->segs[i]->dirty;
	if (!dirty)
		return -1;
	left = a->last_sync + a->o.fsync_interval - hub_now();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

uint64_t hub_archive_durable_line(const struct hub_archive *a)
{
	return a->durable_line;
}

int hub_archive_sync(struct hub_archive *a, struct hub_buf *acked)
{
	/* forced: every segment, open or resting, fsynced now */
	if (flush(a, acked, 1) != 0)
		return -1;
	if (hub_recent_sync(a->recent, a->o.fsync != HUB_FSYNC_NEVER) != 0) {
		a->broken = 1;
		return -1;
	}
	a->durable_line = a->added_line;
	return 0;
}

uint64_t hub_archive_repeats(const struct hub_archive *a)
{
	return a->repeats;
}

int hub_archive_close(struct hub_archive *a, struct hub_buf *acked)
{
	int rc;

	if (!a)
		return 0;
	rc = flush(a, acked, 1);
	if (a->o.fsync != HUB_FSYNC_NEVER) {
		for (int i = 0; i < a->nsegs; i++)
			if (sync_seg(a, a->segs[i]) != 0)
				rc = -1;
		for (int i = 0; i < a->nrest; i++)
			if (sync_closed(a, a->rest[i]) != 0)
				rc = -1;
		a->rest_dirty = 0;
	}
	if (acked && a->ack.len && !a->broken) {
		hub_buf_add(acked, a->ack.data, a->ack.len);
		hub_buf_reset(&a->ack);
	}
	while (a->nsegs)
		if (close_seg(a, a->segs[0]) != 0)
			rc = -1;
	while (a->nrest)
		if (seal_resting(a, 0) != 0)
			rc = -1;
	if (build_days(a, 1) != 0)
		rc = -1;
	free(a->days);
	free(a->rest);
	if (a->broken)
		rc = -1;
	if (hub_recent_sync(a->recent, a->o.fsync != HUB_FSYNC_NEVER) != 0)
		rc = -1;
	hub_recent_close(a->recent);
	hub_arec_parser_free(a->parser);
	free(a->segs);
	hub_buf_free(&a->ack);
	hub_buf_free(&a->path);
	hub_buf_free(&a->tmp);
	close(a->lock_fd);
	free(a);
	return rc;
}
