/* schema/validate.h: the hub-validate loop, NDJSON in, valid events out.
 *
 * Each line is scanned once for syntax and the CloudEvents attributes,
 * its schema is picked from the registry by "type" (and the version named
 * by "dataschema"), and its data (or the whole event) is checked against
 * the compiled schema. A valid event is written out byte for byte; any
 * other line goes to the failure store with the path, expected and found,
 * subject, version and schema id. Memory is bounded by the longest line. */
#ifndef HUB_VALIDATE_H
#define HUB_VALIDATE_H

#include <stddef.h>

#include "stream/failstore.h"
#include "schema/registry.h"
#include "core/stats.h"

struct hub_validate_opts {
	const struct hub_registry *reg;
	const char *subject;       /* every event against this subject, not its type */
	int version;               /* with subject: this version (0: latest) */
	int whole_event;           /* the schema describes the whole event, not data */
	int allow_unknown;         /* pass events whose type has no subject */
	int allow_extra;           /* record members the schema does not declare */
	int plain;                 /* no CloudEvents attribute checks */
	size_t max_line;
	int show_stats;            /* serve SIGUSR1 */
	struct hub_failstore *failstore;
};

/* Reads in_fd to its end (or a stop signal), writes valid lines to out_fd.
 * Returns an exit status: OK, FAILED when anything was rejected, IOERR. */
int hub_validate_run(int in_fd, int out_fd, const struct hub_validate_opts *o, struct hub_stats *st);

#endif
