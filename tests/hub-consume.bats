#!/usr/bin/env bats
# hub-consume: Kafka to NDJSON, byte for byte; groups resume where they
# stopped, and no event is lost to a closed pipe or a signal.

load helpers

# produce TOPIC [kcat options] < lines: one message a line, with kcat.
produce() {
	local topic=$1
	shift
	kcat -P -b "$BROKER" -t "$topic" "$@"
}

# The dev broker (librdkafka's mock cluster) makes a new member wait until
# the group's previous members' sessions are over (45 s by default) and
# rebalances after session.timeout.ms - 1 s; short sessions keep group
# tests to a few seconds. A real cluster needs none of this.
GROUPX=(-X session.timeout.ms=3000 -X heartbeat.interval.ms=300)

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s.
@test "values round-trip byte for byte, in partition order" {
	start_devbroker -T t1:1
	"$GEN" 200 --seed 1 >"$T/in"
	printf '%s\n' '{"z":1,"a":19.99,"big":12345678901234567890,"s":"Zoë \u00e9 \"q\" 東京","n":[1.0,-0.0]}' \
		'{ "spaced" : true }' >>"$T/in"
	produce t1 <"$T/in"
	run hub-consume -t t1 -o beginning -e --dlq "$T/dlq"
	[ "$status" -eq 0 ]
	[ -z "$(echo "$output" | grep '^hub-consume:' || true)" ]
	hub-consume -t t1 -o beginning -e >"$T/out"
	cmp "$T/in" "$T/out"
	[ ! -e "$T/dlq" ]
}

@test "every partition is read: 4 partitions, each event once" {
	start_devbroker -T t4:4
	"$GEN" 300 --seed 2 >"$T/in"
	produce t4 <"$T/in"
	hub-consume -t t4 -o beginning -e >"$T/out"
	diff <(sort "$T/in") <(sort "$T/out")
}

