#!/usr/bin/env bats
# hub-produce: NDJSON to Kafka, byte for byte, nothing lost.

load helpers

# consume_all TOPIC [kcat options]: every message of TOPIC, from the start.
consume_all() {
	local topic=$1
	shift
	kcat -C -b "$BROKER" -t "$topic" -o beginning -e -q "$@"
}

@test "round trip: every event arrives byte for byte" {
	start_devbroker
	"$GEN" 300 --seed 7 >"$T/in"
	run hub-produce -t orders --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 0 ]
	consume_all orders >"$T/out"
	[ "$(count_lines "$T/out")" -eq 300 ]
	diff <(sort "$T/in") <(sort "$T/out")
	[ ! -e "$T/dlq" ]
}

@test "round trip of lines from tiny to 600 KB, arriving in odd-sized pieces: every byte arrives" {
	start_devbroker -T mixed:4
	"$GEN" 1500 --seed 17 >"$T/small"
	# every 100th event carries a big field: the reader grows, moves and
	# refills its buffer while batches point into it
	python3 -c '
import sys
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if n % 100 == 0:
        line = line[:-1] + ",\"pad\":\"" + "x" * (200 * n) + "\"}"
    print(line)
' "$T/small" >"$T/in"
	python3 -c '
import random, sys, time
data = open(sys.argv[1], "rb").read()
rnd = random.Random(5)
i = 0
while i < len(data):
    n = rnd.choice([1, 7, 100, 4096, 65536, 300000])
    sys.stdout.buffer.write(data[i:i + n]); sys.stdout.buffer.flush()
    i += n
    if rnd.random() < 0.02: time.sleep(0.01)
' "$T/in" | hub-produce -t mixed -X message.max.bytes=2000000 --dlq "$T/dlq"
	consume_all mixed -X fetch.message.max.bytes=2000000 >"$T/out"
	[ "$(count_lines "$T/out")" -eq 1500 ]
	cmp <(sort "$T/in") <(sort "$T/out")
	[ ! -e "$T/dlq" ]
}

@test "values are never re-serialised: numbers, key order, unicode, escapes" {
	start_devbroker
	printf '%s\n' '{"z":1,"a":19.99,"big":12345678901234567890,"e":1E+400,"s":"Zoë \u00e9 \"q\" 東京","n":[1.0,-0.0]}' >"$T/in"
	hub-produce -t t1 <"$T/in"
	consume_all t1 >"$T/out"
	cmp "$T/in" "$T/out"
}

@test "CRLF line endings are dropped and a last line without newline is sent" {
	start_devbroker -T t1:1
	printf '{"a":1}\r\n{"b":2}' | hub-produce -t t1
	consume_all t1 >"$T/out"
	[ "$(cat "$T/out")" = "$(printf '{"a":1}\n{"b":2}')" ]
}

@test "-k takes the key from a field; the partition matches a Java-style murmur2 producer" {
	start_devbroker -T keyed:8 -T peer:8
	"$GEN" 100 --seed 3 >"$T/in"
	hub-produce -t keyed -k subject <"$T/in"
	# kcat with librdkafka's murmur2_random partitioner: what Java's producer picks
	jq -r '.subject + "\t" + (tojson)' "$T/in" |
		kcat -P -b "$BROKER" -t peer -K '\t' -X partitioner=murmur2_random
	consume_all keyed -f '%k %p\n' | sort -u >"$T/hub"
	consume_all peer -f '%k %p\n' | sort -u >"$T/kcat"
	[ "$(count_lines "$T/hub")" -gt 10 ]
	diff "$T/hub" "$T/kcat"
	# and the key is the subject itself
	jq -r .subject "$T/in" | sort -u >"$T/subjects"
	diff <(cut -d' ' -f1 "$T/hub" | sort -u) "$T/subjects"
}

