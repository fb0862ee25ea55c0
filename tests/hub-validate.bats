#!/usr/bin/env bats
# hub-validate: events checked against the schema registry, nothing lost,
# valid events byte for byte; the registry commands --list, --lint and
# --check-compat. Verdicts and the compatibility matrix are data files.

load helpers

REPO="$BATS_TEST_DIRNAME/.."
SCHEMAS="$REPO/schemas"

# make_registry DIR SCHEMA...: subject s (or $SUBJECT) with versions 1..n.
make_registry() {
	local dir=$1 v=0 subject=${SUBJECT:-s}
	shift
	mkdir -p "$dir/$subject"
	: >"$dir/index"
	for schema in "$@"; do
		v=$((v + 1))
		printf '%s\n' "$schema" >"$dir/$subject/$v.avsc"
		echo "$v $subject $v" >>"$dir/index"
	done
}

event() {
	printf '{"specversion":"1.0","id":"e1","source":"/test","type":"%s","data":%s}\n' "$1" "$2"
}

@test "the shipped registry: list, lint and compatibility are clean" {
	run hub-validate --schemas "$SCHEMAS" --lint
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run hub-validate --schemas "$SCHEMAS" --check-compat
	[ "$status" -eq 0 ]
	run hub-validate --schemas "$SCHEMAS" --list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "com.example.retail.customer.updated	1	3	BACKWARD	$SCHEMAS/com.example.retail.customer.updated/1.avsc" ]
	[ "$(echo "$output" | grep -c 'com.example.retail.order.created	2	6	BACKWARD')" -eq 1 ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "gen-events: every generated event is valid and passes byte for byte" {
	"$GEN" 3000 --seed 11 >"$T/in"
	run hub-validate --schemas "$SCHEMAS" --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 0 ]
	hub-validate --schemas "$SCHEMAS" --dlq "$T/dlq" <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
	[ ! -e "$T/dlq" ]
}

@test "invalid events go to the failure store with path, expected, found, subject, version, id" {
	# the first order created with two items or more
	"$GEN" 200 --seed 5 --invalid-rate 0 | grep 'order\.created' | grep -m1 '"items":\[{[^]]*},{' >"$T/one"
	sed 's/"quantity":[0-9]*/"quantity":"3"/2' "$T/one" >"$T/bad"
	cat "$T/one" "$T/bad" "$T/one" >"$T/in"
	run hub-validate --schemas "$SCHEMAS" --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 1 ]
	[[ "$output" == *"1 of 3 events rejected"* ]]
	hub-validate --schemas "$SCHEMAS" --dlq "$T/dlq2" <"$T/in" >"$T/out" || true
	diff "$T/out" <(cat "$T/one" "$T/one")
	run jq -r '[.path, .expected, .found, .subject, .version, .schema_id, .line] | @tsv' "$T/dlq"
	[ "$output" = "$(printf 'data.items[1].quantity\tint\tstring "3"\tcom.example.retail.order.created\t2\t6\t2')" ]
	run jq -r .reason "$T/dlq"
	[ "$output" = 'data.items[1].quantity: expected int, found string "3" (com.example.retail.order.created version 2, schema id 6)' ]
	jq -e '.event | type == "object"' "$T/dlq"
	cmp <(jq -c .event "$T/dlq") <(jq -c . "$T/bad")
	# the event is kept as it came, byte for byte (amounts such as 89.50 too)
	grep -qF -- "$(cat "$T/bad")" "$T/dlq"
}

# a case of tests/data/validate.test: a schema, the data of one event; "ok"
# or the failure store's reason
validate_case() {
	local st=0
	rm -rf "$T/reg" "$T/dlq"
	make_registry "$T/reg" "$1"
	event s "$2" | hub-validate --schemas "$T/reg" --dlq "$T/dlq" >/dev/null 2>"$T/err" || st=$?
	case $st in
	0) echo ok ;;
	1) jq -r .reason "$T/dlq" | sed 's/ (s version 1, schema id 1)$//' ;;
	*) echo "exit $st: $(cat "$T/err")" ;;
	esac
}

