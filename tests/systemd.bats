#!/usr/bin/env bats
# The units of systemd/: each passes systemd-analyze verify, make install
# puts them (with the tools' path in place of @BINDIR@) under
# SYSTEMDUNITDIR, the timers make up missed runs, and the pipeline
# template's command line runs a pipeline from its environment file's
# PIPELINE, failing when a stage fails.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."

# the units with @BINDIR@ the tools under test, in $T/units
units() {
	mkdir -p "$T/units"
	for u in "$ROOT"/systemd/*.service "$ROOT"/systemd/*.timer; do
		sed "s|@BINDIR@|$HUB_BIN|g" "$u" >"$T/units/$(basename "$u")"
	done
}

@test "systemd-analyze verify passes on every unit and timer, templates with an instance" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not found (Debian's systemd package; scripts/install-deps)"
	units
	cd "$T/units"
	n=0
	for u in *.service *.timer; do
		case "$u" in
		*@.service) u="${u%@.service}@test.service" ;;
		esac
		systemd-analyze verify --man=no "./$u" >"$T/out" 2>&1 || { cat "$T/out"; false; }
		[ ! -s "$T/out" ] || { echo "$u:"; cat "$T/out"; false; }
		n=$((n + 1))
	done
	# the pipeline template, hub-deliver, hub-registry, hub-archive serve,
	# prune and compress with their timers
	[ "$n" -eq 8 ]
}

@test "the timers are persistent and start a service of their own name" {
	for t in "$ROOT"/systemd/*.timer; do
		grep -qx 'Persistent=true' "$t"
		[ -f "${t%.timer}.service" ]
		grep -qx 'Type=oneshot' "${t%.timer}.service"
	done
	[ -f "$ROOT/systemd/hub-archive-prune.timer" ] && [ -f "$ROOT/systemd/hub-archive-compress.timer" ]
}

@test "the long-running units are Type=notify (the tools speak the protocol) and take no secret on their command line" {
	for u in hub-pipeline@ hub-deliver@ hub-registry hub-archive-serve; do
		grep -qx 'Type=notify' "$ROOT/systemd/$u.service"
		grep -q '^WatchdogSec=' "$ROOT/systemd/$u.service"
		! grep -iE '^[^#]*(password|secret|token)=' "$ROOT/systemd/$u.service"
	done
	grep -qx 'NotifyAccess=all' "$ROOT/systemd/hub-pipeline@.service"
	grep -q '^LoadCredential=kafka.conf:' "$ROOT/systemd/hub-pipeline@.service"
	grep -qx 'EnvironmentFile=/etc/hub/pipeline/%i.env' "$ROOT/systemd/hub-pipeline@.service"
}

@test "make install puts the units under SYSTEMDUNITDIR with the installed tools' path" {
	build=$(cd "$HUB_BIN/.." && pwd)
	make -s -C "$ROOT" BUILD="$build" install DESTDIR="$T/dest" PREFIX=/opt/hub >/dev/null
	for u in "$ROOT"/systemd/*.service "$ROOT"/systemd/*.timer; do
		f="$T/dest/opt/hub/lib/systemd/system/$(basename "$u")"
		[ -f "$f" ] || { echo "missing $f"; false; }
		! grep -q '@BINDIR@' "$f"
	done
	grep -q '/opt/hub/bin/hub-registry serve' "$T/dest/opt/hub/lib/systemd/system/hub-registry.service"
	[ -f "$T/dest/opt/hub/share/hub/systemd/pipeline.env.example" ]
	make -s -C "$ROOT" BUILD="$build" install DESTDIR="$T/dest2" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system >/dev/null
	[ -f "$T/dest2/lib/systemd/system/hub-pipeline@.service" ]
}

# The template's ExecStart as systemd hands it to bash: $$ is $, the one
# argument of -c is the single-quoted word.
pipeline_command() {
	sed -n "s/^ExecStart=\/bin\/bash -c '\(.*\)'$/\1/p" "$ROOT/systemd/hub-pipeline@.service" | sed 's/\$\$/$/g'
}

@test "the pipeline template runs PIPELINE with pipefail: the events pass, a failing stage fails the unit" {
	cmd=$(pipeline_command)
	[ -n "$cmd" ]
	PIPELINE="hub-gen-events 20 | hub-dedup --dlq '$T/dlq' --name one >'$T/out'" bash -c "$cmd"
	[ "$(wc -l <"$T/out")" -eq 20 ]
	# the first stage fails (64, a usage error): the unit fails, even though the last stage ended well
	st=0
	PIPELINE="hub-gen-events --no-such-option | hub-dedup --dlq '$T/dlq' >'$T/out2'" bash -c "$cmd" 2>/dev/null || st=$?
	[ "$st" -eq 64 ]
	# the example environment file is a pipeline of this shape
	grep -q '^PIPELINE=' "$ROOT/systemd/pipeline.env.example"
}