@test "keyed events: the configured partitioner's partition, input order kept within each" {
	start_devbroker -T t1:6 -T peer:6 -T t2:6
	"$GEN" 3000 --seed 8 >"$T/in"
	hub-produce -t t1 -k source -X partitioner=consistent <"$T/in"
	jq -r '.source + "\t" + (tojson)' "$T/in" | kcat -P -b "$BROKER" -t peer -K '\t' -X partitioner=consistent
	consume_all t1 -f '%k %p\n' | sort -u >"$T/hub"
	consume_all peer -f '%k %p\n' | sort -u >"$T/kcat"
	[ "$(cut -d' ' -f2 "$T/hub" | sort -u | wc -l)" -ge 3 ]
	diff "$T/hub" "$T/kcat"
	# every partition holds its events in input order
	hub-produce -t t2 -k id <"$T/in"
	jq -r .id "$T/in" | awk '{ print $1, NR }' >"$T/index"
	consume_all t2 -f '%p %k\n' |
		awk 'NR == FNR { at[$1] = $2; next }
		     { n++; if (at[$2] <= last[$1]) { print "out of order in partition", $1; bad = 1 } last[$1] = at[$2] }
		     END { if (n != 3000) { print n, "events"; bad = 1 } exit bad }' "$T/index" -
}

@test "the default key is the CloudEvents partitionkey; events without one have no key" {
	start_devbroker
	printf '%s\n' '{"id":"1","partitionkey":"cust-9"}' '{"id":"2"}' | hub-produce -t t1
	consume_all t1 -f '%k|%s\n' >"$T/out"
	grep -qx 'cust-9|{"id":"1","partitionkey":"cust-9"}' "$T/out"
	grep -qx '|{"id":"2"}' "$T/out"
}

# runs TOPIC: the input's events in order, as stretches of consecutive
# events that went to the same partition: "partition bytes last-size count".
runs() {
	consume_all "$1" -f '%p\t%s\n' | jq -R -r '(index("\t")) as $t | (.[$t+1:] | fromjson | .id) + " " + .[:$t]' >"$T/where"
	paste -d' ' <(jq -r .id "$T/in") <(LC_ALL=C awk '{ print length($0) }' "$T/in") |
		awk 'NR == FNR { part[$1] = $2; next }
		     { p = part[$1]; if (seen++ && p != cur) { print cur, bytes, last, n; bytes = n = 0 }
		       cur = p; bytes += $2; last = $2; n++ }
		     END { print cur, bytes, last, n }' "$T/where" -
}

@test "keyless events: one partition per batch of lines, cut at batch.size; the configuration's partitioner when it asks" {
	start_devbroker -T t1:4 -T t2:4 -T t3:4
	"$GEN" 2000 --seed 21 >"$T/in"
	# read at once from a file: batches of 256 lines, each on one partition
	hub-produce -t t1 <"$T/in"
	runs t1 >"$T/runs"
	[ "$(count_lines "$T/runs")" -ge 8 ]
	awk '$4 > 256 { print "too long:", $0; bad = 1 } END { exit bad }' "$T/runs"
	[ "$(cut -d' ' -f1 "$T/runs" | sort -u | wc -l)" -ge 2 ]
	# a batch reaching batch.size moves on with its next event, not before
	hub-produce -t t2 -X batch.size=50000 <"$T/in"
	runs t2 >"$T/runs"
	[ "$(count_lines "$T/runs")" -ge 20 ]
	awk '$2 - $3 >= 50000 { print "past batch.size:", $0; bad = 1 } END { exit bad }' "$T/runs"
	[ "$(cut -d' ' -f1 "$T/runs" | sort -u | wc -l)" -ge 3 ]
	# sticky.partitioning.linger.ms=0 gives keyless messages to the partitioner:
	# murmur2_random without a key picks a partition per message
	hub-produce -t t3 -X sticky.partitioning.linger.ms=0 <"$T/in"
	[ "$(runs t3 | wc -l)" -ge 1000 ]
	[ "$(consume_all t3 | wc -l)" -eq 2000 ]
}

@test "-k '' sends no key; a numeric field is a key as written" {
	start_devbroker
	printf '%s\n' '{"id":7,"partitionkey":"x"}' | hub-produce -t t1 -k ''
	printf '%s\n' '{"id":7.50}' | hub-produce -t t2 -k id
	[ "$(consume_all t1 -f '%K')" = "-1" ]
	[ "$(consume_all t2 -f '%k')" = "7.50" ]
}

@test "-H adds headers and -p picks the partition" {
	start_devbroker -T t1:4
	echo '{"a":1}' | hub-produce -t t1 -p 3 -H origin=shop-17 -H trace=abc
	[ "$(consume_all t1 -f '%p %h')" = "3 origin=shop-17,trace=abc" ]
}

