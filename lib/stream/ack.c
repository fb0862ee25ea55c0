/* stream/ack.c: the acknowledgement link between two hub tools (see ack.h).
 *
 * The writer binds "hub-ack:DEV:INODE" before it writes, the reader
 * connects before it reads, so by the time the writer sees that bytes
 * left the pipe, a hub reader's connection is already waiting in the
 * listen queue (a Unix stream connect completes there, before accept):
 * "taken but nobody connected" means a reader that is not a hub tool, and
 * from then on the writer counts what it takes. The protocol is text, one
 * message a line, reader to writer: "hub-ack 1" once, then "ack N", N the
 * cumulative count of the pipe's bytes that are safe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/signals.h"
#include "stream/ack.h"

#define HUB_PIPE_BYTES (1 << 20)

#define HELLO "hub-ack 1\n"

enum out_state {
	OUT_FILE,       /* not a pipe: written is safe */
	OUT_PENDING,    /* a pipe, listening, no reader seen yet */
	OUT_LINKED,     /* a hub tool reads and acknowledges */
	OUT_PLAIN,      /* a pipe read by some other program: taken is safe */
};

struct hub_ack_out {
	int fd;
	enum out_state state;
	int listen_fd, link_fd;
	dev_t dev;
	ino_t ino;
	uint64_t written, acked;
	char line[64];
	size_t linelen;
	int helloed;
	int txn;            /* the reader commits our offsets itself */
};

struct hub_ack_in {
	int fd;
	uint64_t sent, want;
	int dead;
	char *news;         /* what the writer said, not yet taken */
	size_t newslen, newscap, taken;
};

static socklen_t link_address(struct sockaddr_un *sa, dev_t dev, ino_t ino)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* sun_path[0] == 0: Linux's abstract namespace, gone with the socket */
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "hub-ack:%llx:%llx",
	             (unsigned long long)dev, (unsigned long long)ino);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* Whether the peer of a link runs as this user and has our pipe as its
 * descriptor fd (0 for a reader, 1 for a writer). Without /proc only the
 * user is checked. */
static int peer_ok(int sock, int fd, dev_t dev, ino_t ino)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat sb;
	char path[64];

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	if (cred.uid != geteuid()) {
		hub_debug("acknowledgement link: peer runs as uid %u, not %u; ignored", (unsigned)cred.uid,
		          (unsigned)geteuid());
		return 0;
	}
	if (access("/proc/self/fd", F_OK) < 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)cred.pid, fd);
	/* a peer that has exited since it connected is let in: the link then
	 * only tells that it made nothing more safe */
	if (stat(path, &sb) < 0)
		return errno == ENOENT;
	if (sb.st_dev != dev || sb.st_ino != ino) {
		hub_debug("acknowledgement link: process %d does not %s this pipe; ignored", (int)cred.pid,
		          fd == 0 ? "read" : "write");
		return 0;
	}
	return 1;
}

struct hub_ack_out *hub_ack_out_new(int fd)
{
	struct hub_ack_out *o = hub_xcalloc(1, sizeof(*o));
	struct sockaddr_un sa;
	struct stat sb;
	socklen_t len;

	o->fd = fd;
	o->listen_fd = o->link_fd = -1;
	o->state = OUT_FILE;
	if (fstat(fd, &sb) < 0 || !S_ISFIFO(sb.st_mode))
		return o;
	o->state = OUT_PLAIN;
	/* a pipe of 1 MiB, not 64 KiB: the stages of a pipeline on fewer
	 * cores than stages then take turns a few times a second, not
	 * thousands (best effort: the system's pipe-max-size may be less) */
	fcntl(fd, F_SETPIPE_SZ, HUB_PIPE_BYTES);
	o->dev = sb.st_dev;
	o->ino = sb.st_ino;
	if (getenv("HUB_NO_ACK"))
		return o;
	len = link_address(&sa, sb.st_dev, sb.st_ino);
	o->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (o->listen_fd < 0 || bind(o->listen_fd, (struct sockaddr *)&sa, len) < 0 || listen(o->listen_fd, 4) < 0) {
		/* EADDRINUSE: another writer of the same pipe has it */
		hub_debug("acknowledgement link: cannot listen (%s); counting what the reader takes",
		          strerror(errno));
		if (o->listen_fd >= 0)
			close(o->listen_fd);
		o->listen_fd = -1;
		return o;
	}
	o->state = OUT_PENDING;
	return o;
}

void hub_ack_out_wrote(struct hub_ack_out *o, uint64_t n)
{
	o->written += n;
}

static void stop_listening(struct hub_ack_out *o)
{
	if (o->listen_fd >= 0)
		close(o->listen_fd);
	o->listen_fd = -1;
}

