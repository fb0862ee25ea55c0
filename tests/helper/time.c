/* time.c: test driver for libhub's one time and duration grammar (lib/core/time.c).
 *
 *   time < cases     each input line "OPTION<TAB>VALUE" is printed back with
 *                    a third column: the milliseconds the option takes it as,
 *                    or "error". --since, --until and -o s@ are points in time,
 *                    read against the fixed clock 2026-03-01T00:00:00Z.
 *
 * tests/time.bats runs it over tests/data/time.test: every form against
 * every option that takes a time or a duration. */
#include <stdio.h>
#include <string.h>

#include "core/time.h"

#define NOW_MS 1772323200000LL   /* 2026-03-01T00:00:00Z */

int main(void)
{
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		char err[256], *tab, *value;
		int64_t ms;
		int rc;

		line[strcspn(line, "\n")] = 0;
		if (!(tab = strchr(line, '\t')))
			continue;
		*tab = 0;
		value = tab + 1;
		if (strcmp(line, "--since") == 0 || strcmp(line, "--until") == 0 || strcmp(line, "-o s@") == 0)
			rc = hub_when_parse(value, NOW_MS, &ms);
		else
			rc = hub_duration_check(value, line, &ms, err, sizeof(err));
		if (rc == 0)
			printf("%s\t%s\t%lld\n", line, value, (long long)ms);
		else
			printf("%s\t%s\terror\n", line, value);
	}
	return 0;
}
