/* hub-gateway: CloudEvents over HTTP(S) into Kafka, for systems that
 * cannot pipe into hub-produce.
 *
 * Options, usage, set-up and the wait for signals; the requests are
 * lib/gateway/gateway.c, the HTTP server lib/http/server.c, the producer
 * lib/gateway/sender.c. An answer 2xx means Kafka acknowledged every
 * record of the request (acks=all, idempotence on). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/options.h"
#include "core/signals.h"
#include "gateway/clients.h"
#include "gateway/gateway.h"
#include "gateway/sender.h"
#include "http/server.h"
#include "kafka/client.h"
#include "kafka/config.h"
#include "stream/failstore.h"
#include "stream/finish.h"
#include "stream/ndjson.h"

enum {
	OPT_LISTEN = HUB_OPT_TOOL, OPT_TOPIC_FROM, OPT_CLIENTS, OPT_NO_AUTH, OPT_TLS_CERT, OPT_TLS_KEY, OPT_CLIENT_CA,
	OPT_INSECURE, OPT_STRUCTURED, OPT_MAX_BODY, OPT_MAX_CONN, OPT_READ_TIMEOUT, OPT_REQUEST_TIMEOUT, OPT_THREADS,
};

static const struct hub_option options[] = {
	{ 'l', "listen", "HOST:PORT", "address to serve (default 127.0.0.1:8082; port 0\n"
	  "picks a free one)" },
	HUB_OPTION_BROKERS,
	{ 't', "topic", "TOPIC", "topic to produce to" },
	{ OPT_TOPIC_FROM, "topic-from", "SPEC", "topic from each event: a field path (type) or a\n"
	  "template (retail.{type})" },
	{ 'k', "key", "PATH", "message key from this field (default: partitionkey);\n"
	  "-k '' for no key" },
	HUB_OPTION_PROPERTY,
	HUB_OPTION_CONFIG,
	{ OPT_STRUCTURED, "structured", NULL, "binary-mode requests go to Kafka as structured events\n"
	  "(one JSON value), not as ce_ headers and data" },
	{ OPT_CLIENTS, "clients", "FILE", "who may send, and what (NAME token:sha256:HEX or\n"
	  "NAME cert:CN, then types= sources= topics=)" },
	{ OPT_NO_AUTH, "no-auth", NULL, "no authentication (on a loopback address only)" },
	{ OPT_TLS_CERT, "tls-cert", "FILE", "serve HTTPS with this certificate (PEM, with its chain)" },
	{ OPT_TLS_KEY, "tls-key", "FILE", "and this private key (PEM)" },
	{ OPT_CLIENT_CA, "client-ca", "FILE", "accept client certificates signed by this CA (cert:\n"
	  "clients)" },
	{ OPT_INSECURE, "insecure-listen", NULL, "allow plain HTTP on an address other than loopback" },
	{ OPT_MAX_BODY, "max-body", "SIZE", "largest request body (default 1M): 413 past it" },
	{ OPT_MAX_CONN, "max-connections", "N", "connections at once (default 1024)" },
	{ OPT_READ_TIMEOUT, "read-timeout", "SECONDS", "close a connection silent this long (default 30)" },
	{ OPT_REQUEST_TIMEOUT, "request-timeout", "SECONDS", "a body must arrive within this (default 60): 408" },
	{ OPT_THREADS, "threads", "N", "server threads, each waiting for Kafka on one request\n"
	  "at a time (default 32)" },
	HUB_OPTION_DLQ,
	HUB_OPTIONS_GENERAL("verbose (repeat for libmicrohttpd's and librdkafka's logs)"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] -t TOPIC | --topic-from SPEC\n"
	       "       %s token NAME < TOKEN-FILE >> clients   (a clients-file line)\n"
	       "Take CloudEvents over HTTP (structured, batch and binary mode) and produce\n"
	       "them to Kafka; answer 2xx only once Kafka has acknowledged every record, with\n"
	       "each record's topic, partition and offset. Prints the URL served first.\n"
	       "\n", hub_progname, hub_progname);
	hub_options_help(stdout, options, 23);
	printf("\n"
	       "Exit status: 0 stopped by SIGINT or SIGTERM, 1 some events went to the failure\n"
	       "store, 64 usage, 69 cannot listen, 78 bad configuration. See hub-gateway(1).\n");
}

/* hub-gateway token NAME: the clients-file line of the token on stdin. */
static int token_line(const char *name)
{
	char token[4096];
	struct hub_buf line = { 0 };
	size_t n;

	if (!*name || strpbrk(name, " \t\r\n#"))
		hub_usage_error("client '%s': a client name is not empty and has no white space or '#'", name);
	if (!fgets(token, sizeof(token), stdin))
		token[0] = '\0';
	token[strcspn(token, "\r\n")] = '\0';
	n = strlen(token);
	if (n < 16)
		hub_usage_error("a token of at least 16 characters is expected on standard input "
		                "(openssl rand -hex 32 makes one)");
	hub_gw_token_line(name, token, n, &line);
	memset(token, 0, sizeof(token));
	printf("%s\n", hub_buf_cstr(&line));
	hub_buf_free(&line);
	return hub_close_stdout(HUB_EXIT_OK);
}

