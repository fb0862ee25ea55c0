/* genevents.c: the line-by-line mix of hub-gen-events, and its output.
 *
 * Each line draws one number: below dup_rate it repeats one of the last
 * MAX_RECENT good lines, drawn at random, below dup_rate + invalid_rate it
 * is a defective event, otherwise a good one. Lines are built in place in a
 * 1 MiB block that is written with one write(2) when nearly full, so the
 * cost per event is a few hundred bytes of memcpy and no system call. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/file-internal.h"
#include "gen/genevents.h"
#include "gen/prng.h"
#include "gen/retail.h"
#include "core/time.h"

#define BLOCK (1 << 20)
#define MAX_RECENT 10000
#define ARENA (8 << 20)

/* The last good lines, for --dup-rate: copied one after the other into a
 * ring of bytes (sequential writes, so keeping a line costs a streaming
 * memcpy, not a cache miss per line), with a ring of where each starts.
 * A line is there while the bytes written after it have not come round
 * to it again. Positions count every byte ever written, so never wrap. */
struct recent {
	char *bytes;
	uint64_t head;                 /* bytes written, padding included */
	uint64_t kept, oldest;         /* lines kept; the oldest still whole */
	uint64_t start[MAX_RECENT];
	uint32_t len[MAX_RECENT];
};

static void keep(struct recent *rc, const char *p, size_t n)
{
	uint64_t at = rc->head % ARENA;

	if (at + n > ARENA) {
		/* a line is never split: start again at the beginning */
		rc->head += ARENA - at;
		at = 0;
	}
	memcpy(rc->bytes + at, p, n);
	rc->start[rc->kept % MAX_RECENT] = rc->head;
	rc->len[rc->kept % MAX_RECENT] = (uint32_t)n;
	rc->head += n;
	rc->kept++;
	while (rc->kept - rc->oldest > MAX_RECENT || rc->start[rc->oldest % MAX_RECENT] + ARENA < rc->head)
		rc->oldest++;
}

/* One of the lines kept, drawn at random, copied to p; returns its end. */
static char *repeat(struct recent *rc, struct hub_prng *r, char *p)
{
	uint64_t i = (rc->oldest + hub_prng_below(r, rc->kept - rc->oldest)) % MAX_RECENT;

	memcpy(p, rc->bytes + rc->start[i] % ARENA, rc->len[i]);
	return p + rc->len[i];
}

/* A probability as a bound on 53 random bits: bits < bound has probability
 * p, to the last bit. Whole numbers from here on, so no floating-point
 * evaluation (x87's extended precision, say) can change a line. */
static uint64_t bound53(double p)
{
	return p >= 1 ? 1ull << 53 : p <= 0 ? 0 : (uint64_t)ceil(ldexp(p, 53));
}

int hub_gen_events(const struct hub_gen_opts *o, int fd)
{
	struct hub_prng r;
	struct hub_retail *w = hub_retail_new(o->start_ms);
	struct recent *recent = NULL;
	size_t len = 0;
	char *block = hub_xmalloc(BLOCK);
	int status = 0;
	uint64_t dup = bound53(o->dup_rate), bad = dup + bound53(o->invalid_rate);

	hub_prng_seed(&r, o->seed);
	if (o->dup_rate > 0) {
		recent = hub_xcalloc(1, sizeof(*recent));
		recent->bytes = hub_xmalloc(ARENA);
	}
	for (uint64_t i = 0; i < o->count; i++) {
		char *start, *end;
		uint64_t x;

		if (BLOCK - len < HUB_RETAIL_LINE_MAX + 1) {
			if (hub_write_all(fd, block, len) < 0) {
				status = -1;
				break;
			}
			len = 0;
		}
		start = block + len;
		x = hub_prng_next(&r) >> 11;
		if (x < dup && recent->kept > 0) {
			end = repeat(recent, &r, start);
		} else if (x >= dup && x < bad) {
			end = hub_retail_defect(w, &r, start);
		} else {
			end = hub_retail_event(w, &r, start);
			/* a first line drawn as a repeat has nothing to repeat: it
			 * is new, and not kept for later */
			if (recent && x >= dup)
				keep(recent, start, (size_t)(end - start));
		}
		*end++ = '\n';
		len = (size_t)(end - block);
	}
	if (status == 0 && len > 0 && hub_write_all(fd, block, len) < 0)
		status = -1;
	if (recent) {
		free(recent->bytes);
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
	if (hub_time_parse(text, n, &secs) < 0)
		return -1;
	secs = secs >= 0 ? secs / 1000 : (secs - 999) / 1000;   /* ms to whole seconds */
	/* years 1 to 9999, so that every time written has four digits */
	if (secs < -62135596800LL || secs > 253402300799LL - 86400LL * 366 * 10)
		return -1;
	*ms = secs * 1000 + frac;
	return 0;
}
