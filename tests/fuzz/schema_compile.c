/* tests/fuzz/schema_compile.c: the schema compiler (schema/compile.c) on any .avsc text.
 *
 * Input: a schema file's text. Checked: a schema compiled has a root and
 * can be described; a refusal has a reason. */
#include "fuzz.h"
#include "core/buf.h"
#include "schema/compile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub_buf text = { 0 }, errors = { 0 }, out = { 0 };
	struct hub_schema *s;

	hub_buf_add(&text, data, size);
	s = hub_schema_compile(hub_buf_cstr(&text), text.len, &errors);
	if (s) {
		if (!s->root)
			fuzz_fail("a compiled schema without a root");
		hub_avro_describe(s->root, &out);
		hub_schema_free(s);
	} else if (!errors.len) {
		fuzz_fail("schema refused without a reason");
	}
	hub_buf_free(&text);
	hub_buf_free(&errors);
	hub_buf_free(&out);
	return 0;
}
