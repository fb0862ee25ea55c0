/* core/regex.c: PCRE2 with a match limit, a depth limit and a heap limit
 * (see core/regex.h). JIT when the machine has it: it honours the same
 * match limit, and a JIT stack overflow is a limit like the others. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/diag.h"
#include "core/regex.h"

#define MATCH_LIMIT 1000000     /* backtracking steps a line: ~10 ms */
#define DEPTH_LIMIT 10000
#define HEAP_LIMIT_KIB 8192     /* 8 MiB of backtracking memory */
#define PATTERN_MAX 4096

struct hub_regex {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	uint64_t limited;
};

struct hub_regex *hub_regex_new(const char *pattern, char *err, size_t errlen)
{
	struct hub_regex *re;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE at;
	int code;
	pcre2_compile_context *cc;
	pcre2_code *c;

	cc = pcre2_compile_context_create(NULL);
	if (!cc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pcre2_set_max_pattern_length(cc, PATTERN_MAX);
	pcre2_set_parens_nest_limit(cc, 64);
	c = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_NEVER_BACKSLASH_C, &code, &at, cc);
	pcre2_compile_context_free(cc);
	if (!c) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "%s at character %zu", (const char *)msg, (size_t)at);
		return NULL;
	}
	re = hub_xcalloc(1, sizeof(*re));
	re->code = c;
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);   /* interpreted when there is no JIT */
	re->md = pcre2_match_data_create(1, NULL);
	re->mc = pcre2_match_context_create(NULL);
	if (!re->md || !re->mc)
		hub_die(70, "out of memory for a regular expression");
	pcre2_set_match_limit(re->mc, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mc, DEPTH_LIMIT);
	pcre2_set_heap_limit(re->mc, HEAP_LIMIT_KIB);
	return re;
}

void hub_regex_free(struct hub_regex *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mc);
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

int hub_regex_match(struct hub_regex *re, const char *s, size_t n)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, re->md, re->mc);

	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH)
		re->limited++;   /* a limit, or text PCRE2 will not take: no match */
	return 0;
}

uint64_t hub_regex_limited(const struct hub_regex *re)
{
	return re->limited;
}
