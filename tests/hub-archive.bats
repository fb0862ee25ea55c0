#!/usr/bin/env bats
# hub-archive: the event history, stored whole-line safe, found by index.

load helpers

A() { hub-archive -d "$T/a" "$@"; }

# segments: every segment file of the archive, relative to it, sorted.
segments() {
	(cd "$T/a" && find . -name '*.ndjson' -o -name '*.ndjson.zst' | sed 's|^\./||' | sort)
}

# visible_lines_parse: every line a reader can see (up to the last newline
# of each segment) is one valid JSON object.
visible_lines_parse() {
	local f
	for f in $(find "$T/a" -name '*.ndjson'); do
		if [ -n "$(tail -c1 "$f")" ]; then head -n -1 "$f"; else cat "$f"; fi |
			jq -e 'type == "object"' >/dev/null || { echo "bad line in $f"; return 1; }
	done
}

# all_lines: every archived line (plain and compressed), sorted.
all_lines() {
	(cd "$T/a" && { find . -name '*.ndjson' -exec cat {} + ; find . -name '*.zst' -exec zstd -qdc {} + ; } | sort)
}

@test "events are partitioned by type and hour, byte for byte" {
	"$GEN" 1000 --seed 1 --start 2026-03-01T08:59:00Z >"$T/in"
	run A --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 0 ]
	[ ! -e "$T/dlq" ]
	segments >"$T/segs"
	grep -qx 'com.example.retail.order.created/2026/03/01/08.ndjson' "$T/segs"
	grep -qx 'com.example.retail.order.created/2026/03/01/09.ndjson' "$T/segs"
	# one segment per type and hour found in the input
	hours=$(jq -r '.type + " " + .time[0:13]' "$T/in" | sort -u | wc -l)
	days=$(jq -r '.type + " " + .time[0:10]' "$T/in" | sort -u | wc -l)
	[ "$hours" -ge 6 ]
	[ "$(count_lines "$T/segs")" -eq "$hours" ]
	diff <(sort "$T/in") <(all_lines)
	# each file holds only its type and hour, in input order
	for f in $(cat "$T/segs"); do
		type=${f%%/*} hh=$(basename "$f" .ndjson)
		jq -r '.type + " " + .time[11:13]' "$T/a/$f" | sort -u >"$T/kinds"
		[ "$(cat "$T/kinds")" = "$type $hh" ]
		diff "$T/a/$f" <(paste <(jq -r '.type + " " + .time[11:13]' "$T/in") "$T/in" |
			grep -F "$type $hh	" | cut -f2-)
	done
	# an index per segment, and one per partition and day
	[ "$(find "$T/a" -name '[0-9][0-9].idx' | wc -l)" -eq "$hours" ]
	[ "$(find "$T/a" -name 'day.idx' | wc -l)" -eq "$days" ]
}

@test "numbers, escapes and key order are stored as they came" {
	line='{"z":1,"id":"n1","type":"t","time":"2026-03-01T10:00:00Z","a":19.99,"big":12345678901234567890,"s":"Zoë \u00e9 \"q\" 東京"}'
	printf '%s\n' "$line" | A
	[ "$(cat "$T/a/t/2026/03/01/10.ndjson")" = "$line" ]
	[ "$(A find --id n1)" = "$line" ]
}

@test "envelopes: partitioned by topic, Kafka coordinates kept, hour from the Kafka timestamp without event time" {
	printf '%s\n' \
		'{"topic":"orders","partition":3,"offset":42,"timestamp":1772355600000,"key":"ORD-1","value":{"id":"e1","type":"order.created","subject":"ORD-1","source":"/shop","time":"2026-03-01T09:15:00Z"}}' \
		'{"topic":"orders","partition":1,"offset":7,"timestamp":1772359200000,"key":"ORD-1","value":{"id":"e2","type":"order.paid","subject":"ORD-1","source":"/pay"}}' \
		>"$T/in"
	A <"$T/in"
	diff <(segments) <(printf '%s\n' orders/2026/03/01/09.ndjson orders/2026/03/01/10.ndjson)
	diff "$T/a/orders/2026/03/01/09.ndjson" <(head -1 "$T/in")
	A trace ORD-1 --table >"$T/trace"
	grep -Eq '^2026-03-01T09:15:00.000Z +order.created +e1 +/shop +orders +3 +42$' "$T/trace"
	grep -Eq '^2026-03-01T10:00:00.000Z +order.paid +e2 +/pay +orders +1 +7$' "$T/trace"
	# --events gives the events alone, ready for hub-produce -t
	[ "$(A find --subject ORD-1 --events | jq -r .id | paste -sd,)" = "e1,e2" ]
}

@test "names from event data are sanitised: no path traversal, no odd characters" {
	printf '%s\n' \
		'{"id":"1","type":"../../../etc/passwd","time":"2026-03-01T08:00:00Z"}' \
		'{"id":"2","type":".hidden","time":"2026-03-01T08:00:00Z"}' \
		'{"id":"3","type":"a b/c\u0000d;$(rm)","time":"2026-03-01T08:00:00Z"}' \
		'{"id":"4","type":"","time":"2026-03-01T08:00:00Z"}' \
		'{"id":"5","time":"2026-03-01T08:00:00Z"}' \
		'{"id":"6","type":"Zoë","time":"2026-03-01T08:00:00Z"}' \
		'{"topic":"..","value":{"id":"7","time":"2026-03-01T08:00:00Z"}}' | A
	segments >"$T/segs"
	cat "$T/segs"
	diff "$T/segs" <(printf '%s\n' '_.' '_._.._.._etc_passwd' '_hidden' 'Zo__' '_' 'a_b_c_d___rm_' 'untyped' |
		sed 's|$|/2026/03/01/08.ndjson|' | sort)
	# nothing outside the archive, nothing hidden in it but the lock and
	# the hashes of the lines stored last
	[ "$(find "$T" -path "$T/a" -prune -o -name '*.ndjson' -print | wc -l)" -eq 0 ]
	[ "$(cd "$T/a" && find . -name '.*' ! -name . | sort | paste -sd,)" = "./.lock,./.recent.0,./.recent.1,./.recent.w" ]
	[ "$(A find --id 1 | jq -r .type)" = "../../../etc/passwd" ]
}

@test "lines that are not JSON objects go to the failure store; the rest is archived" {
	printf '%s\n' '{"id":"ok1","type":"t","time":"2026-03-01T08:00:00Z"}' '{"broken":' 'plain text' '[1,2]' \
		'{"id":"ok2","type":"t","time":"2026-03-01T08:00:01Z"}' >"$T/in"
	run A --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"3 of 5 events were not archived"* ]]
	[ "$(count_lines "$T/dlq")" -eq 3 ]
	[ "$(jq -r .line "$T/dlq" | paste -sd,)" = "2,3,4" ]
	jq -e 'select(.line == 4) | .reason == "not an event: the line is an array, not a JSON object" and .event == [1,2]' "$T/dlq"
	[ "$(count_lines "$T/a/t/2026/03/01/08.ndjson")" -eq 2 ]
}

@test "over-long lines go to the failure store" {
	{ echo '{"id":"a","type":"t","time":"2026-03-01T08:00:00Z"}'
	  printf '{"id":"b","type":"t","pad":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' x)"; } >"$T/in"
	run A --max-line 1k --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 1 ]
	jq -e '.truncated == true and .line == 2' "$T/dlq"
	[ "$(count_lines "$T/a/t/2026/03/01/08.ndjson")" -eq 1 ]
}

@test "segments rotate by size; every event stays findable" {
	"$GEN" 400 --seed 2 >"$T/in"
	A --max-size 20k <"$T/in"
	segments >"$T/segs"
	grep -q 'order.created/2026/03/01/08.1.ndjson' "$T/segs"
	grep -q 'order.created/2026/03/01/08.2.ndjson' "$T/segs"
	for f in $(grep -v '\.zst$' "$T/segs"); do
		[ "$(stat -c %s "$T/a/$f")" -lt $((20 * 1024 + 4096)) ]
	done
	diff <(sort "$T/in") <(all_lines)
	id=$(sed -n 250p "$T/in" | jq -r .id)
	[ "$(A find --id "$id")" = "$(sed -n 250p "$T/in")" ]
}

@test "--max-open: segments closed for room are reopened and appended to; all stay indexed" {
	"$GEN" 500 --seed 16 >"$T/in"
	A --max-open 2 <"$T/in"
	[ "$(segments | wc -l)" -eq "$(jq -r '.type + " " + .time[0:13]' "$T/in" | sort -u | wc -l)" ]
	diff <(sort "$T/in") <(all_lines)
	line=$(sed -n 333p "$T/in")
	A find --id "$(jq -r .id <<<"$line")" --stats >"$T/out" 2>"$T/err"
	[ "$(cat "$T/out")" = "$line" ]
	jq -e '.scanned_bytes == 0' "$T/err"
}

# archived: the archive's answers to the questions asked of it, for a few
# subjects and ids of the input, and its lines.
answers() {
	local s
	for s in $(jq -r .subject "$T/in" | sort -u | sed -n '1p;7p;30p;100p'); do
		A trace --ndjson "$s"
		A find --subject "$s" --events
	done
	for s in $(jq -r .id "$T/in" | sed -n '1p;5000p;39999p'); do
		A find --id "$s"
	done
	A find --since 2026-03-02T00:00:00Z --until 2026-03-02T00:20:00Z
	all_lines
}

@test "disorder: events hours apart, as a consumer of many partitions delivers them, give the same archive, each segment and day indexed once" {
	"$GEN" 40000 --seed 19 --start 2026-03-01T23:00:00Z >"$T/ordered"
	# 8 partitions, each delivered whole: 8 passes over the same 2 hours
	"$INTERLEAVE" -p 8 -c 5000 "$T/ordered" >"$T/in"
	! cmp -s "$T/ordered" "$T/in"
	A --stats <"$T/ordered" 2>"$T/stats.ordered"
	answers >"$T/answers.ordered"
	rm -rf "$T/a"
	A --stats <"$T/in" 2>"$T/stats"
	answers >"$T/answers"
	diff "$T/answers.ordered" "$T/answers"
	segs=$(segments | wc -l)
	days=$(jq -r '.type + " " + .time[0:10]' "$T/in" | sort -u | wc -l)
	[ "$days" -ge 10 ]
	# every segment sealed (sorted, indexed) once, every day index built once
	jq -e --argjson s "$segs" --argjson d "$days" \
		'.segments_indexed == $s and .day_indexes == $d' "$T/stats" "$T/stats.ordered"
	# look-ups in the disordered archive use the indexes alone
	id=$(sed -n 777p "$T/in" | jq -r .id)
	A find --id "$id" --stats >/dev/null 2>"$T/err"
	jq -e '.scanned_bytes == 0 and .results == 1' "$T/err"
}

@test "--fsync batch: fsyncs are grouped, at most one per segment per interval, however small the input's pieces" {
	"$GEN" 6000 --seed 20 >"$T/ordered"
	"$INTERLEAVE" -p 16 -c 20 "$T/ordered" >"$T/in"
	# 60 pieces of 100 lines, 20 ms apart
	for i in $(seq 0 59); do
		sed -n "$((i * 100 + 1)),$((i * 100 + 100))p" "$T/in"
		sleep 0.02
	done | A --tee --fsync-interval 1 --fsync batch --stats >"$T/acked" 2>"$T/stats"
	diff "$T/in" "$T/acked"
	segs=$(segments | wc -l)
	# one fsync per segment per started second at most (at 60 pieces, the
	# old writer fsynced each segment it touched at every piece)
	jq -e --argjson s "$segs" '.fsyncs <= $s * (.seconds + 2)' "$T/stats"
	jq -e --argjson s "$segs" '.fsyncs >= $s' "$T/stats"
}

@test "--compress: closed segments become zstd frames that zstdgrep reads and find searches" {
	"$GEN" 3000 --seed 3 >"$T/in"
	A --compress --frame-size 16k <"$T/in"
	segments >"$T/segs"
	! grep -q '\.ndjson$' "$T/segs"
	[ "$(count_lines "$T/segs")" -eq "$(jq -r '.type + " " + .time[0:13]' "$T/in" | sort -u | wc -l)" ]
	diff <(sort "$T/in") <(all_lines)
	f=$(grep order.created "$T/segs")
	# several independent frames, one stream for zstd
	[ "$(zstd -lv "$T/a/$f" 2>/dev/null | grep -E '^# Frames|Frames:' | grep -oE '[0-9]+' | head -1)" -gt 3 ]
	line=$(sed -n 2500p "$T/in")
	id=$(jq -r .id <<<"$line")
	[ "$(zstdgrep -hF "$id" "$T"/a/*/2026/03/01/*.zst)" = "$line" ]
	# by index (one frame read) and by scan
	A find --id "$id" --stats >"$T/out" 2>"$T/err"
	[ "$(cat "$T/out")" = "$line" ]
	grep -q '"scanned_bytes":0' "$T/err"
	[ "$(A find --grep "$id")" = "$line" ]
	[ "$(A find --type "$(jq -r .type <<<"$line")" | wc -l)" -eq "$(grep -c "\"type\":\"$(jq -r .type <<<"$line")\"" "$T/in")" ]
}

@test "compress: an archive written plain is compressed afterwards, searches unchanged" {
	"$GEN" 500 --seed 4 >"$T/in"
	A <"$T/in"
	A find --type com.example.retail.order.paid >"$T/before"
	run A compress --dry-run
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '\.zst$')" -eq 5 ]
	[ "$(segments | grep -c '\.ndjson$')" -eq 5 ]
	A compress >"$T/list"
	[ "$(grep -c '\.zst$' "$T/list")" -eq 5 ]
	[ "$(segments | grep -c '\.ndjson\.zst$')" -eq 5 ]
	[ "$(segments | grep -c '\.ndjson$')" -eq 0 ]
	A find --type com.example.retail.order.paid >"$T/after"
	diff "$T/before" "$T/after"
	id=$(sed -n 321p "$T/in" | jq -r .id)
	[ "$(A find --id "$id")" = "$(sed -n 321p "$T/in")" ]
}

@test "find: each search key, exact values, and their combination" {
	"$GEN" 2000 --seed 5 >"$T/in"
	A <"$T/in"
	line=$(sed -n 1234p "$T/in")
	id=$(jq -r .id <<<"$line") subject=$(jq -r .subject <<<"$line")
	[ "$(A find --id "$id")" = "$line" ]
	diff <(A find --subject "$subject") <(paste <(jq -r .subject "$T/in") "$T/in" |
		awk -F'\t' -v s="$subject" '$1 == s' | cut -f2-)
	diff <(A find --type com.example.retail.order.paid | sort) <(grep '"type":"com.example.retail.order.paid"' "$T/in" | sort)
	diff <(A find --source /erp/DE | sort) <(grep '"source":"/erp/DE"' "$T/in" | sort)
	diff <(A find --source /erp/DE --type com.example.retail.inventory.adjusted | sort) \
		<(grep '"source":"/erp/DE"' "$T/in" | grep 'inventory.adjusted' | sort)
	# a prefix is not a value
	[ -z "$(A find --source /erp/D)" ]
	[ -z "$(A find --id "${id%?}")" ]
	# text and regex on the stored line
	diff <(A find --grep 'Napoli' | sort) <(grep -F 'Napoli' "$T/in" | sort)
	diff <(A find --regex '"quantity":[5-9]' | sort) <(grep -E '"quantity":[5-9]' "$T/in" | sort)
	# -c stops early
	[ "$(A find --type com.example.retail.order.paid -c 3 | wc -l)" -eq 3 ]
}

@test "find: --since/--until on event time, results in time order whatever the write order" {
	"$GEN" 900 --seed 6 --start 2026-03-01T08:59:00Z >"$T/in"
	# the input has events before, inside and after the window, across two hours
	jq -r .time "$T/in" | awk '$0 < "2026-03-01T09:00" { a++ } $0 >= "2026-03-01T09:01" { c++ } END { exit !(a && c) }'
	# written in reverse order
	tac "$T/in" | A
	A find >"$T/all"
	diff <(sort "$T/all") <(sort "$T/in")
	[ "$(jq -r .time "$T/all" | sort -c && echo sorted)" = sorted ]
	A find --since 2026-03-01T09:00:00Z --until 2026-03-01T09:01:00Z >"$T/win"
	[ "$(count_lines "$T/win")" -gt 0 ]
	diff <(jq -r .time "$T/win") <(jq -r '.time | select(. >= "2026-03-01T09:00:00" and . < "2026-03-01T09:01:00")' "$T/in")
	[ -z "$(A find --until 2026-03-01)" ]
	run A find --since yesterdayish
	[ "$status" -eq 64 ]
}

@test "trace: a business object's timeline in order, a table on a terminal, NDJSON when piped" {
	"$GEN" 3000 --seed 7 >"$T/in"
	A <"$T/in"
	subject=$(jq -r 'select(.type == "com.example.retail.shipment.dispatched") | .subject' "$T/in" | head -1)
	A trace "$subject" >"$T/nd"
	jq -r .type "$T/nd" >"$T/types"
	[ "$(head -1 "$T/types")" = com.example.retail.order.created ]
	grep -qx com.example.retail.order.paid "$T/types"
	[ "$(tail -1 "$T/types")" = com.example.retail.shipment.dispatched ]
	[ "$(jq -r .time "$T/nd" | sort -c && echo sorted)" = sorted ]
	A trace "$subject" --table >"$T/table"
	head -1 "$T/table" | grep -Eq '^TIME +TYPE +ID +SOURCE +TOPIC +PARTITION +OFFSET$'
	[ "$(count_lines "$T/table")" -eq $(($(count_lines "$T/nd") + 1)) ]
	# columns aligned: TYPE starts at the same place on every row
	[ "$(awk '{ print index($0, $2) }' "$T/table" | sort -u | wc -l)" -eq 1 ]
	# on a terminal (script(1) gives one), the table is the default
	if command -v script >/dev/null; then
		script -qec "hub-archive -d '$T/a' trace '$subject'" /dev/null | tr -d '\r' >"$T/tty"
		head -1 "$T/tty" | grep -q '^TIME '
	fi
}

@test "show: one event pretty-printed with its metadata, numbers exact" {
	line='{"topic":"orders","partition":2,"offset":99,"timestamp":1772355600000,"key":"K","value":{"id":"x1","type":"t","time":"2026-03-01T09:00:00Z","data":{"total":19.99,"n":12345678901234567890,"e":[],"o":{}}}}'
	printf '%s\n' "$line" | A
	A show x1 >"$T/show"
	cat "$T/show"
	grep -Eq '^ +"total": 19.99,$' "$T/show"
	grep -q '"n": 12345678901234567890' "$T/show"
	grep -q '"e": \[\],' "$T/show"
	[ "$(jq -r '.kafka.topic + " " + (.kafka.partition|tostring) + " " + (.kafka.offset|tostring)' "$T/show")" = "orders 2 99" ]
	[ "$(jq -r .archive.segment "$T/show")" = "$T/a/orders/2026/03/01/09.ndjson" ]
	[ "$(jq -r .archive.offset "$T/show")" = 0 ]
	[ "$(jq -c .event "$T/show")" = "$(jq -c .value <<<"$line")" ]
	run A show nope
	[ "$status" -eq 1 ]
	[[ "$output" == *"no event with id 'nope'"* ]]
}

@test "look-ups use the indexes: no segment bytes scanned" {
	"$GEN" 2000 --seed 8 >"$T/in"
	A <"$T/in"
	id=$(sed -n 999p "$T/in" | jq -r .id)
	A find --id "$id" --stats >"$T/out" 2>"$T/err"
	jq -e '.indexed == .segments and .scanned_bytes == 0 and .results == 1' "$T/err"
	# without its index a segment is scanned, with the same answer
	find "$T/a" -name '*.idx' -delete
	A find --id "$id" --stats >"$T/out2" 2>"$T/err2"
	diff "$T/out" "$T/out2"
	jq -e '.indexed == 0 and .scanned_bytes > 0' "$T/err2"
}

@test "day indexes answer look-ups a day at a time; a restart in an old day replaces its day index" {
	"$GEN" 2000 --seed 14 --start 2026-03-01T23:58:00Z >"$T/in"
	# the last events are a day later
	"$GEN" 20 --seed 15 --start 2026-03-03T10:00:00Z >>"$T/in"
	A <"$T/in"
	# one day index per type and day found in the input (three days)
	days=$(jq -r '.type + " " + .time[0:10]' "$T/in" | sort -u | wc -l)
	[ "$(jq -r '.time[0:10]' "$T/in" | sort -u | wc -l)" -eq 3 ]
	[ "$(find "$T/a" -name day.idx | wc -l)" -eq "$days" ]
	for n in 10 1500 2010; do
		line=$(sed -n ${n}p "$T/in")
		A find --id "$(jq -r .id <<<"$line")" --stats >"$T/out" 2>"$T/err"
		[ "$(cat "$T/out")" = "$line" ]
		jq -e --argjson days "$days" '.day_indexes == $days and .indexed == .segments and .scanned_bytes == 0' "$T/err"
	done
	# a late event for the first day: its day index goes while the segment
	# is open, and comes back, with the new event, when the writer is done
	day="$T/a/com.example.retail.order.paid/2026/03/01"
	[ -e "$day/day.idx" ]
	mkfifo "$T/fifo"
	hub-archive -d "$T/a" <"$T/fifo" &
	pid=$!
	exec 5>"$T/fifo"
	echo '{"id":"late","type":"com.example.retail.order.paid","time":"2026-03-01T23:59:30Z"}' >&5
	wait_until 20 eval '[ ! -e "$day/day.idx" ]'
	# the writer drops the day index before it writes the event
	found_late() { [ "$(A find --id late | jq -r .id)" = late ]; }
	wait_until 20 found_late
	exec 5>&-
	wait $pid
	[ -e "$day/day.idx" ]
	A find --id late --stats 2>"$T/err" | jq -e '.id == "late"'
	jq -e '.scanned_bytes == 0' "$T/err"
	# a damaged day index is refused; the segment indexes answer
	head -c 100 "$day/day.idx" >"$T/cut" && cp "$T/cut" "$day/day.idx"
	[ "$(A find --id late | jq -r .id)" = late ]
}

@test "a restart appends to the hour's segment, which is re-indexed when closed" {
	"$GEN" 200 --seed 9 >"$T/in"
	head -100 "$T/in" | A
	tail -100 "$T/in" | A
	diff <(sort "$T/in") <(all_lines)
	[ "$(segments | wc -l)" -eq "$(jq -r '.type + " " + .time[0:13]' "$T/in" | sort -u | wc -l)" ]
	for n in 50 150 199; do
		line=$(sed -n ${n}p "$T/in")
		A find --id "$(jq -r .id <<<"$line")" --stats >"$T/out" 2>"$T/err"
		[ "$(cat "$T/out")" = "$line" ]
		jq -e '.scanned_bytes == 0' "$T/err"
	done
	# while a segment is open (no index yet), it is scanned
	f=com.example.retail.order.created/2026/03/01/08
	mkfifo "$T/fifo"
	hub-archive -d "$T/a" <"$T/fifo" &
	pid=$!
	exec 5>"$T/fifo"
	echo '{"id":"late","type":"com.example.retail.order.created","time":"2026-03-01T08:59:00Z"}' >&5
	for _ in $(seq 1 50); do [ ! -e "$T/a/$f.idx" ] && grep -q late "$T/a/$f.ndjson" && break; sleep 0.1; done
	[ ! -e "$T/a/$f.idx" ]
	[ "$(A find --id late | jq -r .id)" = late ]
	line=$(grep -m1 order.created "$T/in")
	[ "$(A find --id "$(jq -r .id <<<"$line")")" = "$line" ]
	exec 5>&-
	wait $pid
	[ -e "$T/a/$f.idx" ]
}

@test "a torn last line is never shown, and is removed (to the failure store) on restart" {
	"$GEN" 50 --seed 10 >"$T/in"
	A <"$T/in"
	f="$T/a/com.example.retail.order.created/2026/03/01/08.ndjson"
	printf '{"id":"torn","type":"com.example.retail.order.created","ti' >>"$f"
	# readers skip it
	[ "$(A find --type com.example.retail.order.created | wc -l)" -eq "$(grep -c order.created "$T/in")" ]
	run A find --grep torn
	[ "$status" -eq 1 ]
	# the next writer repairs the file before it appends
	printf '%s\n' '{"id":"after","type":"com.example.retail.order.created","time":"2026-03-01T08:30:00Z"}' |
		A --dlq "$T/dlq"
	jq -c . "$f" >/dev/null
	[ "$(tail -1 "$f")" = '{"id":"after","type":"com.example.retail.order.created","time":"2026-03-01T08:30:00Z"}' ]
	jq -e '(.reason | test("torn")) and .event == "{\"id\":\"torn\",\"type\":\"com.example.retail.order.created\",\"ti"' "$T/dlq"
	[ "$(A find --id after | jq -r .id)" = after ]
}

@test "kill -9 while writing: every visible line parses, nothing acknowledged is lost, a restart carries on" {
	"$GEN" 30000 --seed 11 >"$T/in"
	for round in 1 2 3; do
		# what is not stored yet trickles in, in order; --tee acknowledges what is stored
		all_lines | grep -vxFf - "$T/in" >"$T/todo" || true
		split -n l/30 -d "$T/todo" "$T/part.$round."
		( for p in "$T"/part.$round.*; do cat "$p"; sleep 0.02; done ) 2>/dev/null |
			hub-archive -d "$T/a" --tee --max-size 64k --dlq "$T/dlq.$round" >"$T/acked.$round" &
		pid=$!
		# once something is acknowledged, at a random moment of the run
		for _ in $(seq 1 100); do [ -s "$T/acked.$round" ] && break; sleep 0.05; done
		sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		# every visible line of every segment is a whole JSON object
		visible_lines_parse
		# acknowledged lines are all in the archive
		[ "$(count_lines "$T/acked.$round")" -gt 0 ]
		all_lines >"$T/stored"
		[ "$(comm -23 <(sort "$T/acked.$round") "$T/stored" | wc -l)" -eq 0 ]
	done
	# the last run, to the end: everything is there exactly once
	all_lines | grep -vxFf - "$T/in" | hub-archive -d "$T/a" --dlq "$T/dlq.end"
	diff <(sort "$T/in") <(all_lines)
	visible_lines_parse
	for f in $(find "$T/a" -name '*.ndjson'); do [ -z "$(tail -c1 "$f")" ]; done
}

@test "prune --older-than removes old hours only; --dry-run only lists them" {
	old=$(date -u -d '100 days ago' +%Y-%m-%dT%H:00:00Z)
	new=$(date -u -d '2 days ago' +%Y-%m-%dT%H:00:00Z)
	"$GEN" 100 --seed 12 --start "$old" >"$T/in"
	"$GEN" 100 --seed 13 --start "$new" >>"$T/in"
	A <"$T/in"
	# the old hours and days (type by type) go, the new ones stay
	old_hours=$(head -n 100 "$T/in" | jq -r '.type + " " + .time[0:13]' | sort -u | wc -l)
	old_days=$(head -n 100 "$T/in" | jq -r '.type + " " + .time[0:10]' | sort -u | wc -l)
	new_hours=$(tail -n 100 "$T/in" | jq -r '.type + " " + .time[0:13]' | sort -u | wc -l)
	[ "$old_hours" -ge 3 ] && [ "$new_hours" -ge 3 ]
	before=$(segments)
	run A prune --older-than 90d --dry-run
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '\.ndjson$')" -eq "$old_hours" ]
	[ "$(segments)" = "$before" ]
	A prune --older-than 90d >"$T/removed"
	[ "$(grep -c '\.ndjson$' "$T/removed")" -eq "$old_hours" ]
	[ "$(grep -c '/[0-9][0-9]\.idx$' "$T/removed")" -eq "$old_hours" ]
	[ "$(grep -c '/day\.idx$' "$T/removed")" -eq "$old_days" ]
	[ "$(segments | wc -l)" -eq "$new_hours" ]
	old_day=$(date -u -d '100 days ago' +%Y/%m/%d)
	[ -z "$(find "$T/a" -path "*$old_day*")" ]
	[ "$(A find | wc -l)" -eq 100 ]
	run A prune
	[ "$status" -eq 64 ]
}

@test "prune beside a running writer keeps the segments it still has open; nothing is lost" {
	old=$(date -u -d '3 days ago' +%Y-%m-%dT%H:00:00Z)
	"$GEN" 3 --seed 14 --start "$old" >"$T/in"
	mkfifo "$T/fifo"
	A --dlq "$T/dlq" <"$T/fifo" 2>"$T/err" &
	pid=$!
	exec 7>"$T/fifo"
	head -n 2 "$T/in" >&7
	written() { [ "$(cat "$T"/a/*/*/*/*/*.ndjson 2>/dev/null | wc -l)" -ge "$1" ]; }
	wait_until 5 written 2
	# the stream is quiet: the writer keeps its segment open
	run A prune --older-than 1d
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c '\.ndjson$')" -eq 0 ]
	echo "$output" | grep -q 'kept, a writer still has it open'
	[ "$(cat "$T"/a/*/*/*/*/*.ndjson | wc -l)" -eq 2 ]
	# a late event of the same hour still lands in it
	tail -n 1 "$T/in" >&7
	exec 7>&-
	wait "$pid" || { cat "$T/err"; false; }
	[ ! -e "$T/dlq" ]
	[ "$(A find | wc -l)" -eq 3 ]
	# once the writer is gone, prune removes it
	A prune --older-than 1d >"$T/removed"
	[ "$(grep -c '\.ndjson$' "$T/removed")" -eq 1 ]
	[ "$(A find | wc -l)" -eq 0 ]
}

