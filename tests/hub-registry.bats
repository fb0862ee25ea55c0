#!/usr/bin/env bats
# hub-registry: the registry directory over Confluent Schema Registry's
# REST API, read-only, asked with curl: every endpoint, every error code,
# the subject-name strategies, look-ups by canonical form, compatibility.

load helpers

REPO="$BATS_TEST_DIRNAME/.."
CT=application/vnd.schemaregistry.v1+json

setup() {
	common_setup
	cp -R "$REPO/schemas" "$T/reg"
	printf '# topic subject\norders.paid com.example.retail.order.paid\n' >"$T/reg/topics"
}

# api METHOD PATH [BODY] [CURL-ARGS...]: sets CODE (HTTP status), TYPE
# (content type) and BODY (the response).
api() {
	local method=$1 path=$2 body=${3:-}
	shift 3 2>/dev/null || shift $#
	local out
	if [ -n "$body" ]; then
		out=$(curl -s -o "$T/body" -w '%{http_code} %{content_type}' -X "$method" \
			-H "Content-Type: $CT" --data-binary "$body" "$@" "$REGISTRY$path")
	else
		out=$(curl -s -o "$T/body" -w '%{http_code} %{content_type}' -X "$method" "$@" "$REGISTRY$path")
	fi
	CODE=${out%% *}
	TYPE=${out#* }
	BODY=$(cat "$T/body")
}

# field JSON KEY: a member of a JSON object, as jq -c would print it.
field() {
	$PY -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2"
}

# schema_body FILE [PYTHON-EXPR]: {"schema": FILE's text}, the schema first
# changed by the expression on s (a dict), e.g. s.pop("doc").
schema_body() {
	$PY - "$1" "${2:-None}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
eval(sys.argv[2], {"s": s})
print(json.dumps({"schema": json.dumps(s), "schemaType": "AVRO", "references": []}))
PY
}

expect_error() {   # expect_error HTTP-STATUS ERROR-CODE [MESSAGE-PART]
	[ "$CODE" = "$1" ] || { echo "status $CODE, expected $1: $BODY"; false; }
	[ "$TYPE" = "$CT" ] || { echo "content type $TYPE"; false; }
	[ "$(field "$BODY" error_code)" = "$2" ] || { echo "error_code in $BODY, expected $2"; false; }
	[ -z "${3:-}" ] || [[ "$(field "$BODY" message)" == *"$3"* ]] || { echo "message: $BODY"; false; }
}

@test "--help, usage errors, and a registry that fails lint is refused with its problems" {
	run hub-registry --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: hub-registry serve"* ]]
	[[ "$output" == *"--listen"* ]]
	run hub-registry
	[ "$status" -eq 64 ]
	run hub-registry frobnicate
	[ "$status" -eq 64 ]
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
	echo "7 com.example.retail.order.paid 2" >>"$T/reg/index"
	run hub-registry serve -d "$T/reg" --listen 127.0.0.1:0
	[ "$status" -eq 78 ]
	[[ "$output" == *"index: line "*": no schema file $T/reg/com.example.retail.order.paid/2.avsc"* ]]
	[[ "$output" == *"has 1 problems"* ]]
	run hub-registry serve -d "$T/nothing" --listen 127.0.0.1:0
	[ "$status" -eq 78 ]
}

@test "plain HTTP only on loopback unless --insecure-listen; a bad address is a clear error" {
	run hub-registry serve -d "$T/reg" --listen 0.0.0.0:0
	[ "$status" -eq 69 ]
	[[ "$output" == *"plain HTTP is served on a loopback address only"*"--insecure-listen"* ]]
	run hub-registry serve -d "$T/reg" --listen nonsense
	[ "$status" -eq 69 ]
	[[ "$output" == *"expected HOST:PORT"* ]]
	start_registry -d "$T/reg" --listen 0.0.0.0:0 --insecure-listen
	[[ "$REGISTRY" == http://0.0.0.0:* ]]
	REGISTRY=http://127.0.0.1:${REGISTRY##*:}
	api GET /subjects
	[ "$CODE" = 200 ]
}

@test "GET /subjects, versions, a version, its schema; content type and shapes as Confluent's" {
	start_registry -d "$T/reg"
	api GET /subjects
	[ "$CODE" = 200 ] && [ "$TYPE" = "$CT" ]
	[ "$BODY" = '["com.example.retail.customer.updated","com.example.retail.inventory.adjusted","com.example.retail.order.created","com.example.retail.order.paid","com.example.retail.shipment.dispatched"]' ]
	api GET '/subjects?subjectPrefix=com.example.retail.order.'
	[ "$BODY" = '["com.example.retail.order.created","com.example.retail.order.paid"]' ]
	api GET /subjects/com.example.retail.order.created/versions
	[ "$CODE" = 200 ] && [ "$BODY" = "[1,2]" ]
	for v in 2 latest -1; do
		api GET /subjects/com.example.retail.order.created/versions/$v
		[ "$CODE" = 200 ]
		[ "$(field "$BODY" subject)" = com.example.retail.order.created ]
		[ "$(field "$BODY" version)" = 2 ]
		[ "$(field "$BODY" id)" = 6 ]
	done
	# the schema is the file's, compact
	want=$($PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",",":")))' \
		"$T/reg/com.example.retail.order.created/2.avsc")
	[ "$(field "$BODY" schema)" = "$want" ]
	api GET /subjects/com.example.retail.order.created/versions/1/schema
	[ "$CODE" = 200 ]
	want1=$($PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",",":")))' \
		"$T/reg/com.example.retail.order.created/1.avsc")
	[ "$BODY" = "$want1" ]
	api GET /subjects/com.example.retail.order.created/versions/1/referencedby
	[ "$CODE" = 200 ] && [ "$BODY" = "[]" ]
}

