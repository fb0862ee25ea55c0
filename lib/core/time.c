/* core/time.c: RFC 3339 timestamps, Avro dates and times, and human
 * durations, without locale (see core/time.h).
 *
 * Dates are converted with the days-from-civil formula (proleptic
 * Gregorian), not mktime, so neither TZ nor the C library's tables can
 * change a result; leap seconds (:60) are accepted and count as :59.
 * These run once per event on hot paths: nothing is allocated. */
#include <stdlib.h>
#include <string.h>

#include "core/time.h"

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int64_t hub_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void hub_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int hub_parse_rfc3339(const char *s, size_t len, int64_t *secs)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t i = 19;

	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (sec == 60)
		sec = 59;
	if (s[i] == '.') {
		size_t start = ++i;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return -1;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '-' ? -1 : 1;
		if (len - i < 6 || s[i + 3] != ':' || digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		i += 6;
	} else {
		return -1;
	}
	if (i != len)
		return -1;
	*secs = hub_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	return 0;
}

int hub_parse_duration(const char *s, uint64_t *secs)
{
	uint64_t total = 0;

	if (!s || !*s)
		return -1;
	while (*s) {
		char *end;
		unsigned long long v;
		uint64_t unit;

		if (*s < '0' || *s > '9')
			return -1;
		v = strtoull(s, &end, 10);
		switch (*end) {
		case '\0': unit = 1; break;
		case 's': unit = 1; end++; break;
		case 'm': unit = 60; end++; break;
		case 'h': unit = 3600; end++; break;
		case 'd': unit = 86400; end++; break;
		case 'w': unit = 7 * 86400; end++; break;
		default: return -1;
		}
		if (v > UINT32_MAX / unit)
			return -1;
		total += v * unit;
		if (total > UINT32_MAX)
			return -1;
		s = end;
	}
	*secs = total;
	return 0;
}

int hub_date_valid(const char *s, size_t n)
{
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
	    digits(s + 8, 2, &d))
		return 0;
	return m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

/* HH:MM:SS[.frac]; returns the length used, 0 if invalid. */
static size_t partial_time(const char *s, size_t n)
{
	int h, m, sec;
	size_t i = 8;

	if (n < 8 || s[2] != ':' || s[5] != ':' || digits(s, 2, &h) || digits(s + 3, 2, &m) ||
	    digits(s + 6, 2, &sec) || h > 23 || m > 59 || sec > 60)
		return 0;
	if (i < n && s[i] == '.') {
		size_t start = ++i;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return 0;
	}
	return i;
}

int hub_time_valid(const char *s, size_t n)
{
	return partial_time(s, n) == n && n > 0;
}

int hub_rfc3339_valid(const char *s, size_t n)
{
	size_t t;
	int h, m;

	if (n < 20 || !hub_date_valid(s, 10) || (s[10] != 'T' && s[10] != 't'))
		return 0;
	t = partial_time(s + 11, n - 11);
	if (!t)
		return 0;
	s += 11 + t;
	n -= 11 + t;
	if (n == 1 && (s[0] == 'Z' || s[0] == 'z'))
		return 1;
	if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || digits(s + 1, 2, &h) ||
	    digits(s + 4, 2, &m) || h > 23 || m > 59)
		return 0;
	return 1;
}
