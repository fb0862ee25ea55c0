/* json/path.h: the one field path syntax every hub tool accepts.
 *
 *   data.customer.email      keys separated by dots (a leading '.' is allowed)
 *   data.items[0].sku        array index
 *   data.items[*].sku        every element of an array
 *   data.*                   every member of an object
 *   data["odd.key"].x        a quoted key, JSON string escapes inside
 *   data.odd\.key            a backslash escapes '.', '[', '*', '\' in a bare key
 *   .                        the whole event
 *
 * Paths are parsed once, at start-up; matching is done by the JSON
 * scanner (json/scan.h) while it reads each event, without building a DOM. */
#ifndef HUB_FIELDPATH_H
#define HUB_FIELDPATH_H

#include <stddef.h>

enum hub_step_kind { HUB_STEP_KEY, HUB_STEP_INDEX, HUB_STEP_ANY, HUB_STEP_ANYKEY };

struct hub_step {
	enum hub_step_kind kind;
	char *key;          /* HUB_STEP_KEY: decoded UTF-8, NUL-terminated */
	size_t keylen;
	long index;         /* HUB_STEP_INDEX */
};

struct hub_path {
	char *text;         /* as the user wrote it, for messages */
	struct hub_step *steps;
	int nsteps;
};

/* Returns 0, or -1 with a message in err. */
int hub_path_parse(const char *s, struct hub_path *path, char *err, size_t errlen);
void hub_path_free(struct hub_path *path);
/* Parses a comma-separated list ("a.b,c[0]"); commas inside [".."] are kept.
 * Returns the number of paths, or -1 with a message in err. */
int hub_paths_parse_list(const char *s, struct hub_path **paths, char *err, size_t errlen);
void hub_paths_free(struct hub_path *paths, int n);

#endif
