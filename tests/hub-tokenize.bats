#!/usr/bin/env bats
# hub-tokenize: sensitive fields to tokens only key holders reverse, byte for byte.

load helpers

setup() {
	common_setup
	unset HUB_KEY_FILE HUB_DLQ
	KEY="$T/key"
	hub-tokenize --genkey "$KEY" 2>/dev/null
	export HUB_DLQ="$T/dlq"
}

# tok ARGS...: hub-tokenize with the test's key file
tok() {
	hub-tokenize --key-file "$KEY" "$@"
}

PII=data.customer.email,data.customer.phone,data.customer.name,data.customer.address,data.email,data.phone,data.name,data.address

@test "gen-events: tokenize then detokenize gives back every event byte for byte" {
	"$GEN" 500 --seed 4 >"$T/in"
	tok -f "$PII" <"$T/in" >"$T/tok"
	tok -d -f "$PII" <"$T/tok" >"$T/back"
	cmp "$T/in" "$T/back"
	[ ! -e "$T/dlq" ]
	# the tokenized events changed, and only in those fields
	! cmp -s "$T/in" "$T/tok"
	diff <(jq -c 'del(.data.customer, .data.email, .data.phone, .data.name, .data.address)' "$T/in") \
	     <(jq -c 'del(.data.customer, .data.email, .data.phone, .data.name, .data.address)' "$T/tok")
	[ "$(jq -r 'select(.data.email) | .data.email' "$T/tok" | grep -c '^tok1_')" -gt 50 ]
}

@test "round trip exactness: unicode, escapes, big and exponent numbers, nested values, literals" {
	cat >"$T/in" <<'JSON'
{"a":"Zoë \u00e9 \"q\" \\ 東京 😀 \ud83d\ude00 \/","n":12345678901234567890123,"e":-1.50E+400,"f":19.990,"o":{"x":[1,{"y":null}],"z":"é"},"b":true,"c":false,"arr":[ 1 , 2 ],"s":"","keep":"me"}
{ "a" : "spaces around" , "n" : 0 , "e" : 1e-7 , "o" : {} , "b" : [] }
JSON
	tok -f a,n,e,f,o,b,c,arr,s <"$T/in" >"$T/tok"
	grep -q '"keep":"me"' "$T/tok"
	! grep -q 'Zoë\|12345678901234567890123\|E+400' "$T/tok"
	[ "$(jq -r '.a | startswith("tok1_")' "$T/tok" | sort -u)" = "true" ]
	tok -d -f a,n,e,f,o,b,c,arr,s <"$T/tok" >"$T/back"
	cmp "$T/in" "$T/back"
}

@test "deterministic: same value and field, same token, across events and runs" {
	printf '%s\n' '{"data":{"email":"ann@example.com"}}' '{"data":{"email":"ann@example.com"}}' \
		'{"data":{"email":"bob@example.com"}}' >"$T/in"
	tok -f data.email <"$T/in" >"$T/one"
	tok -f data.email <"$T/in" >"$T/two"
	cmp "$T/one" "$T/two"
	[ "$(sed -n 1p "$T/one")" = "$(sed -n 2p "$T/one")" ]
	[ "$(sed -n 1p "$T/one")" != "$(sed -n 3p "$T/one")" ]
	# another key, another token
	hub-tokenize --genkey "$T/other" 2>/dev/null
	hub-tokenize --key-file "$T/other" -f data.email <"$T/in" >"$T/three"
	! cmp -s "$T/one" "$T/three"
}

@test "contexts: the same value in two fields gives two tokens, unless they share a context" {
	echo '{"a":"x@example.com","b":"x@example.com"}' >"$T/in"
	tok -f a,b <"$T/in" >"$T/sep"
	[ "$(jq -r .a "$T/sep")" != "$(jq -r .b "$T/sep")" ]
	tok -f a,b --context email <"$T/in" >"$T/shared"
	[ "$(jq -r .a "$T/shared")" = "$(jq -r .b "$T/shared")" ]
	tok -d -f a,b --context email <"$T/shared" | cmp - "$T/in"
	# a token moved to another field does not open there
	jq -c '{a: .a, b: .a}' "$T/sep" >"$T/moved"
	run tok -d -f a,b <"$T/moved"
	[ "$status" -eq 1 ]
	[[ "$output" != *"{"* ]]
	jq -e '.reason | test("field .b. \\(token\\): token does not verify")' "$T/dlq"
}

