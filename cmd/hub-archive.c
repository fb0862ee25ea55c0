/* hub-archive: the event history, written, searched, traced and pruned.
 *
 * Options, usage and dispatch only. Writing is hub_archive_run() in
 * lib/archive/writer.c, searching hub_archive_find() in lib/archive/search.c, display in
 * lib/archive/view.c, housekeeping in lib/archive/maintain.c. Without a command, standard
 * input is archived; the commands only ever read, except prune and compress.
 * serve is the support page and its API, lib/support/serve.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "archive/maintain.h"
#include "archive/writer.h"
#include "archive/search.h"
#include "archive/view.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/options.h"
#include "stream/failstore.h"
#include "stream/finish.h"
#include "stream/ndjson.h"
#include "core/signals.h"
#include "core/stats.h"
#include "core/time.h"
#include "http/users.h"
#include "support/serve.h"

enum {
	OPT_FSYNC = HUB_OPT_TOOL, OPT_FSYNC_INTERVAL, OPT_MAX_SIZE, OPT_GRACE, OPT_COMPRESS, OPT_LEVEL,
	OPT_FRAME, OPT_TEE, OPT_ID, OPT_SUBJECT, OPT_TYPE, OPT_SOURCE,
	OPT_SINCE, OPT_UNTIL, OPT_GREP, OPT_REGEX, OPT_EVENTS, OPT_TABLE, OPT_NDJSON,
	OPT_OLDER, OPT_MAX_OPEN, OPT_INSECURE, OPT_TLS_CERT, OPT_TLS_KEY, OPT_CLIENT_CA, OPT_USERS,
	OPT_THREADS, OPT_TIMEOUT,
};

static const struct hub_option options[] = {
	{ 'd', "dir", "DIR", "the archive directory" },
	HUB_OPTION_HEADING("Writing:"),
	{ OPT_FSYNC, "fsync", "POLICY", "batch (fsync each batch before it is acknowledged, the\n"
	  "default), interval (every --fsync-interval),\n"
	  "or never (leave it to the kernel)" },
	{ OPT_FSYNC_INTERVAL, "fsync-interval", "DURATION", "time between fsyncs with --fsync interval (1s)" },
	{ OPT_MAX_SIZE, "max-size", "SIZE", "rotate a segment at this size (default 256M)" },
	{ OPT_GRACE, "grace", "DURATION", "close an hour once events this much newer arrive (1h)" },
	{ OPT_MAX_OPEN, "max-open", "N", "segments open at once, at most (default 1024)" },
	{ OPT_COMPRESS, "compress", NULL, "compress segments with zstd as they are closed" },
	{ OPT_LEVEL, "level", "N", "zstd level (default 3)" },
	{ OPT_FRAME, "frame-size", "SIZE", "uncompressed bytes per zstd frame (default 256k)" },
	{ OPT_TEE, "tee", NULL, "copy each event to stdout once it is stored" },
	HUB_OPTION_DLQ,
	HUB_OPTION_MAX_LINE,
	HUB_OPTION_HEADING("Searching (find; trace and show take SUBJECT and ID):"),
	HUB_OPTION_HEADING("      --id ID, --subject S, --type T, --source S   exact attribute values"),
	{ OPT_ID, "id", "ID", NULL },
	{ OPT_SUBJECT, "subject", "S", NULL },
	{ OPT_TYPE, "type", "T", NULL },
	{ OPT_SOURCE, "source", "S", NULL },
	HUB_OPTION_HEADING("      --since WHEN, --until WHEN   event time range: RFC 3339, a date, or an age\n"
	                   "                         (2026-03-01, 2026-03-01T08:00:00Z, 2h, 7d)"),
	{ OPT_SINCE, "since", "WHEN", NULL },
	{ OPT_UNTIL, "until", "WHEN", NULL },
	{ OPT_GREP, "grep", "TEXT", "the stored line contains TEXT" },
	{ OPT_REGEX, "regex", "RE", "the stored line matches the regular expression (PCRE2)" },
	{ 'c', "count", "COUNT", "stop after COUNT events" },
	{ OPT_EVENTS, "events", NULL, "print events only (the value of envelopes)" },
	HUB_OPTION_HEADING("      --table, --ndjson  trace output (default: a table on a terminal)"),
	{ OPT_TABLE, "table", NULL, NULL },
	{ OPT_NDJSON, "ndjson", NULL, NULL },
	HUB_OPTION_HEADING("Housekeeping:"),
	{ OPT_OLDER, "older-than", "AGE", "prune/compress hours that ended AGE ago (90d, 12h, 1h30m)" },
	{ 'n', "dry-run", NULL, "list what would be removed or compressed" },
	HUB_OPTION_HEADING("Serving (serve: the support page and its API, read-only):"),
	{ 'l', "listen", "HOST:PORT", "address to serve (default 127.0.0.1:8083; port 0\n"
	  "picks a free one)" },
	{ OPT_INSECURE, "insecure-listen", NULL, "allow plain HTTP on an address other than loopback" },
	{ OPT_TLS_CERT, "tls-cert", "FILE", "serve HTTPS with this certificate (PEM, with its chain)" },
	{ OPT_TLS_KEY, "tls-key", "FILE", "and this private key (PEM)" },
	{ OPT_CLIENT_CA, "client-ca", "FILE", "require client certificates signed by this CA (mTLS)" },
	{ OPT_USERS, "users", "FILE", "require HTTP Basic credentials of a user in FILE\n"
	  "(USER:HASH lines, made by hub-registry passwd)" },
	{ OPT_THREADS, "threads", "N", "server threads (default 2)" },
	{ OPT_TIMEOUT, "timeout", "DURATION", "a search's time at most, then 503 (default 10s)" },
	HUB_OPTION_STATS,
	HUB_OPTIONS_SERVICE,
	HUB_OPTIONS_GENERAL("verbose"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s -d DIR [OPTIONS] < events.ndjson       archive events\n"
	       "       %s -d DIR find [--id ID] [--subject S] [--type T] [--source S]\n"
	       "                      [--since WHEN] [--until WHEN] [--grep TEXT] [--regex RE]\n"
	       "       %s -d DIR trace SUBJECT\n"
	       "       %s -d DIR show ID\n"
	       "       %s -d DIR prune --older-than AGE [--dry-run]\n"
	       "       %s -d DIR compress [--older-than AGE] [--dry-run]\n"
	       "       %s -d DIR serve [--listen HOST:PORT] [--users FILE] [--tls-cert F --tls-key F]\n"
	       "The event history: NDJSON files by topic (or type) and hour, whole lines only,\n"
	       "indexed by id and subject.\n"
	       "\n",
	       hub_progname, hub_progname, hub_progname, hub_progname, hub_progname, hub_progname, hub_progname);
	hub_options_help(stdout, options, 23);
	printf("\n"
	       "Exit status: 0 done, 1 some events in the failure store (writing) or nothing\n"
	       "found (find, trace, show), 64 usage, 66 no archive, 69 cannot listen (serve),\n"
	       "74 I/O error, 78 unusable --users file. See hub-archive(1).\n");
}

struct opts {
	const char *dir, *dlq, *regex_text, *older;
	struct hub_archive_opts w;
	struct hub_query q;
	size_t max_line;
	int tee, events, table, show, stats, dry_run;   /* table: 1 --table, -1 --ndjson */
	int fsync_given;                                 /* --fsync: --fsync-interval keeps it */
	struct hub_http_config http;                     /* serve */
	const char *users;
	struct hub_service_opts svc;                     /* --metrics, --name */
	int64_t timeout;
};

