#!/usr/bin/env bats
# make demo's pipeline (scripts/demo): the quick start's main job must run
# end to end and account for every event.

load helpers

@test "the demo runs the whole pipeline end to end and accounts for every event" {
	run "$BATS_TEST_DIRNAME/../scripts/demo"
	echo "$output"
	[ "$status" -eq 0 ]
	# not a terminal: no escape codes in the log
	[[ "$output" != *$'\033'* ]]
	# every line is in Kafka or in the failure store
	line=$(echo "$output" | grep -E '^in [0-9]+ = in Kafka [0-9]+ \+ failed [0-9]+$')
	set -- $line
	[ "$2" -eq 1000 ]
	[ "$2" -eq $(($6 + $9)) ]
	[ "$9" -gt 0 ]
	kafka=$6
	# every consumed event is archived or dropped as a duplicate
	line=$(echo "$output" | grep -E '^in Kafka [0-9]+ = archived [0-9]+ \+ duplicates dropped [0-9]+$')
	set -- $line
	[ "$3" -eq "$kafka" ]
	[ "$3" -eq $(($6 + ${10})) ]
	[ "${10}" -gt 0 ]
	# the trace shows one order's life, and the key holder reads the name back
	echo "$output" | grep -qE 'order\.created +from .* partition [0-9]+ offset [0-9]+'
	echo "$output" | grep -qE 'shipment\.dispatched +from'
	echo "$output" | grep -q '{"name":"tok1_'
	echo "$output" | grep -qE '^\{"name":"[^t][^"]*","email":"[^"]*@example.com"\}$'
}
