/* archive/recent.c: the hashes of the lines stored last (see recent-internal.h).
 *
 * Two generations, each an open-addressing table in memory and a file of
 * 8-byte hashes (host byte order) after a 32-byte header: "HUBRECNT",
 * version, generation number, the 16-byte hash key. New hashes go to the
 * current generation; once it holds HUB_RECENT_KEEP, the older one is
 * emptied (its file truncated) and becomes the current one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "archive/recent-internal.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"

#define MAGIC "HUBRECNT"
#define VERSION 1
#define HEADER 32
#define SLOTS (HUB_RECENT_KEEP * 4)   /* a power of two; load stays under 1/2 */

struct generation {
	uint64_t *slots;
	size_t count;
	uint32_t number;
	int fd;
	char *path;
};

struct hub_recent {
	struct generation g[2];
	int cur;
	unsigned char key[crypto_shorthash_KEYBYTES];
	uint64_t *pending;       /* stored since the last sync */
	size_t npending, cap;
	size_t nwritten;         /* of them, in DIR/.recent.w */
	int wfd;
	char *wpath;
	char boot[40];           /* this boot's id */
};

static void insert(struct generation *g, uint64_t h);

#define WMAGIC "HUBRECNW"
#define WHEADER 48               /* magic, boot id */

/* The kernel's id of this boot: lines written, not fsynced, survive a
 * kill -9 in the page cache, never a reboot. */
static void boot_id(char out[40])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	memset(out, 0, 40);
	if (f) {
		if (!fgets(out, 40, f))
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
}

/* DIR/.recent.w: the hashes of lines written since the last fsync. Kept
 * only if no reboot came in between (the lines may be gone then). */
static int load_written(struct hub_recent *r, struct hub_error *e)
{
	unsigned char h[WHEADER];
	uint64_t buf[4096];
	ssize_t n;
	off_t at = WHEADER;

	boot_id(r->boot);
	if (r->boot[0] && pread(r->wfd, h, WHEADER, 0) == WHEADER && memcmp(h, WMAGIC, 8) == 0 &&
	    memcmp(h + 8, r->boot, 40) == 0) {
		for (; (n = pread(r->wfd, buf, sizeof(buf), at)) >= 8; at += n - n % 8) {
			for (ssize_t i = 0; i < n / 8; i++) {
				insert(&r->g[r->cur], buf[i]);
				if (r->npending == r->cap) {
					r->cap = r->cap ? r->cap * 2 : 4096;
					r->pending = hub_xrealloc(r->pending, sizeof(*r->pending) * r->cap);
				}
				r->pending[r->npending++] = buf[i];
			}
		}
		r->nwritten = r->npending;
		return ftruncate(r->wfd, WHEADER + (off_t)r->nwritten * 8) == 0 ? 0 :
		       hub_fail(e, HUB_EXIT_IOERR, "%s: %s", r->wpath, strerror(errno));
	}
	memset(h, 0, sizeof(h));
	memcpy(h, WMAGIC, 8);
	memcpy(h + 8, r->boot, 40);
	if (ftruncate(r->wfd, 0) < 0 || pwrite(r->wfd, h, WHEADER, 0) != WHEADER)
		return hub_fail(e, HUB_EXIT_IOERR, "%s: %s", r->wpath, strerror(errno));
	return 0;
}

static int lookup(const struct generation *g, uint64_t h)
{
	for (size_t i = h & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1)) {
		if (g->slots[i] == h)
			return 1;
		if (g->slots[i] == 0)
			return 0;
	}
}

static void insert(struct generation *g, uint64_t h)
{
	size_t i;

	if (g->count >= SLOTS - SLOTS / 8)   /* never synced for that long: stop remembering */
		return;
	for (i = h & (SLOTS - 1); g->slots[i] && g->slots[i] != h; i = (i + 1) & (SLOTS - 1))
		;
	if (!g->slots[i]) {
		g->slots[i] = h;
		g->count++;
	}
}

static void header(unsigned char h[HEADER], uint32_t number, const unsigned char *key)
{
	uint32_t v = VERSION;

	memset(h, 0, HEADER);
	memcpy(h, MAGIC, 8);
	memcpy(h + 8, &v, 4);
	memcpy(h + 12, &number, 4);
	memcpy(h + 16, key, 16);
}

/* Empties generation g, file included, as number `number`. */
static int reset(struct hub_recent *r, struct generation *g, uint32_t number, int do_fsync, struct hub_error *e)
{
	unsigned char h[HEADER];

	memset(g->slots, 0, sizeof(*g->slots) * SLOTS);
	g->count = 0;
	g->number = number;
	header(h, number, r->key);
	if (ftruncate(g->fd, 0) < 0 || pwrite(g->fd, h, HEADER, 0) != HEADER || (do_fsync && fsync(g->fd) < 0))
		return hub_fail(e, HUB_EXIT_IOERR, "%s: %s", g->path, strerror(errno));
	return 0;
}

