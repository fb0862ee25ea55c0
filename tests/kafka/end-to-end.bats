#!/usr/bin/env bats
# End to end on a real cluster: kill -9 of any stage of the README's
# pipelines, six times while events flow, then a run that drains; every
# event is in the sink, the archive holds each once (tests/chaos.bash, as
# tests/end-to-end.bats runs it against the dev broker).

load helpers
load ../chaos

SCHEMAS="$ROOT/schemas"

setup_file() {
	kafka_setup_file
	topics "$RUN.chaos:8:3" "$RUN.copy.in:4:3" "$RUN.copy.out:4:3"
}

teardown_file() { kafka_teardown_file; }

@test "real cluster: consume | validate | tokenize -s | dedup --state | archive, six stages killed by -9, none lost, each stored once" {
	BROKER=$KB
	CHAOS_SESSION_MS=6000
	CHAOS_GROUP_EXTRA="-X group.instance.id=chaos-$RUN"
	chaos_feed "$RUN.chaos" 30000 20
	chaos_archive_rounds "$RUN.chaos" 6
	cat "$T/chaos.log" >&2
	chaos_archived_ids >"$T/ids.archived"
	comm -23 "$T/ids.produced" <(sort -u "$T/ids.archived") >"$T/lost"
	[ ! -s "$T/lost" ] || { echo "lost $(wc -l <"$T/lost") events" >&2; false; }
	[ "$(wc -l <"$T/ids.archived")" -eq 30000 ]
	[ "$(grep -c 'kill -9' "$T/chaos.log")" -eq 6 ]
}

@test "real cluster: consume | produce, hub-produce killed by -9 six times while delivering; every event reaches the topic" {
	BROKER=$KB
	CHAOS_GROUP_EXTRA="-X group.instance.id=copy-$RUN"
	chaos_feed "$RUN.copy.in" 20000 30
	PRODUCE_ARGS=()
	chaos_produce_rounds "$RUN.copy.in" "$RUN.copy.out" 6
	cat "$T/chaos.log" >&2
	[ "$(grep -c 'kill -9' "$T/chaos.log")" -eq 6 ]
	! grep -q 'nothing delivered' "$T/chaos.log"
	chaos_copy_check "$RUN.copy.out"
	[ "$(wc -l <"$T/ids.out")" -le 140000 ]
}

@test "real cluster: consume | produce --transactional-id, hub-produce killed by -9 six times: every event exactly once in the topic" {
	BROKER=$KB
	CHAOS_GROUP_EXTRA="-X group.instance.id=eos-$RUN"
	topics "$RUN.eos.in:4:3" "$RUN.eos.out:4:3"
	chaos_feed "$RUN.eos.in" 20000 30
	PRODUCE_ARGS=(--transactional-id "eos-$RUN" -v)
	chaos_produce_rounds "$RUN.eos.in" "$RUN.eos.out" 6
	cat "$T/chaos.log" >&2
	[ "$(grep -c 'kill -9' "$T/chaos.log")" -eq 6 ]
	! grep -q 'nothing delivered' "$T/chaos.log"
	# read_committed (librdkafka's default): the aborted transactions are not seen
	chaos_copy_check "$RUN.eos.out"
	diff "$T/ids.produced" "$T/ids.out"
}