static int search(struct opts *o, const char *cmd)
{
	struct hub_view v = { .show = o->show, .events = o->events };
	struct hub_failstore *fs = hub_failstore_new(o->dlq);
	int status;

	v.table = strcmp(cmd, "trace") == 0 && (o->table > 0 || (o->table == 0 && isatty(STDOUT_FILENO)));
	v.failstore = hub_failstore_path(fs);
	status = hub_view_run(o->dir, cmd, &o->q, &v, stdout, o->stats);
	hub_failstore_close(fs);
	return status;
}

static int housekeeping(struct opts *o, const char *cmd)
{
	int64_t age = 0;

	if (o->older)
		age = hub_duration_option(o->older, "--older-than");
	if (strcmp(cmd, "prune") == 0 && !o->older)
		hub_usage_error("prune needs --older-than AGE (e.g. --older-than 90d)");
	return hub_archive_housekeeping(o->dir, strcmp(cmd, "compress") == 0, hub_time_now_ms() - age,
	                                o->w.level, o->w.frame_size, o->dry_run, stdout);
}

static int serve(struct opts *o)
{
	struct hub_failstore *fs;
	struct hub_buf err = { 0 };
	int status;

	if (o->users && !(o->http.users = hub_http_users_load(o->users, &err))) {
		hub_err("--users: %.*s", (int)(err.len && err.data[err.len - 1] == '\n' ? err.len - 1 : err.len),
		        err.data);
		hub_buf_free(&err);
		return HUB_EXIT_CONFIG;
	}
	fs = hub_failstore_new(o->dlq);
	status = hub_support_serve(o->dir, hub_failstore_path(fs), &o->http, o->timeout);
	hub_failstore_close(fs);
	hub_http_users_free(o->http.users);
	return status;
}