/* Reads a generation's file; 1 if it holds one (of key), else 0. */
static int load(struct hub_recent *r, struct generation *g, int have_key)
{
	unsigned char h[HEADER];
	uint64_t buf[4096];
	uint32_t v, number;
	ssize_t n;

	if (pread(g->fd, h, HEADER, 0) != HEADER || memcmp(h, MAGIC, 8) != 0)
		return 0;
	memcpy(&v, h + 8, 4);
	memcpy(&number, h + 12, 4);
	if (v != VERSION || (have_key && memcmp(h + 16, r->key, 16) != 0))
		return 0;
	if (!have_key)
		memcpy(r->key, h + 16, 16);
	g->number = number;
	for (off_t at = HEADER; (n = pread(g->fd, buf, sizeof(buf), at)) >= 8; at += n - n % 8) {
		for (ssize_t i = 0; i < n / 8; i++)
			insert(g, buf[i]);
	}
	return 1;
}

struct hub_recent *hub_recent_open(const char *dir, struct hub_error *e)
{
	struct hub_recent *r = hub_xcalloc(1, sizeof(*r));
	struct hub_buf p = { 0 };
	int ok[2];

	r->wfd = -1;
	for (int i = 0; i < 2; i++) {
		struct generation *g = &r->g[i];

		hub_buf_reset(&p);
		hub_buf_addf(&p, "%s/.recent.%d", dir, i);
		g->path = hub_xstrdup(hub_buf_cstr(&p));
		g->slots = hub_xcalloc(SLOTS, sizeof(*g->slots));
		g->fd = open(g->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (g->fd < 0) {
			hub_fail(e, HUB_EXIT_IOERR, "%s: %s", g->path, strerror(errno));
			hub_buf_free(&p);
			hub_recent_close(r);
			return NULL;
		}
	}
	hub_buf_reset(&p);
	hub_buf_addf(&p, "%s/.recent.w", dir);
	r->wpath = hub_xstrdup(hub_buf_cstr(&p));
	r->wfd = open(r->wpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	hub_buf_free(&p);
	if (r->wfd < 0) {
		hub_fail(e, HUB_EXIT_IOERR, "%s: %s", r->wpath, strerror(errno));
		hub_recent_close(r);
		return NULL;
	}
	ok[0] = load(r, &r->g[0], 0);
	ok[1] = load(r, &r->g[1], ok[0]);
	if (!ok[0] && !ok[1])
		randombytes_buf(r->key, sizeof(r->key));
	for (int i = 0; i < 2; i++) {
		if (!ok[i] && reset(r, &r->g[i], ok[!i] ? r->g[!i].number - 1 : (uint32_t)i, 1, e) < 0) {
			hub_recent_close(r);
			return NULL;
		}
	}
	r->cur = r->g[1].number > r->g[0].number;
	if (load_written(r, e) < 0) {
		hub_recent_close(r);
		return NULL;
	}
	return r;
}

int hub_recent_wrote(struct hub_recent *r)
{
	size_t n = r->npending - r->nwritten;

	if (n == 0)
		return 0;
	if (pwrite(r->wfd, r->pending + r->nwritten, n * 8, WHEADER + (off_t)r->nwritten * 8) != (ssize_t)(n * 8)) {
		hub_err("%s: %s", r->wpath, strerror(errno));
		return -1;
	}
	r->nwritten = r->npending;
	return 0;
}

int hub_recent_seen(struct hub_recent *r, const char *line, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)line, len, r->key);
	memcpy(&h, out, sizeof(h));
	if (h == 0)
		h = 1;   /* 0 marks an empty slot */
	if (lookup(&r->g[r->cur], h) || lookup(&r->g[!r->cur], h))
		return 1;
	insert(&r->g[r->cur], h);
	if (r->npending == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4096;
		r->pending = hub_xrealloc(r->pending, sizeof(*r->pending) * r->cap);
	}
	r->pending[r->npending++] = h;
	return 0;
}

int hub_recent_sync(struct hub_recent *r, int do_fsync)
{
	struct generation *g = &r->g[r->cur];
	struct hub_error e = { 0 };

	if (r->npending) {
		if (hub_write_all(g->fd, r->pending, r->npending * sizeof(*r->pending)) < 0 ||
		    (do_fsync && fsync(g->fd) < 0)) {
			hub_err("%s: %s", g->path, strerror(errno));
			return -1;
		}
		r->npending = 0;
		r->nwritten = 0;
		/* in the generation now: no longer only written */
		if (ftruncate(r->wfd, WHEADER) < 0) {
			hub_err("%s: %s", r->wpath, strerror(errno));
			return -1;
		}
	}
	if (g->count >= HUB_RECENT_KEEP) {
		struct generation *old = &r->g[!r->cur];

		if (reset(r, old, g->number + 1, do_fsync, &e) < 0) {
			hub_err("%s", e.msg);
			return -1;
		}
		r->cur = !r->cur;
	}
	return 0;
}

void hub_recent_close(struct hub_recent *r)
{
	if (!r)
		return;
	for (int i = 0; i < 2; i++) {
		if (r->g[i].fd >= 0 && r->g[i].path)
			close(r->g[i].fd);
		free(r->g[i].slots);
		free(r->g[i].path);
	}
	free(r->pending);
	if (r->wfd >= 0)
		close(r->wfd);
	free(r->wpath);
	sodium_memzero(r->key, sizeof(r->key));
	free(r);
}
