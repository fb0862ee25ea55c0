/* kafka/config.c: collecting librdkafka properties (precedence in kafka/config.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "kafka/config.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"

static int find(const struct hub_config *cfg, const char *key)
{
	for (int i = 0; i < cfg->n; i++)
		if (strcmp(cfg->keys[i], key) == 0)
			return i;
	return -1;
}

void hub_config_set(struct hub_config *cfg, const char *key, const char *value)
{
	int i = find(cfg, key);

	if (i >= 0) {
		free(cfg->values[i]);
		cfg->values[i] = hub_xstrdup(value);
		return;
	}
	cfg->keys = hub_xrealloc(cfg->keys, sizeof(char *) * (cfg->n + 1));
	cfg->values = hub_xrealloc(cfg->values, sizeof(char *) * (cfg->n + 1));
	cfg->keys[cfg->n] = hub_xstrdup(key);
	cfg->values[cfg->n] = hub_xstrdup(value);
	cfg->n++;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int hub_config_set_kv(struct hub_config *cfg, const char *kv, struct hub_error *e)
{
	char *copy = hub_xstrdup(kv), *eq = strchr(copy, '='), *key;

	if (!eq) {
		free(copy);
		return hub_fail(e, HUB_EXIT_USAGE, "'%s': expected key=value", kv);
	}
	*eq = '\0';
	key = trim(copy);
	if (!*key) {
		free(copy);
		return hub_fail(e, HUB_EXIT_USAGE, "'%s': empty property name", kv);
	}
	hub_config_set(cfg, key, trim(eq + 1));
	free(copy);
	return 0;
}

/* The files read, for -v: "configuration from FILE". */
static struct hub_buf files_read;

const char *hub_config_files(void)
{
	return files_read.len ? hub_buf_cstr(&files_read) : NULL;
}

int hub_config_load_file(struct hub_config *cfg, const char *path, struct hub_error *e)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;

	if (!f)
		return hub_fail(e, HUB_EXIT_CONFIG, "config file %s: %s", path, strerror(errno));
	if (files_read.len)
		hub_buf_adds(&files_read, ", ");
	hub_buf_adds(&files_read, path);
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *s = trim(line);

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (hub_config_set_kv(cfg, s, e) < 0) {
			e->status = HUB_EXIT_CONFIG;   /* a file's line, not a command line's */
			rc = hub_fail_prefix(e, "%s:%d: ", path, lineno);
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

const char *hub_config_get(const struct hub_config *cfg, const char *key)
{
	int i = find(cfg, key);

	return i >= 0 ? cfg->values[i] : NULL;
}

const char *hub_config_brokers(const struct hub_config *cfg)
{
	const char *b = hub_config_get(cfg, "bootstrap.servers");

	return b ? b : hub_config_get(cfg, "metadata.broker.list");
}

static char *default_file(void)
{
	static const char *const where[] = { "@config/hub/hub.conf", "/etc/hub/hub.conf", NULL };

	return hub_default_path("HUB_CONFIG", where, HUB_PATH_EXISTING);
}

int hub_config_load_defaults(struct hub_config *cfg, struct hub_error *e)
{
	struct hub_config base = { 0 };
	const char *brokers = getenv("HUB_BROKERS");
	int rc = 0;

	if (!cfg->explicit_file) {
		char *path = default_file();

		if (path && strcmp(path, "/dev/null") != 0)
			rc = hub_config_load_file(&base, path, e);
		free(path);
	}
	if (rc == 0 && brokers && *brokers)
		hub_config_set(&base, "bootstrap.servers", brokers);
	/* What the command line set wins over the defaults. */
	for (int i = 0; i < cfg->n; i++)
		hub_config_set(&base, cfg->keys[i], cfg->values[i]);
	hub_config_free(cfg);
	*cfg = base;
	return rc;
}

void hub_config_free(struct hub_config *cfg)
{
	for (int i = 0; i < cfg->n; i++) {
		free(cfg->keys[i]);
		free(cfg->values[i]);
	}
	free(cfg->keys);
	free(cfg->values);
	int explicit_file = cfg->explicit_file;
	memset(cfg, 0, sizeof(*cfg));
	cfg->explicit_file = explicit_file;
}
