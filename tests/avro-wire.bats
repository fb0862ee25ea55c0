#!/usr/bin/env bats
# Avro on the wire: hub-produce --format avro and hub-consume --format avro
# (Confluent's framing: magic byte 0, schema id, Avro binary), and the same
# bytes read and written by Apache Avro's Python implementation.

load helpers

REPO="$BATS_TEST_DIRNAME/.."
SCHEMAS="$REPO/schemas"
AVROWIRE="$HUB_BIN/../tests/helper/avrowire"
INTEROP="$BATS_TEST_DIRNAME/data/avro-interop.py"

all_types_registry() {
	mkdir -p "$T/reg/t"
	cp "$BATS_TEST_DIRNAME/data/avro-all.avsc" "$T/reg/t/1.avsc"
	echo "7 t 1" >"$T/reg/index"
	printf '%s\n' '{"n":null,"b":true,"i":-5,"l":9007199254740993,"f":1.5,"d":-2.25e-3,"by":"a\u00ff\u0000","s":"Zoë 東京","e":"B","a":[1,2,3],"m":{"k":"v"},"fx":"xyz","u":{"x":7},"u2":"hi","dec":-1234.56,"decf":"12.345","date":"2026-03-01","tsm":"2026-03-01T08:00:00.049Z","tsu":"2026-03-01T08:00:00.000123+01:00","tm":"08:00:00.049","uuid":"c9e9c616-612e-4696-96ce-cc1b78e51061"}' >"$T/data.json"
}

@test "every Avro type: python3-avro reads what hub writes" {
	all_types_registry
	"$AVROWIRE" encode "$T/reg" t <"$T/data.json" >"$T/hub.bin"
	[ "$(head -c 5 "$T/hub.bin" | od -An -tx1 | tr -d ' ')" = 0000000007 ]
	"$PY" "$INTEROP" read "$T/reg/t/1.avsc" "$T/hub.bin" 7
}

@test "every Avro type: hub reads what python3-avro writes, in hub's JSON mapping" {
	all_types_registry
	"$PY" "$INTEROP" write "$T/reg/t/1.avsc" "$T/py.bin" 7
	"$AVROWIRE" decode "$T/reg" <"$T/py.bin" >"$T/hub.json"
	"$PY" "$INTEROP" json "$T/hub.json"
	# and hub's own round trip gives the same
	"$AVROWIRE" encode "$T/reg" t <"$T/data.json" | "$AVROWIRE" decode "$T/reg" >"$T/again.json"
	"$PY" "$INTEROP" json "$T/again.json"
}

@test "decoding refuses what is not framed Avro, or an id the registry lacks" {
	all_types_registry
	run "$AVROWIRE" decode "$T/reg" < <(printf '{"a":1}')
	[ "$status" -eq 1 ]
	[[ "$output" == *"not Avro in Confluent's wire format"* ]]
	run "$AVROWIRE" decode "$T/reg" < <(printf '\0\0\0\0\011xyz')
	[ "$status" -eq 1 ]
	[[ "$output" == *"schema id 9 is not in the registry"* ]]
	run "$AVROWIRE" decode "$T/reg" < <(printf '\0\0\0\0\007\001')
	[ "$status" -eq 1 ]
	[[ "$output" == *"schema id 7: the body does not fit the schema"* ]]
}

@test "hub-produce --format avro | hub-consume --format avro gives the events back" {
	start_devbroker
	"$GEN" 300 --seed 21 >"$T/in"
	run hub-produce -t av --format avro --schemas "$SCHEMAS" --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 0 ]
	[ ! -e "$T/dlq" ]
	hub-consume -t av -e --format avro --schemas "$SCHEMAS" --dlq "$T/cdlq" >"$T/out"
	[ "$(count_lines "$T/out")" -eq 300 ]
	[ ! -e "$T/cdlq" ]
	# equal as JSON values (decimals compared exactly); decoding adds the
	# defaults of fields the event left out (order.created v2: gift_message)
	"$PY" - "$T/in" "$T/out" <<'PY'
import json, sys
from decimal import Decimal
load = lambda f: {e["id"]: e for e in (json.loads(l, parse_float=Decimal) for l in open(f))}
a, b = load(sys.argv[1]), load(sys.argv[2])
for e in a.values():
    if e["type"].endswith("order.created"):
        e["data"].setdefault("gift_message", None)