static void link_lost(struct hub_ack_out *o)
{
	close(o->link_fd);
	o->link_fd = -1;
}

/* One connection from the listen queue, if a hub reader of this pipe
 * made one. */
static void try_accept(struct hub_ack_out *o)
{
	int s;

	while ((s = accept4(o->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (peer_ok(s, 0, o->dev, o->ino)) {
			o->link_fd = s;
			o->state = OUT_LINKED;
			stop_listening(o);
			hub_debug("acknowledgement link: the reader acknowledges what it makes safe");
			return;
		}
		close(s);
	}
}

static void parse_line(struct hub_ack_out *o, const char *p, size_t n)
{
	unsigned long long v;
	char tmp[64];

	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (strcmp(tmp, "hub-ack 1") == 0 || strcmp(tmp, "hub-ack 1 txn") == 0) {
		o->helloed = 1;
		o->txn = tmp[9] == ' ';
	} else if (o->helloed && strcmp(tmp, "txn") == 0) {
		o->txn = 1;
	} else if (o->helloed && sscanf(tmp, "ack %llu", &v) == 1) {
		if (v > o->written)
			v = o->written;
		if (v > o->acked)
			o->acked = v;
	} else {
		hub_debug("acknowledgement link: unexpected message, link dropped");
		link_lost(o);
	}
}

/* Reads what the reader said, without waiting. */
static void read_news(struct hub_ack_out *o)
{
	char buf[512];
	ssize_t n;

	while (o->link_fd >= 0) {
		n = recv(o->link_fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {           /* the reader has gone (or ended) */
			link_lost(o);
			return;
		}
		for (ssize_t i = 0; i < n && o->link_fd >= 0; i++) {
			if (buf[i] == '\n') {
				parse_line(o, o->line, o->linelen);
				o->linelen = 0;
			} else if (o->linelen + 1 < sizeof(o->line)) {
				o->line[o->linelen++] = buf[i];
			} else {
				hub_debug("acknowledgement link: message too long, link dropped");
				link_lost(o);
			}
		}
	}
}

static uint64_t unread(const struct hub_ack_out *o)
{
	int n = 0;

	if (ioctl(o->fd, FIONREAD, &n) < 0 || n < 0)
		return 0;
	return (uint64_t)n > o->written ? o->written : (uint64_t)n;
}

uint64_t hub_ack_out_safe(struct hub_ack_out *o)
{
	uint64_t taken;

	switch (o->state) {
	case OUT_FILE:
		return o->written;
	case OUT_LINKED:
		read_news(o);
		return o->acked;
	case OUT_PENDING:
	case OUT_PLAIN:
		break;
	}
	/* first what was taken, then the listen queue: a hub reader connects
	 * before it takes its first byte */
	taken = o->written - unread(o);
	if (o->state == OUT_PENDING) {
		try_accept(o);
		if (o->state == OUT_LINKED) {
			read_news(o);
			return o->acked;
		}
		if (taken == 0)
			return 0;
		hub_debug("acknowledgement link: the reader is not a hub tool; counting what it takes");
		o->state = OUT_PLAIN;
		stop_listening(o);
	}
	return taken;
}

int hub_ack_out_txn(struct hub_ack_out *o)
{
	if (o->state == OUT_PENDING)
		try_accept(o);   /* a reader that connected already: its hello tells */
	if (o->state == OUT_LINKED && !o->helloed)
		read_news(o);
	return o->state == OUT_LINKED && o->txn;
}

int hub_ack_out_tell(struct hub_ack_out *o, const char *msg, size_t len)
{
	while (o->link_fd >= 0 && len > 0) {
		ssize_t w = send(o->link_fd, msg, len, MSG_NOSIGNAL);

		if (w > 0) {
			msg += w;
			len -= (size_t)w;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			struct pollfd pfd = { .fd = o->link_fd, .events = POLLOUT };

			read_news(o);   /* the reader may wait for us to take its acks */
			if (o->link_fd >= 0)
				poll(&pfd, 1, 100);
		} else {
			link_lost(o);
		}
	}
	return o->link_fd >= 0 ? 0 : -1;
}

int hub_ack_out_linked(const struct hub_ack_out *o)
{
	return o->state == OUT_LINKED;
}

int hub_ack_out_fd(const struct hub_ack_out *o)
{
	return o->state == OUT_LINKED ? o->link_fd : o->state == OUT_PENDING ? o->listen_fd : -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* The pipe's write end replaced by /dev/null: the reader sees the end of
 * its input, and fd stays a valid descriptor for whoever closes it. */
static void close_output(struct hub_ack_out *o)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, o->fd);
		close(null);
	}
}

uint64_t hub_ack_out_end(struct hub_ack_out *o, int patience_ms)
{
	uint64_t safe = hub_ack_out_safe(o), before;
	long idle_since = now_ms();

	if (o->state == OUT_FILE)
		return safe;
	/* no link (yet): wait for the reader to empty the pipe */
	while (o->state != OUT_LINKED && safe < o->written && now_ms() - idle_since < patience_ms &&
	       !hub_stop_requested) {
		struct pollfd pfd = { .fd = o->fd, .events = 0 };

		if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLERR | POLLHUP)))
			return safe;   /* the reader has gone */
		poll(NULL, 0, 10);
		before = safe;
		safe = hub_ack_out_safe(o);
		if (safe > before)
			idle_since = now_ms();
	}
	if (o->state != OUT_LINKED)
		return safe;
	close_output(o);
	idle_since = now_ms();
	while (o->link_fd >= 0 && safe < o->written && now_ms() - idle_since < patience_ms) {
		struct pollfd pfd = { .fd = o->link_fd, .events = POLLIN };

		if (poll(&pfd, 1, 50) < 0 && errno != EINTR)
			break;
		before = safe;
		safe = hub_ack_out_safe(o);
		if (safe > before)
			idle_since = now_ms();
	}
	if (safe < o->written)
		hub_debug("acknowledgement link: %llu of %llu bytes written were not acknowledged",
		          (unsigned long long)(o->written - safe), (unsigned long long)o->written);
	return safe;
}