@test "wrong key: tokens are reported, never decrypted" {
	echo '{"data":{"email":"ann@example.com"}}' | tok -f data.email >"$T/tok"
	hub-tokenize --genkey "$T/other" 2>/dev/null
	run hub-tokenize --key-file "$T/other" -d -f data.email --dlq "$T/dlq" <"$T/tok"
	[ "$status" -eq 1 ]
	[[ "$output" == *"1 of 1 events failed"* ]]
	! grep -q 'ann@' "$T/dlq"
	jq -e '.reason | test("does not verify")' "$T/dlq"
	# the stored copy keeps the token, so the right key can still open it
	jq -c .event "$T/dlq" | tok -d -f data.email | grep -qx '{"data":{"email":"ann@example.com"}}'
}

@test "tampered, truncated and foreign tokens are detected" {
	echo '{"v":"secret value"}' | tok -f v >"$T/tok"
	t=$(jq -r .v "$T/tok")
	# flip one character in the middle of the token
	mid=$(( ${#t} / 2 ))
	c=${t:$mid:1}; [ "$c" = A ] && r=B || r=A
	printf '{"v":"%s"}\n{"v":"%s"}\n{"v":"%s"}\n{"v":"tok1_"}\n{"v":"plain text"}\n{"v":42}\n' \
		"${t:0:$mid}$r${t:$((mid + 1))}" "${t:0:40}" "tok9_${t:5}" >"$T/bad"
	run tok -d -f v <"$T/bad"
	[ "$status" -eq 1 ]
	[[ "$output" != *"{"* ]]
	[ "$(count_lines "$T/dlq")" -eq 6 ]
	jq -e -s '.[0].reason | test("does not verify")' "$T/dlq"
	jq -e -s '.[1].reason | test("does not verify|not a token")' "$T/dlq"
	jq -e -s '.[2].reason | test("key version 9, not in the key file")' "$T/dlq"
	jq -e -s '.[3].reason | test("not a token")' "$T/dlq"
	# a plain value where a token belongs is removed from the stored copy
	jq -e -s '.[4].event.v == null and .[4].removed == ["v"]' "$T/dlq"
	! grep -q 'plain text' "$T/dlq"
}

@test "rotation: --genkey adds a version, new tokens use it, old ones still open, --retokenize moves them" {
	echo '{"e":"ann@example.com"}' >"$T/in"
	tok -f e <"$T/in" >"$T/v1"
	grep -q '"tok1_' "$T/v1"
	cp "$KEY" "$T/key-v1"
	run hub-tokenize --genkey "$KEY"
	[ "$status" -eq 0 ]
	[[ "$output" == *"version 2"* ]]
	[ "$(grep -c '^[0-9]' "$KEY")" -eq 2 ]
	[ "$(stat -c %a "$KEY")" = 600 ]
	tok -f e <"$T/in" >"$T/v2"
	grep -q '"tok2_' "$T/v2"
	tok -d -f e <"$T/v1" | cmp - "$T/in"
	tok -d -f e <"$T/v2" | cmp - "$T/in"
	tok --retokenize -f e <"$T/v1" >"$T/re"
	cmp "$T/re" "$T/v2"
	tok --retokenize -f e <"$T/v2" | cmp - "$T/v2"
	# rotations at the same time each get a version of their own
	for _ in 1 2 3 4; do hub-tokenize --genkey "$KEY" 2>/dev/null & done
	wait
	[ "$(grep -c '^[0-9]' "$KEY")" -eq 6 ]
	[ "$(cut -d' ' -f1 "$KEY" | grep '^[0-9]' | sort -u | wc -l)" -eq 6 ]
	tok -f e <"$T/in" | grep -q '"tok6_'
	# the old key file alone cannot open the new tokens
	run hub-tokenize --key-file "$T/key-v1" -d -f e <"$T/v2"
	[ "$status" -eq 1 ]
	jq -e '.reason | test("key version 2, not in the key file")' "$T/dlq"
}

@test "key files: group or other access refused, missing or malformed reported" {
	echo '{"e":"x"}' >"$T/in"
	chmod 640 "$KEY"
	run tok -f e <"$T/in"
	[ "$status" -eq 78 ]
	[[ "$output" == *"accessible by group or others (mode 0640)"*"chmod 600"* ]]
	chmod 604 "$KEY"
	run tok -f e <"$T/in"
	[ "$status" -eq 78 ]
	chmod 600 "$KEY"
	run hub-tokenize --key-file "$T/nope" -f e <"$T/in"
	[ "$status" -eq 66 ]
	[[ "$output" == *"--genkey"* ]]
	printf '1 not-base64!\n' >"$T/bad"; chmod 600 "$T/bad"
	run hub-tokenize --key-file "$T/bad" -f e <"$T/in"
	[ "$status" -eq 78 ]
	[[ "$output" == *"bad:1: the key is not 32 bytes of base64"* ]]
	# a key never appears in a message
	! [[ "$output" == *"not-base64"* ]]
}

@test "the key file comes from \$HUB_KEY_FILE, then ~/.config/hub/tokenize.key" {
	echo '{"e":"x"}' >"$T/in"
	HUB_KEY_FILE="$KEY" hub-tokenize -f e <"$T/in" >"$T/a"
	tok -f e <"$T/in" | cmp - "$T/a"
	mkdir -p "$XDG_CONFIG_HOME/hub"
	cp -p "$KEY" "$XDG_CONFIG_HOME/hub/tokenize.key"
	hub-tokenize -f e <"$T/in" | cmp - "$T/a"
	# --genkey creates the missing directories, private
	hub-tokenize --genkey "$T/new/hub/tokenize.key" 2>/dev/null
	[ "$(stat -c %a "$T/new/hub")" = 700 ] && [ "$(stat -c %a "$T/new/hub/tokenize.key")" = 600 ]
	# and never overwrites: a second run adds version 2
	hub-tokenize --genkey "$T/new/hub/tokenize.key" 2>/dev/null
	[ "$(grep -c '^[12] ' "$T/new/hub/tokenize.key")" -eq 2 ]
}

@test "no plaintext anywhere: output, stderr, stats, failure store" {
	"$GEN" 300 --seed 9 >"$T/in"
	# line 5 gets an address that cannot be masked: a failure
	jq -c 'if input_line_number == 5 then .data.customer.phone = {"n":"+44 7700 900123"} else . end' "$T/in" >"$T/in2"
	printf '%s\n' '{"data":{"customer":{"email":"lost@example.com"' >>"$T/in2"
	printf '%s\n' '{"data":{"email":Zsecret}}' >>"$T/in2"
	tok -f data.customer.email,data.email,data.customer.name,data.name,data.customer.phone \
		-m mask --stats -v <"$T/in2" >"$T/out" 2>"$T/err" || true
	jq -r '.data | (.customer.email // .email // empty), (.customer.name // .name // empty)' "$T/in" | sort -u >"$T/secrets"
	[ "$(count_lines "$T/secrets")" -gt 20 ]
	! grep -F -f "$T/secrets" "$T/out" "$T/err" "$T/dlq"
	! grep -q 'lost@example.com\|7700 900123' "$T/out" "$T/err" "$T/dlq"
	[ "$(count_lines "$T/dlq")" -eq 3 ]
	! grep -q "'Z'" "$T/dlq" "$T/err"
	jq -e -s '.[2] | (.reason | test("^invalid JSON at byte [0-9]+: unexpected character$")) and .sealed == "line"' "$T/dlq"
	jq -e -s '.[0].removed == ["data.customer.phone"] and (.[0].reason | test("cannot mask an object"))' "$T/dlq"
	jq -e -s '.[1].sealed == "line" and (.[1].event | startswith("tok1_"))' "$T/dlq"
	# the key holder gets the sealed line back
	jq -c -s '{line: .[1].event}' "$T/dlq" | tok -d -f line | jq -r .line >"$T/line"
	[ "$(cat "$T/line")" = '{"data":{"customer":{"email":"lost@example.com"' ]
}

@test "hash mode: keyed, deterministic, irreversible pseudonyms; -d leaves them" {
	printf '%s\n' '{"c":"4111 1111","n":7}' '{"c":"4111 1111","n":"7"}' >"$T/in"
	tok -f c,n -m hash <"$T/in" >"$T/h"
	[ "$(jq -r .c "$T/h" | sort -u | wc -l)" -eq 1 ]
	jq -e -r '.c | test("^hsh1_[A-Za-z0-9_-]{32}$")' "$T/h" >/dev/null
	# the number 7 and the string "7" differ
	[ "$(jq -r .n "$T/h" | sort -u | wc -l)" -eq 2 ]
	# not the token, and another key gives another hash
	[ "$(tok -f c <"$T/in" | head -1 | jq -r .c)" != "$(head -1 "$T/h" | jq -r .c)" ]
	hub-tokenize --genkey "$T/other" 2>/dev/null
	[ "$(hub-tokenize --key-file "$T/other" -f c -m hash <"$T/in" | head -1 | jq -r .c)" != "$(head -1 "$T/h" | jq -r .c)" ]
	tok -d -f c,n -m hash <"$T/h" | cmp - "$T/h"
}

@test "mask mode: letters and digits but the last N become '*'" {
	printf '%s\n' '{"p":"+39 532 1487223","card":4111111111111111,"e":"zoë@example.com","x":null}' >"$T/in"
	tok -f p,card,e,x -m mask <"$T/in" >"$T/m"
	[ "$(cat "$T/m")" = '{"p":"+** *** ***7223","card":"************1111","e":"***@******e.com","x":null}' ]
	tok -f p -m mask --keep 2 <"$T/in" | grep -q '"p":"+\*\* \*\*\* \*\*\*\*\*23"'
	echo '{"p":true}' | { run tok -f p -m mask; [ "$status" -eq 1 ]; }
}

@test "policy: modes per field, rule sets per market, pass to exempt" {
	cat >"$T/policy" <<'EOF2'
# default rules
market data.market
data.customer.email  token context=email
data.email           token context=email
data.customer.phone  mask keep=4

[DE AT]
data.customer.email  hash    # DE hashes instead
data.customer.name   token

[US]
data.customer.phone  pass
EOF2
	printf '%s\n' \
		'{"data":{"market":"IT","customer":{"email":"a@x.com","phone":"+39 123 4567","name":"Ann"}}}' \
		'{"data":{"market":"DE","customer":{"email":"a@x.com","phone":"+49 123 4567","name":"Ann"}}}' \
		'{"data":{"market":"US","customer":{"email":"a@x.com","phone":"+1 555 4567","name":"Ann"}}}' \
		'{"data":{"market":"IT","email":"a@x.com"}}' >"$T/in"
	tok -P "$T/policy" <"$T/in" >"$T/out"
	jq -e -s '.[0].data.customer | (.email | startswith("tok1_")) and .phone == "+** *** 4567" and .name == "Ann"' "$T/out"
	jq -e -s '.[1].data.customer | (.email | startswith("hsh1_")) and .phone == "+** *** 4567" and (.name | startswith("tok1_"))' "$T/out"
	jq -e -s '.[2].data.customer | (.email | startswith("tok1_")) and .phone == "+1 555 4567" and .name == "Ann"' "$T/out"
	# a shared context: the same e-mail gives the same token in both fields
	jq -e -s '.[0].data.customer.email == .[3].data.email' "$T/out"
	# the same policy reverses the tokens and leaves the rest
	tok -d -P "$T/policy" <"$T/out" >"$T/back"
	jq -e -s '.[1].data.customer | (.email | startswith("hsh1_")) and .name == "Ann"' "$T/back"
	jq -e -s '.[0].data.customer.email == "a@x.com" and .[3].data.email == "a@x.com"' "$T/back"
}

@test "without -f, -s or -P: \$HUB_TOKENIZE_POLICY, then ~/.config/hub/tokenize.policy" {
	echo '{"p":"+39 532 1487223","q":"abcdef"}' >"$T/in"
	mkdir -p "$XDG_CONFIG_HOME/hub"
	echo 'p mask' >"$XDG_CONFIG_HOME/hub/tokenize.policy"
	[ "$(tok <"$T/in")" = '{"p":"+** *** ***7223","q":"abcdef"}' ]
	echo 'q mask keep=1' >"$T/policy"
	[ "$(HUB_TOKENIZE_POLICY="$T/policy" tok <"$T/in")" = '{"p":"+39 532 1487223","q":"*****f"}' ]
	rm "$XDG_CONFIG_HOME/hub/tokenize.policy"
	if [ ! -e /etc/hub/tokenize.policy ]; then
		run tok <"$T/in"
		[ "$status" -eq 64 ]
		[[ "$output" == *"no fields"*"tokenize.policy"* ]]
	fi
}

@test "policy errors name the file and line" {
	printf 'data.a token\ndata.b shred\n' >"$T/p1"
	run tok -P "$T/p1" </dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"policy $T/p1:2: expected PATH MODE"* ]]
	printf 'data.a mask context=x\n' >"$T/p2"
	run tok -P "$T/p2" </dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"p2:1: unknown option 'context=x' for mode mask"* ]]
	run tok -P "$T/none" </dev/null
	[ "$status" -eq 78 ]
}

