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

# unhex TEXT: TEXT on stdout, each <xx> in it the byte of hex value xx
unhex() {
	local s=$1
	while [[ $s =~ \<([0-9a-f]{2})\> ]]; do
		printf '%s' "${s%%"${BASH_REMATCH[0]}"*}"
		printf "\\x${BASH_REMATCH[1]}"
		s=${s#*"${BASH_REMATCH[0]}"}
	done
	printf '%s\n' "$s"
}

# a case of tests/data/scan.test: paths, one input line with <xx> bytes
scan_bytes_case() {
	unhex "$2" | "$SCAN" "$1"
}

@test "escapes, control bytes, NUL, UTF-8, long names, white space: tests/data/scan.test" {
	run_cases "$BATS_TEST_DIRNAME/data/scan.test" scan_bytes_case 100
}

@test "a string's escapes, UTF-8 and wrong bytes after 0 to 79 plain bytes: across 16-byte steps and a 64-byte block" {
	local pad k v out
	for k in $(seq 0 79); do
		pad=$(printf "%${k}s" "" | tr ' ' a)
		for v in 'é' '€' '𝄞' '\"' '\\' '\u00e9' '\n'; do
			out=$(printf '{"s":"%s%s","t":1}\n' "$pad" "$v" | "$SCAN" s,t | sed -n '3,4p')
			[ "$out" = "$(printf 's a string "%s%s"\nt a number 1' "$pad" "$v")" ] ||
				{ echo "k=$k v=$v: $out"; false; }
		done
		for v in '\xc3\x28' '\xed\xa0\x80' '\xe2\x82' '\xf0\x9d\x84' '\x80' '\xff'; do
			out=$(printf "{\"s\":\"%s$v\"}\n" "$pad" | "$SCAN" s)
			[ "$out" = "error: invalid JSON at byte $((6 + k)): invalid UTF-8" ] || { echo "k=$k $v: $out"; false; }
		done
		out=$(printf '{"s":"%s\x01"}\n' "$pad" | "$SCAN" s)
		[ "$out" = "error: invalid JSON at byte $((6 + k)): control character in string" ] || { echo "k=$k: $out"; false; }
		out=$(printf '{"s":"%s\x00"}\n' "$pad" | "$SCAN" s)
		[ "$out" = "error: invalid JSON at byte $((6 + k)): NUL byte" ] || { echo "k=$k: $out"; false; }
		out=$(printf '{"s":"%s\\x"}\n' "$pad" | "$SCAN" s)
		[ "$out" = "error: invalid JSON at byte $((6 + k)): invalid escape" ] || { echo "k=$k: $out"; false; }
		out=$(printf '{"s":"%s' "$pad" | "$SCAN" s)
		[ "$out" = "error: invalid JSON at byte 5: unterminated string" ] || { echo "k=$k: $out"; false; }
	done
}

@test "512 levels of nesting are valid, 513 are not; a line of 300 KiB is scanned as one of 300 bytes" {
	local open close
	open=$(printf '%512s' "" | tr ' ' '[') close=$(printf '%512s' "" | tr ' ' ']')
	run bash -c "printf '%s\n' '$open$close' | '$SCAN' ."
	[ "$output" = "$(printf '* . an array %s\n. an array %s' "$open$close" "$open$close")" ]
	run bash -c "printf '%s\n' '[$open$close]' | '$SCAN' ."
	[ "$output" = "error: nested deeper than 512 levels" ]
	open=$(printf '%512s' "" | sed 's/ /{"a":/g') close=$(printf '%512s' "" | tr ' ' '}')
	run bash -c "printf '%s\n' '${open}1$close' | '$SCAN' a.a.a"
	[ "${lines[1]}" = "a.a.a an object ${open:15}1${close:3}" ]
	run bash -c "printf '%s\n' '{\"b\":${open}1$close}' | '$SCAN' b"
	[ "$output" = "error: nested deeper than 512 levels" ]
	long=$(head -c 307200 /dev/zero | tr '\0' y)
	printf '{"s":"%s","t":1}\n' "$long" >"$BATS_TEST_TMPDIR/long"
	[ "$("$SCAN" t <"$BATS_TEST_TMPDIR/long")" = "$(printf '* t "t" a number 1\nt a number 1')" ]
	printf '{"s":"%s\x01"}\n' "$long" >"$BATS_TEST_TMPDIR/long"
	[ "$("$SCAN" t <"$BATS_TEST_TMPDIR/long")" = "error: invalid JSON at byte 307206: control character in string" ]
	printf '{"s":"%s\xc3"}\n' "${long:0:1000}" >"$BATS_TEST_TMPDIR/long"
	[ "$("$SCAN" t <"$BATS_TEST_TMPDIR/long")" = "error: invalid JSON at byte 1006: invalid UTF-8" ]
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
