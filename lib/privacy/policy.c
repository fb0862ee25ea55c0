/* privacy/policy.c: policy files, rule sets and schema-marked fields.
 *
 * Invariant: every path the scanner is given is in pol->paths once, under
 * its canonical text, which is also the field's default token context, so
 * ".data.x", data.x and data["x"] are one field with one token space. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/file-internal.h"
#include "privacy/policy.h"

void hub_policy_init(struct hub_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->market = pol->type = -1;
	pol->sets = hub_xcalloc(1, sizeof(*pol->sets));
	pol->nsets = 1;
	pol->schema_rule.mode = HUB_MODE_TOKEN;
	pol->schema_rule.keep = 4;
}

void hub_policy_free(struct hub_policy *pol)
{
	for (int i = 0; i < pol->npaths; i++) {
		hub_path_free(&pol->paths[i]);
		free(pol->contexts[i]);
	}
	for (int s = 0; s < pol->nsets; s++) {
		for (int m = 0; m < pol->sets[s].nmarkets; m++)
			free(pol->sets[s].markets[m]);
		free(pol->sets[s].markets);
		for (int i = 0; i < HUB_JSON_MAX_PATHS; i++)
			free(pol->sets[s].rules[i].context);
	}
	free(pol->sets);
	for (int t = 0; t < pol->ntypes; t++)
		free(pol->types[t].type);
	free(pol->types);
	memset(pol, 0, sizeof(*pol));
}

enum hub_mode hub_mode_parse(const char *s)
{
	static const char *const names[] = { "", "token", "hash", "mask", "pass" };

	for (int m = HUB_MODE_TOKEN; m <= HUB_MODE_PASS; m++)
		if (strcmp(s, names[m]) == 0)
			return (enum hub_mode)m;
	return HUB_MODE_NONE;
}

const char *hub_mode_name(enum hub_mode m)
{
	static const char *const names[] = { "none", "token", "hash", "mask", "pass" };

	return names[m];
}

/* A path's canonical text: data.customer.email, data.items[*].sku,
 * data["odd key"]: how it is compared and the default token context, so
 * ".data.x" and data["x"] are the same field. */
static char *canonical(const struct hub_path *p)
{
	struct hub_buf b = { 0 };

	for (int i = 0; i < p->nsteps; i++) {
		const struct hub_step *st = &p->steps[i];
		int plain = st->kind == HUB_STEP_KEY && st->keylen > 0;

		for (size_t k = 0; plain && k < st->keylen; k++) {
			unsigned char c = (unsigned char)st->key[k];

			plain = c == '_' || c == '-' || c == '$' || c == '@' || (c >= '0' && c <= '9') ||
			        ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
		}
		switch (st->kind) {
		case HUB_STEP_KEY:
			if (plain) {
				if (i)
					hub_buf_addc(&b, '.');
				hub_buf_add(&b, st->key, st->keylen);
			} else {
				hub_buf_addc(&b, '[');
				hub_buf_json_string(&b, st->key, st->keylen);
				hub_buf_addc(&b, ']');
			}
			break;
		case HUB_STEP_INDEX: hub_buf_addf(&b, "[%ld]", st->index); break;
		case HUB_STEP_ANY: hub_buf_adds(&b, "[*]"); break;
		case HUB_STEP_ANYKEY: hub_buf_adds(&b, i ? ".*" : "*"); break;
		}
	}
	hub_buf_cstr(&b);
	return b.data;
}

int hub_policy_path(struct hub_policy *pol, const char *text, char *err, size_t errlen)
{
	struct hub_path p;
	char *canon;

	if (hub_path_parse(text, &p, err, errlen) < 0)
		return -1;
	if (p.nsteps == 0) {
		snprintf(err, errlen, "field path '%s': the whole event cannot be a field", text);
		hub_path_free(&p);
		return -1;
	}
	canon = canonical(&p);
	for (int i = 0; i < pol->npaths; i++)
		if (strcmp(pol->contexts[i], canon) == 0) {
			free(canon);
			hub_path_free(&p);
			return i;
		}
	if (pol->npaths == HUB_JSON_MAX_PATHS) {
		snprintf(err, errlen, "too many fields (at most %d, the market and type fields included)",
		         HUB_JSON_MAX_PATHS);
		free(canon);
		hub_path_free(&p);
		return -1;
	}
	pol->paths[pol->npaths] = p;
	pol->contexts[pol->npaths] = canon;
	return pol->npaths++;
}

