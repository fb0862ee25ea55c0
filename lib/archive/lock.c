/* archive/lock.c: one writer per archive directory.
 *
 * The writer (hub-archive -d) and the maintenance commands that rewrite
 * segments take DIR/.lock with an exclusive flock(2), never waiting: a
 * second writer is refused with HUB_EXIT_UNAVAILABLE and a message that
 * says so; any other failure is an I/O error. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/writer.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/file-internal.h"
#include "core/exitcodes.h"

int hub_archive_lock(const char *dir, int *fd, struct hub_error *e)
{
	struct hub_buf p = { 0 };

	if (hub_mkdirs(dir, 0755) != 0)
		return hub_fail(e, HUB_EXIT_IOERR, "cannot create %s: %s", dir, strerror(errno));
	hub_buf_addf(&p, "%s/.lock", dir);
	*fd = open(hub_buf_cstr(&p), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0) {
		hub_fail(e, HUB_EXIT_IOERR, "%s: %s", p.data, strerror(errno));
		hub_buf_free(&p);
		return -1;
	}
	hub_buf_free(&p);
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return hub_fail(e, HUB_EXIT_UNAVAILABLE, "%s is being written by another hub-archive (lock "
		                "%s/.lock); one writer per directory", dir, dir);
	}
	return 0;
}
