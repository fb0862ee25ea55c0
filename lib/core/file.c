/* core/file.c: whole writes, directory syncs, whole-file replacement, mkdir -p and
 * the default paths of every tool (see core/file-internal.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int hub_mkdirs(const char *dir, int mode)
{
	char *p = hub_xstrdup(dir);
	size_t n = strlen(p);
	int rc = 0;

	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	for (char *s = p + 1; rc == 0; s++) {
		int last = *s == 0;

		if (*s != '/' && !last)
			continue;
		*s = 0;
		if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST)
			rc = -1;
		if (last)
			break;
		*s = '/';
	}
	if (rc == 0) {
		struct stat sb;

		if (stat(p, &sb) != 0)
			rc = -1;
		else if (!S_ISDIR(sb.st_mode))
			errno = ENOTDIR, rc = -1;
	}
	free(p);
	return rc;
}

int hub_mkdir_parents(const char *path, int mode)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	if (!slash || slash == path)
		return 0;
	dir = hub_xstrndup(path, (size_t)(slash - path));
	rc = hub_mkdirs(dir, mode);
	free(dir);
	return rc;
}

/* The folder of the running program (/proc/self/exe resolved), without a
 * trailing slash; NULL when it cannot be read. A tool installed under any
 * PREFIX finds its data at @exe/../share/hub, whatever PREFIX it was built
 * with. */
static char *exe_dir(void)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n <= 0 || n >= (ssize_t)sizeof(path) - 1)
		return NULL;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || slash == path)
		return NULL;
	return hub_xstrndup(path, (size_t)(slash - path));
}

/* "@config/hub/x" with @config, @state or @runtime spelled out as XDG says
 * (the environment variable, else its default under $HOME; @runtime has
 * no default), @exe as the running program's folder and @uid as the user
 * id. NULL when a base is not set. */
static char *expand(const char *t)
{
	static const struct { const char *word, *env, *under_home; } bases[] = {
		{ "@config", "XDG_CONFIG_HOME", "/.config" },
		{ "@state", "XDG_STATE_HOME", "/.local/state" },
		{ "@runtime", "XDG_RUNTIME_DIR", NULL },
	};
	struct hub_buf b = { 0 };
	int exe = strncmp(t, "@exe/", 5) == 0;

	if (exe) {
		char *d = exe_dir();

		if (!d)
			return NULL;
		hub_buf_adds(&b, d);
		free(d);
		t += 4;
	}
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		size_t n = strlen(bases[i].word);
		const char *v, *home;

		if (strncmp(t, bases[i].word, n) != 0)
			continue;
		v = getenv(bases[i].env);
		if (v && *v) {
			hub_buf_adds(&b, v);
		} else if (bases[i].under_home) {
			home = getenv("HOME");
			hub_buf_adds(&b, home && *home ? home : ".");
			hub_buf_adds(&b, bases[i].under_home);
		} else {
			return NULL;
		}
		t += n;
		break;
	}
	for (const char *u; (u = strstr(t, "@uid")); t = u + 4) {
		hub_buf_add(&b, t, (size_t)(u - t));
		hub_buf_addf(&b, "%u", (unsigned)getuid());
	}
	hub_buf_adds(&b, t);
	hub_buf_cstr(&b);
	if (exe) {
		/* /opt/hub/bin/../share/hub as /opt/hub/share/hub, when it is there */
		char *real = realpath(b.data, NULL);

		if (real) {
			free(b.data);
			return real;
		}
	}
	return b.data;
}

char *hub_default_path(const char *env, const char *const *candidates, enum hub_path_pick pick)
{
	const char *v = env ? getenv(env) : NULL;
	char *last = NULL;

	if (v && *v)
		return hub_xstrdup(v);
	for (int i = 0; candidates[i]; i++) {
		char *p = expand(candidates[i]);

		if (!p)
			continue;
		if (pick == HUB_PATH_FIRST || access(p, F_OK) == 0) {
			free(last);
			return p;
		}
		free(last);
		last = p;
	}
	if (pick == HUB_PATH_EXISTING_OR_LAST)
		return last;
	free(last);
	return NULL;
}

char *hub_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	struct hub_buf b = { 0 };
	struct stat sb;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		errno = e;
		return NULL;
	}
	if (fstat(fd, &sb) != 0)
		e = errno, snprintf(err, errlen, "%s", strerror(e));
	else if (!S_ISREG(sb.st_mode))
		e = EINVAL, snprintf(err, errlen, "not a regular file");
	else if ((size_t)sb.st_size > max)
		e = EFBIG, snprintf(err, errlen, "larger than %zu bytes", max);
	else
		e = 0;
	if (e) {
		close(fd);
		errno = e;
		return NULL;
	}
	hub_buf_reserve(&b, (size_t)sb.st_size + 1);
	for (;;) {
		char chunk[8192];

		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b.len + (size_t)n > max) {   /* it grew while being read */
			n = -1;
			errno = EFBIG;
			break;
		}
		hub_buf_add(&b, chunk, (size_t)n);
	}
	e = errno;
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s", e == EFBIG ? "grew past the size limit while read" : strerror(e));
		hub_buf_free(&b);
		errno = e;
		return NULL;
	}
	*len = b.len;
	hub_buf_cstr(&b);
	return b.data;
}
