/* tests/fuzz/avro_encode.c: the Avro wire encoder over the registry (schema/avrowire.c).
 *
 * Input: a first byte choosing a schema version of the registry, then the
 * data of an event as JSON (only what the JSON scanner accepts, as the
 * tools encode no other). Checked: what the encoder takes (after the
 * check hub-validate makes) decodes, and its decoded form encodes to the
 * very same bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/buf.h"
#include "json/scan.h"
#include "schema/avrowire.h"
#include "schema/registry.h"

static struct hub_registry *reg;
static struct hub_avrowire *wire;
static const struct hub_schema_version *versions[256];
static int nversions;
static struct hub_json *js;

static void cleanup(void)
{
	hub_json_free(js);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	wire = fuzz_avrowire(&reg);
	for (int i = 0; i < reg->nsubjects; i++)
		for (int v = 0; v < reg->subjects[i].nversions && nversions < 256; v++)
			if (reg->subjects[i].versions[v].id && reg->subjects[i].versions[v].schema)
				versions[nversions++] = &reg->subjects[i].versions[v];
	js = hub_json_new();
	if (!nversions)
		fuzz_fail("registry %s: no schema with an id", fuzz_schemas());
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub_buf j = { 0 }, m1 = { 0 }, m2 = { 0 }, err = { 0 };
	const struct hub_schema_version *sv, *back;
	struct hub_span found[1];
	enum hub_json_type top;

	if (!wire)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size < 1)
		return 0;
	sv = versions[data[0] % nversions];
	/* the JSON alone in its own allocation, NUL-terminated as tools pass it */
	struct hub_buf json = { 0 };
	hub_buf_add(&json, data + 1, size - 1);
	/* tools hand the encoder lines the JSON scanner accepted (UTF-8 checked) */
	if (hub_json_scan(js, hub_buf_cstr(&json), json.len, found, &top) < 0) {
		hub_buf_free(&json);
		return 0;
	}
	if (hub_avrowire_encode_checked(wire, sv, hub_buf_cstr(&json), json.len, &m1, &err) == 0) {
		if (hub_avrowire_decode(wire, m1.data, m1.len, &j, &back, &err) < 0)
			fuzz_fail("encoded message does not decode: %.*s", (int)err.len, err.data);
		if (back != sv)
			fuzz_fail("encoded with schema id %ld, decoded with %ld", sv->id, back->id);
		if (hub_avrowire_encode_checked(wire, sv, hub_buf_cstr(&j), j.len, &m2, &err) < 0)
			fuzz_fail("decoded '%.*s' does not encode: %.*s", (int)j.len, j.data, (int)err.len, err.data);
		if (m1.len != m2.len || memcmp(m1.data, m2.data, m1.len) != 0)
			fuzz_fail("'%.*s' encodes differently after its round trip", (int)j.len, j.data);
	} else if (!err.len) {
		fuzz_fail("data refused without a reason");
	}
	hub_buf_free(&json);
	hub_buf_free(&j);
	hub_buf_free(&m1);
	hub_buf_free(&m2);
	hub_buf_free(&err);
	return 0;
}
