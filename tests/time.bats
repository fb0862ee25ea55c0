#!/usr/bin/env bats
# One grammar for times and durations on every command line:
# tests/data/time.test pins every form against every option, through the
# library (tests/helper/time.c) and through the tools themselves.

load helpers

CASES="$BATS_TEST_DIRNAME/data/time.test"
DRIVER="$HUB_BIN/../tests/helper/time"

# time_case OPTION VALUE<TAB>WANT...: what the library takes each value as.
time_case() {
	local opt=$1
	shift
	printf '%s\n' "$@" | cut -f1 | sed "s/^/$opt\t/" | "$DRIVER" | cut -f2,3
}

# cases: every (option, value, want) of the file, a line each.
cases() {
	awk -F '\t' '/^#/ || /^$/ { opt = ""; next } opt == "" { opt = $0; next } { print opt "\t" $0 }' "$CASES"
}

@test "tests/data/time.test: every form against every option, as the library reads it" {
	run_cases "$CASES" time_case 8 1
	[ "$(cases | wc -l)" -gt 150 ]
}

# run_option OPTION VALUE: the tool that owns OPTION, run with VALUE on
# nothing, so that only the option's reading decides the exit status.
run_option() {
	mkdir -p "$T/a"
	case "$1" in
	--window) run hub-dedup --window "$2" </dev/null ;;
	--older-than) run hub-archive -d "$T/a" prune --older-than "$2" --dry-run ;;
	--grace) run hub-archive -d "$T/a" --grace "$2" </dev/null ;;
	--fsync-interval) run hub-archive -d "$T/a" --fsync interval --fsync-interval "$2" </dev/null ;;
	--since | --until) run hub-archive -d "$T/a" find "$1" "$2" ;;
	-m) run hub-consume -b 127.0.0.1:1 -t t -e -m "$2" ;;
	"-o s@") run hub-consume -b 127.0.0.1:1 -t t -e -m 1 -o "s@$2" ;;
	*) echo "no tool for $1"; return 1 ;;
	esac
}

@test "every option of time.test reads its values the same way in its tool: errors exit 64 and say why" {
	n=0
	while IFS=$'\t' read -r opt value want; do
		# a good value would make hub-consume wait for its broker: its errors only
		case "$opt" in -m | "-o s@") [ "$want" = error ] || continue ;; esac
		run_option "$opt" "$value"
		if [ "$want" = error ]; then
			[ "$status" -eq 64 ] || { echo "$opt '$value': status $status, want 64: $output"; false; }
			grep -qF -- "'${opt#-o }$value'" <<<"$output" || grep -qF -- "'$value'" <<<"$output" ||
				{ echo "$opt '$value': the message does not quote the value: $output"; false; }
		else
			[ "$status" -ne 64 ] || { echo "$opt '$value' refused: $output"; false; }
		fi
		n=$((n + 1))
	done < <(cases)
	[ "$n" -gt 120 ]
}

@test "hub-dedup --window and hub-archive prune --older-than take the same durations (1h30m, 2w)" {
	mkdir -p "$T/a"
	for d in 1h30m 2w 90m 1d12h; do
		run hub-dedup --window "$d" </dev/null
		[ "$status" -eq 0 ]
		run hub-archive -d "$T/a" prune --older-than "$d" --dry-run
		[ "$status" -eq 0 ]
	done
}

@test "the error names the grammar: examples, and what a plain number means for that option" {
	run hub-archive -d "$T" prune --older-than 90
	[ "$status" -eq 64 ]
	grep -q "expected a duration such as 90s, 15m, 24h, 7d, 2w or 1h30m (a plain number needs a unit)" <<<"$output"
	run hub-dedup --window 1y
	[ "$status" -eq 64 ]
	grep -q "a plain number counts in seconds" <<<"$output"
	run hub-archive -d "$T" --grace 30m </dev/null
	[ "$status" -eq 64 ]
	grep -q "in whole hours" <<<"$output"
}
