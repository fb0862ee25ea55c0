/* stream/failstore.c: appending failed events, safely, to the failure store.
 *
 * Failures are rare, so each record is built in memory and written with a
 * single write(2) on an O_APPEND descriptor: a reader never sees half a
 * record and concurrent tools do not interleave. A failed write is
 * reported and remembered, so the tool's exit status says so. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/file-internal.h"
#include "core/metrics.h"
#include "stream/failstore.h"

struct hub_failstore {
	char *path;
	int fd;
	int broken;
	uint64_t count;
	struct hub_buf rec;
};

static char *default_path(void)
{
	static const char *const where[] = { "@state/hub/failed.ndjson", NULL };

	return hub_default_path("HUB_DLQ", where, HUB_PATH_FIRST);
}

struct hub_failstore *hub_failstore_new(const char *path)
{
	struct hub_failstore *fs = hub_xcalloc(1, sizeof(*fs));

	fs->path = path ? hub_xstrdup(path) : default_path();
	fs->fd = -1;
	return fs;
}

/* A store that others can read, or that is a link to somewhere else, is
 * used (refusing would lose the events) but said, once: its events may
 * carry personal data. */
static void check_exposure(const struct hub_failstore *fs)
{
	struct stat sb;

	if (lstat(fs->path, &sb) != 0)
		return;
	if (S_ISLNK(sb.st_mode))
		hub_warn("failure store %s is a symbolic link: its events (which may hold personal data) "
		         "go where it points; give --dlq the real file", fs->path);
	else if (sb.st_mode & 077)
		hub_warn("failure store %s is readable by others (mode %04o) and its events may hold "
		         "personal data: chmod 600 %s", fs->path, (unsigned)(sb.st_mode & 07777), fs->path);
}

/* A record torn by a writer killed in mid-write is ended with a newline
 * before anything is appended, so the next record starts a line of its
 * own and readers lose only the torn one. */
static void end_torn_line(int fd)
{
	struct stat sb;
	char last;

	if (fstat(fd, &sb) == 0 && sb.st_size > 0 && pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n')
		hub_write_all(fd, "\n", 1);
}

/* Read and write, to look at the last byte; write-only when that is all
 * the file allows. */
static int open_append(const char *path)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	return fd < 0 && errno == EACCES ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : fd;
}

static int open_store(struct hub_failstore *fs)
{
	if (fs->fd >= 0)
		return 0;
	if (fs->broken)
		return -1;
	check_exposure(fs);
	fs->fd = open_append(fs->path);
	if (fs->fd < 0 && errno == ENOENT) {
		hub_mkdir_parents(fs->path, 0700);   /* like XDG state dirs */
		fs->fd = open_append(fs->path);
	}
	if (fs->fd < 0) {
		hub_err("failure store %s: %s: events that fail cannot be kept; "
		        "give a writable --dlq FILE", fs->path, strerror(errno));
		fs->broken = 1;
		return -1;
	}
	end_torn_line(fs->fd);
	return 0;
}

void hub_time_now_iso(char *buf, size_t n)
{
	struct timeval tv;
	struct tm tm;
	char tmp[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03ldZ", tmp, (long)(tv.tv_usec / 1000));
}

int hub_failstore_add(struct hub_failstore *fs, const char *reason, uint64_t line,
                      const char *event, size_t len, int event_is_json, const char *extra)
{
	char now[40];
	const char *p;
	size_t left;

	fs->count++;
	if (open_store(fs) < 0)
		return -1;
	hub_time_now_iso(now, sizeof(now));
	hub_buf_reset(&fs->rec);
	hub_buf_addf(&fs->rec, "{\"time\":\"%s\",\"tool\":", now);
	hub_buf_json_string(&fs->rec, hub_progname, strlen(hub_progname));
	if ((p = getenv("HUB_PIPELINE")) && *p) {
		/* which pipeline: a systemd unit or a script sets it for all its stages */
		hub_buf_adds(&fs->rec, ",\"pipeline\":");
		hub_buf_json_string(&fs->rec, p, strlen(p));
	}
	hub_buf_adds(&fs->rec, ",\"reason\":");
	hub_buf_json_string(&fs->rec, reason, strlen(reason));
	if (line) {
		hub_buf_adds(&fs->rec, ",\"line\":");
		hub_buf_add_int(&fs->rec, (int64_t)line);
	}
	if (extra && *extra) {
		hub_buf_addc(&fs->rec, ',');
		hub_buf_adds(&fs->rec, extra);
	}
	hub_buf_adds(&fs->rec, ",\"event\":");
	if (event_is_json)
		hub_buf_add(&fs->rec, event, len);
	else
		hub_buf_json_string(&fs->rec, event, len);
	hub_buf_add(&fs->rec, "}\n", 2);

	p = fs->rec.data;
	left = fs->rec.len;
	while (left > 0) {
		ssize_t w = write(fs->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			hub_err("failure store %s: write: %s", fs->path, strerror(errno));
			fs->broken = 1;
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	hub_metrics_failure(reason);
	return 0;
}

uint64_t hub_failstore_count(const struct hub_failstore *fs)
{
	return fs->count;
}

const char *hub_failstore_path(const struct hub_failstore *fs)
{
	return fs->path;
}

int hub_failstore_close(struct hub_failstore *fs)
{
	int rc = 0;

	if (!fs)
		return 0;
	if (fs->fd >= 0) {
		if (fsync(fs->fd) < 0 && errno != EINVAL) {
			hub_err("failure store %s: fsync: %s", fs->path, strerror(errno));
			rc = -1;
		}
		if (close(fs->fd) < 0)
			rc = -1;
	}
	if (fs->broken)
		rc = -1;
	hub_buf_free(&fs->rec);
	free(fs->path);
	free(fs);
	return rc;
}
