#!/usr/bin/env bats
# hub-gateway: CloudEvents over HTTP into Kafka. Clients are curl and
# Python's http.client (tests/helper/gateway-client.py); what arrived is
# read back with hub-consume and kcat; every status code is asserted.

load helpers

CLIENT="$BATS_TEST_DIRNAME/helper/gateway-client.py"
CE=application/cloudevents+json
BATCH=application/cloudevents-batch+json

teardown() {
	stop_gateway
	stop_devbroker
}

# start_gateway ARGS...: hub-gateway on a free port, GATEWAY its URL.
start_gateway() {
	hub-gateway --listen 127.0.0.1:0 --dlq "$T/dlq" "$@" >"$T/gateway.out" 2>"$T/gateway.err" &
	GATEWAY_PID=$!
	for _ in $(seq 1 100); do
		if [ -s "$T/gateway.out" ]; then
			GATEWAY=$(head -n1 "$T/gateway.out")
			return 0
		fi
		kill -0 "$GATEWAY_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "hub-gateway did not start:" >&2
	cat "$T/gateway.err" >&2
	return 1
}

# stop_gateway: SIGTERM; GATEWAY_STATUS is its exit status, which must be
# 0 or 1 (1: something went to the failure store), never a crash or a
# sanitizer's 99.
stop_gateway() {
	GATEWAY_STATUS=
	if [ -n "${GATEWAY_PID:-}" ]; then
		kill -TERM "$GATEWAY_PID" 2>/dev/null || true
		GATEWAY_STATUS=0
		wait "$GATEWAY_PID" 2>/dev/null || GATEWAY_STATUS=$?
		GATEWAY_PID=
		[ "$GATEWAY_STATUS" -le 1 ] || { echo "hub-gateway exited $GATEWAY_STATUS:" >&2; cat "$T/gateway.err" >&2; return 1; }
	fi
}

# post CONTENT-TYPE BODY [CURL-ARGS...]: POST / ; sets CODE and BODY.
post() {
	local ct=$1 body=$2
	shift 2
	CODE=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X POST -H "Content-Type: $ct" \
		--data-binary "$body" "$@" "$GATEWAY/")
	BODY=$(cat "$T/body")
}

ev() {   # ev ID [TYPE] [EXTRA-MEMBERS]: a CloudEvent
	printf '{"specversion":"1.0","id":"%s","source":"/shop","type":"%s"%s}' "$1" "${2:-shop.order.placed}" "${3:-}"
}

consume() {   # consume TOPIC: envelopes of every message
	hub-consume -t "$1" -e -J -q
}

@test "--help, usage errors, and who may send must be said" {
	run hub-gateway --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: hub-gateway"* ]]
	[[ "$output" == *"--clients FILE"* ]]
	run hub-gateway --no-auth
	[ "$status" -eq 64 ]
	[[ "$output" == *"no topic"* ]]
	run hub-gateway -t t1
	[ "$status" -eq 64 ]
	[[ "$output" == *"--clients FILE"*"--no-auth"* ]]
	run hub-gateway -t t1 --no-auth --listen 0.0.0.0:0
	[ "$status" -eq 64 ]
	[[ "$output" == *"loopback"* ]]
	run hub-gateway -t 'bad topic' --no-auth
	[ "$status" -eq 64 ]
	printf 'shop token:sha256:abc\n' >"$T/clients"
	run hub-gateway -t t1 --clients "$T/clients"
	[ "$status" -eq 78 ]
	[[ "$output" == *"line 1"*"64 hex digits"* ]]
}

@test "structured mode: 200 once in Kafka, with the topic, partition and offset; bytes as sent" {
	start_devbroker -T orders:4
	start_gateway -t orders --no-auth
	body=$(ev o-1 shop.order.placed ',"total":19.990,"big":12345678901234567890,"data":{"z":1,"a":"Zoë"}')
	post $CE "$body"
	[ "$CODE" = 200 ]
	[ "$(jq -r .status <<<"$BODY")" = 200 ]
	[ "$(jq -r .id <<<"$BODY")" = o-1 ]
	[ "$(jq -r .topic <<<"$BODY")" = orders ]
	consume orders >"$T/out"
	[ "$(count_lines "$T/out")" -eq 1 ]
	[ "$(jq -r .partition "$T/out")" = "$(jq -r .partition <<<"$BODY")" ]
	[ "$(jq -r .offset "$T/out")" = "$(jq -r .offset <<<"$BODY")" ]
	# the value is the body, byte for byte (19.990 and the big number kept)
	hub-consume -t orders -e -q >"$T/value"
	[ "$(cat "$T/value")" = "$body" ]
	[ ! -e "$T/dlq" ]
	stop_gateway
	[ "$GATEWAY_STATUS" -eq 0 ]
}

