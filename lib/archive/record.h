/* archive/record.h: what the archive needs to know about one stored line.
 *
 * A line is a plain event or a hub-consume envelope ({"topic",...,
 * "value":{event}}). One scan (json/scan.h, no DOM) validates it and yields the
 * event's id, subject, type, source and time, and the Kafka coordinates
 * when there are any, as spans of the line: the writer and every search
 * read lines the same way, so they always agree on a line's hour and keys. */
#ifndef HUB_ARECORD_H
#define HUB_ARECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/time.h"
#include "json/scan.h"

struct hub_arec {
	/* the event's attributes (inside "value" for an envelope) */
	struct hub_span id, subject, type, source, time;
	/* envelope members, HUB_JSON_NONE for a plain event */
	struct hub_span topic, partition, offset, timestamp, key, headers, value;
	int envelope;
	int has_time;        /* time_ms is the event time, else the Kafka timestamp */
	int64_t time_ms;     /* Unix milliseconds, UTC */
};

struct hub_arec_parser;

struct hub_arec_parser *hub_arec_parser_new(void);
void hub_arec_parser_free(struct hub_arec_parser *p);
/* Scans one line. Returns 0, or -1 with a reason in *why (invalid JSON),
 * or -2 with one (valid JSON, not an object); the reason stays valid until
 * the next call. */
int hub_arec_parse(struct hub_arec_parser *p, const char *line, size_t len,
                   struct hub_arec *rec, const char **why);

/* The text of a string span, without a copy when it holds no escape:
 * s and n point into the line or into tmp. -1 if the span is no string. */
int hub_span_str(const struct hub_span *v, struct hub_buf *tmp, const char **s, size_t *n);
/* Whether a span is the string s (decoded, exact). */
int hub_span_equals(const struct hub_span *v, struct hub_buf *tmp, const char *s, size_t n);


#endif