@test "malformed JSON goes to the failure store with the reason and line; nothing reaches Kafka" {
	start_devbroker
	printf '%s\n' '{"ok":1}' '{"broken":' 'plain text' '[1,2]' '{"ok":2}' >"$T/in"
	run hub-produce -t t1 --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"3 of 5 events failed"* ]]
	[ "$(consume_all t1 | wc -l)" -eq 2 ]
	[ "$(count_lines "$T/dlq")" -eq 3 ]
	jq -e -s 'map(select(.line == 2))[0] | .event == "{\"broken\":" and (.reason | test("invalid JSON"))' "$T/dlq"
	jq -e -s 'map(select(.line == 3))[0] | .event == "plain text" and .tool == "hub-produce"' "$T/dlq"
	jq -e -s 'map(select(.line == 4))[0] | .event == [1,2] and (.reason | test("not a JSON object"))' "$T/dlq"
	[ "$(stat -c %a "$T/dlq")" = "600" ]
}

@test "every n_ document of JSONTestSuite lands in the failure store, none reaches Kafka" {
	need_peers "$JSONSUITE"
	start_devbroker -T t1:1
	n=0
	for f in "$JSONSUITE"/n_*.json; do
		if [ ! -s "$f" ]; then
			# n_structure_no_data: an empty input holds no line, so no event
			run hub-produce -t t1 --dlq "$T/dlq.$n" <"$f"
			[ "$status" -eq 0 ] && [ ! -e "$T/dlq.$n" ]
			continue
		fi
		run hub-produce -t t1 --dlq "$T/dlq.$n" <"$f"
		# 1: failed events; never a crash or a sanitizer report (99)
		[ "$status" -eq 1 ] || { echo "$f: status $status: $output"; false; }
		jq -e -s 'length >= 1 and all(.reason | length > 0)' "$T/dlq.$n" >/dev/null ||
			{ echo "$f: no failure record"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 180 ]
	[ "$(kcat -C -b "$BROKER" -t t1 -o beginning -e -q | wc -c)" -eq 0 ]
}

@test "y_ documents that are objects are accepted" {
	need_peers "$JSONSUITE"
	start_devbroker
	for f in "$JSONSUITE"/y_object*.json; do
		tr -d '\n' <"$f" | hub-produce -t t1 --dlq "$T/dlq"
	done
	[ ! -e "$T/dlq" ]
}

@test "NUL bytes, invalid UTF-8, deep nesting and over-long lines are failures, not crashes" {
	start_devbroker
	{
		printf '{"a":"x\0y"}\n'
		printf '{"a":"\xff\xfe"}\n'
		printf '{"a":'; head -c 3000 /dev/zero | tr '\0' '['; echo
		printf '{"long":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' 'x')"
		printf '{"ok":true}\n'
	} >"$T/in"
	run hub-produce -t t1 --dlq "$T/dlq" --max-line 4096 <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 4 ]
	jq -e -s 'map(select(.line == 3))[0] | .reason | test("deeper|invalid")' "$T/dlq"
	jq -e -s 'map(select(.line == 4))[0] | .truncated == true and .bytes == 5011' "$T/dlq"
	[ "$(consume_all t1)" = '{"ok":true}' ]
}

@test "--raw sends lines that are not JSON as they are" {
	start_devbroker -T t1:1
	printf '%s\n' 'plain text' '{"a":1}' | hub-produce -t t1 --raw --dlq "$T/dlq"
	[ "$(consume_all t1)" = "$(printf 'plain text\n{"a":1}')" ]
	[ ! -e "$T/dlq" ]
}

@test "--topic-from routes by a field or a template; a bad topic name is a failure" {
	start_devbroker
	printf '%s\n' '{"type":"order.created","n":1}' '{"type":"order.paid","n":2}' '{"type":"bad/name"}' '{"n":4}' >"$T/in"
	run hub-produce --topic-from 'retail.{type}' --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(consume_all retail.order.created)" = '{"type":"order.created","n":1}' ]
	[ "$(consume_all retail.order.paid)" = '{"type":"order.paid","n":2}' ]
	[ "$(count_lines "$T/dlq")" -eq 2 ]
	jq -e -s 'map(select(.line == 3))[0] | .reason | test("not a valid Kafka topic")' "$T/dlq"
	jq -e -s 'map(select(.line == 4))[0] | .reason | test("absent")' "$T/dlq"
	echo '{"type":"plain"}' | hub-produce --topic-from type
	[ "$(consume_all plain)" = '{"type":"plain"}' ]
}