int hub_policy_add_rule(struct hub_policy *pol, int set, const char *text, const struct hub_rule *rule,
                        char *err, size_t errlen)
{
	int i = hub_policy_path(pol, text, err, errlen);
	struct hub_rule *r;

	if (i < 0)
		return -1;
	r = &pol->sets[set].rules[i];
	free(r->context);
	*r = *rule;
	r->context = rule->context ? hub_xstrdup(rule->context) : NULL;
	return 0;
}

int hub_policy_add_sensitive(struct hub_policy *pol, const char *type, const char *text,
                             char *err, size_t errlen)
{
	int i = hub_policy_path(pol, text, err, errlen), t;

	if (i < 0)
		return -1;
	for (t = 0; t < pol->ntypes; t++)
		if (strcmp(pol->types[t].type, type) == 0)
			break;
	if (t == pol->ntypes) {
		pol->types = hub_xrealloc(pol->types, sizeof(*pol->types) * (size_t)(t + 1));
		pol->types[t].type = hub_xstrdup(type);
		pol->types[t].sensitive = 0;
		pol->ntypes++;
	}
	pol->types[t].sensitive |= (uint64_t)1 << i;
	return 0;
}

/* The next word of a line: up to a space, a tab or a '#', spaces inside
 * ["..."] kept. NULL at the end of the line. */
static char *next_word(char **pos)
{
	char *p = *pos, *start;
	int inq = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return NULL;
	start = p;
	while (*p && (inq || (*p != ' ' && *p != '\t' && *p != '#'))) {
		if (inq && *p == '\\' && p[1])
			p++;
		else if (*p == '"')
			inq = !inq;
		p++;
	}
	if (*p == '#')
		*p = '\0', *pos = p;
	else if (*p)
		*p++ = '\0', *pos = p;
	else
		*pos = p;
	return start;
}

/* "[DE AT]": a new rule set for these markets. */
static int parse_section(struct hub_policy *pol, char *line, const char *where, char *err, size_t errlen)
{
	char *close = strchr(line, ']'), *pos, *w;
	struct hub_ruleset *s;

	if (!close || (close[1 + strspn(close + 1, " \t\r")] != '\0' &&
	               close[1 + strspn(close + 1, " \t\r")] != '#')) {
		snprintf(err, errlen, "%s: expected [MARKET ...] on a line of its own", where);
		return -1;
	}
	*close = '\0';
	pol->sets = hub_xrealloc(pol->sets, sizeof(*pol->sets) * (size_t)(pol->nsets + 1));
	s = &pol->sets[pol->nsets++];
	memset(s, 0, sizeof(*s));
	pos = line + 1;
	while ((w = next_word(&pos))) {
		if (hub_policy_set_for(pol, w, strlen(w)) != 0) {
			snprintf(err, errlen, "%s: market '%s' already has a section", where, w);
			return -1;
		}
		s->markets = hub_xrealloc(s->markets, sizeof(*s->markets) * (size_t)(s->nmarkets + 1));
		s->markets[s->nmarkets++] = hub_xstrdup(w);
	}
	if (s->nmarkets == 0) {
		snprintf(err, errlen, "%s: a section names at least one market: [DE AT]", where);
		return -1;
	}
	return 0;
}

