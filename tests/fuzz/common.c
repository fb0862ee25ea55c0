/* tests/fuzz/common.c: the scratch file, registry and failure helpers of fuzz.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "core/buf.h"
#include "schema/avrowire.h"
#include "schema/registry.h"

#ifndef FUZZ_SCHEMAS
#define FUZZ_SCHEMAS "schemas"
#endif

static char scratch[4096];

static void remove_scratch(void)
{
	if (scratch[0])
		unlink(scratch);
}

const char *fuzz_file(const uint8_t *data, size_t size, unsigned mode)
{
	int fd;

	if (!scratch[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(scratch, sizeof(scratch), "%s/hub-fuzz.%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
		/* FUZZ_KEEP=1 leaves the file as the parser left it (how the
		 * statefile seeds were made) */
		if (!getenv("FUZZ_KEEP"))
			atexit(remove_scratch);
	}
	unlink(scratch);
	fd = open(scratch, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, mode);
	if (fd < 0)
		fuzz_fail("%s: %s", scratch, strerror(errno));
	fchmod(fd, mode);
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n < 0)
			fuzz_fail("%s: write: %s", scratch, strerror(errno));
		data += n;
		size -= (size_t)n;
	}
	close(fd);
	return scratch;
}

const char *fuzz_schemas(void)
{
	const char *dir = getenv("HUB_SCHEMAS");

	return dir && *dir ? dir : FUZZ_SCHEMAS;
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static struct hub_registry *avro_reg;
static struct hub_avrowire *avro_wire;

/* At exit: what is still held is freed, so that LeakSanitizer's report
 * at the end names only real leaks. */
static void avro_cleanup(void)
{
	hub_avrowire_free(avro_wire);
	hub_registry_free(avro_reg);
}

struct hub_avrowire *fuzz_avrowire(struct hub_registry **reg)
{
	struct hub_buf err = { 0 };

	if (!avro_wire) {
		avro_reg = hub_registry_load(fuzz_schemas(), &err);
		if (!avro_reg || avro_reg->nproblems)
			fuzz_fail("registry %s: %.*s", fuzz_schemas(), (int)err.len, err.data);
		if (!(avro_wire = hub_avrowire_new(avro_reg, &err)))
			fuzz_fail("avro-c refused the registry: %.*s", (int)err.len, err.data);
		hub_buf_free(&err);
		atexit(avro_cleanup);
	}
	*reg = avro_reg;
	return avro_wire;
}
