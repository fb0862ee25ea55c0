/* core/metrics.c: the metrics file and the systemd notifications, from a thread.
 *
 * The thread wakes every second at most (less when --metrics-interval or
 * the watchdog asks), notes whether any event was handled since it last
 * looked (the time of the last event is therefore to the second, and costs
 * the tool's loop nothing), and when due rewrites the metrics file and
 * sends STATUS= and WATCHDOG=1. It blocks every signal, so that SIGINT and
 * SIGUSR1 still interrupt the tool's own reads. Nothing here may end the
 * process or hold the tool up: the file is written with plain write(2)s to
 * a temporary name and renamed, the notifications are non-blocking
 * datagrams, and a failure of either is said once on stderr.
 *
 * The notify protocol is a datagram of "KEY=VALUE" lines to the AF_UNIX
 * socket named by $NOTIFY_SOCKET (a path, or '@' for an abstract name);
 * it is a few lines, so no libsystemd. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/metrics.h"
#include "core/time.h"

enum { MAX_COUNTERS = 16, MAX_LAG_SERIES = 4096 };

static const char *const failure_classes[] = {
	"invalid_json", "not_an_event", "too_long", "schema", "delivery", "io", "other",
};
#define NCLASSES (sizeof(failure_classes) / sizeof(failure_classes[0]))

struct counter {
	char name[64];
	const char *help;
	const uint64_t *value;
};

struct lag {
	char *group, *topic;
	int32_t partition;
	int64_t lag;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int running, stopping, stopped;
	struct hub_stats *st;
	char *path, *tmp, *name;
	int64_t interval_ms, watchdog_ms;
	double started_wall, last_event;
	uint64_t last_sum;
	int warned, notify_fd, notify_warned, ready_sent;
	struct sockaddr_un notify_addr;
	socklen_t notify_len;
	struct counter counters[MAX_COUNTERS];
	int ncounters;
	struct lag *lags;
	size_t nlags;
	int lag_full_warned;
} M = { .lock = PTHREAD_MUTEX_INITIALIZER, .notify_fd = -1 };

static uint64_t failures[NCLASSES];

int hub_service_option(struct hub_service_opts *o, int c, const char *arg)
{
	switch (c) {
	case HUB_OPT_METRICS:
		if (!*arg)
			hub_usage_error("--metrics: expected a file name");
		o->metrics = arg;
		return 1;
	case HUB_OPT_METRICS_INTERVAL:
		o->interval_ms = hub_duration_option(arg, "--metrics-interval");
		return 1;
	case HUB_OPT_NAME:
		if (!*arg || strlen(arg) > 200)
			hub_usage_error("--name '%s': expected a name of 1 to 200 bytes", arg);
		o->name = arg;
		return 1;
	}
	return 0;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* --- the notify protocol ------------------------------------------------ */

static void notify_open(void)
{
	const char *s = getenv("NOTIFY_SOCKET"), *wd = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	size_t n;

	if (!s || !*s || (s[0] != '/' && s[0] != '@') || (n = strlen(s)) >= sizeof(M.notify_addr.sun_path)) {
		if (s && *s)
			hub_warn("$NOTIFY_SOCKET '%s' is not a socket path or an abstract name ('@'); "
			         "systemd is not told how the run goes", s);
		return;
	}
	M.notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (M.notify_fd < 0) {
		hub_warn("$NOTIFY_SOCKET: cannot make a socket: %s", strerror(errno));
		return;
	}
	memset(&M.notify_addr, 0, sizeof(M.notify_addr));
	M.notify_addr.sun_family = AF_UNIX;
	memcpy(M.notify_addr.sun_path, s, n);
	if (s[0] == '@')
		M.notify_addr.sun_path[0] = '\0';   /* abstract: no terminating NUL counted */
	M.notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (s[0] == '/'));
	/* the watchdog is ours when systemd names no other process */
	if (wd && (!pid || atol(pid) == (long)getpid())) {
		long long usec = atoll(wd);

		if (usec > 0)
			M.watchdog_ms = usec / 2000 > 0 ? usec / 2000 : 1;
	}
}

