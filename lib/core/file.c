/* core/file.c: whole writes, directory syncs and whole-file replacement (see core/file-internal.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/file-internal.h"

int hub_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int hub_fsync_dir(const char *path)
{
	char *copy = hub_xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = -1;

	free(copy);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int hub_write_file(const char *path, const struct iovec *parts, int n, int do_fsync,
                   char *err, size_t errlen)
{
	struct hub_buf tmp = { 0 };
	int fd, i, rc = -1;

	hub_buf_addf(&tmp, "%s.tmp", path);
	fd = open(hub_buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp.data, strerror(errno));
		goto out;
	}
	for (i = 0; i < n && hub_write_all(fd, parts[i].iov_base, parts[i].iov_len) == 0; i++)
		;
	if (i < n || (do_fsync && fsync(fd) != 0)) {
		snprintf(err, errlen, "%s: %s", tmp.data, strerror(errno));
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp.data, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp.data);
		goto out;
	}
	rc = 0;
out:
	hub_buf_free(&tmp);
	return rc;
}
