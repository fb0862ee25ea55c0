/* core/diag.c: stderr diagnostics and allocation helpers shared by all tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/exitcodes.h"

const char *hub_progname = "hub";
int hub_verbosity = 1;

void hub_diag_init(const char *argv0)
{
	const char *slash;

	if (!argv0)
		return;
	slash = strrchr(argv0, '/');
	hub_progname = slash ? slash + 1 : argv0;
}

static void vmsg(const char *level, const char *fmt, va_list ap)
{
	char line[4096];
	int n;

	/* One write per message, so lines from concurrent tools do not interleave. */
	n = snprintf(line, sizeof(line), "%s: %s%s", hub_progname, level, level[0] ? ": " : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void hub_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error", fmt, ap);
	va_end(ap);
}

void hub_warn(const char *fmt, ...)
{
	va_list ap;

	if (hub_verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg("warning", fmt, ap);
	va_end(ap);
}

void hub_info(const char *fmt, ...)
{
	va_list ap;

	if (hub_verbosity < 2)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void hub_debug(const char *fmt, ...)
{
	va_list ap;

	if (hub_verbosity < 3)
		return;
	va_start(ap, fmt);
	vmsg("debug", fmt, ap);
	va_end(ap);
}

void hub_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error", fmt, ap);
	va_end(ap);
	exit(status);
}

void hub_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error", fmt, ap);
	va_end(ap);
	exit(hub_usage_hint());
}

long long hub_number_option(const char *arg, const char *what, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (end == arg || *end || errno == ERANGE || v < min || v > max)
		hub_usage_error("%s: '%s' is not a number from %lld to %lld", what, arg, min, max);
	return v;
}

int hub_choice_option(const char *arg, const char *what, const char *const *choices)
{
	char list[256] = "";
	size_t n = 0;
	int i;

	for (i = 0; choices[i]; i++)
		if (strcmp(arg, choices[i]) == 0)
			return i;
	for (int k = 0; k < i && n < sizeof(list); k++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", k == 0 ? "" : k == i - 1 ? " or " : ", ",
		                      choices[k]);
	hub_usage_error("%s '%s': expected %s", what, arg, list);
}

int hub_usage_hint(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", hub_progname);
	return HUB_EXIT_USAGE;
}

void *hub_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		hub_die(HUB_EXIT_SOFTWARE, "out of memory (%zu bytes)", n);
	return p;
}

void *hub_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		hub_die(HUB_EXIT_SOFTWARE, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *hub_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		hub_die(HUB_EXIT_SOFTWARE, "out of memory (%zu bytes)", n);
	return p;
}

char *hub_xstrdup(const char *s)
{
	return hub_xstrndup(s, strlen(s));
}

char *hub_xstrndup(const char *s, size_t n)
{
	char *p = hub_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
