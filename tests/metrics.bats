#!/usr/bin/env bats
# --metrics FILE, --name and systemd's notify protocol (lib/core/metrics.c),
# the same in every long-running tool. Each counter is held to the tool's
# --stats line and to the failure store's records; the files are read by
# prometheus-client's own text parser (from the package index, in the
# virtual environment tests/registry-clients.bats keeps in the user's cache
# directory), and the notifications by a socket the test listens on.

load helpers

VENV="${XDG_CACHE_HOME:-$HOME/.cache}/hub/venv"
GROUPX=(-X session.timeout.ms=3000 -X heartbeat.interval.ms=300)
PARSE="$BATS_TEST_DIRNAME/data/metrics-parse.py"
LISTEN="$BATS_TEST_DIRNAME/data/notify-listen.py"

setup_file() {
	export VENV_PROBLEM="$BATS_FILE_TMPDIR/venv-problem"
	"$VENV/bin/python" -c 'import prometheus_client' 2>/dev/null && return 0
	mkdir -p "$(dirname "$VENV")"
	if [ ! -x "$VENV/bin/pip" ] && ! $PY -m venv "$VENV" >"$BATS_FILE_TMPDIR/venv.log" 2>&1; then
		echo "python3 -m venv failed (python3-venv installed?): $(tail -1 "$BATS_FILE_TMPDIR/venv.log")" >"$VENV_PROBLEM"
		return 0
	fi
	if ! timeout 300 "$VENV/bin/pip" install -q prometheus-client >>"$BATS_FILE_TMPDIR/venv.log" 2>&1; then
		echo "pip could not install prometheus-client (no package index reachable?): $(tail -1 "$BATS_FILE_TMPDIR/venv.log")" >"$VENV_PROBLEM"
	fi
}

# parsed FILE: the samples as metrics-parse.py prints them (it fails on a
# file the textfile collector would refuse)
parsed() {
	[ ! -s "$VENV_PROBLEM" ] || skip "$(cat "$VENV_PROBLEM")"
	"$VENV/bin/python" "$PARSE" "$1"
}

# sample FILE NAME [LABELS]: the value of one series (labels sorted, as parsed prints them)
sample() {
	parsed "$1" | awk -v k="$2{$3}" '$1 == k { print $2 }'
}

# stats_member FILE MEMBER: a member of the --stats line in FILE
stats_member() {
	grep '^{"tool"' "$1" | tail -1 | jq -r ".$2"
}

@test "hub-dedup: the counters are the --stats line's and the failure store's, every series labelled, no timestamps" {
	printf '%s\n' '{"id":"1","source":"s"}' '{"id":"1","source":"s"}' '{"id":"2","source":"s"' '[1]' \
		'{"id":"3","source":"s"}' '{"id":"3","source":"s"}' '"x"' >"$T/in"
	st=0
	before=$(date +%s)
	hub-dedup --dlq "$T/dlq" --metrics "$T/m.prom" --name orders-dedup --stats <"$T/in" 2>"$T/err" >"$T/out" || st=$?
	after=$(date +%s)
	[ "$st" -eq 1 ]
	parsed "$T/m.prom" >"$T/samples"
	L='name=orders-dedup,tool=hub-dedup'
	[ "$(sample "$T/m.prom" hub_events_in_total "$L")" -eq "$(stats_member "$T/err" in)" ]
	[ "$(sample "$T/m.prom" hub_events_in_total "$L")" -eq 7 ]
	[ "$(sample "$T/m.prom" hub_events_out_total "$L")" -eq "$(stats_member "$T/err" out)" ]
	[ "$(sample "$T/m.prom" hub_events_failed_total "$L")" -eq "$(stats_member "$T/err" failed)" ]
	[ "$(sample "$T/m.prom" hub_duplicates_dropped_total "$L")" -eq "$(stats_member "$T/err" dropped)" ]
	[ "$(sample "$T/m.prom" hub_duplicates_dropped_total "$L")" -eq 2 ]
	# the failure store's records, by class: one invalid JSON, two that are no object
	[ "$(wc -l <"$T/dlq")" -eq 3 ]
	[ "$(sample "$T/m.prom" hub_failures_stored_total "class=invalid_json,$L")" -eq 1 ]
	[ "$(sample "$T/m.prom" hub_failures_stored_total "class=not_an_event,$L")" -eq 2 ]
	# explicit zeros for the other classes
	[ "$(sample "$T/m.prom" hub_failures_stored_total "class=delivery,$L")" = 0 ]
	[ "$(grep -c '^hub_failures_stored_total' "$T/samples")" -eq 7 ]
	# bytes: what was read, what was written
	[ "$(sample "$T/m.prom" hub_bytes_in_total "$L")" -eq "$(wc -c <"$T/in")" ]
	[ "$(sample "$T/m.prom" hub_bytes_out_total "$L")" -eq "$(wc -c <"$T/out")" ]
	# the last event: during the run, to the second
	last=$(sample "$T/m.prom" hub_last_event_timestamp_seconds "$L")
	[ "$last" -ge "$before" ] && [ "$last" -le "$after" ]
	# every series carries the name; no temporary file is left beside it
	! grep -v "$L" "$T/samples"
	[ "$(ls "$T" | grep -c 'm\.prom')" -eq 1 ]
	# HELP and TYPE for every family, as the file shows them
	grep -q '^# TYPE hub_events_in_total counter$' "$T/m.prom"
	grep -q '^# TYPE hub_last_event_timestamp_seconds gauge$' "$T/m.prom"
}