assert a == b, [(a[k], b.get(k)) for k in a if a[k] != b.get(k)][:1]
PY
}

@test "an Avro topic read as JSON: each failure says it is Confluent-framed Avro, with its schema id, and what to give" {
	start_devbroker
	"$GEN" 20 --seed 22 | hub-produce -t av --format avro --schemas "$SCHEMAS"
	run hub-consume -t av -e --dlq "$T/cdlq"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/cdlq")" -eq 20 ]
	jq -e -s 'all(.reason | test("^value is not JSON: it is in Confluent.s wire format \\(magic byte 0, schema id [0-9]+\\): read the topic with --format avro$"))' "$T/cdlq"
	# said once on stderr, not once a message
	[ "$(echo "$output" | grep -c 'give --format avro')" -eq 1 ]
}

@test "the bytes on the wire are Confluent-framed Avro that python3-avro decodes" {
	start_devbroker
	"$GEN" 60 --seed 4 | grep -m1 order.created >"$T/in"
	hub-produce -t av1 --format avro --schemas "$SCHEMAS" <"$T/in"
	kcat -C -b "$BROKER" -t av1 -o beginning -c 1 -e -q -f '%s' >"$T/msg.bin"
	kcat -C -b "$BROKER" -t av1 -o beginning -c 1 -e -q -f '%h\n' >"$T/headers"
	grep -q 'ce_type=com.example.retail.order.created' "$T/headers"
	"$PY" - "$SCHEMAS" "$T/msg.bin" "$T/in" <<'PY'
import io, json, struct, sys
from decimal import Decimal
import avro.io, avro.schema
schemas, msg, event = sys.argv[1:]
raw = open(msg, "rb").read()
magic, sid = struct.unpack(">bI", raw[:5])
assert magic == 0 and sid == 6, (magic, sid)   # order.created version 2 in schemas/index
schema = avro.schema.parse(open(schemas + "/com.example.retail.order.created/2.avsc").read())
got = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(raw[5:])))
want = json.loads(open(event).read(), parse_float=Decimal)["data"]
want["gift_message"] = None
for item in want["items"]:
    item["unit_price"] = Decimal(item["unit_price"]).quantize(Decimal("0.01"))
want["total"]["amount"] = Decimal(want["total"]["amount"]).quantize(Decimal("0.01"))
assert got == want, (got, want)
PY
}

@test "hub-produce --format avro: invalid data and unknown types go to the failure store" {
	start_devbroker
	"$GEN" 100 --seed 8 | grep -m1 order.paid >"$T/good"
	sed 's/"market":"[A-Z]*"/"market":39/' "$T/good" >"$T/bad"
	sed 's/"type":"[^"]*"/"type":"com.example.unknown"/' "$T/good" >"$T/unknown"
	cat "$T/good" "$T/bad" "$T/unknown" >"$T/in"
	run hub-produce -t av2 --format avro --schemas "$SCHEMAS" --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 2 ]
	[ "$(jq -r .reason "$T/dlq" | head -1)" = '--format avro: data.market: expected string, found number 39 (com.example.retail.order.paid version 1, schema id 2)' ]
	[[ "$(jq -r .reason "$T/dlq" | tail -1)" == "--format avro: the event's type 'com.example.unknown' has no subject in the schema registry"* ]]
	hub-consume -t av2 -e --format avro --schemas "$SCHEMAS" >"$T/out"
	[ "$(count_lines "$T/out")" -eq 1 ]
	[ "$(jq -r .id "$T/out")" = "$(jq -r .id "$T/good")" ]
}

@test "hub-consume --format avro: a message that is not Avro goes to the failure store" {
	start_devbroker
	printf '%s\n' '{"id":"plain-json"}' | hub-produce -t av3
	run hub-consume -t av3 -e --format avro --schemas "$SCHEMAS" --dlq "$T/dlq"
	[ "$status" -eq 1 ]
	[[ "$(jq -r .reason "$T/dlq")" == "--format avro: not Avro in Confluent's wire format"* ]]
}

