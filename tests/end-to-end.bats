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

# Minutes of chaos: the bare clone's own run of the suite
# (tests/bare-clone.bats) leaves them to the suite that runs it.
setup() {
	common_setup
	[ -z "${HUB_INNER_CLONE:-}" ] || skip "the chaos rounds run in the outer suite, not again in the bare clone's"
}

teardown() {
	if mountpoint -q "$T/small" 2>/dev/null; then umount "$T/small"; fi
	stop_devbroker
}

cut_group_drained() {
	[ "$(hub-consume -G cut -t cut.in -e -X session.timeout.ms=3000 | wc -l)" -eq 0 ]
}

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

@test "consume | produce with the broker slow to acknowledge: hub-produce killed by -9 six times, every event reaches the topic" {
	start_devbroker -T chaos.in:4 -T chaos.out:8
	broker_ctl rtt 1 1500
	chaos_feed chaos.in 6000 30
	PRODUCE_ARGS=()
	chaos_produce_rounds chaos.in chaos.out 6
	broker_ctl rtt 1 0
	cat "$T/chaos.log" >&2
	[ "$(grep -c 'kill -9' "$T/chaos.log")" -eq 6 ]
	! grep -q 'nothing delivered' "$T/chaos.log"
	chaos_copy_check chaos.out
	# duplicates: at most what was in flight when each producer died (here,
	# with the broker that slow, up to everything read: once per round)
	[ "$(wc -l <"$T/ids.out")" -le 42000 ]
}

@test "consume | produce --transactional-id: the group's offsets commit in the producer's transactions; killed by -9 six times, none lost" {
	start_devbroker -T chaos.in:4 -T chaos.out:8
	broker_ctl rtt 1 1000
	chaos_feed chaos.in 6000 30
	PRODUCE_ARGS=(--transactional-id "chaos-$BATS_TEST_NUMBER" -v)
	chaos_produce_rounds chaos.in chaos.out 6
	broker_ctl rtt 1 0
	cat "$T/chaos.log" >&2
	[ "$(grep -c 'kill -9' "$T/chaos.log")" -eq 6 ]
	# the producer committed the offsets: it said so, and hub-consume stored none itself
	grep -q 'a transaction per second, with the group' "$T/hub-produce.all"
	chaos_copy_check chaos.out
	# and the group has nothing left to read: its offsets came with the
	# transactions (the dev broker shows them a moment after the commit)
	wait_until 30 group_drained
}

@test "a full disk under hub-archive: nothing it did not store is committed; once there is room, a rerun completes" {
	mkdir -p "$T/small"
	mount -t tmpfs -o size=1m tmpfs "$T/small" 2>/dev/null || skip "cannot mount a small tmpfs here (needs root and mount rights)"
	start_devbroker -T full:4
	"$GEN" 5000 --seed 15 --invalid-rate 0 --dup-rate 0 >"$T/in"
	hub-produce -t full -k subject <"$T/in"
	run bash -c "hub-consume -G full -t full -e -X session.timeout.ms=3000 | hub-archive -d '$T/small/A'"
	# the disk filled up: hub-archive says so and fails
	[ "$status" -ne 0 ]
	stored=$(cat "$T"/small/A/*/*/*/*/*.ndjson 2>/dev/null | wc -l)
	[ "$stored" -lt 5000 ]
	# room again: the rerun reads what was not stored, and the archive ends
	# with every event (a line written whole in a write that failed as a
	# whole was not acknowledged: it may be there twice)
	mount -o remount,size=64m "$T/small"
	hub-consume -G full -t full -e -X session.timeout.ms=3000 | hub-archive -d "$T/small/A"
	cat "$T"/small/A/*/*/*/*/*.ndjson | jq -r .id | sort >"$T/ids.archived"
	umount "$T/small"
	diff <(jq -r .id "$T/in" | sort) <(sort -u "$T/ids.archived")
	echo "$(wc -l <"$T/ids.archived") lines for 5000 events" >&2
	[ "$(wc -l <"$T/ids.archived")" -lt 5500 ]
}

@test "consume | validate | dedup | produce --transactional-id: the filters pass the consumer's cuts on; the group's offsets commit in the transactions" {
	start_devbroker -T cut.in:4 -T cut.out:4
	"$GEN" 3000 --seed 16 --invalid-rate 0.05 --dup-rate 0.1 >"$T/in"
	# the lines that are not JSON stay out of Kafka (exit 1); the rest go
	run hub-produce -t cut.in -k subject <"$T/in"
	[ "$status" -eq 1 ]
	hub-consume -G cut -t cut.in -e -X session.timeout.ms=3000 |
		hub-validate --schemas "$SCHEMAS" 2>/dev/null | hub-dedup |
		hub-produce -vv -t cut.out -k subject --transactional-id cut-1 2>"$T/err"
	grep -q 'a transaction per second, with the group' "$T/err"
	grep -Eq 'transaction committed at input byte [0-9]+, with the offsets of 4 partitions' "$T/err"
	! grep -q 'aborted' "$T/err"
	# what passed the filters reached the topic
	[ "$(hub-consume -t cut.out -e | wc -l)" -eq "$(hub-validate --schemas "$SCHEMAS" <"$T/in" 2>/dev/null | hub-dedup | wc -l)" ]
	# and the group's offsets came with the transactions
	wait_until 30 cut_group_drained
}
