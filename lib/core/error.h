/* core/error.h: one error value for all of lib/: what went wrong, in the
 * words the user reads, and the exit status it means.
 *
 * A lib function that can fail takes a struct hub_error * and, on
 * failure, fills it with hub_fail() and returns -1 (or NULL); main()
 * prints it and exits with its status (hub_die_error). So no caller picks
 * a status by reading the message, and lib/ never exits the process for a
 * condition a user can cause; only allocation failure ends it at once
 * (hub_xmalloc and friends, as git's xmalloc does). */
#ifndef HUB_ERROR_H
#define HUB_ERROR_H

#include <stddef.h>

struct hub_error {
	int status;          /* an exit status of core/exitcodes.h; 0 while none */
	char msg[1024];
};

/* Sets e's status and message (printf-style) and returns -1. */
int hub_fail(struct hub_error *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "file: " before e's message, keeping its status; returns -1. */
int hub_fail_prefix(struct hub_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For main(): prints e's message as an error and exits with its status. */
_Noreturn void hub_die_error(const struct hub_error *e);

#endif
