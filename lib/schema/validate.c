/* schema/validate.c: the check behind hub-validate, one event a line.
 *
 * Per line: one hub_json_scan() (syntax, UTF-8, depth, and the spans of
 * the CloudEvents attributes), the attribute rules, a subject lookup
 * (binary search, no allocation), then the schema-driven pass of
 * schema/check.c over the data bytes only. The loop is hub_filter_run()
 * (stream/filter.c): a line is written only after it was found valid, and as it
 * was read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/check-internal.h"
#include "schema/cloudevents-internal.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "stream/filter.h"
#include "json/scan.h"
#include "stream/ndjson.h"
#include "schema/validate.h"

struct validator {
	const struct hub_validate_opts *o;
	struct hub_json *js;
	struct hub_path paths[HUB_CE_NATTRS + 1];
	struct hub_span found[HUB_CE_NATTRS + 1];
	struct hub_avrocheck *ck;
	struct hub_buf reason, extra, expected, found_text, path, text;
	int bad_member;            /* a top-level member broke the extension rules */
};

/* The callback for the "*" path: extension attribute rules per member. */
static int on_member(void *ctx, int which, const struct hub_span *key, const struct hub_span *value)
{
	struct validator *v = ctx;

	if (which != HUB_CE_NATTRS || v->bad_member || key->type != HUB_JSON_STRING)
		return 0;
	hub_buf_reset(&v->path);
	hub_buf_reset(&v->expected);
	hub_buf_reset(&v->found_text);
	if (hub_ce_check_member(key, value, &v->path, &v->expected, &v->found_text) < 0)
		v->bad_member = 1;
	return 0;
}

static void add_member(struct hub_buf *b, const char *name, const char *value)
{
	if (b->len)
		hub_buf_addc(b, ',');
	hub_buf_addf(b, "\"%s\":", name);
	hub_buf_json_string(b, value, strlen(value));
}

/* Rejects the line with "PATH: expected X, found Y" and the same parts as
 * members of the failure record. sv may be NULL (attribute rules). */
static void reject_mismatch(struct validator *v, const struct hub_line *l, const char *path,
                            const char *expected, const char *found, const struct hub_subject *s,
                            const struct hub_schema_version *sv)
{
	hub_buf_reset(&v->reason);
	hub_buf_reset(&v->extra);
	hub_buf_addf(&v->reason, "%s: expected %s, found %s", path, expected, found);
	if (sv)
		hub_buf_addf(&v->reason, " (%s version %d, schema id %ld)", s->name, sv->version, sv->id);
	else
		hub_buf_adds(&v->reason, " (CloudEvents attribute rules)");
	add_member(&v->extra, "path", path);
	add_member(&v->extra, "expected", expected);
	add_member(&v->extra, "found", found);
	if (sv) {
		add_member(&v->extra, "subject", s->name);
		hub_buf_addf(&v->extra, ",\"version\":%d,\"schema_id\":%ld", sv->version, sv->id);
	}
	hub_failstore_add(v->o->failstore, hub_buf_cstr(&v->reason), l->number, l->data, l->len, 1,
	                  hub_buf_cstr(&v->extra));
}

static void reject(struct validator *v, const struct hub_line *l, const char *reason, int is_json,
                   const char *extra)
{
	hub_failstore_add(v->o->failstore, reason, l->number, l->data, l->len, is_json, extra);
}

static int accepts_null(const struct hub_avro_node *n)
{
	if (n->kind == HUB_AVRO_NULL)
		return 1;
	for (int i = 0; n->kind == HUB_AVRO_UNION && i < n->nbranches; i++)
		if (n->branches[i]->kind == HUB_AVRO_NULL)
			return 1;
	return 0;
}

