/* core/file-internal.h: writing files so that a crash leaves them whole.
 *
 * hub_write_all() retries short writes and EINTR, so a batch of whole
 * lines reaches the file or the call fails; hub_fsync_dir() makes a
 * rename or a new file durable by syncing the directory that holds it;
 * hub_write_file() replaces a file by renaming a complete new one over it. */
#ifndef HUB_FILEIO_H
#define HUB_FILEIO_H

#include <stddef.h>
#include <sys/uio.h>

/* Writes all n bytes. Returns 0, or -1 with errno set. */
int hub_write_all(int fd, const void *p, size_t n);
/* fsyncs the directory of path. Returns 0, or -1 with errno set. */
int hub_fsync_dir(const char *path);
/* Writes the n parts to path.tmp, fsyncs it when asked, and renames it to
 * path, so path is whole or as it was. 0, or -1 with "file: reason" in err
 * (path.tmp removed). The directory is not synced (hub_fsync_dir). */
int hub_write_file(const char *path, const struct iovec *parts, int n, int do_fsync,
                   char *err, size_t errlen);

#endif
