#!/usr/bin/env bats
# The libFuzzer harnesses' inputs replayed by the normal build: each
# harness of tests/fuzz/ is also linked with tests/fuzz/replay.c, which runs
# every seed (tests/fuzz/corpus/HARNESS) and every input a fuzzer once
# crashed on (tests/fuzz/regress/HARNESS) through it, checking the same
# properties libFuzzer does; under make check with ASan and UBSan. Fuzzing
# itself is make fuzz (clang), tests/fuzz/run.

load helpers

setup() {
	common_setup
	export TMPDIR="$T"
}

# replay HARNESS: all its inputs, in 1 GB of address space (a length
# inside an input must not become an allocation), each reported ok
replay() {
	local bin="$HUB_BIN/../tests/fuzz/$1-replay" inputs=() d
	[ -x "$bin" ] || { echo "$bin not built" >&2; return 1; }
	for d in "$BATS_TEST_DIRNAME/fuzz/corpus/$1" "$BATS_TEST_DIRNAME/fuzz/regress/$1"; do
		[ -d "$d" ] && inputs+=("$d"/*)
	done
	[ ${#inputs[@]} -gt 0 ] || { echo "no inputs for $1" >&2; return 1; }
	run bash -c "$(memlimit 1048576)"' exec "$0" "$@"' "$bin" "${inputs[@]}"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	[ "$(grep -c ': ok$' <<<"$output")" -eq ${#inputs[@]} ]
	# the scratch file of the file-reading harnesses is gone
	! ls "$T"/hub-fuzz.* 2>/dev/null
}

@test "fuzz inputs: the JSON scanner with field paths and the canonical form" { replay json_scan; }
@test "fuzz inputs: field-path parsing" { replay path; }
@test "fuzz inputs: the envelope reader" { replay envelope; }
@test "fuzz inputs: the Avro wire decoder over the registry" { replay avro_wire; }
@test "fuzz inputs: the Avro wire encoder over the registry" { replay avro_encode; }
@test "fuzz inputs: the dedup state file" { replay statefile; }
@test "fuzz inputs: the tokenize key file" { replay keyfile; }
@test "fuzz inputs: the tokenize policy file" { replay policy; }
@test "fuzz inputs: the schema compiler" { replay schema_compile; }

@test "every harness of tests/fuzz/ has seeds and a test here" {
	for f in "$BATS_TEST_DIRNAME"/fuzz/*.c; do
		h=$(basename "$f" .c)
		case $h in common|replay) continue ;; esac
		[ -n "$(ls "$BATS_TEST_DIRNAME/fuzz/corpus/$h")" ]
		grep -q "replay $h; }" "$BATS_TEST_FILENAME"
	done
}
