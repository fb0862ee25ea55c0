/* privacy/tokenize.c: rewriting each event's sensitive fields (see privacy/tokenize.h).
 *
 * Per line: scan (spans of the fields, the market and the type), pick the
 * rule set, keep the outermost of nested matches, compute every
 * replacement into one buffer, then either write the line (the bytes
 * between fields copied, replacements in their place) or, when a field
 * could not be handled, store a safe copy in the failure store. The loop
 * is hub_filter_run() (stream/filter.c). Buffers are kept from line to line: no
 * allocation per event once warm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/diag.h"
#include "stream/filter.h"
#include "json/scan.h"
#include "stream/ndjson.h"
#include "core/signals.h"
#include "privacy/token-internal.h"
#include "privacy/tokenize.h"

struct field {
	int which;                  /* path index */
	struct hub_span value;
	const struct hub_rule *rule;
	size_t off, len;            /* replacement in t->repl */
	int failed;                 /* why it failed: in t->why */
};

struct tokenizer {
	const struct hub_tokenize_opts *o;
	const struct hub_key *newest;
	struct hub_json *js;
	struct hub_span found[HUB_JSON_MAX_PATHS];
	struct field *fields;
	size_t nfields, cap;
	struct hub_buf repl, scratch, text, line, why, extra;
	uint64_t changed;           /* fields replaced in events written, for --stats */
	uint64_t changing;          /* ... in the current event */
	char stats[64];             /* the --stats extra members */
};

/* Decrypted values do not linger in a work buffer. */
static void wipe(struct hub_buf *b)
{
	if (b->len)
		sodium_memzero(b->data, b->len);
	hub_buf_reset(b);
}

static int on_match(void *ctx, int which, const struct hub_span *key, const struct hub_span *value)
{
	struct tokenizer *t = ctx;

	if (t->nfields == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->fields = hub_xrealloc(t->fields, t->cap * sizeof(*t->fields));
	}
	t->fields[t->nfields].which = which;
	t->fields[t->nfields++].value = *value;
	return 0;
}

/* A string span's content, decoded only when it holds an escape. */
static void span_string(struct tokenizer *t, const struct hub_span *v, const char **s, size_t *n)
{
	if (!memchr(v->p, '\\', v->len)) {
		*s = v->p + 1;
		*n = v->len - 2;
		return;
	}
	hub_buf_reset(&t->text);
	hub_json_unescape(v->p, v->len, &t->text);
	*s = t->text.data;
	*n = t->text.len;
}

static const char *context_of(const struct tokenizer *t, const struct field *f, size_t *n)
{
	const char *c = f->rule->context ? f->rule->context : t->o->pol->contexts[f->which];

	*n = strlen(c);
	return c;
}

static void field_failed(struct tokenizer *t, struct field *f, const char *what)
{
	f->failed = 1;
	if (t->why.len)
		hub_buf_adds(&t->why, "; ");
	hub_buf_addf(&t->why, "field '%s' (%s): %s", t->o->pol->contexts[f->which], hub_mode_name(f->rule->mode),
	             what);
}

