#!/usr/bin/env bats
# hub-archive serve: the support page's JSON API asked with curl, its
# answers compared with the command line's on the same archive (events
# produced to the dev broker and consumed back, so they carry Kafka's
# coordinates and headers), hostile requests, access, and the page itself
# in headless Chromium (tests/browser/support-page.js).

load helpers

REPO="$BATS_TEST_DIRNAME/.."

# The archive, built once for the file: 600 events of the retail world in
# Kafka envelopes (topic shop, 3 partitions, a header on each), and 200
# plain events (no Kafka) a day later.
setup_file() {
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR common_setup
	F=$BATS_FILE_TMPDIR
	start_devbroker -T shop:3
	"$GEN" 600 --seed 7 >"$F/kafka.in"
	hub-produce -t shop -k subject -H origin=support-test <"$F/kafka.in"
	hub-consume -G serve -t shop -J -e -X session.timeout.ms=3000 | hub-archive -d "$F/a"
	"$GEN" 200 --seed 8 --start 2026-03-02T10:00:00Z >"$F/plain.in"
	hub-archive -d "$F/a" <"$F/plain.in"
	stop_devbroker
}

setup() {
	common_setup
	F=$BATS_FILE_TMPDIR
	A="$F/a"
	# an order with the most events, and one event of it
	ORDER=$(jq -r 'select(.subject | startswith("ORD")) | .subject' "$F/kafka.in" |
		sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
	EVENT=$(jq -r --arg s "$ORDER" 'select(.subject == $s) | .id' "$F/kafka.in" | tail -n1)
}

teardown() {
	stop_serve
}

# start_serve [ARGS...]: hub-archive -d A serve --listen 127.0.0.1:0 ARGS in
# the background; URL is the address it prints first.
start_serve() {
	hub-archive -d "$A" serve --listen 127.0.0.1:0 "$@" >"$T/serve.out" 2>"$T/serve.err" &
	SERVE_PID=$!
	for _ in $(seq 1 100); do
		if [ -s "$T/serve.out" ]; then
			URL=$(head -n1 "$T/serve.out")
			return 0
		fi
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "hub-archive serve did not start:" >&2
	cat "$T/serve.err" >&2
	return 1
}

# It exits 0 on SIGTERM (under the sanitizers: no leak, no error).
stop_serve() {
	local rc=0
	if [ -n "${SERVE_PID:-}" ]; then
		kill -TERM "$SERVE_PID" 2>/dev/null || true
		wait "$SERVE_PID" 2>/dev/null || rc=$?
		SERVE_PID=
		[ "$rc" -eq 0 ] || { echo "hub-archive serve exited with status $rc:" >&2; cat "$T/serve.err" >&2; return 1; }
	fi
}

# get PATH-AND-QUERY [CURL-ARGS...]: sets CODE, TYPE and BODY.
get() {
	local path=$1 out
	shift
	out=$(curl -s -g -o "$T/body" -w '%{http_code} %{content_type}' "$@" "$URL$path")
	CODE=${out%% *}
	TYPE=${out#* }
	BODY=$(cat "$T/body")
}

expect_error() {   # expect_error STATUS [MESSAGE-PART]
	[ "$CODE" = "$1" ] || { echo "status $CODE, expected $1: $BODY"; false; }
	[[ "$TYPE" == application/json* ]] || { echo "content type $TYPE"; false; }
	jq -e --argjson s "$1" '.status == $s and (.error | type == "string")' <<<"$BODY" >/dev/null ||
		{ echo "error body: $BODY"; false; }
	[ -z "${2:-}" ] || [[ "$(jq -r .error <<<"$BODY")" == *"$2"* ]] || { echo "message: $BODY"; false; }
}

# The CLI's find as "id segment-offset" lines, newest first.
cli_find() {
	hub-archive -d "$A" find "$@" | jq -r '(.value // .) | .id' | tac
}

@test "serve: --help, a missing archive, plain HTTP off loopback, a bad users file" {
	run hub-archive --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"-d DIR serve [--listen HOST:PORT]"* ]]
	[[ "$output" == *"127.0.0.1:8083"* ]]
	run hub-archive -d "$T/none" serve --listen 127.0.0.1:0
	[ "$status" -eq 66 ]
	[[ "$output" == *"$T/none: No such file or directory; is -d the archive directory?"* ]]
	run hub-archive -d "$A" serve --listen 0.0.0.0:0
	[ "$status" -eq 69 ]
	[[ "$output" == *"plain HTTP is served on a loopback address only"* ]]
	run hub-archive -d "$A" serve --listen nonsense
	[ "$status" -eq 69 ]
	[[ "$output" == *"expected HOST:PORT"* ]]
	echo 'nobody:not-a-hash' >"$T/users"
	run hub-archive -d "$A" serve --listen 127.0.0.1:0 --users "$T/users"
	[ "$status" -eq 78 ]
	[[ "$output" == *"--users: "*"line 1"* ]]
	run hub-archive -d "$A" serve extra
	[ "$status" -eq 64 ]
	run hub-archive -d "$A" serve --subject ORD-1
	[ "$status" -eq 64 ]
	[[ "$output" == *"search options are the page's and the API's"* ]]
}

