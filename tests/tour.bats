#!/usr/bin/env bats
# The README's tour, as printed: every command of its code blocks, in
# order, in one shell of a new user (an empty HOME, no configuration, the
# tools on PATH as the tour says), in an empty folder.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."

# tour_script: the tour's commands, from its first code block after the
# PATH set-up to the end of the section; comment lines (the sample output)
# stay out. A server started in the background (the dev broker, the
# registry) is the only thing a user waits on: they see its address printed
# before typing the next command.
tour_script() {
	awk '/^## A tour/ { f = 1; next } /^## / { f = 0 } f' "$ROOT/README.md" |
		awk '/^Start a development broker/ { f = 1 } f' |
		sed -n 's/^    //p' | grep -v '^ *#' |
		sed -E 's|^((hub-[a-z]+) [^#]*) & *(#.*)?$|\1 >"$TOUR/\2.out" \& until [ -s "$TOUR/\2.out" ]; do sleep 0.1; done|'
}

@test "the README's tour runs as printed: no command fails but the one that shows failures, and each shows what the tour says" {
	export TOUR="$T"
	mkdir -p "$T/home" "$T/run" "$T/work"
	tour_script >"$T/tour.sh"
	# the tour has the steps it had when this test was written
	[ "$(grep -c '' "$T/tour.sh")" -ge 20 ]
	grep -q '^hub-devbroker' "$T/tour.sh"
	grep -q '^hub-registry serve' "$T/tour.sh"
	{
		echo 'set -o pipefail'
		echo 'trap '\''echo "$? $BASH_COMMAND" >>"$TOUR/failed"'\'' ERR'
		cat "$T/tour.sh"
		echo 'kill $(jobs -p); wait'
	} >"$T/run.sh"
	cd "$T/work"
	run env -u XDG_CONFIG_HOME -u XDG_STATE_HOME -u HUB_DEVBROKER_FILE -u HUB_CONFIG -u HUB_DLQ \
		-u HUB_SCHEMAS -u HUB_KEY_FILE HOME="$T/home" XDG_RUNTIME_DIR="$T/run" timeout 300 bash "$T/run.sh"
	echo "$output"
	[ "$status" -eq 0 ] || [ "$status" -eq 143 ]   # the broker's kill
	# the one command that exits 1: the feed with defects, whose failures the tour shows
	cat "$T/failed"
	[ "$(grep -c '' "$T/failed")" -eq 1 ]
	grep -q '^1 hub-validate > valid.ndjson$' "$T/failed"   # the feed with defects
	# the sample reasons printed in the tour are the ones the failure store has
	awk '/^## A tour/ { f = 1; next } /^## / { f = 0 } f' "$ROOT/README.md" |
		sed -n 's/^    #   *\([0-9][0-9]* \)/\1/p' >"$T/printed"
	[ "$(grep -c '' "$T/printed")" -ge 3 ]
	jq -r .reason "$T/home/.local/state/hub/failed.ndjson" | sort | uniq -c | sort -rn |
		sed 's/^ *//' | head -n "$(grep -c '' "$T/printed")" | diff - "$T/printed"
	# what each step shows
	echo "$output" | grep -Eq '^ +[0-9]+ com.example.retail.order.created$'
	echo "$output" | grep -Eq '^\["com.example.retail.[a-z.]+","[A-Z]+-[A-Z0-9-]+","[A-Z]{2}"\]$'   # decoded from Avro
	# the registry served the subjects, and the id of order.paid's latest version
	echo "$output" | grep -qx '\["com.example.retail.customer.updated","com.example.retail.inventory.adjusted","com.example.retail.order.created","com.example.retail.order.paid","com.example.retail.shipment.dispatched"\]'
	echo "$output" | grep -qx '2'
	[ -d "$T/work/hist" ]
	# trace, piped: the order's three events as NDJSON envelopes, in order
	[ "$(echo "$output" | grep '"key":"ORD-IT-986873405"' | jq -r .value.type | tr '\n' ' ')" = \
		"com.example.retail.order.created com.example.retail.order.paid com.example.retail.shipment.dispatched " ]
	echo "$output" | grep -q '"id": "c30c10ec-ddaf-4d58-84cd-604c36f8dd52"'
	# find --since 1d finds the tour's IT orders paid; prune would remove nothing
	[ "$(HOME="$T/home" hub-archive -d "$T/work/hist" find --type com.example.retail.order.paid --since 1d --grep '"market":"IT"' | wc -l)" -gt 0 ]
	[[ "$output" != *"whole archive"* ]]
	[[ "$output" != *"No such file"* ]]
	[[ "$output" != *"command not found"* ]]
}
