/* hub-devbroker: a Kafka broker in memory, for development and tests.
 *
 * librdkafka's mock cluster speaks the real Kafka protocol over TCP on
 * loopback; this program starts one, prints and records its bootstrap
 * address, and then serves fault-injection commands (broker down/up,
 * request errors, latency, topics) from a control FIFO or stdin until
 * SIGINT/SIGTERM. Not durable: everything is lost when it exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/buf.h"
#include "kafka/devbroker.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/options.h"

enum { OPT_CONTROL = HUB_OPT_TOOL, OPT_STDIN, OPT_NO_RECORD };

static const struct hub_option options[] = {
	{ 'n', "brokers", "N", "number of brokers (default 1)" },
	{ 'T', "topic", "T[:P[:R]]", "create topic T with P partitions (default 4) and\n"
	  "replication factor R up front (repeatable)" },
	{ OPT_CONTROL, "control", "FIFO", "read commands from FIFO (created if missing)" },
	{ OPT_STDIN, "stdin", NULL, "read commands from standard input" },
	{ OPT_NO_RECORD, "no-record", NULL, "do not record the address for the tools" },
	HUB_OPTION_QUIET,
	HUB_OPTION_VERBOSE("verbose: acknowledge each command"),
	HUB_OPTION_HELP,
	HUB_OPTION_VERSION,
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS]\n"
	       "Run a Kafka broker in memory (librdkafka's mock cluster) for development and tests.\n"
	       "Prints the bootstrap address as its first line and records it for the hub tools.\n"
	       "\n", hub_progname);
	hub_options_help(stdout, options, 23);
	printf("\n"
	       "Commands: down ID | up ID | rtt ID MS | error API ERROR [COUNT] | clear API |\n"
	       "          create TOPIC PARTITIONS [REPLICATION] | topic-error TOPIC ERROR | quit\n"
	       "Auto-created topics get 4 partitions. In memory only; see hub-devbroker(1).\n");
}

static const struct { const char *name; int16_t key; } apis[] = {
	{ "Produce", 0 }, { "Fetch", 1 }, { "ListOffsets", 2 }, { "Metadata", 3 },
	{ "OffsetCommit", 8 }, { "OffsetFetch", 9 }, { "FindCoordinator", 10 },
	{ "JoinGroup", 11 }, { "Heartbeat", 12 }, { "LeaveGroup", 13 }, { "SyncGroup", 14 },
	{ "ApiVersions", 18 }, { "InitProducerId", 22 }, { "AddPartitionsToTxn", 24 },
	{ "AddOffsetsToTxn", 25 }, { "EndTxn", 26 }, { "TxnOffsetCommit", 28 },
};

static int api_key(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s && !*end && v >= 0 && v < 100)
		return (int)v;
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++)
		if (strcasecmp(s, apis[i].name) == 0)
			return apis[i].key;
	return -1;
}

/* An error code by number or by librdkafka name (with or without ERR_). */
static int error_code(const char *s, rd_kafka_resp_err_t *err)
{
	const struct rd_kafka_err_desc *descs;
	size_t n;
	char *end;
	long v = strtol(s, &end, 10);

	if (*s && !*end) {
		*err = (rd_kafka_resp_err_t)v;
		return 0;
	}
	if (strncmp(s, "ERR_", 4) == 0)
		s += 4;
	rd_kafka_get_err_descs(&descs, &n);
	for (size_t i = 0; i < n; i++) {
		if (descs[i].name && strcasecmp(descs[i].name, s) == 0) {
			*err = descs[i].code;
			return 0;
		}
	}
	return -1;
}

static int number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s)
		return -1;
	v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "orders:8:1" -> topic, partitions, replication. */
static int create_topic(rd_kafka_mock_cluster_t *mc, const char *spec, int nbrokers)
{
	char *copy = hub_xstrdup(spec), *p = strchr(copy, ':'), *r = NULL;
	long parts = 4, repl = 1;
	rd_kafka_resp_err_t err;

	if (p) {
		*p++ = '\0';
		if ((r = strchr(p, ':')))
			*r++ = '\0';
	}
	if ((p && number(p, 1, 100000, &parts) < 0) || (r && number(r, 1, nbrokers, &repl) < 0) || !*copy) {
		hub_err("topic '%s': expected NAME[:PARTITIONS[:REPLICATION]] (replication at most %d)", spec, nbrokers);
		free(copy);
		return -1;
	}
	err = rd_kafka_mock_topic_create(mc, copy, (int)parts, (int)repl);
	if (err)
		hub_err("topic '%s': %s", copy, rd_kafka_err2str(err));
	else
		hub_info("created topic %s with %ld partitions", copy, parts);
	free(copy);
	return err ? -1 : 0;
}