@test "batch mode: a result per event in order; some failures answer 207 and go to the failure store" {
	start_devbroker -T orders:4
	start_gateway -t orders --no-auth
	post $BATCH "[$(ev b-1),$(ev b-2),$(ev b-3)]"
	[ "$CODE" = 200 ]
	[ "$(jq -r '[.results[].status] | join(" ")' <<<"$BODY")" = "200 200 200" ]
	[ "$(jq -r '[.results[].id] | join(" ")' <<<"$BODY")" = "b-1 b-2 b-3" ]
	post $BATCH "[$(ev c-1),{\"specversion\":\"1.0\",\"id\":\"c-2\",\"type\":\"x\"},[1],$(ev c-4)]"
	[ "$CODE" = 207 ]
	[ "$(jq -r '[.results[].status] | join(" ")' <<<"$BODY")" = "200 400 400 200" ]
	[[ "$(jq -r '.results[1].error' <<<"$BODY")" == *"'source' is absent"* ]]
	consume orders >"$T/out"
	[ "$(jq -r .value.id "$T/out" | sort | tr '\n' ' ')" = "b-1 b-2 b-3 c-1 c-4 " ]
	# each answer's partition and offset is where the event is
	for id in c-1 c-4; do
		p=$(jq -r --arg id $id '.results[] | select(.id == $id) | "\(.partition) \(.offset)"' <<<"$BODY")
		[ "$(jq -r --arg id $id 'select(.value.id == $id) | "\(.partition) \(.offset)"' "$T/out")" = "$p" ]
	done
	[ "$(count_lines "$T/dlq")" -eq 2 ]
	[ "$(jq -r '"\(.client) \(.status) \(.line)"' "$T/dlq" | tr '\n' ' ')" = "anonymous 400 2 anonymous 400 3 " ]
	[ "$(jq -r 'select(.line == 2) | .event.id' "$T/dlq")" = c-2 ]
	# an empty batch is nothing to do
	post $BATCH '[]'
	[ "$CODE" = 200 ]
	[ "$BODY" = '{"results":[]}' ]
	stop_gateway
	[ "$GATEWAY_STATUS" -eq 1 ]
}

@test "binary mode: ce- headers percent-decoded become ce_ headers, the body the value; --structured makes one JSON event" {
	start_devbroker -T bin:1 -T st:1
	start_gateway -t bin --no-auth
	post application/json '{"amount":5}' -H 'ce-specversion: 1.0' -H 'ce-id: bin-1' \
		-H 'ce-source: /shop/caf%C3%A9%20%25' -H 'ce-type: shop.paid' -H 'CE-Partitionkey: cust-7'
	[ "$CODE" = 200 ]
	[ "$(jq -r .id <<<"$BODY")" = bin-1 ]
	consume bin >"$T/out"
	[ "$(jq -c .value "$T/out")" = '{"amount":5}' ]
	[ "$(jq -r '.headers.ce_source' "$T/out")" = '/shop/café %' ]
	[ "$(jq -r '.headers["content-type"]' "$T/out")" = application/json ]
	[ "$(jq -r '.headers.ce_type' "$T/out")" = shop.paid ]
	[ "$(jq -r .key "$T/out")" = cust-7 ]
	# a bad percent sequence, invalid UTF-8 once decoded: 400
	post application/json '{}' -H 'ce-specversion: 1.0' -H 'ce-id: x' -H 'ce-source: /a%zz' -H 'ce-type: t'
	[ "$CODE" = 400 ]
	[[ "$BODY" == *"hex digits"* ]]
	post application/json '{}' -H 'ce-specversion: 1.0' -H 'ce-id: x' -H 'ce-source: /a%FF' -H 'ce-type: t'
	[ "$CODE" = 400 ]
	[[ "$BODY" == *"UTF-8"* ]]
	stop_gateway
	start_gateway -t st --no-auth --structured
	post 'text/plain; charset=utf-8' 'hello, world' -H 'ce-specversion: 1.0' -H 'ce-id: s-1' -H 'ce-source: /s' -H 'ce-type: t.text'
	[ "$CODE" = 200 ]
	post application/octet-stream "$(printf 'a\377b')" -H 'ce-specversion: 1.0' -H 'ce-id: s-2' -H 'ce-source: /s' -H 'ce-type: t.bin'
	[ "$CODE" = 200 ]
	post application/json '{"n":[1.50]}' -H 'ce-specversion: 1.0' -H 'ce-id: s-3' -H 'ce-source: /s' -H 'ce-type: t.json'
	[ "$CODE" = 200 ]
	hub-consume -t st -e -q >"$T/out"
	[ "$(sed -n 1p "$T/out")" = '{"specversion":"1.0","id":"s-1","source":"/s","type":"t.text","datacontenttype":"text/plain; charset=utf-8","data":"hello, world"}' ]
	[ "$(sed -n 2p "$T/out" | jq -r .data_base64 | base64 -d | od -An -c | tr -d ' ')" = 'a377b' ]
	[ "$(sed -n 3p "$T/out")" = '{"specversion":"1.0","id":"s-3","source":"/s","type":"t.json","datacontenttype":"application/json","data":{"n":[1.50]}}' ]
}

