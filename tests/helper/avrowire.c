/* tests/helper/avrowire.c: test driver for libhub's Avro wire format (lib/schema/avrowire.c).
 *
 *   avrowire encode REGISTRY SUBJECT [VERSION] < data.json > message.bin
 *   avrowire decode REGISTRY < message.bin > data.json
 *
 * One JSON value (the data of an event) or one framed message per run, so
 * tests/hub-validate.bats can hand the bytes to python3-avro and back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema/check-internal.h"
#include "schema/avrowire.h"
#include "core/diag.h"
#include "schema/registry.h"

int main(int argc, char **argv)
{
	struct hub_buf in = { 0 }, out = { 0 }, err = { 0 };
	struct hub_registry *reg;
	struct hub_avrowire *w;
	char chunk[65536];
	ssize_t n;
	int status = 0;

	hub_diag_init(argv[0]);
	if (argc < 3 || (strcmp(argv[1], "encode") == 0 && argc < 4)) {
		fprintf(stderr, "usage: avrowire encode REGISTRY SUBJECT [VERSION] | decode REGISTRY\n");
		return 64;
	}
	reg = hub_registry_load(argv[2], &err);
	if (!reg || reg->nproblems) {
		fprintf(stderr, "%.*s", (int)err.len, err.data);
		return 78;
	}
	w = hub_avrowire_new(reg, &err);
	if (!w) {
		fprintf(stderr, "%.*s\n", (int)err.len, err.data);
		return 78;
	}
	while ((n = read(0, chunk, sizeof(chunk))) > 0)
		hub_buf_add(&in, chunk, n);
	if (strcmp(argv[1], "encode") == 0) {
		const struct hub_subject *s = hub_registry_find(reg, argv[3], strlen(argv[3]));
		const struct hub_schema_version *sv = s ? hub_subject_version(s, argc > 4 ? atoi(argv[4]) : 0) : NULL;
		struct hub_avrocheck *ck = hub_avrocheck_new();

		while (in.len && (in.data[in.len - 1] == '\n'))
			in.len--;
		if (!sv) {
			fprintf(stderr, "no such subject or version\n");
			status = 1;
		} else if (hub_avrocheck_value(ck, sv->schema->root, hub_buf_cstr(&in), in.len) < 0) {
			fprintf(stderr, "invalid: %s: expected %s, found %s\n", hub_avrocheck_path(ck),
			        hub_avrocheck_expected(ck), hub_avrocheck_found(ck));
			status = 1;
		} else if (hub_avrowire_encode(w, sv, in.data, in.len, &out, &err) < 0) {
			fprintf(stderr, "encode: %.*s\n", (int)err.len, err.data);
			status = 1;
		}
		hub_avrocheck_free(ck);
	} else {
		const struct hub_schema_version *sv;

		if (hub_avrowire_decode(w, in.data ? in.data : "", in.len, &out, &sv, &err) < 0) {
			fprintf(stderr, "decode: %.*s\n", (int)err.len, err.data);
			status = 1;
		} else {
			hub_buf_addc(&out, '\n');
		}
	}
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	hub_avrowire_free(w);
	hub_registry_free(reg);
	hub_buf_free(&in);
	hub_buf_free(&out);
	hub_buf_free(&err);
	return status;
}