@test "GET /schemas/ids/{id} and /schema, /subjects, /versions under it; /schemas and /schemas/types" {
	start_registry -d "$T/reg"
	api GET /schemas/ids/6
	[ "$CODE" = 200 ] && [ "$TYPE" = "$CT" ]
	want=$($PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",",":")))' \
		"$T/reg/com.example.retail.order.created/2.avsc")
	[ "$(field "$BODY" schema)" = "$want" ]
	# unknown query parameters and Confluent-* headers are ignored
	api GET '/schemas/ids/6?fetchMaxId=false&subject=orders-value&whatever=1' "" -H 'Confluent-Accept-Unknown-Properties: true'
	[ "$CODE" = 200 ] && [ "$(field "$BODY" schema)" = "$want" ]
	api GET /schemas/ids/6/schema
	[ "$CODE" = 200 ] && [ "$BODY" = "$want" ]
	api GET /schemas/ids/6/subjects
	[ "$BODY" = '["com.example.retail.order.created"]' ]
	api GET /schemas/ids/6/versions
	[ "$BODY" = '[{"subject":"com.example.retail.order.created","version":2}]' ]
	api GET /schemas/types
	[ "$CODE" = 200 ] && [ "$BODY" = '["AVRO"]' ]
	api GET /schemas
	[ "$CODE" = 200 ]
	[ "$($PY -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$BODY")" = 6 ]
	api GET /schemas/ids/99
	expect_error 404 40403 "Schema 99 not found"
	api GET /schemas/ids/x1
	expect_error 404 40403
	api GET /schemas/ids/6/nonsense
	expect_error 404 404
}

@test "GET /config, /config/{s}, /mode (READONLY), /, /healthz, /readyz" {
	echo FULL >"$T/reg/com.example.retail.order.paid/compatibility"
	start_registry -d "$T/reg"
	api GET /config
	[ "$CODE" = 200 ] && [ "$BODY" = '{"compatibilityLevel":"BACKWARD"}' ]
	api GET /config/com.example.retail.order.paid
	[ "$BODY" = '{"compatibilityLevel":"FULL"}' ]
	api GET '/config/orders.paid-value?defaultToGlobal=True'
	[ "$BODY" = '{"compatibilityLevel":"FULL"}' ]
	api GET /config/nope
	expect_error 404 40401 "Subject 'nope' not found."
	api GET /mode
	[ "$CODE" = 200 ] && [ "$BODY" = '{"mode":"READONLY"}' ]
	api GET /mode/com.example.retail.order.paid
	[ "$BODY" = '{"mode":"READONLY"}' ]
	api GET /
	[ "$CODE" = 200 ] && [ "$BODY" = '{}' ]
	api GET /healthz
	[ "$CODE" = 200 ] && [ "$(field "$BODY" status)" = ok ]
	api GET /readyz
	[ "$CODE" = 200 ] && [ "$(field "$BODY" status)" = ok ] && [ "$(field "$BODY" schemas)" = 6 ]
}

