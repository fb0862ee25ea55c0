# tests/chaos.bash: kill -9 any stage of a pipeline while events flow, rerun
# it, and count what the sink holds (issue "end to end"). Loaded by
# tests/end-to-end.bats (the dev broker) and tests/kafka/end-to-end.bats (a
# real cluster); the caller sets BROKER and T, and PATH has the tools.
#
#   chaos_feed TOPIC N SECONDS       produce N events over about SECONDS, in
#                                    the background (CHAOS_FEED_PID); their ids
#                                    in $T/ids.produced
#   chaos_archive_rounds TOPIC K     K rounds of the archive pipeline, each
#                                    ended by kill -9 of one stage (some with
#                                    hub-archive stopped a while first); then
#                                    a run with -e that drains
#   chaos_produce_rounds IN OUT K    the same for consume | produce, hub-produce
#                                    killed while it delivers (PRODUCE_ARGS:
#                                    its options); chaos_copy_check OUT counts

CHAOS_STAGES=(hub-consume hub-validate hub-tokenize hub-dedup hub-archive)
# The group's session: a member killed by -9 is noticed after it.
# CHAOS_SESSION_MS: the group's session (3 s; a real cluster wants 6 s at
# least). CHAOS_GROUP_EXTRA: more (a real cluster: static membership, so
# that the member started after a kill takes the dead one's place at once).
chaos_group_x() {
	CHAOS_GROUP_X=(-X "session.timeout.ms=${CHAOS_SESSION_MS:-3000}" -X heartbeat.interval.ms=200 ${CHAOS_GROUP_EXTRA:-})
}

chaos_log() { echo "chaos: $*" >>"$T/chaos.log"; }

chaos_feed() {
	local topic=$1 n=$2 secs=$3 chunks=40
	"$GEN" "$n" --seed 11 --invalid-rate 0 --dup-rate 0 >"$T/feed.ndjson"
	jq -r .id "$T/feed.ndjson" | sort >"$T/ids.produced"
	split -n "l/$chunks" -d -a 3 "$T/feed.ndjson" "$T/feed."
	(
		for f in "$T"/feed.[0-9][0-9][0-9]; do
			hub-produce -b "$BROKER" -t "$topic" -k subject <"$f" || exit 1
			sleep "$(awk -v s="$secs" -v c="$chunks" 'BEGIN { printf "%.2f", s / c }')"
		done
	) 2>>"$T/feed.err" &
	CHAOS_FEED_PID=$!
}

# Waits up to SECONDS for the pids to end; kill -9 the ones left.
chaos_reap() {
	local secs=$1 p
	shift
	for _ in $(seq $((secs * 10))); do
		p=0
		for pid in "$@"; do kill -0 "$pid" 2>/dev/null && p=1; done
		[ "$p" = 0 ] && break
		sleep 0.1
	done
	for pid in "$@"; do kill -9 "$pid" 2>/dev/null || true; done
	wait "$@" 2>/dev/null || true
}

# stage NAME CMD...: runs CMD as pipeline stage NAME, its pid in $T/pid.NAME.
stage() {
	local name=$1
	shift
	echo "$BASHPID" >"$T/pid.$name"
	exec "$@" 2>>"$T/$name.err"
}

# The archive pipeline of the README, in the background.
chaos_archive_start() {
	local topic=$1
	shift
	rm -f "$T"/pid.*
	chaos_group_x
	stage hub-consume hub-consume -b "$BROKER" -G chaos -t "$topic" "${CHAOS_GROUP_X[@]}" "$@" |
		stage hub-validate hub-validate --schemas "$SCHEMAS" |
		stage hub-tokenize hub-tokenize --key-file "$T/tok.key" -s "$SCHEMAS" |
		stage hub-dedup hub-dedup --state "$T/dedup.state" |
		stage hub-archive hub-archive -d "$T/A" &
	wait_until 10 chaos_all_started
}

chaos_all_started() {
	local s
	for s in "${CHAOS_STAGES[@]}"; do [ -s "$T/pid.$s" ] || return 1; done
}

chaos_pid() { cat "$T/pid.$1"; }