static void notify(const char *msg)
{
	if (M.notify_fd < 0)
		return;
	if (sendto(M.notify_fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
	           (const struct sockaddr *)&M.notify_addr, M.notify_len) < 0 && !M.notify_warned) {
		M.notify_warned = 1;
		hub_warn("$NOTIFY_SOCKET %s: %s; systemd may not hear from this run", getenv("NOTIFY_SOCKET"),
		         strerror(errno));
	}
}

static void notify_status(void)
{
	char msg[256];

	if (M.notify_fd < 0)
		return;
	if (!M.st) {
		snprintf(msg, sizeof(msg), "STATUS=%s: serving", M.name);
		notify(msg);
		return;
	}
	snprintf(msg, sizeof(msg), "STATUS=%s: %llu in, %llu out, %llu failed", M.name,
	         (unsigned long long)load(&M.st->in), (unsigned long long)load(&M.st->out),
	         (unsigned long long)load(&M.st->failed));
	notify(msg);
}

void hub_service_ready(void)
{
	pthread_mutex_lock(&M.lock);
	if (M.running && !M.ready_sent) {
		M.ready_sent = 1;
		notify("READY=1");
		notify_status();
	}
	pthread_mutex_unlock(&M.lock);
}

/* --- the metrics file --------------------------------------------------- */

static void label_value(struct hub_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			hub_buf_addc(b, '\\');
		if (*s == '\n')
			hub_buf_adds(b, "\\n");
		else
			hub_buf_addc(b, *s);
	}
}

