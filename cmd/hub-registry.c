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
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/metrics.h"
#include "core/exitcodes.h"
#include "core/options.h"
#include "core/signals.h"
#include "http/users.h"
#include "registry/serve.h"
#include "stream/finish.h"
#include "schema/registry.h"

enum {
	OPT_SCHEMAS = HUB_OPT_TOOL, OPT_LISTEN, OPT_INSECURE, OPT_THREADS, OPT_NO_WATCH, OPT_TLS_CERT, OPT_TLS_KEY,
	OPT_CLIENT_CA, OPT_USERS,
};

static const struct hub_option options[] = {
	{ 'd', "registry", "DIR", "schema registry directory (default: $HUB_SCHEMAS,\n"
	  "./schemas, or the registry installed with hub)" },
	{ OPT_SCHEMAS, "schemas", "DIR", "the same (hub-validate's name for it)" },
	{ 'l', "listen", "HOST:PORT", "address to serve (default 127.0.0.1:8081; port 0\n"
	  "picks a free one)" },
	{ OPT_INSECURE, "insecure-listen", NULL, "allow plain HTTP on an address other than loopback" },
	{ OPT_TLS_CERT, "tls-cert", "FILE", "serve HTTPS with this certificate (PEM, with its chain)" },
	{ OPT_TLS_KEY, "tls-key", "FILE", "and this private key (PEM)" },
	{ OPT_CLIENT_CA, "client-ca", "FILE", "require client certificates signed by this CA (mTLS)" },
	{ OPT_USERS, "users", "FILE", "require HTTP Basic credentials of a user in FILE\n"
	  "(USER:HASH lines, made by hub-registry passwd)" },
	{ OPT_THREADS, "threads", "N", "server threads (default 2)" },
	{ OPT_NO_WATCH, "no-watch", NULL, "reload on SIGHUP only, not when the directory changes" },
	HUB_OPTIONS_GENERAL("verbose: libmicrohttpd's messages too"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s serve [OPTIONS]\n"
	       "       %s passwd USER >> users    (the password is read from standard input)\n"
	       "Serve the schema registry directory (the one hub-validate reads) over Confluent\n"
	       "Schema Registry's REST API, read-only, for Confluent's serializers in Java, .NET,\n"
	       "Python... Prints the address served as its first line. Changes to the directory\n"
	       "(and SIGHUP) are served without a restart once they pass lint.\n"
	       "\n", hub_progname, hub_progname);
	hub_options_help(stdout, options, 23);
	printf("\n"
	       "Exit status: 0 stopped by SIGINT or SIGTERM, 64 usage, 69 cannot listen,\n"
	       "78 unusable registry (its problems are listed). See hub-registry(1).\n");
}

/* A password: from a terminal twice without echo, else the first line of
 * standard input. */
static int read_password(struct hub_buf *out)
{
	int tty = isatty(STDIN_FILENO);
	struct termios saved, quiet;
	char line[1024], again[1024];

	for (int round = 0; round < (tty ? 2 : 1); round++) {
		char *into = round ? again : line;

		if (tty) {
			fprintf(stderr, round ? "Again: " : "Password: ");
			tcgetattr(STDIN_FILENO, &saved);
			quiet = saved;
			quiet.c_lflag &= ~ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		}
		if (!fgets(into, sizeof(line), stdin))
			into[0] = '\0';
		if (tty) {
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
			fputc('\n', stderr);
		}
		into[strcspn(into, "\r\n")] = '\0';
	}
	if (tty && strcmp(line, again) != 0)
		hub_die(HUB_EXIT_USAGE, "the two passwords differ");
	if (!line[0])
		hub_die(HUB_EXIT_USAGE, "no password on standard input (one line)");
	hub_buf_adds(out, line);
	memset(line, 0, sizeof(line));
	memset(again, 0, sizeof(again));
	return 0;
}

/* hub-registry passwd USER: a users file line on stdout. */
static int passwd(const char *user)
{
	struct hub_buf password = { 0 }, hash = { 0 };

	if (!*user || strpbrk(user, ": \t\r\n"))
		hub_usage_error("user '%s': a user name is not empty and has no ':' or white space", user);
	read_password(&password);
	if (hub_http_password_hash(password.data, password.len, &hash) < 0)
		hub_die(HUB_EXIT_SOFTWARE, "libsodium could not hash the password (out of memory?)");
	memset(password.data, 0, password.len);
	hub_buf_free(&password);
	printf("%s:%s\n", user, hub_buf_cstr(&hash));
	hub_buf_free(&hash);
	return hub_close_stdout(HUB_EXIT_OK);
}

int main(int argc, char **argv)
{
	struct hub_http_config cfg = { .listen = "127.0.0.1:8081" };
	struct hub_registry_server srv;
	struct hub_buf err = { 0 };
	const char *dir = NULL;
	struct hub_getopt g;
	const char *users = NULL;
	int c, status, watch = 1;

	hub_diag_init(argv[0]);
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		switch (c) {
		case 'd': case OPT_SCHEMAS: dir = optarg; break;
		case 'l': cfg.listen = optarg; break;
		case OPT_INSECURE: cfg.insecure_listen = 1; break;
		case OPT_NO_WATCH: watch = 0; break;
		case OPT_TLS_CERT: cfg.tls_cert = optarg; break;
		case OPT_TLS_KEY: cfg.tls_key = optarg; break;
		case OPT_CLIENT_CA: cfg.client_ca = optarg; break;
		case OPT_USERS: users = optarg; break;
		case OPT_THREADS: cfg.threads = (int)hub_number_option(optarg, "--threads", 1, 64); break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-registry %s\n", HUB_VERSION); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind >= argc)
		hub_usage_error("a command is expected: hub-registry serve [OPTIONS], or passwd USER");
	if (strcmp(argv[optind], "passwd") == 0) {
		if (optind + 2 != argc)
			hub_usage_error("passwd takes one user name: hub-registry passwd USER");
		return passwd(argv[optind + 1]);
	}
	if (strcmp(argv[optind], "serve") != 0)
		hub_usage_error("unknown command '%s' (serve, passwd)", argv[optind]);
	if (optind + 1 < argc)
		hub_usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (!dir)
		dir = hub_registry_default_dir();
	if (users && !(cfg.users = hub_http_users_load(users, &err))) {
		hub_err("--users: %.*s", (int)(err.len && err.data[err.len - 1] == '\n' ? err.len - 1 : err.len),
		        err.data);
		hub_buf_free(&err);
		return HUB_EXIT_CONFIG;
	}
	cfg.realm = "hub-registry";
	cfg.open_path = "/healthz";

	hub_signals_install(1);
	hub_signals_install_reload();
	hub_service_start(&(struct hub_service_opts){ 0 }, NULL);   /* systemd's notify protocol */
	if (hub_registry_serve_start(&srv, dir, &cfg, &err, &status) < 0) {
		hub_err("%.*s", (int)(err.len && err.data[err.len - 1] == '\n' ? err.len - 1 : err.len), err.data);
		hub_buf_free(&err);
		hub_http_users_free(cfg.users);
		return status;
	}
	printf("%s\n", hub_http_url(srv.http));
	if (fflush(stdout) != 0)
		hub_warn("standard output: %s", strerror(errno));
	hub_info("serving %s on %s", dir, hub_http_url(srv.http));
	hub_registry_serve_wait(&srv, watch);
	hub_info("stopping (signal %d)", (int)hub_stop_requested);
	hub_registry_serve_stop(&srv);
	hub_http_users_free(cfg.users);
	return HUB_EXIT_OK;
}
