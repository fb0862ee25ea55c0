#!/usr/bin/env bats
# hub-devbroker: the in-memory development broker and its fault injection.

load helpers

@test "prints its bootstrap address first and records it for the tools" {
	start_devbroker
	[[ "$BROKER" =~ ^127\.0\.0\.1:[0-9]+$ ]]
	[ "$(cat "$HUB_DEVBROKER_FILE")" = "$BROKER" ]
	# a tool with no broker configured finds it
	echo '{"a":1}' | hub-produce -t t1
	[ "$(kcat -C -b "$BROKER" -t t1 -o beginning -e -q)" = '{"a":1}' ]
}

@test "-n starts several brokers" {
	start_devbroker -n 3
	[ "$(kcat -L -b "$BROKER" | grep -c 'broker [0-9]* at')" -eq 3 ]
}

@test "-T creates topics with a partition count; auto-created topics get 4" {
	start_devbroker -T orders:8 -T single:1
	kcat -L -b "$BROKER" -t orders | grep -q '8 partitions'
	kcat -L -b "$BROKER" -t single | grep -q '1 partitions'
	echo x | kcat -P -b "$BROKER" -t fresh
	kcat -L -b "$BROKER" -t fresh | grep -q '4 partitions'
}

@test "a message produced with kcat comes back byte for byte" {
	start_devbroker -T t1:1
	printf 'h\xc3\xa9llo\twörld' | kcat -P -b "$BROKER" -t t1
	[ "$(kcat -C -b "$BROKER" -t t1 -o beginning -e -q -f '%s' | od -An -tx1)" = "$(printf 'h\xc3\xa9llo\twörld' | od -An -tx1)" ]
}

@test "down and up: a broker outage is visible, and over after up" {
	start_devbroker -T t1:1
	broker_ctl down 1
	sleep 0.3
	run timeout 10 kcat -P -b "$BROKER" -t t1 -X message.timeout.ms=1000 <<<"lost"
	[ "$status" -ne 0 ]
	broker_ctl up 1
	sleep 0.3
	echo kept | kcat -P -b "$BROKER" -t t1 -X message.timeout.ms=5000
	[ "$(kcat -C -b "$BROKER" -t t1 -o beginning -e -q)" = kept ]
}

@test "error injects request errors that the client retries" {
	start_devbroker -T t1:1 -v
	broker_ctl error Produce NOT_LEADER_FOR_PARTITION 2
	sleep 0.2
	echo '{"a":1}' | hub-produce -t t1 -v 2>"$T/err"
	[ "$(kcat -C -b "$BROKER" -t t1 -o beginning -e -q)" = '{"a":1}' ]
	grep -q 'ok error' "$T/devbroker.err"
}

@test "bad commands are reported and the broker keeps running" {
	start_devbroker
	broker_ctl frobnicate
	broker_ctl down 99
	sleep 0.3
	grep -q "unknown or malformed command 'frobnicate'" "$T/devbroker.err"
	grep -q "unknown or malformed command 'down'" "$T/devbroker.err"
	kill -0 "$DEVBROKER_PID"
}

@test "create and quit commands" {
	start_devbroker
	broker_ctl create late 6
	sleep 0.2
	kcat -L -b "$BROKER" -t late | grep -q '6 partitions'
	broker_ctl quit
	wait "$DEVBROKER_PID"
	DEVBROKER_PID=
	[ ! -e "$HUB_DEVBROKER_FILE" ]
}

@test "SIGTERM stops it cleanly and removes the record" {
	start_devbroker
	kill -TERM "$DEVBROKER_PID"
	wait "$DEVBROKER_PID"
	DEVBROKER_PID=
	[ ! -e "$HUB_DEVBROKER_FILE" ]
}

@test "a second broker leaves the first one's record alone, and says so; a dead one's record is taken over" {
	start_devbroker
	hub-devbroker >"$T/second.out" 2>"$T/second.err" &
	second=$!
	for _ in $(seq 1 100); do [ -s "$T/second.out" ] && break; sleep 0.1; done
	other=$(head -n1 "$T/second.out")
	[ "$other" != "$BROKER" ]
	[ "$(cat "$HUB_DEVBROKER_FILE")" = "$BROKER" ]
	grep -q "warning: another development broker runs at $BROKER (recorded in $HUB_DEVBROKER_FILE): this one is not recorded.*give -b $other" "$T/second.err"
	kill -TERM "$second"
	wait "$second" || true
	# the first one's record is still there, and still its own
	[ "$(cat "$HUB_DEVBROKER_FILE")" = "$BROKER" ]
	# a record left by a broker that died: the next one takes it over
	echo 127.0.0.1:1 >"$HUB_DEVBROKER_FILE"
	hub-devbroker >"$T/third.out" 2>"$T/third.err" &
	third=$!
	for _ in $(seq 1 100); do [ -s "$T/third.out" ] && break; sleep 0.1; done
	sleep 0.2
	[ "$(cat "$HUB_DEVBROKER_FILE")" = "$(head -n1 "$T/third.out")" ]
	kill -TERM "$third"
	wait "$third" || true
}

@test "usage errors exit 64; --help and --version exit 0" {
	run hub-devbroker --bogus
	[ "$status" -eq 64 ]
	run hub-devbroker -n 0
	[ "$status" -eq 64 ]
	[[ "$output" == *"-n '0'"* ]]
	run hub-devbroker -T :3 --no-record
	[ "$status" -eq 64 ]
	run hub-devbroker --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: hub-devbroker"* ]]
	run hub-devbroker --version
	[[ "$output" == hub-devbroker* ]]
}
