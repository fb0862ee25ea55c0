/* schema/compile.c: compiling an Avro schema (.avsc) into hub_avro_node form.
 *
 * avro-c must accept the text (it is the reference for what parses), then
 * jansson's tree of the same text is walked once to build the nodes hub
 * validates with: avro-c 1.11 exposes neither defaults, logical types nor
 * custom attributes, and lets through what the specification forbids, so
 * those checks are done here, each reported as one line. Nodes are owned
 * by the schema (s->nodes); named types are registered before their
 * fields are compiled, so recursive types resolve to the same node. */
#include <avro.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "schema/compile.h"

struct named {
	char *name;
	struct hub_avro_node *node;
};

struct compiler {
	struct hub_schema *s;
	struct hub_buf *errors;
	int nerrors;
	struct named *named;
	int nnamed, capnamed;
};

static const char *const kind_names[] = {
	"null", "boolean", "int", "long", "float", "double", "bytes", "string",
	"record", "enum", "array", "map", "fixed", "union",
};

const char *hub_avro_kind_name(enum hub_avro_kind k)
{
	return kind_names[k];
}

static void problem(struct compiler *c, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct compiler *c, const char *where, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (where && *where)
		hub_buf_addf(c->errors, "%s: %s\n", where, msg);
	else
		hub_buf_addf(c->errors, "%s\n", msg);
	c->nerrors++;
}

static struct hub_avro_node *new_node(struct compiler *c, enum hub_avro_kind kind)
{
	struct hub_schema *s = c->s;
	struct hub_avro_node *n = hub_xcalloc(1, sizeof(*n));

	n->kind = kind;
	if (s->nnodes == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->nodes = hub_xrealloc(s->nodes, s->cap * sizeof(*s->nodes));
	}
	s->nodes[s->nnodes++] = n;
	return n;
}

static int primitive_kind(const char *name)
{
	for (int k = HUB_AVRO_NULL; k <= HUB_AVRO_STRING; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

/* [A-Za-z_][A-Za-z0-9_]* */
static int valid_name(const char *s, size_t n)
{
	if (n == 0 || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (size_t i = 1; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
		      (ch >= '0' && ch <= '9')))
			return 0;
	}
	return 1;
}

/* A full name: names separated by dots (an empty namespace is allowed). */
static int valid_fullname(const char *s)
{
	const char *p = s;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (!valid_name(p, n))
			return 0;
		if (!dot)
			return 1;
		p = dot + 1;
	}
}

static struct hub_avro_node *lookup(struct compiler *c, const char *fullname)
{
	for (int i = 0; i < c->nnamed; i++)
		if (strcmp(c->named[i].name, fullname) == 0)
			return c->named[i].node;
	return NULL;
}

static char *make_fullname(const char *name, const char *ns)
{
	struct hub_buf b = { 0 };

	if (strchr(name, '.') || !ns || !*ns)
		return hub_xstrdup(name);
	hub_buf_addf(&b, "%s.%s", ns, name);
	hub_buf_cstr(&b);
	return b.data;
}

static void define(struct compiler *c, struct hub_avro_node *n, const char *where)
{
	if (lookup(c, n->name)) {
		problem(c, where, "type '%s' is defined twice", n->name);
		return;
	}
	if (c->nnamed == c->capnamed) {
		c->capnamed = c->capnamed ? 2 * c->capnamed : 8;
		c->named = hub_xrealloc(c->named, c->capnamed * sizeof(*c->named));
	}
	c->named[c->nnamed].name = hub_xstrdup(n->name);
	c->named[c->nnamed].node = n;
	c->nnamed++;
}

static struct hub_avro_node *compile(struct compiler *c, json_t *j, const char *ns, const char *where);

/* Whether a field default (JSON) is a value of the type; for a union, of
 * its first branch, as the specification says. */
