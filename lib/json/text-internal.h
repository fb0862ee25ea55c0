/* json/text-internal.h: stepping over JSON text the scanner has accepted.
 *
 * The one skipper behind canonical form, pretty printing, the Avro check
 * and the Avro encoder: each walks a line hub_json_scan() has already
 * validated, so these only find where whitespace, a string or a value
 * ends; they check nothing and never read past end. */
#ifndef HUB_JSON_TEXT_INTERNAL_H
#define HUB_JSON_TEXT_INTERNAL_H

#include <string.h>

/* Past JSON whitespace. */
static inline const char *hub_jt_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at a string's opening quote: just past its closing quote (a quote
 * counts unless an odd run of backslashes precedes it; memchr does the
 * long stretches). *escaped, when given, is set if the string holds a
 * backslash. */
static inline const char *hub_jt_string_end(const char *p, const char *end, int *escaped)
{
	const char *q = p + 1;

	for (;;) {
		const char *b;
		size_t run = 0;

		q = memchr(q, '"', (size_t)(end - q));
		if (!q)
			return end;
		for (b = q - 1; b > p && *b == '\\'; b--)
			run++;
		if (run % 2 == 0) {
			if (escaped && memchr(p + 1, '\\', (size_t)(q - p - 1)))
				*escaped = 1;
			return q + 1;
		}
		q++;
	}
}

/* p at a value (or whitespace before it): just past the value. */
static inline const char *hub_jt_value_end(const char *p, const char *end)
{
	int depth = 0;

	do {
		p = hub_jt_space(p, end);
		if (p >= end)
			return end;
		switch (*p) {
		case '"': p = hub_jt_string_end(p, end, NULL); break;
		case '{': case '[': depth++; p++; break;
		case '}': case ']': depth--; p++; break;
		case ',': case ':': p++; break;
		default:
			while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
			       *p != '\t' && *p != '\n' && *p != '\r')
				p++;
		}
	} while (depth > 0);
	return p;
}

#endif
