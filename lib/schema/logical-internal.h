/* schema/logical-internal.h: Avro's logical types between their JSON text
 * and their underlying Avro values (schema/logical.c), for the Avro wire
 * format (schema/avrowire.c). Text given here was checked against the
 * schema already. */
#ifndef HUB_LOGICAL_INTERNAL_H
#define HUB_LOGICAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "schema/compile.h"

/* A string's content (s, len: without the quotes) as the int of n's
 * logical type: date (days since the epoch) or time-millis. */
int32_t hub_logical_int(const struct hub_avro_node *n, const char *s, size_t len);
/* The same as the long of timestamp-millis, timestamp-micros or time-micros. */
int64_t hub_logical_long(const struct hub_avro_node *n, const char *s, size_t len);
/* An int or long in JSON: as n's logical type's text, or as a number. */
void hub_logical_put_int(const struct hub_avro_node *n, int32_t i, struct hub_buf *out);
void hub_logical_put_long(const struct hub_avro_node *n, int64_t l, struct hub_buf *out);
/* Decimal text (plain notation, at most scale decimals; s to end) to the
 * two's complement big-endian bytes of its unscaled value, in b. */
void hub_logical_decimal_to_bytes(const char *s, const char *end, int scale, struct hub_buf *b);
/* Those bytes back to decimal text with scale decimals. */
void hub_logical_bytes_to_decimal(const unsigned char *p, size_t n, int scale, struct hub_buf *out);

#endif