@test "--topic-from routes by the event's fields, -k keys as a Java producer partitions" {
	start_devbroker -T shop.order.placed:8 -T shop.order.paid:8 -T peer:8
	start_gateway --topic-from 'shop.{type}' -k data.customer --no-auth
	post $BATCH "[$(ev r-1 order.placed ',"data":{"customer":"c-1"}'),$(ev r-2 order.paid ',"data":{"customer":"c-2"}'),$(ev r-3 order.paid ',"data":{"customer":"c-3"}')]"
	[ "$CODE" = 200 ]
	[ "$(jq -r '[.results[].topic] | join(" ")' <<<"$BODY")" = "shop.order.placed shop.order.paid shop.order.paid" ]
	consume shop.order.paid >"$T/paid"
	[ "$(jq -r .value.id "$T/paid" | sort | tr '\n' ' ')" = "r-2 r-3 " ]
	# the partitions of the keys are those of librdkafka's murmur2_random (Java's)
	printf 'c-2\tx\nc-3\tx\n' | kcat -P -b "$BROKER" -t peer -K '\t' -X partitioner=murmur2_random
	kcat -C -b "$BROKER" -t peer -o beginning -e -q -f '%k %p\n' | sort >"$T/kcat"
	jq -r '"\(.key) \(.partition)"' "$T/paid" | sort >"$T/hub"
	diff "$T/kcat" "$T/hub"
	# a type that makes no valid topic, a missing field: 400, stored
	post $CE "$(ev r-4 'bad type')"
	[ "$CODE" = 400 ]
	[[ "$BODY" == *"not a valid Kafka topic name"* ]]
	stop_gateway
	start_gateway --topic-from data.topic --no-auth
	post $CE "$(ev r-5)"
	[ "$CODE" = 400 ]
	[[ "$BODY" == *"field 'data.topic' is absent"* ]]
	[ "$(count_lines "$T/dlq")" -eq 2 ]
}

