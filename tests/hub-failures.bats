#!/usr/bin/env bats
# hub-failures: the failure store searched, summed up and replayed.

load helpers

setup() {
	common_setup
	export HUB_DLQ="$T/failed.ndjson"
	# a feed with defects through hub-validate: 25 of 300 rejected
	"$GEN" 300 --seed 18 --invalid-rate 0.1 | hub-validate >"$T/valid" 2>/dev/null || true
	[ "$(count_lines "$HUB_DLQ")" -eq 25 ]
}

@test "find: every record, or those of a tool, a reason, an event attribute, a time window; --events as they were" {
	[ "$(hub-failures | wc -l)" -eq 25 ]
	cmp <(hub-failures find) "$HUB_DLQ"
	[ "$(hub-failures --tool hub-validate | wc -l)" -eq 25 ]
	[ "$(hub-failures --tool validate | wc -l)" -eq 25 ]
	run hub-failures --tool hub-dedup
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$(hub-failures --reason 'found string "two"' | jq -r .reason | sort -u | wc -l)" -eq 2 ]
	subject=$(hub-failures --reason quantity -c 1 --events | jq -r .subject)
	hub-failures --subject "$subject" --events | jq -e -s "length >= 1 and all(.subject == \"$subject\")"
	[ "$(hub-failures --type com.example.retail.order.paid | wc -l)" -eq "$(jq -s '[.[] | select(.event.type? == "com.example.retail.order.paid")] | length' "$HUB_DLQ")" ]
	[ "$(hub-failures --since 1h | wc -l)" -eq 25 ]
	run hub-failures --until 1h
	[ "$status" -eq 1 ]
	[ "$(hub-failures -c 3 | wc -l)" -eq 3 ]
	# --events: the JSON ones byte for byte as the generator wrote them, the others as text
	hub-failures --events >"$T/events"
	[ "$(count_lines "$T/events")" -eq 25 ]
	"$GEN" 300 --seed 18 --invalid-rate 0.1 | grep -Fxf "$T/events" | wc -l | grep -qx 25
}

@test "summary: counts by tool and reason, byte offsets folded, most first" {
	hub-failures summary >"$T/sum"
	head -n 3 "$T/sum" | cut -f1 | tr '\n' ' ' | grep -qx '6 5 4 '
	grep -qP '^5\thub-validate\tinvalid JSON at byte N: unexpected character .E.$' "$T/sum"
	[ "$(cut -f1 "$T/sum" | paste -sd+ | bc)" -eq 25 ]
}

@test "replay: never reads what its own pipeline fails, notes what was made safe, and the next replay takes only new failures" {
	hub-failures replay --tool validate | hub-validate >"$T/again" 2>/dev/null || true
	# the same 25 failed again: appended, not read back in a loop
	[ "$(count_lines "$HUB_DLQ")" -eq 50 ]
	[ "$(count_lines "$HUB_DLQ.replayed")" -eq 25 ]
	[ ! -s "$T/again" ]
	# summary counts what is still to replay; --all everything
	[ "$(hub-failures summary | cut -f1 | paste -sd+ | bc)" -eq 25 ]
	[ "$(hub-failures summary --all | cut -f1 | paste -sd+ | bc)" -eq 50 ]
	# a reader that takes nothing (it ends at once): nothing is noted, all is there for the next
	run bash -c 'hub-failures replay | true'
	[[ "$output" == *"25 of 25 replayed events were not acknowledged by the reader: a rerun sends them again"* ]]
	[ "$(count_lines "$HUB_DLQ.replayed")" -eq 25 ]
	# the next replay takes the 25 new records, as they were
	hub-failures replay >"$T/fixed"
	[ "$(count_lines "$T/fixed")" -eq 25 ]
	cmp <(sort "$T/fixed") <(hub-failures --events -c 25 | sort)
	[ "$(count_lines "$HUB_DLQ.replayed")" -eq 50 ]
	run hub-failures replay
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "replay of envelopes that failed: the events unwrapped, into a pipeline that acknowledges them" {
	start_devbroker -T t8:8 -T t2:2
	rm -f "$HUB_DLQ"
	"$GEN" 100 --seed 63 | hub-produce -t t8 -k subject
	hub-consume -t t8 -o beginning -e --envelope >"$T/env"
	run hub-produce --envelope -t t2 --keep-partition <"$T/env"
	[ "$status" -eq 1 ]
	n=$(count_lines "$HUB_DLQ")
	[ "$n" -gt 0 ]
	hub-failures replay --tool produce --topic t2 | hub-produce -t t2 -k subject
	[ "$(count_lines "$HUB_DLQ.replayed")" -eq "$n" ]
	# every event once in t2: those that went the first time, and the replayed ones, unwrapped
	kcat -C -b "$BROKER" -t t2 -o beginning -e -q | jq -r .id | sort >"$T/ids"
	[ "$(sort -u "$T/ids" | wc -l)" -eq 100 ]
	[ "$(count_lines "$T/ids")" -eq 100 ]
	cmp "$T/ids" <(jq -r .value.id "$T/env" | sort)
}

@test "usage, no store, and a closed output" {
	run hub-failures --dlq "$T/none"
	[ "$status" -eq 66 ]
	[[ "$output" == *"no failure store at $T/none: nothing has failed there"* ]]
	run hub-failures frobnicate
	[ "$status" -eq 64 ]
	run hub-failures --events summary
	[ "$status" -eq 64 ]
	run hub-failures --all
	[ "$status" -eq 64 ]
	run bash -c 'hub-failures | head -n 1'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run hub-failures --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: hub-failures"* ]]
}

@test "HUB_PIPELINE names the pipeline in each record; --pipeline finds them" {
	"$GEN" 100 --seed 19 --invalid-rate 0.2 | HUB_PIPELINE=billing-dk hub-validate >/dev/null 2>&1 || true
	n=$(hub-failures --pipeline billing-dk | wc -l)
	[ "$n" -gt 0 ]
	[ "$(jq -r .pipeline "$HUB_DLQ" | grep -c '^billing-dk$')" -eq "$n" ]
	# the 25 of setup ran without one
	[ "$(hub-failures | wc -l)" -eq $((25 + n)) ]
	run hub-failures --pipeline other
	[ "$status" -eq 1 ]
}
