#!/usr/bin/env bats
# One failure-record shape for every tool: tests/data/failures.test gives
# each kind of line that is no event and the record every tool must write.

load helpers

# hub-tokenize last: its record is compared with the others'
TOOLS="hub-validate hub-dedup hub-archive hub-produce hub-deliver hub-tokenize"

# expand LINE: the case's input line, with {{c*N}} spelled out.
expand() {
	local s=$1 c n
	while [[ "$s" =~ \{\{(.)\*([0-9]+)\}\} ]]; do
		c=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
		s=${s/"${BASH_REMATCH[0]}"/$(printf "%${n}s" '' | tr ' ' "$c")}
	done
	printf '%b\n' "$s"
}

# record OPTIONS LINE: for each tool, the record it writes; one line when
# all agree, else one line per tool that differs from hub-validate's.
record() {
	local opts=$1 tool first="" out=""
	expand "$2" >"$T/in"
	for tool in $TOOLS; do
		rm -f "$T/dlq"
		case "$tool" in
		hub-validate) hub-validate --schemas "$BATS_TEST_DIRNAME/../schemas" $opts --dlq "$T/dlq" <"$T/in" >/dev/null 2>&1 ;;
		hub-tokenize) hub-tokenize --key-file "$KEY" -f data.x $opts --dlq "$T/dlq" <"$T/in" >/dev/null 2>&1 ;;
		hub-dedup) hub-dedup $opts --dlq "$T/dlq" <"$T/in" >/dev/null 2>&1 ;;
		hub-archive) rm -rf "$T/a"; hub-archive -d "$T/a" $opts --dlq "$T/dlq" <"$T/in" >/dev/null 2>&1 ;;
		hub-produce) hub-produce -b "$BROKER" -t t $opts --dlq "$T/dlq" <"$T/in" >/dev/null 2>&1 ;;
		hub-deliver) hub-deliver --format json --retries 0 $opts --dlq "$T/dlq" http://127.0.0.1:9/ <"$T/in" >/dev/null 2>&1 ;;
		esac
		if [ "$(wc -l <"$T/dlq" 2>/dev/null)" != 1 ]; then
			out="$out$tool: $(wc -l <"$T/dlq" 2>/dev/null || echo no) records"$'\n'
			continue
		fi
		local r
		if [ "$tool" = hub-tokenize ]; then
			# stored sealed whatever the line was: the event is a token, the rest the same
			r=$(jq -c 'if .sealed == "line" then {line, reason, bytes, truncated} else "not sealed" end' "$T/dlq")
			[ "$r" = "$(jq -c '{line, reason, bytes, truncated}' <<<"$first")" ] || out="$out$tool: $r"$'\n'
			continue
		fi
		r=$(jq -c '{line, reason, bytes, truncated, event: (.event | type)}' "$T/dlq")
		[ -n "$first" ] || first=$r
		[ "$r" = "$first" ] || out="$out$tool: $r"$'\n'
	done
	printf '%s\n' "$first"
	[ -z "$out" ] || printf '%s' "$out"
}

@test "tests/data/failures.test: every tool writes the same record for each kind of line that is no event" {
	KEY="$T/key"
	hub-tokenize --genkey "$KEY" 2>/dev/null
	start_devbroker
	run_cases "$BATS_TEST_DIRNAME/data/failures.test" record 11
}

@test "a record torn by a killed writer is ended before the next is appended: every later record is whole" {
	printf '%s' '{"time":"2026-03-01T08:00:00Z","tool":"hub-dedup","reason":"no k' >"$T/dlq"
	chmod 600 "$T/dlq"
	printf '%s\n' '[1]' '{"broken":' | hub-dedup --dlq "$T/dlq" >/dev/null 2>&1 || true
	[ "$(wc -l <"$T/dlq")" -eq 3 ]
	# the torn line stays as it was, on a line of its own; the new records parse
	[ "$(head -1 "$T/dlq")" = '{"time":"2026-03-01T08:00:00Z","tool":"hub-dedup","reason":"no k' ]
	tail -n +2 "$T/dlq" | jq -e -s 'length == 2 and .[0].line == 1 and .[1].line == 2'
}

@test "a failure store that others can read, or that is a symbolic link, is used and said" {
	touch "$T/dlq" && chmod 644 "$T/dlq"
	run hub-dedup --dlq "$T/dlq" <<<'[1]'
	[ "$status" -eq 1 ]
	grep -q "failure store $T/dlq is readable by others (mode 0644).*chmod 600 $T/dlq" <<<"$output"
	[ "$(wc -l <"$T/dlq")" -eq 1 ]
	ln -s "$T/dlq" "$T/link"
	run hub-dedup --dlq "$T/link" <<<'[1]'
	grep -q "failure store $T/link is a symbolic link" <<<"$output"
	[ "$(wc -l <"$T/dlq")" -eq 2 ]
	# a store of the tool's own making is 0600, and nothing is said
	run hub-dedup --dlq "$T/new" <<<'[1]'
	[ "$(stat -c %a "$T/new")" = 600 ]
	! grep -q "readable by others" <<<"$output"
}
