#!/usr/bin/env bats
# libhub's filter loop (lib/stream/filter.c), the one under hub-validate,
# hub-tokenize and hub-dedup, driven by tests/helper/filter.c.

load helpers

FILTER="$HUB_BIN/../tests/helper/filter"

@test "verdicts: passed lines out as they came, failed and dropped counted, exit 1 when any failed" {
	printf 'a\nfail 1\nb\ndrop 1\n\nc' >"$T/in"
	run bash -c "'$FILTER' <'$T/in' >'$T/out' 2>'$T/err'"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/out")" = "$(printf 'a\nb\n\nc')" ]
	grep -q '^in 6 out 4 failed 1 flushes [0-9]* unwritten 0 status 1$' "$T/err"
	printf 'a\ndrop\n' | "$FILTER" >/dev/null
}

@test "the flushed hook runs only once everything passed so far is written, batch after batch" {
	seq 1 300000 | sed 's/^\(.*7\)$/fail \1/; s/^\(.*3\)$/drop \1/' >"$T/in"
	run bash -c "'$FILTER' <'$T/in' >'$T/out' 2>'$T/err'"
	[ "$status" -eq 1 ]
	! grep -q 'hook before write' "$T/err"
	[ "$(grep -c '^flushed' "$T/err")" -gt 3 ]
	cmp "$T/out" <(grep -v '^fail\|^drop' "$T/in")
}

@test "a slow producer's line goes out before the next one arrives" {
	run bash -c "{ echo first; sleep 1; echo second; } | '$FILTER' >'$T/out' 2>'$T/err'"
	[ "$status" -eq 0 ]
	grep -qx 'flushed 6' "$T/err"
	[ "$(cat "$T/out")" = "$(printf 'first\nsecond')" ]
}

@test "a line half received does not hold back the whole line before it" {
	run bash -c "{ printf 'first\\nsec'; sleep 1; printf 'ond\\n'; } | '$FILTER' >'$T/out' 2>'$T/err'"
	[ "$status" -eq 0 ]
	grep -qx 'flushed 6' "$T/err"
	[ "$(cat "$T/out")" = "$(printf 'first\nsecond')" ]
}

@test "a write error: reported, the unwritten hook runs, no flushed hook after it, exit 74" {
	seq 1 1000 >"$T/in"
	run bash -c "'$FILTER' <'$T/in' 2>&1 >/dev/full"
	[ "$status" -eq 74 ]
	echo "$output" | grep -q 'writing standard output: No space left on device'
	echo "$output" | grep -q 'flushes 1 unwritten 1 status 74$'
}

@test "SIGUSR1 prints the stats line at any time in hub-validate, hub-tokenize and hub-dedup" {
	"$GEN" 5 --seed 3 >"$T/in"
	hub-tokenize --genkey "$T/key" 2>/dev/null
	for tool in "hub-validate --schemas $BATS_TEST_DIRNAME/../schemas" \
		"hub-tokenize --key-file $T/key -f data.customer.email" "hub-dedup"; do
		rm -f "$T/fifo" "$T/out" "$T/err"
		mkfifo "$T/fifo"
		$tool <"$T/fifo" >"$T/out" 2>"$T/err" &
		local pid=$!
		exec 7>"$T/fifo"
		cat "$T/in" >&7
		wait_until 10 lines_at_least "$T/out" 5
		kill -USR1 "$pid"
		wait_until 10 grep -q '^{"tool":"hub-' "$T/err"
		exec 7>&-
		wait "$pid"
		# the input was still open: the line counts what had passed then
		grep '^{"tool":"hub-' "$T/err" | jq -e '.in == 5 and .out == 5 and .failed == 0'
	done
}