@test "bad JSON is 400 with the byte position (the project's scanner cases), and the JSONTestSuite n_ documents" {
	start_devbroker -T t1:1
	start_gateway -t t1 --no-auth
	# tests/data/scan.test: an input line, then "error: invalid JSON at byte N: ..."
	$PY - "$BATS_TEST_DIRNAME/data/scan.test" "$T/cases" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
n = 0
for i, line in enumerate(lines):
    m = re.match(r"error: invalid JSON at byte (\d+): ", line)
    if m and i > 0 and lines[i - 1].startswith("{"):
        data = re.sub(r"<([0-9a-f]{2})>", lambda h: chr(int(h.group(1), 16)), lines[i - 1]).encode("latin-1")
        open("%s.%d" % (sys.argv[2], n), "wb").write(data)
        open("%s.%d.pos" % (sys.argv[2], n), "w").write(m.group(1))
        n += 1
PY
	n=0
	for f in "$T"/cases.*[0-9]; do
		post $CE "@$f"
		[ "$CODE" = 400 ] || { echo "$f: $CODE $BODY"; false; }
		[ "$(jq -r .position <<<"$BODY")" = "$(cat "$f.pos")" ] || { echo "$f: $BODY, expected $(cat "$f.pos")"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
	[ "$(count_lines "$T/dlq")" -eq "$n" ]
	need_peers "$JSONSUITE"
	m=0
	for f in "$JSONSUITE"/n_*.json; do
		post $CE "@$f"
		[ "$CODE" = 400 ] || { echo "$f: $CODE $BODY"; false; }
		post $BATCH "@$f"
		[ "$CODE" = 400 ] || { echo "$f as a batch: $CODE $BODY"; false; }
		m=$((m + 1))
	done
	[ "$m" -ge 150 ]
	kill -0 "$GATEWAY_PID"
	[ -z "$(hub-consume -t t1 -e -q)" ]
}

@test "415 for another content type, 404 and 405 elsewhere, /healthz and /readyz" {
	start_devbroker -T t1:1
	start_gateway -t t1 --no-auth
	post text/plain hello
	[ "$CODE" = 415 ]
	[[ "$BODY" == *"application/cloudevents+json"* ]]
	post application/json '{}'
	[ "$CODE" = 415 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/other")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/")" = 405 ]
	[ "$(curl -s "$GATEWAY/healthz")" = '{"status":"ok"}' ]
	[ "$(curl -s "$GATEWAY/readyz")" = '{"status":"ready"}' ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/readyz")" = 200 ]
	[ ! -e "$T/dlq" ]
}

@test "413 over --max-body: announced, chunked, and a body that never ends; memory stays bounded" {
	start_devbroker -T t1:1
	start_gateway -t t1 --no-auth --max-body 64k
	head -c 100000 /dev/zero | tr '\0' ' ' >"$T/big"
	post $CE "@$T/big"
	[ "$CODE" = 413 ]
	[[ "$BODY" == *"over 65536 bytes"* ]]
	run $PY "$CLIENT" chunked "$GATEWAY" 200000
	[ "$output" = 413 ]
	# a 1 GB body with no end announced: cut off, never buffered
	run $PY "$CLIENT" chunked "$GATEWAY" endless
	[[ "$output" == closed || "$output" == 413 ]]
	[ "$(ps -o rss= -p "$GATEWAY_PID")" -lt 200000 ]
	post $CE "$(ev after)"
	[ "$CODE" = 200 ]
}

@test "503 with Retry-After while Kafka is unreachable; /readyz says so, /healthz does not" {
	start_gateway -t t1 --no-auth -b 127.0.0.1:1 -X reconnect.backoff.max.ms=100
	post $CE "$(ev down-1)"
	[ "$CODE" = 503 ]
	grep -qi '^Retry-After: 1' "$T/headers"
	[[ "$BODY" == *"unreachable"* ]]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/readyz")" = 503 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/healthz")" = 200 ]
	# 503 is not stored: the client still has the event and sends it again
	[ ! -e "$T/dlq" ]
	stop_gateway
	[ "$GATEWAY_STATUS" -eq 0 ]
}

@test "Kafka going away: 503 until it is back, then 200 again" {
	start_devbroker -T t1:1
	start_gateway -t t1 --no-auth -X reconnect.backoff.max.ms=200 -X message.timeout.ms=2000
	post $CE "$(ev k-1)"
	[ "$CODE" = 200 ]
	broker_ctl down 1
	wait_until 20 sh -c "curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: $CE' --data-binary '$(ev k-2)' $GATEWAY/ | grep -q 503"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/readyz")" = 503 ]
	broker_ctl up 1
	wait_until 20 sh -c "curl -s -o /dev/null -w '%{http_code}' $GATEWAY/readyz | grep -q 200"
	post $CE "$(ev k-3)"
	[ "$CODE" = 200 ]
	consume t1 >"$T/out"
	jq -r .value.id "$T/out" | grep -qx k-3
}

@test "429 with Retry-After when the producer queue is full" {
	start_devbroker -T t1:1
	start_gateway -t t1 --no-auth -X queue.buffering.max.messages=2 -X linger.ms=1500
	curl -s -o "$T/first" -X POST -H "Content-Type: $BATCH" \
		--data-binary "[$(ev q-1),$(ev q-2),$(ev q-3),$(ev q-4)]" "$GATEWAY/" &
	first=$!
	sleep 0.5
	post $CE "$(ev q-5)"
	[ "$CODE" = 429 ]
	grep -qi '^Retry-After: 1' "$T/headers"
	[[ "$BODY" == *"queue is full"* ]]
	wait $first
	# the batch: two taken, two refused for the full queue
	[ "$(jq -r '[.results[].status] | join(" ")' "$T/first")" = "200 200 429 429" ]
	consume t1 >"$T/out"
	[ "$(jq -r .value.id "$T/out" | sort | tr '\n' ' ')" = "q-1 q-2 " ]
	[ ! -e "$T/dlq" ]
}