@test "schemas: fields marked sensitive in the newest schema of each event type" {
	mkdir -p "$T/schemas/shop.order/" "$T/schemas/shop.customer"
	cat >"$T/schemas/shop.order/1.avsc" <<'EOF2'
{"type":"record","name":"Order","fields":[{"name":"order_id","type":"string","sensitive":true}]}
EOF2
	cat >"$T/schemas/shop.order/2.avsc" <<'EOF2'
{"type":"record","name":"Order","namespace":"com.example","fields":[
  {"name":"order_id","type":"string"},
  {"name":"customer","type":{"type":"record","name":"Customer","fields":[
     {"name":"email","type":"string","sensitive":true},
     {"name":"tier","type":"string"},
     {"name":"address","type":["null",{"type":"record","name":"Address","fields":[
        {"name":"line1","type":"string","sensitive":true},{"name":"city","type":"string"}]}]}]}},
  {"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[
     {"name":"sku","type":"string"},{"name":"engraving","type":["null","string"],"sensitive":true}]}}},
  {"name":"billing","type":["null","com.example.Address"]}
]}
EOF2
	cat >"$T/schemas/shop.customer/1.avsc" <<'EOF2'
{"type":"record","name":"Customer","fields":[{"name":"phone","type":"string","sensitive":true}]}
EOF2
	cat >"$T/in" <<'EOF2'
{"type":"shop.order","data":{"order_id":"O1","customer":{"email":"a@x.com","tier":"gold","address":{"line1":"1 High St","city":"Rome"}},"items":[{"sku":"S1","engraving":"For Ann"},{"sku":"S2","engraving":null}],"billing":{"line1":"2 Low St","city":"Oslo"}}}
{"type":"shop.customer","data":{"phone":"+1 555","customer":{"email":"a@x.com"}}}
{"type":"shop.other","data":{"phone":"+1 555"}}
EOF2
	tok -s "$T/schemas" <"$T/in" >"$T/out"
	jq -e -s '.[0].data | .order_id == "O1" and (.customer.email | startswith("tok1_")) and .customer.tier == "gold"
		and (.customer.address.line1 | startswith("tok1_")) and .customer.address.city == "Rome"
		and (.items[0].engraving | startswith("tok1_")) and .items[1].engraving == null
		and (.billing.line1 | startswith("tok1_")) and .billing.city == "Oslo"' "$T/out"
	# by type: customer.email is not sensitive for shop.customer; unknown types pass
	jq -e -s '.[1].data | (.phone | startswith("tok1_")) and .customer.email == "a@x.com"' "$T/out"
	sed -n 3p "$T/in" | cmp - <(sed -n 3p "$T/out")
	tok -d -s "$T/schemas" <"$T/out" | cmp - "$T/in"
	echo '{"type":"record","fields":[' >"$T/schemas/shop.customer/2.avsc"
	run tok -s "$T/schemas" </dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"shop.customer/2.avsc"* ]]
}