void hub_ack_out_free(struct hub_ack_out *o)
{
	if (!o)
		return;
	stop_listening(o);
	if (o->link_fd >= 0)
		close(o->link_fd);
	free(o);
}

/* The reader's side. */

static int try_connect(int s, const struct sockaddr_un *sa, socklen_t len)
{
	int rc;

	while ((rc = connect(s, (const struct sockaddr *)sa, len)) < 0 && errno == EINTR)
		;
	return rc;
}

struct hub_ack_in *hub_ack_in_new(int fd, int flags)
{
	struct hub_ack_in *i;
	struct sockaddr_un sa;
	struct stat sb;
	socklen_t len;
	int s;

	if (getenv("HUB_NO_ACK") || fstat(fd, &sb) < 0 || !S_ISFIFO(sb.st_mode))
		return NULL;
	len = link_address(&sa, sb.st_dev, sb.st_ino);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return NULL;
	if (try_connect(s, &sa, len) < 0) {
		/* The writer may not have started yet: its first byte proves
		 * it is listening, if it is a hub tool. */
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		while (poll(&pfd, 1, -1) < 0) {
			if (errno != EINTR || hub_stop_requested) {
				close(s);
				return NULL;
			}
		}
		if (try_connect(s, &sa, len) < 0) {
			close(s);
			return NULL;
		}
	}
	if (!peer_ok(s, 1, sb.st_dev, sb.st_ino)) {
		close(s);
		return NULL;
	}
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	i = hub_xcalloc(1, sizeof(*i));
	i->fd = s;
	{
		const char *hello = (flags & HUB_ACK_TXN) ? "hub-ack 1 txn\n" : HELLO;

		if (send(s, hello, strlen(hello), MSG_NOSIGNAL) != (ssize_t)strlen(hello))
			i->dead = 1;
	}
	hub_debug("acknowledgement link: the writer of standard input hears what is safe");
	return i;
}