static int default_ok(const struct hub_avro_node *n, json_t *v, int depth)
{
	if (depth > 64)
		return 0;
	switch (n->kind) {
	case HUB_AVRO_NULL: return json_is_null(v);
	case HUB_AVRO_BOOLEAN: return json_is_boolean(v);
	case HUB_AVRO_INT:
		return json_is_integer(v) && json_integer_value(v) >= INT32_MIN &&
		       json_integer_value(v) <= INT32_MAX;
	case HUB_AVRO_LONG: return json_is_integer(v);
	case HUB_AVRO_FLOAT: case HUB_AVRO_DOUBLE: return json_is_number(v);
	case HUB_AVRO_BYTES: case HUB_AVRO_STRING:
		return json_is_string(v) || (n->logical == HUB_LOGICAL_DECIMAL && json_is_number(v));
	case HUB_AVRO_FIXED: return json_is_string(v);
	case HUB_AVRO_ENUM:
		if (!json_is_string(v))
			return 0;
		for (int i = 0; i < n->nsymbols; i++)
			if (strcmp(n->symbols[i], json_string_value(v)) == 0)
				return 1;
		return 0;
	case HUB_AVRO_ARRAY: {
		size_t i;
		json_t *e;

		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, e)
			if (!default_ok(n->items, e, depth + 1))
				return 0;
		return 1;
	}
	case HUB_AVRO_MAP: {
		const char *k;
		json_t *e;

		if (!json_is_object(v))
			return 0;
		json_object_foreach(v, k, e)
			if (!default_ok(n->items, e, depth + 1))
				return 0;
		return 1;
	}
	case HUB_AVRO_RECORD:
		if (!json_is_object(v))
			return 0;
		for (int i = 0; i < n->nfields; i++) {
			json_t *e = json_object_get(v, n->fields[i].name);

			if (e ? !default_ok(n->fields[i].type, e, depth + 1) : !n->fields[i].has_default)
				return 0;
		}
		return 1;
	case HUB_AVRO_UNION:
		return n->nbranches > 0 && default_ok(n->branches[0], v, depth + 1);
	}
	return 0;
}

static void compile_logical(struct compiler *c, struct hub_avro_node *n, json_t *j, const char *where)
{
	json_t *lt = json_object_get(j, "logicalType");
	const char *name;

	if (!lt)
		return;
	if (!json_is_string(lt)) {
		problem(c, where, "\"logicalType\" must be a string");
		return;
	}
	name = json_string_value(lt);
	if (strcmp(name, "decimal") == 0) {
		json_t *p = json_object_get(j, "precision"), *s = json_object_get(j, "scale");
		json_int_t prec = json_is_integer(p) ? json_integer_value(p) : -1;
		json_int_t scale = s ? (json_is_integer(s) ? json_integer_value(s) : -1) : 0;

		if (n->kind != HUB_AVRO_BYTES && n->kind != HUB_AVRO_FIXED) {
			problem(c, where, "decimal must annotate bytes or fixed, not %s", kind_names[n->kind]);
			return;
		}
		if (prec < 1 || prec > 76) {
			problem(c, where, "decimal needs an integer \"precision\" from 1 to 76");
			return;
		}
		if (scale < 0 || scale > prec) {
			problem(c, where, "decimal \"scale\" must be an integer from 0 to the precision (%d)", (int)prec);
			return;
		}
		if (n->kind == HUB_AVRO_FIXED && n->size >= 0 && n->size < 32 &&
		    prec > (json_int_t)floor(log10(2) * (8.0 * (double)n->size - 1))) {
			problem(c, where, "decimal precision %d does not fit in fixed of %ld bytes", (int)prec, n->size);
			return;
		}
		n->logical = HUB_LOGICAL_DECIMAL;
		n->precision = (int)prec;
		n->scale = (int)scale;
		return;
	}
	static const struct { const char *name; enum hub_avro_kind kind; enum hub_avro_logical logical; } table[] = {
		{ "date", HUB_AVRO_INT, HUB_LOGICAL_DATE },
		{ "time-millis", HUB_AVRO_INT, HUB_LOGICAL_TIME_MILLIS },
		{ "time-micros", HUB_AVRO_LONG, HUB_LOGICAL_TIME_MICROS },
		{ "timestamp-millis", HUB_AVRO_LONG, HUB_LOGICAL_TIMESTAMP_MILLIS },
		{ "timestamp-micros", HUB_AVRO_LONG, HUB_LOGICAL_TIMESTAMP_MICROS },
		{ "uuid", HUB_AVRO_STRING, HUB_LOGICAL_UUID },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(name, table[i].name) != 0)
			continue;
		if (n->kind != table[i].kind)
			problem(c, where, "logical type %s must annotate %s, not %s", name,
			        kind_names[table[i].kind], kind_names[n->kind]);
		else
			n->logical = table[i].logical;
		return;
	}
	/* Other logical types are ignored, as the specification says. */
}