@test "--binary-mode: value is data, attributes are ce_ headers, key is partitionkey" {
	start_devbroker
	echo '{"specversion":"1.0","id":"e1","source":"/shop/IT","type":"order.created","time":"2026-03-01T08:00:00Z","partitionkey":"ORD-1","datacontenttype":"application/json","data":{"total":19.99}}' |
		hub-produce -t t1 --binary-mode
	[ "$(consume_all t1 -f '%k|%s')" = 'ORD-1|{"total":19.99}' ]
	h=$(consume_all t1 -f '%h')
	[[ "$h" == *"ce_specversion=1.0"* ]]
	[[ "$h" == *"ce_id=e1"* ]]
	[[ "$h" == *"ce_source=/shop/IT"* ]]
	[[ "$h" == *"ce_type=order.created"* ]]
	[[ "$h" == *"ce_time=2026-03-01T08:00:00Z"* ]]
	[[ "$h" == *"content-type=application/json"* ]]
}

@test "--envelope takes topic, key, headers and value from each line" {
	start_devbroker -T t2:4
	printf '%s\n' \
		'{"topic":"t1","key":"k1","headers":{"h":"v","m":["1","2"]},"value":{"a":1.50}}' \
		'{"topic":"t2","partition":2,"key":null,"value_text":"not json"}' \
		'{"topic":"t1","key_base64":"AAE=","value_base64":"/w=="}' >"$T/in"
	hub-produce --envelope <"$T/in"
	consume_all t1 -f '%k|%h|%s\n' >"$T/t1"
	[ "$(head -n1 "$T/t1")" = 'k1|h=v,m=1,m=2|{"a":1.50}' ]
	[ "$(consume_all t2 -f '%p|%K|%s')" = '2|-1|not json' ]
	[ "$(consume_all t1 -o 1 -f '%s' -c 1 | od -An -tx1 | tr -d ' ')" = "ff" ]
}

@test "--envelope to another topic with fewer partitions: placed by key; --keep-partition keeps them, and says plainly when it cannot" {
	start_devbroker -T t8:8 -T t2:2 -T k8:8
	"$GEN" 200 --seed 62 | hub-produce -t t8 -k subject
	hub-consume -t t8 -o beginning -e --envelope >"$T/env"
	[ "$(jq -r .partition "$T/env" | sort -u | wc -l)" -gt 2 ]
	run hub-produce --envelope -t t2 --dlq "$T/dlq" <"$T/env"
	[ "$status" -eq 0 ]
	[ ! -s "$T/dlq" ]
	[ "$(consume_all t2 | wc -l)" -eq 200 ]
	# each subject in one partition of t2, as its key says
	[ "$(hub-consume -t t2 -o beginning -e --envelope | jq -r '"\(.value | fromjson? // . | .subject) \(.partition)"' | sort -u | cut -d' ' -f1 | uniq -d | wc -l)" -eq 0 ]
	# to a topic of as many partitions, told to keep them: the same partition for each event
	hub-produce --envelope -t k8 --keep-partition <"$T/env"
	[ "$(hub-consume -t k8 -o beginning -e --envelope | jq -r '"\(.partition) \(.value)"' | sort | md5sum)" = "$(jq -r '"\(.partition) \(.value)"' "$T/env" | sort | md5sum)" ]
	# told to keep them where the topic has fewer: failures, and a plain reason
	run hub-produce --envelope -t t2 --keep-partition --dlq "$T/dlq2" <"$T/env"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq2")" -eq "$(jq 'select(.partition >= 2)' -c "$T/env" | wc -l)" ]
	echo "$output" | grep -q 'topic t2 has no such partition (_UNKNOWN_PARTITION): the envelopes. partitions are kept by --keep-partition'
	run hub-produce --keep-partition -t t2 </dev/null
	[ "$status" -eq 64 ]
}

@test "--envelope: a line without a value (a bare event) goes to the failure store, never out as a tombstone" {
	start_devbroker -T t1:1
	"$GEN" 3 --seed 5 >"$T/events"
	run hub-produce --envelope -t t1 --dlq "$T/dlq" <"$T/events"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 3 ]
	jq -e -s 'all(.reason | startswith("not an envelope: no \"value\""))' "$T/dlq"
	# the events are kept whole, for the replay without --envelope
	diff <(jq -c .event "$T/dlq") <(jq -c . "$T/events")
	[ -z "$(consume_all t1 -f '%s\n')" ]
	# "value":null is a tombstone: sent only when asked for
	echo '{"topic":"t1","key":"k","value":null}' >"$T/tomb"
	run hub-produce --envelope --dlq "$T/dlq2" <"$T/tomb"
	[ "$status" -eq 1 ]
	jq -e '.reason | test("tombstone; give --allow-tombstones")' "$T/dlq2"
	hub-produce --envelope --allow-tombstones <"$T/tomb"
	[ "$(consume_all t1 -f '%k|%S\n')" = 'k|-1' ]
}

