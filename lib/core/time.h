/* core/time.h: dates and times in events (RFC 3339, Avro's date and
 * time-*) and durations on command lines, in one place for every tool.
 *
 * All are parsed strictly: a value that is not exactly one of the
 * accepted forms is an error, never a guess, because a misread time
 * silently changes which events a window keeps or an archive files.
 * No locale, no TZ, no libc tables: proleptic Gregorian arithmetic. */
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

/* Whether the text is valid, calendar included (23:59:60 is accepted):
 * an RFC 3339 date-time (2026-03-01T08:00:00.049Z; 'T' or 't' only),
 * a full-date (2026-03-01), a partial-time (08:00:00[.049]). */
int hub_rfc3339_valid(const char *s, size_t n);
int hub_date_valid(const char *s, size_t n);
int hub_time_valid(const char *s, size_t n);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t hub_days_from_civil(int64_t y, int m, int d);
void hub_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
