/* tests/helper/scanbench.c: hub_json_scan() alone, over a file held in memory.
 *
 *   scanbench [-n PASSES] [-m SEED] PATHS FILE
 *
 * Reads FILE once, then scans every line PASSES times (default 10) with the
 * field paths PATHS ("" for none) and prints one line:
 *
 *   BYTES-PER-SECOND LINES ERRORS DIGEST
 *
 * the rate of the fastest pass, and a digest of everything the scanner said
 * in a first, untimed pass with a callback (verdicts, error messages, spans
 * of found values and of every callback match, as offsets into the line),
 * so that two builds of the scanner can be shown to agree on the same file.
 * With -m, each line is first changed at one to three random places (a byte
 * replaced by one that matters to JSON, inserted, deleted, the line cut),
 * the same way for the same SEED: hostile lines for the digest to compare.
 * bench/scan runs it against this build and against an older scanner. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/diag.h"
#include "json/scan.h"

struct line {
	const char *p;
	size_t len;
};

static uint64_t digest = 1469598103934665603ull;
static const char *cur_line;

static void mix(const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		digest = (digest ^ p[i]) * 1099511628211ull;
}

static void mix_int(uint64_t v)
{
	mix(&v, sizeof(v));
}

static void mix_span(const struct hub_span *s)
{
	mix_int((uint64_t)s->type);
	if (s->type != HUB_JSON_NONE) {
		mix_int((uint64_t)(s->p - cur_line));
		mix_int(s->len);
	}
}

static int on_match(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	mix_int((uint64_t)which);
	mix_span(key);
	mix_span(v);
	return 0;
}

static uint64_t rng;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The line p[0..n) changed at one to three places, written to out (room
 * for n + 3 bytes); returns its new length. */
static size_t mutate(const char *p, size_t n, char *out)
{
	static const char bytes[] = "\"\\\0\x01\x1f\x7f\x80\xbf\xc0\xc3\xe2\xed\xf0\xf4\xff{}[]:, \t0-e.tnu";
	int changes = 1 + (int)(next_random() % 3);

	memcpy(out, p, n);
	for (int k = 0; k < changes; k++) {
		size_t at = n ? next_random() % n : 0;
		char c = bytes[next_random() % (sizeof(bytes) - 1)];

		switch (next_random() % 4) {
		case 0:
			if (n)
				out[at] = c;
			break;
		case 1:
			memmove(out + at + 1, out + at, n - at);
			out[at] = c;
			n++;
			break;
		case 2:
			if (n) {
				memmove(out + at, out + at + 1, n - at - 1);
				n--;
			}
			break;
		default:
			n = at;
		}
	}
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct hub_span found[HUB_JSON_MAX_PATHS];
	struct hub_path *paths = NULL;
	struct hub_json *js;
	struct line *lines = NULL;
	size_t nlines = 0, cap = 0, bytes = 0, errors = 0;
	enum hub_json_type top;
	struct hub_buf file = { 0 };
	char chunk[1 << 16];
	size_t got;
	FILE *in;
	char err[256];
	double best = 0;
	int npaths = 0, passes = 10, c, mutated = 0;
	char *changed = NULL;

	hub_diag_init(argv[0]);
	while ((c = getopt(argc, argv, "n:m:")) != -1) {
		if (c == 'm') {
			mutated = 1;
			rng = 0x9e3779b97f4a7c15ull * (strtoull(optarg, NULL, 10) + 1);
		} else if (c != 'n' || (passes = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: scanbench [-n PASSES] [-m SEED] PATHS FILE\n");
			return 64;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: scanbench [-n PASSES] [-m SEED] PATHS FILE\n");
		return 64;
	}
	if (argv[optind][0] && (npaths = hub_paths_parse_list(argv[optind], &paths, err, sizeof(err))) < 0)
		hub_die(64, "%s", err);
	if (!(in = fopen(argv[optind + 1], "rb")))
		hub_die(66, "%s: cannot open", argv[optind + 1]);
	while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0)
		hub_buf_add(&file, chunk, got);
	fclose(in);
	for (const char *p = file.data, *end = p + file.len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (nlines == cap) {
			cap = cap ? 2 * cap : 1024;
			lines = hub_xrealloc(lines, cap * sizeof(*lines));
		}
		lines[nlines].p = p;
		lines[nlines++].len = n;
		bytes += n;
		p += n + 1;
	}
	if (mutated) {
		char *q = changed = hub_xmalloc(file.len + 3 * nlines + 1);

		bytes = 0;
		for (size_t i = 0; i < nlines; i++) {
			size_t n = lines[i].len;

			lines[i].len = mutate(lines[i].p, n, q);
			lines[i].p = q;
			q += n + 3;
			bytes += lines[i].len;
		}
	}

	js = hub_json_new();
	hub_json_set_paths(js, paths, npaths);
	hub_json_set_callback(js, on_match, NULL);
	for (size_t i = 0; i < nlines; i++) {
		int rc;

		cur_line = lines[i].p;
		rc = hub_json_scan(js, lines[i].p, lines[i].len, found, &top);
		mix_int((uint64_t)rc);
		if (rc < 0) {
			errors++;
			mix(hub_json_error(js), strlen(hub_json_error(js)));
			continue;
		}
		mix_int((uint64_t)top);
		for (int k = 0; k < npaths; k++)
			mix_span(&found[k]);
	}

	/* the timed passes: found[] only, as most tools use it */
	hub_json_set_callback(js, NULL, NULL);
	for (int pass = 0; pass < passes; pass++) {
		double t = now();

		for (size_t i = 0; i < nlines; i++)
			hub_json_scan(js, lines[i].p, lines[i].len, found, &top);
		t = now() - t;
		if (pass == 0 || t < best)
			best = t;
	}
	printf("%.0f %zu %zu %016llx\n", best > 0 ? (double)bytes / best : 0.0, nlines, errors,
	       (unsigned long long)digest);
	hub_json_free(js);
	hub_paths_free(paths, npaths);
	hub_buf_free(&file);
	free(lines);
	free(changed);
	return 0;
}