@test "one writer per directory" {
	mkfifo "$T/fifo"
	hub-archive -d "$T/a" <"$T/fifo" &
	pid=$!
	exec 5>"$T/fifo"
	sleep 0.2
	run hub-archive -d "$T/a" </dev/null
	[ "$status" -eq 69 ]
	[[ "$output" == *"being written by another hub-archive"* ]]
	exec 5>&-
	wait $pid
}

@test "usage errors, missing archive and empty results have their exit statuses" {
	run hub-archive find
	[ "$status" -eq 64 ]
	run hub-archive -d "$T/a" frobnicate
	[ "$status" -eq 64 ]
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
	run hub-archive -d "$T/none" find --id x
	[ "$status" -eq 66 ]
	run hub-archive -d "$T/a" find --regex '('
	[ "$status" -eq 64 ]
	run hub-archive -d "$T/a" --fsync sometimes </dev/null
	[ "$status" -eq 64 ]
	echo '{"id":"1","type":"t","time":"2026-03-01T08:00:00Z"}' | A
	run A find --id 2
	[ "$status" -eq 1 ]
	[ -z "$(A find --id 2 -q)" ]
}

@test "a time window that misses the archive says what it holds; trace of an unknown subject says so; prune of everything warns" {
	"$GEN" 50 >"$T/in"          # dated 2026-03-01T08:00Z on
	A <"$T/in"
	run A find --since 1d
	[ "$status" -eq 1 ]
	[[ "$output" == *"warning: nothing between "*" and now in $T/a: its events are from the hours 2026-03-01T08:00:00.000Z to 2026-03-01T09:00:00.000Z (event time); give --since and --until within them"* ]]
	run A find --since 2026-03-01T08:00:00Z --until 2026-03-01T09:00:00Z
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 50 ]
	run A trace ORD-XX-0
	[ "$status" -eq 1 ]
	[ "$output" = "hub-archive: error: no event with subject 'ORD-XX-0' in $T/a" ]
	run A prune --older-than 90d --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: every hour in $T/a (2026-03-01T08:00:00.000Z to 2026-03-01T09:00:00.000Z) ended before "*": prune would remove the whole archive"* ]]
	# events dated from an hour ago (hub-gen-events --start 1h): found by --since 1d, kept by prune
	rm -rf "$T/a"
	"$GEN" 50 --start 1h | A
	[ "$(A find --since 1d | wc -l)" -eq 50 ]
	run A prune --older-than 90d
	[ "$status" -eq 0 ]
	[[ "$output" != *"whole archive"* ]]
	[ "$(A find | wc -l)" -eq 50 ]
}

