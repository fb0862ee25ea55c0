/* core/diag.h: diagnostics on stderr, one vocabulary for every tool.
 *
 * Messages read "hub-produce: error: ...", "hub-produce: warning: ...".
 * stdout carries data only; everything here goes to stderr. The program
 * name and verbosity are set once by main() (like sbase's argv0). */
#ifndef HUB_DIAG_H
#define HUB_DIAG_H

#include <stdarg.h>
#include <stddef.h>

extern const char *hub_progname;
extern int hub_verbosity;   /* 0 quiet (-q), 1 normal, 2+ verbose (-v) */

void hub_diag_init(const char *argv0);
void hub_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hub_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hub_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hub_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void hub_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void hub_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "Try 'hub-xxx --help' ..." on stderr after getopt's own message; returns
 * the usage exit status (64) for main() to return. */
int hub_usage_hint(void);
/* A whole-number option argument from min to max; anything else is a
 * usage error naming the option (what) and the range. */
long long hub_number_option(const char *arg, const char *what, long long min, long long max);
/* The index of an option argument among choices (ending in NULL);
 * anything else is a usage error naming the option and the choices. */
int hub_choice_option(const char *arg, const char *what, const char *const *choices);

/* Allocation that cannot fail: out of memory is fatal (exit 70). */
void *hub_xmalloc(size_t n);
void *hub_xcalloc(size_t n, size_t size);
void *hub_xrealloc(void *p, size_t n);
char *hub_xstrdup(const char *s);
char *hub_xstrndup(const char *s, size_t n);

#endif
