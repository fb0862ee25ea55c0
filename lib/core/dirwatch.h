/* core/dirwatch.h: a directory tree watched for changes (inotify).
 *
 * The directory and the folders directly in it are watched for files
 * created, written, renamed and removed (what `git pull` and an editor
 * do). The caller polls hub_dirwatch_fd() and, when it is readable,
 * hub_dirwatch_changed() says whether something changed; a caller
 * reloads once the tree has been quiet for a moment, then calls
 * hub_dirwatch_rescan() so folders added since are watched too. */
#ifndef HUB_DIRWATCH_H
#define HUB_DIRWATCH_H

#include "core/buf.h"

struct hub_dirwatch;

/* NULL with the reason in err (no inotify, or dir not readable). */
struct hub_dirwatch *hub_dirwatch_new(const char *dir, struct hub_buf *err);
int hub_dirwatch_fd(const struct hub_dirwatch *w);
/* Reads the pending events: 1 if any names a change, else 0. */
int hub_dirwatch_changed(struct hub_dirwatch *w);
/* Watches the folders now in the directory (new ones included). */
void hub_dirwatch_rescan(struct hub_dirwatch *w);
void hub_dirwatch_free(struct hub_dirwatch *w);

#endif
