/* archive/lock.c: one writer per archive directory.
 *
 * The writer (hub-archive -d) and the maintenance commands that rewrite
 * segments take DIR/.lock with an exclusive flock(2), never waiting: a
 * second writer is refused with a message that says so, and that message
 * alone gives the exit status HUB_EXIT_UNAVAILABLE (hub_archive_err_status). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/writer.h"
#include "core/buf.h"
#include "core/exitcodes.h"

#define BUSY "is being written by another hub-archive"

int hub_archive_lock(const char *dir, int *fd, char *err, size_t errlen)
{
	struct hub_buf p = { 0 };

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	hub_buf_addf(&p, "%s/.lock", dir);
	*fd = open(hub_buf_cstr(&p), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0) {
		snprintf(err, errlen, "%s: %s", p.data, strerror(errno));
		hub_buf_free(&p);
		return -1;
	}
	hub_buf_free(&p);
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen, "%s " BUSY " (lock %s/.lock); one writer per directory", dir, dir);
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

int hub_archive_err_status(const char *err)
{
	return strstr(err, BUSY) ? HUB_EXIT_UNAVAILABLE : HUB_EXIT_IOERR;
}
