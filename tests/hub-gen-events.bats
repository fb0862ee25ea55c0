#!/usr/bin/env bats
# hub-gen-events: realistic retail events, the same bytes for the same seed,
# every good event valid against schemas/, every defect the kind it claims.

load helpers

SCHEMAS="$BATS_TEST_DIRNAME/../schemas"

# classify < lines: for each line, what is wrong with it, as jq sees it
# (json, id, data, type) or "good". Independent of hub-validate.
classify() {
	jq -R -r 'try fromjson catch "json" | if . == "json" then .
		elif has("id") | not then "id"
		elif has("data") | not then "data"
		elif (.data.items[0].quantity? | type) == "string" or (.data.delta? | type) == "string"
			or (.data.market | type) == "number" then "type"
		else "good" end'
}

@test "the same seed gives the same bytes, here as on the machine that wrote tests/data/gen-events.golden" {
	# The golden file was written once by hub-gen-events; a change to the
	# generator's output must be deliberate (and the file written again).
	hub-gen-events 40 --seed 3 --dup-rate 0.2 --invalid-rate 0.2 --start 2026-06-30T23:59:58Z >"$T/out"
	cmp "$T/out" "$BATS_TEST_DIRNAME/data/gen-events.golden"
	hub-gen-events 5000 --seed 9 --dup-rate 0.1 | cksum >"$T/a"
	hub-gen-events 5000 --seed 9 --dup-rate 0.1 | cksum >"$T/b"
	cmp "$T/a" "$T/b"
	# another seed tells another story; a shorter run is the start of a longer one
	! cmp -s <(hub-gen-events 100 --seed 1) <(hub-gen-events 100 --seed 2)
	cmp <(hub-gen-events 100 --seed 7) <(hub-gen-events 1000 --seed 7 | head -n 100)
	[ "$(hub-gen-events 0 | wc -c)" -eq 0 ]
	[ "$(hub-gen-events 1234 --seed 5 --dup-rate 0.3 --invalid-rate 0.3 | wc -l)" -eq 1234 ]
}

@test "every event of a run without --invalid-rate is valid against schemas/ and passes byte for byte" {
	hub-gen-events 20000 --seed 11 --dup-rate 0.05 >"$T/in"
	run hub-validate --schemas "$SCHEMAS" --dlq "$T/dlq" --stats <"$T/in"
	[ "$status" -eq 0 ]
	hub-validate --schemas "$SCHEMAS" --dlq "$T/dlq" <"$T/in" | cmp - "$T/in"
	[ ! -e "$T/dlq" ]
	[ "$(classify <"$T/in" | sort -u)" = good ]
	# UTF-8 throughout, non-ASCII names and cities written as they are
	iconv -f UTF-8 -t UTF-8 "$T/in" >/dev/null
	grep -q '"name":"[^"]*[^ -~"][^"]*"' "$T/in"
	! grep -q '\\u' "$T/in"
}

@test "--invalid-rate: hub-validate rejects exactly the defective lines, each for its defect" {
	hub-gen-events 5000 --seed 4 --invalid-rate 0.2 >"$T/in"
	classify <"$T/in" >"$T/kinds"
	# all five kinds (not JSON and truncated both count as json), about 20% in all
	for k in json id data type; do grep -qx "$k" "$T/kinds"; done
	[ "$(grep -c '^ERROR 500 upstream said: [0-9a-f-]\{36\}$' "$T/in")" -gt 50 ]
	bad=$(grep -cvx good "$T/kinds")
	[ "$bad" -gt 850 ] && [ "$bad" -lt 1150 ]
	run hub-validate --schemas "$SCHEMAS" --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq "$bad" ]
	# line by line, the reason is the defect jq found
	jq -r '"\(.line) " + (.reason |
		if startswith("invalid JSON") then "json"
		elif startswith("id: expected a non-empty string") then "id"
		elif test("found nothing \\(the event has no data\\)") then "data"
		elif test("^data\\.(items\\[0\\]\\.quantity: expected int, found string \"two\"|delta: expected int, found string \"-1\"|market: expected string, found number 39)") then "type"
		else "other: " + . end)' "$T/dlq" >"$T/got"
	grep -nvx good "$T/kinds" | tr : ' ' >"$T/want"
	diff "$T/want" "$T/got"
	# a truncated line is cut at a character boundary: still UTF-8
	iconv -f UTF-8 -t UTF-8 "$T/in" >/dev/null
}