@test "subject names: TopicNameStrategy by the topic map, RecordNameStrategy, TopicRecordNameStrategy" {
	start_registry -d "$T/reg"
	for s in orders.paid-value com.example.retail.order.paid-value com.example.retail.OrderPaid \
		orders.paid-com.example.retail.OrderPaid some-topic-com.example.retail.OrderPaid; do
		api GET /subjects/$s/versions/latest
		[ "$CODE" = 200 ] || { echo "$s: $BODY"; false; }
		[ "$(field "$BODY" id)" = 2 ]
		[ "$(field "$BODY" subject)" = "$s" ]
	done
	for s in orders.created-value orders.paid-key com.example.retail.Nothing x-com.example.retail.Nothing; do
		api GET /subjects/$s/versions
		expect_error 404 40401 "Subject '$s' not found."
	done
}

@test "look-up POST /subjects/{s}: by canonical form (doc, sensitive, avro.java.string ignored); 40401, 40403" {
	start_registry -d "$T/reg"
	f=$T/reg/com.example.retail.order.paid/1.avsc
	api POST /subjects/com.example.retail.order.paid "$(schema_body "$f")"
	[ "$CODE" = 200 ] && [ "$TYPE" = "$CT" ]
	[ "$(field "$BODY" id)" = 2 ] && [ "$(field "$BODY" version)" = 1 ]
	[ "$(field "$BODY" subject)" = com.example.retail.order.paid ]
	# what a Java client's generated class sends: no docs, avro.java.string, no sensitive mark,
	# the namespace written into the names
	body=$(schema_body "$f" '[s.pop("doc"), [f.pop("doc", None) for f in s["fields"]], s["fields"].__setitem__(0, {"name": "order_id", "type": {"type": "string", "avro.java.string": "String"}}), s["fields"][4]["type"]["fields"][1].pop("sensitive"), s.__setitem__("name", "com.example.retail.OrderPaid"), s.pop("namespace")]')
	api POST '/subjects/orders.paid-value?normalize=False&deleted=false' "$body"
	[ "$CODE" = 200 ] && [ "$(field "$BODY" id)" = 2 ] || { echo "$BODY"; false; }
	# another field type is another schema
	body=$(schema_body "$f" 's["fields"].__setitem__(1, {"name": "market", "type": "bytes"})')
	api POST /subjects/com.example.retail.order.paid "$body"
	expect_error 404 40403 "Schema not found"
	# the schema of another subject is not this one's
	api POST /subjects/com.example.retail.order.created "$(schema_body "$f")"
	expect_error 404 40403
	api POST /subjects/nope "$(schema_body "$f")"
	expect_error 404 40401 "Subject 'nope' not found."
}

@test "POST /subjects/{s}/versions: a known schema answers its id, a new one 422 42205 saying why" {
	start_registry -d "$T/reg"
	f=$T/reg/com.example.retail.order.paid/1.avsc
	api POST /subjects/orders.paid-value/versions "$(schema_body "$f" 's.pop("doc")')"
	[ "$CODE" = 200 ] && [ "$BODY" = '{"id":2}' ]
	api POST /subjects/com.example.retail.OrderPaid/versions "$(schema_body "$f")"
	[ "$CODE" = 200 ] && [ "$BODY" = '{"id":2}' ]
	# a new version: refused, with where schemas come from and what it breaks
	body=$(schema_body "$f" 's["fields"].append({"name": "tip", "type": "long"})')
	api POST /subjects/orders.paid-value/versions "$body"
	expect_error 422 42205 "is read-only: this schema is not one of the 1 versions of com.example.retail.order.paid"
	msg=$(field "$BODY" message)
	[[ "$msg" == *"$T/reg/com.example.retail.order.paid/2.avsc and its line in $T/reg/index"* ]]
	[[ "$msg" == *"v2 adds field 'data.tip' without a default: breaks BACKWARD"* ]]
	# a known schema under a subject the registry does not have
	api POST /subjects/payments-value/versions "$(schema_body "$f")"
	expect_error 422 42205 "this schema is version 1 of subject com.example.retail.order.paid (id 2)"
	api POST /subjects/payments-value/versions "$body"
	expect_error 422 42205 "Subject 'payments-value' is not in the schema registry"
}

