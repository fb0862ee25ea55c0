/* tests/fuzz/envelope.c: the envelope reader of hub-produce --envelope (kafka/envelope.c).
 *
 * Input: one envelope line. Checked: no crash or leak, a refusal has a
 * reason, and a value read is never also a tombstone. */
#include <string.h>

#include "fuzz.h"
#include "kafka/envelope-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub_envelope env;
	char err[512];

	memset(&env, 0, sizeof(env));
	err[0] = '\0';
	if (hub_envelope_parse((const char *)data, size, &env, err, sizeof(err)) == 0) {
		if (env.has_value && env.null_value)
			fuzz_fail("a value and a tombstone at once");
	} else if (!err[0]) {
		fuzz_fail("envelope refused without a reason");
	}
	hub_envelope_free(&env);
	return 0;
}