/* The replacement of one field, appended to t->repl. */
static void transform(struct tokenizer *t, struct field *f)
{
	const struct hub_span *v = &f->value;
	const char *s, *ctx;
	size_t n, ctxlen;
	uint32_t version;
	enum hub_token_status ts;

	f->off = t->repl.len;
	f->failed = 0;
	ctx = context_of(t, f, &ctxlen);
	if (v->type == HUB_JSON_NULL) {
		hub_buf_add(&t->repl, v->p, v->len);   /* nothing to hide */
		goto done;
	}
	if (t->o->direction != HUB_TOKENIZE) {
		if (f->rule->mode != HUB_MODE_TOKEN) {
			hub_buf_add(&t->repl, v->p, v->len);
			goto done;
		}
		if (v->type != HUB_JSON_STRING) {
			field_failed(t, f, hub_token_status_text(HUB_TOKEN_NOT_TOKEN));
			goto done;
		}
		s = v->p + 1;
		n = v->len - 2;
		if (t->o->direction == HUB_RETOKENIZE && hub_token_version(s, n, &version) &&
		    version == t->newest->version) {
			hub_buf_add(&t->repl, v->p, v->len);
			goto done;
		}
		ts = hub_token_open(t->o->keys, ctx, ctxlen, s, n, &t->scratch,
		                    t->o->direction == HUB_RETOKENIZE ? &t->text : &t->repl, &version);
		if (ts != HUB_TOKEN_OK) {
			if (ts == HUB_TOKEN_UNKNOWN_KEY) {
				char msg[128];

				snprintf(msg, sizeof(msg), "token made with key version %u, not in the key file",
				         (unsigned)version);
				field_failed(t, f, msg);
			} else {
				field_failed(t, f, hub_token_status_text(ts));
			}
			goto done;
		}
		if (t->o->direction == HUB_RETOKENIZE) {
			hub_buf_addc(&t->repl, '"');
			hub_token_seal(t->newest, ctx, ctxlen, t->text.data, t->text.len, &t->scratch, &t->repl);
			hub_buf_addc(&t->repl, '"');
			wipe(&t->text);
		}
		t->changing++;
		goto done;
	}
	switch (f->rule->mode) {
	case HUB_MODE_TOKEN:
		hub_buf_addc(&t->repl, '"');
		hub_token_seal(t->newest, ctx, ctxlen, v->p, v->len, &t->scratch, &t->repl);
		hub_buf_addc(&t->repl, '"');
		break;
	case HUB_MODE_HASH: {
		static const char kinds[] = { [HUB_JSON_OBJECT] = 'o', [HUB_JSON_ARRAY] = 'a',
			[HUB_JSON_STRING] = 's', [HUB_JSON_NUMBER] = 'n', [HUB_JSON_BOOL] = 'b' };

		if (v->type == HUB_JSON_STRING) {
			span_string(t, v, &s, &n);
		} else {
			s = v->p;
			n = v->len;
		}
		hub_buf_addc(&t->repl, '"');
		hub_token_hash(t->newest, ctx, ctxlen, kinds[v->type], s, n, &t->repl);
		hub_buf_addc(&t->repl, '"');
		break;
	}
	case HUB_MODE_MASK:
		if (v->type == HUB_JSON_STRING) {
			span_string(t, v, &s, &n);
		} else if (v->type == HUB_JSON_NUMBER) {
			s = v->p;
			n = v->len;
		} else {
			char msg[96];

			snprintf(msg, sizeof(msg), "cannot mask %s (only strings and numbers)", hub_json_type_name(v->type));
			field_failed(t, f, msg);
			goto done;
		}
		hub_buf_reset(&t->scratch);
		hub_token_mask(s, n, f->rule->keep, &t->scratch);
		hub_buf_json_string(&t->repl, t->scratch.data, t->scratch.len);
		break;
	default:
		break;
	}
	t->changing++;
done:
	f->len = t->repl.len - f->off;
}

/* Keeps the fields that have a rule for this event, in text order, the
 * outermost of nested ones (the scanner reports a container after its
 * contents). Returns the number kept. */
static size_t select_fields(struct tokenizer *t, int set, int subject)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nfields; i++) {
		struct field f = t->fields[i];
		size_t j;

		if (!(f.rule = hub_policy_rule(t->o->pol, set, subject, f.which)))
			continue;
		/* insertion sort by start, longest first: usually already in order */
		for (j = n; j > 0 && (t->fields[j - 1].value.p > f.value.p ||
		                      (t->fields[j - 1].value.p == f.value.p &&
		                       t->fields[j - 1].value.len < f.value.len)); j--)
			t->fields[j] = t->fields[j - 1];
		t->fields[j] = f;
		n++;
	}
	if (n > 1) {
		size_t k = 0;

		for (size_t i = 1; i < n; i++)
			if (t->fields[i].value.p >= t->fields[k].value.p + t->fields[k].value.len)
				t->fields[++k] = t->fields[i];
		n = k + 1;
	}
	return n;
}

