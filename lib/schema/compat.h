/* schema/compat.h: schema evolution rules, Confluent Schema Registry's modes.
 *
 * A version is checked against the one before it (BACKWARD, FORWARD,
 * FULL) or against every earlier one (the _TRANSITIVE forms), with Avro's
 * schema resolution rules: can a reader schema read what a writer schema
 * wrote? Each breaking change is reported as one line, e.g.
 *   com.example.retail.order.paid: v3 adds field 'currency' without a default: breaks BACKWARD */
#ifndef HUB_COMPAT_H
#define HUB_COMPAT_H

#include <stdio.h>

#include "core/buf.h"
#include "schema/registry.h"

/* Checks every subject under its mode; writes one line per breaking
 * change to out and returns how many there were. */
int hub_compat_check_registry(const struct hub_registry *reg, FILE *out);

/* A schema that is not in the registry (what a client proposes as s's
 * next version) checked under s's mode: against the version against, or,
 * when NULL, against the latest (every version for the _TRANSITIVE
 * modes). Appends one line per breaking change to out, in which the
 * candidate is the version after the latest; returns how many. */
int hub_compat_check_candidate(const struct hub_subject *s, const struct hub_schema *candidate,
                               const struct hub_schema_version *against, struct hub_buf *out);

#endif