@test "--dup-rate: repeats are earlier events byte for byte, at about the rate asked" {
	hub-gen-events 10000 --seed 6 --dup-rate 0.25 >"$T/in"
	unique=$(sort -u "$T/in" | wc -l)
	dups=$((10000 - unique))
	[ "$dups" -gt 2300 ] && [ "$dups" -lt 2700 ]
	# a repeat is never a new event with an old id: ids are as many as distinct lines
	[ "$(jq -r .id "$T/in" | sort -u | wc -l)" -eq "$unique" ]
	# without --dup-rate, every line is distinct
	[ "$(hub-gen-events 10000 --seed 6 | sort -u | wc -l)" -eq 10000 ]
}

@test "orders are created, then paid, then shipped, under one subject; the mix of types" {
	hub-gen-events 20000 --seed 8 >"$T/in"
	jq -r '[.type, .subject] | @tsv' "$T/in" >"$T/ts"
	# every paid order was created before, every shipped order paid before
	awk -F'\t' '
		$1 ~ /order\.created$/ { if ($2 in stage) bad++; stage[$2] = 1 }
		$1 ~ /order\.paid$/ { if (stage[$2] != 1) bad++; stage[$2] = 2 }
		$1 ~ /shipment\.dispatched$/ { if (stage[$2] != 2) bad++; stage[$2] = 3; shipped++ }
		END { print bad + 0, shipped + 0 }' "$T/ts" >"$T/orders"
	read -r bad shipped <"$T/orders"
	[ "$bad" -eq 0 ]
	[ "$shipped" -gt 1000 ]
	# a shipment carries the items of its order
	jq -c 'select(.type | endswith("order.created")) | [.subject, [.data.items[] | {sku, quantity}]]' "$T/in" | sort >"$T/created"
	jq -c 'select(.type | endswith("shipment.dispatched")) | [.subject, .data.items]' "$T/in" | sort >"$T/shipped"
	[ -z "$(comm -13 "$T/created" "$T/shipped")" ]
	# customers come back: some customer ids appear in more than one event
	[ "$(jq -r 'select(.type | endswith("customer.updated")) | .subject' "$T/in" | sort | uniq -d | wc -l)" -gt 0 ]
	# about 35% created, 30% paid or shipped, 15% customers, 20% stock
	share() { echo $(( $(grep -cE "$1" "$T/ts") * 100 / 20000 )); }
	s=$(share 'order\.created'); [ "$s" -ge 33 ] && [ "$s" -le 37 ]
	s=$(share 'order\.paid|shipment\.dispatched'); [ "$s" -ge 27 ] && [ "$s" -le 33 ]
	s=$(share 'customer\.updated'); [ "$s" -ge 13 ] && [ "$s" -le 17 ]
	s=$(share 'inventory\.adjusted'); [ "$s" -ge 18 ] && [ "$s" -le 22 ]
}