@test "tokens: 401 without or with a wrong one; a token allowed one type posting another is 403 and stored" {
	start_devbroker -T orders:1 -T audit:1
	printf 'shop-token-0123456789abcdef\n' >"$T/shop.token"
	printf 'audit-token-0123456789abcdef\n' >"$T/audit.token"
	{
		echo "# hub-gateway clients"
		hub-gateway token shop <"$T/shop.token" | sed 's/$/ types=shop.order.*,shop.cart.* sources=\/shop* topics=orders/'
		hub-gateway token auditor <"$T/audit.token"
	} >"$T/clients"
	grep -q '^shop token:sha256:[0-9a-f]\{64\} types=' "$T/clients"
	! grep -q 'shop-token' "$T/clients"
	start_gateway -t orders --clients "$T/clients"
	post $CE "$(ev a-1)"
	[ "$CODE" = 401 ]
	grep -qi '^WWW-Authenticate: Bearer' "$T/headers"
	post $CE "$(ev a-1)" -H 'Authorization: Bearer not-a-token-of-anyone'
	[ "$CODE" = 401 ]
	post $CE "$(ev a-1)" -H "Authorization: Bearer $(cat "$T/shop.token")"
	[ "$CODE" = 200 ]
	post $CE "$(ev a-2 shop.payment.made)" -H "Authorization: Bearer $(cat "$T/shop.token")"
	[ "$CODE" = 403 ]
	[[ "$BODY" == *"client shop may not send events of type 'shop.payment.made'"* ]]
	post $BATCH "[$(ev a-3),$(ev a-4 shop.payment.made)]" -H "Authorization: Bearer $(cat "$T/shop.token")"
	[ "$CODE" = 207 ]
	[ "$(jq -r '[.results[].status] | join(" ")' <<<"$BODY")" = "200 403" ]
	# the other client may send anything
	post $CE "$(ev a-5 shop.payment.made)" -H "Authorization: Bearer $(cat "$T/audit.token")"
	[ "$CODE" = 200 ]
	[ "$(jq -r '"\(.client) \(.status) \(.event.id)"' "$T/dlq" | tr '\n' ' ')" = "shop 403 a-2 shop 403 a-4 " ]
	consume orders >"$T/out"
	[ "$(jq -r .value.id "$T/out" | tr '\n' ' ')" = "a-1 a-3 a-5 " ]
	# /healthz needs no token
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/healthz")" = 200 ]
	stop_gateway
	[ "$GATEWAY_STATUS" -eq 1 ]
}

@test "tokens: sources and topics are the client's too" {
	start_devbroker -T shop.x:1 -T other.x:1
	printf 'tok-0123456789abcdef\n' >"$T/tok"
	hub-gateway token shop <"$T/tok" | sed 's/$/ sources=\/shop topics=shop.*/' >"$T/clients"
	start_gateway --topic-from '{data.zone}.x' --clients "$T/clients"
	post $CE "$(ev s-1 t ',"data":{"zone":"shop"}')" -H "Authorization: Bearer $(cat "$T/tok")"
	[ "$CODE" = 200 ]
	post $CE "$(ev s-2 t ',"data":{"zone":"other"}')" -H "Authorization: Bearer $(cat "$T/tok")"
	[ "$CODE" = 403 ]
	[[ "$BODY" == *"may not send to topic 'other.x'"* ]]
	post $CE '{"specversion":"1.0","id":"s-3","source":"/elsewhere","type":"t","data":{"zone":"shop"}}' -H "Authorization: Bearer $(cat "$T/tok")"
	[ "$CODE" = 403 ]
	[[ "$BODY" == *"source '/elsewhere'"* ]]
	[ -z "$(hub-consume -t other.x -e -q)" ]
}

# make_certs: $T/tls/ca.pem, server.pem/server.key (127.0.0.1), client.pem
# (CN=billing) and stranger.pem (CN=stranger) signed by the CA, rogue.pem
# signed by another.
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
		sign stranger ca /CN=stranger
		sign rogue other /CN=billing
	)
}