@test "verdicts for every Avro type and failure reason: tests/data/validate.test" {
	run_cases "$BATS_TEST_DIRNAME/data/validate.test" validate_case 68
}

# a case of tests/data/compat.test: a mode, the schema versions, then what
# hub-validate --check-compat prints ("ok" when nothing, and then exit 0;
# exit 1 when it prints a break); the case rewritten with that
compat_case() {
	local mode=$1 got st=0
	local -a schemas=()
	shift
	for line in "$@"; do
		case "$line" in '{'* | '['* | '"'*) schemas+=("$line") ;; *) break ;; esac
	done
	rm -rf "$T/reg"
	make_registry "$T/reg" "${schemas[@]}"
	echo "$mode" >"$T/reg/s/compatibility"
	got=$(hub-validate --schemas "$T/reg" --check-compat 2>"$T/err") || st=$?
	printf '%s\n' "$mode" "${schemas[@]}" "${got:-ok}"
	if { [ -z "$got" ] && [ $st -ne 0 ]; } || { [ -n "$got" ] && [ $st -ne 1 ]; }; then
		echo "exit $st: $(cat "$T/err")"
	fi
}

@test "the compatibility matrix: tests/data/compat.test" {
	run_cases "$BATS_TEST_DIRNAME/data/compat.test" compat_case 41 0
}

@test "CloudEvents conformance cases: valid ones pass, invalid ones are rejected" {
	need_peers "$CEPEERS"
	make_registry "$T/reg" '"null"'
	SUBJECT=io.cloudevents.test make_registry "$T/reg" '["null","string"]'
	echo "1 s 1" >"$T/reg/index"
	echo "2 io.cloudevents.test 1" >>"$T/reg/index"
	jq -c 'select(.testType == "ValidSingleEvent") | .event' "$CEPEERS/conformance-json-format.ndjson" >"$T/valid"
	jq -c 'select(.testType == "InvalidSingleEvent") | .event' "$CEPEERS/conformance-json-format.ndjson" >"$T/invalid"
	[ "$(count_lines "$T/valid")" -ge 10 ]
	run hub-validate --schemas "$T/reg" --allow-extra --dlq "$T/dlq" <"$T/valid"
	[ "$status" -eq 0 ] || { cat "$T/dlq"; false; }
	run hub-validate --schemas "$T/reg" --dlq "$T/dlq" <"$T/invalid"
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq "$(count_lines "$T/invalid")" ]
	[ "$(jq -r .path "$T/dlq" | sort -u | tr '\n' ' ')" = '"MyExtension" "my.extension" data_base64 datacontenttype dataschema id source specversion subject time type ' ]
	jq -r .reason "$T/dlq" | grep -qx 'time: expected an RFC 3339 timestamp such as "2026-03-01T08:00:00.049Z", found string "lunchtime" (CloudEvents attribute rules)'
	jq -r .reason "$T/dlq" | grep -qx 'specversion: expected "1.0", found nothing (attribute missing) (CloudEvents attribute rules)'
}

@test "unknown types are rejected by default and passed with --allow-unknown" {
	make_registry "$T/reg" '"int"'
	event com.example.other '{"x":1}' >"$T/in"
	run hub-validate --schemas "$T/reg" --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(jq -r .subject "$T/dlq")" = com.example.other ]
	[[ "$(jq -r .reason "$T/dlq")" == "unknown type 'com.example.other': the registry $T/reg has no such subject"* ]]
	run hub-validate --schemas "$T/reg" --allow-unknown --dlq "$T/dlq2" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
}

@test "--allow-extra accepts members a record does not declare" {
	make_registry "$T/reg" '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}'
	event s '{"a":1,"note":{"deep":[1,2]}}' >"$T/in"
	run hub-validate --schemas "$T/reg" --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(jq -r .path "$T/dlq")" = data.note ]
	run hub-validate --schemas "$T/reg" --allow-extra --dlq "$T/dlq2" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
}