@test "--fsync interval: a stream that pauses is fsynced within the interval; SIGUSR1 prints the stats while idle" {
	command -v strace >/dev/null || skip "strace is not installed"
	"$GEN" 3 --seed 4 >"$T/in"
	mkfifo "$T/fifo"
	# LeakSanitizer cannot work under ptrace; the other tests check for leaks
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	strace -f -y -e trace=fsync -o "$T/trace" hub-archive -d "$T/a" --fsync interval --fsync-interval 1 \
		<"$T/fifo" 2>"$T/err" &
	pid=$!
	exec 7>"$T/fifo"
	head -n 2 "$T/in" >&7
	# written at once, fsynced within the second, with no further input
	wait_until 5 grep -q '^[0-9]* *fsync([0-9]*</.*\.ndjson>)' "$T/trace"
	[ "$(grep -c '\.ndjson>)' "$T/trace")" -ge 1 ]
	synced=$(grep -c '\.ndjson>)' "$T/trace")
	sleep 1.5
	# nothing new written: no fsync every interval for nothing
	[ "$(grep -c '\.ndjson>)' "$T/trace")" -eq "$synced" ]
	kill -USR1 "$(pgrep -P "$pid" hub-archive || echo "$pid")"
	wait_until 5 grep -q '"in":2' "$T/err"
	tail -n 1 "$T/in" >&7
	exec 7>&-
	wait "$pid" || { cat "$T/err"; false; }
	[ "$(cat "$T/a"/*/*/*/*/*.ndjson | wc -l)" -eq 3 ]
}

