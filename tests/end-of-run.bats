#!/usr/bin/env bats
# The end of run every tool shares (hub_finish(), lib/stream/finish.c): the
# "N of M events" warning, the failure store closed, standard output closed
# the sbase fshut way, and one rule: a close that fails makes the status 74.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."

setup() {
	common_setup
	export HUB_SCHEMAS="$ROOT/schemas" HUB_DLQ="$T/dlq"
	hub-tokenize --genkey "$T/key" 2>/dev/null
	"$GEN" 20 >"$T/events"
	{ head -n 5 "$T/events"; echo 'not json'; tail -n 5 "$T/events"; } >"$T/mixed"
}

# each filter tool, as a command line that reads events on stdin and writes stdout
filters() {
	printf '%s\n' "hub-validate" "hub-dedup" "hub-tokenize --key-file $T/key -f data.customer.email" \
		"hub-archive -d $T/archive --tee"
}

@test "stdout on /dev/full: each filter tool says so and exits 74" {
	while read -r tool; do
		rm -rf "$T/archive"
		st=0
		$tool <"$T/events" >/dev/full 2>"$T/err" || st=$?
		[ "$st" -eq 74 ] || { echo "$tool: exit $st"; cat "$T/err"; false; }
		grep -q 'standard output: No space left on device' "$T/err"
	done < <(filters)
}

@test "a failure store that cannot be written: 74, not 1, and the warning does not claim the events are kept" {
	while read -r tool; do
		rm -rf "$T/archive"
		st=0
		$tool --dlq /dev/full <"$T/mixed" >/dev/null 2>"$T/err" || st=$?
		[ "$st" -eq 74 ] || { echo "$tool: exit $st"; cat "$T/err"; false; }
		grep -q 'the failure store /dev/full could not keep them all' "$T/err"
		! grep -q 'they are in the failure store' "$T/err"
	done < <(filters)
	# and when it can, exit 1 and the warning names it
	hub-dedup --dlq "$T/fs" <"$T/mixed" >/dev/null 2>"$T/err" || st=$?
	[ "$st" -eq 1 ]
	grep -q "warning: 1 of 11 events failed; they are in the failure store $T/fs" "$T/err"
}

@test "the Kafka tools: a failure store that cannot be written gives 74" {
	start_devbroker -T t:1
	st=0
	hub-produce -b "$BROKER" -t t --dlq /dev/full <"$T/mixed" 2>"$T/err" || st=$?
	[ "$st" -eq 74 ] || { cat "$T/err"; false; }
	echo 'not json' | hub-produce -b "$BROKER" -t t --raw
	st=0
	hub-consume -b "$BROKER" -t t -e --dlq /dev/full >/dev/null 2>"$T/err" || st=$?
	[ "$st" -eq 74 ] || { cat "$T/err"; false; }
}

@test "behind hub-consume -G, a failure the store cannot keep is never committed: the rerun reads it again" {
	start_devbroker -T in:1 -T out:1
	# event 6 has a type the registry lacks: hub-produce --format avro fails
	# it, and the failure store is a full disk
	{ head -n 5 "$T/events"; echo '{"specversion":"1.0","id":"x6","source":"/s","type":"com.example.nope","data":{}}'; tail -n 5 "$T/events"; } >"$T/feed"
	hub-produce -b "$BROKER" -t in <"$T/feed"
	st=0
	hub-consume -b "$BROKER" -G g -t in -e | hub-produce -b "$BROKER" -t out --format avro --dlq /dev/full 2>"$T/err" || st=$?
	[ "$st" -eq 74 ] || { cat "$T/err"; false; }
	# nothing from the unrecorded failure on was acknowledged: the group reads it again
	hub-consume -b "$BROKER" -G g -t in -e >"$T/again"
	grep -q '"id":"x6"' "$T/again"
	[ "$(grep -c '' "$T/again")" -ge 6 ]
}

@test "registry commands and archive searches: stdout on /dev/full exits 74" {
	run bash -c 'hub-validate --list >/dev/full'
	[ "$status" -eq 74 ]
	[[ "$output" == *"writing standard output: No space left on device"* ]]
	hub-archive -d "$T/archive" <"$T/events"
	run bash -c "hub-archive -d '$T/archive' find >/dev/full"
	[ "$status" -eq 74 ]
	# one message, not one per layer
	[ "$(grep -c 'standard output' <<<"$output")" -eq 1 ]
}

@test "| head: each tool stops quietly when its reader has gone, and ends by SIGPIPE (141) as cat and grep do" {
	"$GEN" 20000 --seed 2 >"$T/many"
	while read -r tool; do
		rm -rf "$T/archive"
		$tool <"$T/many" 2>"$T/err" | head -n 1 >/dev/null
		st=${PIPESTATUS[0]}
		[ "$st" -eq 141 ] || { echo "$tool: exit $st"; cat "$T/err"; false; }
		[ ! -s "$T/err" ] || { echo "$tool said:"; cat "$T/err"; false; }
	done < <(filters)
	# hub-produce --tee too, once its events are delivered
	start_devbroker -T t:1
	hub-produce -b "$BROKER" -t t --tee <"$T/many" 2>"$T/err" | head -n 1 >/dev/null
	st=${PIPESTATUS[0]}
	[ "$st" -eq 141 ] || { echo "hub-produce --tee: exit $st"; cat "$T/err"; false; }
	[ ! -s "$T/err" ] || { cat "$T/err"; false; }
	# with -v, the tool says why it stopped
	hub-dedup -v <"$T/many" 2>"$T/err" | head -n 1 >/dev/null
	grep -q "standard output was closed by its reader; stopping" "$T/err"
}