void hub_ack_in_retry(struct hub_ack_in *i)
{
	char msg[40];
	int n;
	ssize_t w;

	if (!i || i->dead || i->want <= i->sent)
		return;
	n = snprintf(msg, sizeof(msg), "ack %llu\n", (unsigned long long)i->want);
	/* a message is 40 bytes at most: a socket takes it whole or not at all */
	w = send(i->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w == n)
		i->sent = i->want;
	else if (w >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		i->dead = 1;   /* the writer has gone */
}

void hub_ack_in_send(struct hub_ack_in *i, uint64_t bytes)
{
	if (!i || bytes <= i->want)
		return;
	i->want = bytes;
	hub_ack_in_retry(i);
}

int hub_ack_in_fd(const struct hub_ack_in *i)
{
	return i && !i->dead ? i->fd : -1;
}

void hub_ack_in_txn(struct hub_ack_in *i)
{
	if (i && !i->dead && send(i->fd, "txn\n", 4, MSG_NOSIGNAL) != 4)
		i->dead = 1;
}

int hub_ack_in_news(struct hub_ack_in *i, char **msg, size_t *len)
{
	char *nl;

	if (!i)
		return 0;
	for (;;) {
		if (i->taken < i->newslen && (nl = memchr(i->news + i->taken, '\n', i->newslen - i->taken))) {
			*msg = i->news + i->taken;
			*len = (size_t)(nl - *msg);
			i->taken += *len + 1;
			return 1;
		}
		if (i->dead)
			return 0;
		/* keep the unfinished line, read more */
		if (i->taken > 0) {   /* (no buffer at all before the first message) */
			memmove(i->news, i->news + i->taken, i->newslen - i->taken);
			i->newslen -= i->taken;
			i->taken = 0;
		}
		if (i->newscap - i->newslen < 4096) {
			if (i->newscap >= (1u << 20)) {   /* a line that long is no message of ours */
				i->dead = 1;
				return 0;
			}
			i->newscap = i->newscap ? i->newscap * 2 : 8192;
			i->news = hub_xrealloc(i->news, i->newscap);
		}
		ssize_t n = recv(i->fd, i->news + i->newslen, i->newscap - i->newslen, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				i->dead = 1;
			return 0;
		}
		i->newslen += (size_t)n;
	}
}

void hub_ack_in_free(struct hub_ack_in *i)
{
	if (!i)
		return;
	hub_ack_in_retry(i);
	close(i->fd);
	free(i->news);
	free(i);
}

/* Lines finished out of order: a bitmap from the first unfinished line,
 * and marks (line, input position) every MARK_EVERY lines and at pauses. */
#define MARK_EVERY 256

struct hub_ack_lines {
	struct hub_ack_in *up;
	uint64_t base;               /* the first line not finished */
	uint64_t *bits;              /* bit i: line base + i is finished (a ring) */
	size_t nbits, first;         /* capacity in bits (a power of two), ring start */
	struct { uint64_t line, in; } *marks;
	size_t mhead, nmarks, mcap;
};

struct hub_ack_lines *hub_ack_lines_new(struct hub_ack_in *up)
{
	struct hub_ack_lines *a;

	if (!up)
		return NULL;
	a = hub_xcalloc(1, sizeof(*a));
	a->up = up;
	a->base = 1;
	a->nbits = 1u << 16;
	a->bits = hub_xcalloc(a->nbits / 64, sizeof(*a->bits));
	a->mcap = 1024;
	a->marks = hub_xmalloc(sizeof(*a->marks) * a->mcap);
	return a;
}

static int bit(const struct hub_ack_lines *a, size_t i)
{
	size_t j = (a->first + i) & (a->nbits - 1);

	return (a->bits[j / 64] >> (j % 64)) & 1;
}

static void set_bit(struct hub_ack_lines *a, size_t i, int on)
{
	size_t j = (a->first + i) & (a->nbits - 1);

	if (on)
		a->bits[j / 64] |= 1ull << (j % 64);
	else
		a->bits[j / 64] &= ~(1ull << (j % 64));
}

/* Doubles the ring, its bits in order from base. */
static void grow_bits(struct hub_ack_lines *a)
{
	size_t n = a->nbits * 2;
	uint64_t *nb = hub_xcalloc(n / 64, sizeof(*nb));

	for (size_t i = 0; i < a->nbits; i++)
		if (bit(a, i))
			nb[i / 64] |= 1ull << (i % 64);
	free(a->bits);
	a->bits = nb;
	a->nbits = n;
	a->first = 0;
}

void hub_ack_lines_read(struct hub_ack_lines *a, uint64_t line, uint64_t consumed, int pause)
{
	if (!a || (line % MARK_EVERY != 0 && !pause))
		return;
	if (a->nmarks == a->mcap) {
		size_t n = a->mcap * 2;
		__typeof__(a->marks) nm = hub_xmalloc(sizeof(*nm) * n);

		for (size_t i = 0; i < a->nmarks; i++)
			nm[i] = a->marks[(a->mhead + i) % a->mcap];
		free(a->marks);
		a->marks = nm;
		a->mhead = 0;
		a->mcap = n;
	}
	a->marks[(a->mhead + a->nmarks) % a->mcap].line = line;
	a->marks[(a->mhead + a->nmarks) % a->mcap].in = consumed;
	a->nmarks++;
}

void hub_ack_lines_done(struct hub_ack_lines *a, uint64_t line)
{
	uint64_t in = 0;
	int any = 0;

	if (!a || line < a->base)
		return;
	while (line - a->base >= a->nbits)
		grow_bits(a);
	set_bit(a, (size_t)(line - a->base), 1);
	if (line != a->base)
		return;
	while (bit(a, 0)) {
		set_bit(a, 0, 0);
		a->first = (a->first + 1) & (a->nbits - 1);
		a->base++;
	}
	while (a->nmarks > 0 && a->marks[a->mhead].line < a->base) {
		in = a->marks[a->mhead].in;
		any = 1;
		a->mhead = (a->mhead + 1) % a->mcap;
		a->nmarks--;
	}
	if (any)
		hub_ack_in_send(a->up, in);
}

void hub_ack_lines_free(struct hub_ack_lines *a)
{
	if (!a)
		return;
	free(a->bits);
	free(a->marks);
	free(a);
}
