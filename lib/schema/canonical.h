/* schema/canonical.h: Avro's Parsing Canonical Form of a schema text.
 *
 * Two schemas with the same canonical form read and write the same bytes:
 * full names everywhere, only the attributes that shape the encoding
 * (name, type, fields, symbols, items, values, size) in that order, no
 * white space. doc, aliases, defaults, logical types, hub's "sensitive"
 * mark and tool attributes such as avro.java.string are dropped, which is
 * how hub-registry matches a client's schema to the registry's. */
#ifndef HUB_CANONICAL_H
#define HUB_CANONICAL_H

#include <stddef.h>

#include "core/buf.h"

/* Appends the canonical form of the schema text to out. 0, or -1 with the
 * reason in err when the text is not JSON or not a schema's shape. */
int hub_avro_canonical(const char *text, size_t len, struct hub_buf *out, struct hub_buf *err);

#endif