@test "the default offset is the beginning, as with kcat; -o end reads only what comes next" {
	start_devbroker -T t1:1
	"$GEN" 5 --seed 3 | tee "$T/in" | produce t1
	hub-consume -t t1 -e >"$T/out"
	cmp "$T/in" "$T/out"
	run hub-consume -t t1 -o end -e
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "--envelope carries topic, partition, offset, key and headers, and embeds JSON values" {
	start_devbroker -T t2:2
	echo '{"id":"e-1","n":1.50}' | produce t2 -p 1 -k ORD-1 -H origin=shop-17 -H trace=abc
	echo 'not json' | produce t2 -p 0
	hub-consume -t t2 -o beginning -e --envelope >"$T/out"
	[ "$(count_lines "$T/out")" -eq 2 ]
	jq -e -s 'map(select(.partition == 1))[0] | .topic == "t2" and .offset == 0 and .key == "ORD-1"
		and .headers == {"origin":"shop-17","trace":"abc"} and .value.id == "e-1"
		and .timestamp_type == "create" and (.timestamp | type) == "number"' "$T/out"
	# the value's bytes are embedded as they were (1.50 stays 1.50)
	grep -qF '"value":{"id":"e-1","n":1.50}}' "$T/out"
	jq -e -s 'map(select(.partition == 0))[0] | .value_text == "not json" and .key == null and (has("value") | not)' "$T/out"
	# -J is kcat's name for it
	diff <(hub-consume -t t2 -o beginning -e -J | sort) <(sort "$T/out")
}

@test "hub-consume --envelope | hub-produce --envelope copies a topic: keys, headers, partitions, values" {
	start_devbroker -T src:3 -T dst:3
	"$GEN" 300 --seed 9 | hub-produce -t src -H origin=test
	printf 'bin\377ary' | produce src -p 2 -k "$(printf 'k\377')"
	echo 'plain text' | produce src -p 1
	hub-consume -t src -e --envelope >"$T/src"
	jq -c 'del(.offset, .timestamp, .timestamp_type) | .topic = "dst"' "$T/src" | hub-produce --envelope
	hub-consume -t dst -e --envelope >"$T/dst"
	[ "$(count_lines "$T/dst")" -eq 302 ]
	proj='del(.topic, .offset, .timestamp, .timestamp_type)'
	diff <(jq -c "$proj" "$T/src" | sort) <(jq -c "$proj" "$T/dst" | sort)
	# the same key lands in the same partition, in the same order
	diff <(jq -c 'select(.partition == 0) | .value' "$T/src") <(jq -c 'select(.partition == 0) | .value' "$T/dst")
	jq -e -s 'map(select(.value_base64))[0] | .key_base64 == "a/8=" and .value_base64 == "Ymlu/2FyeQ==" and .partition == 2' "$T/dst"
}

@test "values that are not one JSON object on one line go to the failure store, with their coordinates" {
	start_devbroker -T t1:1
	# '|' separates messages here, so one value can hold a newline
	printf '%s|' '{"ok":1}' 'plain text' '[1,2]' "$(printf '{"a":\n1}')" '{"ok":2}' | produce t1 -D '|'
	printf 'k9:\n' | produce t1 -K : -Z    # a tombstone: key k9, no value
	run hub-consume -t t1 -o beginning -e --dlq "$T/dlq"
	[ "$status" -eq 1 ]
	[ "$(hub-consume -t t1 -o beginning -e --dlq /dev/null 2>/dev/null)" = "$(printf '{"ok":1}\n{"ok":2}')" ]
	[ "$(count_lines "$T/dlq")" -eq 4 ]
	jq -e -s '.[0] | .tool == "hub-consume" and .topic == "t1" and .partition == 0 and .offset == 1
		and .event == "plain text" and (.reason | startswith("value is not JSON"))' "$T/dlq"
	jq -e -s '.[1] | .offset == 2 and .event == [1,2] and .reason == "value is an array, not a JSON object"' "$T/dlq"
	# kept as a string, so the failure store stays one record a line
	jq -e -s '.[2] | .offset == 3 and .event == "{\"a\":\n1}" and (.reason | contains("several lines"))' "$T/dlq"
	jq -e -s '.[3] | .offset == 5 and .event == null and .key == "k9" and .reason == "null value (tombstone)"' "$T/dlq"
	[[ "$output" == *"4 of 6 events failed"* ]]
}

@test "-c COUNT stops after COUNT messages" {
	start_devbroker -T t1:1
	"$GEN" 50 --seed 4 >"$T/in"
	produce t1 <"$T/in"
	run hub-consume -t t1 -o beginning -c 7
	[ "$status" -eq 0 ]
	[ "$output" = "$(head -n 7 "$T/in")" ]
}

@test "-o -N reads the last N of each partition, -o N from offset N" {
	start_devbroker -T t1:1
	"$GEN" 20 --seed 5 >"$T/in"
	produce t1 <"$T/in"
	[ "$(hub-consume -t t1 -o -5 -e)" = "$(tail -n 5 "$T/in")" ]
	[ "$(hub-consume -t t1 -o 17 -e)" = "$(tail -n 3 "$T/in")" ]
}

@test "-p reads one partition only" {
	start_devbroker -T t4:4
	"$GEN" 10 --seed 6 >"$T/p2"
	"$GEN" 10 --seed 7 >"$T/p0"
	produce t4 -p 2 <"$T/p2"
	produce t4 -p 0 <"$T/p0"
	[ "$(hub-consume -t t4 -p 2 -o beginning -e)" = "$(cat "$T/p2")" ]
	run hub-consume -t t4 -p 9 -o beginning -e
	[ "$status" -eq 64 ]
	[[ "$output" == *"topic t4 has no partition 9 (it has 4)"* ]]
}

@test "-o s@TIMESTAMP: the dev broker answers every time look-up with -1, so it reads from the end" {
	# librdkafka's mock cluster does not index by time: offsets-for-times
	# is always -1 (no such message), which means the end of the partition.
	# A real broker would start at the first message at or after the time.
	start_devbroker -T t1:1
	"$GEN" 5 --seed 8 | produce t1
	run hub-consume -t t1 -o s@0 -e
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a ^regex topic reads every matching topic" {
	start_devbroker -T orders.eu:1 -T orders.us:2 -T payments:1
	echo '{"at":"eu"}' | produce orders.eu
	echo '{"at":"us"}' | produce orders.us
	echo '{"at":"pay"}' | produce payments
	[ "$(hub-consume -t '^orders\..*' -o beginning -e | sort)" = "$(printf '{"at":"eu"}\n{"at":"us"}')" ]
	run hub-consume -t '^nothing.*' -o beginning -e
	[ "$status" -eq 66 ]
}

@test "a topic that does not exist is an error, not a wait (without -G)" {
	start_devbroker -T t1:1
	run hub-consume -t nosuch -o beginning -e
	[ "$status" -eq 66 ]
	[[ "$output" == *"topic nosuch does not exist"* ]]
}

@test "two group members split the partitions: each message exactly once" {
	start_devbroker -T t4:4
	hub-consume -G split -t t4 -v "${GROUPX[@]}" >"$T/a" 2>"$T/a.err" &
	local a=$!
	hub-consume -G split -t t4 -v "${GROUPX[@]}" >"$T/b" 2>"$T/b.err" &
	local b=$!
	# both hold partitions before anything is produced
	wait_until 20 grep -q 'assigned [1-9]' "$T/a.err"
	wait_until 20 grep -q 'assigned [1-9]' "$T/b.err"
	"$GEN" 400 --seed 9 >"$T/in"
	# keyed by id, so the events spread over all four partitions (unkeyed,
	# librdkafka's sticky partitioner may put a whole batch on one)
	hub-produce -b "$BROKER" -t t4 -k id <"$T/in"
	wait_until 20 eval '[ $(($(count_lines "$T/a") + $(count_lines "$T/b"))) -ge 400 ]'
	kill -TERM "$a" "$b"
	wait "$a"
	wait "$b"
	echo "a:"; cat "$T/a.err"; echo "b:"; cat "$T/b.err"   # shown when the test fails
	# each member read its share, unless a later rebalance (a member's
	# session lapsing on a starved machine) handed all partitions to one
	if ! for f in "$T/a.err" "$T/b.err"; do sed '/stopping/q' "$f"; done | grep -q 'revoked [1-9]\|lost [1-9]'; then
		[ "$(count_lines "$T/a")" -gt 0 ]
		[ "$(count_lines "$T/b")" -gt 0 ]
	fi
	diff <(sort "$T/in") <(sort "$T/a" "$T/b")
}

@test "a group resumes from its committed offset: nothing lost, nothing read twice" {
	start_devbroker -T t2:2
	"$GEN" 100 --seed 10 >"$T/in"
	produce t2 <"$T/in"
	run hub-consume -G resume -t t2 -c 10 "${GROUPX[@]}"
	[ "$status" -eq 0 ]
	echo "$output" >"$T/first"
	[ "$(count_lines "$T/first")" -eq 10 ]
	hub-consume -G resume -t t2 -e "${GROUPX[@]}" >"$T/second"
	[ "$(count_lines "$T/second")" -eq 90 ]
	diff <(sort "$T/in") <(sort "$T/first" "$T/second")
}

@test "closed stdout (| head): quiet, ended by SIGPIPE as cat ends, and the next run gets every event head did not print" {
	start_devbroker -T t1:1
	"$GEN" 2000 --seed 11 >"$T/in"
	produce t1 <"$T/in"
	hub-consume -G pipe -t t1 "${GROUPX[@]}" 2>"$T/err" | head -n 5 >"$T/head"
	[ "${PIPESTATUS[0]}" -eq 141 ]
	[ ! -s "$T/err" ] || { cat "$T/err"; false; }
	[ "$(count_lines "$T/head")" -eq 5 ]
	hub-consume -G pipe -t t1 -e "${GROUPX[@]}" >"$T/rest"
	# at least once: repeats are allowed, a missing event is not
	[ -z "$(comm -23 <(sort -u "$T/in") <(sort -u "$T/head" "$T/rest"))" ]
	# and what head printed is not read again beyond the pipe's worth
	[ "$(count_lines "$T/rest")" -ge 1995 ]
}

@test "an idle topic: once | head has what it wanted, hub-consume ends too, without waiting for a message" {
	start_devbroker -T t1:1
	"$GEN" 3 --seed 12 | produce t1
	start=$(date +%s)
	timeout 30 hub-consume -t t1 2>"$T/err" | head -n 1 >"$T/head"
	st=${PIPESTATUS[0]}
	[ "$st" -eq 141 ] || { echo "exit $st"; cat "$T/err"; false; }
	[ $(($(date +%s) - start)) -lt 10 ]
	[ "$(count_lines "$T/head")" -eq 1 ]
}

@test "SIGTERM writes out what was read, commits it and exits 0" {
	start_devbroker -T t2:2
	hub-consume -G term -t t2 -v "${GROUPX[@]}" >"$T/first" 2>"$T/err" &
	local pid=$!
	wait_until 20 grep -q 'assigned [1-9]' "$T/err"
	"$GEN" 50 --seed 12 >"$T/in1"
	produce t2 <"$T/in1"
	wait_until 20 lines_at_least "$T/first" 50
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	"$GEN" 30 --seed 13 >"$T/in2"
	produce t2 <"$T/in2"
	# the second run starts exactly after what the first one wrote
	hub-consume -G term -t t2 -e "${GROUPX[@]}" >"$T/second"
	diff <(sort "$T/in2") <(sort "$T/second")
}

@test "SIGUSR1 prints the stats line; --stats prints it at exit" {
	start_devbroker -T t1:1
	"$GEN" 20 --seed 14 | produce t1
	hub-consume -t t1 -o beginning >"$T/out" 2>"$T/err" &
	local pid=$!
	wait_until 10 lines_at_least "$T/out" 20
	kill -USR1 "$pid"
	wait_until 10 grep -q '"tool":"hub-consume"' "$T/err"
	kill -INT "$pid"
	wait "$pid"
	grep '"tool":"hub-consume"' "$T/err" | jq -e '.in == 20 and .out == 20 and .failed == 0'
	run hub-consume -t t1 -o beginning -e --stats
	[ "$status" -eq 0 ]
	echo "$output" | grep '^{"tool"' | jq -e '.in == 20 and .out == 20'
}

@test "a bad -X property exits 78" {
	run hub-consume -b 127.0.0.1:1 -t t1 -X no.such.property=1
	[ "$status" -eq 78 ]
	[[ "$output" == *"hub-consume: error: property no.such.property=1"* ]]
}

@test "no broker: with -e, a clear error and exit 69 after -m seconds" {
	SECONDS=0
	run hub-consume -b 127.0.0.1:1 -t t1 -e -m 2
	[ "$status" -eq 69 ]
	[[ "$output" == *"hub-consume: error: cannot reach the Kafka brokers 127.0.0.1:1 within 2 s"* ]]
	[ "$SECONDS" -lt 8 ]
	run hub-consume -b 127.0.0.1:1 -G g -t t1 -e -m 1
	[ "$status" -eq 69 ]
}

@test "usage errors exit 64; --help exits 0" {
	run hub-consume
	[ "$status" -eq 64 ]
	[[ "$output" == *"no topic"* ]]
	run hub-consume -t t1 -G g -p 1
	[ "$status" -eq 64 ]
	run hub-consume -t t1 -o yesterday
	[ "$status" -eq 64 ]
	run hub-consume -t t1 -o stored
	[ "$status" -eq 64 ]
	run hub-consume -t t1 -G g -o -5
	[ "$status" -eq 64 ]
	run hub-consume -t 'bad topic'
	[ "$status" -eq 64 ]
	run hub-consume --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"-G GROUP"* ]]
	[[ "$output" == *"--envelope"* ]]
	run hub-consume -V
	[ "$status" -eq 0 ]
	[[ "$output" == "hub-consume "* ]]
}

