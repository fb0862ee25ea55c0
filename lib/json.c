/* json.c: the streaming scanner behind every tool's hot path.
 *
 * yajl validates and tokenises; its callbacks run right after each token
 * is lexed, when yajl_get_bytes_consumed() is the offset just past the
 * token, which gives every value's raw span without re-reading the text.
 * Field paths are matched with bit masks per nesting level: bit i set
 * means "the path to here is a prefix of paths[i]", so each key costs a
 * few comparisons, not a walk of every path.
 *
 * The yajl handle is allocated once with yajl_allow_multiple_values, so
 * after a complete text it simply waits for the next one; a second value
 * on the same line is caught in the callbacks. A handle that saw an error
 * is replaced (errors are the rare path). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "diag.h"
#include "json.h"

struct frame {
	uint64_t mask;        /* paths that continue below this container */
	uint64_t match;       /* paths that end at this container */
	size_t start;         /* offset of '{' or '[' */
	long index;           /* next element index, arrays */
	int is_array;
	struct hub_span key;  /* member name of this container, if any */
};

struct hub_json {
	yajl_handle h;
	const struct hub_path *paths;
	int npaths;
	hub_json_match_fn fn;
	void *fnctx;

	/* per scan */
	const char *text;
	size_t len;
	struct hub_span *found;
	enum hub_json_type top;
	int depth;
	uint64_t cur;          /* paths matching the position of the next value */
	struct hub_span key;   /* raw member name of the next value (in an object) */
	int seen_top;
	char err[256];
	struct frame stack[HUB_JSON_MAX_DEPTH];
};

static const yajl_callbacks callbacks;

static void new_handle(struct hub_json *js)
{
	if (js->h)
		yajl_free(js->h);
	js->h = yajl_alloc(&callbacks, NULL, js);
	if (!js->h)
		hub_die(70, "out of memory (yajl)");
	yajl_config(js->h, yajl_allow_multiple_values, 1);
}

struct hub_json *hub_json_new(void)
{
	struct hub_json *js = hub_xcalloc(1, sizeof(*js));

	new_handle(js);
	return js;
}

void hub_json_free(struct hub_json *js)
{
	if (!js)
		return;
	if (js->h)
		yajl_free(js->h);
	free(js);
}

void hub_json_set_paths(struct hub_json *js, const struct hub_path *paths, int n)
{
	if (n > HUB_JSON_MAX_PATHS)
		hub_die(64, "too many field paths (%d, at most %d)", n, HUB_JSON_MAX_PATHS);
	js->paths = paths;
	js->npaths = n;
}

void hub_json_set_callback(struct hub_json *js, hub_json_match_fn fn, void *ctx)
{
	js->fn = fn;
	js->fnctx = ctx;
}

static size_t offset(struct hub_json *js)
{
	return yajl_get_bytes_consumed(js->h);
}

/* The paths in `mask` whose step at `level` is an array element `index`. */
static uint64_t match_index(struct hub_json *js, uint64_t mask, int level, long index)
{
	uint64_t out = 0;

	for (int i = 0; mask; i++, mask >>= 1) {
		const struct hub_step *st;

		if (!(mask & 1))
			continue;
		st = &js->paths[i].steps[level];
		if (st->kind == HUB_STEP_ANY || (st->kind == HUB_STEP_INDEX && st->index == index))
			out |= (uint64_t)1 << i;
	}
	return out;
}

/* Called before every value: works out which paths lead to it. */
static int enter_value(struct hub_json *js)
{
	if (js->depth == 0) {
		if (js->seen_top) {
			snprintf(js->err, sizeof(js->err), "more than one JSON value on the line");
			return 0;
		}
		js->seen_top = 1;
		js->cur = js->npaths >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << js->npaths) - 1);
		return 1;
	}
	struct frame *f = &js->stack[js->depth - 1];
	if (f->is_array) {
		js->cur = f->mask ? match_index(js, f->mask, js->depth - 1, f->index) : 0;
		js->key.type = HUB_JSON_NONE;
		f->index++;
	}
	return 1;
}

/* Reports a finished value at the current position. */
static int report(struct hub_json *js, uint64_t match, size_t start, size_t end,
                  enum hub_json_type type, const struct hub_span *key)
{
	struct hub_span v = { js->text + start, end - start, type };

