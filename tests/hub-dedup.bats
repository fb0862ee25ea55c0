#!/usr/bin/env bats
# hub-dedup: each event passes once, across restarts, in bounded memory.

load helpers

# ev ID [SOURCE] [TIME] [EXTRA]: one small CloudEvents-shaped event.
ev() {
	printf '{"specversion":"1.0","id":"%s","source":"%s","type":"t","time":"%s"%s}\n' \
		"$1" "${2:-/s}" "${3:-2026-03-01T08:00:00Z}" "${4:-}"
}

@test "exact duplicates: the first copy of each event passes, byte for byte, in order" {
	"$GEN" 2000 --seed 5 --dup-rate 0.2 >"$T/in"
	hub-dedup --dups "$T/dups" --dlq "$T/dlq" --stats <"$T/in" >"$T/out" 2>"$T/err"
	output=$(cat "$T/err")
	awk '!seen[$0]++' "$T/in" >"$T/expected"
	cmp "$T/out" "$T/expected"
	[ "$(count_lines "$T/out")" -lt 1900 ]
	# every dropped line is in --dups, and the two add up to the input
	[ $(( $(count_lines "$T/out") + $(count_lines "$T/dups") )) -eq 2000 ]
	diff <(sort -u "$T/dups") <(sort "$T/in" | uniq -d)
	# --stats counts them
	dropped=$(echo "$output" | grep '"tool":"hub-dedup"' | jq .dropped)
	[ "$dropped" -eq "$(count_lines "$T/dups")" ]
	[ ! -e "$T/dlq" ]
}

@test "same id, different content: dropped by key (source + id), kept by --content" {
	{ ev 1 /a; ev 1 /a 2026-03-01T09:00:00Z; ev 1 /b; ev 2 /a; } >"$T/in"
	run hub-dedup <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed -n '1p;3p;4p' "$T/in")" ]
	run hub-dedup --content <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
}

# a case of tests/data/content.test: a verdict, two events; the case as
# hub-dedup --content reads it ("same" when the second is dropped)
content_case() {
	local verdict=different
	[ "$(printf '%s\n%s\n' "$2" "$3" | hub-dedup --content | wc -l)" -eq 1 ] && verdict=same
	printf '%s\n' "$verdict" "$2" "$3"
}

@test "--content: key order, whitespace, escapes and number spelling do not matter (tests/data/content.test)" {
	run_cases "$BATS_TEST_DIRNAME/data/content.test" content_case 21 0
}

@test "--key PATH,...: the listed fields are the identity; an event without them goes to the failure store" {
	printf '%s\n' '{"data":{"order_id":"A","market":"IT"},"id":"1"}' \
		'{"data":{"order_id":"A","market":"IT"},"id":"2"}' \
		'{"data":{"order_id":"A","market":"DE"},"id":"3"}' \
		'{"data":{"market":"IT"},"id":"4"}' \
		'{"data":{"market":"IT","order_id":"\u0041"},"id":"5"}' >"$T/in"
	run hub-dedup -k data.order_id,data.market --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | grep -c '^{')" -eq 2 ]
	echo "$output" | grep -q '"id":"1"'
	echo "$output" | grep -q '"id":"3"'
	[ "$(count_lines "$T/dlq")" -eq 1 ]
	[ "$(jq -r .event.id "$T/dlq")" = 4 ]
	jq -r .reason "$T/dlq" | grep -q "no 'data.order_id'"
	# without source, the default key fails too, and says what to do
	echo '{"id":"x"}' | hub-dedup --dlq "$T/dlq2" || true
	jq -r .reason "$T/dlq2" | grep -q "no 'source'.*--key"
}

