#!/usr/bin/env bats
# End to end: kill -9 of any stage of a pipeline, at any moment, loses no
# event (hub(7), "End to end"), against the dev broker. The same rounds run
# against a real cluster in tests/kafka/end-to-end.bats.

load helpers
load chaos

# The dev broker makes a group's new member wait for the session of the one
# killed (3 s here) and 3 s more for the group to form: a round takes about
# 8 s, so the 30,000 events come over 45 s, for every kill to find them
# flowing.

SCHEMAS="$BATS_TEST_DIRNAME/../schemas"

group_drained() {
	[ "$(hub-consume -G chaos-copy -t chaos.in -e -X session.timeout.ms=10000 | wc -l)" -eq 0 ]
}

@test "consume | validate | tokenize -s | dedup --state | archive: six stages killed by -9, none lost, each stored once" {
	start_devbroker -T chaos.orders:8
	chaos_feed chaos.orders 30000 45
	chaos_archive_rounds chaos.orders 6
	cat "$T/chaos.log" >&2
	chaos_archived_ids >"$T/ids.archived"
	# none lost
	comm -23 "$T/ids.produced" <(sort -u "$T/ids.archived") >"$T/lost"
	[ ! -s "$T/lost" ] || { echo "lost $(wc -l <"$T/lost") events" >&2; false; }
	# each stored once
	[ "$(wc -l <"$T/ids.archived")" -eq 30000 ] ||
		{ echo "stored $(wc -l <"$T/ids.archived") lines for 30000 events" >&2; false; }
	# the rounds did kill while events flowed
	[ "$(grep -c 'kill -9' "$T/chaos.log")" -eq 6 ]
}

@test "consume | produce with the broker slow to acknowledge: hub-produce killed by -9 three times, every event reaches the topic" {
	start_devbroker -T chaos.in:4 -T chaos.out:4
	"$GEN" 6000 --seed 12 --invalid-rate 0 --dup-rate 0 >"$T/in"
	jq -r .id "$T/in" | sort >"$T/ids.produced"
	hub-produce -t chaos.in -k subject <"$T/in"
	broker_ctl rtt 1 1500
	PRODUCE_ARGS=()
	chaos_produce_rounds chaos.in chaos.out 3
	broker_ctl rtt 1 0
	cat "$T/chaos.log" >&2
	[ "$(grep -c 'kill -9' "$T/chaos.log")" -eq 3 ]
	! grep -q 'nothing delivered' "$T/chaos.log"
	hub-consume -t chaos.out -o beginning -e | jq -r .id | sort >"$T/ids.out"
	comm -23 "$T/ids.produced" <(sort -u "$T/ids.out") >"$T/lost"
	[ ! -s "$T/lost" ] || { echo "lost $(wc -l <"$T/lost") events" >&2; false; }
	# duplicates: at most what was in flight when each producer died (here,
	# with the broker that slow, up to everything read: once per round)
	echo "$(wc -l <"$T/ids.out") in chaos.out for 6000 events" >&2
	[ "$(wc -l <"$T/ids.out")" -le 24000 ]
}

@test "consume | produce --transactional-id: the group's offsets commit in the producer's transactions; killed by -9 three times, none lost" {
	start_devbroker -T chaos.in:4 -T chaos.out:4
	"$GEN" 6000 --seed 13 --invalid-rate 0 --dup-rate 0 >"$T/in"
	jq -r .id "$T/in" | sort >"$T/ids.produced"
	hub-produce -t chaos.in -k subject <"$T/in"
	broker_ctl rtt 1 1000
	PRODUCE_ARGS=(--transactional-id "chaos-$BATS_TEST_NUMBER" -v)
	chaos_produce_rounds chaos.in chaos.out 3
	broker_ctl rtt 1 0
	cat "$T/chaos.log" >&2
	[ "$(grep -c 'kill -9' "$T/chaos.log")" -eq 3 ]
	# the producer committed the offsets: it said so, and hub-consume stored none itself
	grep -q 'a transaction per second, with the group' "$T/hub-produce.err"
	hub-consume -t chaos.out -o beginning -e | jq -r .id | sort >"$T/ids.out"
	comm -23 "$T/ids.produced" <(sort -u "$T/ids.out") >"$T/lost"
	[ ! -s "$T/lost" ] || { echo "lost $(wc -l <"$T/lost") events" >&2; false; }
	# and the group has nothing left to read: its offsets came with the
	# transactions (the dev broker shows them a moment after the commit)
	wait_until 30 group_drained
}
