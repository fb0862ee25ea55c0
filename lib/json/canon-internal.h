/* json/canon-internal.h: the canonical text of a JSON value, for comparing content.
 *
 * Two values that mean the same get the same canonical text: no
 * whitespace, object members sorted by name (then by value, for repeated
 * names), strings decoded and re-escaped minimally, numbers by exact
 * decimal value (1, 1.0, 10e-1 and 1E0 are one number; -0 is 0; nothing
 * is rounded through a double). Array order is kept. Used by hub-dedup
 * --content and for --key values; the event itself is never rewritten. */
#ifndef HUB_CANON_H
#define HUB_CANON_H

#include <stddef.h>

#include "core/buf.h"

struct hub_canon;

struct hub_canon *hub_canon_new(void);
void hub_canon_free(struct hub_canon *c);
/* Appends the canonical text of text[0..len), one JSON value that the
 * scanner (json/scan.h) has already accepted, to out. */
void hub_canon_value(struct hub_canon *c, const char *text, size_t len, struct hub_buf *out);

#endif
