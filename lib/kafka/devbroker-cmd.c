/* kafka/devbroker-cmd.c: hub-devbroker's command language.
 *
 * One command a line, from the control FIFO or standard input: down ID,
 * up ID, rtt ID MS, error API ERROR [COUNT], clear API, create TOPIC
 * PARTITIONS [REPLICATION], topic-error TOPIC ERROR, quit; # starts a
 * comment. Each is applied to librdkafka's mock cluster; a malformed one
 * is reported and skipped, never ends the broker. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/buf.h"
#include "core/diag.h"
#include "kafka/devbroker-cmd.h"

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
int hub_devbroker_create_topic(rd_kafka_mock_cluster_t *mc, const char *spec, int nbrokers)
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
		return hub_devbroker_create_topic(mc, spec, nbrokers), 0;
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
int hub_devbroker_serve(rd_kafka_mock_cluster_t *mc, int fd, struct hub_buf *pending, int nbrokers, int *eof)
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

int hub_devbroker_number(const char *s, long min, long max, long *out)
{
	return number(s, min, max, out);
}