@test "missing fields are fine; invalid JSON and lines that are no object are stored sealed; exit status says so" {
	printf '%s\n' '{"a":1}' 'not json at all' '[1,2]' '{"data":{"email":"z@x.com"}}' '42' >"$T/in"
	run tok -f data.email <"$T/in"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = '{"a":1}' ]
	[[ "${lines[1]}" == '{"data":{"email":"tok1_'* ]]
	[ "$(count_lines "$T/dlq")" -eq 3 ]
	jq -e -s '.[0] | .line == 2 and (.reason | test("invalid JSON")) and .sealed == "line"' "$T/dlq"
	jq -e -s '.[1] | .line == 3 and .reason == "not an event: the line is an array, not a JSON object" and .sealed == "line"' "$T/dlq"
	jq -e -s '.[2] | .line == 5 and .reason == "not an event: the line is a number, not a JSON object"' "$T/dlq"
	! grep -q 'not json' "$T/dlq"
}

@test "over-long lines, NUL bytes, deep nesting: failure store, never a crash" {
	{ printf '{"e":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' x)"; printf '{"e":"a\0b"}\n'; printf '{"e":"\xc3\x28"}\n';
	  head -c 3000 /dev/zero | tr '\0' '['; echo; echo '{"e":"ok"}'; } >"$T/in"
	run tok -f e --max-line 4096 <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 4 ]
	jq -e -s '.[0].truncated == true and .[0].bytes == 5008' "$T/dlq"
	jq -e -s '.[2].reason | test("invalid UTF-8")' "$T/dlq"
	[[ "$output" == *'{"e":"tok1_'* ]]
}

