#!/usr/bin/env bats
# hub-produce --transactional-id on a real cluster (the dev broker writes no
# transaction markers): a committed input is seen whole by read_committed
# consumers, an input aborted by SIGINT not at all, though it was written.

load helpers

setup_file() {
	kafka_setup_file
	topics "$RUN.tx:3:3" "$RUN.txabort:3:3"
}

teardown_file() { kafka_teardown_file; }

@test "--transactional-id: the committed input is seen by a read_committed consumer, whole" {
	"$GEN" 1000 --seed 41 >"$T/in"
	run hub-produce -b "$KB" -t "$RUN.tx" -k subject --transactional-id "hub-$RUN-commit" --stats <"$T/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"in":1000,"out":1000,"failed":0'* ]]
	# the commit markers reach the partitions just after the commit returns
	wait_until 30 committed "$RUN.tx" 1000
	cmp <(sort "$T/in") <(sort "$T/out")
	[ ! -e "$T/dlq" ]
}

# committed TOPIC N: a read_committed consumer reads N messages to $T/out.
committed() {
	hub-consume -b "$KB" -t "$1" -e -X isolation.level=read_committed >"$T/out"
	[ "$(count_lines "$T/out")" -ge "$2" ]
}

# written N: at least N messages are in the topic, committed or not.
written() {
	[ "$(kcat -C -b "$KB" -t "$RUN.txabort" -o beginning -e -q -X isolation.level=read_uncommitted | wc -l)" -ge "$1" ]
}

@test "--transactional-id: input aborted by SIGINT is not seen by a read_committed consumer" {
	"$GEN" 500 --seed 42 >"$T/in"
	mkfifo "$T/feed"
	hub-produce -b "$KB" -t "$RUN.txabort" -k subject --transactional-id "hub-$RUN-abort" <"$T/feed" 2>"$T/err" &
	pid=$!
	exec 5>"$T/feed"
	cat "$T/in" >&5
	# the events are in the log, in an open transaction
	wait_until 60 written 500
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	exec 5>&-
	[ "$status" -eq 1 ]
	[ "$(count_lines "$T/dlq")" -eq 500 ]
	[ "$(jq -r .reason "$T/dlq" | grep -c "^transaction aborted")" -eq 500 ]
	[ "$(jq -r .event.id "$T/dlq" | sort)" = "$(jq -r .id "$T/in" | sort)" ]
	# a committed transaction after it on each partition: once a
	# read_committed consumer sees those, it has read past the aborted one
	"$GEN" 3 --seed 43 >"$T/after"
	for p in 0 1 2; do
		sed -n "$((p + 1))p" "$T/after" | hub-produce -b "$KB" -t "$RUN.txabort" -p "$p" --transactional-id "hub-$RUN-after"
	done
	wait_until 30 committed "$RUN.txabort" 3
	cmp <(sort "$T/after") <(sort "$T/out")
	# they were written all the same: the abort marker is what hides them
	[ "$(kcat -C -b "$KB" -t "$RUN.txabort" -o beginning -e -q -X isolation.level=read_uncommitted | wc -l)" -eq 503 ]
}
