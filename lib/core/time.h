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

/* An event's time, RFC 3339 ("2026-03-01T08:00:00.049Z", "...+02:00", 'T',
 * 't' or ' ' between date and time), to Unix milliseconds (digits past the
 * third dropped, :60 counted as :59). 0, or -1 if it is not a valid time. */
int hub_time_parse(const char *s, size_t n, int64_t *ms);
/* Unix ms as "2026-03-01T08:00:00.049Z", for any year (buf >= 40 bytes). */
void hub_time_format(int64_t ms, char *buf, size_t n);
int64_t hub_time_now_ms(void);

/* The one duration grammar of every command line: parts NUMBER UNIT that
 * add up ("1h30m"), with the units ms, s, m, h, d and w; a plain number
 * alone ("3600") counts in bare milliseconds, and is refused when bare is
 * 0. Returns 0 with the milliseconds in *ms, or -1. */
int hub_duration_parse(const char *s, int64_t bare, int64_t *ms);
/* 90061000 as "1d1h1m1s"; sub-second values as "1500ms". */
void hub_duration_format(int64_t ms, char *buf, size_t n);
/* A point in time as a user writes it: RFC 3339, a date (2026-03-01,
 * midnight UTC), an age before now_ms ("90m", "2h", "7d"), or Unix
 * milliseconds ("1772352000000", as Kafka timestamps and kcat's s@ are
 * written). 0 or -1. */
int hub_when_parse(const char *s, int64_t now_ms, int64_t *ms);

/* A duration option (--window, --older-than, --grace, --fsync-interval,
 * hub-consume's -m): the grammar above with that option's unit for a plain
 * number and its range, from one table in core/time.c. Returns 0, or -1
 * with the user's message in err. */
int hub_duration_check(const char *arg, const char *option, int64_t *ms, char *err, size_t errlen);
/* The same for main(): the value, or a usage error (exit 64). */
int64_t hub_duration_option(const char *arg, const char *option);
/* --since, --until and the like: hub_when_parse() against the clock, or a
 * usage error (exit 64). */
int64_t hub_when_option(const char *arg, const char *option);

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
