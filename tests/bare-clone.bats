#!/usr/bin/env bats
# A clone stands alone: the committed HEAD, cloned into an empty folder with
# nothing beside it (no ../shared), runs `make demo` and passes `make test`,
# building into its own build/. The inner `make test` skips this test
# (HUB_INNER_CLONE), so it does not clone itself again. About as long as
# the rest of the suite.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."

@test "a bare clone with nothing beside it runs make demo and passes make test" {
	[ -z "${HUB_INNER_CLONE:-}" ] || skip "this is the bare clone's own run (HUB_INNER_CLONE)"
	# the clone builds and tests without the sanitizers either way: once, in make test, is enough
	[ -z "${HUB_SANITIZE:-}" ] || skip "the bare clone runs in make test; its own build is not the sanitizer build"
	git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 || skip "not in a git repository: nothing to clone"
	head=$(git -C "$ROOT" rev-parse HEAD)
	mkdir "$T/empty"
	git clone -q "$ROOT" "$T/empty/hub"
	git -C "$T/empty/hub" checkout -q --detach "$head"
	clone=$T/empty/hub
	[ "$(ls -A "$T/empty")" = hub ]
	[ ! -e "$clone/../shared" ]
	[ ! -e "$clone/build" ]
	# Nothing of this run may leak into the clone's: not its tools, not the
	# sanitizer build, not the make that runs this suite (its jobserver),
	# not this bats run (its variables and exported functions). The clone
	# starts from a clean environment, as in a new login shell.
	path=$(echo "$PATH" | tr ':' '\n' | grep -vxF -e "$HUB_BIN" -e "${BATS_LIBEXEC:-/nonexistent}" | paste -sd:)
	inner() {
		(cd "$clone" && env -i HOME="$HOME" PATH="$path" LANG="${LANG:-C.UTF-8}" \
			${TMPDIR:+TMPDIR="$TMPDIR"} HUB_INNER_CLONE=1 "$@")
	}

	inner make -j2 demo >"$T/demo.out" 2>"$T/demo.err" || {
		status=$?
		tail -n 30 "$T/demo.out" "$T/demo.err"
		echo "make demo exited with $status"
		false
	}
	# the demo's accounting: every line in Kafka or the failure store
	grep -E '^in 1000 = in Kafka [0-9]+ \+ failed [1-9][0-9]*$' "$T/demo.out"
	grep -E '^in Kafka [0-9]+ = archived [0-9]+ \+ duplicates dropped [1-9][0-9]*$' "$T/demo.out"
	# built in the clone, with the clone's generator
	[ -x "$clone/build/bin/hub-gen-events" ]
	[ -x "$clone/build/bin/hub-validate" ]

	status=0
	inner make -j2 test >"$T/test.out" 2>&1 || status=$?
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$T/test.out" | tail -n 1)
	echo "inner make test: exit $status, '$summary'"
	[ "$status" -eq 0 ] || { grep -A8 '^not ok' "$T/test.out" | head -n 60; tail -n 20 "$T/test.out"; false; }
	[[ "$summary" =~ ^([0-9]+)\ passed,\ 0\ failed,\ ([0-9]+)\ skipped$ ]]
	passed=${BASH_REMATCH[1]} skipped=${BASH_REMATCH[2]}
	[ "$passed" -gt 100 ]
	# skipped: this test, each conformance test of ../shared, and the chaos
	# rounds (tests/end-to-end.bats, hub-deliver's kills: this suite runs
	# them), saying why
	grep -qE '^ok [0-9]+ a bare clone .* # skip this is the bare clone' "$T/test.out"
	peers=$(grep -cE '^ok [0-9]+ .* # skip \.\./shared/peers/[^ ]+ not found: the conformance suites come with \.\./shared' "$T/test.out")
	chaos=$(grep -cE '^ok [0-9]+ .* # skip the chaos rounds run in the outer suite' "$T/test.out")
	[ "$peers" -ge 1 ]
	# every test of end-to-end.bats (skipped in its setup), and the kill rounds of other files
	others=$(grep -l 'skip "the chaos rounds run in the outer suite' "$ROOT"/tests/*.bats | grep -v -e end-to-end.bats -e bare-clone.bats |
		xargs cat | grep -c 'skip "the chaos rounds run in the outer suite')
	[ "$chaos" -eq $(( $(grep -c '^@test' "$ROOT/tests/end-to-end.bats") + others )) ]
	[ "$skipped" -eq $((peers + chaos + 1)) ]
}
