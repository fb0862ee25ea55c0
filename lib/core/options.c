/* core/options.c: getopt_long's arguments and --help from one table.
 *
 * The table is the tool's whole command line (see options.h); nothing
 * else lists its options, so an option --help shows is one getopt_long
 * accepts, and the other way round (except entries marked hidden). */
#include <string.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/options.h"

void hub_getopt_init(struct hub_getopt *g, const struct hub_option *opts)
{
	size_t ns = 0, nl = 0;

	memset(g, 0, sizeof(*g));
	for (const struct hub_option *o = opts; o->id || o->name || o->help; o++) {
		if (o->id > 0 && o->id < 256) {
			if (ns + 3 >= sizeof(g->shorts))
				hub_die(HUB_EXIT_SOFTWARE, "option table: too many short options");
			g->shorts[ns++] = (char)o->id;
			if (o->arg)
				g->shorts[ns++] = ':';
		}
		if (o->name) {
			if (nl + 1 >= sizeof(g->longs) / sizeof(g->longs[0]))
				hub_die(HUB_EXIT_SOFTWARE, "option table: too many long options");
			g->longs[nl++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
			                                  NULL, o->id };
		}
	}
}

int hub_getopt(struct hub_getopt *g, int argc, char **argv)
{
	return getopt_long(argc, argv, g->shorts, g->longs, NULL);
}

void hub_options_help(FILE *out, const struct hub_option *opts, int width)
{
	for (const struct hub_option *o = opts; o->id || o->name || o->help; o++) {
		char left[128];
		const char *h, *nl;
		int n;

		if (!o->help)
			continue;
		if (!o->id && !o->name) {   /* a heading */
			fprintf(out, "%s\n", o->help);
			continue;
		}
		if (o->id > 0 && o->id < 256)
			n = snprintf(left, sizeof(left), "-%c%s%s%s%s", o->id, o->name ? ", --" : "",
			             o->name ? o->name : "", o->arg ? " " : "", o->arg ? o->arg : "");
		else
			n = snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
			             o->arg ? o->arg : "");
		if (n < 0)
			n = 0;
		/* The help starts at the column, two spaces after a longer left
		 * column, or under it when the line would pass 80 columns. */
		nl = strchr(o->help, '\n');
		if (n < width)
			fprintf(out, "  %s%*s", left, width - n, "");
		else if (2 + n + 2 + (nl ? (int)(nl - o->help) : (int)strlen(o->help)) <= 80)
			fprintf(out, "  %s  ", left);
		else
			fprintf(out, "  %s\n%*s", left, width + 2, "");
		for (h = o->help; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(out, "%.*s\n%*s", (int)(nl - h), h, width + 2, "");
		fprintf(out, "%s\n", h);
	}
}
