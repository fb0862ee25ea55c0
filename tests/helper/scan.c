/* tests/helper/scan.c: test driver for libhub's JSON scanner and field paths.
 *
 *   scan PATHS < lines     for each input line: the first value at each path
 *                          ("type raw-text", "absent"), then every match of the
 *                          callback ("* key type raw"), or "error: ..."
 *
 * tests/json.bats runs it over the tests/data files, jq style: a case is the
 * paths, the input line and the expected output lines, then a blank line. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "json/scan.h"
#include "stream/ndjson.h"

static int on_match(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	const struct hub_path *paths = ctx;

	printf("* %s", paths[which].text);
	if (key->type == HUB_JSON_STRING)
		printf(" %.*s", (int)key->len, key->p);
	printf(" %s %.*s\n", hub_json_type_name(v->type), (int)v->len, v->p);
	return 0;
}

int main(int argc, char **argv)
{
	struct hub_path *paths;
	struct hub_span found[HUB_JSON_MAX_PATHS];
	struct hub_reader *r;
	struct hub_json *js;
	struct hub_line l;
	enum hub_json_type top;
	char err[256];
	int n;

	hub_diag_init(argv[0]);
	if (argc != 2) {
		fprintf(stderr, "usage: scan PATHS < lines\n");
		return 64;
	}
	n = hub_paths_parse_list(argv[1], &paths, err, sizeof(err));
	if (n < 0) {
		printf("error: %s\n", err);
		return 0;
	}
	js = hub_json_new();
	hub_json_set_paths(js, paths, n);
	hub_json_set_callback(js, on_match, paths);
	r = hub_reader_new(STDIN_FILENO, 0);
	while (hub_reader_next(r, &l) > 0) {
		if (hub_json_scan(js, l.data, l.len, found, &top) < 0) {
			printf("error: %s\n", hub_json_error(js));
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (found[i].type == HUB_JSON_NONE)
				printf("%s absent\n", paths[i].text);
			else
				printf("%s %s %.*s\n", paths[i].text, hub_json_type_name(found[i].type),
				       (int)found[i].len, found[i].p);
		}
	}
	hub_reader_free(r);
	hub_json_free(js);
	hub_paths_free(paths, n);
	return 0;
}
