/* tests/fuzz/statefile.c: hub-dedup's state file read back (dedup/statefile.c).
 *
 * Input: the bytes of a state file, as a crash, a full disk or another
 * program may leave it. Checked: it opens, or is refused with a reason and
 * one of the exit statuses the header promises; an opened file takes a
 * key, commits and closes. The key definition is fixed ("fuzz"), so the
 * fuzzer has to find the header's fingerprint for it: the seeds carry it. */
#include <string.h>

#include "fuzz.h"
#include "core/exitcodes.h"
#include "dedup/seenset-internal.h"
#include "dedup/statefile-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, 0600);
	struct hub_seenset *set = hub_seenset_new(1000, 0);
	unsigned char hashkey[HUB_STATE_KEYBYTES];
	struct hub_statefile *sf;
	char err[512] = "";
	int status = 0;

	sf = hub_statefile_open(path, "fuzz", set, hashkey, err, sizeof(err), &status);
	if (sf) {
		struct hub_seen_key k = { { 1, 2, 3, 4 } };

		hub_seenset_add(set, &k, 100);
		hub_statefile_stage(sf, &k, 100);
		hub_statefile_seal(sf);
		if (hub_statefile_commit(sf, set, 1) < 0)
			fuzz_fail("commit failed after open");
		if (hub_statefile_close(sf) < 0)
			fuzz_fail("close failed after open");
	} else {
		if (!err[0])
			fuzz_fail("state file refused without a reason");
		if (status != HUB_EXIT_DATAERR && status != HUB_EXIT_CONFIG && status != HUB_EXIT_IOERR)
			fuzz_fail("state file refused with status %d: %s", status, err);
	}
	hub_seenset_free(set);
	return 0;
}