	if (js->depth == 0)
		js->top = type;
	for (int i = 0; match; i++, match >>= 1) {
		if (!(match & 1))
			continue;
		if (js->found && js->found[i].type == HUB_JSON_NONE)
			js->found[i] = v;
		if (js->fn && js->fn(js->fnctx, i, key, &v)) {
			snprintf(js->err, sizeof(js->err), "field '%s': rejected", js->paths[i].text);
			return 0;
		}
	}
	return 1;
}

/* Paths in cur that end exactly at the current depth. */
static uint64_t ending_here(struct hub_json *js, uint64_t mask)
{
	uint64_t out = 0;

	for (int i = 0; mask; i++, mask >>= 1)
		if ((mask & 1) && js->paths[i].nsteps == js->depth)
			out |= (uint64_t)1 << i;
	return out;
}

static int scalar(struct hub_json *js, size_t start, enum hub_json_type type)
{
	uint64_t m;

	if (!enter_value(js))
		return 0;
	m = js->cur ? ending_here(js, js->cur) : 0;
	if (m || js->depth == 0)
		return report(js, m, start, offset(js), type, &js->key);
	return 1;
}

static int on_null(void *ctx)
{
	struct hub_json *js = ctx;

	return scalar(js, offset(js) - 4, HUB_JSON_NULL);
}

static int on_boolean(void *ctx, int b)
{
	struct hub_json *js = ctx;

	return scalar(js, offset(js) - (b ? 4 : 5), HUB_JSON_BOOL);
}

static int on_number(void *ctx, const char *s, size_t n)
{
	struct hub_json *js = ctx;

	return scalar(js, offset(js) - n, HUB_JSON_NUMBER);
}