@test "search by subject: the CLI's results newest first, with the count and the command that gives them" {
	start_serve
	get "/api/search?subject=$ORDER"
	[ "$CODE" = 200 ]
	[[ "$TYPE" == "application/json; charset=utf-8" ]]
	n=$(jq -r --arg s "$ORDER" 'select(.subject == $s) | .id' "$F/kafka.in" | wc -l)
	[ "$n" -ge 3 ]
	jq -e --argjson n "$n" '.count == $n and .offset == 0 and .limit == 50 and .more == false' <<<"$BODY"
	diff <(jq -r '.results[].id' <<<"$BODY") <(cli_find --subject "$ORDER")
	[ "$(jq -r .command <<<"$BODY")" = "hub-archive -d $A find --subject $ORDER" ]
	# the command it gives says the same
	diff <(jq -r '.results[].id' <<<"$BODY" | tac) <(eval "$(jq -r .command <<<"$BODY")" | jq -r .value.id)
	# rows: the Kafka coordinates, the subject, where it is kept
	jq -e --arg s "$ORDER" '.results | all(.topic == "shop" and (.partition | type == "number") and
		(.offset | type == "number") and .subject == $s and (.time | test("Z$")) and
		(.archive.segment | startswith("'"$A"'/shop/")) and (.archive.offset | type == "number"))' <<<"$BODY"
	# newest first
	jq -e '[.results[].time_ms] | . == (sort | reverse)' <<<"$BODY"
}