/* Plain words for "a loopback address": what --no-auth may be served on. */
static int loopback_listen(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "[::1]:", 6) == 0 ||
	       strncmp(listen, "localhost:", 10) == 0;
}

static void wait_for_stop(void)
{
	struct pollfd pfd = { .fd = hub_signal_fd(), .events = POLLIN };

	while (!hub_stop_requested) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		hub_signal_drain();
	}
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = {
		"acks", "all",
		"enable.idempotence", "true",
		"partitioner", "murmur2_random",
		"linger.ms", "2",
		"message.timeout.ms", "30000",
		NULL,
	};
	struct hub_http_config http = { .listen = "127.0.0.1:8082", .threads = 32, .max_connections = 1024,
	                                .idle_timeout = 30, .request_timeout = 60 };
	static const char *const open_paths[] = { "/healthz", "/readyz", NULL };
	struct hub_gateway_opts o = { 0 };
	struct hub_config cfg = { 0 };
	struct hub_error e = { 0 };
	struct hub_buf err = { 0 };
	struct hub_gw_clients *clients = NULL;
	struct hub_http_server *server;
	struct hub_gateway *g;
	const char *brokers = NULL, *dlq = NULL, *clients_file = NULL;
	struct hub_getopt gopt;
	rd_kafka_conf_t *conf;
	int c, no_auth = 0, status;

	hub_diag_init(argv[0]);
	hub_getopt_init(&gopt, options);
	while ((c = hub_getopt(&gopt, argc, argv)) != -1) {
		switch (c) {
		case 'l': http.listen = optarg; break;
		case 'b': brokers = optarg; break;
		case 't': o.topic = optarg; break;
		case OPT_TOPIC_FROM: o.topic_from = optarg; break;
		case 'k': o.key_path = optarg; break;
		case 'X':
			if (hub_config_set_kv(&cfg, optarg, &e) < 0)
				hub_usage_error("-X %s", e.msg);
			break;
		case 'F':
			cfg.explicit_file = 1;
			if (hub_config_load_file(&cfg, optarg, &e) < 0)
				hub_die_error(&e);
			break;
		case OPT_STRUCTURED: o.structured = 1; break;
		case OPT_CLIENTS: clients_file = optarg; break;
		case OPT_NO_AUTH: no_auth = 1; break;
		case OPT_TLS_CERT: http.tls_cert = optarg; break;
		case OPT_TLS_KEY: http.tls_key = optarg; break;
		case OPT_CLIENT_CA: http.client_ca = optarg; break;
		case OPT_INSECURE: http.insecure_listen = 1; break;
		case OPT_MAX_BODY:
			if (!(http.max_body = hub_parse_size(optarg)))
				hub_usage_error("--max-body '%s': expected a size (512k, 4M)", optarg);
			break;
		case OPT_MAX_CONN: http.max_connections = (unsigned)hub_number_option(optarg, "--max-connections", 1, 1000000); break;
		case OPT_READ_TIMEOUT: http.idle_timeout = (unsigned)hub_number_option(optarg, "--read-timeout", 1, 86400); break;
		case OPT_REQUEST_TIMEOUT:
			http.request_timeout = (unsigned)hub_number_option(optarg, "--request-timeout", 1, 86400);
			break;
		case OPT_THREADS: http.threads = (int)hub_number_option(optarg, "--threads", 1, 256); break;
		case HUB_OPT_DLQ: dlq = optarg; break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-gateway %s (librdkafka %s)\n", HUB_VERSION, rd_kafka_version_str()); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind < argc && strcmp(argv[optind], "token") == 0) {
		if (optind + 2 != argc)
			hub_usage_error("token takes one client name: hub-gateway token NAME < TOKEN-FILE");
		return token_line(argv[optind + 1]);
	}
	if (optind < argc)
		hub_usage_error("unexpected argument '%s'", argv[optind]);
	if (!o.topic && !o.topic_from)
		hub_usage_error("no topic: give -t TOPIC or --topic-from SPEC");
	if (o.topic && o.topic_from)
		hub_usage_error("-t and --topic-from exclude each other");
	if (o.topic && !hub_kafka_topic_valid(o.topic, strlen(o.topic)))
		hub_usage_error("-t '%s': not a valid Kafka topic name (letters, digits, '.', '_', '-')", o.topic);
	if (no_auth && clients_file)
		hub_usage_error("--no-auth and --clients exclude each other");
	if (!no_auth && !clients_file)
		hub_usage_error("who may send? give --clients FILE (tokens, certificates), or --no-auth on a "
		                "loopback address");
	if ((http.listen_fd = hub_http_activated_socket()) > 0)
		http.listen = "the socket systemd passed";
	if (no_auth && (http.listen_fd > 0 ? !hub_http_socket_is_loopback(http.listen_fd) : !loopback_listen(http.listen)))
		hub_usage_error("--no-auth is served on a loopback address only (127.0.0.1:PORT, [::1]:PORT), "
		                "not on '%s': give --clients FILE", http.listen);
	if (clients_file && !(clients = hub_gw_clients_load(clients_file, &err))) {
		hub_err("--clients: %.*s", (int)(err.len && err.data[err.len - 1] == '\n' ? err.len - 1 : err.len),
		        err.data);
		hub_buf_free(&err);
		return HUB_EXIT_CONFIG;
	}
	if (brokers)
		hub_config_set(&cfg, "bootstrap.servers", brokers);
	if (hub_config_load_defaults(&cfg, &e) < 0)
		hub_die_error(&e);
	conf = hub_kafka_conf(&cfg, defaults, &e);
	hub_config_free(&cfg);
	if (!conf)
		hub_die_error(&e);

	o.clients = clients;
	o.failstore = hub_failstore_new(dlq);
	if (!(g = hub_gateway_new(&o, &e)))
		hub_usage_error("%s", e.msg);
	if (!(o.sender = hub_gw_sender_new(conf, &e)))
		hub_die_error(&e);
	hub_gateway_set_sender(g, o.sender);

	http.open_paths = open_paths;
	http.auth = hub_gateway_auth;
	http.challenge = "Bearer realm=\"hub-gateway\"";
	http.client_cert_optional = 1;
	http.handler = hub_gateway_handle;
	http.error = hub_gateway_refusal;
	http.ctx = g;
	hub_signals_install(1);
	if (!(server = hub_http_start(&http, &err))) {
		hub_err("%s", hub_buf_cstr(&err));
		hub_buf_free(&err);
		hub_gw_sender_free(o.sender, 1000);
		hub_gateway_free(g);
		hub_gw_clients_free(clients);
		hub_failstore_close(o.failstore);
		return HUB_EXIT_UNAVAILABLE;
	}
	printf("%s\n", hub_http_url(server));
	if (fflush(stdout) != 0)
		hub_warn("standard output: %s", strerror(errno));
	hub_info("serving on %s", hub_http_url(server));
	wait_for_stop();
	hub_info("stopping (signal %d): answering the requests in flight", (int)hub_stop_requested);
	hub_http_stop(server);
	hub_gw_sender_free(o.sender, 30000);
	status = hub_gateway_failed(g) ? HUB_EXIT_FAILED : HUB_EXIT_OK;
	if (status)
		hub_warn("%llu events were refused and are in the failure store %s",
		         (unsigned long long)hub_gateway_failed(g), hub_failstore_path(o.failstore));
	hub_gateway_free(g);
	hub_gw_clients_free(clients);
	status = hub_finish(status, &(struct hub_finish){ .failstore = o.failstore });
	return status;
}
