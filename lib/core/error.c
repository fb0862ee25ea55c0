/* core/error.c: filling and reporting a struct hub_error (see core/error.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/diag.h"
#include "core/error.h"
#include "core/exitcodes.h"

int hub_fail(struct hub_error *e, int status, const char *fmt, ...)
{
	va_list ap;

	e->status = status ? status : HUB_EXIT_SOFTWARE;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int hub_fail_prefix(struct hub_error *e, const char *fmt, ...)
{
	char head[512];
	size_t hn, mn = strlen(e->msg);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	hn = n < 0 ? 0 : (size_t)n < sizeof(head) ? (size_t)n : sizeof(head) - 1;
	if (hn + mn >= sizeof(e->msg))
		mn = sizeof(e->msg) - 1 - hn;
	memmove(e->msg + hn, e->msg, mn);
	memcpy(e->msg, head, hn);
	e->msg[hn + mn] = 0;
	if (!e->status)
		e->status = HUB_EXIT_SOFTWARE;
	return -1;
}

void hub_die_error(const struct hub_error *e)
{
	hub_die(e->status ? e->status : HUB_EXIT_SOFTWARE, "%s", e->msg);
}
