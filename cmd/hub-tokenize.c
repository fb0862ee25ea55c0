/* hub-tokenize: sensitive fields of NDJSON events to tokens, hashes or masks.
 *
 * Options, key and policy set-up only; the events go through
 * hub_tokenize_run() in lib/privacy/tokenize.c (the loop is lib/stream/filter.c), the
 * cryptography lib/privacy/token.c. Tokens are reversible (-d) only with the key
 * file; nothing sensitive is ever printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/metrics.h"
#include "core/options.h"
#include "stream/failstore.h"
#include "stream/finish.h"
#include "privacy/keyfile.h"
#include "stream/ndjson.h"
#include "privacy/policy.h"
#include "privacy/sensitive.h"
#include "core/signals.h"
#include "core/stats.h"
#include "privacy/tokenize.h"

enum { OPT_KEEP = HUB_OPT_TOOL, OPT_CONTEXT, OPT_KEY_FILE, OPT_RETOKENIZE, OPT_GENKEY };

static const struct hub_option options[] = {
	{ 'f', "fields", "PATH,...", "fields to change (field paths: data.customer.email,\n"
	  "data.items[*].name)" },
	{ 'm', "mode", "MODE", "what -f and -s fields get: token (default), hash, mask" },
	{ OPT_KEEP, "keep", "N", "mask: letters and digits left visible (default 4)" },
	{ OPT_CONTEXT, "context", "NAME", "token/hash context shared by the -f fields (default: each\n"
	  "field's path), so equal values in them give equal tokens" },
	{ 's', "schemas", "DIR", "also the fields marked \"sensitive\": true in\n"
	  "DIR/<type>/<version>.avsc, by each event's type" },
	{ 'P', "policy", "FILE", "modes per field and per market (see hub-tokenize(1));\n"
	  "without -f, -s and -P: $HUB_TOKENIZE_POLICY, else\n"
	  "~/.config/hub/tokenize.policy, else\n"
	  "/etc/hub/tokenize.policy" },
	{ OPT_KEY_FILE, "key-file", "FILE", "key file (default: $HUB_KEY_FILE, else\n"
	  "~/.config/hub/tokenize.key)" },
	{ 'd', "detokenize", NULL, "turn tokens back into their exact original values" },
	{ OPT_RETOKENIZE, "retokenize", NULL, "re-seal tokens of older key versions with the newest" },
	{ OPT_GENKEY, "genkey", "FILE", "create a key file (mode 0600), or add a newer key to it" },
	HUB_OPTION_DLQ,
	HUB_OPTION_MAX_LINE,
	HUB_OPTION_STATS,
	HUB_OPTIONS_SERVICE,
	HUB_OPTIONS_GENERAL("verbose"),
	HUB_OPTION_END,
};

static void usage(void)
{
	printf("Usage: %s [OPTIONS] (-f PATH,... | -s DIR | -P POLICY) < events.ndjson\n"
	       "       %s --genkey FILE\n"
	       "Replace sensitive fields of NDJSON events by deterministic tokens that only key\n"
	       "holders can reverse, keyed hashes or masks; every other byte is kept.\n"
	       "\n", hub_progname, hub_progname);
	hub_options_help(stdout, options, 21);
	printf("\n"
	       "Exit status: 0 all events written, 1 some events in the failure store, 64 usage,\n"
	       "66 no key file, 74 I/O error, 78 bad key file, policy or schema.\n"
	       "See hub-tokenize(1).\n");
}

struct options {
	const char *fields, *schemas, *policy, *key_file, *genkey, *dlq, *context;
	enum hub_mode mode;
	int keep;
	struct hub_tokenize_opts run;
};

/* --genkey: the whole job of this run. */
static int genkey(const char *path)
{
	char err[512];
	uint32_t version;

	if (hub_keyfile_generate(path, &version, err, sizeof(err)) < 0)
		hub_die(HUB_EXIT_CONFIG, "%s", err);
	if (hub_verbosity > 0)
		fprintf(stderr, "%s: %s: key version %u %s\n", hub_progname, path, (unsigned)version,
		        version == 1 ? "created" : "added; new tokens use it, older ones still open "
		        "(--retokenize moves them to it)");
	return HUB_EXIT_OK;
}

static void build_policy(const struct options *o, struct hub_policy *pol)
{
	char err[512];
	int n;

	hub_policy_init(pol);
	pol->schema_rule.mode = o->mode;
	pol->schema_rule.keep = o->keep;
	if (o->policy && hub_policy_load(pol, o->policy, err, sizeof(err)) < 0)
		hub_die(HUB_EXIT_CONFIG, "%s", err);
	if (o->fields) {
		struct hub_path *paths;
		struct hub_rule r = { .mode = o->mode, .keep = o->keep, .context = (char *)o->context };

		if ((n = hub_paths_parse_list(o->fields, &paths, err, sizeof(err))) < 0)
			hub_usage_error("-f: %s", err);
		for (int i = 0; i < n; i++)
			if (hub_policy_add_rule(pol, 0, paths[i].text, &r, err, sizeof(err)) < 0)
				hub_usage_error("-f: %s", err);
		hub_paths_free(paths, n);
	}
	if (o->schemas) {
		if ((n = hub_sensitive_load(pol, o->schemas, err, sizeof(err))) < 0)
			hub_die(HUB_EXIT_CONFIG, "%s", err);
		if (n == 0)
			hub_warn("schemas %s: no DIR/<type>/<version>.avsc found", o->schemas);
	}
}

