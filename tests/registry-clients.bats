#!/usr/bin/env bats
# hub-registry with clients nobody here wrote: confluent-kafka-python's
# AvroSerializer and AvroDeserializer (with fastavro), from the package
# index, in a virtual environment kept in the user's cache directory. A
# Python producer through hub-registry to the dev broker, read by
# hub-consume --format avro; hub-produce --format avro read by Python; a
# new schema refused with 422 42205 and the reason in the client's error.

load helpers

REPO="$BATS_TEST_DIRNAME/.."
CLIENT="$BATS_TEST_DIRNAME/data/registry-client.py"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/hub/venv"

# The environment once for the file; when pip cannot get the packages the
# tests are skipped, saying why.
setup_file() {
	export VENV_PROBLEM="$BATS_FILE_TMPDIR/venv-problem"
	if "$VENV/bin/python" -c 'import confluent_kafka.schema_registry.avro, fastavro' 2>/dev/null; then
		return 0
	fi
	mkdir -p "$(dirname "$VENV")"
	if ! $PY -m venv "$VENV" >"$BATS_FILE_TMPDIR/venv.log" 2>&1; then
		echo "python3 -m venv failed (python3-venv installed?): $(tail -1 "$BATS_FILE_TMPDIR/venv.log")" >"$VENV_PROBLEM"
		return 0
	fi
	if ! timeout 300 "$VENV/bin/pip" install -q 'confluent-kafka[avro,schemaregistry]' fastavro \
		>>"$BATS_FILE_TMPDIR/venv.log" 2>&1; then
		echo "pip could not install confluent-kafka and fastavro (no package index reachable?): $(tail -1 "$BATS_FILE_TMPDIR/venv.log")" >"$VENV_PROBLEM"
		return 0
	fi
	"$VENV/bin/python" -c 'import confluent_kafka.schema_registry.avro, fastavro' >>"$BATS_FILE_TMPDIR/venv.log" 2>&1 ||
		echo "confluent_kafka.schema_registry.avro does not import: $(tail -1 "$BATS_FILE_TMPDIR/venv.log")" >"$VENV_PROBLEM"
}

setup() {
	common_setup
	[ ! -s "$VENV_PROBLEM" ] || skip "$(cat "$VENV_PROBLEM")"
	cp -R "$REPO/schemas" "$T/reg"
	echo "orders.paid com.example.retail.order.paid" >"$T/reg/topics"
	start_devbroker
	start_registry -d "$T/reg"
}

client() {
	timeout 120 "$VENV/bin/python" "$CLIENT" "$@"
}

@test "a Python AvroSerializer (auto-register, then use.latest.version) via hub-registry; hub-consume --format avro decodes" {
	client produce "$REGISTRY" "$BROKER" orders.paid "$T/reg/com.example.retail.order.paid/1.avsc" 20 >"$T/sent"
	[ "$(count_lines "$T/sent")" -eq 40 ]
	hub-consume -t orders.paid -e --format avro --schemas "$T/reg" --dlq "$T/dlq" >"$T/got"
	[ ! -e "$T/dlq" ]
	# the same records, decimals compared as numbers
	$PY - "$T/sent" "$T/got" <<'PY'
import json, sys
from decimal import Decimal
def norm(line):
    r = json.loads(line, parse_float=Decimal)
    r["amount"] = Decimal(r["amount"]).quantize(Decimal("0.01"))
    return json.dumps(r, sort_keys=True, default=str)
sent = sorted(norm(l) for l in open(sys.argv[1]))
got = sorted(norm(l) for l in open(sys.argv[2]))
assert sent == got, (sent[:2], got[:2])
PY
	# every message carries the registry's id for order.paid version 1
	kcat -C -b "$BROKER" -t orders.paid -o beginning -e -q -f '%s\n' -c 1 | head -c 5 | od -An -tx1 | grep -q '00 00 00 00 02'
}

@test "events from hub-produce --format avro are decoded by Python's AvroDeserializer through hub-registry" {
	"$GEN" 400 --seed 3 | grep '"type":"com.example.retail.order.paid"' | head -30 >"$T/in"
	[ "$(count_lines "$T/in")" -eq 30 ]
	hub-produce -t av --format avro --schemas "$T/reg" <"$T/in"
	client consume "$REGISTRY" "$BROKER" av 30 >"$T/got"
	$PY - "$T/in" "$T/got" <<'PY'
import json, sys
from decimal import Decimal
def norm(r):
    r["amount"] = Decimal(str(r["amount"])).quantize(Decimal("0.01"))
    return json.dumps(r, sort_keys=True, default=str)
want = sorted(norm(json.loads(l, parse_float=Decimal)["data"]) for l in open(sys.argv[1]))
got = sorted(norm(json.loads(l, parse_float=Decimal)) for l in open(sys.argv[2]))
assert want == got, (want[:1], got[:1])
PY
}

@test "a new schema posted by the Python client gets 422 42205, and its error says why" {
	run client register-new "$REGISTRY" orders.paid "$T/reg/com.example.retail.order.paid/1.avsc"
	[ "$status" -eq 0 ]
	[[ "$output" == "SchemaRegistryError: Subject 'orders.paid-value' is read-only"* ]]
	[[ "$output" == *"New schemas are added by a reviewed change to the registry directory ($T/reg/com.example.retail.order.paid/2.avsc"* ]]
	[[ "$output" == *"v2 adds field 'data.tip' without a default: breaks BACKWARD"* ]]
	[[ "$output" == *"(HTTP status code 422, SR code 42205)"* ]]
	# and the registry directory is as it was
	diff -r "$REPO/schemas" "$T/reg" | grep -v '^Only in .*: topics$' | { ! grep .; }
}

@test "look-ups match by the Parsing Canonical Form that fastavro computes, for every shipped schema and every Avro type" {
	CANON="$HUB_BIN/../tests/helper/canonical"
	for f in "$REPO"/schemas/*/*.avsc "$BATS_TEST_DIRNAME/data/avro-all.avsc"; do
		ours=$("$CANON" <"$f")
		theirs=$("$VENV/bin/python" -c 'import json, sys, fastavro.schema as s
print(s.to_parsing_canonical_form(json.load(open(sys.argv[1]))))' "$f")
		[ "$ours" = "$theirs" ] || { printf '%s\nhub:      %s\nfastavro: %s\n' "$f" "$ours" "$theirs"; false; }
	done
	# a client's copy with docs, Java attributes and a namespace written out has the same
	ours=$("$CANON" <<<'{"type":"record","name":"R","namespace":"a.b","doc":"x","aliases":["Q"],"fields":[{"name":"f","type":{"type":"string","avro.java.string":"String"},"default":"","doc":"y"},{"name":"i","type":{"type":"fixed","name":"F","size":16}},{"name":"h","type":["null","F","R"]}]}')
	[ "$ours" = '{"name":"a.b.R","type":"record","fields":[{"name":"f","type":"string"},{"name":"i","type":{"name":"a.b.F","type":"fixed","size":16}},{"name":"h","type":["null","a.b.F","a.b.R"]}]}' ]
}
