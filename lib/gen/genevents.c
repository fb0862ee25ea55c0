/* genevents.c: the line-by-line mix of hub-gen-events, and its output.
 *
 * Each line draws one number: below dup_rate it repeats a line already
 * written (from a reservoir of up to MAX_RECENT earlier good lines, one
 * replaced at random once it is full), below dup_rate + invalid_rate it is
 * a defective event, otherwise a good one. Lines are built in place in a
 * 1 MiB block that is written with one write(2) when nearly full, so the
 * cost per event is a few hundred bytes of memcpy and no system call. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fileio.h"
#include "gen/genevents.h"
#include "gen/prng.h"
#include "gen/retail.h"
#include "timeparse.h"

#define BLOCK (1 << 20)
#define MAX_RECENT 10000

struct line {
	char *p;
	size_t len, cap;
};

static void keep(struct line *l, const char *p, size_t n)
{
	if (n > l->cap) {
		l->cap = n < 1024 ? 1024 : n;
		l->p = hub_xrealloc(l->p, l->cap);
	}
	memcpy(l->p, p, n);
	l->len = n;
}

int hub_gen_events(const struct hub_gen_opts *o, int fd)
{
	struct hub_prng r;
	struct hub_retail *w = hub_retail_new(o->start_ms);
	struct line *recent = NULL;
	size_t nrecent = 0, len = 0;
	char *block = hub_xmalloc(BLOCK);
	int status = 0;

	hub_prng_seed(&r, o->seed);
	if (o->dup_rate > 0)
		recent = hub_xcalloc(MAX_RECENT, sizeof(*recent));
	for (uint64_t i = 0; i < o->count; i++) {
		char *start, *end;
		double x;

		if (BLOCK - len < HUB_RETAIL_LINE_MAX + 1) {
			if (hub_write_all(fd, block, len) < 0) {
				status = -1;
				break;
			}
			len = 0;
		}
		start = block + len;
		x = hub_prng_unit(&r);
		if (x < o->dup_rate && nrecent > 0) {
			struct line *l = &recent[hub_prng_below(&r, nrecent)];

			memcpy(start, l->p, l->len);
			end = start + l->len;
		} else if (x >= o->dup_rate && x < o->dup_rate + o->invalid_rate) {
			end = hub_retail_defect(w, &r, start);
		} else {
			end = hub_retail_event(w, &r, start);
			/* a first line drawn as a duplicate has nothing to repeat:
			 * it is new, and not kept for later */
			if (recent && x >= o->dup_rate) {
				if (nrecent < MAX_RECENT)
					keep(&recent[nrecent++], start, (size_t)(end - start));
				else {
					uint64_t k = hub_prng_below(&r, MAX_RECENT + 1);

					if (k < MAX_RECENT)
						keep(&recent[k], start, (size_t)(end - start));
				}
			}
		}
		*end++ = '\n';
		len = (size_t)(end - block);
	}
	if (status == 0 && len > 0 && hub_write_all(fd, block, len) < 0)
		status = -1;
	if (recent) {
		for (size_t i = 0; i < nrecent; i++)
			free(recent[i].p);
		free(recent);
	}
	free(block);
	hub_retail_free(w);
	return status;
}

/* "[.fraction]" then "Z", "z", "+hh:mm", "-hh:mm" or nothing, at s. */
static int parse_fraction(const char *s, const char **rest, int *ms)
{
	int digits = 0;

	*ms = 0;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 3)
				*ms = *ms * 10 + (*s - '0');
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			*ms *= 10;
	}
	*rest = s;
	return 0;
}

int hub_gen_parse_start(const char *s, int64_t *ms)
{
	char text[64];
	size_t n = strlen(s);
	const char *rest;
	int64_t secs;
	int frac;

	if (n < 10 || n >= sizeof(text) - 1)
		return -1;
	memcpy(text, s, n + 1);
	if (n == 10) {
		/* a date: midnight UTC */
		if (!hub_date_valid(text, n))
			return -1;
		memcpy(text + 10, "T00:00:00Z", 11);
		n += 10;
	}
	if (text[10] == ' ')
		text[10] = 'T';
	if (n < 19 || parse_fraction(text + 19, &rest, &frac) < 0)
		return -1;
	if (*rest == '\0') {
		/* no offset: UTC */
		text[n] = 'Z';
		text[++n] = '\0';
	}
	if (hub_parse_rfc3339(text, n, &secs) < 0)
		return -1;
	/* years 1 to 9999, so that every time written has four digits */
	if (secs < -62135596800LL || secs > 253402300799LL - 86400LL * 366 * 10)
		return -1;
	*ms = secs * 1000 + frac;
	return 0;
}