/* Runs one command line. Returns 1 for quit, 0 otherwise. */
static int command(rd_kafka_mock_cluster_t *mc, char *line, int nbrokers)
{
	char *argv[8];
	int argc = 0;
	long id, v, count = 1;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR, code;
	int key;

	for (char *tok = strtok(line, " \t\r\n"); tok && argc < 8; tok = strtok(NULL, " \t\r\n"))
		argv[argc++] = tok;
	if (argc == 0 || argv[0][0] == '#')
		return 0;
	if (strcmp(argv[0], "quit") == 0)
		return 1;
	if ((strcmp(argv[0], "down") == 0 || strcmp(argv[0], "up") == 0) && argc == 2 &&
	    number(argv[1], 1, nbrokers, &id) == 0) {
		err = argv[0][0] == 'd' ? rd_kafka_mock_broker_set_down(mc, (int32_t)id)
		                        : rd_kafka_mock_broker_set_up(mc, (int32_t)id);
	} else if (strcmp(argv[0], "rtt") == 0 && argc == 3 && number(argv[1], 1, nbrokers, &id) == 0 &&
	           number(argv[2], 0, 3600000, &v) == 0) {
		err = rd_kafka_mock_broker_set_rtt(mc, (int32_t)id, (int)v);
	} else if (strcmp(argv[0], "error") == 0 && (argc == 3 || argc == 4) && (key = api_key(argv[1])) >= 0 &&
	           error_code(argv[2], &code) == 0 && (argc == 3 || number(argv[3], 1, 1000000, &count) == 0)) {
		for (long i = 0; i < count; i++)
			rd_kafka_mock_push_request_errors(mc, (int16_t)key, 1, code);
	} else if (strcmp(argv[0], "clear") == 0 && argc == 2 && (key = api_key(argv[1])) >= 0) {
		rd_kafka_mock_clear_request_errors(mc, (int16_t)key);
	} else if (strcmp(argv[0], "create") == 0 && (argc == 3 || argc == 4)) {
		char spec[512];

		snprintf(spec, sizeof(spec), "%s:%s%s%s", argv[1], argv[2], argc == 4 ? ":" : "", argc == 4 ? argv[3] : "");
		return create_topic(mc, spec, nbrokers), 0;
	} else if (strcmp(argv[0], "topic-error") == 0 && argc == 3 && error_code(argv[2], &code) == 0) {
		rd_kafka_mock_topic_set_error(mc, argv[1], code);
	} else {
		hub_err("unknown or malformed command '%s' (see hub-devbroker --help)", argv[0]);
		return 0;
	}
	if (err)
		hub_err("%s: %s", argv[0], rd_kafka_err2str(err));
	else
		hub_info("ok %s", argv[0]);
	return 0;
}

/* Feeds complete lines from fd to command(); keeps a partial line. */
static int serve(rd_kafka_mock_cluster_t *mc, int fd, struct hub_buf *pending, int nbrokers, int *eof)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	char *nl;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			*eof = 1;
		return 0;
	}
	hub_buf_add(pending, chunk, (size_t)n);
	while (pending->len && (nl = memchr(pending->data, '\n', pending->len))) {
		size_t len = (size_t)(nl - pending->data) + 1;
		char *line = hub_xstrndup(pending->data, len - 1);
		int quit = command(mc, line, nbrokers);

		free(line);
		memmove(pending->data, pending->data + len, pending->len - len);
		pending->len -= len;
		if (quit)
			return 1;
	}
	if (pending->len > 4096)
		pending->len = 0;   /* not a command */
	return 0;
}

