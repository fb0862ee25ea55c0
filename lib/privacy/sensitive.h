/* privacy/sensitive.h: the fields Avro schemas mark sensitive, as field paths.
 *
 * The schemas are those of the registry in DIR (hub-schemas(5)), compiled
 * by schema/registry.c as hub-validate compiles them; the subject is the
 * CloudEvents type and its newest version counts, read once at start-up.
 * A record field with "sensitive": true becomes
 * a field path under data: data.customer.email for nested records,
 * data.items[*].name for arrays of records, data.tags.* for maps; unions
 * and named types (resolved by Avro's namespace rules) are followed. */
#ifndef HUB_SENSITIVE_H
#define HUB_SENSITIVE_H

#include <stddef.h>

#include "privacy/policy.h"

/* Adds every sensitive field of every subject in dir to pol. Returns the
 * number of schemas read, or -1 with a message in err. */
int hub_sensitive_load(struct hub_policy *pol, const char *dir, char *err, size_t errlen);

#endif