@test "usage errors and --help" {
	run tok -f a -m shred </dev/null
	[ "$status" -eq 64 ]
	run tok -f 'a[' </dev/null
	[ "$status" -eq 64 ]
	run tok -f . </dev/null
	[ "$status" -eq 64 ]
	run tok -f a -d --retokenize </dev/null
	[ "$status" -eq 64 ]
	run tok -P /dev/null <<<'{"a":1}'
	[ "$status" -eq 0 ]
	[[ "$output" == *"no fields to change"*'{"a":1}'* ]]
	run hub-tokenize --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--detokenize"*"--retokenize"*"--genkey"* ]]
}

@test "--stats counts events and fields, never values" {
	printf '%s\n' '{"e":"ann@example.com"}' '{"f":1}' >"$T/in"
	tok -f e --stats <"$T/in" 2>"$T/err" >/dev/null
	jq -e '.tool == "hub-tokenize" and .in == 2 and .out == 2 and .failed == 0 and .fields == 1' "$T/err"
	! grep -q ann "$T/err"
}

@test "a stdout closed by its reader ends the run as it ends cat: SIGPIPE (141)" {
	"$GEN" 20000 --seed 1 >"$T/in"
	run bash -c "hub-tokenize --key-file '$KEY' -f data.email <'$T/in' 2>/dev/null | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}"
	[ "$output" = 141 ]
}