@test "--name defaults to the tool's name; a run without failures has every counter at zero but in and out" {
	printf '%s\n' '{"id":"1","source":"s"}' | hub-validate --dlq "$T/dlq" --metrics "$T/m.prom" --stats >/dev/null 2>"$T/err" || true
	L='name=hub-validate,tool=hub-validate'
	[ "$(sample "$T/m.prom" hub_events_in_total "$L")" -eq 1 ]
	[ "$(sample "$T/m.prom" hub_events_failed_total "$L")" -eq "$(stats_member "$T/err" failed)" ]
	stored=$(parsed "$T/m.prom" | awk '/^hub_failures_stored_total/ { n += $2 } END { print n }')
	[ "$stored" -eq "$( [ -f "$T/dlq" ] && wc -l <"$T/dlq" || echo 0)" ]
}

@test "hub-validate: schema violations are counted as class schema, one for each record of the store" {
	printf '%s\n' '{"specversion":"1.0","id":"1","source":"s","type":"t"}' \
		'{"specversion":"1.0","id":2,"source":"s","type":"t"}' \
		'{"specversion":"1.0","id":"3","type":"t"}' '{"id":' >"$T/in"
	hub-validate --dlq "$T/dlq" --metrics "$T/m.prom" --stats <"$T/in" 2>"$T/err" >/dev/null || true
	L='name=hub-validate,tool=hub-validate'
	[ "$(sample "$T/m.prom" hub_events_failed_total "$L")" -eq "$(stats_member "$T/err" failed)" ]
	[ "$(sample "$T/m.prom" hub_events_failed_total "$L")" -eq "$(wc -l <"$T/dlq")" ]
	[ "$(sample "$T/m.prom" hub_failures_stored_total "class=invalid_json,$L")" -eq \
		"$(jq -r .reason "$T/dlq" | grep -c '^invalid JSON')" ]
	[ "$(sample "$T/m.prom" hub_failures_stored_total "class=other,$L")" -eq 0 ]
	# an unknown type (no schema for it), a number for id, no source
	[ "$(sample "$T/m.prom" hub_failures_stored_total "class=schema,$L")" -eq 3 ]
	stored=$(parsed "$T/m.prom" | awk '/^hub_failures_stored_total/ { n += $2 } END { print n }')
	[ "$stored" -eq "$(wc -l <"$T/dlq")" ]
}

