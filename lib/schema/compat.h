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

#include "schema/registry.h"

/* Checks every subject under its mode; writes one line per breaking
 * change to out and returns how many there were. */
int hub_compat_check_registry(const struct hub_registry *reg, FILE *out);

#endif
