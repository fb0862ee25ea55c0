# helpers.bash: shared set-up for the bats suite (load it with `load helpers`).
#
# Every test gets its own temporary directory ($T) and, when it asks for
# one, its own development broker (start_devbroker), so tests never share
# Kafka state. The tools come from $HUB_BIN (make test sets it).

: "${HUB_BIN:=$BATS_TEST_DIRNAME/../build/bin}"
export PATH="$HUB_BIN:$PATH"
# The events come from the project's own generator; the conformance suites
# from the shared/ folder beside the project, when there is one (CI has it).
GEN="$HUB_BIN/hub-gen-events"
# events reordered as a consumer of many partitions delivers them (tests/helper/interleave.c)
INTERLEAVE="$HUB_BIN/../tests/helper/interleave"
SHARED="$BATS_TEST_DIRNAME/../../shared"
JSONSUITE="$SHARED/peers/JSONTestSuite/test_parsing"
CEPEERS="$SHARED/peers/cloudevents"
# Debian's python3 (python3-avro and friends live there, not in pyenv).
PY=/usr/bin/python3

# Under the sanitizers, leaks are reported at exit and fail the tool.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}"

# memlimit KB: a shell prefix that caps the address space of what follows
# ("ulimit -v KB;"), nothing under the sanitizers, whose shadow memory
# reserves terabytes of address space (ASan refuses huge allocations itself).
memlimit() {
	[ -n "${HUB_SANITIZE:-}" ] || printf 'ulimit -v %s; ' "$1"
}

common_setup() {
	T="$BATS_TEST_TMPDIR"
	# No config file or broker from the machine leaks into a test.
	export XDG_CONFIG_HOME="$T/config"
	export XDG_STATE_HOME="$T/state"   # the default failure store, too
	export HUB_DEVBROKER_FILE="$T/devbroker.addr"
	export HUB_CONFIG=/dev/null
	unset HUB_BROKERS
}

setup() {
	common_setup
}

teardown() {
	stop_devbroker
	stop_registry
}

# start_devbroker [ARGS...]: starts hub-devbroker in the background, with a
# control FIFO at $T/ctl, and sets BROKER to its bootstrap address.
start_devbroker() {
	mkfifo "$T/ctl"
	hub-devbroker --control "$T/ctl" "$@" >"$T/devbroker.out" 2>"$T/devbroker.err" &
	DEVBROKER_PID=$!
	for _ in $(seq 1 100); do
		if [ -s "$T/devbroker.out" ]; then
			BROKER=$(head -n1 "$T/devbroker.out")
			export BROKER
			return 0
		fi
		sleep 0.05
	done
	echo "hub-devbroker did not start:" >&2
	cat "$T/devbroker.err" >&2
	return 1
}

# broker_ctl COMMAND...: sends one command to the running dev broker.
broker_ctl() {
	echo "$*" >"$T/ctl"
}

stop_devbroker() {
	if [ -n "${DEVBROKER_PID:-}" ]; then
		kill -TERM "$DEVBROKER_PID" 2>/dev/null || true
		wait "$DEVBROKER_PID" 2>/dev/null || true
		DEVBROKER_PID=
	fi
}

# need_peers DIR: skips the test, saying why, when a conformance suite of
# ../shared is not there (a bare clone); the rest of the suite runs.
need_peers() {
	[ -d "$1" ] || skip "../shared/${1#"$SHARED"/} not found: the conformance suites come with ../shared beside the project"
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s; fails after SECONDS.
wait_until() {
	local limit=$(($1 * 10))
	shift
	for _ in $(seq 1 "$limit"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

lines_at_least() { [ "$(count_lines "$1")" -ge "$2" ]; }

# The number of lines in a file (0 when it does not exist).
count_lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# run_cases FILE CHECK [MIN] [GIVEN]: the one runner for every case file
# under tests/data/ (*.test), the jq way. A case is a block of lines up to
# a blank line; lines starting with '#' between cases are comments.
# `CHECK LINE...` is called with every line of the case and prints what
# the case gives; that must equal the case's lines after the first GIVEN
# (default 2: a header such as paths, options or a schema, one input line,
# then the expected output). With GIVEN 0 the check rewrites the whole
# case (e.g. content.test's verdict comes first). Every mismatch is shown;
# passes when at least MIN cases (default 10) ran and none failed.
run_cases() {
	local file=$1 check=$2 min=${3:-10} given=${4:-2} failures=0 n=0 got expected line
	local -a lines=()
	one_case() {
		[ ${#lines[@]} -gt 0 ] || return 0
		got=$("$check" "${lines[@]}")
		expected=$(printf '%s\n' "${lines[@]:$given}")
		n=$((n + 1))
		if [ "$got" != "$expected" ]; then
			[ "$given" -eq 0 ] || printf 'case\n%s\n' "$(printf '%s\n' "${lines[@]:0:$given}")" >&2
			printf -- '--- expected\n%s\n--- got\n%s\n' "$expected" "$got" >&2
			failures=$((failures + 1))
		fi
		lines=()
	}
	while IFS= read -r line || [ -n "$line" ]; do
		if [ -z "$line" ]; then
			one_case
		elif [ ${#lines[@]} -gt 0 ] || [ "${line#\#}" = "$line" ]; then
			lines+=("$line")
		fi
	done <"$file"
	one_case
	echo "$file: $n cases, $failures failed" >&2
	[ "$n" -ge "$min" ] && [ "$failures" -eq 0 ]
}

# start_registry [ARGS...]: starts `hub-registry serve --listen 127.0.0.1:0
# ARGS` in the background and sets REGISTRY to its URL (the first line it
# prints). stop_registry ends it; teardown does too.
start_registry() {
	hub-registry serve --listen 127.0.0.1:0 "$@" >"$T/registry.out" 2>"$T/registry.err" &
	REGISTRY_PID=$!
	for _ in $(seq 1 100); do
		if [ -s "$T/registry.out" ]; then
			REGISTRY=$(head -n1 "$T/registry.out")
			export REGISTRY
			return 0
		fi
		kill -0 "$REGISTRY_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "hub-registry did not start:" >&2
	cat "$T/registry.err" >&2
	return 1
}

# It must exit 0 on SIGTERM (under the sanitizers, with no leak or error).
stop_registry() {
	local rc=0
	if [ -n "${REGISTRY_PID:-}" ]; then
		kill -TERM "$REGISTRY_PID" 2>/dev/null || true
		wait "$REGISTRY_PID" 2>/dev/null || rc=$?
		REGISTRY_PID=
		[ "$rc" -eq 0 ] || { echo "hub-registry exited with status $rc:" >&2; cat "$T/registry.err" >&2; return 1; }
	fi
}