@test "hub-produce and hub-consume: in, out and bytes as --stats and the topic say" {
	start_devbroker -T t:2
	"$GEN" -s 7 50 >"$T/in"
	printf '%s\n' 'not json' >>"$T/in"
	st=0
	hub-produce -t t --dlq "$T/dlq" --metrics "$T/p.prom" --name orders-in --stats <"$T/in" 2>"$T/perr" || st=$?
	[ "$st" -eq 1 ]
	L='name=orders-in,tool=hub-produce'
	[ "$(sample "$T/p.prom" hub_events_in_total "$L")" -eq 51 ]
	[ "$(sample "$T/p.prom" hub_events_out_total "$L")" -eq "$(stats_member "$T/perr" out)" ]
	[ "$(sample "$T/p.prom" hub_events_failed_total "$L")" -eq "$(stats_member "$T/perr" failed)" ]
	[ "$(sample "$T/p.prom" hub_failures_stored_total "class=invalid_json,$L")" -eq 1 ]
	[ "$(sample "$T/p.prom" hub_bytes_in_total "$L")" -eq "$(wc -c <"$T/in")" ]
	[ "$(sample "$T/p.prom" hub_bytes_out_total "$L")" -eq $(($(head -50 "$T/in" | wc -c) - 50)) ]
	hub-consume -t t -e --metrics "$T/c.prom" --name orders-out --stats >"$T/out" 2>"$T/cerr"
	L='name=orders-out,tool=hub-consume'
	[ "$(sample "$T/c.prom" hub_events_in_total "$L")" -eq 50 ]
	[ "$(sample "$T/c.prom" hub_events_out_total "$L")" -eq "$(stats_member "$T/cerr" out)" ]
	[ "$(sample "$T/c.prom" hub_bytes_out_total "$L")" -eq "$(wc -c <"$T/out")" ]
	[ "$(sample "$T/c.prom" hub_bytes_in_total "$L")" -eq $(($(wc -c <"$T/out") - 50)) ]
	# no group: no lag series
	! grep -q kafka_consumergroup_lag "$T/c.prom"
}

@test "hub-consume -G: kafka_consumergroup_lag per topic and partition, down to 0 once all is read" {
	start_devbroker -T t:2
	"$GEN" -s 3 20 | hub-produce -t t -p 0
	"$GEN" -s 4 20 | hub-produce -t t -p 1
	hub-consume -G lagged -t t --metrics "$T/m.prom" --metrics-interval 1s -X statistics.interval.ms=500 \
		>"$T/out" 2>"$T/err" &
	pid=$!
	lag() { sample "$T/m.prom" kafka_consumergroup_lag "consumergroup=lagged,name=hub-consume,partition=$1,tool=hub-consume,topic=t" 2>/dev/null; }
	zero() { [ "$(lag 0)" = 0 ] && [ "$(lag 1)" = 0 ]; }
	wait_until 30 zero || { kill "$pid"; cat "$T/m.prom" "$T/err"; false; }
	[ "$(wc -l <"$T/out")" -eq 40 ]
	kill -TERM "$pid"
	wait "$pid"
	# the last file has the run's counts
	[ "$(sample "$T/m.prom" hub_events_out_total name=hub-consume,tool=hub-consume)" -eq 40 ]
}

@test "hub-consume -G: the lag is the messages past the group's committed offset, while the reader holds them" {
	start_devbroker -T t:1
	"$GEN" -s 2 40 | hub-produce -t t
	# 10 read and committed
	hub-consume -G held -t t -c 10 "${GROUPX[@]}" >/dev/null
	# the other 30 go into a pipe nobody reads: written, not taken, so not committed
	mkfifo "$T/fifo"
	sleep 60 <"$T/fifo" &
	reader=$!
	hub-consume -G held -t t --metrics "$T/m.prom" --metrics-interval 1s -X statistics.interval.ms=500 \
		"${GROUPX[@]}" >"$T/fifo" 2>"$T/err" &
	pid=$!
	lag() { sample "$T/m.prom" kafka_consumergroup_lag "consumergroup=held,name=hub-consume,partition=0,tool=hub-consume,topic=t" 2>/dev/null; }
	thirty() { [ "$(lag)" = 30 ]; }
	wait_until 30 thirty || { kill "$pid" "$reader"; cat "$T/m.prom" "$T/err"; false; }
	kill -TERM "$pid"
	kill "$reader"
	wait "$pid" || true
}

