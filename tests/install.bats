#!/usr/bin/env bats
# make install, the man pages, and libhub used from an outside program.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."

@test "make install puts binaries, man pages, library, headers and hub.pc under DESTDIR/PREFIX" {
	build=$(cd "$HUB_BIN/.." && pwd)
	make -s -C "$ROOT" BUILD="$build" install DESTDIR="$T/dest" PREFIX=/opt/hub >/dev/null
	for f in bin/hub-produce bin/hub-consume bin/hub-devbroker lib/libhub.a include/hub/json/scan.h \
		include/hub/stream/failstore.h lib/pkgconfig/hub.pc share/man/man1/hub-produce.1 share/man/man7/hub.7; do
		[ -e "$T/dest/opt/hub/$f" ] || { echo "missing $f"; false; }
	done
	grep -qx 'prefix=/opt/hub' "$T/dest/opt/hub/lib/pkgconfig/hub.pc"
	# the schema registry, whole, where hub-validate looks when there is no ./schemas
	[ -f "$T/dest/opt/hub/share/hub/schemas/index" ]
	diff -r "$ROOT/schemas" "$T/dest/opt/hub/share/hub/schemas"
	# the public headers only: lib/'s own *-internal.h stay behind
	[ -z "$(find "$T/dest/opt/hub/include" -name '*-internal.h')" ]
	n=$(find "$T/dest/opt/hub/include/hub" -name '*.h' | wc -l)
	[ "$n" -eq "$(find "$ROOT/lib" -name '*.h' ! -name '*-internal.h' | wc -l)" ]
}

@test "each installed header compiles on its own, with only pkg-config's flags" {
	build=$(cd "$HUB_BIN/.." && pwd)
	make -s -C "$ROOT" BUILD="$build" install PREFIX="$T/p" >/dev/null
	flags=$(PKG_CONFIG_PATH="$T/p/lib/pkgconfig" pkg-config --cflags hub)
	cd "$T/p/include"
	for h in $(find hub -name '*.h' | sort); do
		printf '#include <%s>\nint main(void) { return 0; }\n' "$h" >"$T/one.c"
		cc -std=c11 -fsyntax-only $flags "$T/one.c" || { echo "$h does not compile alone"; false; }
	done
}

@test "without --schemas, HUB_SCHEMAS or ./schemas, hub-validate uses the installed registry" {
	unset HUB_SCHEMAS
	cd "$T"
	run hub-validate --list
	if [ "$status" -ne 0 ]; then
		# not installed on this machine: the message names where it looked
		echo "$output" | grep -q '/share/hub/schemas'
	else
		# installed beside the program, or the checkout's own for build/bin
		echo "$output" | grep -q -e '/share/hub/schemas/com.example.retail.order.created/' \
			-e "^com.example.retail.order.created	1	1	BACKWARD	$(cd "$ROOT" && pwd)/schemas/"
	fi
	# ./schemas comes first when there is one
	mkdir -p schemas/s
	echo '"null"' >schemas/s/1.avsc
	echo '1 s 1' >schemas/index
	run hub-validate --list
	[ "$status" -eq 0 ]
	[ "$output" = "s	1	1	BACKWARD	schemas/s/1.avsc" ]
}

@test "installed under another PREFIX than the build's, or run from build/bin, hub-validate finds its registry" {
	build=$(cd "$HUB_BIN/.." && pwd)
	# the build is configured for /usr/local; installed under $T/elsewhere
	make -s -C "$ROOT" BUILD="$build" install PREFIX="$T/elsewhere" >/dev/null
	unset HUB_SCHEMAS
	mkdir "$T/empty" && cd "$T/empty"
	run "$T/elsewhere/bin/hub-validate" --list
	[ "$status" -eq 0 ]
	echo "$output" | grep -q "^com.example.retail.order.created	1	1	BACKWARD	$T/elsewhere/share/hub/schemas/com.example.retail.order.created/1.avsc\$"
	echo '{"specversion":"1.0","id":"1","source":"s","type":"nope","data":{}}' >"$T/e"
	run "$T/elsewhere/bin/hub-validate" --dlq "$T/f" <"$T/e"
	[ "$status" -eq 1 ]
	grep -q 'no subject' "$T/f" || grep -q 'nope' "$T/f"
	# build/bin put on PATH: the checkout's schemas, from any folder
	run env PATH="$build/bin:$PATH" hub-validate --list
	[ "$status" -eq 0 ]
	echo "$output" | grep -q "	$(cd "$ROOT" && pwd)/schemas/com.example.retail.order.created/1.avsc\$"
}

@test "an outside C program builds against libhub with pkg-config" {
	build=$(cd "$HUB_BIN/.." && pwd)
	make -s -C "$ROOT" BUILD="$build" install PREFIX="$T/p" >/dev/null
	cat >"$T/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <hub/json/scan.h>
int main(void)
{
	struct hub_path p;
	struct hub_span f;
	char err[128];
	const char *l = "{\"data\":{\"total\":19.99}}";
	struct hub_json *js = hub_json_new();

	hub_path_parse("data.total", &p, err, sizeof(err));
	hub_json_set_paths(js, &p, 1);
	if (hub_json_scan(js, l, strlen(l), &f, NULL) < 0)
		return 1;
	printf("%.*s\n", (int)f.len, f.p);
	hub_json_free(js);
	hub_path_free(&p);
	return 0;
}
C
	flags=$(PKG_CONFIG_PATH="$T/p/lib/pkgconfig" pkg-config --cflags --libs hub)
	cc -o "$T/prog" "$T/prog.c" $flags ${HUB_SANITIZE:+-fsanitize=address,undefined}
	[ "$("$T/prog")" = "19.99" ]
}

# that --help and the man page name the same options is tests/options.bats
@test "every tool has a man page that renders without warnings, with an EXIT STATUS" {
	for tool in "$HUB_BIN"/hub-*; do
		name=$(basename "$tool")
		page="$ROOT/man/$name.1"
		[ -f "$page" ] || { echo "no man page for $name"; false; }
		warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$warn" ] || { echo "$name: $warn"; false; }
		text=$(MANWIDTH=200 man -l "$page" 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g; s/.\x08//g')
		grep -q 'EXIT STATUS' <<<"$text"
	done
	MANWIDTH=80 man --warnings -l "$ROOT/man/hub.7" 2>&1 >/dev/null | { ! grep .; }
}