@test "find --regex: a pattern that would backtrack without end stops at its limit, with a warning, in bounded time and memory" {
	"$GEN" 200 --seed 31 >"$T/in"
	printf '{"id":"x","type":"t","time":"2026-03-01T08:00:00Z","s":"%s"}\n' "$(head -c 3000 /dev/zero | tr '\0' a)" >>"$T/in"
	A <"$T/in"
	# back-references over a long run of one letter: no hang (PCRE2 sees that zz never occurs)
	run timeout 60 bash -c "$(memlimit 2000000)hub-archive -d '$T/a' find --regex '(a*)*\1\1\1zz'"
	[ "$status" -eq 1 ]
	# nested repetition that must backtrack: stopped at the limit, said, not matched
	run timeout 60 bash -c "$(memlimit 2000000)hub-archive -d '$T/a' find --id x --regex '(a+)+(b|c)'"
	[ "$status" -eq 1 ]
	grep -q "1 lines took the pattern past its match limit and count as not matching" <<<"$output"
	# nested counted repetition: no blow-up when compiled nor when matched
	run timeout 60 bash -c "$(memlimit 2000000)hub-archive -d '$T/a' find --id x --regex '(.{1,1000}){1,1000}[yz]'"
	[ "$status" -eq 1 ]
	grep -q "past its match limit" <<<"$output"
	# a quantifier on a quantifier is a usage error that says where
	run hub-archive -d "$T/a" find --regex '.{1,1000}{1,1000}'
	[ "$status" -eq 64 ]
	grep -q "quantifier does not follow a repeatable item at character" <<<"$output"
	# an ordinary pattern still finds what grep -E finds
	[ "$(A find --regex '"id":"x"' | jq -r .id)" = x ]
}