/* What a field becomes in the failure store's copy of the event: never
 * its plaintext. Returns NULL for "removed" (written as null). */
static const char *safe_text(struct tokenizer *t, const struct field *f, size_t *len)
{
	const struct hub_span *v = &f->value;
	uint32_t version;

	if (t->o->direction == HUB_TOKENIZE) {
		*len = f->len;
		return f->failed ? NULL : t->repl.data + f->off;
	}
	*len = v->len;
	if (f->rule->mode != HUB_MODE_TOKEN || v->type == HUB_JSON_NULL ||
	    (v->type == HUB_JSON_STRING && hub_token_version(v->p + 1, v->len - 2, &version)))
		return v->p;
	return NULL;
}

/* The event with its n fields replaced (safe: as the failure store gets it). */
static void build(struct tokenizer *t, const char *line, size_t len, size_t n, int safe, struct hub_buf *out)
{
	size_t pos = 0;

	hub_buf_reset(out);
	hub_buf_reserve(out, len + t->repl.len + 1);
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &t->fields[i];
		size_t start = (size_t)(f->value.p - line), rlen;
		const char *r;

		hub_buf_add(out, line + pos, start - pos);
		if (!safe) {
			hub_buf_add(out, t->repl.data + f->off, f->len);
		} else if ((r = safe_text(t, f, &rlen))) {
			hub_buf_add(out, r, rlen);
		} else {
			hub_buf_add(out, "null", 4);
			if (t->extra.len)
				hub_buf_addc(&t->extra, ',');
			else
				hub_buf_adds(&t->extra, "\"removed\":[");
			hub_buf_json_string(&t->extra, t->o->pol->contexts[f->which],
			                    strlen(t->o->pol->contexts[f->which]));
		}
		pos = start + f->value.len;
	}
	hub_buf_add(out, line + pos, len - pos);
	if (t->extra.len)
		hub_buf_addc(&t->extra, ']');
}

/* A line that is not a JSON event may hold anything: it is stored sealed
 * whole, as a token of its text as a JSON string. */
static void store_sealed(struct tokenizer *t, const struct hub_line *l, const char *reason, const char *extra)
{
	static const char ctx[] = HUB_SEALED_LINE_CONTEXT;

	hub_buf_reset(&t->text);
	hub_buf_json_string(&t->text, l->data, l->len);
	hub_buf_reset(&t->line);
	hub_buf_addc(&t->line, '"');
	hub_token_seal(t->newest, ctx, sizeof(ctx) - 1, t->text.data, t->text.len, &t->scratch, &t->line);
	hub_buf_addc(&t->line, '"');
	wipe(&t->text);
	hub_buf_reset(&t->extra);
	hub_buf_adds(&t->extra, "\"sealed\":\"" HUB_SEALED_LINE_CONTEXT "\"");
	if (extra) {
		hub_buf_addc(&t->extra, ',');
		hub_buf_adds(&t->extra, extra);
	}
	hub_failstore_add(t->o->failstore, reason, l->number, t->line.data, t->line.len, 1, hub_buf_cstr(&t->extra));
}

/* The scanner's message without the character it quotes ("unexpected
 * character 'x'", "unexpected byte 0xc3"): a reason shows no byte of a
 * line that may hold anything. */
static int scan_error_length(const char *e)
{
	static const char *const quoting[] = { "unexpected character", "unexpected byte" };
	const char *q;

	for (size_t i = 0; i < sizeof(quoting) / sizeof(quoting[0]); i++)
		if ((q = strstr(e, quoting[i])))
			return (int)(q - e + strlen(quoting[i]));
	return (int)strlen(e);
}

/* One line: PASS with the event in t->line, or FAIL (stored). */
static enum hub_filter_verdict process(void *ctx, const struct hub_line *l, const char **data, size_t *len)
{
	struct tokenizer *t = ctx;
	const struct hub_policy *pol = t->o->pol;
	int set = 0, subject = -1, failed = 0;
	size_t n, slen;
	const char *s;
	char why[600];
	enum hub_json_type top;

