/* privacy/sensitive.c: the fields the registry's schemas mark sensitive, as field paths.
 *
 * The schemas are the registry's own, compiled once by schema/registry.c
 * (the same that hub-validate checks against), so named types resolve by
 * Avro's namespace rules. The walk follows records, arrays, maps, unions
 * and named types; a recursive type is followed to a bounded depth. A
 * sensitive field is taken whole: nothing below it is visited, since its
 * whole value is replaced. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "privacy/sensitive.h"
#include "schema/registry.h"

#define MAX_DEPTH 32

struct walk {
	struct hub_policy *pol;
	const char *type;        /* the subject */
	const char *file;
	char *err;
	size_t errlen;
};

static int walk_node(struct walk *w, const struct hub_avro_node *n, struct hub_buf *path, int depth)
{
	size_t at = path->len;
	char perr[256];
	int rc = 0;

	if (!n || depth > MAX_DEPTH)
		return 0;
	switch (n->kind) {
	case HUB_AVRO_RECORD:
		for (int i = 0; i < n->nfields && rc == 0; i++) {
			const struct hub_avro_field *f = &n->fields[i];

			hub_buf_addc(path, '.');
			hub_buf_add(path, f->name, f->namelen);
			hub_buf_cstr(path);
			if (!f->sensitive) {
				rc = walk_node(w, f->type, path, depth + 1);
			} else if (hub_policy_add_sensitive(w->pol, w->type, path->data, perr, sizeof(perr)) < 0) {
				snprintf(w->err, w->errlen, "%s: %s", w->file, perr);
				rc = -1;
			}
			path->len = at;
		}
		return rc;
	case HUB_AVRO_ARRAY:
		hub_buf_adds(path, "[*]");
		rc = walk_node(w, n->items, path, depth + 1);
		break;
	case HUB_AVRO_MAP:
		hub_buf_adds(path, ".*");
		rc = walk_node(w, n->items, path, depth + 1);
		break;
	case HUB_AVRO_UNION:
		for (int i = 0; i < n->nbranches && rc == 0; i++)
			rc = walk_node(w, n->branches[i], path, depth + 1);
		break;
	default:
		break;   /* no fields inside */
	}
	path->len = at;
	return rc;
}

/* The registry's lines about one file, as one message. */
static void file_problems(const struct hub_buf *problems, const char *file, char *err, size_t errlen)
{
	size_t n = 0, flen = strlen(file);
	const char *p = problems->data, *end = p + problems->len;

	err[0] = 0;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len > flen && strncmp(p, file, flen) == 0 && p[flen] == ':' && n + 3 < errlen)
			n += (size_t)snprintf(err + n, errlen - n, "%s%.*s", n ? "; " : "", (int)len, p);
		p = nl ? nl + 1 : NULL;
	}
	if (!n)
		snprintf(err, errlen, "%s: does not compile", file);
}

int hub_sensitive_load(struct hub_policy *pol, const char *dir, char *err, size_t errlen)
{
	struct hub_buf problems = { 0 }, path = { 0 };
	struct hub_registry *reg = hub_registry_load(dir, &problems);
	int count = 0, rc = 0;
	char perr[256];

	if (!reg) {
		snprintf(err, errlen, "%.*s", (int)strcspn(hub_buf_cstr(&problems), "\n"), problems.data);
		hub_buf_free(&problems);
		return -1;
	}
	if (hub_policy_path(pol, "type", perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s: %s", dir, perr);
		rc = -1;
	}
	for (int i = 0; rc == 0 && i < reg->nsubjects; i++) {
		const struct hub_subject *s = &reg->subjects[i];
		const struct hub_schema_version *sv = hub_subject_version(s, 0);
		struct walk w = { .pol = pol, .type = s->name, .err = err, .errlen = errlen };

		if (!sv)
			continue;
		w.file = sv->path;
		if (!sv->schema) {   /* the newest version is the one that counts: it must compile */
			hub_buf_cstr(&problems);
			file_problems(&problems, sv->path, err, errlen);
			rc = -1;
			break;
		}
		hub_buf_reset(&path);
		hub_buf_adds(&path, "data");
		if (walk_node(&w, sv->schema->root, &path, 0) < 0) {
			rc = -1;
			break;
		}
		/* a subject with no sensitive field is still known */
		if (hub_policy_subject_for(pol, s->name, s->namelen) < 0) {
			pol->types = hub_xrealloc(pol->types, sizeof(*pol->types) * (size_t)(pol->ntypes + 1));
			pol->types[pol->ntypes].type = hub_xstrdup(s->name);
			pol->types[pol->ntypes++].sensitive = 0;
		}
		count++;
	}
	hub_buf_free(&path);
	hub_buf_free(&problems);
	hub_registry_free(reg);
	if (rc == 0)
		pol->type = hub_policy_path(pol, "type", perr, sizeof(perr));
	return rc < 0 ? -1 : count;
}
