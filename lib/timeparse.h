/* timeparse.h: times in events (RFC 3339) and durations on command lines.
 *
 * Both are parsed strictly: a value that is not exactly one of the
 * accepted forms is an error, never a guess, because a misread time
 * silently changes which events a window keeps. */
#ifndef HUB_TIMEPARSE_H
#define HUB_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* "2026-03-01T08:00:00.049Z", "2026-03-01t09:00:00+01:00": seconds since
 * the epoch (fractions dropped) in *secs. Returns 0, or -1 if invalid. */
int hub_parse_rfc3339(const char *s, size_t len, int64_t *secs);
/* "90s", "15m", "24h", "7d", "1w", or plain seconds ("3600"); several
 * parts add up ("1h30m"). Returns 0 with seconds in *secs, or -1. */
int hub_parse_duration(const char *s, uint64_t *secs);

#endif
