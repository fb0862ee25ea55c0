#!/usr/bin/env bats
# libhub's JSON scanner and field paths, driven by tests/data/*.test.

load helpers

SCAN="$HUB_BIN/../tests/helper/scan"

# a case of tests/data/fieldpaths.test: paths, one input line
scan_case() {
	printf '%s\n' "$2" | "$SCAN" "$1"
}

@test "field paths and spans: tests/data/fieldpaths.test" {
	run_cases "$BATS_TEST_DIRNAME/data/fieldpaths.test" scan_case 16
}

@test "every n_ document of JSONTestSuite is rejected, never a crash" {
	need_peers "$JSONSUITE"
	for f in "$JSONSUITE"/n_*.json; do
		[ -s "$f" ] || continue
		out=$("$SCAN" . <"$f")
		st=$?
		[ "$st" -eq 0 ] || { echo "$f: exit $st"; false; }
		# each line is an error or not an object
		if echo "$out" | grep -q '^\. an object'; then echo "$f accepted: $out"; false; fi
	done
}

@test "every y_ document of JSONTestSuite is accepted" {
	need_peers "$JSONSUITE"
	for f in "$JSONSUITE"/y_*.json; do
		out=$(tr -d '\n' <"$f" | "$SCAN" .)
		if echo "$out" | grep -q '^error'; then echo "$f rejected: $out"; false; fi
	done
}

@test "deep nesting, NUL bytes and invalid UTF-8 are errors with a reason" {
	run bash -c "head -c 100000 /dev/zero | tr '\\0' '[' | '$SCAN' ."
	[ "$status" -eq 0 ]
	[[ "$output" == "error: "*"nested deeper than 512 levels"* ]]
	run bash -c "printf '{\"a\":\"x\\0y\"}\n' | '$SCAN' a"
	[[ "$output" == "error: invalid JSON at byte"* ]]
	run bash -c "printf '{\"a\":\"\\xc3\\x28\"}\n' | '$SCAN' a"
	[[ "$output" == "error: invalid JSON at byte"* ]]
	run bash -c "printf '{\"a\":\"\\xed\\xa0\\x80\"}\n' | '$SCAN' a"
	[[ "$output" == "error: invalid JSON at byte"* ]]
}