int main(int argc, char **argv)
{
	struct options o = { .mode = HUB_MODE_TOKEN, .keep = 4 };
	struct hub_policy pol;
	struct hub_keyring keys;
	struct hub_stats st;
	struct hub_service_opts svc = { 0 };
	char err[512], *keyfile, *end, *default_policy = NULL;
	struct hub_getopt g;
	int c, status;

	hub_diag_init(argv[0]);
	hub_getopt_init(&g, options);
	while ((c = hub_getopt(&g, argc, argv)) != -1) {
		if (hub_service_option(&svc, c, optarg))
			continue;
		switch (c) {
		case 'f': o.fields = optarg; break;
		case 'm':
			o.mode = hub_mode_parse(optarg);
			if (o.mode == HUB_MODE_NONE || o.mode == HUB_MODE_PASS)
				hub_usage_error("-m '%s': expected token, hash or mask", optarg);
			break;
		case OPT_KEEP:
			o.keep = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || o.keep < 0 || o.keep > 1000)
				hub_usage_error("--keep '%s': expected a number from 0 to 1000", optarg);
			break;
		case OPT_CONTEXT: o.context = optarg; break;
		case 's': o.schemas = optarg; break;
		case 'P': o.policy = optarg; break;
		case OPT_KEY_FILE: o.key_file = optarg; break;
		case 'd':
		case OPT_RETOKENIZE:
			if (o.run.direction != HUB_TOKENIZE)
				hub_usage_error("-d and --retokenize exclude each other");
			o.run.direction = c == 'd' ? HUB_DETOKENIZE : HUB_RETOKENIZE;
			break;
		case OPT_GENKEY: o.genkey = optarg; break;
		case HUB_OPT_DLQ: o.dlq = optarg; break;
		case HUB_OPT_MAX_LINE: o.run.max_line = hub_max_line_option(optarg); break;
		case HUB_OPT_STATS: o.run.show_stats = 1; break;
		case 'q': hub_verbosity = 0; break;
		case 'v': hub_verbosity++; break;
		case 'h': usage(); return 0;
		case 'V': printf("hub-tokenize %s (libsodium %s)\n", HUB_VERSION, sodium_version_string()); return 0;
		default: return hub_usage_hint();
		}
	}
	if (optind < argc)
		hub_usage_error("unexpected argument '%s': events are read from standard input", argv[optind]);
	if (o.genkey) {
		if (o.fields || o.schemas || o.policy)
			hub_usage_error("--genkey writes a key file and reads no events; it takes no -f, -s or -P");
		return genkey(o.genkey);
	}
	if (!o.fields && !o.schemas && !o.policy && !(o.policy = default_policy = hub_policy_default()))
		hub_usage_error("no fields: give -f PATH,..., -s SCHEMA_DIR or -P POLICY (or write "
		                "~/.config/hub/tokenize.policy, or set $HUB_TOKENIZE_POLICY)");
	if (o.context && !o.fields)
		hub_usage_error("--context applies to the -f fields; in a policy, write context=NAME");
	if (o.context && o.mode == HUB_MODE_MASK)
		hub_usage_error("--context applies to token and hash modes, not mask");
	if (sodium_init() < 0)
		hub_die(HUB_EXIT_SOFTWARE, "libsodium could not be initialised");

	build_policy(&o, &pol);
	free(default_policy);
	o.policy = NULL;
	if (pol.npaths == 0)
		hub_warn("no fields to change (empty policy, or schemas without sensitive fields): "
		         "events pass unchanged");
	keyfile = hub_keyfile_default(o.key_file);
	if (hub_keyring_load(&keys, keyfile, &status, err, sizeof(err)) < 0) {
		free(keyfile);
		hub_policy_free(&pol);
		hub_die(status, "%s", err);
	}
	free(keyfile);

	o.run.pol = &pol;
	o.run.keys = &keys;
	o.run.failstore = hub_failstore_new(o.dlq);
	hub_signals_install(0);
	hub_stats_start(&st);
	hub_service_start(&svc, &st);
	status = hub_tokenize_run(&o.run, STDIN_FILENO, STDOUT_FILENO, &st);

	status = hub_finish(status, &(struct hub_finish){ .stats = &st, .failstore = o.run.failstore });
	hub_keyring_free(&keys);
	hub_policy_free(&pol);
	return status;
}