@test "bad input goes to the failure store with the reason; the rest passes byte for byte" {
	printf '%s\n' '{"id":"1","source":"s","total":19.99,"big":12345678901234567890}' '{"id":' 'text' '[1]' >"$T/in"
	printf '{"id":"2","source":"s","x":"a\0b"}\n' >>"$T/in"
	printf '{"id":"3","source":"s","x":"\xff"}\n' >>"$T/in"
	printf '%s\n' '{"id":"1","source":"s","total":19.99,"big":12345678901234567890}' >>"$T/in"
	printf '{"id":"9","source":"s","pad":"%s"}\n' "$(head -c 300 /dev/zero | tr '\0' x)" >>"$T/in"
	echo '{"id":"4","source":"s"}' >>"$T/in"
	run hub-dedup --dlq "$T/dlq" --max-line 200 <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | grep '^{')" = "$(printf '%s\n' '{"id":"1","source":"s","total":19.99,"big":12345678901234567890}' '{"id":"4","source":"s"}')" ]
	[ "$(count_lines "$T/dlq")" -eq 6 ]
	jq -r .reason "$T/dlq" | grep -q 'invalid JSON'
	jq -r .reason "$T/dlq" | grep -q 'not a JSON object'
	jq -r .reason "$T/dlq" | grep -q 'NUL byte'
	jq -r .reason "$T/dlq" | grep -q 'longer than the limit'
	# the over-long line's record holds its own bytes only, not the next line's
	[ "$(jq -r 'select(.bytes) | .event' "$T/dlq")" = "$(sed -n 8p "$T/in")" ]
}

@test "--content on deep nesting: up to the scanner's limit canonicalised, beyond it a failure" {
	deep() { printf '{"a":'; printf '%*s' "$1" '' | tr ' ' '['; printf '%*s' "$1" '' | tr ' ' ']'; echo '}'; }
	{ deep 500; deep 500; deep 600; } >"$T/in"
	run hub-dedup --content --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | grep -c '^{')" -eq 1 ]
	jq -r .reason "$T/dlq" | grep -q 'nested deeper than 512'
}

@test "--window: a duplicate is dropped inside the window of event time, passes once it has moved on" {
	{
		ev A /s 2026-03-01T08:00:00Z
		ev A /s 2026-03-01T08:00:00Z       # same event again: dropped
		ev B /s 2026-03-01T08:00:50Z
		ev A /s 2026-03-01T08:00:00Z       # 50 s later in event time: still inside 60 s
		ev C /s 2026-03-01T08:01:30Z       # event time moves past A's window
		ev A /s 2026-03-01T08:00:00Z       # A has been forgotten: passes, counted too old
		ev C /s 2026-03-01T08:01:30.500+00:00
	} >"$T/in"
	run hub-dedup --window 60s --stats <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '^{"spec')" -eq 4 ]
	[ "$(echo "$output" | grep '^{"spec' | jq -r .id | tr -d '\n')" = ABCA ]
	echo "$output" | grep '"tool"' | jq -e '.dropped == 3 and .too_old == 1'
	# without a window, A is dropped every time
	[ "$(hub-dedup <"$T/in" | jq -r .id | tr -d '\n')" = ABC ]
}

@test "--window: an event without a usable time goes to the failure store; --window-by arrival needs none" {
	printf '%s\n' '{"id":"1","source":"s"}' '{"id":"2","source":"s","time":"yesterday"}' '{"id":"3","source":"s","time":"2026-03-01T08:00:00Z"}' >"$T/in"
	run hub-dedup --window 1h --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 2 ]
	jq -r .reason "$T/dlq" | grep -q 'window-by arrival'
	run hub-dedup --window 1h --window-by arrival --dlq "$T/dlq2" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 3 ]
}

@test "--window-by arrival: a copy arriving after the window passes again" {
	ev A >"$T/a"
	run bash -c "{ cat '$T/a' '$T/a'; sleep 2.5; cat '$T/a'; } | hub-dedup --window 1s --window-by arrival"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 2 ]
}

@test "--max-keys: the oldest key is forgotten first" {
	for k in A B C A B D C; do ev "$k"; done >"$T/in"
	# remembering 2: A B C (A forgotten) A (B forgotten) B (C forgotten) D C
	run hub-dedup --max-keys 2 <"$T/in"
	[ "$(echo "$output" | jq -r .id | tr -d '\n')" = ABCABDC ]
	run hub-dedup --max-keys 3 <"$T/in"
	[ "$(echo "$output" | jq -r .id | tr -d '\n')" = ABCD ]
	run hub-dedup --max-keys 0 <"$T/in"
	[ "$status" -eq 64 ]
}