@test "amounts have two decimals, and an order's total is the sum of its lines" {
	hub-gen-events 3000 --seed 2 >"$T/in"
	grep -oE '"(amount|unit_price)":[^,}]+' "$T/in" >"$T/amounts"
	[ "$(count_lines "$T/amounts")" -gt 1000 ]
	! grep -vE ':[0-9]+\.[0-9]{2}$' "$T/amounts"
	# in cents, so that no floating-point rounding hides a wrong total
	jq -r 'select(.type | endswith("order.created")) | .data |
		[(.total.amount * 100 | round), ([.items[] | .quantity * (.unit_price * 100 | round)] | add)] | @tsv' \
		"$T/in" | awk -F'\t' '$1 != $2 { bad++ } END { exit bad > 0 }'
	# an order is paid its total
	jq -r 'select(.type | endswith("order.created")) | "\(.subject) \(.data.total.amount)"' "$T/in" | sort >"$T/totals"
	jq -r 'select(.type | endswith("order.paid")) | "\(.subject) \(.data.amount)"' "$T/in" | sort >"$T/paid"
	[ -z "$(comm -13 "$T/totals" "$T/paid")" ]
}

@test "--start: the first event's time, in UTC; each next one 1 to 399 ms later" {
	hub-gen-events 2000 --start 2026-03-01T23:59:00+01:00 >"$T/in"
	first=$(head -n1 "$T/in" | jq -r .time)
	[[ "$first" == 2026-03-01T22:59:00.[0-9][0-9][0-9]Z ]]
	jq -r .time "$T/in" >"$T/times"
	sort -c "$T/times"
	[ "$(sort -u "$T/times" | wc -l)" -eq 2000 ]
	# 2000 events at 1 to 399 ms: between 2 and 798 seconds
	last=$(tail -n1 "$T/times")
	span=$(( $(date -u -d "$last" +%s) - $(date -u -d "$first" +%s) ))
	[ "$span" -ge 2 ] && [ "$span" -le 798 ]
	[ "$(hub-gen-events 1 --start 2026-03-01 | jq -r .time | cut -c1-17)" = 2026-03-01T00:00: ]
	[ "$(hub-gen-events 1 --start '2026-03-01 10:00:00.5' | jq -r .time | cut -c1-20)" = 2026-03-01T10:00:00. ]
	# the default start
	[ "$(hub-gen-events 1 | jq -r .time | cut -c1-19)" = 2026-03-01T08:00:00 ]
	# now, and an age before now: the clock's time, the same events otherwise
	before=$(date -u +%s)
	t=$(hub-gen-events 1 --start now | jq -r .time)
	[ "$(date -u -d "$t" +%s)" -ge "$before" ] && [ "$(date -u -d "$t" +%s)" -le "$(( $(date -u +%s) + 1 ))" ]
	t=$(hub-gen-events 1 --start 2h | jq -r .time)
	age=$(( $(date -u +%s) - $(date -u -d "$t" +%s) ))
	[ "$age" -ge 7199 ] && [ "$age" -le 7202 ]
	cmp <(hub-gen-events 20 --start 2h | jq -c 'del(.time)') <(hub-gen-events 20 | jq -c 'del(.time)')
}

@test "usage errors exit 64 with a clear message; --help, --version; a full disk exits 74" {
	for args in "" "ten" "10 20" "10 --dup-rate 1.5" "10 --invalid-rate -0.1" "10 --dup-rate x" \
		"10 --dup-rate 0.6 --invalid-rate 0.5" "10 --start yesterday" "10 --seed 1.5" "10 --nope"; do
		run hub-gen-events $args
		[ "$status" -eq 64 ] || { echo "'$args' gave $status"; false; }
		[[ "$output" == *"hub-gen-events"* ]]
	done
	run hub-gen-events
	[[ "$output" == *"number of events to write is missing"* ]]
	run hub-gen-events 10 --dup-rate 1.5
	[[ "$output" == *"--dup-rate '1.5': expected a probability from 0 to 1"* ]]
	run hub-gen-events --help
	[ "$status" -eq 0 ]
	echo "$output" | grep -q -- '--invalid-rate R'
	run hub-gen-events -V
	[ "$status" -eq 0 ]
	[[ "$output" == "hub-gen-events "* ]]
	if [ -w /dev/full ]; then
		run sh -c 'hub-gen-events 10 >/dev/full'
		[ "$status" -eq 74 ]
		[[ "$output" == *"standard output: No space left on device"* ]]
	fi
}