@test "search by id, type, source, time range, text and regex: each as the CLI's find" {
	start_serve
	type=com.example.retail.order.paid
	for q in "id=$EVENT|--id $EVENT" "type=$type|--type $type" "source=/crm/US|--source /crm/US" \
		"since=2026-03-01T08:01:00Z&until=2026-03-01T08:02:00Z|--since 2026-03-01T08:01:00Z --until 2026-03-01T08:02:00Z" \
		"text=Seattle|--grep Seattle" "regex=Sea%5Bt%5D%2Ble|--regex Sea[t]+le" \
		"type=$type&since=2026-03-02|--type $type --since 2026-03-02"; do
		get "/api/search?${q%%|*}&limit=200"
		[ "$CODE" = 200 ] || { echo "$q: $CODE $BODY"; false; }
		# shellcheck disable=SC2086
		cli_find ${q#*|} >"$T/cli"
		[ -s "$T/cli" ] || { echo "$q: the CLI finds nothing"; false; }
		[ "$(jq .count <<<"$BODY")" -eq "$(wc -l <"$T/cli")" ] || { echo "$q: count $(jq .count <<<"$BODY")"; false; }
		diff <(jq -r '.results[].id' <<<"$BODY") <(head -n 200 "$T/cli") || { echo "$q"; false; }
		# the command it gives finds the same
		cmd=$(jq -r .command <<<"$BODY")
		[[ "$cmd" == "hub-archive -d $A find --"* ]] || { echo "$q: $cmd"; false; }
		diff <(eval "$cmd" | jq -r '(.value // .) | .id' | tac) "$T/cli" || { echo "$q: $cmd"; false; }
	done
	# plain events (no Kafka): null coordinates
	get "/api/search?since=2026-03-02&limit=1"
	jq -e '.results[0] | .topic == null and .partition == null and .offset == null' <<<"$BODY"
	# nothing found is a page of nothing
	get "/api/search?subject=ORD-none"
	[ "$CODE" = 200 ]
	jq -e '.count == 0 and .results == [] and .more == false' <<<"$BODY"
	# a value a shell must quote is quoted in the command
	get "/api/search?text=it%27s%20here"
	[ "$(jq -r .command <<<"$BODY")" = "hub-archive -d $A find --grep 'it'\\''s here'" ]
}

@test "paging: the pages of a search, newest first, put together are the whole search" {
	start_serve
	cli_find --type com.example.retail.order.created >"$T/cli"
	n=$(wc -l <"$T/cli")
	[ "$n" -gt 40 ]
	: >"$T/pages"
	for off in $(seq 0 17 "$n"); do
		get "/api/search?type=com.example.retail.order.created&limit=17&offset=$off"
		[ "$CODE" = 200 ]
		jq -e --argjson n "$n" --argjson o "$off" '.count == $n and .offset == $o and .more == ($o + 17 < $n)' <<<"$BODY"
		jq -r '.results[].id' <<<"$BODY" >>"$T/pages"
	done
	diff "$T/pages" "$T/cli"
	# past the end: an empty page, the count still right
	get "/api/search?type=com.example.retail.order.created&offset=10000"
	jq -e --argjson n "$n" '.count == $n and .results == []' <<<"$BODY"
}

@test "one event: what hub-archive show prints, Kafka coordinates and headers, and its subject's other events" {
	start_serve
	get "/api/event?id=$EVENT"
	[ "$CODE" = 200 ]
	[ "$(jq -r .command <<<"$BODY")" = "hub-archive -d $A show $EVENT" ]
	jq -e '.count == 1' <<<"$BODY"
	# byte for byte the command's output
	diff <(jq -j '.events[0].text' <<<"$BODY") <(hub-archive -d "$A" show "$EVENT")
	jq -e --arg id "$EVENT" '.events[0].show | .event.id == $id and .kafka.topic == "shop" and
		(.kafka.partition | type == "number") and (.kafka.offset | type == "number") and
		(.kafka.headers | tostring | contains("support-test")) and
		(.archive.segment | test("/shop/.*\\.ndjson$")) and (.archive.offset | type == "number")' <<<"$BODY"
	# the file and offset it names hold the event
	seg=$(jq -r '.events[0].show.archive.segment' <<<"$BODY")
	off=$(jq -r '.events[0].show.archive.offset' <<<"$BODY")
	tail -c +"$((off + 1))" "$seg" | head -n1 | jq -e --arg id "$EVENT" '.value.id == $id'
	# the same subject: the trace, in time order, this event among them
	jq -e --arg s "$ORDER" '.same_subject.subject == $s' <<<"$BODY"
	diff <(jq -r '.same_subject.results[].id' <<<"$BODY") <(cli_find --subject "$ORDER" | tac)
	[ "$(jq -r .same_subject.command <<<"$BODY")" = "hub-archive -d $A trace $ORDER" ]
	get "/api/event?id=no-such-event"
	expect_error 404 "no event with id 'no-such-event' in $A"
	get "/api/event"
	expect_error 400 "an id is required"
}

@test "timeline: every event of a subject across topics in time order, with the time between them" {
	start_serve
	get "/api/timeline?subject=$ORDER"
	[ "$CODE" = 200 ]
	diff <(jq -r '.results[].id' <<<"$BODY") <(hub-archive -d "$A" trace --ndjson "$ORDER" | jq -r .value.id)
	[ "$(jq -r .command <<<"$BODY")" = "hub-archive -d $A trace $ORDER" ]
	jq -e '.truncated == false and .results[0].since_previous_ms == null and
		([.results[1:][] | .since_previous_ms >= 0] | all) and
		([.results[].time_ms] | . == sort) and
		(.results[1].since_previous_ms == .results[1].time_ms - .results[0].time_ms)' <<<"$BODY"
	get "/api/timeline?subject=$ORDER&limit=2"
	jq -e '.truncated == true and (.results | length) == 2 and .count > 2' <<<"$BODY"
	get "/api/timeline?subject=ORD-none"
	expect_error 404 "no event with subject 'ORD-none'"
	get "/api/timeline"
	expect_error 400 "a subject is required"
}

@test "an event and a timeline tell of their records in the failure store, as show and trace do" {
	export HUB_DLQ="$T/failed.ndjson"
	start_serve
	get "/api/event?id=$EVENT"
	jq -e '.failures.count == 0 and .same_subject.failures.count == 0' <<<"$BODY"
	stop_serve
	# the event again, broken: hub-validate puts it in the failure store
	jq -c --arg id "$EVENT" 'select(.id == $id) | .data = 5' "$F/kafka.in" |
		hub-validate --schemas "$REPO/schemas" >/dev/null 2>&1 || true
	[ "$(wc -l <"$T/failed.ndjson")" -eq 1 ]
	start_serve
	get "/api/event?id=$EVENT"
	jq -e --arg dlq "$T/failed.ndjson" '.failures.count == 1 and .failures.store == $dlq and
		.same_subject.failures.count == 1' <<<"$BODY"
	[ "$(jq -r .failures.command <<<"$BODY")" = "hub-failures --dlq $T/failed.ndjson --id $EVENT" ]
	eval "$(jq -r .failures.command <<<"$BODY")" | jq -e --arg id "$EVENT" '.event.id == $id'
	get "/api/timeline?subject=$ORDER"
	jq -e '.failures.count == 1' <<<"$BODY"
	[ "$(jq -r .failures.command <<<"$BODY")" = "hub-failures --dlq $T/failed.ndjson --subject $ORDER" ]
	# the CLI says the same
	hub-archive -d "$A" trace --ndjson "$ORDER" 2>&1 >/dev/null | grep -q "also 1 record in the failure store"
	stop_serve
	# --dlq names another store
	start_serve --dlq "$T/other.ndjson"
	get "/api/event?id=$EVENT"
	jq -e --arg dlq "$T/other.ndjson" '.failures.count == 0 and .failures.store == $dlq' <<<"$BODY"
}

@test "bad query strings are a 400 that says why, never a crash" {
	start_serve
	get "/api/search?subjct=x"
	expect_error 400 "unknown query parameter 'subjct'"
	get "/api/search?subject=a&subject=b"
	expect_error 400 "given twice"
	get "/api/search?since=yesterday"
	expect_error 400 "since 'yesterday': expected a time"
	get "/api/search?until=2026-02-30T00:00:00Z"
	expect_error 400 "until"
	for l in 0 201 abc -1 1x 99999999999999999999; do
		get "/api/search?limit=$l"
		expect_error 400 "limit '$l': expected a whole number from 1 to 200"
	done
	get "/api/search?offset=10001"
	expect_error 400 "offset"
	get "/api/search?subject=a%00b"
	expect_error 400 "NUL"
	get "/api/search?subject=%ff%fe"
	expect_error 400 "not UTF-8"
	get "/api/search?text=$(head -c 2000 /dev/zero | tr '\0' x)"
	expect_error 400 "longer than 1024 bytes"
	get "/api/search?regex=(unclosed"
	expect_error 400 "regex '(unclosed'"
	get "/api/search?$(for i in $(seq 1 20); do printf 'id=%s&' "$i"; done)"
	expect_error 400
	get "/api/timeline?type=x"
	expect_error 400 "this path takes: subject, since, until, limit"
	# a huge query string: refused by the HTTP layer, the server lives on
	get "/api/search?text=$(head -c 100000 /dev/zero | tr '\0' x)"
	[ "$CODE" = 414 ]
	get "/api/search?subject=$ORDER"
	[ "$CODE" = 200 ]
	kill -0 "$SERVE_PID"
}

@test "a search past its deadline stops and says so (the bound on a request's time)" {
	drv="$HUB_BIN/../tests/helper/search-deadline"
	n=$(hub-archive -d "$A" find --grep shop | wc -l)
	[ "$n" -ge 600 ]
	[ "$("$drv" "$A" shop 0)" = "rc 0, results $n" ]
	[ "$("$drv" "$A" shop 60000)" = "rc 0, results $n" ]
	[ "$("$drv" "$A" shop -1)" = "rc -2, results 0: the search took longer than it may and was stopped" ]
	run hub-archive -d "$A" serve --timeout soon
	[ "$status" -eq 64 ]
}

@test "read-only: GET and HEAD only (405 with Allow); paths outside the API and the page are 404" {
	start_serve
	for m in POST PUT DELETE PATCH OPTIONS; do
		get /api/search -X "$m"
		expect_error 405 "$m is not served"
		grep -qi '^allow: GET, HEAD' <(curl -s -D - -o /dev/null -X "$m" "$URL/api/search")
	done
	get /api/search -X POST --data-binary '{"subject":"x"}'
	expect_error 405
	[ "$(curl -s -I -o /dev/null -w '%{http_code}' "$URL/api/search?subject=$ORDER")" = 200 ]
	for p in /etc/passwd /../../etc/passwd /api /api/ /api/searchx /index.htm /app.js/ /web/support/app.js \
		/archive-api.yaml /index.html; do
		get "$p"
		expect_error 404 "no such path"
	done
	get "/app.js?x=1"
	expect_error 400 "unknown query parameter"
}

@test "the page and its files are served from the binary, with nothing fetched from elsewhere" {
	start_serve
	get /
	[ "$CODE" = 200 ] && [ "$TYPE" = "text/html; charset=utf-8" ]
	diff <(printf '%s' "$BODY") <(printf '%s' "$(cat "$REPO/web/support/index.html")")
	grep -qi "^content-security-policy: default-src 'self'" <(curl -s -D - -o /dev/null "$URL/")
	grep -qi "^x-content-type-options: nosniff" <(curl -s -D - -o /dev/null "$URL/")
	get "/?subject=$ORDER"
	[ "$CODE" = 200 ]
	for f in app.js style.css; do
		curl -s -o "$T/$f" "$URL/$f"
		cmp "$T/$f" "$REPO/web/support/$f"
	done
	[[ "$(curl -s -o /dev/null -w '%{content_type}' "$URL/app.js")" == text/javascript* ]]
	curl -s -o "$T/api.yaml" "$URL/api/openapi.yaml"
	cmp "$T/api.yaml" "$REPO/doc/archive-api.yaml"
	# every path the OpenAPI file names is served
	for p in $(grep -oE '^  /[a-z/.]*' "$REPO/doc/archive-api.yaml"); do
		case $p in
		/api/search | /api/timeline) q="?subject=$ORDER" ;;
		/api/event) q="?id=$EVENT" ;;
		*) q= ;;
		esac
		code=$(curl -s -o /dev/null -w '%{http_code}' "$URL$p$q")
		[ "$code" = 200 ] || { echo "$p: $code"; false; }
	done
	# no address of another machine in the page's files
	run grep -nE 'https?://|//[a-z0-9.-]+\.[a-z]{2,}/' "$REPO"/web/support/*
	[ "$status" -eq 1 ] || { echo "$output"; false; }
}

@test "access: HTTP Basic users as hub-registry's; TLS and client certificates; off loopback only with TLS" {
	echo 'support pass' | hub-registry passwd anna >"$T/users"
	start_serve --users "$T/users"
	get "/api/search?subject=$ORDER"
	expect_error 401 "credentials are required"
	grep -qi '^www-authenticate: Basic realm="hub-archive"' <(curl -s -D - -o /dev/null "$URL/")
	get "/api/search?subject=$ORDER" -u 'anna:wrong'
	expect_error 401 "the user or the password is wrong"
	get "/api/search?subject=$ORDER" -u 'anna:support pass'
	[ "$CODE" = 200 ]
	get "/" -u 'anna:support pass'
	[ "$CODE" = 200 ]
	stop_serve
	mkdir -p "$T/tls"
	(
		cd "$T/tls"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj "/CN=hub test ca" -keyout ca.key -out ca.pem 2>/dev/null
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
			-keyout server.key -out server.csr 2>/dev/null
		echo "subjectAltName=IP:127.0.0.1,DNS:localhost" >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
			-extfile server.ext -out server.pem 2>/dev/null
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=support \
			-keyout client.key -out client.csr 2>/dev/null
		echo "basicConstraints=CA:FALSE" >client.ext
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
			-extfile client.ext -out client.pem 2>/dev/null
	)
	# client certificates (mTLS): none is 401, one the CA signed is served
	start_serve --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key" --client-ca "$T/tls/ca.pem"
	get "/api/search?subject=$ORDER" --cacert "$T/tls/ca.pem"
	expect_error 401 "a client certificate is required"
	get "/api/search?subject=$ORDER" --cacert "$T/tls/ca.pem" --cert "$T/tls/client.pem" --key "$T/tls/client.key"
	[ "$CODE" = 200 ]
	stop_serve
	start_serve --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key"
	[[ "$URL" == https://127.0.0.1:* ]]
	get "/api/event?id=$EVENT" --cacert "$T/tls/ca.pem"
	[ "$CODE" = 200 ]
	run curl -s -o /dev/null "$URL/"
	[ "$status" -eq 60 ]
	stop_serve
	hub-archive -d "$A" serve --listen 0.0.0.0:0 --tls-cert "$T/tls/server.pem" --tls-key "$T/tls/server.key" \
		>"$T/serve.out" 2>"$T/serve.err" &
	SERVE_PID=$!
	wait_until 5 test -s "$T/serve.out"
	URL=https://localhost:$(sed 's/.*://' "$T/serve.out")
	get "/api/timeline?subject=$ORDER" --cacert "$T/tls/ca.pem"
	[ "$CODE" = 200 ]
}

@test "the page in headless Chromium: search a subject, open an event, see its coordinates and timeline" {
	[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (Debian's chromium: scripts/install-deps)"
	command -v node >/dev/null && command -v npm >/dev/null || skip "no node or npm (scripts/install-deps)"
	pw=$("$REPO/scripts/install-playwright")
	start_serve
	# the screenshots of each step: kept in HUB_TEST_ARTEFACTS when set
	shots=${HUB_TEST_ARTEFACTS:-$T}/support-page
	rm -rf "$shots" && mkdir -p "$shots"
	run env NODE_PATH="$pw/node_modules" HUB_URL="$URL" HUB_ORDER="$ORDER" HUB_EVENT="$EVENT" \
		HUB_SHOTS="$shots" node "$REPO/tests/browser/support-page.js"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"search: "*" rows"* ]]
	[[ "$output" == *"event: shop"* ]]
	[[ "$output" == *"timeline: "*" events, "*" after a wait"* ]]
	for f in search event timeline; do [ -s "$shots/$f.png" ]; done
}