@test "memory: at most 32 bytes per remembered key, plus one ring block" {
	# 367002 keys: the index has just doubled, the worst case for slack
	for n in 1000 100000 367002; do
		seq 1 $n | awk '{printf "{\"source\":\"/m\",\"id\":\"%d\"}\n", $1}' |
			hub-dedup --stats 2>"$T/stats" >/dev/null
		grep '"tool"' "$T/stats" >"$T/line"
		[ "$(jq .keys "$T/line")" -eq $n ]
		bytes=$(jq .key_bytes "$T/line")
		echo "$n keys: $bytes bytes" >&2
		[ "$bytes" -le $((32 * n + 65536 * 20 + 4096)) ]
	done
	# with --max-keys, memory follows the limit, not the input
	seq 1 300000 | awk '{printf "{\"source\":\"/m\",\"id\":\"%d\"}\n", $1}' |
		hub-dedup --max-keys 1000 --stats 2>"$T/stats" >/dev/null
	[ "$(grep '"tool"' "$T/stats" | jq .key_bytes)" -le $((3 * 65536 * 20)) ]
}

@test "seen set: verdicts match a plain FIFO model, also across the 2^32 wrap of index slots" {
	for first in 0 4294967000 8589934000; do
		run "$HUB_BIN/../tests/helper/seenset" "$first"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == "200000 adds, "*" dups" ]]
	done
}

@test "--state: a restart remembers what the last run passed" {
	"$GEN" 3000 --seed 9 --dup-rate 0.3 >"$T/in"
	head -n 1500 "$T/in" | hub-dedup -s "$T/state" >"$T/out1"
	tail -n 1500 "$T/in" | hub-dedup -s "$T/state" >"$T/out2"
	cat "$T/out1" "$T/out2" | cmp - <(awk '!seen[$0]++' "$T/in")
	# the same input again passes nothing
	[ "$(hub-dedup -s "$T/state" <"$T/in" | wc -l)" -eq 0 ]
	# the file is a header and 32 bytes per key
	[ "$(stat -c %s "$T/state")" -eq $((64 + 32 * $(sort -u "$T/in" | wc -l))) ]
	# --max-keys applies to the keys loaded, oldest first
	[ "$(hub-dedup -s "$T/state" --max-keys 10 <"$T/in" | wc -l)" -gt 2000 ]
}

@test "--state with a window: keys outside the window are forgotten after a restart too" {
	{ ev A /s 2026-03-01T08:00:00Z; ev B /s 2026-03-01T09:00:00Z; } >"$T/in1"
	{ ev A /s 2026-03-01T08:00:00Z; ev B /s 2026-03-01T09:00:00Z; } >"$T/in2"
	hub-dedup -s "$T/state" --window 30m <"$T/in1" >/dev/null
	run hub-dedup -s "$T/state" --window 30m <"$T/in2"
	[ "$(echo "$output" | jq -r .id)" = A ]
}

@test "--state records only what was written: a failed write remembers nothing" {
	"$GEN" 200 --seed 4 >"$T/in"
	run bash -c "hub-dedup -s '$T/state' <'$T/in' >/dev/full"
	[ "$status" -eq 74 ]
	echo "$output" | grep -q 'standard output'
	[ "$(hub-dedup -s "$T/state" <"$T/in" | wc -l)" -eq 200 ]
}