static int parse_rule(struct hub_policy *pol, char *path, char *pos, const char *where, char *err,
                      size_t errlen)
{
	struct hub_rule r = { .keep = 4 };
	char *w = next_word(&pos), *opt, *end;
	char perr[256];

	if (!w || !(r.mode = hub_mode_parse(w))) {
		snprintf(err, errlen, "%s: expected PATH MODE [OPTION...], MODE one of token, hash, mask, pass",
		         where);
		return -1;
	}
	while ((opt = next_word(&pos))) {
		if (strncmp(opt, "keep=", 5) == 0 && r.mode == HUB_MODE_MASK) {
			long k;

			errno = 0;
			k = strtol(opt + 5, &end, 10);
			if (end == opt + 5 || *end || errno || k < 0 || k > 1000) {
				snprintf(err, errlen, "%s: keep=N wants a number from 0 to 1000", where);
				return -1;
			}
			r.keep = (int)k;
		} else if (strncmp(opt, "context=", 8) == 0 && opt[8] &&
		           (r.mode == HUB_MODE_TOKEN || r.mode == HUB_MODE_HASH)) {
			r.context = opt + 8;
		} else {
			snprintf(err, errlen, "%s: unknown option '%s' for mode %s (token and hash take "
			         "context=NAME, mask takes keep=N)", where, opt, hub_mode_name(r.mode));
			return -1;
		}
	}
	if (hub_policy_add_rule(pol, pol->nsets - 1, path, &r, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s: %s", where, perr);
		return -1;
	}
	return 0;
}

char *hub_policy_default(void)
{
	static const char *const where[] = { "@config/hub/tokenize.policy", "/etc/hub/tokenize.policy", NULL };

	return hub_default_path("HUB_TOKENIZE_POLICY", where, HUB_PATH_EXISTING);
}

/* A policy file, one statement a line, '#' to the end of a line a comment:
 *
 *   market data.market                 the field that picks a rule set
 *   data.customer.email  token context=email
 *   data.customer.phone  mask keep=4
 *   [DE AT CH]                         rules for these markets follow
 *   data.customer.name   token
 *   data.customer.phone  pass
 *
 * Rules before the first [..] line are the default set; a market's set
 * overrides it field by field (hub_policy_rule). */
int hub_policy_load(struct hub_policy *pol, const char *file, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	char *line = NULL, *pos, *w, where[300], *market = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = -1;

	if (!f) {
		snprintf(err, errlen, "policy %s: %s", file, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		snprintf(where, sizeof(where), "policy %s:%d", file, lineno);
		pos = line;
		while (*pos == ' ' || *pos == '\t')
			pos++;
		if (*pos == '[') {
			if (parse_section(pol, pos, where, err, errlen) < 0)
				goto out;
			continue;
		}
		if (!(w = next_word(&pos)))
			continue;
		if (strcmp(w, "market") == 0) {
			char *path = next_word(&pos);

			if (!path || next_word(&pos) || pol->nsets > 1) {
				snprintf(err, errlen, "%s: expected 'market PATH', before the first [MARKET] section",
				         where);
				goto out;
			}
			free(market);
			market = hub_xstrdup(path);
			continue;
		}
		if (parse_rule(pol, w, pos, where, err, errlen) < 0)
			goto out;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "policy %s: read: %s", file, strerror(errno));
		goto out;
	}
	if (market || pol->nsets > 1) {
		char perr[256];

		if ((pol->market = hub_policy_path(pol, market ? market : "data.market", perr, sizeof(perr))) < 0) {
			snprintf(err, errlen, "policy %s: market: %s", file, perr);
			goto out;
		}
	}
	rc = 0;
out:
	free(market);
	free(line);
	fclose(f);
	return rc;
}

int hub_policy_set_for(const struct hub_policy *pol, const char *market, size_t len)
{
	for (int s = 1; s < pol->nsets; s++)
		for (int m = 0; m < pol->sets[s].nmarkets; m++)
			if (strlen(pol->sets[s].markets[m]) == len && memcmp(pol->sets[s].markets[m], market, len) == 0)
				return s;
	return 0;
}

int hub_policy_subject_for(const struct hub_policy *pol, const char *type, size_t len)
{
	for (int t = 0; t < pol->ntypes; t++)
		if (strlen(pol->types[t].type) == len && memcmp(pol->types[t].type, type, len) == 0)
			return t;
	return -1;
}

const struct hub_rule *hub_policy_rule(const struct hub_policy *pol, int set, int subject, int i)
{
	const struct hub_rule *r = &pol->sets[set].rules[i];

	if (r->mode == HUB_MODE_NONE)
		r = &pol->sets[0].rules[i];
	if (r->mode == HUB_MODE_NONE && subject >= 0 && (pol->types[subject].sensitive >> i & 1))
		r = &pol->schema_rule;
	return r->mode == HUB_MODE_NONE || r->mode == HUB_MODE_PASS ? NULL : r;
}
