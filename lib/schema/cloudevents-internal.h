/* schema/cloudevents-internal.h: the CloudEvents 1.0 attribute rules, for JSON events.
 *
 * hub_ce_check() takes the top-level members of an event (spans found by
 * json/scan.h) and checks the required attributes (specversion "1.0", id,
 * source, type: non-empty strings), the optional ones (time in RFC 3339,
 * datacontenttype as type/subtype, dataschema and subject non-empty),
 * extension names ([a-z0-9]+) and values (no fractions, objects or
 * arrays), and that data and data_base64 do not come together. */
#ifndef HUB_CLOUDEVENTS_H
#define HUB_CLOUDEVENTS_H

#include "core/buf.h"
#include "json/scan.h"

enum hub_ce_attr {
	HUB_CE_SPECVERSION, HUB_CE_ID, HUB_CE_SOURCE, HUB_CE_TYPE, HUB_CE_TIME,
	HUB_CE_DATACONTENTTYPE, HUB_CE_DATASCHEMA, HUB_CE_SUBJECT, HUB_CE_DATA,
	HUB_CE_DATA_BASE64, HUB_CE_NATTRS
};

/* The field paths of the attributes above, in that order, for the scanner. */
extern const char *const hub_ce_attr_names[HUB_CE_NATTRS];

/* Checks the attributes (attrs[] indexed by enum hub_ce_attr). 0 when
 * valid; -1 with the attribute in *path, and expected/found appended. */
int hub_ce_check(const struct hub_span *attrs, const char **path,
                 struct hub_buf *expected, struct hub_buf *found);
/* Checks one top-level member as an extension attribute (its name is not a
 * core attribute); same results as hub_ce_check(). */
int hub_ce_check_member(const struct hub_span *key, const struct hub_span *value, struct hub_buf *path,
                        struct hub_buf *expected, struct hub_buf *found);
/* The value's description for "found": `string "x"`, `number 1.5`, `object`. */
void hub_ce_describe(const struct hub_span *v, struct hub_buf *out);

#endif
