/* tests/fuzz/replay.c: a harness's inputs replayed without libFuzzer.
 *
 *   HARNESS-replay FILE...     runs each file through the harness once
 *
 * The normal build links every tests/fuzz/<harness>.c with this main, so
 * the suite (tests/fuzz.bats) replays the regression inputs of
 * tests/fuzz/regress/<harness>/ with gcc, and under `make check` with the
 * sanitizers, where clang's libFuzzer is not there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *data = NULL;
		size_t len = 0, cap = 0;

		if (!f) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 66;
		}
		for (;;) {
			if (len == cap) {
				cap = cap ? cap * 2 : 4096;
				if (!(data = realloc(data, cap)))
					return 70;
			}
			size_t n = fread(data + len, 1, cap - len, f);
			if (n == 0)
				break;
			len += n;
		}
		fclose(f);
		/* a copy of exactly len bytes, so that ASan sees a read past the end */
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, data, len);
		free(data);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		printf("%s: ok\n", argv[i]);
	}
	return 0;
}
