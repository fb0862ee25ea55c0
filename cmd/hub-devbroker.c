/* hub-devbroker: a Kafka broker in memory, for development and tests.
 *
 * librdkafka's mock cluster speaks the real Kafka protocol over TCP on
 * loopback; this program starts one, prints and records its bootstrap
 * address, and then serves fault-injection commands (broker down/up,
 * request errors, latency, topics) from a control FIFO or stdin until
 * SIGINT/SIGTERM. Not durable: everything is lost when it exits. The
 * command language is kafka/devbroker-cmd.c. */
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
#include "kafka/devbroker-cmd.h"
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
	HUB_OPTIONS_GENERAL("verbose: acknowledge each command"),
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
			if (hub_devbroker_number(optarg, 1, 64, &nbrokers) < 0)
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
		if (hub_devbroker_create_topic(mc, topics[i], (int)nbrokers) < 0)
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
	if (record) {
		/* a second broker leaves the first one's record alone */
		char *before = hub_devbroker_read();

		if (before && strcmp(before, addr) != 0 && hub_devbroker_alive(before)) {
			char path[4096];

			hub_devbroker_path(path, sizeof(path));
			hub_warn("another development broker runs at %s (recorded in %s): this one is not "
			         "recorded, and the tools keep using that one; give -b %s to use this one",
			         before, path, addr);
			record = 0;
		}
		free(before);
	}
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
			quit = hub_devbroker_serve(mc, ctl, &ctl_buf, (int)nbrokers, &ctl_eof);
		if (!quit && iin >= 0 && fds[iin].revents)
			quit = hub_devbroker_serve(mc, STDIN_FILENO, &in_buf, (int)nbrokers, &stdin_eof);
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

