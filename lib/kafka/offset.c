/* kafka/offset.c: hub-consume's -o, where reading starts (declared in
 * kafka/consume.h): beginning, end, stored, an offset N, -N from the end,
 * or s@TIME, the first message at or after a time (core/time's grammar:
 * Unix milliseconds as kcat takes them, RFC 3339, a date, an age).
 * Anything else is refused whole: no prefix of a word or number is taken. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "kafka/consume.h"

int hub_consume_parse_offset(const char *s, int64_t *offset, int64_t *timestamp)
{
	char *end;
	long long v;

	*timestamp = -1;
	if (strcmp(s, "beginning") == 0) {
		*offset = RD_KAFKA_OFFSET_BEGINNING;
		return 0;
	}
	if (strcmp(s, "end") == 0) {
		*offset = RD_KAFKA_OFFSET_END;
		return 0;
	}
	if (strcmp(s, "stored") == 0) {
		*offset = RD_KAFKA_OFFSET_STORED;
		return 0;
	}
	if (strncmp(s, "s@", 2) == 0) {
		if (hub_when_parse(s + 2, hub_time_now_ms(), timestamp) != 0 || *timestamp < 0)
			return -1;
		*offset = RD_KAFKA_OFFSET_END;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end || errno)
		return -1;
	if (s[0] == '-') {
		if (v == 0)
			return -1;
		*offset = RD_KAFKA_OFFSET_TAIL(-v);
	} else {
		*offset = v;
	}
	return 0;
}
