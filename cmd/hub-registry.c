/* hub-registry: the schema registry directory served over Confluent
 * Schema Registry's REST API, read-only.
 *
 * Options, usage and the wait for signals; the HTTP server is
 * lib/http/server.c, the API lib/registry/api.c, loading and reloading
 * lib/registry/serve.c. The directory (under version control) is the
 * source of truth: clients read it, and registering a schema it already
 * has answers its id; nothing a client sends changes it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/options.h"
#include "core/signals.h"
#include "registry/serve.h"
#include "schema/registry.h"

enum { OPT_SCHEMAS = HUB_OPT_TOOL, OPT_LISTEN, OPT_INSECURE, OPT_THREADS, OPT_NO_WATCH };

static const struct hub_option options[] = {
	{ 'd', "registry", "DIR", "schema registry directory (default: $HUB_SCHEMAS,\n"
	  "./schemas, or the registry installed with hub)" },
	{ OPT_SCHEMAS, "schemas", "DIR", "the same (hub-validate's name for it)" },
	{ 'l', "listen", "HOST:PORT", "address to serve (default 127.0.0.1:8081; port 0\n"
	  "picks a free one)" },
	{ OPT_INSECURE, "insecure-listen", NULL, "allow plain HTTP on an address other than loopback" },
	{ OPT_THREADS, "threads", "N", "server threads (default 2)" },
	{ OPT_NO_WATCH, "no-watch", NULL, "reload on SIGHUP only, not when the directory changes" },
	HUB_OPTIONS_GENERAL("verbose: libmicrohttpd's messages too"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s serve [OPTIONS]\n"
	       "Serve the schema registry directory (the one hub-validate reads) over Confluent\n"
	       "Schema Registry's REST API, read-only, for Confluent's serializers in Java, .NET,\n"
	       "Python... Prints the address served as its first line. Changes to the directory\n"
	       "(and SIGHUP) are served without a restart once they pass lint.\n"
	       "\n", hub_progname);
	hub_options_help(stdout, options, 23);
	printf("\n"
	       "Exit status: 0 stopped by SIGINT or SIGTERM, 64 usage, 69 cannot listen,\n"
	       "78 unusable registry (its problems are listed). See hub-registry(1).\n");
}

int main(int argc, char **argv)
{
	struct hub_http_config cfg = { .listen = "127.0.0.1:8081" };
	struct hub_registry_server srv;
	struct hub_buf err = { 0 };
	const char *dir = NULL;
	struct hub_getopt g;
	int c, status, watch = 1;

	hub_diag_init(argv[0]);
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'd': case OPT_SCHEMAS: dir = optarg; break;
		case 'l': cfg.listen = optarg; break;
		case OPT_INSECURE: cfg.insecure_listen = 1; break;
		case OPT_NO_WATCH: watch = 0; break;
		case OPT_THREADS: cfg.threads = (int)hub_number_option(optarg, "--threads", 1, 64); break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-registry %s\n", HUB_VERSION); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind >= argc)
		hub_usage_error("a command is expected: hub-registry serve [OPTIONS]");
	if (strcmp(argv[optind], "serve") != 0)
		hub_usage_error("unknown command '%s' (serve)", argv[optind]);
	if (optind + 1 < argc)
		hub_usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (!dir)
		dir = hub_registry_default_dir();

	hub_signals_install(1);
	hub_signals_install_reload();
	if (hub_registry_serve_start(&srv, dir, &cfg, &err, &status) < 0) {
		hub_err("%.*s", (int)(err.len && err.data[err.len - 1] == '\n' ? err.len - 1 : err.len), err.data);
		hub_buf_free(&err);
		return status;
	}
	printf("http://%s\n", hub_http_address(srv.http));
	if (fflush(stdout) != 0)
		hub_warn("standard output: %s", strerror(errno));
	hub_info("serving %s on http://%s", dir, hub_http_address(srv.http));
	hub_registry_serve_wait(&srv, watch);
	hub_info("stopping (signal %d)", (int)hub_stop_requested);
	hub_registry_serve_stop(&srv);
	return HUB_EXIT_OK;
}
