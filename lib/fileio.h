/* fileio.h: writing files so that a crash leaves them whole.
 *
 * hub_write_all() retries short writes and EINTR, so a batch of whole
 * lines reaches the file or the call fails; hub_fsync_dir() makes a
 * rename or a new file durable by syncing the directory that holds it. */
#ifndef HUB_FILEIO_H
#define HUB_FILEIO_H

#include <stddef.h>

/* Writes all n bytes. Returns 0, or -1 with errno set. */
int hub_write_all(int fd, const void *p, size_t n);
/* fsyncs the directory of path. Returns 0, or -1 with errno set. */
int hub_fsync_dir(const char *path);

#endif
