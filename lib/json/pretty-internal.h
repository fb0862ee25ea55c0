/* json/pretty-internal.h: re-indenting JSON text for people, without re-serialising it.
 *
 * The input must be valid JSON (json/scan.h checked it). Only white space
 * outside strings changes: numbers, strings and key order are copied byte
 * for byte, so 19.99 and 12345678901234567890 print as they were stored. */
#ifndef HUB_PRETTY_H
#define HUB_PRETTY_H

#include <stddef.h>

#include "core/buf.h"

/* Appends text indented by 2 spaces a level, starting at level `level`
 * (for nested use), without a final newline. */
void hub_json_pretty(struct hub_buf *out, const char *text, size_t len, int level);

#endif
