/* core/file-internal.h: writing files so that a crash leaves them whole.
 *
 * hub_write_all() retries short writes and EINTR, so a batch of whole
 * lines reaches the file or the call fails; hub_fsync_dir() makes a
 * rename or a new file durable by syncing the directory that holds it;
 * hub_write_file() replaces a file by renaming a complete new one over it.
 * hub_mkdirs() is mkdir -p; hub_default_path() is the one place where a
 * tool's files are found when the command line names none. */
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

/* A whole small file, NUL-terminated and malloc'd, with its length in
 * *len. Only a regular file of at most max bytes is read (opened without
 * blocking, so a FIFO or a device named in its place cannot hang or fill
 * memory). NULL with errno set and the reason in err otherwise. */
char *hub_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/* mkdir -p: dir and every missing directory above it, with mode. 0, or -1
 * with errno set (ENOTDIR when something on the way is not a directory). */
int hub_mkdirs(const char *dir, int mode);
/* mkdir -p of the directory that holds path (nothing for a bare name). */
int hub_mkdir_parents(const char *path, int mode);

enum hub_path_pick {
	HUB_PATH_FIRST,             /* the first candidate (a file to create, or to find there) */
	HUB_PATH_EXISTING,          /* the first that exists, else NULL */
	HUB_PATH_EXISTING_OR_LAST,  /* the first that exists, else the last (the error names it) */
};

/* A tool's file when the command line names none: $env when it is set and
 * not empty; else one of the candidates, as pick says. A candidate may start with @config, @state or
 * @runtime ($XDG_CONFIG_HOME, $XDG_STATE_HOME, $XDG_RUNTIME_DIR, or their
 * defaults ~/.config and ~/.local/state; one with an unset @runtime is
 * skipped) or @exe/ (the running program's folder) and may hold @uid (the
 * user id). The result is malloc'd. */
char *hub_default_path(const char *env, const char *const *candidates, enum hub_path_pick pick);

#endif
