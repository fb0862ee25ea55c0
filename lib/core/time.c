/* core/time.c: RFC 3339 timestamps, Avro dates and times, and human
 * durations, without locale (see core/time.h).
 *
 * Dates are converted with the days-from-civil formula (proleptic
 * Gregorian), not mktime, so neither TZ nor the C library's tables can
 * change a result; leap seconds (:60) are accepted and count as :59.
 * These run once per event on hot paths: nothing is allocated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/diag.h"
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
	int64_t ms;

	return n > 10 && s[10] != ' ' && hub_time_parse(s, n, &ms) == 0;
}

int hub_time_parse(const char *s, size_t n, int64_t *ms)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, frac = 0, fd = 0;
	int64_t off = 0;
	size_t i = 19;

	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, fd++)
			if (fd < 3)
				frac = frac * 10 + (s[i] - '0');
		if (fd == 0)
			return -1;
		for (int k = fd; k < 3; k++)
			frac *= 10;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		if (n - i != 6 || s[i + 3] != ':' || digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		off = (int64_t)(oh * 60 + om) * 60000;
		if (s[i] == '+')
			off = -off;
		i += 6;
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	*ms = (hub_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (sec > 59 ? 59 : sec)) * 1000 +
	      frac + off;
	return 0;
}

void hub_time_format(int64_t ms, char *buf, size_t n)
{
	int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	int64_t rest = ms - days * 86400000, y;
	int m, d;

	hub_civil_from_days(days, &y, &m, &d);
	snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d, (int)(rest / 3600000),
	         (int)(rest / 60000 % 60), (int)(rest / 1000 % 60), (int)(rest % 1000));
}

int64_t hub_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The one duration grammar: parts NUMBER UNIT that add up ("1h30m"), units
 * ms s m h d w; a plain number alone counts in bare (0: not allowed). */
int hub_duration_parse(const char *s, int64_t bare, int64_t *ms)
{
	static const struct { const char *name; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
		{ "w", 7 * 86400000LL },
	};
	const int64_t limit = INT64_C(1) << 52;   /* 142,000 years: no sum overflows */
	int64_t total = 0;
	const char *p = s;

	if (!*p)
		return -1;
	while (*p) {
		int64_t v = 0, unit = 0;
		const char *start = p;
		size_t k;

		for (; *p >= '0' && *p <= '9'; p++) {
			v = v * 10 + (*p - '0');
			if (v > limit)
				return -1;
		}
		if (p == start)
			return -1;
		if (!*p && start == s) {
			unit = bare;
		} else {
			for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
				size_t len = strlen(units[k].name);

				/* "m" must not take the "m" of "ms" */
				if (strncmp(p, units[k].name, len) == 0 && !(len == 1 && *p == 'm' && p[1] == 's')) {
					unit = units[k].ms;
					p += len;
					break;
				}
			}
		}
		if (!unit || v > limit / unit)
			return -1;
		total += v * unit;
		if (total > limit)
			return -1;
	}
	*ms = total;
	return 0;
}

int hub_when_parse(const char *s, int64_t now_ms, int64_t *ms)
{
	size_t n = strlen(s);
	int64_t v;
	size_t i;

	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == n && n > 0 && n <= 15) {        /* Unix milliseconds, as Kafka and kcat's s@ count */
		*ms = strtoll(s, NULL, 10);
		return 0;
	}
	if (hub_duration_parse(s, 0, &v) == 0) { /* an age */
		*ms = now_ms - v;
		return 0;
	}
	if (hub_date_valid(s, n)) {              /* a date: its midnight, UTC */
		int y = 0, m = 0, d = 0;

		digits(s, 4, &y);
		digits(s + 5, 2, &m);
		digits(s + 8, 2, &d);
		*ms = hub_days_from_civil(y, m, d) * 86400000;
		return 0;
	}
	return hub_time_parse(s, n, ms);
}

/* Every option that takes a duration, and what a plain number means there:
 * one table, so that the grammar cannot drift between tools again and
 * tests/data/time.test can pin every form against every option. */
