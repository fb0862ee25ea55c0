#!/usr/bin/env bats
# hub-produce and hub-consume against Apache Kafka: bytes, keys, headers and
# partitions survive the round trip; a missing topic is an error, not a
# loss; offsets for times work (the dev broker cannot look them up); a
# million events go through one topic and back (beyond the dev broker's
# 5 MiB a partition).

load helpers

setup_file() {
	kafka_setup_file
	topics "$RUN.rt:4:3" "$RUN.ts:2:3" "$RUN.big:1:3"
}

teardown_file() { kafka_teardown_file; }

@test "round trip byte for byte: keys, headers, partitions, per-partition order" {
	"$GEN" 2000 --seed 11 >"$T/in"
	printf '%s\n' '{"z":1,"a":19.90,"big":12345678901234567890,"s":"Zoë \u00e9 \"q\" 東京","subject":"odd-1"}' \
		'{ "spaced" : true , "subject" : "odd-2" }' >>"$T/in"
	run hub-produce -b "$KB" -t "$RUN.rt" -k subject -H origin=shop-17 -H trace=abc --stats <"$T/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"in":2002,"out":2002,"failed":0'* ]]
	hub-consume -b "$KB" -t "$RUN.rt" -o beginning -e >"$T/out"
	cmp <(LC_ALL=C sort "$T/in") <(LC_ALL=C sort "$T/out")
	hub-consume -b "$KB" -t "$RUN.rt" -o beginning -e --envelope >"$T/env"
	[ "$(count_lines "$T/env")" -eq 2002 ]
	# every message: its key is its subject, its headers as given
	[ "$(jq -c 'select(.key != .value.subject or .headers != {"origin":"shop-17","trace":"abc"})' "$T/env" | wc -l)" -eq 0 ]
	# a key stays in one partition, and all 4 partitions are used
	[ "$(jq -r '"\(.key) \(.partition)"' "$T/env" | sort -u | cut -d' ' -f1 | uniq -d | wc -l)" -eq 0 ]
	[ "$(jq -r .partition "$T/env" | sort -u | wc -l)" -eq 4 ]
	# within a partition, the input order
	for p in 0 1 2 3; do
		hub-consume -b "$KB" -t "$RUN.rt" -p "$p" -o beginning -e >"$T/p$p"
		jq -r --argjson p "$p" 'select(.partition == $p) | .value.id // .value.subject' "$T/env" >"$T/ids$p"
		[ "$(count_lines "$T/p$p")" -eq "$(count_lines "$T/ids$p")" ]
		grep -F -x -f "$T/p$p" "$T/in" | cmp - "$T/p$p"
	done
	# -p sends every message to that partition
	"$GEN" 20 --seed 12 >"$T/in2"
	hub-produce -b "$KB" -t "$RUN.rt" -p 2 <"$T/in2"
	hub-consume -b "$KB" -t "$RUN.rt" -p 2 -o -20 -e | cmp - "$T/in2"
}

@test "a topic that does not exist (auto-creation off): a clear error, the events in the failure store" {
	"$GEN" 10 --seed 13 >"$T/in"
	run timeout 120 hub-produce -b "$KB" -t "$RUN.missing" <"$T/in"
	[ "$status" -ne 124 ] || { echo "hub-produce hung on a missing topic" >&2; false; }
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 10 ]
	[ "$(jq -r .error "$T/dlq" | sort -u)" = UNKNOWN_TOPIC_OR_PART ]
	[ "$(jq -r .event.id "$T/dlq")" = "$(jq -r .id "$T/in")" ]
	# the topic was not created by the attempt
	produced=$output
	run hub-consume -b "$KB" -t "$RUN.missing" -e
	[ "$status" -eq 66 ]
	[[ "$output" == *"topic $RUN.missing does not exist"* ]]
	output=$produced
	[[ "$output" == *"$RUN.missing"* ]] || hub_defect "hub-produce to a missing topic says only 'N of N events failed': the topic and 'does not exist' are only in the failure store (stderr: $output)"
}

@test "-o s@TIMESTAMP starts at the first message at or after the time" {
	"$GEN" 60 --seed 14 >"$T/before"
	"$GEN" 60 --seed 15 >"$T/after"
	hub-produce -b "$KB" -t "$RUN.ts" -k subject <"$T/before"
	sleep 1.1
	t=$(date +%s%3N)
	sleep 0.1
	hub-produce -b "$KB" -t "$RUN.ts" -k subject <"$T/after"
	hub-consume -b "$KB" -t "$RUN.ts" -o "s@$t" -e >"$T/out"
	cmp <(sort "$T/after") <(sort "$T/out")
	# the envelope's timestamps agree
	[ "$(hub-consume -b "$KB" -t "$RUN.ts" -o "s@$t" -e --envelope | jq --argjson t "$t" 'select(.timestamp < $t)' | wc -l)" -eq 0 ]
	[ "$(hub-consume -b "$KB" -t "$RUN.ts" -o s@0 -e | wc -l)" -eq 120 ]
	run hub-consume -b "$KB" -t "$RUN.ts" -o "s@$((t + 3600000))" -e
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a window, kcat's -o s@ -o e@: a third batch after u is left out
	sleep 1.1
	u=$(date +%s%3N)
	sleep 0.1
	"$GEN" 60 --seed 16 | hub-produce -b "$KB" -t "$RUN.ts" -k subject
	hub-consume -b "$KB" -t "$RUN.ts" -o "s@$t" -o "e@$u" >"$T/window"
	cmp <(sort "$T/after") <(sort "$T/window")
	# -Q, kcat's: the offsets of that time, which kcat -o then starts from
	hub-consume -b "$KB" -t "$RUN.ts" -Q -o "s@$t" >"$T/q"
	[ "$(grep -cE "^$RUN.ts \[[01]\] offset [0-9]+$" "$T/q")" -eq 2 ]
	n=0
	while read -r _ p _ off; do
		p=${p//[\[\]]/}
		n=$((n + $(kcat -C -b "$KB" -t "$RUN.ts" -p "$p" -o "$off" -e -q | wc -l)))
	done <"$T/q"
	[ "$n" -eq 120 ]   # the second and third batches
	hub-consume -b "$KB" -t "$RUN.ts" -Q -J -o "s@$t" | jq -e -s 'length == 2 and all(.offset >= 0)'
}

@test "1,000,000 events through one topic (replication factor 3) and back, byte for byte" {
	gen_events 1000000 16 >"$T/in"
	run hub-produce -b "$KB" -t "$RUN.big" --stats <"$T/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"in":1000000,"out":1000000,"failed":0'* ]]
	hub-consume -b "$KB" -t "$RUN.big" -o beginning -e >"$T/out"
	[ "$(count_lines "$T/out")" -eq 1000000 ]
	cmp "$T/in" "$T/out"
	[ ! -e "$T/dlq" ]
}
