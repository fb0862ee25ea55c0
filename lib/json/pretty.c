/* json/pretty.c: a JSON re-indenter over validated text (see json/pretty-internal.h).
 *
 * One pass with a string state; empty containers stay "{}" and "[]". The
 * nesting level is a plain counter: the input was already checked against
 * the scanner's depth limit, so it is bounded. */
#include "json/pretty-internal.h"
#include "json/text-internal.h"

static void newline(struct hub_buf *out, int level)
{
	hub_buf_addc(out, '\n');
	for (int i = 0; i < level; i++)
		hub_buf_add(out, "  ", 2);
}

void hub_json_pretty(struct hub_buf *out, const char *t, size_t n, int level)
{
	size_t i = 0, j;

	while (i < n) {
		char c = t[i];

		switch (c) {
		case ' ': case '\t': case '\n': case '\r':
			i++;
			break;
		case '"':
			j = (size_t)(hub_jt_string_end(t + i, t + n, NULL) - t);
			hub_buf_add(out, t + i, j - i);
			i = j;
			break;
		case '{': case '[':
			j = (size_t)(hub_jt_space(t + i + 1, t + n) - t);
			if (j < n && (t[j] == '}' || t[j] == ']')) {
				hub_buf_addc(out, c);
				hub_buf_addc(out, t[j]);
				i = j + 1;
				break;
			}
			hub_buf_addc(out, c);
			newline(out, ++level);
			i++;
			break;
		case '}': case ']':
			newline(out, --level);
			hub_buf_addc(out, c);
			i++;
			break;
		case ',':
			hub_buf_addc(out, ',');
			newline(out, level);
			i++;
			break;
		case ':':
			hub_buf_add(out, ": ", 2);
			i++;
			break;
		default:
			j = i;
			while (j < n && t[j] != ',' && t[j] != '}' && t[j] != ']' && t[j] != ' ' &&
			       t[j] != '\t' && t[j] != '\n' && t[j] != '\r')
				j++;
			hub_buf_add(out, t + i, j - i);
			i = j;
			break;
		}
	}
}