chaos_stored() { cat "$T"/A/*/*/*/*/*.ndjson 2>/dev/null | wc -l; }

chaos_grown() { [ "$(chaos_stored)" -gt "$1" ]; }

chaos_archive_rounds() {
	local topic=$1 rounds=$2 r victim before pids=() s
	[ -s "$T/tok.key" ] || hub-tokenize --genkey "$T/tok.key" 2>/dev/null
	for r in $(seq 1 "$rounds"); do
		before=$(chaos_stored)
		chaos_archive_start "$topic"
		pids=()
		for s in "${CHAOS_STAGES[@]}"; do pids+=("$(chaos_pid "$s")"); done
		# kill while events flow: once the archive has grown this round
		wait_until 30 chaos_grown "$before" || chaos_log "round $r: the archive did not grow"
		sleep "0.$((RANDOM % 9 + 1))"
		victim=$(((r - 1) % ${#CHAOS_STAGES[@]}))
		if [ $((r % 3)) = 0 ]; then
			chaos_log "round $r: hub-archive stopped for 3 s"
			kill -STOP "${pids[4]}" 2>/dev/null || chaos_log "round $r: hub-archive had ended"
			sleep 3
		fi
		chaos_log "round $r: kill -9 ${CHAOS_STAGES[$victim]} at $(chaos_stored) stored"
		kill -9 "${pids[$victim]}" 2>/dev/null || true
		kill -CONT "${pids[4]}" 2>/dev/null || true
		# the others end by themselves: the end of their input, or a broken pipe
		chaos_reap 20 "${pids[@]}"
	done
	wait "$CHAOS_FEED_PID" || chaos_log "the feed failed: $(cat "$T/feed.err")"
	chaos_log "drain with -e, from $(chaos_stored) stored"
	chaos_archive_start "$topic" -e
	pids=()
	for s in "${CHAOS_STAGES[@]}"; do pids+=("$(chaos_pid "$s")"); done
	chaos_reap 120 "${pids[@]}"
	chaos_log "drained: $(chaos_stored) stored"
}

# The ids the archive holds, one line per stored event, sorted.
chaos_archived_ids() {
	cat "$T"/A/*/*/*/*/*.ndjson | jq -r .id | sort
}

# consume | produce, topic to topic, hub-produce killed by -9 in each round
# while it delivers (on the dev broker, with the broker slow to acknowledge:
# `rtt`). PRODUCE_ARGS: more options of hub-produce (--transactional-id ...).
chaos_produce_start() {
	local in=$1 out=$2
	shift 2
	rm -f "$T"/pid.*
	stage hub-consume hub-consume -b "$BROKER" -G chaos-copy -t "$in" \
		-X session.timeout.ms=6000 -X heartbeat.interval.ms=500 ${CHAOS_GROUP_EXTRA:-} "$@" |
		stage hub-produce hub-produce -b "$BROKER" -t "$out" -k subject "${PRODUCE_ARGS[@]}" &
	wait_until 10 test -s "$T/pid.hub-produce"
	wait_until 10 test -s "$T/pid.hub-consume"
}

# Whether a process catches SIGUSR1 yet (a tool just started has not set
# its handlers up, and SIGUSR1 would end it).
chaos_catches_usr1() {
	local mask
	mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$mask" ] && [ $((0x$mask & 0x200)) -ne 0 ]
}

# Whether hub-produce has delivered something in this round (its stats line).
chaos_delivering() {
	local pid
	pid=$(chaos_pid hub-produce)
	chaos_catches_usr1 "$pid" || return 1
	kill -USR1 "$pid" 2>/dev/null || return 1
	sleep 0.3
	grep '^{"tool":"hub-produce"' "$T/hub-produce.err" | tail -n 1 | jq -e '.out > 0' >/dev/null
}

# chaos_produce_rounds IN OUT K: K rounds while chaos_feed feeds IN, then a
# run with -e that drains.
chaos_produce_rounds() {
	local in=$1 out=$2 rounds=$3 r pids
	for r in $(seq 1 "$rounds"); do
		cat "$T/hub-produce.err" >>"$T/hub-produce.all" 2>/dev/null || true
		: >"$T/hub-produce.err"
		chaos_produce_start "$in" "$out"
		pids=("$(chaos_pid hub-consume)" "$(chaos_pid hub-produce)")
		wait_until 40 chaos_delivering || chaos_log "round $r: nothing delivered"
		sleep "0.$((RANDOM % 9 + 1))"
		chaos_log "round $r: kill -9 hub-produce"
		kill -9 "${pids[1]}" 2>/dev/null || true
		chaos_reap 30 "${pids[@]}"
	done
	wait "$CHAOS_FEED_PID" || chaos_log "the feed failed: $(cat "$T/feed.err")"
	chaos_log "drain with -e"
	chaos_produce_start "$in" "$out" -e
	pids=("$(chaos_pid hub-consume)" "$(chaos_pid hub-produce)")
	chaos_reap 120 "${pids[@]}"
	cat "$T/hub-produce.err" >>"$T/hub-produce.all"
}

# chaos_copy_check TOPIC: every event of $T/ids.produced is in TOPIC (read
# from the beginning, read_committed); its ids, sorted, in $T/ids.out.
chaos_copy_check() {
	hub-consume -b "$BROKER" -t "$1" -o beginning -e | jq -r .id | sort >"$T/ids.out"
	comm -23 "$T/ids.produced" <(sort -u "$T/ids.out") >"$T/lost"
	[ ! -s "$T/lost" ] || { echo "lost $(wc -l <"$T/lost") events" >&2; return 1; }
	echo "$(wc -l <"$T/ids.out") in $1 for $(wc -l <"$T/ids.produced") events" >&2
}
