/* core/dirwatch.c: inotify over a directory and its folders (see
 * core/dirwatch.h). Watching again a folder already watched returns the
 * same watch, so a rescan adds only what is new; watches of removed
 * folders go by themselves (IN_IGNORED). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/dirwatch.h"

#define EVENTS (IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
                IN_DELETE_SELF | IN_MOVE_SELF)

struct hub_dirwatch {
	int fd;
	char *dir;
};

struct hub_dirwatch *hub_dirwatch_new(const char *dir, struct hub_buf *err)
{
	struct hub_dirwatch *w;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0) {
		hub_buf_addf(err, "inotify: %s", strerror(errno));
		return NULL;
	}
	if (inotify_add_watch(fd, dir, EVENTS | IN_ONLYDIR) < 0) {
		hub_buf_addf(err, "%s: cannot watch: %s", dir, strerror(errno));
		close(fd);
		return NULL;
	}
	w = hub_xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->dir = hub_xstrdup(dir);
	hub_dirwatch_rescan(w);
	return w;
}

int hub_dirwatch_fd(const struct hub_dirwatch *w)
{
	return w->fd;
}

int hub_dirwatch_changed(struct hub_dirwatch *w)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;

			/* editors' and git's temporary files count too: their rename is the change */
			if (!(e->mask & IN_IGNORED))
				changed = 1;
			p += sizeof(*e) + e->len;
		}
	}
	return changed;
}

void hub_dirwatch_rescan(struct hub_dirwatch *w)
{
	DIR *d = opendir(w->dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct hub_buf path = { 0 };

		if (e->d_name[0] == '.')
			continue;
		hub_buf_addf(&path, "%s/%s", w->dir, e->d_name);
		/* fails quietly for files: IN_ONLYDIR */
		inotify_add_watch(w->fd, hub_buf_cstr(&path), EVENTS | IN_ONLYDIR);
		hub_buf_free(&path);
	}
	closedir(d);
}

void hub_dirwatch_free(struct hub_dirwatch *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w->dir);
	free(w);
}