@test "hub-archive: in, out, failed and fsyncs as its --stats line" {
	"$GEN" -s 5 30 >"$T/in"
	echo '{"broken' >>"$T/in"
	st=0
	hub-archive -d "$T/a" --dlq "$T/dlq" --metrics "$T/m.prom" --stats <"$T/in" 2>"$T/err" || st=$?
	[ "$st" -eq 1 ]
	L='name=hub-archive,tool=hub-archive'
	for m in in out failed; do
		[ "$(sample "$T/m.prom" "hub_events_${m}_total" "$L")" -eq "$(stats_member "$T/err" "$m")" ]
	done
	[ "$(sample "$T/m.prom" hub_events_in_total "$L")" -eq 31 ]
	[ "$(sample "$T/m.prom" hub_events_out_total "$L")" -eq 30 ]
	[ "$(sample "$T/m.prom" hub_fsyncs_total "$L")" -eq "$(stats_member "$T/err" fsyncs)" ]
	[ "$(sample "$T/m.prom" hub_fsyncs_total "$L")" -ge 1 ]
	[ "$(sample "$T/m.prom" hub_repeats_dropped_total "$L")" -eq "$(stats_member "$T/err" repeats)" ]
}

@test "the file is rewritten while the tool waits for input, by rename, and a last time at exit" {
	mkfifo "$T/fifo"
	hub-dedup --dlq "$T/dlq" --metrics "$T/m.prom" --metrics-interval 200ms <"$T/fifo" >"$T/out" 2>"$T/err" &
	pid=$!
	exec 5>"$T/fifo"
	echo '{"id":"1","source":"s"}' >&5
	one() { [ "$(sample "$T/m.prom" hub_events_in_total name=hub-dedup,tool=hub-dedup 2>/dev/null)" = 1 ]; }
	wait_until 10 one
	# idle: still rewritten (a new inode each time: renamed into place)
	ino=$(stat -c %i "$T/m.prom")
	changed() { [ "$(stat -c %i "$T/m.prom")" != "$ino" ]; }
	wait_until 5 changed
	echo '{"id":"2","source":"s"}' >&5
	exec 5>&-
	wait "$pid"
	[ "$(sample "$T/m.prom" hub_events_in_total name=hub-dedup,tool=hub-dedup)" -eq 2 ]
	[ "$(ls "$T" | grep -c 'm\.prom')" -eq 1 ]
}

@test "a metrics file that cannot be written is one warning; the events pass and the status is unchanged" {
	"$GEN" -s 1 20 >"$T/in"
	run bash -c "hub-dedup --dlq '$T/dlq' --metrics '$T/no/such/dir/m.prom' --metrics-interval 100ms <'$T/in' 2>'$T/err' >'$T/out'"
	[ "$status" -eq 0 ]
	cmp "$T/in" "$T/out"
	[ "$(grep -c 'warning: --metrics' "$T/err")" -eq 1 ]
	grep -q "no/such/dir/m.prom: cannot write it" "$T/err"
	# a slow input, so the file is tried several times: still one warning
	run bash -c "(cat '$T/in'; sleep 0.6) | hub-dedup --dlq '$T/dlq2' --metrics '$T/no/m.prom' --metrics-interval 100ms 2>'$T/err2' >/dev/null"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'warning: --metrics' "$T/err2")" -eq 1 ]
}

@test "bad --metrics-interval and --name are usage errors (64)" {
	run hub-dedup --metrics-interval 0 </dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"--metrics-interval"* ]]
	run hub-produce --name '' -t t </dev/null
	[ "$status" -eq 64 ]
	run hub-archive -d "$T/a" --metrics-interval soon </dev/null
	[ "$status" -eq 64 ]
}

