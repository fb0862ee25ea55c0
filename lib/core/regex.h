/* core/regex.h: regular expressions over untrusted text, bounded in time
 * and memory.
 *
 * PCRE2 (Perl-compatible; POSIX ERE patterns mean the same) compiled once,
 * with limits on each match: a pattern that would backtrack without end
 * (back-references, nested repetition) stops at the limit and counts as
 * no match, and hub_regex_limited() tells how often that happened, so a
 * search never hangs and never grows past a few MiB whatever it is given. */
#ifndef HUB_REGEX_H
#define HUB_REGEX_H

#include <stddef.h>
#include <stdint.h>

struct hub_regex;

/* NULL with the reason in err ("missing closing parenthesis at 3"). */
struct hub_regex *hub_regex_new(const char *pattern, char *err, size_t errlen);
void hub_regex_free(struct hub_regex *re);
/* Whether the pattern matches somewhere in s[0..n). */
int hub_regex_match(struct hub_regex *re, const char *s, size_t n);
/* How many matches stopped at a limit (and so counted as no match). */
uint64_t hub_regex_limited(const struct hub_regex *re);

#endif