@test "dataschema picks the version; without it the latest is used" {
	make_registry "$T/reg" '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}' \
		'{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}'
	printf '%s\n' \
		'{"specversion":"1.0","id":"1","source":"/t","type":"s","data":{"a":1,"b":"x"}}' \
		'{"specversion":"1.0","id":"2","source":"/t","type":"s","dataschema":"https://schemas.example.com/s/1.avsc","data":{"a":1,"b":"x"}}' \
		'{"specversion":"1.0","id":"3","source":"/t","type":"s","dataschema":"https://schemas.example.com/s/v2","data":{"a":1,"b":"x"}}' \
		'{"specversion":"1.0","id":"4","source":"/t","type":"s","dataschema":"https://schemas.example.com/s/9","data":{"a":1}}' >"$T/in"
	run hub-validate --schemas "$T/reg" --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r .id | tr '\n' ' ')" = "1 3 " ]
	[ "$(jq -r '"\(.event.id) \(.version)"' "$T/dlq" | tr '\n' ' ')" = "2 1 4 9 " ]
	[ "$(jq -r .reason "$T/dlq" | tail -1)" = "s has no version 9 in the registry $T/reg (the version comes from dataschema)" ]
}

@test "--whole-event checks the whole event; --plain --subject checks plain JSON objects" {
	make_registry "$T/reg" '{"type":"record","name":"Ev","fields":[{"name":"specversion","type":"string"},{"name":"id","type":"string"},{"name":"source","type":"string"},{"name":"type","type":"string"},{"name":"data","type":"int"}]}'
	event s 1 >"$T/in"
	event s 2.5 >>"$T/in"
	run hub-validate --schemas "$T/reg" --whole-event --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$(head -1 "$T/in")" ]
	[ "$(jq -r .path "$T/dlq")" = data ]
	printf '%s\n' '{"v":1}' '{"v":"x"}' >"$T/plain"
	SUBJECT=p make_registry "$T/reg2" '{"type":"record","name":"P","fields":[{"name":"v","type":"int"}]}'
	run hub-validate --schemas "$T/reg2" --plain --subject p --whole-event --dlq "$T/dlq2" <"$T/plain"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = '{"v":1}' ]
	[ "$(jq -r .path "$T/dlq2")" = v ]
	run hub-validate --schemas "$T/reg2" --subject nope </dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"--subject 'nope': no such subject"* ]]
}

@test "valid events keep every byte: numbers, escapes, key order, CRLF dropped" {
	make_registry "$T/reg" '{"type":"record","name":"R","fields":[{"name":"p","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":2}},{"name":"big","type":"double"},{"name":"s","type":"string"}]}'
	printf '%s\r\n' '{"data":{"s":"Zo\u00eb \"q\" 東京","big":12345678901234567890123,"p":19.90},"type":"s","id":"x","source":"/t","specversion":"1.0"}' >"$T/in"
	hub-validate --schemas "$T/reg" --dlq "$T/dlq" <"$T/in" >"$T/out"
	cmp <(tr -d '\r' <"$T/in") "$T/out"
}

@test "every n_ document of JSONTestSuite is rejected with a reason, never a crash" {
	need_peers "$JSONSUITE"
	make_registry "$T/reg" '"null"'
	n=0
	for f in "$JSONSUITE"/n_*.json; do
		[ -s "$f" ] || continue   # an empty file holds no event at all
		n=$((n + 1))
		rm -f "$T/dlq"
		st=0
		hub-validate --schemas "$T/reg" --allow-unknown --dlq "$T/dlq" <"$f" >"$T/out" 2>"$T/err" || st=$?
		[ "$st" -eq 1 ] || { echo "$f: exit $st: $(cat "$T/err")"; false; }
		[ ! -s "$T/out" ] || { echo "$f passed: $(cat "$T/out")"; false; }
		[ "$(jq -r 'select((.reason | length) < 10)' "$T/dlq")" = "" ]
	done
	[ "$n" -gt 150 ]
}