@test "notify: READY=1 once the input is open, STATUS= with the counts, WATCHDOG=1 at half WATCHDOG_USEC, STOPPING=1 last" {
	$PY "$LISTEN" "@hub-test-notify-$$-$BATS_TEST_NUMBER" 15 >"$T/notes" &
	lpid=$!
	sleep 0.3
	(printf '%s\n' '{"id":"1","source":"s"}' '{"id":"2","source":"s"}'; sleep 1.2) |
		NOTIFY_SOCKET="@hub-test-notify-$$-$BATS_TEST_NUMBER" WATCHDOG_USEC=400000 \
		hub-dedup --dlq "$T/dlq" --name billing --metrics-interval 300ms >/dev/null
	wait "$lpid"
	cat "$T/notes"
	# READY=1 once, before any event was counted
	[ "$(grep -c '^READY=1$' "$T/notes")" -eq 1 ]
	[ "$(grep -n '^READY=1$' "$T/notes" | cut -d: -f1)" -lt "$(grep -n '^STATUS=.*: [1-9]' "$T/notes" | head -1 | cut -d: -f1)" ]
	[ "$(tail -1 "$T/notes")" = STOPPING=1 ]
	[ "$(grep -c '^READY=1$' "$T/notes")" -eq 1 ]
	grep -qx 'STATUS=billing: 2 in, 2 out, 0 failed' "$T/notes"
	# 1.2 s of 200 ms watchdog intervals
	[ "$(grep -c '^WATCHDOG=1$' "$T/notes")" -ge 4 ]
}

@test "notify: a socket path; no WATCHDOG=1 for another process's WATCHDOG_PID; hub-consume -G is ready once assigned" {
	start_devbroker -T t:1
	echo '{"n":1}' | hub-produce -t t
	$PY "$LISTEN" "$T/notify.sock" 20 >"$T/notes" &
	lpid=$!
	wait_until 5 test -S "$T/notify.sock"
	NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=200000 WATCHDOG_PID=1 \
		hub-consume -G ready -t t -c 1 -X session.timeout.ms=3000 >"$T/out" 2>"$T/err"
	wait "$lpid"
	cat "$T/notes"
	# READY=1 once, before any event was counted
	[ "$(grep -c '^READY=1$' "$T/notes")" -eq 1 ]
	[ "$(grep -n '^READY=1$' "$T/notes" | cut -d: -f1)" -lt "$(grep -n '^STATUS=.*: [1-9]' "$T/notes" | head -1 | cut -d: -f1)" ]
	[ "$(tail -1 "$T/notes")" = STOPPING=1 ]
	! grep -q WATCHDOG "$T/notes"
	grep -qx 'STATUS=hub-consume: 1 in, 1 out, 0 failed' "$T/notes"
	# the consumer said it was assigned before it said it was ready: no READY before the group's answer
	[ "$(wc -l <"$T/out")" -eq 1 ]
}

@test "without NOTIFY_SOCKET or --metrics nothing runs: no thread, no file" {
	printf '%s\n' '{"id":"1","source":"s"}' | hub-dedup --dlq "$T/dlq" >"$T/out"
	[ "$(ls "$T" | grep -c prom)" -eq 0 ]
	[ "$(wc -l <"$T/out")" -eq 1 ]
}

@test "notify: hub-registry serve and hub-archive serve are READY=1 once they listen, STOPPING=1 on SIGTERM" {
	for tool in registry archive; do
		sock="$T/$tool.sock"
		$PY "$LISTEN" "$sock" 20 >"$T/$tool.notes" &
		lpid=$!
		wait_until 5 test -S "$sock"
		if [ "$tool" = registry ]; then
			NOTIFY_SOCKET="$sock" hub-registry serve -d "$BATS_TEST_DIRNAME/../schemas" -l 127.0.0.1:0 \
				>"$T/$tool.out" 2>"$T/$tool.err" &
		else
			mkdir -p "$T/a"
			NOTIFY_SOCKET="$sock" hub-archive -d "$T/a" serve -l 127.0.0.1:0 >"$T/$tool.out" 2>"$T/$tool.err" &
		fi
		pid=$!
		ready() { grep -qx READY=1 "$T/$tool.notes"; }
		wait_until 10 ready
		# ready means listening: the address is out, and it answers
		curl -fsS -o /dev/null "$(head -1 "$T/$tool.out")/" || curl -sS -o /dev/null "$(head -1 "$T/$tool.out")/healthz"
		kill -TERM "$pid"
		wait "$pid"
		wait "$lpid"
		cat "$T/$tool.notes"
		grep -qx "STATUS=hub-$tool: serving" "$T/$tool.notes"
		[ "$(tail -1 "$T/$tool.notes")" = STOPPING=1 ]
	done
}