int main(int argc, char **argv)
{
	struct hub_getopt g;
	const char *control = NULL;
	char **topics = NULL, errstr[512], nb[16];
	int ntopics = 0, use_stdin = 0, record = 1, c, status = HUB_EXIT_OK;
	long nbrokers = 1;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	const char *bootstrap;
	char *addr;
	sigset_t mask;
	int sfd, ctl = -1, stdin_eof = 0, ctl_eof = 0, quit = 0;
	struct hub_buf ctl_buf = { 0 }, in_buf = { 0 };

	hub_diag_init(argv[0]);
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'n':
			if (number(optarg, 1, 64, &nbrokers) < 0)
				hub_usage_error("-n '%s': expected a number of brokers from 1 to 64", optarg);
			break;
		case 'T':
			topics = hub_xrealloc(topics, sizeof(char *) * (ntopics + 1));
			topics[ntopics++] = optarg;
			break;
		case OPT_CONTROL: control = optarg; break;
		case OPT_STDIN: use_stdin = 1; break;
		case OPT_NO_RECORD: record = 0; break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); free(topics); return 0;
		case 'V': printf("hub-devbroker %s (librdkafka %s)\n", HUB_VERSION, rd_kafka_version_str()); free(topics); return 0;
		default:
			free(topics);
			return hub_usage_hint();
		}
	}
	if (optind < argc)
		hub_usage_error("unexpected argument '%s'", argv[optind]);

	/* Signals are read from a signalfd in the poll loop. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);

	if (control) {
		if (mkfifo(control, 0600) < 0 && errno != EEXIST)
			hub_die(HUB_EXIT_UNAVAILABLE, "control FIFO %s: %s", control, strerror(errno));
		/* Read-write, so the FIFO never reports end-of-file between writers. */
		ctl = open(control, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (ctl < 0)
			hub_die(HUB_EXIT_UNAVAILABLE, "control FIFO %s: %s", control, strerror(errno));
	}

	conf = rd_kafka_conf_new();
	snprintf(nb, sizeof(nb), "%ld", nbrokers);
	if (rd_kafka_conf_set(conf, "test.mock.num.brokers", nb, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
		hub_die(HUB_EXIT_UNAVAILABLE, "this librdkafka has no mock cluster: %s", errstr);
	rd_kafka_conf_set(conf, "log_level", hub_verbosity >= 3 ? "7" : "3", errstr, sizeof(errstr));
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk)
		hub_die(HUB_EXIT_UNAVAILABLE, "cannot start the mock cluster: %s", errstr);
	mc = rd_kafka_handle_mock_cluster(rk);
	if (!mc)
		hub_die(HUB_EXIT_UNAVAILABLE, "cannot start the mock cluster");
	for (int i = 0; i < ntopics; i++)
		if (create_topic(mc, topics[i], (int)nbrokers) < 0)
			status = HUB_EXIT_USAGE;
	free(topics);
	if (status != HUB_EXIT_OK) {
		rd_kafka_destroy(rk);
		return status;
	}

	bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
	addr = hub_xstrdup(bootstrap);
	printf("%s\n", addr);
	if (fflush(stdout) != 0)
		hub_warn("could not write the address to standard output");
	if (record && hub_devbroker_write(addr) < 0) {
		char path[4096];

		hub_devbroker_path(path, sizeof(path));
		hub_warn("could not record the address in %s: %s", path, strerror(errno));
	}
	hub_info("%ld broker(s) at %s; stop with SIGINT or SIGTERM", nbrokers, addr);

	while (!quit) {
		struct pollfd fds[3];
		int nfds = 0, ictl = -1, iin = -1;

		fds[nfds++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (ctl >= 0 && !ctl_eof) {
			ictl = nfds;
			fds[nfds++] = (struct pollfd){ .fd = ctl, .events = POLLIN };
		}
		if (use_stdin && !stdin_eof) {
			iin = nfds;
			fds[nfds++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		}
		if (poll(fds, (nfds_t)nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			hub_err("poll: %s", strerror(errno));
			status = HUB_EXIT_SOFTWARE;
			break;
		}
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				hub_info("%s: stopping", strsignal((int)si.ssi_signo));
			break;
		}
		if (ictl >= 0 && fds[ictl].revents)
			quit = serve(mc, ctl, &ctl_buf, (int)nbrokers, &ctl_eof);
		if (!quit && iin >= 0 && fds[iin].revents)
			quit = serve(mc, STDIN_FILENO, &in_buf, (int)nbrokers, &stdin_eof);
	}

	if (record)
		hub_devbroker_remove(addr);
	free(addr);
	hub_buf_free(&ctl_buf);
	hub_buf_free(&in_buf);
	if (ctl >= 0)
		close(ctl);
	close(sfd);
	rd_kafka_destroy(rk);
	return status;
}
