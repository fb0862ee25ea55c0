/* tests/fuzz/keyfile.c: hub-tokenize's key file (privacy/keyfile.c).
 *
 * Input: the text of a key file (mode 0600). Checked: it loads, with a
 * newest key among those read, or is refused with a reason and 78. */
#include "fuzz.h"
#include "core/exitcodes.h"
#include "privacy/keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, 0600);
	struct hub_keyring kr;
	char err[512] = "";
	int status = 0;

	if (hub_keyring_load(&kr, path, &status, err, sizeof(err)) == 0) {
		if (kr.n < 1 || kr.newest < 0 || kr.newest >= kr.n)
			fuzz_fail("key ring of %d keys, newest %d", kr.n, kr.newest);
		if (hub_keyring_find(&kr, kr.keys[kr.newest].version) != &kr.keys[kr.newest])
			fuzz_fail("newest key not found by its version");
		hub_keyring_free(&kr);
	} else {
		if (!err[0])
			fuzz_fail("key file refused without a reason");
		if (status != HUB_EXIT_CONFIG)
			fuzz_fail("key file refused with status %d: %s", status, err);
	}
	return 0;
}
