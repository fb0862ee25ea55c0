/* tests/fuzz/avro_wire.c: the Avro wire decoder over the registry (schema/avrowire.c).
 *
 * Input: a framed message (magic byte, schema id, Avro binary), as a
 * producer anywhere may send it. Checked: memory stays bounded whatever
 * the lengths inside say; what decodes encodes again (checked against its
 * schema, as hub-validate does) to a message that decodes to the same
 * JSON. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/buf.h"
#include "schema/avrowire.h"
#include "schema/registry.h"

static struct hub_registry *reg;
static struct hub_avrowire *wire;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	wire = fuzz_avrowire(&reg);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub_buf j1 = { 0 }, j2 = { 0 }, m = { 0 }, err = { 0 };
	const struct hub_schema_version *sv, *sv2;

	if (!wire)
		LLVMFuzzerInitialize(NULL, NULL);
	if (hub_avrowire_decode(wire, size ? (const void *)data : "", size, &j1, &sv, &err) == 0) {
		if (hub_avrowire_encode_checked(wire, sv, j1.data, j1.len, &m, &err) < 0)
			fuzz_fail("decoded '%.*s' does not encode again: %.*s", (int)j1.len, j1.data, (int)err.len,
			          err.data);
		if (hub_avrowire_decode(wire, m.data, m.len, &j2, &sv2, &err) < 0)
			fuzz_fail("re-encoded message does not decode: %.*s", (int)err.len, err.data);
		if (sv2 != sv || j1.len != j2.len || memcmp(j1.data, j2.data, j1.len) != 0)
			fuzz_fail("round trip changed '%.*s' into '%.*s'", (int)j1.len, j1.data, (int)j2.len, j2.data);
	} else if (!err.len) {
		fuzz_fail("message refused without a reason");
	}
	hub_buf_free(&j1);
	hub_buf_free(&j2);
	hub_buf_free(&m);
	hub_buf_free(&err);
	return 0;
}