@test "--state records a key only once the hub tool reading the output has made its event safe" {
	# few enough to fit in the pipe: hub-dedup writes them all, and no
	# broken pipe tells it anything
	"$GEN" 50 --seed 4 >"$T/in"
	[ "$(wc -c <"$T/in")" -lt 60000 ]
	# the next stage (a hub tool) cannot store what it reads: it never
	# acknowledges, so hub-dedup records nothing, though it wrote everything
	run bash -c "hub-dedup -s '$T/state' <'$T/in' | hub-validate --schemas '$BATS_TEST_DIRNAME/../schemas' >/dev/full"
	[ "$(hub-dedup -s "$T/state" <"$T/in" | wc -l)" -eq 50 ]
	# a reader that stores them: every key recorded, a rerun passes nothing
	hub-dedup -s "$T/state2" <"$T/in" | hub-archive -d "$T/a"
	[ "$(hub-dedup -s "$T/state2" <"$T/in" | wc -l)" -eq 0 ]
	# HUB_NO_ACK=1: no link, the old rule (written is recorded)
	run bash -c "hub-dedup -s '$T/state3' <'$T/in' | HUB_NO_ACK=1 hub-validate --schemas '$BATS_TEST_DIRNAME/../schemas' >/dev/full"
	[ "$(hub-dedup -s "$T/state3" <"$T/in" | wc -l)" -eq 0 ]
}

# slow_feed FILE: FILE in chunks of 500 lines, with pauses, like a consumer.
slow_feed() {
	split -l 500 "$1" "$T/chunk."
	for c in "$T"/chunk.*; do cat "$c"; sleep 0.05; done
	rm -f "$T"/chunk.*
}

@test "kill -9 mid-stream, then a restart: every distinct event is passed at least once" {
	"$GEN" 20000 --seed 11 --dup-rate 0.2 >"$T/in"
	slow_feed "$T/in" | hub-dedup -s "$T/state" >"$T/out1" &
	pid=$!
	sleep 0.$((RANDOM % 5 + 5))
	kill -9 "$pid" || true
	wait || true
	# the first run was cut short, not finished
	[ "$(count_lines "$T/out1")" -lt "$(sort -u "$T/in" | wc -l)" ]
	# Kafka redelivers from the last commit, at worst from the start
	run hub-dedup -s "$T/state" <"$T/in"
	[ "$status" -eq 0 ]
	echo "$output" >"$T/out2"
	diff <(sort -u "$T/out1" "$T/out2") <(sort -u "$T/in")
	# and the restart passed each event once
	[ "$(sort "$T/out2" | uniq -d | wc -l)" -eq 0 ]
	[ "$(count_lines "$T/out2")" -lt "$(sort -u "$T/in" | wc -l)" ] || [ "$(count_lines "$T/out1")" -eq 0 ]
}

@test "kill -9 again and again, compactions included: the state file is always usable" {
	"$GEN" 12000 --seed 12 --dup-rate 0.1 >"$T/in"
	for i in 1 2 3 4 5; do
		slow_feed "$T/in" | hub-dedup -s "$T/state" --max-keys 300 >>"$T/out" 2>>"$T/err" &
		pid=$!
		sleep 0.$((RANDOM % 9 + 1))
		kill -9 "$pid" || true
		wait || true
	done
	run hub-dedup -s "$T/state" --max-keys 300 <"$T/in"
	[ "$status" -eq 0 ]
	! grep -q 'error' "$T/err"
	# compaction kept the file near 300 keys, not 5 runs' worth of records
	[ "$(stat -c %s "$T/state")" -lt $((64 + 32 * (2 * 300 + 4096 + 500))) ]
	# a compaction cut short leaves no FILE.tmp behind once a run has started
	[ ! -e "$T/state.tmp" ]
}

@test "a record cut short at the end (a write interrupted) is dropped with a warning" {
	for k in A B C; do ev "$k"; done >"$T/in"
	hub-dedup -s "$T/state" <"$T/in" >/dev/null
	size=$(stat -c %s "$T/state")
	truncate -s $((size - 10)) "$T/state"
	run hub-dedup -s "$T/state" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep '^{' | jq -r .id)" = C ]
	echo "$output" | grep -q 'warning: .*cut short'
	[ "$(stat -c %s "$T/state")" -eq "$size" ]
}

