/* schema/cloudevents.c: CloudEvents 1.0 attribute checks over raw spans.
 *
 * The rules are those of the specification's JSON format and type system,
 * as the cloudevents/conformance cases exercise them. Values are looked at
 * as the scanner found them (strings with quotes, numbers as written), so
 * nothing is decoded unless a string holds an escape. */
#include <string.h>

#include "schema/cloudevents-internal.h"
#include "core/time.h"

const char *const hub_ce_attr_names[HUB_CE_NATTRS] = {
	"specversion", "id", "source", "type", "time", "datacontenttype", "dataschema",
	"subject", "data", "data_base64",
};

void hub_ce_describe(const struct hub_span *v, struct hub_buf *out)
{
	switch (v->type) {
	case HUB_JSON_NONE: hub_buf_adds(out, "nothing (attribute missing)"); return;
	case HUB_JSON_OBJECT: hub_buf_adds(out, "object"); return;
	case HUB_JSON_ARRAY: hub_buf_adds(out, "array"); return;
	case HUB_JSON_NULL: hub_buf_adds(out, "null"); return;
	default: break;
	}
	hub_buf_adds(out, v->type == HUB_JSON_STRING ? "string " : v->type == HUB_JSON_NUMBER ? "number " : "boolean ");
	if (v->len > 48) {
		hub_buf_add(out, v->p, 44);
		hub_buf_adds(out, "...");
	} else {
		hub_buf_add(out, v->p, v->len);
	}
}

static int bad(const struct hub_span *v, const char *expected, struct hub_buf *exp, struct hub_buf *found)
{
	hub_buf_adds(exp, expected);
	hub_ce_describe(v, found);
	return -1;
}

/* An RFC 2046 token: visible ASCII except the tspecials. */
static int token_char(char c)
{
	return c > ' ' && c < 127 && !strchr("()<>@,;:\\\"/[]?=", c);
}

static int media_type_valid(const char *s, size_t n)
{
	size_t i = 0, start;

	while (i < n && token_char(s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != '/')
		return 0;
	start = ++i;
	while (i < n && token_char(s[i]))
		i++;
	return i > start && (i == n || s[i] == ';' || s[i] == ' ');
}

int hub_ce_check(const struct hub_span *a, const char **path, struct hub_buf *exp, struct hub_buf *found)
{
	static const int required[] = { HUB_CE_ID, HUB_CE_SOURCE, HUB_CE_TYPE };
	static const int optional[] = { HUB_CE_DATASCHEMA, HUB_CE_SUBJECT };
	const struct hub_span *v;

	v = &a[HUB_CE_SPECVERSION];
	*path = hub_ce_attr_names[HUB_CE_SPECVERSION];
	if (v->type != HUB_JSON_STRING || v->len != 5 || memcmp(v->p, "\"1.0\"", 5) != 0)
		return bad(v, "\"1.0\"", exp, found);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		v = &a[required[i]];
		*path = hub_ce_attr_names[required[i]];
		if (v->type != HUB_JSON_STRING || v->len <= 2)
			return bad(v, "a non-empty string (a required attribute)", exp, found);
	}
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		v = &a[optional[i]];
		*path = hub_ce_attr_names[optional[i]];
		if (v->type != HUB_JSON_NONE && v->type != HUB_JSON_NULL && (v->type != HUB_JSON_STRING || v->len <= 2))
			return bad(v, "a non-empty string or no attribute", exp, found);
	}
	v = &a[HUB_CE_TIME];
	*path = hub_ce_attr_names[HUB_CE_TIME];
	if (v->type != HUB_JSON_NONE && v->type != HUB_JSON_NULL &&
	    (v->type != HUB_JSON_STRING || !hub_rfc3339_valid(v->p + 1, v->len - 2)))
		return bad(v, "an RFC 3339 timestamp such as \"2026-03-01T08:00:00.049Z\"", exp, found);
	v = &a[HUB_CE_DATACONTENTTYPE];
	*path = hub_ce_attr_names[HUB_CE_DATACONTENTTYPE];
	if (v->type != HUB_JSON_NONE && v->type != HUB_JSON_NULL &&
	    (v->type != HUB_JSON_STRING || !media_type_valid(v->p + 1, v->len - 2)))
		return bad(v, "an RFC 2046 media type such as \"application/json\"", exp, found);
	v = &a[HUB_CE_DATA_BASE64];
	*path = hub_ce_attr_names[HUB_CE_DATA_BASE64];
	if (v->type != HUB_JSON_NONE && v->type != HUB_JSON_NULL && a[HUB_CE_DATA].type != HUB_JSON_NONE &&
	    a[HUB_CE_DATA].type != HUB_JSON_NULL)
		return bad(v, "data or data_base64, not both", exp, found);
	return 0;
}

int hub_ce_check_member(const struct hub_span *key, const struct hub_span *v, struct hub_buf *path,
                        struct hub_buf *exp, struct hub_buf *found)
{
	const char *name = key->p + 1;
	size_t n = key->len - 2;
	int name_ok = n > 0;

	for (int i = 0; i < HUB_CE_NATTRS; i++)
		if (strlen(hub_ce_attr_names[i]) == n && memcmp(hub_ce_attr_names[i], name, n) == 0)
			return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
			name_ok = 0;
	if (!name_ok) {
		hub_buf_add(path, key->p, key->len);
		hub_buf_adds(exp, "extension attribute names of lower-case letters and digits only");
		hub_buf_adds(found, "a member named ");
		hub_buf_add(found, key->p, key->len);
		return -1;
	}
	if (v->type == HUB_JSON_OBJECT || v->type == HUB_JSON_ARRAY ||
	    (v->type == HUB_JSON_NUMBER && memchr(v->p, '.', v->len)) ||
	    (v->type == HUB_JSON_NUMBER && (memchr(v->p, 'e', v->len) || memchr(v->p, 'E', v->len)))) {
		hub_buf_add(path, name, n);
		return bad(v, "an extension value: string, boolean or integer", exp, found);
	}
	return 0;
}