@test "a line delivered again (a consumer's redelivery after a crash) is stored once, counted as a repeat" {
	"$GEN" 300 --seed 8 >"$T/in"
	head -n 100 "$T/in" | A
	run A --stats <"$T/in"
	[ "$status" -eq 0 ]
	echo "$output" | grep '^{' | jq -e '.in == 300 and .out == 200 and .repeats == 100'
	# the bytes on disk: each event once
	[ "$(cat "$T"/a/*/*/*/*/*.ndjson | wc -l)" -eq 300 ]
	diff <(cat "$T"/a/*/*/*/*/*.ndjson | sort) <(sort "$T/in")
	# the remembered hashes survive the restart, and a kill -9 of the writer
	A --stats <"$T/in" 2>&1 | grep '^{' | jq -e '.out == 0 and .repeats == 300'
}

@test "hub-archive acknowledges to a hub writer only what it stored: a rerun of the consumer resumes after it" {
	start_devbroker -T arc:2
	"$GEN" 500 --seed 9 >"$T/in"
	hub-produce -t arc <"$T/in"
	hub-consume -G g -t arc -e -X session.timeout.ms=3000 | A
	# all stored, all committed: the group has nothing left to read
	[ "$(cat "$T"/a/*/*/*/*/*.ndjson | wc -l)" -eq 500 ]
	[ "$(hub-consume -G g -t arc -e -X session.timeout.ms=3000 | wc -l)" -eq 0 ]
	# the same events read again by another group: stored once
	hub-consume -G g2 -t arc -e -X session.timeout.ms=3000 | A --stats 2>"$T/err"
	grep '^{' "$T/err" | jq -e '.out == 0 and .repeats == 500'
}