@test "hostile input: NUL bytes, invalid UTF-8, deep nesting, over-long lines" {
	make_registry "$T/reg" '{"type":"array","items":"int"}'
	{
		printf '{"specversion":"1.0","id":"1","source":"/t","type":"s","data":[1,\0002]}\n'
		printf '{"specversion":"1.0","id":"1","source":"/t","type":"s","data":["\xc3\x28"]}\n'
		printf '{"specversion":"1.0","id":"1","source":"/t","type":"s","data":'
		head -c 100000 /dev/zero | tr '\0' '['
		echo
		printf '{"specversion":"1.0","id":"1","source":"/t","type":"s","data":[%s1]}\n' "$(head -c 3000 /dev/zero | tr '\0' ' ')"
		printf '{"specversion":"1.0","id":"1","source":"/t","type":"s","data":[1,2]}\n'
	} >"$T/in"
	run hub-validate --schemas "$T/reg" --max-line 2k --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = '{"specversion":"1.0","id":"1","source":"/t","type":"s","data":[1,2]}' ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(count_lines "$T/dlq")" -eq 4 ]
	jq -r .reason "$T/dlq" | grep -q 'invalid JSON at byte'
	jq -r .reason "$T/dlq" | grep -q 'longer than the limit'
}

@test "lint: what avro-c 1.11 lets through is reported, one line each" {
	make_registry "$T/reg" \
		'{"type":"enum","name":"E","symbols":["A","B","A"]}' \
		'["null","string","string"]' \
		'{"type":"fixed","name":"F","size":-1}' \
		'{"type":"record","name":"bad-name","fields":[{"name":"a","type":"int","default":"x"},{"name":"a","type":"money"}]}' \
		'{"type":"record","name":"R","fields":[{"name":"e","type":"string","sensitive":"yes"},{"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}}]}' \
		'{"type":"record","name":"R"'
	echo "7 s 6" >>"$T/reg/index"
	echo "3 nope 1" >>"$T/reg/index"
	mkdir "$T/reg/empty"
	touch "$T/reg/s/notes.txt"
	run hub-validate --schemas "$T/reg" --lint
	[ "$status" -eq 1 ]
	echo "$output"
	grep -qx "$T/reg/s/1.avsc: enum E: duplicate symbol 'A'" <<<"$output"
	grep -qx "$T/reg/s/2.avsc: duplicate union branch 'string'" <<<"$output"
	grep -qx "$T/reg/s/3.avsc: fixed F: negative size -1" <<<"$output"
	grep -qx "$T/reg/s/4.avsc: invalid name 'bad-name': names are \[A-Za-z_\]\[A-Za-z0-9_\]\*" <<<"$output"
	grep -qx "$T/reg/s/4.avsc: bad-name field 'a': default is not a int" <<<"$output"
	grep -qx "$T/reg/s/4.avsc: bad-name field 'a': duplicate field name" <<<"$output"
	grep -qx "$T/reg/s/4.avsc: bad-name field 'a': unknown type 'money'" <<<"$output"
	grep -qx "$T/reg/s/5.avsc: R field 'e': \"sensitive\" must be true or false" <<<"$output"
	grep -qx "$T/reg/s/5.avsc: R field 'd': decimal \"scale\" must be an integer from 0 to the precision (2)" <<<"$output"
	grep -q "^$T/reg/s/6.avsc: not JSON: " <<<"$output"
	grep -qx "$T/reg/index: line 7: id 7 is given twice: ids are unique" <<<"$output" || grep -q "id 6 is given twice\|already has id" <<<"$output"
	grep -qx "$T/reg/index: line 8: no schema file $T/reg/nope/1.avsc" <<<"$output"
	grep -qx "$T/reg/empty: no schema: a subject holds 1.avsc and later versions" <<<"$output"
	grep -q "^$T/reg/s/notes.txt: not a schema version" <<<"$output"
	# and validation refuses to run on such a registry
	run hub-validate --schemas "$T/reg" </dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"problems (listed above; hub-validate --lint shows them)"* ]]
}

@test "one problem, one subject: counted in the singular" {
	make_registry "$T/reg" '"int"'
	echo x >"$T/reg/s/notes.txt"
	run hub-validate --schemas "$T/reg" </dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"has 1 problem (listed above"* ]]
	rm "$T/reg/s/notes.txt"
	run hub-validate --schemas "$T/reg" --lint -v
	[ "$status" -eq 0 ]
	[[ "$output" == *": 1 subject, 0 problems"* ]]
}