@test "--format: usage errors and an unusable registry" {
	run hub-produce -t x --format xml
	[ "$status" -eq 64 ]
	run hub-produce -t x --format avro --envelope
	[ "$status" -eq 64 ]
	run hub-consume -t x --format avro --envelope
	[ "$status" -eq 64 ]
	run hub-produce -t x --format avro --schemas "$T/none" </dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"the schema registry $T/none is unusable"* ]]
}

@test "a message whose lengths point past its end is refused before avro-c reads it: no huge allocation, no abort" {
	# a customer.updated body (schema id 3) whose string length is a varint near 2^63
	echo 0000000003184355532d333130360900363932380455531c4769756c6961204269616e6368693a6769756c69612e6269616e636869343237406578616d706c652e636f6d1c2b3120393930203533393033383316537472c3b8676574203834104e657720596f726b0a343132323404555302bf380100 |
		xxd -r -p >"$T/huge.bin"
	run bash -c "$(memlimit 1000000)'$AVROWIRE' decode '$BATS_TEST_DIRNAME/../schemas' <'$T/huge.bin'"
	[ "$status" -eq 1 ]
	grep -q "schema id 3: the body does not fit the schema" <<<"$output"
	# negative lengths, a cut body and bytes left over: the same
	mkdir -p "$T/reg/t"
	echo '{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}' >"$T/reg/t/1.avsc"
	echo "1 t 1" >"$T/reg/index"
	good=$(echo '{"a":"xyz"}' | "$AVROWIRE" encode "$T/reg" t | xxd -p | tr -d '\n')
	for body in "${good:0:10}01" "${good:0:12}" "${good}00"; do
		run bash -c "echo $body | xxd -r -p | '$AVROWIRE' decode '$T/reg'"
		[ "$status" -eq 1 ] || { echo "accepted: $body"; false; }
		grep -q "does not fit the schema" <<<"$output"
	done
	# and hub-consume --format avro sends such a message to the failure store
	start_devbroker -T a:1
	kcat -P -b "$BROKER" -t a "$T/huge.bin"   # a file argument: the file is one message
	run bash -c "$(memlimit 2000000)hub-consume -t a -e --format avro --schemas '$BATS_TEST_DIRNAME/../schemas' --dlq '$T/dlq'"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 1 ]
	jq -e '.reason | test("does not fit the schema")' "$T/dlq"
}

@test "decoding refuses a decimal beyond its precision and a string that is not UTF-8 (found by tests/fuzz/avro_wire)" {
	# an order.paid message (schema id 2), its amount a decimal(12,2) in bytes at offset 14
	m=$(printf '{"order_id":"ORD-1","market":"JP","amount":386.00,"currency":"JPY","payment":{"method":"card","card_last4":null,"psp_reference":"PSP1"}}' |
		"$AVROWIRE" encode "$BATS_TEST_DIRNAME/../schemas" com.example.retail.order.paid | xxd -p | tr -d '\n')
	[ "${m:28:8}" = "060096c8" ]
	dec() { echo "${m:0:28}$1${m:36}" | xxd -r -p | "$AVROWIRE" decode "$BATS_TEST_DIRNAME/../schemas"; }
	run dec 0c00e8d4a50fff        # 9999999999.99: twelve digits
	[ "$status" -eq 0 ]
	[ "$(jq -r .amount <<<"$output")" = 9999999999.99 ]
	run dec 0cff172b5af001        # -9999999999.99
	[ "$status" -eq 0 ]
	[ "$(jq -r .amount <<<"$output")" = -9999999999.99 ]
	for v in 0c00e8d4a51000 0cff172b5af000 107fffffffffffffff; do   # 10^10, -10^10, 2^63-1 hundredths
		run dec "$v"
		[ "$status" -eq 1 ] || { echo "accepted: $v: $output"; false; }
		grep -q "schema id 2: the decoded value does not fit the schema (a decimal with more digits than its precision" <<<"$output"
	done
	# the order id "ORD-1" with a byte 0xff in it: refused, not decoded with U+FFFD
	[ "${m:10:12}" = "0a4f52442d31" ]
	run bash -c "echo '${m:0:14}ff${m:16}' | xxd -r -p | '$AVROWIRE' decode '$BATS_TEST_DIRNAME/../schemas'"
	[ "$status" -eq 1 ]
	grep -q "a string not UTF-8" <<<"$output"
}