@test "prune --dry-run lists exactly what prune then removes, day indexes included" {
	"$GEN" 300 | A
	[ -n "$(find "$T/a" -name day.idx)" ]
	A prune --older-than 90d --dry-run 2>/dev/null | sort >"$T/dry"
	grep -q '/day.idx$' "$T/dry"
	[ "$(grep -c '/day.idx$' "$T/dry")" -eq "$(find "$T/a" -name day.idx | wc -l)" ]
	A prune --older-than 90d 2>/dev/null | sort >"$T/real"
	cmp "$T/dry" "$T/real"
	[ -z "$(find "$T/a" -type f -name '*.ndjson' -o -type f -name '*.idx')" ]
}

@test "trace and show tell of the subject's (or event's) records in the failure store; show gives Kafka's time readably" {
	export HUB_DLQ="$T/failed.ndjson"
	"$GEN" 200 >"$T/in"
	subject=$(jq -r 'select(.type == "com.example.retail.order.paid") | .subject' "$T/in" | head -n1)
	# one of the order's events fails validation (a market that is a number)
	jq -c "select(.subject == \"$subject\" and .type == \"com.example.retail.order.paid\") | .data.market = 39" "$T/in" >"$T/bad"
	id=$(jq -r .id "$T/bad")
	run hub-validate <"$T/bad"
	[ "$status" -eq 1 ]
	jq -c '{topic: "orders", partition: 0, offset: 7, timestamp: 1772352000000, key: .subject, value: .}' "$T/in" | A
	run A trace "$subject" --ndjson
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: subject $subject: also 1 record in the failure store $HUB_DLQ: hub-failures --subject $subject"* ]]
	run A show "$id"
	[[ "$output" == *"warning: event $id: also 1 record in the failure store $HUB_DLQ: hub-failures --id $id"* ]]
	[[ "$output" == *'"timestamp_time": "2026-03-01T08:00:00.000Z"'* ]]
	# a subject with no failures: nothing said
	other=$(jq -r .subject "$T/in" | grep -v "^$subject\$" | head -n1)
	run A trace "$other" --ndjson
	[[ "$output" != *"failure store"* ]]
}

