/* hub-deliver: NDJSON events from standard input to an HTTP endpoint.
 *
 * Options, usage and set-up only; the loop is hub_deliver_run() in
 * lib/deliver/deliver.c. An event counts as done only once it was
 * answered 2xx or is in the failure store; secrets come from files,
 * never from the command line (where ps(1) would show them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/options.h"
#include "core/signals.h"
#include "core/stats.h"
#include "core/time.h"
#include "deliver/deliver.h"
#include "stream/failstore.h"
#include "stream/finish.h"
#include "stream/ndjson.h"

enum { OPT_FORMAT = HUB_OPT_TOOL, OPT_BATCH, OPT_ENVELOPE, OPT_RETRIES, OPT_RETRY_DELAY, OPT_RETRY_MAX,
       OPT_TIMEOUT, OPT_CONNECT_TIMEOUT, OPT_WINDOW, OPT_BEARER, OPT_USER, OPT_CERT, OPT_CERT_KEY, OPT_CACERT,
       OPT_WEBHOOK };

static const struct hub_option options[] = {
	{ OPT_FORMAT, "format", "FORMAT", "binary (default): CloudEvents HTTP binding, data as the\n"
	  "body, attributes as ce- headers; structured: the event\n"
	  "as the body (application/cloudevents+json); json: the\n"
	  "event as a plain JSON body, for any endpoint" },
	{ OPT_BATCH, "batch", "N", "up to N events a request, a JSON array\n"
	  "(application/cloudevents-batch+json; with json, a\n"
	  "plain array); implies --format structured unless json" },
	{ 'X', "request", "METHOD", "HTTP method (default POST)" },
	{ 'H', "header", "'NAME: VALUE'", "add a header to every request (repeatable)" },
	{ 'k', "key", "PATH", "events with the same value here arrive in input order\n"
	  "(default: subject; with --envelope, the message key);\n"
	  "-k '' for no order" },
	{ 'j', "concurrency", "N", "requests in flight (default 8)" },
	{ OPT_ENVELOPE, "envelope", NULL, "input lines are envelopes (hub-consume --envelope): the\n"
	  "value is the event; ce_ headers make a binary request" },
	{ 'c', "count", "COUNT", "stop after COUNT input lines" },
	HUB_OPTION_HEADING("Retries (connection errors, timeouts, 408, 429, 5xx):"),
	{ OPT_RETRIES, "retries", "N", "retries after the first attempt (default 8)" },
	{ OPT_RETRY_DELAY, "retry-delay", "DURATION", "the first backoff (default 250ms), doubled each retry,\n"
	  "with jitter, at most 60s; Retry-After wins" },
	{ OPT_RETRY_MAX, "retry-max-time", "DURATION", "no retry this long after an event's first attempt\n"
	  "(default 5m)" },
	{ OPT_TIMEOUT, "timeout", "DURATION", "one attempt at most (default 30s)" },
	{ OPT_CONNECT_TIMEOUT, "connect-timeout", "DURATION", "connecting at most (default 10s)" },
	{ OPT_WINDOW, "window", "N", "unfinished events held at most (default 4 x concurrency\n"
	  "x batch + 64); then the input waits" },
	HUB_OPTION_HEADING("Authentication (secrets from files only, mode 600):"),
	{ OPT_BEARER, "bearer-file", "FILE", "Authorization: Bearer with the token in FILE" },
	{ OPT_USER, "user-file", "FILE", "HTTP basic authentication, USER:PASSWORD in FILE" },
	{ OPT_WEBHOOK, "webhook-secret-file", "FILE", "sign each request the Standard Webhooks way\n"
	  "(webhook-id, -timestamp, -signature) with the whsec_\n"
	  "secret in FILE" },
	{ OPT_CERT, "cert", "FILE", "TLS client certificate (PEM), for mutual TLS" },
	{ OPT_CERT_KEY, "cert-key", "FILE", "its private key (PEM; default: in --cert's file)" },
	{ OPT_CACERT, "cacert", "FILE", "trust the server certificates this CA file signed\n"
	  "(default: the system's)" },
	HUB_OPTION_HEADING(""),
	HUB_OPTION_DLQ,
	HUB_OPTION_MAX_LINE,
	HUB_OPTION_STATS,
	HUB_OPTIONS_SERVICE,
	HUB_OPTIONS_GENERAL("verbose (each failure; twice: retries; three times: libcurl)"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] URL < events.ndjson\n"
	       "Send each event to an HTTP endpoint; retry what the endpoint may recover from.\n"
	       "URL may name event fields: https://erp.example/orders/{subject}.\n"
	       "\n", hub_progname);
	hub_options_help(stdout, options, 25);
	printf("\n"
	       "Exit status: 0 all delivered, 1 some events in the failure store, 64 usage,\n"
	       "66 a secret file missing, 69 the endpoint said 410 Gone, 74 I/O error,\n"
	       "78 bad configuration (a secret file others may read). "
	       "See hub-deliver(1).\n");
}

static long duration_ms(const char *arg, const char *option)
{
	return (long)hub_duration_option(arg, option);
}

int main(int argc, char **argv)
{
	static const char *const formats[] = { "binary", "structured", "json", NULL };
	struct hub_deliver_opts o = { 0 };
	struct hub_deliver_tally t = { 0 };
	struct hub_stats st;
	struct hub_service_opts svc = { 0 };
	const char **headers = NULL, *dlq = NULL;
	int format_given = 0, show_stats = 0;
	struct hub_getopt g;
	int c, status;

	hub_diag_init(argv[0]);
	o.concurrency = 8;
	o.retries = 8;
	o.retry_delay_ms = 250;
	o.retry_max_ms = 300000;
	o.timeout_ms = 30000;
	o.connect_timeout_ms = 10000;
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		if (hub_service_option(&svc, c, optarg))
			continue;
		switch (c) {
		case OPT_FORMAT:
			o.format = (enum hub_deliver_format)hub_choice_option(optarg, "--format", formats);
			format_given = 1;
			break;
		case OPT_BATCH: o.batch = (int)hub_number_option(optarg, "--batch", 1, 10000); break;
		case 'X':
			for (const char *p = optarg; *p; p++)
				if (!((*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '_'))
					hub_usage_error("-X '%s': expected a method such as POST, PUT or PATCH", optarg);
			if (!*optarg)
				hub_usage_error("-X '': expected a method such as POST, PUT or PATCH");
			o.method = optarg;
			break;
		case 'H': {
			const char *colon = strchr(optarg, ':');

			if (!colon || colon == optarg || strpbrk(optarg, "\r\n"))
				hub_usage_error("-H '%s': expected 'NAME: VALUE'", optarg);
			headers = hub_xrealloc(headers, sizeof(*headers) * (size_t)(o.nheaders + 1));
			headers[o.nheaders++] = optarg;
			break;
		}
		case 'k': o.key_path = optarg; break;
		case 'j': o.concurrency = (int)hub_number_option(optarg, "--concurrency", 1, 1024); break;
		case OPT_ENVELOPE: o.envelope = 1; break;
		case 'c': o.count = (uint64_t)hub_number_option(optarg, "-c", 1, INT64_MAX); break;
		case OPT_RETRIES: o.retries = (int)hub_number_option(optarg, "--retries", 0, 1000); break;
		case OPT_RETRY_DELAY: o.retry_delay_ms = duration_ms(optarg, "--retry-delay"); break;
		case OPT_RETRY_MAX: o.retry_max_ms = duration_ms(optarg, "--retry-max-time"); break;
		case OPT_TIMEOUT: o.timeout_ms = duration_ms(optarg, "--timeout"); break;
		case OPT_CONNECT_TIMEOUT: o.connect_timeout_ms = duration_ms(optarg, "--connect-timeout"); break;
		case OPT_WINDOW: o.window = (int)hub_number_option(optarg, "--window", 1, 1000000); break;
		case OPT_BEARER: o.bearer_file = optarg; break;
		case OPT_USER: o.user_file = optarg; break;
		case OPT_WEBHOOK: o.webhook_secret_file = optarg; break;
		case OPT_CERT: o.cert = optarg; break;
		case OPT_CERT_KEY: o.cert_key = optarg; break;
		case OPT_CACERT: o.cacert = optarg; break;
		case HUB_OPT_DLQ: dlq = optarg; break;
		case HUB_OPT_MAX_LINE: o.max_line = hub_max_line_option(optarg); break;
		case HUB_OPT_STATS: show_stats = 1; break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-deliver %s (%s)\n", HUB_VERSION, curl_version()); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind >= argc)
		hub_usage_error("no URL: give the endpoint, e.g. hub-deliver https://erp.example/events");
	if (optind + 1 < argc)
		hub_usage_error("unexpected argument '%s': one URL, events are read from standard input",
		                argv[optind + 1]);
	o.url = argv[optind];
	if (strncmp(o.url, "http://", 7) != 0 && strncmp(o.url, "https://", 8) != 0)
		hub_usage_error("URL '%s': expected http:// or https://", o.url);
	if (o.batch > 1) {
		if (strchr(o.url, '{'))
			hub_usage_error("--batch sends many events to one URL: the URL cannot name event fields");
		if (o.envelope)
			hub_usage_error("--batch and --envelope exclude each other");
		if (!format_given)
			o.format = HUB_DELIVER_STRUCTURED;
		else if (o.format == HUB_DELIVER_BINARY)
			hub_usage_error("--batch sends a JSON array of events: --format structured or json, not binary");
	}
	if (o.bearer_file && o.user_file)
		hub_usage_error("--bearer-file and --user-file exclude each other");
	if (o.cert_key && !o.cert)
		hub_usage_error("--cert-key needs --cert");
	if (hub_verbosity >= 4)
		o.verbose_http = 1;
	if (sodium_init() < 0)
		hub_die(HUB_EXIT_SOFTWARE, "libsodium could not be initialised");

	o.headers = headers;
	o.failstore = hub_failstore_new(dlq);
	hub_signals_install(0);
	hub_stats_start(&st);
	hub_service_start(&svc, &st);
	status = hub_deliver_run(STDIN_FILENO, &o, &st, &t);
	status = hub_finish(status, &(struct hub_finish){ .stats = &st, .failstore = o.failstore,
	                    .show_stats = show_stats, .stats_extra = t.extra });
	free(headers);
	return status;
}