# flip_byte FILE OFFSET: inverts every bit of one byte in place
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "a corrupt state file is detected and left alone, never silently used" {
	for k in A B C D; do ev "$k"; done >"$T/in"
	hub-dedup -s "$T/state" <"$T/in" >/dev/null
	cp "$T/state" "$T/good"
	# a flipped byte in the second record (its bits inverted: records hold
	# random-keyed hashes, so writing a fixed value could leave it unchanged)
	flip_byte "$T/state" $((64 + 32 + 3))
	cp "$T/state" "$T/bad"
	run hub-dedup -s "$T/state" <"$T/in"
	[ "$status" -eq 65 ]
	echo "$output" | grep -q 'error: state file .*damaged record at byte 96'
	! echo "$output" | grep -q '^{'
	cmp "$T/state" "$T/bad"
	# a damaged header
	cp "$T/good" "$T/state"
	flip_byte "$T/state" 20
	run hub-dedup -s "$T/state" <"$T/in"
	[ "$status" -eq 65 ]
	echo "$output" | grep -q 'header is damaged'
	# a file that is not a state file at all
	echo 'important notes' >"$T/notes"
	run hub-dedup -s "$T/notes" <"$T/in"
	[ "$status" -eq 65 ]
	echo "$output" | grep -q 'not a hub-dedup state file'
	[ "$(cat "$T/notes")" = 'important notes' ]
}

@test "a state file made with other key options is refused (78); one process per state file (69)" {
	ev A >"$T/in"
	hub-dedup -s "$T/state" <"$T/in" >/dev/null
	run hub-dedup -s "$T/state" --content <"$T/in"
	[ "$status" -eq 78 ]
	echo "$output" | grep -q 'another key definition'
	run hub-dedup -s "$T/state" -k id <"$T/in"
	[ "$status" -eq 78 ]
	# the same key spelt out is the same definition
	run hub-dedup -s "$T/state" -k source,id <"$T/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a second process while the first one runs
	mkfifo "$T/fifo"
	hub-dedup -v -s "$T/state" <"$T/fifo" >/dev/null 2>"$T/err1" &
	exec 7>"$T/fifo"
	# until the first one has loaded its state (and so holds the lock)
	for _ in $(seq 1 200); do grep -q 'keys remembered' "$T/err1" && break; sleep 0.05; done
	run hub-dedup -s "$T/state" <"$T/in"
	exec 7>&-
	wait
	[ "$status" -eq 69 ]
	echo "$output" | grep -q 'in use by another hub-dedup'
}

@test "SIGTERM: events read so far are written and recorded before exit" {
	ev A >"$T/in"
	mkfifo "$T/fifo"
	hub-dedup -s "$T/state" <"$T/fifo" >"$T/out" &
	pid=$!
	exec 7>"$T/fifo"
	cat "$T/in" >&7
	for _ in $(seq 1 50); do [ -s "$T/out" ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid"
	exec 7>&-
	cmp "$T/out" "$T/in"
	[ -z "$(hub-dedup -s "$T/state" <"$T/in")" ]
}

@test "usage errors exit 64 with a hint; --help and --version" {
	run hub-dedup --content -k id
	[ "$status" -eq 64 ]
	echo "$output" | grep -q 'exclude each other'
	run hub-dedup --window soon
	[ "$status" -eq 64 ]
	run hub-dedup --window-by arrival
	[ "$status" -eq 64 ]
	run hub-dedup extra-arg
	[ "$status" -eq 64 ]
	run hub-dedup --help
	[ "$status" -eq 0 ]
	echo "$output" | grep -q -- '--state FILE'
	run hub-dedup --version
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^hub-dedup '
}

@test "--state in a folder that does not exist yet: created (0700), and errors name the path given" {
	"$GEN" 50 --seed 41 >"$T/in"
	hub-dedup --state "$T/var/lib/hub/orders.dedup" <"$T/in" >"$T/out"
	[ -f "$T/var/lib/hub/orders.dedup" ]
	[ "$(stat -c %a "$T/var/lib/hub")" = 700 ]
	cmp "$T/in" "$T/out"
	# a path that cannot be: the message names it, not an internal .tmp file
	touch "$T/file"
	run hub-dedup --state "$T/file/sub/s.dedup" <"$T/in"
	[ "$status" -eq 74 ]
	grep -q "state file $T/file/sub/s.dedup: Not a directory" <<<"$output"
	! grep -q '\.tmp' <<<"$output"
}
