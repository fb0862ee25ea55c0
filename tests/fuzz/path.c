/* tests/fuzz/path.c: field-path parsing (json/path.c).
 *
 * Input: a path list as a user types it. Checked: a parsed path keeps its
 * text and its steps are sane (keys of the length said, indexes >= 0),
 * and each path of a list parses alone from its own text. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json/path.h"

static void check_path(const struct hub_path *p)
{
	if (!p->text)
		fuzz_fail("path without its text");
	if (p->nsteps < 0 || (p->nsteps && !p->steps))
		fuzz_fail("path '%s': %d steps", p->text, p->nsteps);
	for (int i = 0; i < p->nsteps; i++) {
		const struct hub_step *s = &p->steps[i];

		if (s->kind == HUB_STEP_KEY && (!s->key || s->key[s->keylen] != '\0'))
			fuzz_fail("path '%s': step %d: key not terminated", p->text, i);
		if (s->kind == HUB_STEP_INDEX && s->index < 0)
			fuzz_fail("path '%s': step %d: index %ld", p->text, i, s->index);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256];
	struct hub_path one, *list;
	int n;

	memcpy(s, data, size);
	s[size] = '\0';
	if (hub_path_parse(s, &one, err, sizeof(err)) == 0) {
		check_path(&one);
		hub_path_free(&one);
	} else if (!err[0]) {
		fuzz_fail("path refused without a reason");
	}
	n = hub_paths_parse_list(s, &list, err, sizeof(err));
	if (n >= 0) {
		for (int i = 0; i < n; i++) {
			check_path(&list[i]);
			if (hub_path_parse(list[i].text, &one, err, sizeof(err)) < 0)
				fuzz_fail("'%s' of the list does not parse alone: %s", list[i].text, err);
			if (one.nsteps != list[i].nsteps)
				fuzz_fail("'%s': %d steps alone, %d in the list", list[i].text, one.nsteps, list[i].nsteps);
			hub_path_free(&one);
		}
		hub_paths_free(list, n);
	}
	free(s);
	return 0;
}
