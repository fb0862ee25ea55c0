/* gateway/clients.c: the clients file (see gateway/clients.h).
 *
 * Look-ups walk the list: a gateway has tens of clients, not thousands.
 * Token hashes are compared in constant time (sodium_memcmp) so the
 * answer's timing says nothing about how much of a hash matched. */
#include <fnmatch.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/file-internal.h"
#include "gateway/clients.h"

static const char *const field_names[HUB_GW_NFIELDS] = { "types", "sources", "topics" };

const char *hub_gw_field_name(enum hub_gw_field field)
{
	static const char *const singular[HUB_GW_NFIELDS] = { "type", "source", "topic" };

	return singular[field];
}

static int unhex(const char *s, unsigned char *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	return sodium_hex2bin(out, n, s, 2 * n, NULL, NULL, NULL) == 0 ? 0 : -1;
}

/* "a,b,c" into a NULL-terminated array. */
static char **split_list(const char *s)
{
	char **list;
	int n = 1, i = 0;

	for (const char *p = s; *p; p++)
		n += *p == ',';
	list = hub_xcalloc((size_t)n + 1, sizeof(*list));
	while (*s) {
		size_t len = strcspn(s, ",");

		if (len)
			list[i++] = hub_xstrndup(s, len);
		s += len;
		if (*s == ',')
			s++;
	}
	return list;
}

static void free_client(struct hub_gw_client *c)
{
	free(c->name);
	free(c->cn);
	for (int f = 0; f < HUB_GW_NFIELDS; f++) {
		for (int i = 0; c->allow[f] && c->allow[f][i]; i++)
			free(c->allow[f][i]);
		free(c->allow[f]);
	}
}

/* One line's words into c: 0, or -1 with the problem in err. */
static int parse_line(char *line, struct hub_gw_client *c, const char *where, struct hub_buf *err)
{
	char *word[8], *save = NULL;
	int n = 0;

	for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == 8) {
			hub_buf_addf(err, "%s: too many words (NAME CREDENTIAL types= sources= topics=)\n", where);
			return -1;
		}
		word[n++] = w;
	}
	if (n < 2) {
		hub_buf_addf(err, "%s: expected NAME token:sha256:HEX or NAME cert:COMMON-NAME "
		             "(hub-gateway token NAME makes a token line)\n", where);
		return -1;
	}
	c->name = hub_xstrdup(word[0]);
	if (strncmp(word[1], "token:sha256:", 13) == 0) {
		if (unhex(word[1] + 13, c->hash, sizeof(c->hash)) < 0) {
			hub_buf_addf(err, "%s: client %s: the token hash is not 64 hex digits\n", where, c->name);
			return -1;
		}
	} else if (strncmp(word[1], "cert:", 5) == 0 && word[1][5]) {
		c->by_cert = 1;
		c->cn = hub_xstrdup(word[1] + 5);
	} else {
		hub_buf_addf(err, "%s: client %s: '%s' is neither token:sha256:HEX nor cert:COMMON-NAME\n", where,
		             c->name, word[1]);
		return -1;
	}
	for (int i = 2; i < n; i++) {
		char *eq = strchr(word[i], '=');
		int f;

		for (f = 0; f < HUB_GW_NFIELDS; f++)
			if (eq && strlen(field_names[f]) == (size_t)(eq - word[i]) &&
			    strncmp(word[i], field_names[f], (size_t)(eq - word[i])) == 0)
				break;
		if (f == HUB_GW_NFIELDS) {
			hub_buf_addf(err, "%s: client %s: '%s': expected types=, sources= or topics=\n", where,
			             c->name, word[i]);
			return -1;
		}
		if (c->allow[f]) {
			hub_buf_addf(err, "%s: client %s: %s= is given twice\n", where, c->name, field_names[f]);
			return -1;
		}
		c->allow[f] = split_list(eq + 1);
	}
	return 0;
}

struct hub_gw_clients *hub_gw_clients_load(const char *path, struct hub_buf *err)
{
	char why[160], *text, *line, *next;
	size_t len, before = err->len;
	struct hub_gw_clients *cl;
	int lineno = 0, cap = 0;

	if (sodium_init() < 0) {
		hub_buf_addf(err, "libsodium cannot start\n");
		return NULL;
	}
	if (!(text = hub_read_file(path, 16u << 20, &len, why, sizeof(why)))) {
		hub_buf_addf(err, "%s: %s\n", path, why);
		return NULL;
	}
	cl = hub_xcalloc(1, sizeof(*cl));
	for (line = text; line && *line; line = next) {
		struct hub_gw_client c = { 0 };
		char where[300];
		char *end;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		end = line + strlen(line);
		while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		snprintf(where, sizeof(where), "%s: line %d", path, lineno);
		if (parse_line(line, &c, where, err) < 0) {
			free_client(&c);
			continue;
		}
		for (int i = 0; i < cl->n; i++)
			if (strcmp(cl->c[i].name, c.name) == 0) {
				hub_buf_addf(err, "%s: client %s is given twice\n", where, c.name);
				free_client(&c);
				goto next_line;
			}
		if (cl->n == cap) {
			cap = cap ? 2 * cap : 8;
			cl->c = hub_xrealloc(cl->c, (size_t)cap * sizeof(*cl->c));
		}
		cl->c[cl->n++] = c;
next_line:;
	}
	sodium_memzero(text, len);
	free(text);
	if (err->len > before || cl->n == 0) {
		if (err->len == before)
			hub_buf_addf(err, "%s: no clients (hub-gateway token NAME < TOKEN-FILE >> %s adds one)\n",
			             path, path);
		hub_gw_clients_free(cl);
		return NULL;
	}
	return cl;
}

void hub_gw_clients_free(struct hub_gw_clients *cl)
{
	if (!cl)
		return;
	for (int i = 0; i < cl->n; i++)
		free_client(&cl->c[i]);
	free(cl->c);
	free(cl);
}

const struct hub_gw_client *hub_gw_clients_by_token(const struct hub_gw_clients *cl, const char *token,
                                                    size_t len)
{
	unsigned char hash[32];
	const struct hub_gw_client *found = NULL;

	crypto_hash_sha256(hash, (const unsigned char *)token, len);
	for (int i = 0; i < cl->n; i++)
		if (!cl->c[i].by_cert && sodium_memcmp(cl->c[i].hash, hash, sizeof(hash)) == 0)
			found = &cl->c[i];
	return found;
}

const struct hub_gw_client *hub_gw_clients_by_cert(const struct hub_gw_clients *cl, const char *cn)
{
	for (int i = 0; i < cl->n; i++)
		if (cl->c[i].by_cert && strcmp(cl->c[i].cn, cn) == 0)
			return &cl->c[i];
	return NULL;
}

int hub_gw_client_allows(const struct hub_gw_client *c, enum hub_gw_field field, const char *value)
{
	if (!c || !c->allow[field])
		return 1;
	for (int i = 0; c->allow[field][i]; i++)
		if (fnmatch(c->allow[field][i], value, 0) == 0)
			return 1;
	return 0;
}

void hub_gw_token_line(const char *name, const char *token, size_t len, struct hub_buf *out)
{
	unsigned char hash[32];
	char hex[65];

	crypto_hash_sha256(hash, (const unsigned char *)token, len);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	hub_buf_addf(out, "%s token:sha256:%s", name, hex);
}
