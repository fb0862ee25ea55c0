/* timestamp.h: checking the text forms of dates and times, without libc's
 * locale- and timezone-dependent parsers.
 *
 * RFC 3339 date-time (CloudEvents "time", Avro timestamp-* as strings),
 * full-date (Avro date) and partial-time (Avro time-*). Each returns 1
 * when the text is valid, calendar included (leap years, 60 seconds only
 * in a leap-second position is not checked: 23:59:60 is accepted). */
#ifndef HUB_TIMESTAMP_H
#define HUB_TIMESTAMP_H

#include <stddef.h>

int hub_rfc3339_valid(const char *s, size_t n);   /* 2026-03-01T08:00:00.049Z */
int hub_date_valid(const char *s, size_t n);      /* 2026-03-01 */
int hub_time_valid(const char *s, size_t n);      /* 08:00:00[.049] */

#endif
