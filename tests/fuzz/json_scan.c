/* tests/fuzz/json_scan.c: the JSON scanner with field paths, and the canonical form.
 *
 * Input: a first line of field paths ("data.items[*].sku,id"), then one
 * JSON text; without a newline, all of it is the text, scanned for a fixed
 * set of paths (more than HUB_JSON_MAX_PATHS is a usage error, not
 * tried). Checked: every span found lies in the text and scans alone
 * as the type reported; the canonical form of an accepted text is itself
 * accepted and is its own canonical form. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/buf.h"
#include "json/canon-internal.h"
#include "json/path.h"
#include "json/scan.h"

static struct hub_json *js, *plain;
static struct hub_canon *canon;
static struct hub_path *fixed;
static int nfixed;
static const char *text_at;
static size_t text_len;

static void check_span(const struct hub_span *v, const char *what)
{
	struct hub_span none[1];
	enum hub_json_type top;

	if (v->type == HUB_JSON_NONE)
		return;
	if (v->p < text_at || v->len > text_len || v->p + v->len > text_at + text_len)
		fuzz_fail("%s: span outside the text", what);
	if (hub_json_scan(plain, v->p, v->len, none, &top) < 0)
		fuzz_fail("%s: span '%.*s' does not scan alone: %s", what, (int)v->len, v->p, hub_json_error(plain));
	if (top != v->type)
		fuzz_fail("%s: span of type %s scans as %s", what, hub_json_type_name(v->type), hub_json_type_name(top));
}

static int on_match(void *ctx, int which, const struct hub_span *key, const struct hub_span *value)
{
	check_span(value, "callback value");
	if (key->type != HUB_JSON_NONE && key->type != HUB_JSON_STRING)
		fuzz_fail("callback key of type %s", hub_json_type_name(key->type));
	check_span(key, "callback key");
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	js = hub_json_new();
	plain = hub_json_new();
	canon = hub_canon_new();
	nfixed = hub_paths_parse_list("id,data.items[*].sku,data.*,data.customer.email,.,a[0][1]", &fixed, err,
	                              sizeof(err));
	if (nfixed < 0)
		fuzz_fail("fixed paths: %s", err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub_span found[HUB_JSON_MAX_PATHS];
	struct hub_path *paths = fixed;
	struct hub_buf c1 = { 0 }, c2 = { 0 };
	enum hub_json_type top, top2;
	const char *text = (const char *)data;
	const uint8_t *nl = memchr(data, '\n', size);
	int n = nfixed, own = 0;
	char err[256];

	if (!js)
		LLVMFuzzerInitialize(NULL, NULL);
	if (nl) {
		char *list = strndup((const char *)data, (size_t)(nl - data));

		n = hub_paths_parse_list(list, &paths, err, sizeof(err));
		free(list);
		if (n < 0)
			return 0;
		own = 1;
		if (n > HUB_JSON_MAX_PATHS) {   /* a usage error at start-up (64), by contract */
			hub_paths_free(paths, n);
			return 0;
		}
		text = (const char *)nl + 1;
		size -= (size_t)(nl + 1 - data);
	}
	/* the text alone in its own allocation, so a read past its end is seen */
	char *copy = malloc(size ? size : 1);
	memcpy(copy, text, size);
	text_at = copy;
	text_len = size;
	hub_json_set_paths(js, paths, n);
	hub_json_set_callback(js, on_match, NULL);
	if (hub_json_scan(js, copy, size, found, &top) == 0) {
		for (int i = 0; i < n; i++)
			check_span(&found[i], "found");
		hub_canon_value(canon, copy, size, &c1);
		if (hub_json_scan(plain, c1.data ? c1.data : "", c1.len, found, &top2) < 0)
			fuzz_fail("canonical form '%.*s' rejected: %s", (int)c1.len, c1.data, hub_json_error(plain));
		if (top2 != top)
			fuzz_fail("canonical form changed the type");
		hub_canon_value(canon, c1.data, c1.len, &c2);
		if (c1.len != c2.len || memcmp(c1.data, c2.data, c1.len) != 0)
			fuzz_fail("canonical form not stable: '%.*s' then '%.*s'", (int)c1.len, c1.data, (int)c2.len,
			          c2.data);
	} else if (!hub_json_error(js) || !*hub_json_error(js)) {
		fuzz_fail("rejected without a reason");
	}
	hub_json_set_paths(js, fixed, 0);
	hub_json_set_callback(js, NULL, NULL);
	if (own)
		hub_paths_free(paths, n);
	hub_buf_free(&c1);
	hub_buf_free(&c2);
	free(copy);
	return 0;
}
