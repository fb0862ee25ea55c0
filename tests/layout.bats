#!/usr/bin/env bats
# The architecture as the tree shows it: lib/ folders in layers, internal
# headers kept inside lib/, and README's Layout section saying the same.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."

# What each lib/ folder may include besides itself: the layers of README's
# Layout line, core <- json <- stream <- schema <- {kafka, privacy};
# stream <- {dedup, archive}. A new folder must be added here, and to README.
declare -gA MAY=(
	[core]=""
	[json]="core"
	[stream]="core json"
	[schema]="core json stream"
	[kafka]="core json stream schema"
	[privacy]="core json stream schema"
	[dedup]="core json stream"
	[archive]="core json stream"
	[gen]="core"
	[http]="core"
	[registry]="core json stream schema http"
	[deliver]="core json stream schema kafka"
	[support]="core json stream archive http"
	[gateway]="core json stream schema kafka http"
)
RULE='core <- json <- stream <- schema <- {kafka, privacy}; stream <- {dedup, archive}; core <- gen; core <- http; {schema, http} <- registry; kafka <- deliver; {archive, http} <- support; {kafka, http} <- gateway'

@test "every lib/ include follows the layers: a folder includes only those below it" {
	bad=""
	for dir in "$ROOT"/lib/*/; do
		d=$(basename "$dir")
		[ -n "${MAY[$d]+set}" ] || { echo "lib/$d is not in the layer table (tests/layout.bats, README)"; false; }
		while IFS=: read -r file inc; do
			to=${inc%%/*}
			[ "$to" = "$d" ] && continue
			case " ${MAY[$d]} " in *" $to "*) ;; *) bad="$bad
${file#"$ROOT"/}: includes $inc" ;; esac
		done < <(grep -Ho '^#include "[^"]*"' "$dir"*.[ch] | sed 's/#include "//; s/"$//')
	done
	[ -z "$bad" ] || { echo "includes that break the layers ($RULE):$bad"; false; }
}

@test "lib/ includes name the folder, and every included header exists" {
	run grep -Hn '^#include "[^/"]*"' "$ROOT"/lib/*/*.[ch] "$ROOT"/cmd/*.c
	[ "$status" -eq 1 ] || { echo "flat includes: $output"; false; }
	for inc in $(grep -ho '^#include "[^"]*"' "$ROOT"/lib/*/*.[ch] "$ROOT"/cmd/*.c "$ROOT"/tests/helper/*.c |
		sed 's/#include "//; s/"$//' | sort -u); do
		[ -f "$ROOT/lib/$inc" ] || { echo "no lib/$inc"; false; }
	done
}

@test "cmd/ uses only the public headers, never a lib/*-internal.h one" {
	run grep -Hn '^#include ".*-internal\.h"' "$ROOT"/cmd/*.c
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	# and a public header never pulls in an internal one
	run grep -Hn '^#include ".*-internal\.h"' $(ls "$ROOT"/lib/*/*.h | grep -v -- '-internal\.h$')
	[ "$status" -eq 1 ] || { echo "$output"; false; }
}

@test "all of lib/'s headers compile together in one file: each name is defined once" {
	for h in "$ROOT"/lib/*/*.h; do
		echo "#include \"${h#"$ROOT"/lib/}\""
	done >"$T/all.c"
	echo 'int main(void) { return 0; }' >>"$T/all.c"
	cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -fsyntax-only -I"$ROOT/lib" \
		$(pkg-config --cflags rdkafka jansson libsodium avro-c libzstd) "$T/all.c"
	# and each compiles on its own
	for h in "$ROOT"/lib/*/*.h; do
		printf '#include "%s"\nint main(void) { return 0; }\n' "${h#"$ROOT"/lib/}" >"$T/one.c"
		cc -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -fsyntax-only -I"$ROOT/lib" \
			$(pkg-config --cflags rdkafka jansson libsodium avro-c libzstd) "$T/one.c" ||
			{ echo "${h#"$ROOT"/} does not compile alone"; false; }
	done
}

@test "README's Layout section gives the layer rule and names every lib/ folder" {
	layout=$(sed -n '/^## Layout/,/^## /p' "$ROOT/README.md")
	grep -qF -- "$RULE" <<<"$layout" || { echo "README lacks: $RULE"; false; }
	for dir in "$ROOT"/lib/*/; do
		d=$(basename "$dir")
		grep -qF "lib/$d/" <<<"$layout" || { echo "README's Layout does not name lib/$d/"; false; }
	done
}