@test "TLS: HTTPS with a token and no client certificate; mTLS: a certificate client by its name" {
	make_certs
	start_devbroker -T t1:1
	printf 'tls-token-0123456789abcdef\n' >"$T/tok"
	{ hub-gateway token web <"$T/tok"; echo "billing cert:billing types=billing.*"; } >"$T/clients"
	start_gateway -t t1 --clients "$T/clients" --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key" \
		--client-ca "$T/tls/ca.pem"
	[[ "$GATEWAY" == https://* ]]
	post $CE "$(ev tls-1)" --cacert "$T/tls/ca.pem" -H "Authorization: Bearer $(cat "$T/tok")"
	[ "$CODE" = 200 ]
	post $CE "$(ev tls-2 billing.paid)" --cacert "$T/tls/ca.pem" --cert "$T/tls/client.pem" --key "$T/tls/client.key"
	[ "$CODE" = 200 ]
	post $CE "$(ev tls-3 shop.paid)" --cacert "$T/tls/ca.pem" --cert "$T/tls/client.pem" --key "$T/tls/client.key"
	[ "$CODE" = 403 ]
	[ "$(jq -r .client "$T/dlq")" = billing ]
	# signed by the CA but not a client; signed by another CA; nothing at all
	post $CE "$(ev tls-4)" --cacert "$T/tls/ca.pem" --cert "$T/tls/stranger.pem" --key "$T/tls/stranger.key"
	[ "$CODE" = 401 ]
	[[ "$BODY" == *"'stranger' is not one of this gateway's clients"* ]]
	post $CE "$(ev tls-5)" --cacert "$T/tls/ca.pem" --cert "$T/tls/rogue.pem" --key "$T/tls/rogue.key"
	[ "$CODE" = 401 ] || [ "$CODE" = 000 ]
	post $CE "$(ev tls-6)" --cacert "$T/tls/ca.pem"
	[ "$CODE" = 401 ]
	consume t1 >"$T/out"
	[ "$(jq -r .value.id "$T/out" | tr '\n' ' ')" = "tls-1 tls-2 " ]
	# plain HTTP to it is no answer
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://${GATEWAY#https://}/healthz")" != 200 ]
}

@test "Python's http.client: many requests on one kept-alive connection" {
	start_devbroker -T t1:2
	start_gateway -t t1 --no-auth
	run $PY "$CLIENT" keepalive "$GATEWAY" 6
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "200 200" ]
	[ "${lines[1]}" = "200 200 200" ]
	[ "${lines[5]}" = "200 200 200" ]
	[ "${lines[6]}" = "sockets 1" ]
	[ "$(consume t1 | wc -l)" -eq 9 ]
}

@test "slow clients: a trickled body is answered 408, an idle connection closed" {
	start_devbroker -T t1:1
	start_gateway -t t1 --no-auth --request-timeout 1 --read-timeout 2
	run $PY "$CLIENT" slow "$GATEWAY" 0.1
	[[ "$output" == 408 || "$output" == closed ]]
	run $PY "$CLIENT" idle "$GATEWAY" 20 6
	[ "$output" = 20 ]
	post $CE "$(ev after)"
	[ "$CODE" = 200 ]
}

@test "--max-connections: the connections past it are not served" {
	start_devbroker -T t1:1
	start_gateway -t t1 --no-auth --max-connections 5 --read-timeout 3
	$PY "$CLIENT" idle "$GATEWAY" 5 3 >/dev/null &
	idle=$!
	sleep 0.5
	[ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$GATEWAY/healthz")" != 200 ]
	wait $idle
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/healthz")" = 200 ]
}

@test "systemd socket activation: the socket passed is served" {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate not installed"
	start_devbroker -T t1:1
	port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	systemd-socket-activate -E ASAN_OPTIONS -E UBSAN_OPTIONS -l "127.0.0.1:$port" "$HUB_BIN/hub-gateway" -b "$BROKER" -t t1 --no-auth --dlq "$T/dlq" \
		>"$T/gateway.out" 2>"$T/gateway.err" &
	GATEWAY_PID=$!
	GATEWAY="http://127.0.0.1:$port"
	wait_until 10 sh -c "curl -s -o /dev/null $GATEWAY/healthz"
	post $CE "$(ev sa-1)"
	[ "$CODE" = 200 ]
	[ "$(head -n1 "$T/gateway.out")" = "$GATEWAY" ]
	[ "$(hub-consume -t t1 -e -q | jq -r .id)" = sa-1 ]
}
