/* tests/helper/canonical.c: test driver for lib/schema/canonical.c.
 *
 *   canonical < schema.avsc      the Parsing Canonical Form, one line
 *
 * tests/registry-clients.bats compares it with fastavro's. */
#include <stdio.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/diag.h"
#include "schema/canonical.h"

int main(int argc, char **argv)
{
	struct hub_buf in = { 0 }, out = { 0 }, err = { 0 };
	char chunk[65536];
	ssize_t n;
	int status = 0;

	hub_diag_init(argv[0]);
	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) > 0)
		hub_buf_add(&in, chunk, n);
	if (hub_avro_canonical(in.data ? in.data : "", in.len, &out, &err) < 0) {
		fprintf(stderr, "canonical: %s\n", hub_buf_cstr(&err));
		status = 1;
	} else {
		printf("%s\n", hub_buf_cstr(&out));
	}
	hub_buf_free(&in);
	hub_buf_free(&out);
	hub_buf_free(&err);
	return status;
}