static const char *get_string(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "aliases": an array of names, each made a full name in ns (a type's)
 * or kept as it is (ns NULL: a field's). */
static char **compile_aliases(struct compiler *c, json_t *j, const char *ns, int *n, const char *where)
{
	json_t *a = json_object_get(j, "aliases"), *e;
	char **out;
	size_t i;

	*n = 0;
	if (!a)
		return NULL;
	if (!json_is_array(a)) {
		problem(c, where, "\"aliases\" must be an array of names");
		return NULL;
	}
	out = hub_xcalloc(json_array_size(a) + 1, sizeof(*out));
	json_array_foreach(a, i, e) {
		const char *name = json_string_value(e);

		if (!name || !(ns ? valid_fullname(name) : valid_name(name, strlen(name)))) {
			problem(c, where, "invalid alias%s%s: aliases are names, [A-Za-z_][A-Za-z0-9_]*%s",
			        name ? " " : "", name ? name : "", ns ? " joined by dots" : "");
			continue;
		}
		out[(*n)++] = ns ? make_fullname(name, ns) : hub_xstrdup(name);
	}
	return out;
}

/* The full name of a named type, from "name" and "namespace" or the
 * enclosing namespace; the type is registered under it. */
static void compile_name(struct compiler *c, struct hub_avro_node *n, json_t *j,
                                const char *ns, const char *where)
{
	const char *name = get_string(j, "name");
	json_t *nsj = json_object_get(j, "namespace");
	const char *own_ns = ns;

	if (!name) {
		problem(c, where, "a %s needs a \"name\"", kind_names[n->kind]);
		name = "unnamed";
	}
	if (nsj && !json_is_string(nsj))
		problem(c, where, "\"namespace\" must be a string");
	else if (nsj)
		own_ns = json_string_value(nsj);
	if (own_ns && *own_ns && !valid_fullname(own_ns))
		problem(c, where, "invalid namespace '%s': names are [A-Za-z_][A-Za-z0-9_]* joined by dots", own_ns);
	n->name = make_fullname(name, own_ns);
	if (!valid_fullname(n->name))
		problem(c, where, "invalid name '%s': names are [A-Za-z_][A-Za-z0-9_]*", name);
	define(c, n, where);
	{
		/* aliases are resolved in the type's own namespace */
		const char *dot = strrchr(n->name, '.');
		char *tns = dot ? hub_xstrndup(n->name, dot - n->name) : hub_xstrdup("");

		n->aliases = compile_aliases(c, j, tns, &n->naliases, where);
		free(tns);
	}
}

/* The namespace of a full name, as a new string ("" when none). */
static char *namespace_of(const char *fullname)
{
	const char *dot = strrchr(fullname, '.');

	return dot ? hub_xstrndup(fullname, dot - fullname) : hub_xstrdup("");
}

static void compile_record(struct compiler *c, struct hub_avro_node *n, json_t *j, const char *where)
{
	json_t *fields = json_object_get(j, "fields"), *f;
	char *ns = namespace_of(n->name);
	size_t i;

	if (!json_is_array(fields)) {
		problem(c, where, "record %s needs a \"fields\" array", n->name);
		free(ns);
		return;
	}
	n->fields = hub_xcalloc(json_array_size(fields) + 1, sizeof(*n->fields));
	json_array_foreach(fields, i, f) {
		struct hub_avro_field *fd = &n->fields[n->nfields];
		const char *fname = get_string(f, "name");
		json_t *def, *sens;
		struct hub_buf w = { 0 };

		if (!json_is_object(f) || !fname) {
			problem(c, where, "record %s: field %zu needs a \"name\"", n->name, i + 1);
			continue;
		}
		hub_buf_addf(&w, "%s field '%s'", n->name, fname);
		hub_buf_cstr(&w);
		if (!valid_name(fname, strlen(fname)))
			problem(c, w.data, "invalid field name: names are [A-Za-z_][A-Za-z0-9_]*");
		for (int k = 0; k < n->nfields; k++)
			if (strcmp(n->fields[k].name, fname) == 0)
				problem(c, w.data, "duplicate field name");
		fd->name = hub_xstrdup(fname);
		fd->namelen = strlen(fname);
		fd->aliases = compile_aliases(c, f, NULL, &fd->naliases, w.data);
		if (!json_object_get(f, "type")) {
			problem(c, w.data, "no \"type\"");
			fd->type = new_node(c, HUB_AVRO_NULL);
		} else {
			fd->type = compile(c, json_object_get(f, "type"), ns, w.data);
		}
		def = json_object_get(f, "default");
		fd->has_default = def != NULL;
		if (def)
			fd->default_json = json_dumps(def, JSON_COMPACT | JSON_ENCODE_ANY);
		if (def && fd->type && !default_ok(fd->type, def, 0)) {
			struct hub_buf d = { 0 };

			hub_avro_describe(fd->type->kind == HUB_AVRO_UNION && fd->type->nbranches
			                  ? fd->type->branches[0] : fd->type, &d);
			problem(c, w.data, "default is not a %s%s", hub_buf_cstr(&d),
			        fd->type->kind == HUB_AVRO_UNION ? " (a union's default matches its first branch)" : "");
			hub_buf_free(&d);
		}
		sens = json_object_get(f, "sensitive");
		if (sens && !json_is_boolean(sens))
			problem(c, w.data, "\"sensitive\" must be true or false");
		fd->sensitive = json_is_true(sens);
		hub_buf_free(&w);
		n->nfields++;
	}
	free(ns);
}

static void compile_enum(struct compiler *c, struct hub_avro_node *n, json_t *j, const char *where)
{
	json_t *syms = json_object_get(j, "symbols"), *s, *def;
	size_t i;

	if (!json_is_array(syms)) {
		problem(c, where, "enum %s needs a \"symbols\" array", n->name);
		return;
	}
	n->symbols = hub_xcalloc(json_array_size(syms) + 1, sizeof(*n->symbols));
	n->symlen = hub_xcalloc(json_array_size(syms) + 1, sizeof(*n->symlen));
	json_array_foreach(syms, i, s) {
		const char *sym = json_string_value(s);

		if (!sym) {
			problem(c, where, "enum %s: symbol %zu is not a string", n->name, i + 1);
			continue;
		}
		if (!valid_name(sym, strlen(sym)))
			problem(c, where, "enum %s: invalid symbol '%s': symbols are [A-Za-z_][A-Za-z0-9_]*", n->name, sym);
		for (int k = 0; k < n->nsymbols; k++)
			if (strcmp(n->symbols[k], sym) == 0)
				problem(c, where, "enum %s: duplicate symbol '%s'", n->name, sym);
		n->symbols[n->nsymbols] = hub_xstrdup(sym);
		n->symlen[n->nsymbols] = strlen(sym);
		n->nsymbols++;
	}
	def = json_object_get(j, "default");
	if (def) {
		int found = 0;

		for (int k = 0; json_is_string(def) && k < n->nsymbols; k++)
			found |= strcmp(n->symbols[k], json_string_value(def)) == 0;
		if (!found)
			problem(c, where, "enum %s: default is not one of its symbols", n->name);
		n->has_enum_default = found;
	}
}

static void compile_union(struct compiler *c, struct hub_avro_node *n, json_t *j, const char *ns, const char *where)
{
	json_t *b;
	size_t i;

	n->branches = hub_xcalloc(json_array_size(j) + 1, sizeof(*n->branches));
	json_array_foreach(j, i, b) {
		struct hub_avro_node *bn = compile(c, b, ns, where);

		if (!bn)
			continue;
		if (bn->kind == HUB_AVRO_UNION) {
			problem(c, where, "a union may not hold a union directly");
			continue;
		}
		for (int k = 0; k < n->nbranches; k++) {
			const struct hub_avro_node *o = n->branches[k];

			if (o->kind == bn->kind && (!o->name || !bn->name || strcmp(o->name, bn->name) == 0))
				problem(c, where, "duplicate union branch '%s'", hub_avro_branch_name(bn));
		}
		n->branches[n->nbranches++] = bn;
	}
	if (n->nbranches == 0)
		problem(c, where, "empty union");
}

static struct hub_avro_node *compile(struct compiler *c, json_t *j, const char *ns, const char *where)
{
	struct hub_avro_node *n;
	const char *type;
	int k;

	if (json_is_string(j)) {
		const char *name = json_string_value(j);
		char *full;

		if ((k = primitive_kind(name)) >= 0)
			return new_node(c, k);
		full = make_fullname(name, ns);
		n = lookup(c, full);
		if (!n)
			n = lookup(c, name);
		free(full);
		if (!n) {
			problem(c, where, "unknown type '%s'", name);
			return new_node(c, HUB_AVRO_NULL);
		}
		return n;
	}
	if (json_is_array(j)) {
		n = new_node(c, HUB_AVRO_UNION);
		compile_union(c, n, j, ns, where);
		return n;
	}
	if (!json_is_object(j)) {
		problem(c, where, "a type is a name, an object or a union array");
		return new_node(c, HUB_AVRO_NULL);
	}
	if (json_is_object(json_object_get(j, "type")) || json_is_array(json_object_get(j, "type")))
		return compile(c, json_object_get(j, "type"), ns, where);
	type = get_string(j, "type");
	if (!type) {
		problem(c, where, "no \"type\"");
		return new_node(c, HUB_AVRO_NULL);
	}
	if ((k = primitive_kind(type)) >= 0) {
		n = new_node(c, k);
		compile_logical(c, n, j, where);
		return n;
	}
	if (strcmp(type, "record") == 0 || strcmp(type, "error") == 0) {
		n = new_node(c, HUB_AVRO_RECORD);
		compile_name(c, n, j, ns, where);
		compile_record(c, n, j, where);
		return n;
	}
	if (strcmp(type, "enum") == 0) {
		n = new_node(c, HUB_AVRO_ENUM);
		compile_name(c, n, j, ns, where);
		compile_enum(c, n, j, where);
		return n;
	}
	if (strcmp(type, "fixed") == 0) {
		json_t *size = json_object_get(j, "size");

		n = new_node(c, HUB_AVRO_FIXED);
		compile_name(c, n, j, ns, where);
		if (!json_is_integer(size))
			problem(c, where, "fixed %s needs an integer \"size\"", n->name);
		else if (json_integer_value(size) < 0)
			problem(c, where, "fixed %s: negative size %lld", n->name, (long long)json_integer_value(size));
		else
			n->size = (long)json_integer_value(size);
		compile_logical(c, n, j, where);
		return n;
	}
	if (strcmp(type, "array") == 0 || strcmp(type, "map") == 0) {
		const char *member = type[0] == 'a' ? "items" : "values";
		json_t *inner = json_object_get(j, member);

		n = new_node(c, type[0] == 'a' ? HUB_AVRO_ARRAY : HUB_AVRO_MAP);
		if (!inner) {
			problem(c, where, "%s needs \"%s\"", type, member);
			n->items = new_node(c, HUB_AVRO_NULL);
		} else {
			n->items = compile(c, inner, ns, where);
		}
		return n;
	}
	/* {"type": "com.example.Name"}: a reference to a named type */
	return compile(c, json_object_get(j, "type"), ns, where);
}

struct hub_schema *hub_schema_compile(const char *text, size_t len, struct hub_buf *errors)
{
	struct compiler c = { 0 };
	json_error_t jerr;
	json_t *root;
	avro_schema_t avro;

	c.errors = errors;
	root = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		problem(&c, NULL, "not JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	c.s = hub_xcalloc(1, sizeof(*c.s));
	c.s->root = compile(&c, root, "", "");
	json_decref(root);
	/* avro-c last, and only on what passed: its parser leaks what it had
	 * built of some schemas it refuses (a named type defined twice, found
	 * by tests/fuzz/schema_compile), so those never reach it */
	if (!c.nerrors && avro_schema_from_json_length(text, len, &avro) != 0) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s", avro_strerror());
		msg[strcspn(msg, "\n")] = '\0';
		problem(&c, NULL, "avro-c does not accept it: %s", msg);
	} else if (!c.nerrors) {
		avro_schema_decref(avro);
	}
	for (int i = 0; i < c.nnamed; i++)
		free(c.named[i].name);
	free(c.named);
	if (c.nerrors) {
		hub_schema_free(c.s);
		return NULL;
	}
	return c.s;
}

void hub_schema_free(struct hub_schema *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nnodes; i++) {
		struct hub_avro_node *n = s->nodes[i];

		for (int k = 0; k < n->nfields; k++) {
			free(n->fields[k].name);
			free(n->fields[k].default_json);
			for (int a = 0; a < n->fields[k].naliases; a++)
				free(n->fields[k].aliases[a]);
			free(n->fields[k].aliases);
		}
		for (int a = 0; a < n->naliases; a++)
			free(n->aliases[a]);
		free(n->aliases);
		for (int k = 0; k < n->nsymbols; k++)
			free(n->symbols[k]);
		free(n->fields);
		free(n->symbols);
		free(n->symlen);
		free(n->branches);
		free(n->name);
		free(n);
	}
	free(s->nodes);
	free(s);
}

const char *hub_avro_branch_name(const struct hub_avro_node *n)
{
	return n->name ? n->name : kind_names[n->kind];
}

void hub_avro_describe(const struct hub_avro_node *n, struct hub_buf *out)
{
	switch (n->logical) {
	case HUB_LOGICAL_DECIMAL: hub_buf_addf(out, "decimal(%d,%d)", n->precision, n->scale); return;
	case HUB_LOGICAL_DATE: hub_buf_adds(out, "date (\"YYYY-MM-DD\" or days)"); return;
	case HUB_LOGICAL_TIME_MILLIS: hub_buf_adds(out, "time-millis (\"HH:MM:SS.sss\" or ms)"); return;
	case HUB_LOGICAL_TIME_MICROS: hub_buf_adds(out, "time-micros (\"HH:MM:SS.ssssss\" or us)"); return;
	case HUB_LOGICAL_TIMESTAMP_MILLIS: hub_buf_adds(out, "timestamp-millis (RFC 3339 or ms)"); return;
	case HUB_LOGICAL_TIMESTAMP_MICROS: hub_buf_adds(out, "timestamp-micros (RFC 3339 or us)"); return;
	case HUB_LOGICAL_UUID: hub_buf_adds(out, "uuid"); return;
	case HUB_LOGICAL_NONE: break;
	}
	switch (n->kind) {
	case HUB_AVRO_RECORD: case HUB_AVRO_ENUM:
		hub_buf_addf(out, "%s %s", kind_names[n->kind], n->name);
		if (n->kind == HUB_AVRO_ENUM) {
			hub_buf_adds(out, " (");
			for (int i = 0; i < n->nsymbols; i++)
				hub_buf_addf(out, "%s%s", i ? ", " : "", n->symbols[i]);
			hub_buf_adds(out, ")");
		}
		return;
	case HUB_AVRO_FIXED: hub_buf_addf(out, "fixed %s (%ld bytes)", n->name, n->size); return;
	case HUB_AVRO_ARRAY: hub_buf_adds(out, "array of "); hub_avro_describe(n->items, out); return;
	case HUB_AVRO_MAP: hub_buf_adds(out, "map of "); hub_avro_describe(n->items, out); return;
	case HUB_AVRO_UNION:
		hub_buf_adds(out, "one of [");
		for (int i = 0; i < n->nbranches; i++)
			hub_buf_addf(out, "%s%s", i ? ", " : "", hub_avro_branch_name(n->branches[i]));
		hub_buf_adds(out, "]");
		return;
	default:
		hub_buf_adds(out, kind_names[n->kind]);
	}
}