@test "-G with a hub tool reading: an offset is committed only once the last stage has the event" {
	start_devbroker -T ack:2
	# few enough to fit in the pipe: no broken pipe tells hub-consume anything
	"$GEN" 50 --seed 5 >"$T/in"
	produce ack <"$T/in"
	# hub-validate reads every byte, but cannot write its output: it
	# acknowledges nothing, so nothing is committed
	run bash -c "hub-consume -G g -t ack -e ${GROUPX[*]} | hub-validate --schemas '$BATS_TEST_DIRNAME/../schemas' >/dev/full"
	[ "$(hub-consume -G g -t ack -e "${GROUPX[@]}" | hub-validate --schemas "$BATS_TEST_DIRNAME/../schemas" | wc -l)" -eq 50 ]
	# and that run, written to a pipe read by wc, committed everything
	[ "$(hub-consume -G g -t ack -e "${GROUPX[@]}" | wc -l)" -eq 0 ]
}

@test "-v names the configuration file read, or says there is none" {
	printf 'bootstrap.servers=127.0.0.1:1\n' >"$T/hub.conf"
	run env HUB_CONFIG="$T/hub.conf" hub-consume -t x -e -m 1 -v
	[ "$status" -eq 69 ]
	[[ "$output" == *"hub-consume: configuration from $T/hub.conf"* ]]
	run hub-consume -F "$T/hub.conf" -t x -e -m 1 -v
	[[ "$output" == *"hub-consume: configuration from $T/hub.conf"* ]]
	# without -v, not a word of it
	run hub-consume -F "$T/hub.conf" -t x -e -m 1
	[[ "$output" != *"configuration from"* ]]
	run env HUB_CONFIG=/dev/null HUB_BROKERS=127.0.0.1:1 hub-consume -t x -e -m 1 -v
	[[ "$output" == *"no configuration file"* ]]
}

