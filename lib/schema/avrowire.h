/* schema/avrowire.h: events' data as Avro binary, in Confluent's wire format.
 *
 * A message is the magic byte 0, the schema id (4 bytes, big-endian, from
 * the registry index) and the Avro binary encoding of the data, written
 * and read by avro-c's generic values. The JSON side follows the mapping
 * of hub-schemas(5): encoding accepts every form hub-validate accepts
 * (the data must have passed it); decoding writes the natural form
 * (unions bare, decimals as numbers, dates and timestamps as strings). */
#ifndef HUB_AVROWIRE_H
#define HUB_AVROWIRE_H

#include <stddef.h>

#include "core/buf.h"
#include "schema/registry.h"

struct hub_avrowire;

/* A codec for every schema of the registry (which must outlive it).
 * NULL, with a message in err, if avro-c refuses a schema. */
struct hub_avrowire *hub_avrowire_new(const struct hub_registry *reg, struct hub_buf *err);
void hub_avrowire_free(struct hub_avrowire *w);

/* Appends the framed encoding of json (valid against sv's schema) to out.
 * 0, or -1 with a message in err. */
int hub_avrowire_encode(struct hub_avrowire *w, const struct hub_schema_version *sv, const char *json,
                        size_t len, struct hub_buf *out, struct hub_buf *err);
/* The same, after checking json against the schema as hub-validate does
 * (extra members rejected); a mismatch is "PATH: expected X, found Y". */
int hub_avrowire_encode_checked(struct hub_avrowire *w, const struct hub_schema_version *sv,
                                const char *json, size_t len, struct hub_buf *out, struct hub_buf *err);
/* Decodes a framed message, appending the data as JSON to out; *svp is
 * the schema it names. 0, or -1 with a message in err. */
int hub_avrowire_decode(struct hub_avrowire *w, const void *msg, size_t len, struct hub_buf *out,
                        const struct hub_schema_version **svp, struct hub_buf *err);

#endif
