/* schema/canonical.c: the Parsing Canonical Form of the Avro specification.
 *
 * The text is read by jansson and written again, walking the schema as
 * Avro resolves names: a named type's full name is its name, or its
 * namespace and name, or the enclosing namespace and name; a type used a
 * second time is written as its full name, as the specification's rules
 * (PRIMITIVES, FULLNAMES, STRIP, ORDER, STRINGS, INTEGERS, WHITESPACE)
 * say. Depth is bounded by jansson's parser. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/diag.h"
#include "schema/canonical.h"

static const char *const primitives[] = {
	"null", "boolean", "int", "long", "float", "double", "bytes", "string", NULL,
};

static int is_primitive(const char *s)
{
	for (int i = 0; primitives[i]; i++)
		if (strcmp(s, primitives[i]) == 0)
			return 1;
	return 0;
}

/* The full name of name in namespace ns (NULL or "" for none). */
static void full_name(const char *name, const char *ns, struct hub_buf *out)
{
	hub_buf_reset(out);
	if (strchr(name, '.') || !ns || !*ns)
		hub_buf_adds(out, name);
	else
		hub_buf_addf(out, "%s.%s", ns, name);
	hub_buf_cstr(out);
}

static int emit(json_t *t, const char *ns, struct hub_buf *out, struct hub_buf *err);

static void key(struct hub_buf *out, const char *k, int first)
{
	if (!first)
		hub_buf_addc(out, ',');
	hub_buf_json_string(out, k, strlen(k));
	hub_buf_addc(out, ':');
}

static int emit_named(json_t *t, const char *type, const char *ns, struct hub_buf *out, struct hub_buf *err)
{
	json_t *name = json_object_get(t, "name"), *space = json_object_get(t, "namespace");
	struct hub_buf full = { 0 };
	const char *inner, *dot;
	char *innerns;
	int rc = 0;

	if (!json_is_string(name)) {
		hub_buf_addf(err, "a %s without a name", type);
		return -1;
	}
	full_name(json_string_value(name), json_is_string(space) ? json_string_value(space) : ns, &full);
	dot = strrchr(full.data, '.');
	innerns = dot ? hub_xstrndup(full.data, dot - full.data) : hub_xstrdup("");
	inner = innerns;
	hub_buf_addc(out, '{');
	key(out, "name", 1);
	hub_buf_json_string(out, full.data, full.len);
	key(out, "type", 0);
	hub_buf_json_string(out, type, strlen(type));
	if (strcmp(type, "record") == 0 || strcmp(type, "error") == 0) {
		json_t *fields = json_object_get(t, "fields"), *f;
		size_t i;

		if (!json_is_array(fields)) {
			hub_buf_addf(err, "record %s: fields is not an array", full.data);
			rc = -1;
			goto out;
		}
		key(out, "fields", 0);
		hub_buf_addc(out, '[');
		json_array_foreach(fields, i, f) {
			json_t *fname = json_object_get(f, "name"), *ftype = json_object_get(f, "type");

			if (!json_is_string(fname) || !ftype) {
				hub_buf_addf(err, "record %s: field %zu has no name or no type", full.data, i + 1);
				rc = -1;
				goto out;
			}
			hub_buf_adds(out, i ? ",{" : "{");
			key(out, "name", 1);
			hub_buf_json_string(out, json_string_value(fname), json_string_length(fname));
			key(out, "type", 0);
			if ((rc = emit(ftype, inner, out, err)) < 0)
				goto out;
			hub_buf_addc(out, '}');
		}
		hub_buf_addc(out, ']');
	} else if (strcmp(type, "enum") == 0) {
		json_t *symbols = json_object_get(t, "symbols"), *sym;
		size_t i;

		if (!json_is_array(symbols)) {
			hub_buf_addf(err, "enum %s: symbols is not an array", full.data);
			rc = -1;
			goto out;
		}
		key(out, "symbols", 0);
		hub_buf_addc(out, '[');
		json_array_foreach(symbols, i, sym) {
			if (!json_is_string(sym)) {
				hub_buf_addf(err, "enum %s: a symbol is not a string", full.data);
				rc = -1;
				goto out;
			}
			if (i)
				hub_buf_addc(out, ',');
			hub_buf_json_string(out, json_string_value(sym), json_string_length(sym));
		}
		hub_buf_addc(out, ']');
	} else {
		json_t *size = json_object_get(t, "size");

		if (!json_is_integer(size)) {
			hub_buf_addf(err, "fixed %s: size is not an integer", full.data);
			rc = -1;
			goto out;
		}
		key(out, "size", 0);
		hub_buf_add_int(out, json_integer_value(size));
	}
	hub_buf_addc(out, '}');
out:
	free(innerns);
	hub_buf_free(&full);
	return rc;
}

static int emit(json_t *t, const char *ns, struct hub_buf *out, struct hub_buf *err)
{
	if (json_is_string(t)) {
		const char *s = json_string_value(t);

		if (is_primitive(s)) {
			hub_buf_json_string(out, s, strlen(s));
		} else {
			struct hub_buf full = { 0 };

			full_name(s, ns, &full);
			hub_buf_json_string(out, full.data, full.len);
			hub_buf_free(&full);
		}
		return 0;
	}
	if (json_is_array(t)) {
		json_t *b;
		size_t i;

		hub_buf_addc(out, '[');
		json_array_foreach(t, i, b) {
			if (i)
				hub_buf_addc(out, ',');
			if (emit(b, ns, out, err) < 0)
				return -1;
		}
		hub_buf_addc(out, ']');
		return 0;
	}
	if (json_is_object(t)) {
		json_t *type = json_object_get(t, "type");
		const char *k;

		if (!type) {
			hub_buf_adds(err, "an object without a type");
			return -1;
		}
		if (!json_is_string(type))
			return emit(type, ns, out, err);
		k = json_string_value(type);
		if (is_primitive(k)) {
			hub_buf_json_string(out, k, strlen(k));
			return 0;
		}
		if (strcmp(k, "record") == 0 || strcmp(k, "error") == 0 || strcmp(k, "enum") == 0 ||
		    strcmp(k, "fixed") == 0)
			return emit_named(t, k, ns, out, err);
		if (strcmp(k, "array") == 0 || strcmp(k, "map") == 0) {
			const char *what = k[0] == 'a' ? "items" : "values";
			json_t *inner = json_object_get(t, what);

			if (!inner) {
				hub_buf_addf(err, "an %s without %s", k, what);
				return -1;
			}
			hub_buf_addc(out, '{');
			key(out, "type", 1);
			hub_buf_json_string(out, k, strlen(k));
			key(out, what, 0);
			if (emit(inner, ns, out, err) < 0)
				return -1;
			hub_buf_addc(out, '}');
			return 0;
		}
		/* a reference to a named type, written as an object */
		return emit(type, ns, out, err);
	}
	hub_buf_adds(err, "a schema is a type name, an object or a union (array)");
	return -1;
}

int hub_avro_canonical(const char *text, size_t len, struct hub_buf *out, struct hub_buf *err)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	int rc;

	if (!root) {
		hub_buf_addf(err, "not JSON: line %d column %d: %s", je.line, je.column, je.text);
		return -1;
	}
	rc = emit(root, NULL, out, err);
	json_decref(root);
	return rc;
}