@test "an envelope's Kafka timestamp past year 9999 or below 0 files the event under its arrival, where find and show see it" {
	for ts in 1764028800000 -1 -62135596800001 253402300799999 253402300800000 9223372036854775807; do
		printf '{"topic":"t","partition":0,"offset":1,"timestamp":%s,"value":{"id":"ev%s","type":"x","source":"/s"}}\n' "$ts" "$ts"
	done >"$T/in"
	run A --dlq "$T/dlq" <"$T/in"
	[ "$status" -eq 0 ]
	[ ! -e "$T/dlq" ]
	for ts in 1764028800000 -1 -62135596800001 253402300799999 253402300800000 9223372036854775807; do
		run A show "ev$ts"
		[ "$status" -eq 0 ] || { echo "show ev$ts: $output"; false; }
		[ "$(jq -r .event.id <<<"$output")" = "ev$ts" ]
	done
	[ "$(A find | wc -l)" -eq 6 ]
	# the year directories searches walk: four digits, and 9999 is the last one
	[ -z "$(cd "$T/a" && find . -mindepth 2 -maxdepth 2 -type d | grep -Ev '^\./t/[0-9]{4}$')" ]
	[ -d "$T/a/t/2025" ] && [ -d "$T/a/t/9999" ]
}

@test "a last line torn by the hub tool writing it (killed in mid-line) is no failure: not stored, not acknowledged" {
	# enough that hub-validate is still writing when it is killed
	"$GEN" 400000 --seed 41 >"$T/in"
	for attempt in 1 2 3 4 5 6; do
		rm -rf "$T/a" "$T/dlq"
		{ hub-validate --schemas "$BATS_TEST_DIRNAME/../schemas" <"$T/in" & echo $! >"$T/vpid"; wait; } |
			hub-archive -d "$T/a" --dlq "$T/dlq" --stats 2>"$T/err" &
		local ap=$!
		sleep 0.3
		# hub-archive stops reading: hub-validate fills the pipe and waits
		# in the middle of a write, so it is killed in mid-line
		kill -STOP "$ap"
		sleep 0.5
		kill -9 "$(cat "$T/vpid")"
		kill -CONT "$ap"
		st=0
		wait "$ap" || st=$?
		grep -q "is cut short" "$T/err" && break   # else it died between two lines
	done
	cat "$T/err"
	grep -q "warning: line [0-9]*, the last, is cut short (no newline at the end of the input: the hub tool writing it stopped in mid-line); not stored" "$T/err"
	[ "$st" -eq 0 ]
	[ ! -e "$T/dlq" ]
	stats=$(grep '^{"tool"' "$T/err")
	[ "$(jq .failed <<<"$stats")" -eq 0 ]
	[ "$(jq .in <<<"$stats")" -eq "$(jq .out <<<"$stats")" ]
	[ "$(all_lines | wc -l)" -eq "$(jq .out <<<"$stats")" ]
	visible_lines_parse
}

@test "a last line without its newline from a file or another program: whole, it is stored; cut, a failure as before" {
	"$GEN" 3 --seed 42 >"$T/in"
	head -c -1 "$T/in" | A --dlq "$T/dlq"
	[ "$(all_lines | wc -l)" -eq 3 ]
	[ ! -e "$T/dlq" ]
	rm -rf "$T/a"
	run bash -c "head -c -20 '$T/in' | hub-archive -d '$T/a' --dlq '$T/dlq'"
	[ "$status" -eq 1 ]
	[ "$(all_lines | wc -l)" -eq 2 ]
	[ "$(count_lines "$T/dlq")" -eq 1 ]
	[ "$(jq .line "$T/dlq")" -eq 3 ]
}