# a case of tests/data/tokenize.test: options, one input line; what
# hub-tokenize writes, then "fail: REASON" for a failure-store record.
# POLICY in the options is a small market policy written here.
tokenize_case() {
	local got
	printf '%s\n' 'data.customer.phone mask keep=2' '[US CA]' 'data.customer.phone pass' >"$T/policy"
	rm -f "$T/dlq"
	got=$(printf '%s\n' "$2" | eval "hub-tokenize --key-file '$KEY' ${1//POLICY/$T/policy}" 2>/dev/null) || true
	if [ -e "$T/dlq" ]; then
		got=${got:+$got$'\n'}$(jq -r '"fail: " + .reason' "$T/dlq")
		if grep -q '"sealed"' "$T/dlq"; then got="$got (sealed)"; fi
	fi
	printf '%s\n' "$got"
}

@test "masks, shapes, paths and market policies: tests/data/tokenize.test" {
	run_cases "$BATS_TEST_DIRNAME/data/tokenize.test" tokenize_case 18
}

@test "schemas: named types resolve by Avro's namespaces, as hub-validate compiles them" {
	# two records named Address in two namespaces; only com.example.home's line1 is sensitive
	mkdir -p "$T/schemas/shop.parcel"
	cat >"$T/schemas/shop.parcel/1.avsc" <<'EOF2'
{"type":"record","name":"Parcel","namespace":"com.example","fields":[
  {"name":"home","type":{"type":"record","name":"Address","namespace":"com.example.home","fields":[
     {"name":"line1","type":"string","sensitive":true}]}},
  {"name":"depot","type":{"type":"record","name":"Address","namespace":"com.example.depot","fields":[
     {"name":"line1","type":"string"}]}},
  {"name":"back","type":"com.example.depot.Address"},
  {"name":"again","type":"com.example.home.Address"}
]}
EOF2
	echo '1 shop.parcel 1' >"$T/schemas/index"
	echo '{"type":"shop.parcel","data":{"home":{"line1":"1 High St"},"depot":{"line1":"Dock 4"},"back":{"line1":"Dock 5"},"again":{"line1":"2 Low St"}}}' >"$T/in"
	tok -s "$T/schemas" <"$T/in" >"$T/out"
	jq -e '.data | (.home.line1 | startswith("tok1_")) and (.again.line1 | startswith("tok1_"))
		and .depot.line1 == "Dock 4" and .back.line1 == "Dock 5"' "$T/out"
	tok -d -s "$T/schemas" <"$T/out" | cmp - "$T/in"
}

@test "tokens are base64url as libsodium writes it, by a table-driven codec: the same characters, the same verdicts on random strings" {
	run "$HUB_BIN/../tests/helper/base64" 100000
	[ "$status" -eq 0 ]
	[[ "$output" == "100000 encodings, 100000 decodings ("* ]]
}
