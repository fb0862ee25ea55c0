/* schema/compile.h: an Avro schema compiled once into hub's compact form.
 *
 * A .avsc text is parsed by avro-c (it must be accepted there) and by
 * jansson, from which each type becomes a hub_avro_node: kind, logical
 * type, fields with their defaults and "sensitive" mark, symbols, branches.
 * Named types are shared nodes, resolved with Avro's namespace rules. The
 * compiler also reports what avro-c 1.11 accepts although the Avro
 * specification forbids it (duplicate enum symbols, duplicate union
 * branches, negative fixed sizes, ...). The schema owns every node. */
#ifndef HUB_SCHEMA_H
#define HUB_SCHEMA_H

#include <stddef.h>

#include "core/buf.h"

enum hub_avro_kind {
	HUB_AVRO_NULL, HUB_AVRO_BOOLEAN, HUB_AVRO_INT, HUB_AVRO_LONG, HUB_AVRO_FLOAT,
	HUB_AVRO_DOUBLE, HUB_AVRO_BYTES, HUB_AVRO_STRING, HUB_AVRO_RECORD, HUB_AVRO_ENUM,
	HUB_AVRO_ARRAY, HUB_AVRO_MAP, HUB_AVRO_FIXED, HUB_AVRO_UNION,
};

enum hub_avro_logical {
	HUB_LOGICAL_NONE, HUB_LOGICAL_DECIMAL, HUB_LOGICAL_DATE, HUB_LOGICAL_TIME_MILLIS,
	HUB_LOGICAL_TIME_MICROS, HUB_LOGICAL_TIMESTAMP_MILLIS, HUB_LOGICAL_TIMESTAMP_MICROS,
	HUB_LOGICAL_UUID,
};

struct hub_avro_node;

struct hub_avro_field {
	char *name;
	size_t namelen;
	struct hub_avro_node *type;
	int has_default;
	char *default_json;               /* the default as compact JSON text */
	int sensitive;
	char **aliases;                   /* other names of the field (Avro "aliases") */
	int naliases;
};

struct hub_avro_node {
	enum hub_avro_kind kind;
	enum hub_avro_logical logical;
	char *name;                       /* full name of a record, enum or fixed */
	char **aliases;                   /* its other full names (Avro "aliases") */
	int naliases;
	struct hub_avro_field *fields;    /* record */
	int nfields;
	char **symbols;                   /* enum */
	size_t *symlen;
	int nsymbols;
	int has_enum_default;
	struct hub_avro_node *items;      /* array items, map values */
	struct hub_avro_node **branches;  /* union */
	int nbranches;
	long size;                        /* fixed */
	int precision, scale;             /* decimal */
};

struct hub_schema {
	struct hub_avro_node *root;
	struct hub_avro_node **nodes;     /* every node, for freeing */
	int nnodes, cap;
};

/* Compiles one schema text. Returns the schema, or NULL with one line per
 * problem appended to errors ("field 'total': unknown type 'money'"). */
struct hub_schema *hub_schema_compile(const char *text, size_t len, struct hub_buf *errors);
void hub_schema_free(struct hub_schema *s);

/* "int", "decimal(12,2)", "record com.example.retail.Address", ... */
void hub_avro_describe(const struct hub_avro_node *n, struct hub_buf *out);
/* The name a union branch has in Avro's JSON encoding ("string", full name). */
const char *hub_avro_branch_name(const struct hub_avro_node *n);
const char *hub_avro_kind_name(enum hub_avro_kind k);

#endif
