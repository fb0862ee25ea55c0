/* genevents.h: hub-gen-events' run: N lines of retail events, some resent,
 * some defective, written to a file descriptor in large blocks.
 *
 * The same options give the same bytes on every machine: one hub_prng
 * stream decides everything, in a fixed order. */
#ifndef HUB_GEN_GENEVENTS_H
#define HUB_GEN_GENEVENTS_H

#include <stddef.h>
#include <stdint.h>

struct hub_gen_opts {
	uint64_t count;        /* lines to write */
	uint64_t seed;
	double dup_rate;       /* a line is an earlier one again, byte for byte */
	double invalid_rate;   /* a line is defective (hub_retail_defect) */
	int64_t start_ms;      /* the world's clock at the start, UTC */
};

/* The default --start: 2026-03-01T08:00:00Z. */
#define HUB_GEN_DEFAULT_START_MS 1772352000000LL

/* Parses a --start time: an RFC 3339 date-time (2026-03-01T08:00:00Z,
 * ...+01:00, with or without fractions of a second), the same without an
 * offset (taken as UTC, ' ' allowed for 'T'), or a date (midnight UTC).
 * Returns 0 with milliseconds since the epoch in *ms, or -1. */
int hub_gen_parse_start(const char *s, int64_t *ms);

/* Writes the lines to fd. Returns 0, or -1 with errno set when a write
 * failed (the lines before it were written whole). */
int hub_gen_events(const struct hub_gen_opts *o, int fd);

#endif
