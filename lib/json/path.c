/* json/path.c: parsing field paths (syntax in json/path.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "json/path.h"
#include "json/scan.h"

static void add_step(struct hub_path *path, enum hub_step_kind kind, struct hub_buf *key, long index)
{
	struct hub_step *st;

	path->steps = hub_xrealloc(path->steps, sizeof(*path->steps) * (path->nsteps + 1));
	st = &path->steps[path->nsteps++];
	st->kind = kind;
	st->index = index;
	st->key = NULL;
	st->keylen = 0;
	if (kind == HUB_STEP_KEY) {
		st->key = hub_xstrndup(key->data ? key->data : "", key->len);
		st->keylen = key->len;
	}
}

int hub_path_parse(const char *s, struct hub_path *path, char *err, size_t errlen)
{
	const char *p = s;
	struct hub_buf key = { 0 };

	memset(path, 0, sizeof(*path));
	path->text = hub_xstrdup(s);
	if (*p == '.')
		p++;
	if (*p == '\0') {
		if (p == s) {
			snprintf(err, errlen, "empty field path");
			goto fail;
		}
		return 0;               /* "." : the whole event */
	}
	while (*p) {
		if (*p == '[') {
			const char *q = p + 1;

			if (*q == '"') {
				/* quoted key: find the closing quote, decode as JSON */
				const char *e = q + 1;

				while (*e && *e != '"')
					e += (*e == '\\' && e[1]) ? 2 : 1;
				if (*e != '"' || e[1] != ']') {
					snprintf(err, errlen, "field path '%s': unterminated [\"...\"]", s);
					goto fail;
				}
				hub_buf_reset(&key);
				if (hub_json_unescape(q, (size_t)(e + 1 - q), &key) < 0) {
					snprintf(err, errlen, "field path '%s': bad escape in quoted key", s);
					goto fail;
				}
				add_step(path, HUB_STEP_KEY, &key, 0);
				p = e + 2;
			} else if (*q == '*' && q[1] == ']') {
				add_step(path, HUB_STEP_ANY, NULL, 0);
				p = q + 2;
			} else {
				char *e;
				long idx;

				errno = 0;
				idx = strtol(q, &e, 10);
				if (e == q || *e != ']' || errno || idx < 0) {
					snprintf(err, errlen, "field path '%s': expected [N], [*] or [\"key\"] at '%s'", s, p);
					goto fail;
				}
				add_step(path, HUB_STEP_INDEX, NULL, idx);
				p = e + 1;
			}
			if (*p == '.') {
				p++;
				if (*p == '\0' || *p == '.' || *p == '[') {
					snprintf(err, errlen, "field path '%s': empty key", s);
					goto fail;
				}
			} else if (*p && *p != '[') {
				snprintf(err, errlen, "field path '%s': expected '.' or '[' after ']'", s);
				goto fail;
			}
			continue;
		}
		if (*p == '*' && (p[1] == '\0' || p[1] == '.' || p[1] == '[')) {
			add_step(path, HUB_STEP_ANYKEY, NULL, 0);
			p++;
			if (*p == '.' && (p[1] == '\0' || p[1] == '.' || p[1] == '[')) {
				snprintf(err, errlen, "field path '%s': empty key", s);
				goto fail;
			}
			if (*p == '.')
				p++;
			continue;
		}
		hub_buf_reset(&key);
		while (*p && *p != '.' && *p != '[') {
			if (*p == '\\' && p[1])
				p++;
			hub_buf_addc(&key, *p++);
		}
		if (key.len == 0) {
			snprintf(err, errlen, "field path '%s': empty key", s);
			goto fail;
		}
		add_step(path, HUB_STEP_KEY, &key, 0);
		if (*p == '.') {
			p++;
			if (*p == '\0' || *p == '.' || *p == '[') {
				snprintf(err, errlen, "field path '%s': empty key", s);
				goto fail;
			}
		}
	}
	hub_buf_free(&key);
	return 0;
fail:
	hub_buf_free(&key);
	hub_path_free(path);
	return -1;
}

void hub_path_free(struct hub_path *path)
{
	for (int i = 0; i < path->nsteps; i++)
		free(path->steps[i].key);
	free(path->steps);
	free(path->text);
	memset(path, 0, sizeof(*path));
}

int hub_paths_parse_list(const char *s, struct hub_path **paths, char *err, size_t errlen)
{
	int n = 0;
	const char *p = s;

	*paths = NULL;
	while (*p) {
		const char *e = p;
		int inq = 0;
		char *one;

		while (*e && (inq || *e != ',')) {
			if (*e == '\\' && e[1])
				e++;
			else if (*e == '"')
				inq = !inq;
			e++;
		}
		one = hub_xstrndup(p, (size_t)(e - p));
		*paths = hub_xrealloc(*paths, sizeof(**paths) * (n + 1));
		if (hub_path_parse(one, &(*paths)[n], err, errlen) < 0) {
			free(one);
			hub_paths_free(*paths, n);
			*paths = NULL;
			return -1;
		}
		free(one);
		n++;
		p = *e ? e + 1 : e;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty list of field paths");
		return -1;
	}
	return n;
}

void hub_paths_free(struct hub_path *paths, int n)
{
	for (int i = 0; i < n; i++)
		hub_path_free(&paths[i]);
	free(paths);
}