@test "-L lists brokers, topics and partitions as kcat -L does, -J as JSON; a missing topic is 66 and not created" {
	start_devbroker -n 2 -T l1:3
	run hub-consume -L
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Metadata for all topics (from broker "* ]]
	[ "${lines[1]}" = " 2 brokers:" ]
	echo "$output" | grep -q '^  topic "l1" with 3 partitions:$'
	[ "$(echo "$output" | grep -c '^    partition [0-2], leader [12], replicas: ')" -eq 3 ]
	# the same as kcat sees it
	[ "$(kcat -L -b "$BROKER" -t l1 | grep -c 'partition [0-9]*, leader')" -eq 3 ]
	hub-consume -L -J -t l1 | jq -e '(.brokers | length) == 2 and (.topics | length) == 1 and (.topics[0].partitions | length) == 3'
	run hub-consume -L -t nope
	[ "$status" -eq 66 ]
	[[ "$output" == *"topic nope does not exist"* ]]
	run hub-consume -L
	[[ "$output" != *'"nope"'* ]]
	run hub-consume -P -t l1
	[ "$status" -eq 64 ]
	run hub-consume -X list
	[ "$status" -eq 0 ]
}

@test "Ctrl-C while no broker answers: stops at once, exit 0 (not after -m, not 69)" {
	for args in "-t t1" "-t t1 -e -m 30" "-G g -t t1"; do
		hub-consume -b 127.0.0.1:1 $args 2>"$T/err" &
		pid=$!
		sleep 1
		start=$(date +%s%N)
		kill -INT "$pid"
		status=0
		wait "$pid" || status=$?
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		[ "$status" -eq 0 ] || { echo "$args: status $status"; cat "$T/err"; false; }
		[ "$ms" -lt 3000 ] || { echo "$args: $ms ms"; false; }
	done
}

@test "-G with no broker answering: after 10 s it says so, and what to check (not that the group is rebalancing)" {
	hub-consume -b 127.0.0.1:1 -G g -t t1 2>"$T/err" &
	pid=$!
	for _ in $(seq 1 150); do grep -q 'still waiting' "$T/err" && break; sleep 0.1; done
	kill -INT "$pid"
	wait "$pid"
	grep -q "warning: still waiting to join group g after 10 s: no broker has answered at 127.0.0.1:1; check -b" "$T/err"
	! grep -q 'the group is rebalancing' "$T/err"
}

@test "a mistyped topic with -e, with and without -G: 66 naming it, and not created on the dev broker" {
	start_devbroker -T orders:3
	run hub-consume -G g -t ordres -e
	[ "$status" -eq 66 ]
	[[ "$output" == *"topic ordres does not exist; create it first (hub-consume -L lists the topics), or leave out -e to wait for it"* ]]
	run hub-consume -t ordres -e
	[ "$status" -eq 66 ]
	[ "$(kcat -L -b "$BROKER" | grep -c 'topic "ordres"')" -eq 0 ]
	# a topic the broker refuses is not a missing one
	broker_ctl topic-error orders TOPIC_AUTHORIZATION_FAILED
	run hub-consume -t orders -e
	[ "$status" -eq 69 ]
	[[ "$output" == *"orders: not authorized"* ]]
}

@test "-o e@TIME (kcat's): each partition stops before its first message of TIME or later, as a group too" {
	start_devbroker -T w1:3
	"$GEN" 30 --seed 66 >"$T/a"
	"$GEN" 30 --seed 67 >"$T/b"
	hub-produce -t w1 -k subject <"$T/a"
	sleep 1.1
	mid=$(date +%s%3N)
	sleep 0.1
	hub-produce -t w1 -k subject <"$T/b"
	run hub-consume -t w1 -o "e@$mid"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sort | md5sum)" = "$(sort "$T/a" | md5sum)" ]
	# (s@ with it makes a window; the dev broker finds no offsets for times: tests/kafka)
	# as a group: the committed offsets stop at the end time too
	hub-consume -G gw -t w1 -o "e@$mid" >/dev/null
	[ "$(hub-consume -G gw -t w1 -e | sort | md5sum)" = "$(sort "$T/b" | md5sum)" ]
	run hub-consume -t w1 -o e@yesterday
	[ "$status" -eq 64 ]
}

