/* privacy/sensitive.c: walking Avro schemas (parsed by jansson) for sensitive fields.
 *
 * The walk follows records, arrays, maps, unions and references to named
 * types defined earlier in the same schema; a recursive type is followed
 * to a bounded depth. A sensitive field is taken whole: nothing below it
 * is visited, since its whole value is replaced. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/diag.h"
#include "privacy/sensitive.h"

#define MAX_DEPTH 32
#define MAX_NAMED 256

struct walk {
	struct hub_policy *pol;
	const char *type;        /* the subject */
	const char *file;
	const char *names[MAX_NAMED];   /* named records: short and full names */
	json_t *defs[MAX_NAMED];
	int nnamed;
	char *err;
	size_t errlen;
};

static int walk_type(struct walk *w, json_t *t, const char *path, int depth);

static void add_named(struct walk *w, json_t *t)
{
	const char *name = json_string_value(json_object_get(t, "name"));
	const char *ns = json_string_value(json_object_get(t, "namespace"));

	if (!name || w->nnamed + 2 > MAX_NAMED)
		return;
	w->names[w->nnamed] = name;
	w->defs[w->nnamed++] = t;
	(void)ns;   /* full names are matched by their last component */
}

static json_t *find_named(struct walk *w, const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot)
		name = dot + 1;
	for (int i = 0; i < w->nnamed; i++)
		if (strcmp(w->names[i], name) == 0)
			return w->defs[i];
	return NULL;
}

static int walk_record(struct walk *w, json_t *t, const char *path, int depth)
{
	json_t *fields = json_object_get(t, "fields"), *f;
	size_t i;
	char perr[256];

	add_named(w, t);
	if (!json_is_array(fields)) {
		snprintf(w->err, w->errlen, "%s: record '%s' has no \"fields\" array", w->file,
		         json_string_value(json_object_get(t, "name")) ? json_string_value(json_object_get(t, "name")) : "?");
		return -1;
	}
	json_array_foreach(fields, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		struct hub_buf sub = { 0 };
		int rc = 0;

		if (!name || !*name) {
			snprintf(w->err, w->errlen, "%s: a field of %s has no name", w->file, path);
			return -1;
		}
		hub_buf_adds(&sub, path);
		hub_buf_addc(&sub, '.');
		hub_buf_adds(&sub, name);
		hub_buf_cstr(&sub);
		if (json_is_true(json_object_get(f, "sensitive"))) {
			if (hub_policy_add_sensitive(w->pol, w->type, sub.data, perr, sizeof(perr)) < 0) {
				snprintf(w->err, w->errlen, "%s: %s", w->file, perr);
				rc = -1;
			}
		} else {
			rc = walk_type(w, json_object_get(f, "type"), sub.data, depth + 1);
		}
		hub_buf_free(&sub);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int walk_type(struct walk *w, json_t *t, const char *path, int depth)
{
	const char *kind;
	char sub[1024];
	size_t i;
	json_t *branch;

	if (!t || depth > MAX_DEPTH)
		return 0;
	if (json_is_string(t)) {
		json_t *def = find_named(w, json_string_value(t));

		return def ? walk_type(w, def, path, depth + 1) : 0;
	}
	if (json_is_array(t)) {   /* a union */
		json_array_foreach(t, i, branch)
			if (walk_type(w, branch, path, depth + 1) < 0)
				return -1;
		return 0;
	}
	if (!json_is_object(t) || !(kind = json_string_value(json_object_get(t, "type"))))
		return 0;
	if (strcmp(kind, "record") == 0 || strcmp(kind, "error") == 0)
		return walk_record(w, t, path, depth);
	if (strcmp(kind, "array") == 0) {
		snprintf(sub, sizeof(sub), "%s[*]", path);
		return walk_type(w, json_object_get(t, "items"), sub, depth + 1);
	}
	if (strcmp(kind, "map") == 0) {
		snprintf(sub, sizeof(sub), "%s.*", path);
		return walk_type(w, json_object_get(t, "values"), sub, depth + 1);
	}
	if (json_object_get(t, "name"))
		add_named(w, t);   /* enum, fixed: nothing sensitive inside */
	return 0;
}

/* The highest N of DIR/<subject>/N.avsc, 0 when there is none. */
static unsigned long highest_version(const char *subdir)
{
	DIR *d = opendir(subdir);
	struct dirent *e;
	unsigned long best = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *end;
		unsigned long v;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		errno = 0;
		v = strtoul(e->d_name, &end, 10);
		if (!errno && strcmp(end, ".avsc") == 0 && v > best)
			best = v;
	}
	closedir(d);
	return best;
}

int hub_sensitive_load(struct hub_policy *pol, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0, rc = 0;
	char perr[256];

	if (!d) {
		snprintf(err, errlen, "schemas %s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		char sub[4096], file[4200];
		unsigned long v;
		json_error_t jerr;
		json_t *schema;
		struct walk *w;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (!(v = highest_version(sub)))
			continue;
		snprintf(file, sizeof(file), "%s/%lu.avsc", sub, v);
		if (!(schema = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr))) {
			snprintf(err, errlen, "%s:%d: %s", file, jerr.line, jerr.text);
			rc = -1;
			break;
		}
		w = hub_xcalloc(1, sizeof(*w));
		w->pol = pol;
		w->type = e->d_name;
		w->file = file;
		w->err = err;
		w->errlen = errlen;
		if (hub_policy_path(pol, "type", perr, sizeof(perr)) < 0) {
			snprintf(err, errlen, "%s: %s", file, perr);
			rc = -1;
		} else if (walk_type(w, schema, "data", 0) < 0) {
			rc = -1;
		} else {
			/* a subject with no sensitive field is still known */
			if (hub_policy_subject_for(pol, e->d_name, strlen(e->d_name)) < 0) {
				pol->types = hub_xrealloc(pol->types, sizeof(*pol->types) * (size_t)(pol->ntypes + 1));
				pol->types[pol->ntypes].type = hub_xstrdup(e->d_name);
				pol->types[pol->ntypes++].sensitive = 0;
			}
			count++;
		}
		free(w);
		json_decref(schema);
	}
	closedir(d);
	if (rc == 0)
		pol->type = hub_policy_path(pol, "type", perr, sizeof(perr));
	return rc < 0 ? -1 : count;
}