/* 1: the line is valid and goes out; 0: it was rejected. */
static int validate_line(struct validator *v, const struct hub_line *l)
{
	const struct hub_validate_opts *o = v->o;
	const struct hub_subject *s;
	const struct hub_schema_version *sv;
	const struct hub_span *data;
	enum hub_json_type top;
	const char *name;
	size_t namelen;
	int version = o->version;
	char why[600];

	if (l->status == HUB_LINE_TOO_LONG) {
		char extra[64];

		hub_line_too_long_reason(l, why, sizeof(why), extra, sizeof(extra));
		reject(v, l, why, 0, extra);
		return 0;
	}
	v->bad_member = 0;
	if (hub_json_scan(v->js, l->data, l->len, v->found, &top) < 0) {
		snprintf(why, sizeof(why), "%s", hub_json_error(v->js));
		reject(v, l, why, 0, NULL);
		return 0;
	}
	if (top != HUB_JSON_OBJECT) {
		reject(v, l, hub_not_object_reason(top), 1, NULL);
		return 0;
	}
	if (!o->plain) {
		const char *attr;

		hub_buf_reset(&v->expected);
		hub_buf_reset(&v->found_text);
		if (hub_ce_check(v->found, &attr, &v->expected, &v->found_text) < 0) {
			reject_mismatch(v, l, attr, hub_buf_cstr(&v->expected), hub_buf_cstr(&v->found_text), NULL, NULL);
			return 0;
		}
		if (v->bad_member) {
			reject_mismatch(v, l, hub_buf_cstr(&v->path), hub_buf_cstr(&v->expected),
			                hub_buf_cstr(&v->found_text), NULL, NULL);
			return 0;
		}
	}
	if (o->subject) {
		name = o->subject;
		namelen = strlen(name);
	} else {
		const struct hub_span *t = &v->found[HUB_CE_TYPE];

		if (t->type != HUB_JSON_STRING) {
			hub_buf_reset(&v->found_text);
			hub_ce_describe(t, &v->found_text);
			reject_mismatch(v, l, "type", "a string naming the event's subject in the registry",
			                hub_buf_cstr(&v->found_text), NULL, NULL);
			return 0;
		}
		name = t->p + 1;
		namelen = t->len - 2;
		if (memchr(name, '\\', namelen)) {
			hub_buf_reset(&v->text);
			hub_json_span_text(t, &v->text);
			name = v->text.data;
			namelen = v->text.len;
		}
	}
	s = hub_registry_find(o->reg, name, namelen);
	if (!s) {
		if (o->allow_unknown)
			return 1;
		hub_buf_reset(&v->reason);
		hub_buf_reset(&v->extra);
		hub_buf_adds(&v->reason, "unknown type '");
		hub_buf_add(&v->reason, name, namelen);
		hub_buf_addf(&v->reason, "': the registry %s has no such subject "
		             "(--allow-unknown passes such events)", o->reg->dir);
		hub_buf_adds(&v->extra, "\"subject\":");
		hub_buf_json_string(&v->extra, name, namelen);
		reject(v, l, hub_buf_cstr(&v->reason), 1, hub_buf_cstr(&v->extra));
		return 0;
	}
	if (!o->subject && v->found[HUB_CE_DATASCHEMA].type == HUB_JSON_STRING) {
		const struct hub_span *ds = &v->found[HUB_CE_DATASCHEMA];

		version = hub_dataschema_version(ds->p + 1, ds->len - 2);
	}
	sv = hub_subject_version(s, version);
	if (!sv || !sv->schema) {
		hub_buf_reset(&v->reason);
		hub_buf_reset(&v->extra);
		hub_buf_addf(&v->reason, "%s has no version %d in the registry %s", s->name, version, o->reg->dir);
		if (!o->subject)
			hub_buf_adds(&v->reason, " (the version comes from dataschema)");
		add_member(&v->extra, "subject", s->name);
		hub_buf_addf(&v->extra, ",\"version\":%d", version);
		reject(v, l, hub_buf_cstr(&v->reason), 1, hub_buf_cstr(&v->extra));
		return 0;
	}
	if (o->whole_event) {
		if (hub_avrocheck_value(v->ck, sv->schema->root, l->data, l->len) == 0)
			return 1;
		hub_buf_reset(&v->path);
		name = hub_avrocheck_path(v->ck);
		hub_buf_adds(&v->path, *name == '.' ? name + 1 : *name ? name : ".");
	} else {
		data = &v->found[HUB_CE_DATA];
		if (data->type == HUB_JSON_NONE) {
			if (accepts_null(sv->schema->root))
				return 1;
			hub_buf_reset(&v->expected);
			hub_avro_describe(sv->schema->root, &v->expected);
			reject_mismatch(v, l, "data", hub_buf_cstr(&v->expected),
			                v->found[HUB_CE_DATA_BASE64].type != HUB_JSON_NONE
			                ? "data_base64 (binary data cannot be checked against a schema)"
			                : "nothing (the event has no data)", s, sv);
			return 0;
		}
		if (hub_avrocheck_value(v->ck, sv->schema->root, data->p, data->len) == 0)
			return 1;
		hub_buf_reset(&v->path);
		hub_buf_adds(&v->path, "data");
		hub_buf_adds(&v->path, hub_avrocheck_path(v->ck));
	}
	reject_mismatch(v, l, hub_buf_cstr(&v->path), hub_avrocheck_expected(v->ck), hub_avrocheck_found(v->ck), s, sv);
	return 0;
}

/* The filter's verdict: valid lines pass as they were read. */
static enum hub_filter_verdict check(void *ctx, const struct hub_line *l, const char **data, size_t *len)
{
	if (!validate_line(ctx, l))
		return HUB_FILTER_FAIL;
	*data = l->data;
	*len = l->len;
	return HUB_FILTER_PASS;
}

int hub_validate_run(int in_fd, int out_fd, const struct hub_validate_opts *o, struct hub_stats *st)
{
	struct validator v = { 0 };
	struct hub_filter f = { .ctx = &v, .line = check };
	struct hub_reader *r = hub_reader_new(in_fd, o->max_line ? o->max_line : HUB_MAX_LINE_DEFAULT);
	char err[128];
	int status;

	v.o = o;
	v.js = hub_json_new();
	v.ck = hub_avrocheck_new();
	hub_avrocheck_allow_extra(v.ck, o->allow_extra);
	for (int i = 0; i < HUB_CE_NATTRS; i++)
		if (hub_path_parse(hub_ce_attr_names[i], &v.paths[i], err, sizeof(err)) < 0)
			hub_die(HUB_EXIT_SOFTWARE, "%s", err);
	if (hub_path_parse("*", &v.paths[HUB_CE_NATTRS], err, sizeof(err)) < 0)
		hub_die(HUB_EXIT_SOFTWARE, "%s", err);
	hub_json_set_paths(v.js, v.paths, o->plain ? HUB_CE_NATTRS : HUB_CE_NATTRS + 1);
	if (!o->plain)
		hub_json_set_callback(v.js, on_member, &v);

	status = hub_filter_run(&f, r, in_fd, out_fd, st);

	hub_reader_free(r);
	hub_json_free(v.js);
	hub_avrocheck_free(v.ck);
	for (int i = 0; i <= HUB_CE_NATTRS; i++)
		hub_path_free(&v.paths[i]);
	hub_buf_free(&v.reason);
	hub_buf_free(&v.extra);
	hub_buf_free(&v.expected);
	hub_buf_free(&v.found_text);
	hub_buf_free(&v.path);
	hub_buf_free(&v.text);
	return status;
}
