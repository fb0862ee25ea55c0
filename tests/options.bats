#!/usr/bin/env bats
# Every tool's --help and its man page name the same options: each option
# --help shows is in the man page's OPTIONS (a tagged paragraph of its
# own), and each option the man page describes is in --help. --help is
# printed from the tool's option table (lib/core/options.c), the same one
# getopt_long reads, so this also holds the man page to what is accepted.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."

# the options in --help's left column (also the lines that list several)
help_options() {
	"$1" --help | grep -E '^  -|^      --' | sed -E 's/^ +//; s/ {2,}.*//' |
		grep -oE -- '(^|[ ,])(-[a-zA-Z]|--[a-z][a-z-]+)' | tr -d ' ,' | sort -u
}

# the options in the man page's tagged paragraphs: the line after each .TP
man_options() {
	awk '/^\.TP/ { getline; print }' "$1" | sed -E 's/\\-/-/g; s/\\f[RBIP]//g; s/^\.[A-Z]+ //' |
		grep -oE -- '(^|[ ,"])(-[a-zA-Z]|--[a-z][a-z-]+)' | tr -d ' ,"' | sort -u
}

@test "every option in --help is in the man page, and every option in the man page is in --help" {
	bad=0
	for tool in "$HUB_BIN"/hub-*; do
		name=$(basename "$tool")
		page="$ROOT/man/$name.1"
		help_options "$tool" >"$T/help"
		man_options "$page" >"$T/man"
		[ -s "$T/help" ] && [ -s "$T/man" ]
		only_help=$(comm -23 "$T/help" "$T/man" | tr '\n' ' ')
		only_man=$(comm -13 "$T/help" "$T/man" | tr '\n' ' ')
		[ -z "$only_help" ] || { echo "$name: in --help, not in $name(1): $only_help"; bad=1; }
		[ -z "$only_man" ] || { echo "$name: in $name(1), not in --help: $only_man"; bad=1; }
	done
	[ "$bad" -eq 0 ]
}

@test "hub-consume(1) gives the default -o the tool uses: beginning (with -G, the committed offset)" {
	text=$(MANWIDTH=200 man -l "$ROOT/man/hub-consume.1" 2>/dev/null | sed 's/.\x08//g' | tr -s ' \n' ' ')
	! grep -qi 'the default is end' <<<"$text"
	start_devbroker -T t:1
	printf '%s\n' '{"n":1}' '{"n":2}' | hub-produce -t t
	# without -o: the history, from the beginning
	[ "$(hub-consume -t t -e | wc -l)" -eq 2 ]
}

@test "each long option --help shows is one getopt_long accepts" {
	for tool in "$HUB_BIN"/hub-*; do
		for opt in $(help_options "$tool" | grep -E -- '^--'); do
			timeout 10 "$tool" "$opt=1" -h </dev/null >/dev/null 2>"$T/err" || true
			! grep -q 'unrecognized option' "$T/err" || { echo "$(basename "$tool") $opt: $(cat "$T/err")"; false; }
		done
	done
}