static void family(struct hub_buf *b, const char *name, const char *type, const char *help)
{
	hub_buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{name="...",tool="..."[,more]} */
static void series(struct hub_buf *b, const char *metric, const char *more)
{
	hub_buf_addf(b, "%s{name=\"", metric);
	label_value(b, M.name);
	hub_buf_adds(b, "\",tool=\"");
	label_value(b, hub_progname);
	hub_buf_addf(b, "\"%s%s} ", more ? "," : "", more ? more : "");
}

static void counter(struct hub_buf *b, const char *metric, const char *help, uint64_t v)
{
	family(b, metric, "counter", help);
	series(b, metric, NULL);
	hub_buf_addf(b, "%llu\n", (unsigned long long)v);
}

static void render(struct hub_buf *b)
{
	struct hub_stats *st = M.st;

	counter(b, "hub_events_in_total", "Events read (as --stats \"in\").", load(&st->in));
	counter(b, "hub_events_out_total", "Events written or sent on (as --stats \"out\").", load(&st->out));
	counter(b, "hub_events_failed_total", "Events that failed (as --stats \"failed\").", load(&st->failed));
	family(b, "hub_failures_stored_total", "counter", "Events put in the failure store, by class of reason.");
	for (size_t i = 0; i < NCLASSES; i++) {
		char more[64];

		snprintf(more, sizeof(more), "class=\"%s\"", failure_classes[i]);
		series(b, "hub_failures_stored_total", more);
		hub_buf_addf(b, "%llu\n", (unsigned long long)load(&failures[i]));
	}
	counter(b, "hub_bytes_in_total", "Bytes of events read.", load(&st->bytes_in));
	counter(b, "hub_bytes_out_total", "Bytes of events written or sent on.", load(&st->bytes_out));
	for (int i = 0; i < M.ncounters; i++) {
		char metric[96];

		snprintf(metric, sizeof(metric), "hub_%s_total", M.counters[i].name);
		counter(b, metric, M.counters[i].help, load(M.counters[i].value));
	}
	family(b, "hub_last_event_timestamp_seconds", "gauge",
	       "When an event was last handled, Unix time to the second (0: none yet).");
	series(b, "hub_last_event_timestamp_seconds", NULL);
	hub_buf_addf(b, "%.0f\n", M.last_event);
	family(b, "hub_start_time_seconds", "gauge", "When the run started, Unix time.");
	series(b, "hub_start_time_seconds", NULL);
	hub_buf_addf(b, "%.3f\n", M.started_wall);
	if (M.nlags) {
		family(b, "kafka_consumergroup_lag", "gauge",
		       "Messages in the partition past the consumer group's position (librdkafka's consumer_lag).");
		for (size_t i = 0; i < M.nlags; i++) {
			struct hub_buf more = { 0 };

			hub_buf_adds(&more, "consumergroup=\"");
			label_value(&more, M.lags[i].group);
			hub_buf_adds(&more, "\",topic=\"");
			label_value(&more, M.lags[i].topic);
			hub_buf_addf(&more, "\",partition=\"%d\"", (int)M.lags[i].partition);
			series(b, "kafka_consumergroup_lag", hub_buf_cstr(&more));
			hub_buf_addf(b, "%lld\n", (long long)M.lags[i].lag);
			hub_buf_free(&more);
		}
	}
}

static int write_file(const char *text, size_t len)
{
	int fd = open(M.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0 && done == len)
		done = 0;
	if (done != len || rename(M.tmp, M.path) != 0) {
		int e = errno;

		unlink(M.tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* Called with the lock held, which it lets go while it writes: a slow disk
 * holds up this thread only, never the tool's own calls in here. */
static void write_metrics(void)
{
	struct hub_buf b = { 0 };
	int rc, e;

	if (!M.path || !M.st)
		return;
	render(&b);
	pthread_mutex_unlock(&M.lock);
	rc = write_file(b.data, b.len);
	e = errno;
	pthread_mutex_lock(&M.lock);
	if (rc != 0) {
		if (!M.warned)
			hub_warn("--metrics %s: cannot write it: %s; the run goes on, and the file is tried again "
			         "every interval", M.path, strerror(e));
		M.warned = 1;
	} else if (M.warned == 1) {
		hub_info("--metrics %s: written again", M.path);
		M.warned = 2;
	}
	hub_buf_free(&b);
}

/* --- the thread --------------------------------------------------------- */

static void sample(void)
{
	uint64_t sum;

	if (!M.st)
		return;
	sum = load(&M.st->in) + load(&M.st->out) + load(&M.st->failed);

	if (sum != M.last_sum) {
		M.last_sum = sum;
		M.last_event = (double)(int64_t)wall_now();
	}
}

static void add_ms(struct timespec *ts, int64_t ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void *run(void *arg)
{
	double next_write = hub_now(), next_dog = hub_now();
	int64_t tick = M.interval_ms < 1000 ? M.interval_ms : 1000;

	if (M.watchdog_ms && M.watchdog_ms < tick)
		tick = M.watchdog_ms;
	pthread_mutex_lock(&M.lock);
	while (!M.stopping) {
		struct timespec ts;
		double now = hub_now();

		sample();
		if (now >= next_write) {
			write_metrics();
			notify_status();
			next_write = now + (double)M.interval_ms / 1000;
		}
		if (M.watchdog_ms && now >= next_dog) {
			notify("WATCHDOG=1");
			next_dog = now + (double)M.watchdog_ms / 1000;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		add_ms(&ts, tick);
		pthread_cond_timedwait(&M.wake, &M.lock, &ts);
	}
	sample();
	write_metrics();
	pthread_mutex_unlock(&M.lock);
	return arg;
}

void hub_service_start(const struct hub_service_opts *o, struct hub_stats *st)
{
	pthread_condattr_t ca;
	sigset_t all, old;

	notify_open();
	if ((!o->metrics || !st) && M.notify_fd < 0)
		return;
	M.st = st;
	M.name = hub_xstrdup(o->name ? o->name : hub_progname);
	M.interval_ms = o->interval_ms > 0 ? o->interval_ms : 5000;
	M.started_wall = wall_now();
	if (o->metrics && st) {
		size_t n = strlen(o->metrics) + 32;

		M.path = hub_xstrdup(o->metrics);
		M.tmp = hub_xmalloc(n);
		/* the textfile collector reads *.prom only: the temporary name is not one */
		snprintf(M.tmp, n, "%s.%ld.tmp", o->metrics, (long)getpid());
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&M.wake, &ca);
	pthread_condattr_destroy(&ca);
	/* the tool's signals stay the main thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&M.thread, NULL, run, NULL) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		hub_warn("--metrics: cannot start its thread; the run goes on without metrics");
		return;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	M.running = 1;
	atexit(hub_service_stop);
}

void hub_service_stop(void)
{
	pthread_mutex_lock(&M.lock);
	if (!M.running || M.stopping || pthread_equal(pthread_self(), M.thread)) {
		pthread_mutex_unlock(&M.lock);
		return;
	}
	M.stopping = 1;
	notify_status();
	notify("STOPPING=1");
	pthread_cond_signal(&M.wake);
	pthread_mutex_unlock(&M.lock);
	pthread_join(M.thread, NULL);
	pthread_mutex_lock(&M.lock);
	M.running = 0;
	for (size_t i = 0; i < M.nlags; i++) {
		free(M.lags[i].group);
		free(M.lags[i].topic);
	}
	free(M.lags);
	M.lags = NULL;
	M.nlags = 0;
	free(M.path);
	free(M.tmp);
	free(M.name);
	M.path = M.tmp = M.name = NULL;
	if (M.notify_fd >= 0)
		close(M.notify_fd);
	M.notify_fd = -1;
	pthread_mutex_unlock(&M.lock);
}

/* --- what the library adds ---------------------------------------------- */

void hub_metrics_counter(const char *name, const char *help, const uint64_t *value)
{
	pthread_mutex_lock(&M.lock);
	for (int i = 0; i < M.ncounters; i++)
		if (strcmp(M.counters[i].name, name) == 0) {
			M.counters[i].value = value;
			pthread_mutex_unlock(&M.lock);
			return;
		}
	if (M.ncounters < MAX_COUNTERS) {
		snprintf(M.counters[M.ncounters].name, sizeof(M.counters[0].name), "%s", name);
		M.counters[M.ncounters].help = help;
		M.counters[M.ncounters++].value = value;
	}
	pthread_mutex_unlock(&M.lock);
}

const char *hub_metrics_failure_class(const char *r)
{
	static const struct { const char *text; int at_start; const char *class; } rules[] = {
		{ "invalid JSON", 1, "invalid_json" },
		{ "nested deeper than", 1, "invalid_json" },
		{ "value is not JSON", 1, "invalid_json" },
		{ "not an event", 1, "not_an_event" },
		{ "not a JSON object", 0, "not_an_event" },
		{ "not an envelope", 1, "not_an_event" },
		{ "longer than the limit", 0, "too_long" },
		{ "unknown type", 1, "schema" },
		{ "schema id", 0, "schema" },
		{ "CloudEvents attribute rules", 0, "schema" },
		{ ": expected ", 0, "schema" },
		{ "not sent", 1, "delivery" },
		{ "not delivered", 1, "delivery" },
		{ "delivery failed", 1, "delivery" },
		{ "not accepted for sending", 1, "delivery" },
		{ "refused", 1, "delivery" },
		{ "timed out", 0, "delivery" },
		{ "reading standard input", 1, "io" },
		{ "writing standard output", 1, "io" },
		{ "torn line", 1, "io" },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].at_start ? strncmp(r, rules[i].text, strlen(rules[i].text)) == 0
		                      : strstr(r, rules[i].text) != NULL)
			return rules[i].class;
	return "other";
}

void hub_metrics_failure(const char *reason)
{
	const char *class = hub_metrics_failure_class(reason ? reason : "");

	for (size_t i = 0; i < NCLASSES; i++)
		if (strcmp(failure_classes[i], class) == 0)
			__atomic_fetch_add(&failures[i], 1, __ATOMIC_RELAXED);
}

void hub_metrics_lag(const char *group, const char *topic, int32_t partition, int64_t lag)
{
	size_t i;

	pthread_mutex_lock(&M.lock);
	for (i = 0; i < M.nlags; i++)
		if (M.lags[i].partition == partition && strcmp(M.lags[i].topic, topic) == 0 &&
		    strcmp(M.lags[i].group, group) == 0)
			break;
	if (lag < 0) {
		if (i < M.nlags) {
			free(M.lags[i].group);
			free(M.lags[i].topic);
			M.lags[i] = M.lags[--M.nlags];
		}
	} else if (i < M.nlags) {
		M.lags[i].lag = lag;
	} else if (M.nlags < MAX_LAG_SERIES) {
		M.lags = hub_xrealloc(M.lags, (M.nlags + 1) * sizeof(*M.lags));
		M.lags[M.nlags++] = (struct lag){ hub_xstrdup(group), hub_xstrdup(topic), partition, lag };
	} else if (!M.lag_full_warned) {
		M.lag_full_warned = 1;
		hub_warn("--metrics: more than %d partitions; the lag of the others is not shown", MAX_LAG_SERIES);
	}
	pthread_mutex_unlock(&M.lock);
}

int64_t hub_metrics_interval_ms(void)
{
	return M.path ? M.interval_ms : 0;
}