/* Offset of the opening quote of the string literal that ends at `end`. */
static size_t string_start(struct hub_json *js, const unsigned char *s, size_t end)
{
	uintptr_t sp = (uintptr_t)s, tp = (uintptr_t)js->text;
	size_t start;

	if (sp > tp && sp <= tp + js->len)
		return (size_t)(sp - tp) - 1;   /* no escapes: s points into the text */
	/* escapes: walk back to the opening quote that is not escaped */
	start = end - 2;
	for (;;) {
		size_t bs = 0;

		while (js->text[start] != '"')
			start--;
		while (start > bs && js->text[start - 1 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			return start;
		start--;
	}
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
	struct hub_json *js = ctx;

	return scalar(js, string_start(js, s, offset(js)), HUB_JSON_STRING);
}

static int open_container(struct hub_json *js, int is_array)
{
	struct frame *f;

	if (!enter_value(js))
		return 0;
	if (js->depth >= HUB_JSON_MAX_DEPTH) {
		snprintf(js->err, sizeof(js->err), "nested deeper than %d levels", HUB_JSON_MAX_DEPTH);
		return 0;
	}
	f = &js->stack[js->depth];
	f->match = js->cur ? ending_here(js, js->cur) : 0;
	f->mask = js->cur & ~f->match;
	f->start = offset(js) - 1;
	f->index = 0;
	f->is_array = is_array;
	f->key = js->key;
	js->depth++;
	return 1;
}

static int close_container(struct hub_json *js, enum hub_json_type type)
{
	struct frame *f = &js->stack[--js->depth];

	if (f->match || js->depth == 0)
		return report(js, f->match, f->start, offset(js), type, &f->key);
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, 0);
}

static int on_end_map(void *ctx)
{
	return close_container(ctx, HUB_JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, 1);
}

static int on_end_array(void *ctx)
{
	return close_container(ctx, HUB_JSON_ARRAY);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t n)
{
	struct hub_json *js = ctx;
	struct frame *f = &js->stack[js->depth - 1];
	uint64_t mask = f->mask, out = 0;
	int level = js->depth - 1;

	for (int i = 0; mask; i++, mask >>= 1) {
		const struct hub_step *st;

		if (!(mask & 1))
			continue;
		st = &js->paths[i].steps[level];
		if (st->kind == HUB_STEP_ANYKEY ||
		    (st->kind == HUB_STEP_KEY && st->keylen == n && memcmp(st->key, key, n) == 0))
			out |= (uint64_t)1 << i;
	}
	js->cur = out;
	if (out) {
		size_t end = offset(js), start = string_start(js, key, end);

		js->key.p = js->text + start;
		js->key.len = end - start;
		js->key.type = HUB_JSON_STRING;
	} else {
		js->key.type = HUB_JSON_NONE;
	}
	return 1;
}

static const yajl_callbacks callbacks = {
	on_null, on_boolean, NULL, NULL, on_number, on_string,
	on_start_map, on_map_key, on_end_map, on_start_array, on_end_array,
};

int hub_json_scan(struct hub_json *js, const char *text, size_t len,
                  struct hub_span *found, enum hub_json_type *top)
{
	yajl_status st;

	js->text = text;
	js->len = len;
	js->found = found;
	js->top = HUB_JSON_NONE;
	js->depth = 0;
	js->cur = 0;
	js->seen_top = 0;
	js->key.type = HUB_JSON_NONE;
	js->err[0] = '\0';
	if (found)
		memset(found, 0, sizeof(*found) * js->npaths);

	st = yajl_parse(js->h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(js->h);
	if (st == yajl_status_ok && !js->seen_top) {
		snprintf(js->err, sizeof(js->err), "empty line, no JSON value");
		if (top)
			*top = HUB_JSON_NONE;
		return -1;
	}
	if (st != yajl_status_ok) {
		if (js->err[0] == '\0') {
			unsigned char *msg = yajl_get_error(js->h, 0, (const unsigned char *)text, len);
			size_t at = yajl_get_bytes_consumed(js->h);
			char *nl;

			if (msg && (nl = strchr((char *)msg, '\n')))
				*nl = '\0';
			if (st == yajl_status_ok || at > len || (msg && strstr((char *)msg, "premature EOF")))
				at = len;
			snprintf(js->err, sizeof(js->err), "invalid JSON at byte %zu: %s", at,
			         msg ? (char *)msg : "parse error");
			if (msg)
				yajl_free_error(js->h, msg);
		}
		new_handle(js);
		return -1;
	}
	if (top)
		*top = js->top;
	return 0;
}

const char *hub_json_error(const struct hub_json *js)
{
	return js->err;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long read_hex4(const char *p, const char *end)
{
	long v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static void add_utf8(struct hub_buf *out, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp; n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3f)); n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
	}
	hub_buf_add(out, u, n);
}

int hub_json_unescape(const char *lit, size_t len, struct hub_buf *out)
{
	const char *p, *end, *run;

	if (len < 2 || lit[0] != '"' || lit[len - 1] != '"')
		return -1;
	p = run = lit + 1;
	end = lit + len - 1;
	hub_buf_reserve(out, len);
	while (p < end) {
		if (*p != '\\') {
			p++;
			continue;
		}
		hub_buf_add(out, run, (size_t)(p - run));
		if (++p >= end)
			return -1;
		switch (*p) {
		case '"': hub_buf_addc(out, '"'); break;
		case '\\': hub_buf_addc(out, '\\'); break;
		case '/': hub_buf_addc(out, '/'); break;
		case 'b': hub_buf_addc(out, '\b'); break;
		case 'f': hub_buf_addc(out, '\f'); break;
		case 'n': hub_buf_addc(out, '\n'); break;
		case 'r': hub_buf_addc(out, '\r'); break;
		case 't': hub_buf_addc(out, '\t'); break;
		case 'u': {
			long cp = read_hex4(p + 1, end);

			if (cp < 0)
				return -1;
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && end - p > 6 && p[1] == '\\' && p[2] == 'u') {
				long lo = read_hex4(p + 3, end);

				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;    /* lone surrogate */
			add_utf8(out, (unsigned long)cp);
			break;
		}
		default:
			return -1;
		}
		p++;
		run = p;
	}
	hub_buf_add(out, run, (size_t)(p - run));
	return 0;
}

int hub_json_span_text(const struct hub_span *v, struct hub_buf *out)
{
	switch (v->type) {
	case HUB_JSON_STRING:
		return hub_json_unescape(v->p, v->len, out);
	case HUB_JSON_NUMBER:
	case HUB_JSON_BOOL:
	case HUB_JSON_NULL:
		hub_buf_add(out, v->p, v->len);
		return 0;
	default:
		return -1;
	}
}

const char *hub_json_type_name(enum hub_json_type t)
{
	static const char *names[] = { "absent", "an object", "an array", "a string", "a number", "a boolean", "null" };

	return names[t];
}