static const struct hub_duration_option_spec {
	const char *option;
	int64_t bare, step, min, max;   /* ms; bare 0: a unit is required */
} duration_options[] = {
	{ "--window", 1000, 1000, 1000, 5200 * 7 * 86400000LL },     /* 100 years: seconds fit 32 bits */
	{ "--older-than", 0, 1, 0, 5200 * 7 * 86400000LL },
	{ "--grace", 3600000, 3600000, 0, 366 * 86400000LL },
	{ "--fsync-interval", 1000, 1, 1, 3600000 },
	{ "-m", 1000, 1, 1, 86400000 },
	/* hub-deliver; a plain number in seconds, as curl's --retry-delay */
	{ "--timeout", 1000, 1, 1, 86400000 },
	{ "--connect-timeout", 1000, 1, 1, 3600000 },
	{ "--retry-delay", 1000, 1, 1, 3600000 },
	{ "--retry-max-time", 1000, 1, 0, 7 * 86400000LL },
	/* every long-running tool (core/metrics.h) */
	{ "--metrics-interval", 1000, 1, 100, 3600000 },
};

static const char *unit_name(int64_t ms)
{
	return ms == 3600000 ? "hours" : ms == 1000 ? "seconds" : "milliseconds";
}

int hub_duration_check(const char *arg, const char *option, int64_t *ms, char *err, size_t errlen)
{
	const struct hub_duration_option_spec *o = NULL;
	char range[96];
	int64_t v;

	for (size_t i = 0; i < sizeof(duration_options) / sizeof(duration_options[0]); i++)
		if (strcmp(duration_options[i].option, option) == 0)
			o = &duration_options[i];
	if (!o) {
		snprintf(err, errlen, "%s: no such duration option", option);
		return -1;
	}
	if (hub_duration_parse(arg, o->bare, &v) != 0) {
		snprintf(err, errlen, "%s '%s': expected a duration such as 90s, 15m, 24h, 7d, 2w or 1h30m%s%s",
		         option, arg, o->bare ? "; a plain number counts in " : " (a plain number needs a unit)",
		         o->bare ? unit_name(o->bare) : "");
		return -1;
	}
	if (v < o->min || v > o->max || v % o->step) {
		char lo[32], hi[32];

		hub_duration_format(o->min, lo, sizeof(lo));
		hub_duration_format(o->max, hi, sizeof(hi));
		snprintf(range, sizeof(range), "from %s to %s%s%s", lo, hi, o->step > 1 ? ", in whole " : "",
		         o->step > 1 ? unit_name(o->step) : "");
		snprintf(err, errlen, "%s '%s': must be %s", option, arg, range);
		return -1;
	}
	*ms = v;
	return 0;
}

void hub_duration_format(int64_t ms, char *buf, size_t n)
{
	static const struct { char unit; int64_t ms; } units[] = {
		{ 'w', 7 * 86400000LL }, { 'd', 86400000 }, { 'h', 3600000 }, { 'm', 60000 }, { 's', 1000 },
	};
	size_t len = 0;

	if (ms == 0) {
		snprintf(buf, n, "0s");
		return;
	}
	if (ms % 1000) {
		snprintf(buf, n, "%lldms", (long long)ms);
		return;
	}
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && len < n; i++)
		if (ms >= units[i].ms) {
			len += (size_t)snprintf(buf + len, n - len, "%lld%c", (long long)(ms / units[i].ms), units[i].unit);
			ms %= units[i].ms;
		}
}

int64_t hub_duration_option(const char *arg, const char *option)
{
	char err[256];
	int64_t ms;

	if (hub_duration_check(arg, option, &ms, err, sizeof(err)) != 0)
		hub_usage_error("%s", err);
	return ms;
}

int64_t hub_when_option(const char *arg, const char *option)
{
	int64_t ms;

	if (hub_when_parse(arg, hub_time_now_ms(), &ms) != 0)
		hub_usage_error("%s '%s': expected a time: RFC 3339 (2026-03-01T08:00:00Z), a date (2026-03-01), "
		                "an age (90m, 2h, 7d) or Unix milliseconds", option, arg);
	return ms;
}