@test "writes are 422 42205: DELETE, PUT /config, PUT /mode" {
	start_registry -d "$T/reg"
	for req in "DELETE /subjects/com.example.retail.order.paid" "DELETE /subjects/com.example.retail.order.paid/versions/1" \
		"PUT /config" "PUT /config/com.example.retail.order.paid" "PUT /mode" "PUT /mode/com.example.retail.order.paid" \
		"DELETE /config/com.example.retail.order.paid"; do
		api ${req% *} ${req#* } '{"compatibility":"NONE"}'
		expect_error 422 42205 "read-only"
	done
	api GET /config
	[ "$BODY" = '{"compatibilityLevel":"BACKWARD"}' ]
}

@test "POST /compatibility: verbose messages, every version or one, invalid schema 42201" {
	start_registry -d "$T/reg"
	f=$T/reg/com.example.retail.order.created/2.avsc
	api POST /compatibility/subjects/com.example.retail.order.created/versions/latest "$(schema_body "$f")"
	[ "$CODE" = 200 ] && [ "$BODY" = '{"is_compatible":true}' ]
	api POST '/compatibility/subjects/orders-com.example.retail.OrderCreated/versions/latest?verbose=TRUE' "$(schema_body "$f")"
	[ "$BODY" = '{"is_compatible":true,"messages":[]}' ]
	body=$(schema_body "$f" 's["fields"].append({"name": "tip", "type": "long"})')
	api POST '/compatibility/subjects/com.example.retail.order.created/versions/1?verbose=true' "$body"
	[ "$CODE" = 200 ]
	[ "$BODY" = '{"is_compatible":false,"messages":["com.example.retail.order.created: v3 (against v1) adds field '"'data.tip'"' without a default: breaks BACKWARD"]}' ]
	api POST '/compatibility/subjects/com.example.retail.order.created/versions?verbose=false' "$body"
	[ "$BODY" = '{"is_compatible":false}' ]
	api POST /compatibility/subjects/com.example.retail.order.created/versions/7 "$body"
	expect_error 404 40402 "Version 7 not found."
	api POST /compatibility/subjects/com.example.retail.order.created/versions/zero "$body"
	expect_error 422 42202
	api POST /compatibility/subjects/nope/versions/latest "$body"
	expect_error 404 40401
	api POST /compatibility/subjects/com.example.retail.order.created/versions/latest '{"schema":"{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"money\"}]}"}'
	expect_error 422 42201 "Invalid schema"
	# mode NONE: anything goes
	echo NONE >"$T/reg/com.example.retail.order.created/compatibility"
	stop_registry
	start_registry -d "$T/reg"
	api POST /compatibility/subjects/com.example.retail.order.created/versions/latest "$body"
	[ "$BODY" = '{"is_compatible":true}' ]
}

@test "errors: 40402, 42202, 404, 405, bad JSON 400, not Avro 42201, no schema 42201, body over 1 MiB 413" {
	start_registry -d "$T/reg"
	api GET /subjects/com.example.retail.order.paid/versions/9
	expect_error 404 40402 "Version 9 not found."
	for v in 0 abc 2147483648 01; do
		api GET /subjects/com.example.retail.order.paid/versions/$v
		expect_error 422 42202 "is not a valid version id"
	done
	api GET /nothing/here
	expect_error 404 404
	api GET /subjects/com.example.retail.order.paid
	expect_error 405 405
	api POST /schemas/ids/2 '{}'
	expect_error 405 405
	api POST /subjects/com.example.retail.order.paid '{"schema": '
	expect_error 400 400 "not JSON"
	api POST /subjects/com.example.retail.order.paid '{"schema":"syntax = \"proto3\";","schemaType":"PROTOBUF"}'
	expect_error 422 42201 "Avro schemas only"
	api POST /subjects/com.example.retail.order.paid '{"schemaType":"AVRO"}'
	expect_error 422 42201 'no "schema" string'
	api POST /subjects/com.example.retail.order.paid '{"schema":"{\"type\":\"record\"}"}'
	expect_error 422 42201 "a record without a name"
	printf '{"schema":"\xff\xfe"}' >"$T/bad-utf8"
	api POST /subjects/com.example.retail.order.paid "@$T/bad-utf8"
	expect_error 400 400
	head -c 2000000 /dev/zero | tr '\0' ' ' >"$T/big"
	api POST /subjects/com.example.retail.order.paid "@$T/big"
	expect_error 413 413 "over 1048576 bytes"
	# without a Content-Length (chunked) too, and the server still answers after
	out=$(head -c 3000000 /dev/zero | curl -s -H 'Transfer-Encoding: chunked' -H "Content-Type: $CT" --data-binary @- \
		"$REGISTRY/subjects/com.example.retail.order.paid")
	[ "$(field "$out" error_code)" = 413 ]
	api GET /schemas/ids/2
	[ "$CODE" = 200 ]
	# the server is still up and its stderr has no crash
	kill -0 "$REGISTRY_PID"
}

@test "the topic map is checked by hub-validate --lint" {
	printf 'orders.paid com.example.retail.order.paid\norders.paid com.example.retail.order.created\nbad/topic com.example.retail.order.paid\nx nope\njunk\n' >"$T/reg/topics"
	run hub-validate --schemas "$T/reg" --lint
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/reg/topics: line 2: topic orders.paid is given twice: a topic carries one subject"* ]]
	[[ "$output" == *"$T/reg/topics: line 3: 'bad/topic' is not a Kafka topic name"* ]]
	[[ "$output" == *"$T/reg/topics: line 4: topic x: no subject nope in $T/reg"* ]]
	[[ "$output" == *"$T/reg/topics: line 5: expected \"TOPIC SUBJECT\""* ]]
	printf 'orders.paid com.example.retail.order.paid\n' >"$T/reg/topics"
	run hub-validate --schemas "$T/reg" --lint
	[ "$status" -eq 0 ]
}

# a second version of order.paid, with a field that has a default (BACKWARD)
add_paid_v2() {
	$PY - "$T/reg/com.example.retail.order.paid" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/1.avsc"))
s["fields"].append({"name": "tip", "type": ["null", "long"], "default": None})
json.dump(s, open(sys.argv[1] + "/2.avsc.tmp", "w"))
PY
	mv "$T/reg/com.example.retail.order.paid/2.avsc.tmp" "$T/reg/com.example.retail.order.paid/2.avsc"
	echo "7 com.example.retail.order.paid 2" >>"$T/reg/index"
}

versions_are() {
	api GET "/subjects/$1/versions"
	[ "$BODY" = "$2" ]
}

@test "reload on SIGHUP: a new version is served without a restart, with its id" {
	start_registry -d "$T/reg" --no-watch -v
	versions_are com.example.retail.order.paid "[1]"
	add_paid_v2
	sleep 0.5
	versions_are com.example.retail.order.paid "[1]"   # --no-watch: not before SIGHUP
	kill -HUP "$REGISTRY_PID"
	wait_until 5 versions_are com.example.retail.order.paid "[1,2]"
	api GET /schemas/ids/7/versions
	[ "$BODY" = '[{"subject":"com.example.retail.order.paid","version":2}]' ]
	api POST /subjects/orders.paid-value/versions "$(schema_body "$T/reg/com.example.retail.order.paid/2.avsc")"
	[ "$BODY" = '{"id":7}' ]
	grep -q "reloaded (SIGHUP): 5 subjects, 7 schemas" "$T/registry.err"
}

@test "reload when the directory changes: a new subject, a new version, a removed subject" {
	start_registry -d "$T/reg"
	add_paid_v2
	wait_until 5 versions_are com.example.retail.order.paid "[1,2]"
	mkdir "$T/reg/com.example.retail.tip.given"
	echo '{"type":"record","name":"TipGiven","namespace":"com.example.retail","fields":[{"name":"amount","type":"long"}]}' \
		>"$T/reg/com.example.retail.tip.given/1.avsc"
	echo "8 com.example.retail.tip.given 1" >>"$T/reg/index"
	wait_until 5 versions_are com.example.retail.tip.given "[1]"
	api GET /subjects/com.example.retail.TipGiven/versions/1
	[ "$(field "$BODY" id)" = 8 ]
	rm -r "$T/reg/com.example.retail.tip.given"
	sed -i '/tip.given/d' "$T/reg/index"
	wait_until 5 versions_are com.example.retail.order.paid "[1,2]"
	api GET /schemas/ids/8
	wait_until 5 eval 'api GET /schemas/ids/8; [ "$CODE" = 404 ]'
	expect_error 404 40403
}

@test "a broken change keeps the last good registry served, says so on stderr and in /readyz" {
	start_registry -d "$T/reg"
	mkdir "$T/reg/com.example.retail.broken"
	echo '{"type":"record","name":"Broken","fields":[{"name":"a","type":"money"}]}' >"$T/reg/com.example.retail.broken/1.avsc"
	wait_until 5 grep -q "is not served, the last good registry still is" "$T/registry.err"
	grep -q "com.example.retail.broken/1.avsc: .*money" "$T/registry.err"
	api GET /readyz
	[ "$CODE" = 200 ]
	[ "$(field "$BODY" status)" = stale ]
	[[ "$(field "$BODY" message)" == *"com.example.retail.broken/1.avsc"*"money"* ]]
	api GET /subjects/com.example.retail.broken/versions
	expect_error 404 40401
	api GET /schemas/ids/2
	[ "$CODE" = 200 ]
	# fixed: served, and ready again
	echo '{"type":"record","name":"Broken","fields":[{"name":"a","type":"long"}]}' >"$T/reg/com.example.retail.broken/1.avsc"
	echo "9 com.example.retail.broken 1" >>"$T/reg/index"
	wait_until 5 versions_are com.example.retail.broken "[1]"
	api GET /readyz
	[ "$(field "$BODY" status)" = ok ]
}

@test "an id never changes meaning: a reload that would give a served id another schema is refused" {
	start_registry -d "$T/reg" --no-watch
	# ids 2 and 3 swapped in the index
	sed -i 's/^2 com.example.retail.order.paid 1$/X/; s/^3 com.example.retail.customer.updated 1$/2 com.example.retail.customer.updated 1/; s/^X$/3 com.example.retail.order.paid 1/' "$T/reg/index"
	hub-validate --schemas "$T/reg" --lint   # the directory alone is fine
	kill -HUP "$REGISTRY_PID"
	wait_until 5 grep -q "an id never changes meaning" "$T/registry.err"
	grep -q "index: id 3 was com.example.retail.customer.updated version 1 and would now be com.example.retail.order.paid version 1 with another schema" "$T/registry.err"
	api GET /schemas/ids/2/subjects
	[ "$BODY" = '["com.example.retail.order.paid"]' ]
	api GET /readyz
	[ "$(field "$BODY" status)" = stale ]
}

@test "reloads swap the registry whole: requests during 20 reloads are all answered from one or the other" {
	start_registry -d "$T/reg" --no-watch
	add_paid_v2
	( for i in $(seq 1 20); do kill -HUP "$REGISTRY_PID"; sleep 0.05; done ) &
	hup=$!
	for i in $(seq 1 150); do
		curl -s "$REGISTRY/subjects/orders.paid-value/versions" "$REGISTRY/schemas/ids/2" -w '\n'
	done >"$T/answers"
	wait "$hup"
	[ "$(grep -c '^\[1\]$\|^\[1,2\]$' "$T/answers")" -eq 150 ] || { sort "$T/answers" | uniq -c | head; false; }
	[ "$(grep -c '^{"schema":' "$T/answers")" -eq 150 ]
	kill -0 "$REGISTRY_PID"
}

# make_certs: $T/tls/ca.pem, server.pem/server.key (127.0.0.1), client.pem/
# client.key signed by the CA, and rogue.pem/rogue.key signed by another.
make_certs() {
	command -v openssl >/dev/null || skip "openssl not installed"
	mkdir -p "$T/tls"
	(
		cd "$T/tls"
		for ca in ca other; do
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
				-subj "/CN=hub test $ca" -keyout $ca.key -out $ca.pem 2>/dev/null
		done
		sign() {   # sign NAME CA SUBJECT [EXTENSIONS]
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$3" \
				-keyout "$1.key" -out "$1.csr" 2>/dev/null
			printf '%s\n' "${4:-basicConstraints=CA:FALSE}" >"$1.ext"
			openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
				-extfile "$1.ext" -out "$1.pem" 2>/dev/null
		}
		sign server ca /CN=localhost "subjectAltName=IP:127.0.0.1,DNS:localhost"
		sign client ca /CN=billing
		sign rogue other /CN=rogue
	)
}

@test "TLS: HTTPS with a certificate made by openssl; plain HTTP off loopback allowed with it" {
	make_certs
	start_registry -d "$T/reg" --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key"
	[[ "$REGISTRY" == https://127.0.0.1:* ]]
	api GET /schemas/ids/2 "" --cacert "$T/tls/ca.pem"
	[ "$CODE" = 200 ]
	[[ "$BODY" == '{"schema":'* ]]
	# not trusted without the CA; plain HTTP on the TLS port gets nothing
	run curl -s -o /dev/null "$REGISTRY/schemas/ids/2"
	[ "$status" -eq 60 ]
	run curl -s -o /dev/null -w '%{http_code}' "http://${REGISTRY#https://}/schemas/ids/2"
	[ "$output" != 200 ]
	stop_registry
	run hub-registry serve -d "$T/reg" --tls-cert "$T/tls/server.pem"
	[ "$status" -eq 69 ]
	[[ "$output" == *"--tls-cert and --tls-key go together"* ]]
	run hub-registry serve -d "$T/reg" --listen 127.0.0.1:0 --tls-cert "$T/reg/index" --tls-key "$T/tls/server.key"
	[ "$status" -eq 69 ]
	[[ "$output" == *"not a PEM file"* ]]
	start_registry -d "$T/reg" --listen 0.0.0.0:0 --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key"
	REGISTRY=https://localhost:${REGISTRY##*:}
	api GET /subjects "" --cacert "$T/tls/ca.pem"
	[ "$CODE" = 200 ]
}

@test "HTTP Basic: hub-registry passwd makes the users file; no or a wrong password is 401" {
	echo 's3cret pass' | hub-registry passwd billing >"$T/users"
	echo 'other' | hub-registry passwd ops >>"$T/users"
	grep -q '^billing:\$argon2id\$' "$T/users"
	! grep -q s3cret "$T/users"
	run hub-registry passwd 'a:b' </dev/null
	[ "$status" -eq 64 ]
	run hub-registry passwd someone </dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"no password on standard input"* ]]
	start_registry -d "$T/reg" --users "$T/users"
	api GET /schemas/ids/2 "" -u 'billing:s3cret pass'
	[ "$CODE" = 200 ]
	# again, on one keep-alive connection, the second from the cache of checked passwords
	out=$(curl -s -u 'billing:s3cret pass' "$REGISTRY/subjects" "$REGISTRY/config" -w '%{http_code}\n' -o /dev/null -o /dev/null)
	[ "$out" = "200
200" ]
	api GET /schemas/ids/2 "" -u 'billing:wrong'
	expect_error 401 401 "the user or the password is wrong"
	api GET /schemas/ids/2 "" -u 'nobody:s3cret pass'
	expect_error 401 401 "the user or the password is wrong"
	api GET /schemas/ids/2
	expect_error 401 401 "credentials are required"
	grep -qi '^www-authenticate: Basic realm="hub-registry"' <(curl -s -D - -o /dev/null "$REGISTRY/subjects")
	# refused before the body is read
	api POST /subjects/com.example.retail.order.paid/versions "$(schema_body "$T/reg/com.example.retail.order.paid/1.avsc")"
	expect_error 401 401
	api POST /subjects/com.example.retail.order.paid/versions "$(schema_body "$T/reg/com.example.retail.order.paid/1.avsc")" -u 'ops:other'
	[ "$CODE" = 200 ] && [ "$BODY" = '{"id":2}' ]
	# /healthz is open, for probes
	api GET /healthz
	[ "$CODE" = 200 ]
	stop_registry
	echo 'bad line' >"$T/bad-users"
	echo 'x:plaintext' >>"$T/bad-users"
	run hub-registry serve -d "$T/reg" --listen 127.0.0.1:0 --users "$T/bad-users"
	[ "$status" -eq 78 ]
	[[ "$output" == *"bad-users: line 1: expected USER:HASH"* ]]
	[[ "$output" == *"bad-users: line 2: user x: the hash is not a crypto_pwhash_str string"* ]]
}

@test "mTLS: a client certificate signed by --client-ca is required; none or another CA's is 401" {
	make_certs
	start_registry -d "$T/reg" --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key" --client-ca "$T/tls/ca.pem"
	api GET /schemas/ids/2 "" --cacert "$T/tls/ca.pem" --cert "$T/tls/client.pem" --key "$T/tls/client.key"
	[ "$CODE" = 200 ]
	api GET /schemas/ids/2 "" --cacert "$T/tls/ca.pem"
	expect_error 401 401 "a client certificate is required"
	api GET /schemas/ids/2 "" --cacert "$T/tls/ca.pem" --cert "$T/tls/rogue.pem" --key "$T/tls/rogue.key"
	expect_error 401 401 "the client certificate is refused"
	stop_registry
	# both: certificate and password
	echo pw | hub-registry passwd billing >"$T/users"
	start_registry -d "$T/reg" --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key" --client-ca "$T/tls/ca.pem" --users "$T/users"
	api GET /subjects "" --cacert "$T/tls/ca.pem" --cert "$T/tls/client.pem" --key "$T/tls/client.key"
	expect_error 401 401 "credentials are required"
	api GET /subjects "" --cacert "$T/tls/ca.pem" --cert "$T/tls/client.pem" --key "$T/tls/client.key" -u billing:pw
	[ "$CODE" = 200 ]
	run hub-registry serve -d "$T/reg" --listen 127.0.0.1:0 --client-ca "$T/tls/ca.pem"
	[ "$status" -eq 69 ]
	[[ "$output" == *"--client-ca needs HTTPS"* ]]
}

@test "POST /compatibility honours aliases: a field renamed with its old name in its aliases is compatible" {
	start_registry -d "$T/reg"
	f=$T/reg/com.example.retail.order.paid/1.avsc
	body=$(schema_body "$f" 's["fields"][2].update(name="amount_paid", aliases=["amount"])')
	api POST '/compatibility/subjects/com.example.retail.order.paid/versions/latest?verbose=true' "$body"
	[ "$CODE" = 200 ] && [ "$BODY" = '{"is_compatible":true,"messages":[]}' ]
	body=$(schema_body "$f" 's["fields"][2].update(name="amount_paid")')
	api POST '/compatibility/subjects/com.example.retail.order.paid/versions/latest?verbose=true' "$body"
	[ "$BODY" = '{"is_compatible":false,"messages":["com.example.retail.order.paid: v2 adds field '"'data.amount_paid'"' without a default: breaks BACKWARD"]}' ]
	# the record renamed, with its old name as an alias
	body=$(schema_body "$f" 's.update(name="PaymentConfirmed", aliases=["OrderPaid"])')
	api POST /compatibility/subjects/com.example.retail.order.paid/versions/latest "$body"
	[ "$BODY" = '{"is_compatible":true}' ]
}

@test "a look-up answered again comes from the cache, per registry: a reload forgets it" {
	start_registry -d "$T/reg" --no-watch
	body=$(schema_body "$T/reg/com.example.retail.order.paid/1.avsc")
	for _ in 1 2 3; do
		api POST /subjects/orders.paid-value "$body"
		[ "$CODE" = 200 ] && [ "$(field "$BODY" id)" = 2 ] && [ "$(field "$BODY" subject)" = orders.paid-value ]
		api POST /subjects/orders.paid-value/versions "$body"
		[ "$BODY" = '{"id":2}' ]
	done
	# the same body under another name is its own question
	api POST /subjects/com.example.retail.order.created "$body"
	expect_error 404 40403
	# the topic mapped elsewhere: the cached answer is not kept
	echo "orders.paid com.example.retail.order.created" >"$T/reg/topics"
	kill -HUP "$REGISTRY_PID"
	wait_until 5 eval 'api POST /subjects/orders.paid-value "$body"; [ "$CODE" = 404 ]'
	expect_error 404 40403
}
