/* json/scan.c: the scanner behind every tool's hot path.
 *
 * Why hand-written: yajl's streaming parser measured 1.5 s per million
 * realistic events (600 MB), and hub-produce needs about 0.3 s to stay
 * ahead of `kcat -P -l`, which does no JSON work at all. RFC 8259's
 * grammar is small, and JSONTestSuite checks this implementation of it.
 *
 * How it works: two scanners of one grammar, no recursion, no allocation
 * per scan once the buffers have grown to the longest line. The fast one
 * (below, "the fast scanner") takes the lines it can prove valid, nearly
 * all of them; the exact one decides every other line, and says why it is
 * wrong. In both, containers are pushed on a fixed stack of
 * HUB_JSON_MAX_DEPTH frames, so hostile nesting is an error, never a stack
 * overflow. The exact scanner skips strings, most of an event's bytes,
 * sixteen bytes at a time (SSE2) or eight (SWAR, elsewhere) up to a quote,
 * a backslash, a control byte or a non-ASCII byte, which is then checked
 * as UTF-8; numbers and strings are validated, never converted. Every
 * value is reported as a span of the caller's text.
 *
 * Field paths are matched with bit masks per nesting level: bit i set
 * means "the path to here is a prefix of paths[i]". A container whose mask
 * is 0 costs nothing beyond validation; a member name is compared with the
 * path steps of its level as raw bytes, or, when it holds an escape, after
 * decoding into a buffer the scanner keeps. Containers are reported when
 * they close, after their contents, as yajl's callbacks did; the callback
 * runs once the whole text has proved valid, over the queued matches. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/diag.h"
#include "json/scan.h"

struct frame {
	uint64_t mask;        /* paths that continue below this container */
	uint64_t match;       /* paths that end at this container */
	size_t start;         /* offset of '{' or '[' */
	long index;           /* next element index, arrays */
	int is_array;
	struct hub_span key;  /* member name of this container, if any */
};

/* The field paths, digested per nesting level when they are set, so a
 * match is a few mask operations and compares of the keys at that level. */
struct level {
	uint64_t ends;        /* paths with exactly this many steps */
	uint64_t anykey;      /* paths whose step here is '*' */
	uint64_t anyindex;    /* ... is "[*]" */
	uint64_t key;         /* ... is a member name */
	uint64_t index;       /* ... is an array index */
	uint64_t bucket[64];  /* ... is a member name of that name_bucket() */
};

/* A value at a path, held back until the whole text is known to be valid. */
struct match {
	int which;
	struct hub_span key;
	struct hub_span value;
};

struct hub_json {
	const struct hub_path *paths;
	int npaths;
	int nlevels;              /* levels[0..nlevels-1]: the longest path + 1 */
	struct level *levels;
	const struct hub_step **steps;  /* steps[level * npaths + i] */
	uint64_t *heads;          /* the first 8 bytes of those member names: name_head() */
	hub_json_match_fn fn;
	void *fnctx;
	struct hub_buf name;   /* a member name with escapes, decoded */
	unsigned char *copy;   /* the line for the fast scanner, then NULs */
	size_t copy_cap;
	uint64_t *quotes;      /* its string quotes, a word per 64 bytes */
	struct match *matches; /* for the callback; grows, never shrinks */
	size_t nmatches, matches_cap;

	/* per scan */
	const char *text;
	struct hub_span *found;
	enum hub_json_type top;
	char err[256];
	long err_at;              /* byte offset of the error, or -1 */
	struct frame stack[HUB_JSON_MAX_DEPTH];
};

struct hub_json *hub_json_new(void)
{
	return hub_xcalloc(1, sizeof(struct hub_json));
}

void hub_json_free(struct hub_json *js)
{
	if (!js)
		return;
	hub_buf_free(&js->name);
	free(js->copy);
	free(js->quotes);
	free(js->levels);
	free(js->steps);
	free(js->heads);
	free(js->matches);
	free(js);
}

/* Member names are sorted into 64 buckets by their length and first byte:
 * most names are rejected by that alone, before any byte is compared. */
static inline unsigned name_bucket(const unsigned char *name, size_t len)
{
	return ((unsigned)len * 8 + (len ? name[0] : 0)) & 63;
}

/* The first bytes of a member name (up to 8, the rest zero) as one word:
 * a name is compared with a path's step a word at a time. */
static inline uint64_t name_head(const char *name, size_t len)
{
	uint64_t w = 0;

	memcpy(&w, name, len < 8 ? len : 8);
	return w;
}

void hub_json_set_paths(struct hub_json *js, const struct hub_path *paths, int n)
{
	if (n > HUB_JSON_MAX_PATHS)
		hub_die(64, "too many field paths (%d, at most %d)", n, HUB_JSON_MAX_PATHS);
	js->paths = paths;
	js->npaths = n;
	js->nlevels = 1;
	for (int i = 0; i < n; i++)
		if (paths[i].nsteps >= js->nlevels)
			js->nlevels = paths[i].nsteps + 1;
	free(js->levels);
	free(js->steps);
	free(js->heads);
	js->levels = hub_xcalloc((size_t)js->nlevels, sizeof(*js->levels));
	js->steps = hub_xcalloc((size_t)js->nlevels * (size_t)(n ? n : 1), sizeof(*js->steps));
	js->heads = hub_xcalloc((size_t)js->nlevels * (size_t)(n ? n : 1), sizeof(*js->heads));
	for (int i = 0; i < n; i++) {
		js->levels[paths[i].nsteps].ends |= (uint64_t)1 << i;
		for (int l = 0; l < paths[i].nsteps; l++) {
			const struct hub_step *st = &paths[i].steps[l];
			struct level *lv = &js->levels[l];

			js->steps[l * n + i] = st;
			switch (st->kind) {
			case HUB_STEP_KEY:
				lv->key |= (uint64_t)1 << i;
				lv->bucket[name_bucket((const unsigned char *)st->key, st->keylen)] |= (uint64_t)1 << i;
				js->heads[l * n + i] = name_head(st->key, st->keylen);
				break;
			case HUB_STEP_INDEX: lv->index |= (uint64_t)1 << i; break;
			case HUB_STEP_ANY: lv->anyindex |= (uint64_t)1 << i; break;
			case HUB_STEP_ANYKEY: lv->anykey |= (uint64_t)1 << i; break;
			}
		}
	}
}

