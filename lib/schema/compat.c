/* schema/compat.c: Avro schema resolution as Confluent's compatibility modes.
 *
 * resolve() asks whether a reader schema can read what a writer schema
 * wrote, walking both trees together. BACKWARD makes the new version the
 * reader of the old one's data, FORWARD the other way round, FULL both.
 * Every obstacle becomes one line worded as what the new version changed
 * ("v2 removes symbol 'damage' from enum ..."), with the field path in
 * hub's syntax. Aliases are honoured as the specification's schema
 * resolution says: a reader's record, enum or fixed reads a writer's type
 * named by one of its aliases, and a reader's field reads the writer's
 * field named by one of the field's aliases. Union branches are tried quietly (counting, not printing);
 * pairs already being compared are skipped, so recursive types end. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "schema/compat.h"

struct pair {
	const struct hub_avro_node *r, *w;
};

struct checker {
	const char *subject;
	const char *mode;
	int newv, oldv;
	int new_is_reader;        /* BACKWARD: the new version reads old data */
	int quiet;                /* > 0 while trying union branches */
	int breaks;               /* obstacles found (quiet ones included) */
	struct hub_buf lines;     /* this comparison's lines, for de-duplication */
	struct pair stack[64];
	int depth;
};

static void report(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct checker *c, const char *fmt, ...)
{
	char change[700], line[1000];
	va_list ap;

	c->breaks++;
	if (c->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(change, sizeof(change), fmt, ap);
	va_end(ap);
	if (c->oldv == c->newv - 1)
		snprintf(line, sizeof(line), "%s: v%d %s: breaks %s\n", c->subject, c->newv, change, c->mode);
	else
		snprintf(line, sizeof(line), "%s: v%d (against v%d) %s: breaks %s\n", c->subject, c->newv,
		         c->oldv, change, c->mode);
	if (!c->lines.data || !strstr(hub_buf_cstr(&c->lines), line))
		hub_buf_adds(&c->lines, line);
}

static void describe(const struct hub_avro_node *n, char *out, size_t len)
{
	struct hub_buf b = { 0 };

	hub_avro_describe(n, &b);
	snprintf(out, len, "%s", hub_buf_cstr(&b));
	hub_buf_free(&b);
}

static const char *short_name(const char *full)
{
	const char *dot = full ? strrchr(full, '.') : NULL;

	return dot ? dot + 1 : full ? full : "";
}

/* Whether the reader's type r answers to the writer's w: the same
 * unqualified name, or w's name among r's aliases (Avro's schema
 * resolution: the reader's aliases name what writers called it). */
static int names_match(const struct hub_avro_node *r, const struct hub_avro_node *w)
{
	if (strcmp(short_name(r->name), short_name(w->name)) == 0)
		return 1;
	for (int i = 0; i < r->naliases; i++)
		if (strcmp(r->aliases[i], w->name) == 0 || strcmp(short_name(r->aliases[i]), short_name(w->name)) == 0)
			return 1;
	return 0;
}

/* The writer's field that reader field rf reads: by name, else by one of
 * rf's aliases. */
static const struct hub_avro_field *writer_field(const struct hub_avro_node *w, const struct hub_avro_field *rf)
{
	for (int k = 0; k < w->nfields; k++)
		if (strcmp(w->fields[k].name, rf->name) == 0)
			return &w->fields[k];
	for (int a = 0; a < rf->naliases; a++)
		for (int k = 0; k < w->nfields; k++)
			if (strcmp(w->fields[k].name, rf->aliases[a]) == 0)
				return &w->fields[k];
	return NULL;
}

static int promotes(enum hub_avro_kind w, enum hub_avro_kind r)
{
	switch (w) {
	case HUB_AVRO_INT: return r == HUB_AVRO_LONG || r == HUB_AVRO_FLOAT || r == HUB_AVRO_DOUBLE;
	case HUB_AVRO_LONG: return r == HUB_AVRO_FLOAT || r == HUB_AVRO_DOUBLE;
	case HUB_AVRO_FLOAT: return r == HUB_AVRO_DOUBLE;
	case HUB_AVRO_STRING: return r == HUB_AVRO_BYTES;
	case HUB_AVRO_BYTES: return r == HUB_AVRO_STRING;
	default: return 0;
	}
}

static void resolve(struct checker *c, const struct hub_avro_node *r, const struct hub_avro_node *w,
                    const char *path);

static void type_changed(struct checker *c, const struct hub_avro_node *r, const struct hub_avro_node *w,
                         const char *path)
{
	char from[300], to[300];

	/* old -> new, whichever of the two is the reader */
	describe(c->new_is_reader ? w : r, from, sizeof(from));
	describe(c->new_is_reader ? r : w, to, sizeof(to));
	report(c, "changes %s from %s to %s", path, from, to);
}

/* Whether r reads w without an obstacle (nothing printed). */
static int reads_quietly(struct checker *c, const struct hub_avro_node *r, const struct hub_avro_node *w,
                         const char *path)
{
	int before = c->breaks;

	c->quiet++;
	resolve(c, r, w, path);
	c->quiet--;
	if (c->breaks == before)
		return 1;
	c->breaks = before;
	return 0;
}

static void resolve_record(struct checker *c, const struct hub_avro_node *r, const struct hub_avro_node *w,
                           const char *path)
{
	if (!names_match(r, w)) {
		report(c, "renames record %s to %s at %s%s", c->new_is_reader ? w->name : r->name,
		       c->new_is_reader ? r->name : w->name, path,
		       c->new_is_reader ? " (without the old name in its aliases)" : "");
		return;
	}
	for (int i = 0; i < r->nfields; i++) {
		const struct hub_avro_field *rf = &r->fields[i];
		const struct hub_avro_field *wf = writer_field(w, rf);
		char sub[600];

		snprintf(sub, sizeof(sub), "%s.%s", path, rf->name);
		if (wf)
			resolve(c, rf->type, wf->type, sub);
		else if (!rf->has_default && c->new_is_reader)
			report(c, "adds field '%s' without a default", sub);
		else if (!rf->has_default)
			report(c, "removes field '%s', which has no default in v%d", sub, c->oldv);
	}
}

static void resolve_enum(struct checker *c, const struct hub_avro_node *r, const struct hub_avro_node *w,
                         const char *path)
{
	if (!names_match(r, w)) {
		report(c, "renames enum %s to %s at %s%s", c->new_is_reader ? w->name : r->name,
		       c->new_is_reader ? r->name : w->name, path,
		       c->new_is_reader ? " (without the old name in its aliases)" : "");
		return;
	}
	if (r->has_enum_default)
		return;
	for (int i = 0; i < w->nsymbols; i++) {
		int found = 0;

		for (int k = 0; k < r->nsymbols && !found; k++)
			found = strcmp(r->symbols[k], w->symbols[i]) == 0;
		if (found)
			continue;
		if (c->new_is_reader)
			report(c, "removes symbol '%s' from enum %s at %s", w->symbols[i], r->name, path);
		else
			report(c, "adds symbol '%s' to enum %s at %s (and the enum in v%d has no default)",
			       w->symbols[i], w->name, path, c->oldv);
	}
}

static void resolve(struct checker *c, const struct hub_avro_node *r, const struct hub_avro_node *w,
                    const char *path)
{
	char sub[600];

	for (int i = 0; i < c->depth; i++)
		if (c->stack[i].r == r && c->stack[i].w == w)
			return;
	if (c->depth == (int)(sizeof(c->stack) / sizeof(c->stack[0])))
		return;
	c->stack[c->depth].r = r;
	c->stack[c->depth].w = w;
	c->depth++;

	if (w->kind == HUB_AVRO_UNION) {
		for (int i = 0; i < w->nbranches; i++) {
			const struct hub_avro_node *wb = w->branches[i];
			int ok = 0;

			if (r->kind != HUB_AVRO_UNION) {
				ok = reads_quietly(c, r, wb, path);
			} else {
				for (int k = 0; k < r->nbranches && !ok; k++)
					ok = reads_quietly(c, r->branches[k], wb, path);
			}
			if (ok)
				continue;
			if (r->kind != HUB_AVRO_UNION)
				type_changed(c, r, w, path);
			else if (c->new_is_reader)
				report(c, "removes union branch '%s' at %s", hub_avro_branch_name(wb), path);
			else
				report(c, "adds union branch '%s' at %s", hub_avro_branch_name(wb), path);
			if (r->kind != HUB_AVRO_UNION)
				break;
		}
		goto out;
	}
	if (r->kind == HUB_AVRO_UNION) {
		int ok = 0;

		for (int k = 0; k < r->nbranches && !ok; k++)
			ok = reads_quietly(c, r->branches[k], w, path);
		if (!ok)
			type_changed(c, r, w, path);
		goto out;
	}
	if (r->kind != w->kind) {
		if (!promotes(w->kind, r->kind))
			type_changed(c, r, w, path);
		goto out;
	}
	switch (r->kind) {
	case HUB_AVRO_RECORD:
		resolve_record(c, r, w, path);
		break;
	case HUB_AVRO_ENUM:
		resolve_enum(c, r, w, path);
		break;
	case HUB_AVRO_ARRAY:
		snprintf(sub, sizeof(sub), "%s[*]", path);
		resolve(c, r->items, w->items, sub);
		break;
	case HUB_AVRO_MAP:
		snprintf(sub, sizeof(sub), "%s.*", path);
		resolve(c, r->items, w->items, sub);
		break;
	case HUB_AVRO_FIXED:
		if (!names_match(r, w) || r->size != w->size)
			type_changed(c, r, w, path);
		break;
	default:
		if (r->logical != w->logical || r->precision != w->precision || r->scale != w->scale)
			type_changed(c, r, w, path);
	}
out:
	c->depth--;
}

/* One comparison of two schemas in one direction; lines appended to out. */
static int compare_roots(const struct hub_subject *s, const struct hub_avro_node *newroot, int newv,
                         const struct hub_avro_node *oldroot, int oldv, int new_is_reader, struct hub_buf *out)
{
	struct checker c = { 0 };

	c.subject = s->name;
	c.mode = hub_compat_name(s->compat);
	c.newv = newv;
	c.oldv = oldv;
	c.new_is_reader = new_is_reader;
	if (new_is_reader)
		resolve(&c, newroot, oldroot, "data");
	else
		resolve(&c, oldroot, newroot, "data");
	if (c.lines.len)
		hub_buf_add(out, c.lines.data, c.lines.len);
	hub_buf_free(&c.lines);
	return c.breaks;
}

/* Version newi of s against oldi in one direction. */
static int compare(const struct hub_subject *s, int newi, int oldi, int new_is_reader, FILE *out)
{
	const struct hub_schema_version *nv = &s->versions[newi], *ov = &s->versions[oldi];
	struct hub_buf lines = { 0 };
	int breaks;

	if (!nv->schema || !ov->schema)
		return 0;
	breaks = compare_roots(s, nv->schema->root, nv->version, ov->schema->root, ov->version, new_is_reader,
	                       &lines);
	if (lines.len)
		fwrite(lines.data, 1, lines.len, out);
	hub_buf_free(&lines);
	return breaks;
}

static int is_transitive(enum hub_compat m)
{
	return m == HUB_COMPAT_BACKWARD_TRANSITIVE || m == HUB_COMPAT_FORWARD_TRANSITIVE ||
	       m == HUB_COMPAT_FULL_TRANSITIVE;
}

static int is_backward(enum hub_compat m)
{
	return m == HUB_COMPAT_BACKWARD || m == HUB_COMPAT_BACKWARD_TRANSITIVE || m == HUB_COMPAT_FULL ||
	       m == HUB_COMPAT_FULL_TRANSITIVE;
}

static int is_forward(enum hub_compat m)
{
	return m == HUB_COMPAT_FORWARD || m == HUB_COMPAT_FORWARD_TRANSITIVE || m == HUB_COMPAT_FULL ||
	       m == HUB_COMPAT_FULL_TRANSITIVE;
}

int hub_compat_check_registry(const struct hub_registry *reg, FILE *out)
{
	int breaks = 0;

	for (int i = 0; i < reg->nsubjects; i++) {
		const struct hub_subject *s = &reg->subjects[i];

		for (int n = 1; n < s->nversions; n++) {
			for (int o = is_transitive(s->compat) ? 0 : n - 1; o < n; o++) {
				if (is_backward(s->compat))
					breaks += compare(s, n, o, 1, out);
				if (is_forward(s->compat))
					breaks += compare(s, n, o, 0, out);
			}
		}
	}
	return breaks;
}

int hub_compat_check_candidate(const struct hub_subject *s, const struct hub_schema *candidate,
                               const struct hub_schema_version *against, struct hub_buf *out)
{
	int breaks = 0, newv = s->nversions ? s->versions[s->nversions - 1].version + 1 : 1;

	for (int o = 0; o < s->nversions; o++) {
		const struct hub_schema_version *ov = &s->versions[o];

		if (against ? ov != against : !is_transitive(s->compat) && o != s->nversions - 1)
			continue;
		if (!ov->schema)
			continue;
		if (is_backward(s->compat))
			breaks += compare_roots(s, candidate->root, newv, ov->schema->root, ov->version, 1, out);
		if (is_forward(s->compat))
			breaks += compare_roots(s, candidate->root, newv, ov->schema->root, ov->version, 0, out);
	}
	return breaks;
}
