#!/usr/bin/env bats
# Faults on a real cluster: a consumer group member killed with kill -9, and
# the leader of a partition killed with kill -9 while hub-produce sends.
# Nothing is lost; the idempotent producer writes nothing twice.

load helpers

setup_file() {
	kafka_setup_file
	topics "$RUN.group:6:3" "$RUN.failover:3:3:min.insync.replicas=2"
}

teardown_file() { kafka_teardown_file; }

# parts FILE: how many partitions the member whose -v log is FILE holds now.
parts() {
	grep -E '^hub-consume: (assigned|revoked) ' "$1" | tail -n1 | sed -n 's/.*(\([0-9]*\) \(in all\|left\)).*/\1/p'
}

group_split() {
	local a b c
	a=$(parts "$T/m1.err") b=$(parts "$T/m2.err") c=$(parts "$T/m3.err")
	[ "${a:-0}" -ge 1 ] && [ "${b:-0}" -ge 1 ] && [ "${c:-0}" -ge 1 ] && [ $((a + b + c)) -eq 6 ]
}

covered() {
	cat "$T"/m?.out | jq -r .value.id | sort -u >"$T/seen"
	[ "$(comm -23 "$T/ids" "$T/seen" | wc -l)" -eq 0 ]
}

@test "a group of 3 hub-consume splits the partitions; one killed -9 mid-stream, the others take over, every event written" {
	"$GEN" 12000 --seed 31 >"$T/in"
	jq -r .id "$T/in" | sort >"$T/ids"
	[ "$(uniq -d "$T/ids" | wc -l)" -eq 0 ]
	split -l 500 "$T/in" "$T/chunk."
	G=(-b "$KB" -G "hub-$RUN" -t "$RUN.group" --envelope -v -X session.timeout.ms=6000 -X heartbeat.interval.ms=500)
	for m in 1 2 3; do
		hub-consume "${G[@]}" >"$T/m$m.out" 2>"$T/m$m.err" &
		eval "pid$m=$!"
	done
	wait_until 60 group_split || { tail "$T"/m?.err >&2; false; }
	(for c in "$T"/chunk.*; do hub-produce -b "$KB" -t "$RUN.group" -k subject <"$c"; sleep 0.3; done) &
	producer=$!
	wait_until 60 lines_at_least "$T/m2.out" 1000
	kill -0 "$producer"          # mid-stream: events are still coming
	kill -KILL "$pid2"
	wait "$pid2" || true
	jq -r '"\(.partition) \(.offset)"' "$T/m2.out" | sort -n -k1,1 -k2,2 | awk '{last[$1] = $2} END {for (p in last) print p, last[p]}' >"$T/m2.last"
	wait "$producer"
	wait_until 90 covered || { echo "$(comm -23 "$T/ids" "$T/seen" | wc -l) events never written" >&2; false; }
	kill -TERM "$pid1" "$pid3"
	wait "$pid1"
	wait "$pid3"
	# the killed member's partitions were read on by the others, past where it stopped
	[ -s "$T/m2.last" ]
	while read -r p off; do
		[ "$(cat "$T/m1.out" "$T/m3.out" | jq --argjson p "$p" --argjson o "$off" 'select(.partition == $p and .offset > $o)' | wc -l)" -gt 0 ]
	done <"$T/m2.last"
	[ "$(wc -l <"$T/seen")" -eq 12000 ]
}

leader_moved() {
	local now
	now=$(leader_of "$RUN.failover" 0)
	[ -n "$now" ] && [ "$now" != "$1" ] && [ "$now" != -1 ]
}

@test "leader failover: kill -9 a partition's leader during 200,000 events; in = delivered + failure store, nothing twice" {
	gen_events 200000 32 >"$T/in"
	jq -r .id "$T/in" | sort >"$T/ids"
	[ "$(uniq -d "$T/ids" | wc -l)" -eq 0 ]
	split -l 10000 "$T/in" "$T/chunk."
	leader=$(leader_of "$RUN.failover" 0)
	[ -n "$leader" ]
	mkfifo "$T/feed"
	hub-produce -b "$KB" -t "$RUN.failover" -k subject --stats <"$T/feed" 2>"$T/produce.err" &
	producer=$!
	exec 5>"$T/feed"
	n=0
	for c in "$T"/chunk.*; do
		cat "$c" >&5
		n=$((n + 1))
		if [ "$n" -eq 4 ]; then
			kill -0 "$producer"
			"$KAFKA" -d "$KDIR" kill "$leader"
			# the partition moves to another replica
			wait_until 30 leader_moved "$leader"
		fi
		[ "$n" -eq 8 ] && { "$KAFKA" -d "$KDIR" restart "$leader" >"$T/restart.log" 2>&1 & restarter=$!; }
		sleep 0.5
	done
	exec 5>&-
	timeout 300 tail --pid="$producer" -f /dev/null || { echo "hub-produce did not finish in 300 s" >&2; false; }
	wait "$producer" || true
	wait "$restarter"
	# the partition has another leader now, or its old one back
	"$KAFKA" -d "$KDIR" status
	stats=$(grep '^{"tool":"hub-produce"' "$T/produce.err")
	echo "$stats"
	in=$(echo "$stats" | jq .in) out=$(echo "$stats" | jq .out) failed=$(echo "$stats" | jq .failed)
	[ "$in" -eq 200000 ]
	[ $((out + failed)) -eq "$in" ]
	[ "$(count_lines "$T/dlq")" -eq "$failed" ]
	hub-consume -b "$KB" -t "$RUN.failover" -e | jq -r .id | sort >"$T/delivered"
	[ "$(count_lines "$T/delivered")" -eq "$out" ]
	[ "$(uniq -d "$T/delivered" | wc -l)" -eq 0 ]
	if [ "$failed" -gt 0 ]; then jq -r .event.id "$T/dlq"; fi | sort | sort -m - "$T/delivered" | cmp - "$T/ids"
}

@test "a session.timeout.ms the brokers refuse: one clear error and exit 78, not a retry for ever" {
	# Kafka's group.min.session.timeout.ms is 6 s by default
	run timeout 60 hub-consume -b "$KB" -G "$RUN-short" -t "$RUN.group" -X session.timeout.ms=3000 -e
	echo "$output"
	[ "$status" -ne 124 ]
	[ "$status" -eq 78 ]
	[[ "$output" == *"the group coordinator refuses session.timeout.ms=3000"*"change -X session.timeout.ms"* ]]
}