static int write_archive(struct opts *o)
{
	struct hub_failstore *fs = hub_failstore_new(o->dlq);
	struct hub_archive *a;
	struct hub_stats st;
	struct hub_error e = { 0 };
	int status;

	o->w.dir = o->dir;
	o->w.ack = o->tee;
	if (!(a = hub_archive_open(&o->w, fs, &e))) {
		hub_failstore_close(fs);
		hub_die_error(&e);
	}
	hub_signals_install(0);
	hub_stats_start(&st);
	hub_service_start(&o->svc, &st);
	status = hub_archive_run(a, STDIN_FILENO, o->max_line, o->tee ? STDOUT_FILENO : -1, fs, &st,
	                         o->stats);
	/* --stats is printed by hub_archive_run(), after the last batch is stored. */
	return hub_finish(status, &(struct hub_finish){ .stats = &st, .failstore = fs,
	                  .failed = "were not archived" });
}

int main(int argc, char **argv)
{
	struct opts o = { .max_line = HUB_MAX_LINE_DEFAULT };
	const char *cmd = NULL;
	struct hub_getopt g;
	int c, status;

	hub_diag_init(argv[0]);
	o.w = (struct hub_archive_opts){ .max_size = 256u << 20, .fsync = HUB_FSYNC_BATCH,
	                                 .fsync_interval = 1.0, .level = 3, .frame_size = 256u << 10,
	                                 .grace_hours = 1, .max_open = 1024, .batch_bytes = 4u << 20 };
	o.q.since = INT64_MIN;
	o.q.until = INT64_MAX;
	o.http.listen = "127.0.0.1:8083";
	o.timeout = 10000;
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		if (hub_service_option(&o.svc, c, optarg))
			continue;
		switch (c) {
		case 'd': o.dir = optarg; break;
		case OPT_FSYNC: {
			static const char *const policies[] = { "batch", "interval", "never", NULL };
			static const int policy[] = { HUB_FSYNC_BATCH, HUB_FSYNC_INTERVAL, HUB_FSYNC_NEVER };

			o.w.fsync = policy[hub_choice_option(optarg, "--fsync", policies)];
			o.fsync_given = 1;
			break;
		}
		case OPT_FSYNC_INTERVAL:
			if (!o.fsync_given)
				o.w.fsync = HUB_FSYNC_INTERVAL;
			o.w.fsync_interval = (double)hub_duration_option(optarg, "--fsync-interval") / 1000;
			break;
		case OPT_MAX_SIZE:
			if (!(o.w.max_size = hub_parse_size(optarg)))
				hub_usage_error("--max-size '%s': expected a size such as 256M", optarg);
			break;
		case OPT_GRACE: o.w.grace_hours = (int)(hub_duration_option(optarg, "--grace") / 3600000); break;
		case OPT_MAX_OPEN: o.w.max_open = (int)hub_number_option(optarg, "--max-open", 1, 100000); break;
		case OPT_COMPRESS: o.w.compress = 1; break;
		case OPT_LEVEL: o.w.level = (int)hub_number_option(optarg, "--level", 1, 19); break;
		case OPT_FRAME:
			if (!(o.w.frame_size = hub_parse_size(optarg)))
				hub_usage_error("--frame-size '%s': expected a size such as 256k", optarg);
			break;
		case OPT_TEE: o.tee = 1; break;
		case HUB_OPT_DLQ: o.dlq = optarg; break;
		case HUB_OPT_MAX_LINE: o.max_line = hub_max_line_option(optarg); break;
		case OPT_ID: o.q.id = optarg; break;
		case OPT_SUBJECT: o.q.subject = optarg; break;
		case OPT_TYPE: o.q.type = optarg; break;
		case OPT_SOURCE: o.q.source = optarg; break;
		case OPT_SINCE: o.q.since = hub_when_option(optarg, "--since"); break;
		case OPT_UNTIL: o.q.until = hub_when_option(optarg, "--until"); break;
		case OPT_GREP: o.q.text = optarg; break;
		case OPT_REGEX: o.regex_text = optarg; break;
		case 'c': o.q.limit = (uint64_t)hub_number_option(optarg, "-c", 1, 1L << 62); break;
		case OPT_EVENTS: o.events = 1; break;
		case OPT_TABLE: o.table = 1; break;
		case OPT_NDJSON: o.table = -1; break;
		case OPT_OLDER: o.older = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'l': o.http.listen = optarg; break;
		case OPT_INSECURE: o.http.insecure_listen = 1; break;
		case OPT_TLS_CERT: o.http.tls_cert = optarg; break;
		case OPT_TLS_KEY: o.http.tls_key = optarg; break;
		case OPT_CLIENT_CA: o.http.client_ca = optarg; break;
		case OPT_USERS: o.users = optarg; break;
		case OPT_THREADS: o.http.threads = (int)hub_number_option(optarg, "--threads", 1, 64); break;
		case OPT_TIMEOUT: o.timeout = hub_duration_option(optarg, "--timeout"); break;
		case HUB_OPT_STATS: o.stats = 1; break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-archive %s (zstd %s)\n", HUB_VERSION, ZSTD_versionString()); return 0;
		default: return hub_usage_hint();
		}
	}
	if (!o.dir)
		hub_usage_error("no archive directory: give -d DIR");
	if (optind < argc)
		cmd = argv[optind++];
	if (!cmd) {
		if (o.q.id || o.q.subject || o.q.type || o.q.source || o.q.text || o.regex_text || o.older)
			hub_usage_error("search options need a command: %s -d DIR find ...", hub_progname);
		return write_archive(&o);
	}
	if (strcmp(cmd, "serve") == 0) {
		if (optind < argc)
			hub_usage_error("serve: unexpected argument '%s'", argv[optind]);
		if (o.q.id || o.q.subject || o.q.type || o.q.source || o.q.text || o.regex_text)
			hub_usage_error("serve: search options are the page's and the API's to give "
			                "(/api/search?subject=...), not serve's");
		return serve(&o);
	}
	if (strcmp(cmd, "prune") == 0 || strcmp(cmd, "compress") == 0) {
		if (optind < argc)
			hub_usage_error("%s: unexpected argument '%s'", cmd, argv[optind]);
		return hub_close_stdout(housekeeping(&o, cmd));
	}
	if (strcmp(cmd, "trace") == 0 || strcmp(cmd, "show") == 0) {
		if (optind + 1 != argc)
			hub_usage_error("%s takes one %s", cmd, cmd[0] == 't' ? "SUBJECT" : "ID");
		if (cmd[0] == 't') {
			o.q.subject = argv[optind];
		} else {
			o.q.id = argv[optind];
			o.show = 1;
		}
	} else if (strcmp(cmd, "find") == 0) {
		if (optind < argc)
			hub_usage_error("find: unexpected argument '%s' (search keys are options: --id, "
			                "--subject, --type, --source, --grep...)", argv[optind]);
		if (o.table > 0)
			hub_usage_error("--table is for trace");
	} else {
		hub_usage_error("unknown command '%s': expected find, trace, show, serve, prune or compress", cmd);
	}
	if (o.regex_text) {
		char msg[300];

		if (!(o.q.regex = hub_regex_new(o.regex_text, msg, sizeof(msg))))
			hub_usage_error("--regex '%s': %s", o.regex_text, msg);
	}
	status = hub_close_stdout(search(&o, cmd));
	if (o.q.regex && hub_regex_limited(o.q.regex))
		hub_warn("--regex: %llu lines took the pattern past its match limit and count as not matching; "
		         "a simpler pattern (no back-references, no nested repetition) reads them all",
		         (unsigned long long)hub_regex_limited(o.q.regex));
	hub_regex_free(o.q.regex);
	return status;
}