@test "a topic the broker refuses (not authorized): at once, one error naming topic and reason, the events in the failure store" {
	start_devbroker -T t1:1
	broker_ctl topic-error t1 TOPIC_AUTHORIZATION_FAILED
	sleep 0.3
	"$GEN" 20 --seed 6 >"$T/in"
	start=$(date +%s)
	run timeout 60 hub-produce -t t1 --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ] || { echo "status $status: $output"; false; }
	[ $(($(date +%s) - start)) -lt 30 ]
	[ "$(grep -c 'topic t1: not authorized (TOPIC_AUTHORIZATION_FAILED)' <<<"$output")" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 20 ]
	jq -e -s 'all(.error == "TOPIC_AUTHORIZATION_FAILED")' "$T/dlq"
	diff <(jq -c .event "$T/dlq") <(jq -c . "$T/in")
}

@test "--tee writes each delivered event with its partition and offset" {
	start_devbroker -T t1:1
	printf '%s\n' '{"a":1}' '{"a":2}' | hub-produce -t t1 --tee >"$T/out"
	[ "$(jq -c '[.topic,.partition,.offset,.value.a]' "$T/out")" = "$(printf '%s\n' '["t1",0,0,1]' '["t1",0,1,2]')" ]
}

@test "--tee on the dev broker: the timestamp is the time of the acknowledgement, not the mock's placeholder 1234" {
	start_devbroker -T t1:1
	before=$(date +%s%3N)
	printf '%s\n' '{"a":1}' '{"a":2}' | hub-produce -t t1 --tee >"$T/out"
	after=$(date +%s%3N)
	[ "$(wc -l <"$T/out")" -eq 2 ]
	jq -e --argjson b "$before" --argjson a "$after" '.timestamp >= $b and .timestamp <= $a' "$T/out"
}

@test "while the input is idle: --tee shows what was delivered, SIGUSR1 the stats (with and without the scan-ahead thread)" {
	start_devbroker -T t1:2
	"$GEN" 3 --seed 4 >"$T/in"
	for ahead in 0 1; do
		rm -f "$T/fifo" "$T/out" "$T/err"
		mkfifo "$T/fifo"
		HUB_SCAN_AHEAD=$ahead hub-produce -t t1 --tee <"$T/fifo" >"$T/out" 2>"$T/err" &
		pid=$!
		exec 7>"$T/fifo"
		head -n 2 "$T/in" >&7
		# no more input: the two delivered events still come out
		wait_until 5 lines_at_least "$T/out" 2
		jq -e -s 'length == 2 and all(.topic == "t1" and (.offset | type) == "number")' "$T/out"
		kill -USR1 "$pid"
		wait_until 5 grep -q '"in":2,"out":2' "$T/err"
		tail -n 1 "$T/in" >&7
		exec 7>&-
		wait "$pid"
		[ "$(count_lines "$T/out")" -eq 3 ]
	done
}

@test "--transactional-id commits the whole input as one transaction" {
	start_devbroker
	"$GEN" 50 --seed 2 | hub-produce -t t1 --transactional-id tx-1
	[ "$(consume_all t1 -X isolation.level=read_committed | wc -l)" -eq 50 ]
}

