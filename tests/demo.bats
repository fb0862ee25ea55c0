#!/usr/bin/env bats
# make demo's pipeline (scripts/demo): the quick start's main job must run
# end to end and account for every event.

load helpers

@test "the demo runs end to end and accounts for every event" {
	run "$BATS_TEST_DIRNAME/../scripts/demo"
	echo "$output"
	[ "$status" -eq 0 ]
	# every line is in Kafka or in the failure store
	line=$(echo "$output" | grep -E '^in [0-9]+ = in Kafka [0-9]+ \+ failed [0-9]+$')
	set -- $line
	[ "$2" -eq $(($6 + $9)) ]
	[ "$9" -gt 0 ]
}
