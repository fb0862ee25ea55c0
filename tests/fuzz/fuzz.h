/* tests/fuzz/fuzz.h: what the libFuzzer harnesses of tests/fuzz/ share.
 *
 * Each harness is one LLVMFuzzerTestOneInput() over one parser of libhub.
 * It is linked twice: with clang's -fsanitize=fuzzer for `make fuzz`, and
 * with tests/fuzz/replay.c in the normal build, where it runs the inputs
 * kept under tests/fuzz/regress/<harness>/ (tests/fuzz.bats). A harness
 * checks what must hold of any input (no crash, spans inside the input,
 * a canonical text that is canonical) and calls fuzz_fail() otherwise. */
#ifndef HUB_FUZZ_H
#define HUB_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Writes data to this process's scratch file (in $TMPDIR, removed at
 * exit, unless $FUZZ_KEEP is set) with the given mode and returns its path, for parsers that read a
 * file by name. */
const char *fuzz_file(const uint8_t *data, size_t size, unsigned mode);

/* The registry the Avro harnesses load: $HUB_SCHEMAS, else the source
 * tree's schemas/ (FUZZ_SCHEMAS, set by the Makefile). */
const char *fuzz_schemas(void);

/* The registry of fuzz_schemas() and its Avro codecs, loaded once and
 * freed at exit; a registry that does not load is a failure. */
struct hub_registry;
struct hub_avrowire;
struct hub_avrowire *fuzz_avrowire(struct hub_registry **reg);

/* A property that must hold did not: says so and aborts (a crash to
 * libFuzzer, a failed replay to the suite). */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