	/* a line that is no event is stored sealed (its "sealed" member says
	 * so), with the reason every tool gives, less any byte it quotes */
	if (l->status == HUB_LINE_TOO_LONG) {
		char extra[64];

		hub_line_too_long_reason(l, why, sizeof(why), extra, sizeof(extra));
		store_sealed(t, l, why, extra);
		return HUB_FILTER_FAIL;
	}
	t->nfields = 0;
	if (hub_json_scan(t->js, l->data, l->len, t->found, &top) < 0) {
		snprintf(why, sizeof(why), "%.*s", scan_error_length(hub_json_error(t->js)), hub_json_error(t->js));
		store_sealed(t, l, why, NULL);
		return HUB_FILTER_FAIL;
	}
	if (top != HUB_JSON_OBJECT) {
		store_sealed(t, l, hub_not_object_reason(top), NULL);
		return HUB_FILTER_FAIL;
	}
	if (pol->market >= 0 && t->found[pol->market].type == HUB_JSON_STRING) {
		span_string(t, &t->found[pol->market], &s, &slen);
		set = hub_policy_set_for(pol, s, slen);
	}
	if (pol->type >= 0 && t->found[pol->type].type == HUB_JSON_STRING) {
		span_string(t, &t->found[pol->type], &s, &slen);
		subject = hub_policy_subject_for(pol, s, slen);
	}
	n = select_fields(t, set, subject);
	hub_buf_reset(&t->repl);
	hub_buf_reset(&t->why);
	t->changing = 0;
	for (size_t i = 0; i < n; i++) {
		transform(t, &t->fields[i]);
		failed |= t->fields[i].failed;
	}
	if (failed) {
		hub_buf_reset(&t->extra);
		build(t, l->data, l->len, n, 1, &t->line);
		hub_failstore_add(t->o->failstore, hub_buf_cstr(&t->why), l->number, t->line.data, t->line.len, 1,
		                  t->extra.len ? hub_buf_cstr(&t->extra) : NULL);
		if (t->o->direction != HUB_TOKENIZE)
			wipe(&t->repl);
		return HUB_FILTER_FAIL;
	}
	build(t, l->data, l->len, n, 0, &t->line);
	t->changed += t->changing;
	*data = t->line.data;
	*len = t->line.len;
	return HUB_FILTER_PASS;
}

static const char *stats_extra(void *ctx)
{
	struct tokenizer *t = ctx;

	snprintf(t->stats, sizeof(t->stats), "\"fields\":%llu", (unsigned long long)t->changed);
	return t->stats;
}

int hub_tokenize_run(const struct hub_tokenize_opts *o, int in_fd, int out_fd, struct hub_stats *st)
{
	struct tokenizer t = { .o = o, .newest = hub_keyring_newest(o->keys) };
	/* the output of -d holds plaintext: the loop wipes its batches */
	struct hub_filter f = { .ctx = &t, .line = process, .stats_extra = stats_extra,
	                        .wipe = 1 };
	struct hub_reader *r = hub_reader_new(in_fd, o->max_line ? o->max_line : HUB_MAX_LINE_DEFAULT);
	int status;

	t.js = hub_json_new();
	hub_json_set_paths(t.js, o->pol->paths, o->pol->npaths);
	hub_json_set_callback(t.js, on_match, &t);
	status = hub_filter_run(&f, r, in_fd, out_fd, st);
	if (hub_stop_requested)
		hub_info("%s: stopping", strsignal(hub_stop_requested));
	if (o->show_stats)
		hub_stats_print(st, stats_extra(&t));
	wipe(&t.repl);
	wipe(&t.line);
	wipe(&t.text);
	wipe(&t.scratch);
	hub_buf_free(&t.repl);
	hub_buf_free(&t.scratch);
	hub_buf_free(&t.text);
	hub_buf_free(&t.line);
	hub_buf_free(&t.why);
	hub_buf_free(&t.extra);
	free(t.fields);
	hub_json_free(t.js);
	hub_reader_free(r);
	return status;
}