@test "--transactional-id aborts on a bad event; every event goes to the failure store" {
	start_devbroker
	{ "$GEN" 10 --seed 2; echo '{"bad":'; } >"$T/in"
	run hub-produce -t t1 --transactional-id tx-2 --dlq "$T/dlq" -v <"$T/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"11 of 11 events failed"* ]]
	# librdkafka 2.0.2's mock does not hide aborted messages from
	# read_committed consumers, so the abort is checked on hub's side only.
	[ "$(count_lines "$T/dlq")" -eq 11 ]
	[ "$(jq -r 'select(.reason | test("transaction aborted")) | .line' "$T/dlq" | wc -l)" -eq 10 ]
}

@test "a broker outage of seconds is ridden out: nothing lost" {
	start_devbroker -T t1:4
	"$GEN" 2000 --seed 5 >"$T/in"
	{
		head -n 1000 "$T/in"
		broker_ctl down 1
		sleep 2
		tail -n 1000 "$T/in"
		sleep 1
		broker_ctl up 1
	} | hub-produce -t t1 --dlq "$T/dlq" --stats 2>"$T/err"
	consume_all t1 >"$T/out"
	echo "$(count_lines "$T/out") lines for 2000 events" >&2
	# every event is there; a retry across the outage may be there twice,
	# since the mock cluster keeps both copies of an idempotent producer's
	# retry (hub-devbroker(1)); a real cluster keeps one (tests/kafka/)
	diff <(sort -u "$T/in") <(sort -u "$T/out")
	[ "$(count_lines "$T/out")" -ge 2000 ]
	[ ! -e "$T/dlq" ]
}

@test "events undelivered when the broker stays down go to the failure store: in = delivered + failed" {
	start_devbroker -T t1:1
	"$GEN" 20 --seed 5 >"$T/in"
	broker_ctl down 1
	sleep 0.5
	run hub-produce -t t1 --dlq "$T/dlq" --stats -X message.timeout.ms=1500 <"$T/in"
	[ "$status" -eq 1 ]
	stats=$(echo "$output" | grep '^{"tool"')
	[ "$(echo "$stats" | jq '.in')" -eq 20 ]
	[ "$(echo "$stats" | jq '.out + .failed')" -eq 20 ]
	[ "$(count_lines "$T/dlq")" -eq "$(echo "$stats" | jq '.failed')" ]
	jq -e -s 'all(.reason | test("delivery failed")) and all(.persisted == "no" or .persisted == "possibly")' "$T/dlq"
	# replay once the broker is back: the README's one-liner
	broker_ctl up 1
	jq -c .event "$T/dlq" | hub-produce -t t1
	[ "$(consume_all t1 | sort -u | wc -l)" -eq 20 ]
}

@test "SIGTERM stops reading and delivers what is in flight" {
	start_devbroker -T t1:2
	mkfifo "$T/fifo"
	hub-produce -t t1 --stats --dlq "$T/dlq" <"$T/fifo" 2>"$T/err" &
	pid=$!
	exec 7>"$T/fifo"
	"$GEN" 500 --seed 9 >&7
	sleep 1
	kill -TERM "$pid"
	wait "$pid" || true
	exec 7>&-
	grep -q 'stopped reading' "$T/err"
	in=$(grep '^{"tool"' "$T/err" | jq .in)
	[ "$in" -eq 500 ]
	[ "$(consume_all t1 | wc -l)" -eq 500 ]
}

@test "with and without the scan-ahead thread (HUB_SCAN_AHEAD): the same events, failures and stop" {
	start_devbroker -T a:1 -T b:1 -T c:2
	{
		"$GEN" 2000 --seed 11
		printf '{"a":1}\r\n{"broken":\n{"long":"%s"}\n[1]\n' "$(head -c 5000 /dev/zero | tr '\0' 'x')"
		"$GEN" 100 --seed 12 | tr -d '\n' | head -c 300000; echo
		"$GEN" 2000 --seed 13
	} >"$T/in"
	run env HUB_SCAN_AHEAD=1 hub-produce -t a --dlq "$T/dlq.a" --max-line 4096 <"$T/in"
	[ "$status" -eq 1 ]
	run env HUB_SCAN_AHEAD=0 hub-produce -t b --dlq "$T/dlq.b" --max-line 4096 <"$T/in"
	[ "$status" -eq 1 ]
	consume_all a >"$T/out.a"
	consume_all b >"$T/out.b"
	[ "$(count_lines "$T/out.a")" -eq 4001 ]
	cmp "$T/out.a" "$T/out.b"
	diff <(jq -c 'del(.time)' "$T/dlq.a") <(jq -c 'del(.time)' "$T/dlq.b")
	[ "$(count_lines "$T/dlq.a")" -eq 4 ]

	mkfifo "$T/fifo"
	HUB_SCAN_AHEAD=1 hub-produce -t c --stats <"$T/fifo" 2>"$T/err" &
	pid=$!
	exec 7>"$T/fifo"
	"$GEN" 500 --seed 9 >&7
	sleep 1
	kill -TERM "$pid"
	wait "$pid" || true
	exec 7>&-
	grep -q 'stopped reading' "$T/err"
	[ "$(consume_all c | wc -l)" -eq 500 ]
}