@test "lint: ids unique, every schema indexed, versions without gaps, modes known" {
	make_registry "$T/reg" '"int"' '"long"'
	printf '1 s 1\n1 s 2\n' >"$T/reg/index"
	echo SIDEWAYS >"$T/reg/compatibility"
	mv "$T/reg/s/2.avsc" "$T/reg/s/3.avsc"
	run hub-validate --schemas "$T/reg" --lint
	[ "$status" -eq 1 ]
	grep -qx "$T/reg/index: line 2: id 1 is given twice: ids are unique" <<<"$output"
	grep -qx "$T/reg/index: line 2: no schema file $T/reg/s/2.avsc" <<<"$output"
	grep -qx "$T/reg/s/3.avsc: versions must be numbered 1, 2, 3... without gaps (version 2 is missing)" <<<"$output"
	grep -qx "$T/reg/s/3.avsc: no id: add a line \"ID s 3\" to $T/reg/index" <<<"$output"
	grep -q "^$T/reg/compatibility: unknown compatibility mode 'SIDEWAYS'" <<<"$output"
}

@test "registry: \$HUB_SCHEMAS is the default; a missing registry is a configuration error" {
	make_registry "$T/reg" '"int"'
	HUB_SCHEMAS="$T/reg" run hub-validate --list
	[ "$status" -eq 0 ]
	[ "$output" = "s	1	1	BACKWARD	$T/reg/s/1.avsc" ]
	run hub-validate --schemas "$T/none" --list
	[ "$status" -eq 78 ]
	[[ "$output" == *"schema registry $T/none: No such file or directory (give --schemas DIR or set HUB_SCHEMAS)"* ]]
}

@test "usage errors and help" {
	run hub-validate --bogus
	[ "$status" -eq 64 ]
	run hub-validate --lint --list
	[ "$status" -eq 64 ]
	run hub-validate extra-arg
	[ "$status" -eq 64 ]
	run hub-validate --schema-version 2
	[ "$status" -eq 64 ]
	run hub-validate --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--check-compat"* ]]
	[ -f "$REPO/man/hub-validate.1" ]
}

@test "a stdout closed by its reader ends the run by SIGPIPE (141), quietly; --stats counts" {
	"$GEN" 20000 --seed 2 >"$T/in"
	run bash -c "hub-validate --schemas '$SCHEMAS' --dlq '$T/dlq' <'$T/in' | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}"
	[ "${lines[-1]}" = 141 ]
	[ "${#lines[@]}" -eq 1 ]   # nothing said on stderr
	run bash -c "hub-validate --schemas '$SCHEMAS' --stats --dlq '$T/dlq' <'$T/in' 2>&1 >/dev/null"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.tool == "hub-validate" and .in == 20000 and .out == 20000 and .failed == 0'
}

@test "registry files that are no regular file, or too big, are problems, never a hang or a huge read" {
	make_registry "$T/reg" '"string"' '"string"' '"string"'
	ln -sf /dev/zero "$T/reg/s/1.avsc"
	rm "$T/reg/s/2.avsc"
	mkfifo "$T/reg/s/2.avsc"
	head -c 2000000 /dev/zero | tr '\0' ' ' >"$T/reg/s/3.avsc"
	mkfifo "$T/reg/compatibility"
	run timeout 20 hub-validate --schemas "$T/reg" --lint
	[ "$status" -eq 1 ]
	grep -qx "$T/reg/s/1.avsc: not a regular file" <<<"$output"
	grep -qx "$T/reg/s/2.avsc: not a regular file" <<<"$output"
	grep -qx "$T/reg/s/3.avsc: larger than 1048576 bytes" <<<"$output"
	grep -qx "$T/reg/compatibility: not a regular file" <<<"$output"
	# and hub-tokenize -s, which reads the same registry, stops on it too
	hub-tokenize --genkey "$T/key" 2>/dev/null
	run timeout 20 hub-tokenize --key-file "$T/key" -s "$T/reg" </dev/null
	[ "$status" -eq 78 ]
	grep -q "3.avsc: larger than 1048576 bytes" <<<"$output"
}
