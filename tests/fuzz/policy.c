/* tests/fuzz/policy.c: hub-tokenize's policy file (privacy/policy.c).
 *
 * Input: the text of a policy file. Checked: it loads into a policy whose
 * rules all name a known path and mode, or is refused with a reason. */
#include "fuzz.h"
#include "privacy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, 0600);
	struct hub_policy pol;
	char err[512] = "";

	hub_policy_init(&pol);
	if (hub_policy_load(&pol, path, err, sizeof(err)) == 0) {
		if (pol.npaths < 0 || pol.npaths > HUB_JSON_MAX_PATHS || pol.nsets < 1)
			fuzz_fail("policy of %d paths, %d sets", pol.npaths, pol.nsets);
		for (int s = 0; s < pol.nsets; s++)
			for (int i = 0; i < pol.npaths; i++)
				if ((unsigned)pol.sets[s].rules[i].mode > HUB_MODE_PASS)
					fuzz_fail("set %d path %d: mode %d", s, i, pol.sets[s].rules[i].mode);
	} else if (!err[0]) {
		fuzz_fail("policy refused without a reason");
	}
	hub_policy_free(&pol);
	return 0;
}