void hub_json_set_callback(struct hub_json *js, hub_json_match_fn fn, void *ctx)
{
	js->fn = fn;
	js->fnctx = ctx;
}

/* ---- errors ---- */

static int fail(struct hub_json *js, const unsigned char *at, const char *what)
{
	js->err_at = (long)(at - (const unsigned char *)js->text);
	snprintf(js->err, sizeof(js->err), "invalid JSON at byte %zu: %s",
	         (size_t)(at - (const unsigned char *)js->text), what);
	return -1;
}

/* An error at p, where the grammar wanted something else: the end of the
 * line and NUL bytes are named as such; `what` is NULL for "unexpected
 * character". */
static int syntax(struct hub_json *js, const unsigned char *p, const unsigned char *end,
                  const char *what)
{
	char buf[48];

	if (p == end)
		return fail(js, p, "unexpected end of line");
	if (*p == '\0')
		return fail(js, p, "NUL byte");
	if (what)
		return fail(js, p, what);
	if (*p > ' ' && *p < 0x7f)
		snprintf(buf, sizeof(buf), "unexpected character '%c'", *p);
	else
		snprintf(buf, sizeof(buf), "unexpected byte 0x%02x", *p);
	return fail(js, p, buf);
}

/* ---- lexing ---- */

static inline const unsigned char *skip_space(const unsigned char *p, const unsigned char *end)
{
	while (p < end && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

static inline int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* What a byte inside a string literal asks of the scanner. */
enum { PLAIN, QUOTE, BACKSLASH, CONTROL, NUL, MULTIBYTE };

static const unsigned char string_class[256] = {
	/* 0x00 */ NUL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL,
	/* 0x08 */ CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL,
	/* 0x10 */ CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL,
	/* 0x18 */ CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL, CONTROL,
	/* 0x20 */ PLAIN, PLAIN, QUOTE, PLAIN, PLAIN, PLAIN, PLAIN, PLAIN,
	/* 0x28..0x5b: PLAIN (0) */
	[0x5c] = BACKSLASH,
	/* 0x5d..0x7f: PLAIN */
#define MB8 MULTIBYTE, MULTIBYTE, MULTIBYTE, MULTIBYTE, MULTIBYTE, MULTIBYTE, MULTIBYTE, MULTIBYTE
	[0x80] = MB8, MB8, MB8, MB8, MB8, MB8, MB8, MB8,
	MB8, MB8, MB8, MB8, MB8, MB8, MB8, MB8,
#undef MB8
};

/* The escapes that stand for one character (\u is handled apart). */
static const unsigned char simple_escape[256] = {
	['"'] = 1, ['\\'] = 1, ['/'] = 1, ['b'] = 1, ['f'] = 1, ['n'] = 1, ['r'] = 1, ['t'] = 1,
};

static inline int is_hex(int c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* High bits mark the bytes of w that end a run of plain string bytes:
 * '"', '\\', anything below 0x20 or above 0x7f. A subtraction borrows only
 * from a marked byte, so it can only mark bytes after one: the lowest
 * mark is exact, and that is the only one used. */
static inline uint64_t special_bytes(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	return ((q - ONES) | (b - ONES) | (w - ONES * 0x20) | w) & HIGHS;
}

#if defined(__SSE2__)
/* The same marks for 16 bytes at once, one bit a byte, all exact. As
 * signed bytes, everything below 0x20 is a control byte or a byte from
 * 0x80 up, and flipping bit 1 turns '"' into 0x20 while it keeps 0x00-0x1f
 * among themselves: one compare finds three of the four kinds. SSE2 is
 * part of x86-64, so this needs no run-time check. */
static inline unsigned special_bytes16(const unsigned char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i low = _mm_cmplt_epi8(_mm_xor_si128(v, _mm_set1_epi8(0x02)), _mm_set1_epi8(0x21));

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
}
#endif

/* Scans the string literal whose opening quote is at p. Returns the
 * position just past the closing quote, or NULL with the error set.
 * *escaped becomes nonzero if the literal holds a backslash escape. */
static inline __attribute__((always_inline)) const unsigned char *
scan_string(struct hub_json *js, const unsigned char *p, const unsigned char *end, int *escaped)
{
	const unsigned char *open = p++;
	size_t n;

	for (;;) {
		unsigned c;

#if defined(__SSE2__)
		if (end - p >= 16) {
			unsigned mark = special_bytes16(p);

			if (!mark) {
				p += 16;
				continue;
			}
			p += __builtin_ctz(mark);
		} else
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (end - p >= 8) {
			uint64_t w, mark;

			memcpy(&w, p, 8);
			if (!(mark = special_bytes(w))) {
				p += 8;
				continue;
			}
			p += __builtin_ctzll(mark) >> 3;
		} else
#endif
		{
			while (p < end && string_class[*p] == PLAIN)
				p++;
			if (p == end)
				return fail(js, open, "unterminated string"), NULL;
		}
		c = *p;
		if (c == '"')
			return p + 1;
		switch (string_class[c]) {
		case BACKSLASH:
			*escaped = 1;
			if (end - p < 2)
				return fail(js, open, "unterminated string"), NULL;
			if (simple_escape[p[1]]) {
				p += 2;
			} else if (p[1] == 'u' && end - p >= 6 && is_hex(p[2]) && is_hex(p[3]) &&
			           is_hex(p[4]) && is_hex(p[5])) {
				p += 6;   /* lone surrogates are let through, like most parsers */
			} else {
				return fail(js, p, "invalid escape"), NULL;
			}
			break;
		case MULTIBYTE:
			if (!(n = hub_utf8_seq(p, (size_t)(end - p))))
				return fail(js, p, "invalid UTF-8"), NULL;
			p += n;
			break;
		case NUL:
			return fail(js, p, "NUL byte"), NULL;
		default:
			return fail(js, p, "control character in string"), NULL;
		}
	}
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? starting at p, followed
 * by something that cannot continue a number. */
static inline const unsigned char *scan_number(struct hub_json *js, const unsigned char *p,
                                               const unsigned char *end)
{
	const unsigned char *start = p;

	if (*p == '-')
		p++;
	if (p == end)
		goto bad;
	if (*p == '0')
		p++;
	else if (is_digit(*p))
		while (++p < end && is_digit(*p))
			;
	else
		goto bad;
	if (p < end && *p == '.') {
		if (++p == end || !is_digit(*p))
			goto bad;
		while (++p < end && is_digit(*p))
			;
	}
	if (p < end && (*p | 0x20) == 'e') {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			goto bad;
		while (++p < end && is_digit(*p))
			;
	}
	if (p < end && (is_digit(*p) || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
	                *p == '.' || *p == '+' || *p == '-'))
		goto bad;
	return p;
bad:
	fail(js, start, "invalid number");
	return NULL;
}

/* true, false or null at p (the first letter is already known). */
static inline const unsigned char *scan_word(struct hub_json *js, const unsigned char *p,
                                             const unsigned char *end, const char *word, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (p + i == end || p[i] != (unsigned char)word[i]) {
			syntax(js, p + i, end, NULL);
			return NULL;
		}
	p += n;
	if (p < end && (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || is_digit(*p))) {
		syntax(js, p, end, NULL);
		return NULL;
	}
	return p;
}

/* ---- field paths ---- */

#define BIT(i) ((uint64_t)1 << (i))

/* The paths in mask that end at nesting level `level` (mask only holds
 * paths at least that long). */
static inline uint64_t ending_at(const struct hub_json *js, uint64_t mask, int level)
{
	return mask & js->levels[level].ends;
}

/* The paths in mask whose step at `level` is array element `index`. */
static uint64_t match_index(const struct hub_json *js, uint64_t mask, int level, long index)
{
	const struct level *lv = &js->levels[level];
	uint64_t out = mask & lv->anyindex;

	for (mask &= lv->index; mask; mask &= mask - 1) {
		int i = __builtin_ctzll(mask);

		if (js->steps[level * js->npaths + i]->index == index)
			out |= BIT(i);
	}
	return out;
}

/* The paths in cand whose step at `level` is the member name of len
 * bytes at name. When padded, 8 bytes may be read at name whatever len. */
static inline __attribute__((always_inline)) uint64_t
match_names(const struct hub_json *js, uint64_t cand, int level, const char *name, size_t len,
            int padded)
{
	uint64_t out = 0, head;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (padded) {
		memcpy(&head, name, 8);
		if (len < 8)
			head &= ((uint64_t)1 << (8 * len)) - 1;
	} else
#endif
		head = name_head(name, len);
	for (; cand; cand &= cand - 1) {
		int i = __builtin_ctzll(cand);
		const struct hub_step *st = js->steps[level * js->npaths + i];

		if (st->keylen == len && js->heads[level * js->npaths + i] == head &&
		    (len <= 8 || memcmp(st->key + 8, name + 8, len - 8) == 0))
			out |= BIT(i);
	}
	return out;
}

/* The paths in mask whose step at `level` is the member name lit (a
 * string literal of n bytes, quotes included; padded as above). */
static uint64_t match_escaped(struct hub_json *js, uint64_t cand, int level,
                              const unsigned char *lit, size_t n)
{
	hub_buf_reset(&js->name);
	hub_json_unescape((const char *)lit, n, &js->name);
	return match_names(js, cand, level, js->name.data, js->name.len, 0);
}

static inline __attribute__((always_inline)) uint64_t
match_key(struct hub_json *js, uint64_t mask, int level, const unsigned char *lit, size_t n,
          int escaped, int padded)
{
	const struct level *lv = &js->levels[level];
	uint64_t out = mask & lv->anykey, cand;

	if (!escaped) {
		cand = mask & lv->bucket[name_bucket(lit + 1, n - 2)];
		return cand ? out | match_names(js, cand, level, (const char *)lit + 1, n - 2, padded) : out;
	}
	cand = mask & lv->key;
	return cand ? out | match_escaped(js, cand, level, lit, n) : out;
}

/* A finished value at every path in match: the first one per path goes
 * to found[], and all of them are queued for the callback. */
/* Queues a match for the callback. */
static void queue(struct hub_json *js, int which, const struct hub_span *key,
                  const struct hub_span *value)
{
	struct match *m;

	if (js->nmatches == js->matches_cap) {
		js->matches_cap = js->matches_cap ? 2 * js->matches_cap : 64;
		js->matches = hub_xrealloc(js->matches, js->matches_cap * sizeof(*js->matches));
	}
	m = &js->matches[js->nmatches++];
	m->which = which;
	m->key = *key;
	m->value = *value;
}

static inline void report(struct hub_json *js, uint64_t match, size_t start, size_t end,
                          enum hub_json_type type, const struct hub_span *key)
{
	struct hub_span v = { js->text + start, end - start, type };

	for (; match; match &= match - 1) {
		int i = __builtin_ctzll(match);

		if (js->found && js->found[i].type == HUB_JSON_NONE)
			js->found[i] = v;
		if (js->fn)
			queue(js, i, key, &v);
	}
}

/* Runs the callback over the queued matches, in document order, once the
 * text is valid: a callback never sees part of a line that is then
 * rejected. Returns 0, or -1 when the callback refused a value. */
static int deliver(struct hub_json *js)
{
	for (size_t k = 0; k < js->nmatches; k++) {
		const struct match *m = &js->matches[k];

		if (js->fn(js->fnctx, m->which, &m->key, &m->value)) {
			snprintf(js->err, sizeof(js->err), "field '%s': rejected", js->paths[m->which].text);
			return -1;
		}
	}
	return 0;
}

/* ---- the scanner ---- */

/* Could a value start with c? Tells a second value from trailing junk. */
static int starts_value(int c)
{
	return c == '{' || c == '[' || c == '"' || c == '-' || is_digit(c) ||
	       c == 't' || c == 'f' || c == 'n';
}

/* The exact scanner: every check against the end of the text, and an error
 * message with its offset for every way a line can be wrong. It decides
 * every line the fast scanner below does not accept. */
static int scan_exact(struct hub_json *js, const char *text, size_t len,
                      struct hub_span *found, enum hub_json_type *top)
{
	const unsigned char *base = (const unsigned char *)text, *end = base + len, *p, *s;
	struct frame *f = NULL;
	struct hub_span key = { NULL, 0, HUB_JSON_NONE };
	enum hub_json_type type;
	uint64_t cur, m;
	int depth = 0, escaped;

	js->text = text;
	js->found = found;
	js->top = HUB_JSON_NONE;
	js->nmatches = 0;
	js->err[0] = '\0';
	js->err_at = -1;
	if (found)
		memset(found, 0, sizeof(*found) * js->npaths);

	p = skip_space(base, end);
	if (p == end) {
		snprintf(js->err, sizeof(js->err), "empty line, no JSON value");
		if (top)
			*top = HUB_JSON_NONE;
		return -1;
	}
	cur = js->npaths >= 64 ? ~(uint64_t)0 : BIT(js->npaths) - 1;

	/* Every value starts here, p on its first byte, cur and key saying
	 * which paths lead to it and under what member name. */
value:
	if (p == end)
		return syntax(js, p, end, NULL);
	s = p;
	if (*p == '"') {
		escaped = 0;
		if (!(p = scan_string(js, p, end, &escaped)))
			return -1;
		type = HUB_JSON_STRING;
		goto scalar;
	}
	switch (*p) {
	case '{':
	case '[':
		if (depth >= HUB_JSON_MAX_DEPTH) {
			snprintf(js->err, sizeof(js->err), "nested deeper than %d levels", HUB_JSON_MAX_DEPTH);
			return -1;
		}
		f = &js->stack[depth++];
		f->start = (size_t)(p - base);
		f->is_array = *p == '[';
		if (cur) {
			f->match = ending_at(js, cur, depth - 1);
			f->mask = cur & ~f->match;
			f->key = key;
		} else {
			f->match = f->mask = 0;
		}
		p = skip_space(p + 1, end);
		if (f->is_array) {
			if (p < end && *p == ']') {
				p++;
				goto close;
			}
			cur = f->mask ? match_index(js, f->mask, depth - 1, 0) : 0;
			f->index = 1;
			key.type = HUB_JSON_NONE;
			goto value;
		}
		if (p < end && *p == '}') {
			p++;
			goto close;
		}
		goto member;
	case 't':
		if (!(p = scan_word(js, p, end, "true", 4)))
			return -1;
		type = HUB_JSON_BOOL;
		break;
	case 'f':
		if (!(p = scan_word(js, p, end, "false", 5)))
			return -1;
		type = HUB_JSON_BOOL;
		break;
	case 'n':
		if (!(p = scan_word(js, p, end, "null", 4)))
			return -1;
		type = HUB_JSON_NULL;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (!(p = scan_number(js, p, end)))
			return -1;
		type = HUB_JSON_NUMBER;
		break;
	default:
		return syntax(js, p, end, NULL);
	}
scalar:
	/* a string, number or literal: s..p */
	if (cur && (m = ending_at(js, cur, depth)))
		report(js, m, (size_t)(s - base), (size_t)(p - base), type, &key);
	if (depth == 0) {
		js->top = type;
		goto done;
	}
	goto next;

close:
	f = &js->stack[--depth];
	type = f->is_array ? HUB_JSON_ARRAY : HUB_JSON_OBJECT;
	if (f->match)
		report(js, f->match, f->start, (size_t)(p - base), type, &f->key);
	if (depth == 0) {
		js->top = type;
		goto done;
	}
	f = &js->stack[depth - 1];

	/* After a value: a separator or the end of its container f. (f is
	 * the innermost open container all along; only a close changes it.) */
next:
	if (p < end && *p <= ' ')
		p = skip_space(p, end);
	if (p < end && *p == ',') {
		p++;
		if (p < end && *p <= ' ')
			p = skip_space(p, end);
		if (!f->is_array)
			goto member;
		cur = f->mask ? match_index(js, f->mask, depth - 1, f->index) : 0;
		f->index++;
		key.type = HUB_JSON_NONE;
		goto value;
	}
	if (p < end && *p == (f->is_array ? ']' : '}')) {
		p++;
		goto close;
	}
	return syntax(js, p, end, f->is_array ? "expected ',' or ']'" : "expected ',' or '}'");

	/* A member of the object f: "name" : value */
member:
	if (p == end || *p != '"')
		return syntax(js, p, end, "expected a string as object key");
	s = p;
	escaped = 0;
	if (!(p = scan_string(js, p, end, &escaped)))
		return -1;
	if (f->mask && (cur = match_key(js, f->mask, depth - 1, s, (size_t)(p - s), escaped, 0))) {
		key.p = (const char *)s;
		key.len = (size_t)(p - s);
		key.type = HUB_JSON_STRING;
	} else {
		cur = 0;
	}
	if (p < end && *p == ':') {
		p++;
	} else {
		p = skip_space(p, end);
		if (p == end || *p != ':')
			return syntax(js, p, end, "expected ':' after object key");
		p++;
	}
	if (p < end && *p <= ' ')
		p = skip_space(p, end);
	goto value;

done:
	p = skip_space(p, end);
	if (p < end) {
		if (*p != '\0' && starts_value(*p)) {
			snprintf(js->err, sizeof(js->err), "more than one JSON value on the line");
			return -1;
		}
		return syntax(js, p, end, "trailing characters after the JSON value");
	}
	if (js->nmatches && deliver(js) < 0)
		return -1;
	if (top)
		*top = js->top;
	return 0;
}

/* ---- the fast scanner ----
 *
 * Most lines are valid, and for them the exact scanner's care is wasted.
 * Worse, it walks a chain: where a string ends is known only once its
 * bytes are loaded and compared, and where the next value starts only
 * then, so the processor cannot run ahead (a walk from quote to quote
 * alone is no faster than the exact scanner). The fast scanner makes two
 * passes over a copy of the line followed by NUL bytes:
 *
 * 1. classify() looks at 64 bytes at a time (four SSE2 loads; a plain loop
 *    elsewhere) and keeps a bit for each quote that opens or closes a
 *    string; whether a byte is in a string is the parity of the quotes
 *    before it (a prefix XOR, the idea of simdjson's first stage). The same
 *    pass checks every byte in a string: no control byte, valid escapes,
 *    valid UTF-8. Blocks of plain ASCII without escapes cost a few
 *    operations each; the others are gone through bit by bit.
 * 2. scan_container() follows the grammar over the bytes between strings
 *    and takes a string's end from the next quote bit: a few register
 *    operations, none of which waits for the string's bytes.
 *
 * A NUL is wrong wherever it appears in JSON, so it stops every loop
 * without a check of the end of the line. The fast scanner only accepts:
 * at anything it does not like, whether the line is wrong or merely
 * unusual (a scalar alone, over FAST_MAX bytes, 512 levels deep), it gives
 * up and the exact scanner decides the line from the start, with its own
 * error message. So the errors are the exact scanner's by construction,
 * and what the fast scanner accepts it must accept exactly as the exact
 * one would, with the same spans and matches (tests/data/scan.test;
 * bench/scan compares the two on generated events). */

/* The copy has at least this many NUL bytes after the line, and whole
 * 64-byte blocks: room for the few bytes read past a position. */
#define PAD 64
/* Longer lines go to the exact scanner: the copy stays bounded. */
#define FAST_MAX (256u << 10)

static inline int is_space(unsigned c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

#define SKIP_SPACE(p) do { while (is_space(*(p))) (p)++; } while (0)

/* The length of the UTF-8 sequence at p, in the padded copy, or 0 if it is
 * not one: RFC 3629, no overlong forms, no surrogates (hub_utf8_seq()'s
 * rules, written here so the loop over strings calls no function, which
 * would cost it the SSE registers that hold its constants). */
static inline unsigned fast_utf8(const unsigned char *p)
{
	unsigned c = p[0], c1 = p[1];

	if (c >= 0xc2 && c <= 0xdf)
		return (c1 & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((c1 & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((c1 & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80 ||
		    (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

#define unlikely(x) __builtin_expect(!!(x), 0)

#define likely(x) __builtin_expect(!!(x), 1)

/* Bit i set when byte i is in a string, from an opening quote up to the
 * closing one: each quote flips the bits from itself up. */
static inline uint64_t prefix_xor(uint64_t q)
{
	q ^= q << 1;
	q ^= q << 2;
	q ^= q << 4;
	q ^= q << 8;
	q ^= q << 16;
	q ^= q << 32;
	return q;
}

/* One bit a byte of the 64 at p: its quotes, and the bytes that end a run
 * of plain string bytes (quotes, backslashes, control bytes, 0x80 up). */
static inline void block_masks(const unsigned char *p, uint64_t *quote, uint64_t *special)
{
#if defined(__SSE2__)
	const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	const __m128i flip = _mm_set1_epi8(0x02), below = _mm_set1_epi8(0x21);
	uint64_t q[4], sp[4];

	/* written out four times: the compiler would keep a loop */
#define MASKS16(i) do { \
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * (i))); \
		q[i] = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, dq)); \
		sp[i] = (unsigned)_mm_movemask_epi8(_mm_or_si128( \
		        _mm_cmplt_epi8(_mm_xor_si128(v, flip), below), _mm_cmpeq_epi8(v, bs))); \
	} while (0)
	MASKS16(0);
	MASKS16(1);
	MASKS16(2);
	MASKS16(3);
#undef MASKS16
	*quote = q[0] | q[1] << 16 | q[2] << 32 | q[3] << 48;
	*special = sp[0] | sp[1] << 16 | sp[2] << 32 | sp[3] << 48;
#else
	uint64_t q = 0, sp = 0;

	for (int i = 0; i < 64; i++) {
		if (p[i] == '"')
			q |= (uint64_t)1 << i;
		if (string_class[p[i]] != PLAIN)
			sp |= (uint64_t)1 << i;
	}
	*quote = q;
	*special = sp;
#endif
}

/* What classify() carries from one block to the next. */
struct carry {
	uint64_t in_string;     /* all ones while a string runs on */
	uint64_t escaped;       /* 1 when the block's first byte is escaped */
	size_t utf8_next;       /* where the next UTF-8 sequence may start */
	int backslash;          /* a backslash was seen */
};

/* A block with something in it besides quotes, bit by bit: escapes, then
 * what is in a string and what is not, then UTF-8. Returns the block's
 * string quotes in *quote, and 0, or 1 to give up. */
static __attribute__((noinline)) int
classify_slow(const unsigned char *p, size_t at, uint64_t *quote, uint64_t special, struct carry *c)
{
	uint64_t q = *quote, esc = c->escaped, bs = 0, ctrl = 0, hi = 0, inside;

	for (uint64_t r = special & ~q; r; r &= r - 1) {
		int i = __builtin_ctzll(r);

		if (p[i] == '\\')
			bs |= (uint64_t)1 << i;
		else if (p[i] >= 0x80)
			hi |= (uint64_t)1 << i;
		else
			ctrl |= (uint64_t)1 << i;
	}
	c->escaped = 0;
	if (bs | esc) {
		/* a backslash not itself escaped escapes the byte after it,
		 * which must make a valid escape */
		uint64_t open = bs & ~esc;

		c->backslash = 1;
		while (open) {
			int i = __builtin_ctzll(open);

			if (i == 63) {
				c->escaped = 1;
				break;
			}
			esc |= (uint64_t)2 << i;
			open &= ~((uint64_t)3 << i);
		}
		for (uint64_t e = esc; e; e &= e - 1) {
			const unsigned char *x = p + __builtin_ctzll(e);

			if (!simple_escape[*x] &&
			    !(*x == 'u' && is_hex(x[1]) && is_hex(x[2]) && is_hex(x[3]) && is_hex(x[4])))
				return 1;
		}
		q &= ~esc;
	}
	inside = prefix_xor(q) ^ c->in_string;
	c->in_string = (uint64_t)((int64_t)inside >> 63);
	*quote = q;
	if ((ctrl & inside) | ((bs | esc | hi) & ~inside))
		return 1;
	/* UTF-8, sequence by sequence; one may run on into the next block */
	if (c->utf8_next > at)
		hi &= ~(((uint64_t)1 << (c->utf8_next - at)) - 1);
	while (hi) {
		int i = __builtin_ctzll(hi);
		unsigned n = fast_utf8(p + i);

		if (!n)
			return 1;
		if (i + n >= 64) {
			c->utf8_next = at + i + n;
			break;
		}
		hi &= ~(((uint64_t)1 << (i + n)) - 1);
	}
	return 0;
}

/* Pass 1 over the padded copy b of a line of len bytes: js->quotes gets a
 * word a block, the bits of the quotes that open and close strings, then
 * a word whose bit 0 stands past the end, so a search for the next quote
 * always ends. Returns 0, or 1 to give up: a control byte, a bad escape or
 * bad UTF-8 in a string, a backslash or a byte from 0x80 up outside one,
 * a string still open at the end. *escapes: a string holds an escape. */
static int classify(struct hub_json *js, const unsigned char *b, size_t len, int *escapes)
{
	size_t nblocks = (len + 63) / 64;
	uint64_t *quotes = js->quotes;
	struct carry c = { 0, 0, 0, 0 };

	for (size_t k = 0; k < nblocks; k++) {
		uint64_t q, special;

		block_masks(b + 64 * k, &q, &special);
		if (len - 64 * k < 64)
			special &= ((uint64_t)1 << (len - 64 * k)) - 1;   /* the NULs after the line */
		if (likely(!((special & ~q) | c.escaped))) {
			c.in_string = (uint64_t)((int64_t)(prefix_xor(q) ^ c.in_string) >> 63);
		} else if (classify_slow(b + 64 * k, 64 * k, &q, special, &c)) {
			return 1;
		}
		quotes[k] = q;
	}
	if (c.in_string)
		return 1;
	quotes[nblocks] = 1;
	*escapes = c.backslash;
	return 0;
}

/* Pass 2 takes the quote bits in order: a string's opening quote, then its
 * closing one. */
struct cursor {
	const uint64_t *quotes;
	size_t block;
	uint64_t bits;          /* of quotes[block], those not yet taken */
};

#define NEXT_QUOTE(at) do { \
		while (!qbits) { \
			qbits = quotes[++qblock]; \
			qbase += 64; \
		} \
		(at) = qbase + __builtin_ctzll(qbits); \
		qbits &= qbits - 1; \
	} while (0)

/* The string at p (its opening quote): p moves past its closing quote. */
#define SKIP_STRING(p) do { \
		const unsigned char *open_, *close_; \
		NEXT_QUOTE(open_); \
		if (unlikely(open_ != (p))) \
			return NULL; \
		NEXT_QUOTE(close_); \
		if (unlikely(close_ >= end)) \
			return NULL; \
		(p) = close_ + 1; \
	} while (0)

/* A number at p, in the padded copy: its end, or NULL to give up. What may
 * follow it is the grammar's business: only ',', ']', '}', white space or
 * the end of the line get past it. */
static inline const unsigned char *fast_number(const unsigned char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (is_digit(*p))
		while (is_digit(*++p))
			;
	else
		return NULL;
	if (*p == '.') {
		if (!is_digit(*++p))
			return NULL;
		while (is_digit(*++p))
			;
	}
	if ((*p | 0x20) == 'e') {
		if (*++p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return NULL;
		while (is_digit(*++p))
			;
	}
	return p;
}

static inline uint32_t load32(const unsigned char *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}

static inline uint16_t load16(const unsigned char *p)
{
	uint16_t w;

	memcpy(&w, p, 2);
	return w;
}

static const unsigned char *skip_container(struct hub_json *js, const unsigned char *b,
                                          const unsigned char *end, const unsigned char *p,
                                          int depth, struct cursor *qc);

/* The object or array at p in the padded copy b, inside `depth` open
 * containers: the position just past it when it is valid, with found[]
 * and the queued matches filled in as the exact scanner would, or NULL
 * when the exact scanner must decide. The grammar is the exact scanner's,
 * laid out for the common case: what follows a value is looked for in an
 * object's code or an array's, a member's string value is taken on the
 * spot. It is compiled twice: with the field paths, and without them, for
 * lines scanned without paths and for the containers that no path enters
 * (skip_container()), which are then only validated. */
static inline __attribute__((always_inline)) const unsigned char *
scan_container(struct hub_json *js, const unsigned char *b, const unsigned char *end,
               const unsigned char *p, int depth, struct cursor *qc, int escapes, const int paths)
{
	const int outer = depth;
	const uint64_t *quotes = qc->quotes;
	size_t qblock = qc->block;
	uint64_t qbits = qc->bits;
	const unsigned char *qbase = b + 64 * qblock, *s;
	struct frame *f = NULL;
	struct hub_span key = { NULL, 0, HUB_JSON_NONE };
	enum hub_json_type type;
	uint64_t cur, m;
	uint32_t w_true, w_alse, w_null;
	uint16_t w_comma_quote, w_colon_quote;

	memcpy(&w_true, "true", 4);
	memcpy(&w_alse, "alse", 4);
	memcpy(&w_null, "null", 4);
	memcpy(&w_comma_quote, ",\"", 2);
	memcpy(&w_colon_quote, ":\"", 2);
	cur = !paths ? 0 : js->npaths >= 64 ? ~(uint64_t)0 : BIT(js->npaths) - 1;
	s = p;
	goto container;

	/* A value in the container f, p on its first byte, cur and key
	 * saying which paths lead to it and under what member name. */
value:
	s = p;
	switch (*p) {
	case '"':
		SKIP_STRING(p);
		type = HUB_JSON_STRING;
		break;
	case '{':
	case '[':
	container:
		if (paths && !cur && depth > outer) {
			/* no path goes in: validate it, the quicker way */
			qc->block = qblock;
			qc->bits = qbits;
			if (!(p = skip_container(js, b, end, p, depth, qc)))
				return NULL;
			qblock = qc->block;
			qbits = qc->bits;
			qbase = b + 64 * qblock;
			type = *s == '[' ? HUB_JSON_ARRAY : HUB_JSON_OBJECT;
			break;
		}
		if (depth >= HUB_JSON_MAX_DEPTH)
			return NULL;
		f = &js->stack[depth++];
		f->is_array = *p == '[';
		if (paths) {
			f->start = (size_t)(p - b);
			if (cur) {
				f->match = ending_at(js, cur, depth - 1);
				f->mask = cur & ~f->match;
				f->key = key;
			} else {
				f->match = f->mask = 0;
			}
		}
		if (*p++ == '[') {
			if (*p <= ' ')
				SKIP_SPACE(p);
			if (*p == ']') {
				p++;
				goto close;
			}
			if (paths) {
				cur = f->mask ? match_index(js, f->mask, depth - 1, 0) : 0;
				f->index = 1;
				key.type = HUB_JSON_NONE;
			}
			goto value;
		}
		if (*p <= ' ')
			SKIP_SPACE(p);
		if (*p == '}') {
			p++;
			goto close;
		}
		goto member;
	case 't':
		if (load32(p) != w_true)
			return NULL;
		p += 4;
		type = HUB_JSON_BOOL;
		break;
	case 'f':
		if (load32(p + 1) != w_alse)
			return NULL;
		p += 5;
		type = HUB_JSON_BOOL;
		break;
	case 'n':
		if (load32(p) != w_null)
			return NULL;
		p += 4;
		type = HUB_JSON_NULL;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (!(p = fast_number(p)))
			return NULL;
		type = HUB_JSON_NUMBER;
		break;
	default:
		return NULL;
	}
	/* a string, number or literal: s..p */
	if (paths && cur && (m = ending_at(js, cur, depth)))
		report(js, m, (size_t)(s - b), (size_t)(p - b), type, &key);
	if (f->is_array)
		goto array_next;

	/* After a member's value: ',' and the next member, or '}'. */
object_next:
	if (load16(p) == w_comma_quote) {
		p++;
		goto member_name;
	}
	if (*p <= ' ')
		SKIP_SPACE(p);
	if (*p == ',') {
		p++;
		if (*p <= ' ')
			SKIP_SPACE(p);
		goto member;
	}
	if (*p == '}') {
		p++;
		goto close;
	}
	return NULL;

	/* After an element: ',' and the next element, or ']'. */
array_next:
	if (*p <= ' ')
		SKIP_SPACE(p);
	if (*p == ',') {
		p++;
		if (*p <= ' ')
			SKIP_SPACE(p);
		if (paths) {
			cur = f->mask ? match_index(js, f->mask, depth - 1, f->index) : 0;
			f->index++;
			key.type = HUB_JSON_NONE;
		}
		goto value;
	}
	if (*p == ']') {
		p++;
		goto close;
	}
	return NULL;

close:
	f = &js->stack[--depth];
	type = f->is_array ? HUB_JSON_ARRAY : HUB_JSON_OBJECT;
	if (paths && f->match)
		report(js, f->match, f->start, (size_t)(p - b), type, &f->key);
	if (depth == outer) {
		qc->block = qblock;
		qc->bits = qbits;
		return p;
	}
	f = &js->stack[depth - 1];
	if (f->is_array)
		goto array_next;
	goto object_next;

	/* A member of the object f: "name" : value */
member:
	if (*p != '"')
		return NULL;
member_name:
	s = p;
	SKIP_STRING(p);
	if (paths && f->mask &&
	    (cur = match_key(js, f->mask, depth - 1, s, (size_t)(p - s),
	                     escapes && memchr(s, '\\', (size_t)(p - s)), 1))) {
		key.p = js->text + (s - b);
		key.len = (size_t)(p - s);
		key.type = HUB_JSON_STRING;
	} else {
		cur = 0;
	}
	if (load16(p) == w_colon_quote) {
		p++;
	} else {
		SKIP_SPACE(p);
		if (*p != ':')
			return NULL;
		p++;
		SKIP_SPACE(p);
		if (*p != '"')
			goto value;
	}
	/* most values are strings */
	s = p;
	SKIP_STRING(p);
	if (paths && cur && (m = ending_at(js, cur, depth)))
		report(js, m, (size_t)(s - b), (size_t)(p - b), HUB_JSON_STRING, &key);
	goto object_next;

}

static const unsigned char *skip_container(struct hub_json *js, const unsigned char *b,
                                          const unsigned char *end, const unsigned char *p,
                                          int depth, struct cursor *qc)
{
	return scan_container(js, b, end, p, depth, qc, 0, 0);
}

/* 0 when the line b[0..len) (padded), an object or an array, is valid,
 * with found[], the queued matches and js->top filled in as the exact
 * scanner would; 1 when the exact scanner must decide. */
static int scan_fast(struct hub_json *js, const unsigned char *b, size_t len)
{
	const unsigned char *p = b, *end = b + len;
	struct cursor qc;
	int escapes;

	SKIP_SPACE(p);
	if (*p != '{' && *p != '[')
		return 1;
	if (classify(js, b, len, &escapes))
		return 1;
	qc.quotes = js->quotes;
	qc.block = 0;
	qc.bits = js->quotes[0];
	js->top = *p == '[' ? HUB_JSON_ARRAY : HUB_JSON_OBJECT;
	p = js->npaths ? scan_container(js, b, end, p, 0, &qc, escapes, 1)
	               : skip_container(js, b, end, p, 0, &qc);
	if (!p)
		return 1;
	SKIP_SPACE(p);
	return p == b + len ? 0 : 1;
}

int hub_json_scan(struct hub_json *js, const char *text, size_t len,
                  struct hub_span *found, enum hub_json_type *top)
{
	const unsigned char *first = (const unsigned char *)text, *end = first + len;
	size_t size = (len + 63) / 64 * 64 + PAD;

	while (first < end && is_space(*first))
		first++;
	/* a scalar alone (as tools scan a value they took from a line), an
	 * empty line, a line too long: no copy */
	if (len > FAST_MAX || first == end || (*first != '{' && *first != '['))
		return scan_exact(js, text, len, found, top);
	if (js->copy_cap < size) {
		js->copy_cap = size > 4096 ? size : 4096;
		free(js->copy);
		free(js->quotes);
		js->copy = hub_xmalloc(js->copy_cap);
		js->quotes = hub_xmalloc((js->copy_cap / 64 + 1) * sizeof(*js->quotes));
	}
	memcpy(js->copy, text, len);
	memset(js->copy + len, 0, size - len);
	js->text = text;
	js->found = found;
	js->top = HUB_JSON_NONE;
	js->nmatches = 0;
	js->err[0] = '\0';
	if (found)
		memset(found, 0, sizeof(*found) * js->npaths);
	if (scan_fast(js, js->copy, len) != 0)
		return scan_exact(js, text, len, found, top);
	if (js->nmatches && deliver(js) < 0)
		return -1;
	if (top)
		*top = js->top;
	return 0;
}

const char *hub_json_error(const struct hub_json *js)
{
	return js->err;
}

long hub_json_error_offset(const struct hub_json *js)
{
	return js->err[0] ? js->err_at : -1;
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