@test "-G: a commit refused while the group rebalances is said, counted, and made good once it settles" {
	start_devbroker -T t4:4
	"$GEN" 500 --seed 20 | produce t4
	# the coordinator refuses the next three commits, as during a rebalance
	broker_ctl error OffsetCommit REBALANCE_IN_PROGRESS 3
	sleep 0.2
	hub-consume -t t4 -G g "${GROUPX[@]}" -e --stats >"$T/out" 2>"$T/err"
	cat "$T/err"
	[ "$(wc -l <"$T/out")" -eq 500 ]
	grep -Eq "warning: Kafka refused to commit the offsets of [1-4] partitions?: Broker: Group rebalance in progress; committing them again" "$T/err"
	[ "$(tail -n1 "$T/err" | jq .commits_refused)" -eq 3 ]
	! grep -q "not committed" "$T/err"
	# all of it was committed after all: the group has nothing left to read
	run hub-consume -t t4 -G g "${GROUPX[@]}" -e
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "-G: offsets Kafka never lets us commit make the exit status 75, each partition named; the group reads them again" {
	start_devbroker -T t4:4
	"$GEN" 300 --seed 21 | produce t4
	broker_ctl error OffsetCommit REBALANCE_IN_PROGRESS 100000
	sleep 0.2
	run hub-consume -t t4 -G g "${GROUPX[@]}" -e --stats
	[ "$status" -eq 75 ]
	echo "$output" | grep -v "^{\"spec" >&2
	[ "$(grep -c '^{"order_id\|^{"specversion' <<<"$output")" -eq 300 ]
	# each partition with events is named, at the offset after its last one
	named=$(grep -E "error: t4 \[[0-3]\]: offset [0-9]+ not committed \(Broker: Group rebalance in progress\): group g reads the events since its last commit again" <<<"$output" |
		sed -E 's/.*offset ([0-9]+) not.*/\1/' | paste -sd+ | bc)
	[ "$named" -eq 300 ]
	[ "$(grep '^{"tool"' <<<"$output" | jq '.commits_refused > 3')" = true ]
	broker_ctl clear OffsetCommit
	sleep 0.2
	hub-consume -t t4 -G g "${GROUPX[@]}" -e >"$T/again"
	[ "$(wc -l <"$T/again")" -eq 300 ]
}

@test "-G: SIGTERM while the group still waits for a killed member exits 0, never an abort (librdkafka issue 4312)" {
	# librdkafka before 2.3.0 aborts (exit 134) destroying a member of a
	# cooperative-sticky group that joined but was never given an assignment
	start_devbroker -T t4:4
	local G=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=500) old
	old=$("$PY" -c 'import ctypes; l=ctypes.CDLL("librdkafka.so.1"); print(int(l.rd_kafka_version() < 0x020300ff))')
	for wait in 5 7; do   # the reported window: 5 to 8 s after the start
		hub-consume -t t4 -G "g$wait" "${G[@]}" >/dev/null 2>"$T/a.err" &
		local a=$!
		hub-consume -t t4 -G "g$wait" "${G[@]}" >/dev/null 2>"$T/b.err" &
		local b=$!
		sleep 4
		kill -9 "$a"
		wait "$a" || true
		hub-consume -t t4 -G "g$wait" "${G[@]}" -vvv >/dev/null 2>"$T/c.err" &
		local c=$!
		sleep "$wait"   # its join waits for the killed member's session to end
		kill -TERM "$c"
		st=0
		wait "$c" || st=$?
		kill -TERM "$b"   # first, so that no member outlives a failed test
		bst=0
		wait "$b" || bst=$?
		cat "$T/c.err"
		[ "$st" -eq 0 ]
		! grep -q "Assertion" "$T/c.err"
		# the case of the bug, said at -vvv
		if [ "$old" = 1 ] && ! grep -q "assigned" "$T/c.err"; then
			grep -q "not destroyed (never assigned; librdkafka issue 4312)" "$T/c.err"
		fi
		[ "$bst" -eq 0 ]
	done
}

@test "-G: a member that waits for its group (a killed member holds it) says so after 10 s, and goes on" {
	start_devbroker -T j1:2
	"$GEN" 20 --seed 68 | hub-produce -t j1 -k subject
	hub-consume -G gj -t j1 -X session.timeout.ms=30000 >"$T/a.out" 2>/dev/null &
	a=$!
	for _ in $(seq 1 100); do [ "$(count_lines "$T/a.out")" -eq 20 ] && break; sleep 0.1; done
	kill -9 "$a"
	wait "$a" 2>/dev/null || true
	hub-consume -G gj -t j1 -X session.timeout.ms=30000 >/dev/null 2>"$T/b.err" &
	b=$!
	for _ in $(seq 1 140); do grep -q 'still waiting' "$T/b.err" && break; sleep 0.1; done
	kill -TERM "$b"
	wait "$b" || true
	grep -q "warning: still waiting to join group gj after 10 s: the group is rebalancing, and a member that ended without leaving it" "$T/b.err"
	[ "$(grep -c 'still waiting' "$T/b.err")" -eq 1 ]
}

@test "-G on the dev broker: a member whose reader is gone before its first event leaves its group; the next member is served in seconds, not after a 45 s session" {
	start_devbroker -T lv:2
	"$GEN" 30 --seed 69 | hub-produce -t lv -k subject
	# the reader is gone at once: the member stops while it joins
	run bash -c 'hub-consume -v -G glv -t lv 2>"$0" | true' "$T/a.err"
	grep -q 'standard output was closed by its reader' "$T/a.err"
	# the next member gets the partitions and every event, well before
	# the 44 s the mock cluster held the group for before
	s=$SECONDS
	run timeout 25 hub-consume -G glv -t lv -e
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 30 ]
	[ $((SECONDS - s)) -lt 20 ]
}

@test "-G on the dev broker: Ctrl-C while joining lets the join finish and leaves the group; the next member is served in seconds" {
	start_devbroker -T lc:2
	"$GEN" 30 --seed 70 | hub-produce -t lc -k subject
	hub-consume -vv -G glc -t lc >/dev/null 2>"$T/a.err" &
	a=$!
	# the mock cluster answers a first JoinGroup after 3 s: stop before
	for _ in $(seq 1 50); do grep -q 'using the development broker' "$T/a.err" && break; sleep 0.05; done
	sleep 0.5
	kill -INT "$a"
	wait "$a"
	grep -q "the group's join is under way: letting it finish" "$T/a.err"
	s=$SECONDS
	run timeout 25 hub-consume -G glc -t lc -e
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 30 ]
	[ $((SECONDS - s)) -lt 20 ]
}