@test "-c stops after COUNT lines" {
	start_devbroker
	"$GEN" 20 | hub-produce -t t1 -c 5
	[ "$(consume_all t1 | wc -l)" -eq 5 ]
}

@test "--stats prints one JSON line on stderr" {
	start_devbroker
	"$GEN" 10 | hub-produce -t t1 --stats 2>"$T/err"
	jq -e '.tool == "hub-produce" and .in == 10 and .out == 10 and .failed == 0 and .rate > 0' "$T/err"
}

@test "no broker anywhere: a clear error and exit 69" {
	run hub-produce -t t1 </dev/null
	[ "$status" -eq 69 ]
	[[ "$output" == *"no Kafka broker configured"*"hub-devbroker"* ]]
}

@test "a wrong -b: within seconds, that no broker answers and what to check; interrupted twice, the events in the failure store" {
	"$GEN" 5 --seed 61 >"$T/in"
	hub-produce -b 127.0.0.1:1 -t t1 --dlq "$T/dlq" <"$T/in" 2>"$T/err" &
	pid=$!
	for _ in $(seq 1 150); do grep -q 'no Kafka broker answers' "$T/err" && break; sleep 0.1; done
	grep -q 'no Kafka broker answers at 127.0.0.1:1 after 10 s: check -b, HUB_BROKERS and the network; the 5 events read wait' "$T/err"
	kill -0 "$pid"   # still waiting, as message.timeout.ms says
	kill -INT "$pid"
	sleep 0.5
	kill -INT "$pid" 2>/dev/null || true
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 5 ]
	# librdkafka's connection retries are not repeated line after line
	[ "$(grep -c 'librdkafka: FAIL' "$T/err")" -le 1 ]
}

@test "HUB_BROKERS and a config file give the broker; -X overrides" {
	start_devbroker
	rm -f "$HUB_DEVBROKER_FILE"
	echo '{"a":1}' | HUB_BROKERS=$BROKER hub-produce -t t1
	printf '# test\nbootstrap.servers=%s\n' "$BROKER" >"$T/conf"
	echo '{"a":2}' | hub-produce -F "$T/conf" -t t1
	mkdir -p "$XDG_CONFIG_HOME/hub"
	cp "$T/conf" "$XDG_CONFIG_HOME/hub/hub.conf"
	echo '{"a":3}' | HUB_CONFIG= hub-produce -t t1
	[ "$(consume_all t1 | wc -l)" -eq 3 ]
}

@test "bad usage and bad properties: exit 64 and 78 with a message" {
	run hub-produce
	[ "$status" -eq 64 ]
	[[ "$output" == *"no topic"* ]]
	run hub-produce -t t1 --bogus
	[ "$status" -eq 64 ]
	run hub-produce -t 'a/b'
	[ "$status" -eq 64 ]
	# a partition past int32 was truncated once; now it is refused, with the range
	run hub-produce -t t1 -p 4294967296
	[ "$status" -eq 64 ]
	[[ "$output" == *"-p: '4294967296' is not a number from 0 to 2147483647"* ]]
	run hub-produce -t t1 -c 0
	[ "$status" -eq 64 ]
	run hub-produce -b 127.0.0.1:1 -t t1 -X no.such.property=1 </dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"no.such.property"* ]]
}

@test "--help and --version" {
	run hub-produce --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: hub-produce"* ]]
	[[ "$output" == *"--binary-mode"* ]]
	run hub-produce --version
	[ "$status" -eq 0 ]
	[[ "$output" == hub-produce* ]]
}

