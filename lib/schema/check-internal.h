/* schema/check-internal.h: does a JSON value match a compiled Avro schema?
 *
 * One schema-driven pass over the bytes of a JSON text already known to be
 * valid (json/scan.h checked it): no DOM, no allocation per event once the
 * checker's buffers have grown. The JSON-to-Avro mapping is hub's own,
 * documented in hub-schemas(5). On a mismatch the checker keeps the first
 * error: the path below the checked value, what was expected and what was
 * found. One checker serves a whole run; it is not thread-safe. */
#ifndef HUB_AVROCHECK_H
#define HUB_AVROCHECK_H

#include <stddef.h>

#include "schema/compile.h"

struct hub_avrocheck;

struct hub_avrocheck *hub_avrocheck_new(void);
void hub_avrocheck_free(struct hub_avrocheck *ck);
/* Members a record does not declare: errors (0, the default) or ignored. */
void hub_avrocheck_allow_extra(struct hub_avrocheck *ck, int allow);

/* Checks one JSON value (valid JSON text) against n. 0 when it matches;
 * -1 when not, and the three accessors below describe the first error. */
int hub_avrocheck_value(struct hub_avrocheck *ck, const struct hub_avro_node *n,
                        const char *text, size_t len);
/* Just past the JSON value that starts at p (after blanks), in valid text. */
const char *hub_avrocheck_skip(const char *p, const char *end);
/* Path below the value: "" for the value itself, ".items[2].quantity". */
const char *hub_avrocheck_path(struct hub_avrocheck *ck);
const char *hub_avrocheck_expected(struct hub_avrocheck *ck);   /* "int" */
const char *hub_avrocheck_found(struct hub_avrocheck *ck);      /* "string \"3\"" */

#endif
