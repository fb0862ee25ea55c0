/* timestamp.c: RFC 3339 dates and times, checked digit by digit.
 *
 * Plain character checks and a days-in-month table: strptime() depends on
 * the locale and accepts more than RFC 3339 does, and these run once per
 * event on the hot path of hub-validate. Nothing is allocated. */
#include "timestamp.h"

static int digits(const char *s, int n, int *value)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return 1;
}

int hub_date_valid(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
	    !digits(s + 8, 2, &d))
		return 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

/* HH:MM:SS[.frac]; returns the length used, 0 if invalid. */
static size_t partial_time(const char *s, size_t n)
{
	int h, m, sec;
	size_t i = 8;

	if (n < 8 || s[2] != ':' || s[5] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &m) ||
	    !digits(s + 6, 2, &sec) || h > 23 || m > 59 || sec > 60)
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
	if (n != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digits(s + 1, 2, &h) ||
	    !digits(s + 4, 2, &m) || h > 23 || m > 59)
		return 0;
	return 1;
}