@test "kcat habits: kcat -J's envelopes are taken by --envelope, headers and keys included; -K splits key and event; -P accepted, -C pointed elsewhere; -X list" {
	start_devbroker -T k1:3 -T k2:3
	"$GEN" 30 --seed 64 >"$T/in"
	# kcat writes with keys and headers; kcat -J reads them back
	jq -r '"\(.subject)\t\(.)"' "$T/in" | kcat -P -b "$BROKER" -t k1 -K $'\t' -H origin=shop -H trace=t1
	kcat -C -b "$BROKER" -t k1 -o beginning -e -q -J >"$T/kcat.json"
	jq -e -s 'length == 30 and all(has("payload") and has("key"))' "$T/kcat.json"
	run hub-produce --envelope -t k2 --dlq "$T/dlq" <"$T/kcat.json"
	[ "$status" -eq 0 ]
	kcat -C -b "$BROKER" -t k2 -o beginning -e -q -J >"$T/k2.json"
	# the same payloads, keys and headers, byte for byte
	cmp <(jq -c '[.key, .payload, .headers]' "$T/kcat.json" | sort) <(jq -c '[.key, .payload, .headers]' "$T/k2.json" | sort)
	# -K as kcat's: KEY<DELIM>EVENT
	jq -r '"\(.id)|\(.)"' "$T/in" | hub-produce -P -t k3 -K '|'
	kcat -C -b "$BROKER" -t k3 -o beginning -e -q -K '|' | sort >"$T/k3"
	cmp "$T/k3" <(jq -r '"\(.id)|\(.)"' "$T/in" | sort)
	run hub-produce -t k3 -K '|' --dlq "$T/dlq2" <<<'no delimiter here'
	[ "$status" -eq 1 ]
	jq -e '.reason | startswith("no key delimiter (-K)")' "$T/dlq2"
	run hub-produce -C -t k3
	[ "$status" -eq 64 ]
	[[ "$output" == *"-C is kcat's consumer mode: hub-consume reads from Kafka"* ]]
	run hub-produce -X list
	[ "$status" -eq 0 ]
	[[ "$output" == *"bootstrap.servers"* ]]
}

@test "-k naming a field no event has (kcat's -k is the key itself): said at the end" {
	start_devbroker -T k1:3
	"$GEN" 5 --seed 65 >"$T/in"
	run hub-produce -t k1 -k mykey <"$T/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: -k mykey: no event has a field mykey, so every message went without a key"* ]]
	run hub-produce -t k1 -k subject <"$T/in"
	[[ "$output" != *"without a key"* ]]
}

@test "one SIGTERM after the input's end with the broker down lets delivery go on; only a second gives up" {
	start_devbroker -T t1:1
	"$GEN" 300 --seed 31 >"$T/in"
	broker_ctl down 1
	sleep 0.5
	hub-produce -t t1 --dlq "$T/dlq" --stats -X message.timeout.ms=60000 <"$T/in" 2>"$T/err" &
	pid=$!
	sleep 1.5   # the input is read; all 300 wait for the broker
	kill -TERM "$pid"
	sleep 2
	cat "$T/err"
	kill -0 "$pid"              # still delivering
	[ ! -e "$T/dlq" ]           # nothing given up
	grep -q "Terminated: the input was read to its end; still delivering the 300 events in flight" "$T/err"
	broker_ctl up 1
	wait "$pid"                 # the broker came back: all delivered, exit 0
	[ ! -e "$T/dlq" ]
	[ "$(grep '^{"tool"' "$T/err" | jq .out)" -eq 300 ]
	[ "$(consume_all t1 | wc -l)" -eq 300 ]

	# the second signal gives up at once: the events to the failure store
	broker_ctl down 1
	sleep 0.5
	hub-produce -t t1 --dlq "$T/dlq2" --stats -X message.timeout.ms=60000 <"$T/in" 2>"$T/err2" &
	pid=$!
	sleep 1.5
	kill -TERM "$pid"
	sleep 0.5
	kill -0 "$pid"
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	grep -q "interrupted again: giving up on 300 undelivered events" "$T/err2"
	[ "$(count_lines "$T/dlq2")" -eq 300 ]
}
