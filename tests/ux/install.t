#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install` with PREFIX and DESTDIR: every piece lands under
# DESTDIR, the installed tools run, and a program builds and runs against
# the installed library through `pkg-config khoradix` alone.
. "$KHO_SRC/tests/cli/lib.sh"

R=$T/root
# The build tree of this run is up to date (check-run depends on all), so
# this only installs.
make -s -C "$KHO_SRC" O="$KHO_BUILD" PREFIX=/usr DESTDIR="$R" install >"$T/log" 2>&1
rc=$?
expect_eq "$rc" 0 "make PREFIX=/usr DESTDIR=... install"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/log" | tail -20

for f in bin/khowalk bin/khodump lib/libkhoradix.so.0 lib/libkhoradix.so \
	lib/libkhoradix.a include/khotools/radix_reader.h lib/pkgconfig/khoradix.pc \
	share/man/man1/khowalk.1 share/man/man1/khodump.1 share/man/man3/libkhoradix.3 \
	share/bash-completion/completions/khowalk share/bash-completion/completions/khodump; do
	[ -e "$R/usr/$f" ]
	ok $? "installed /usr/$f"
done
# Every page under man/ and every completion is installed (globs).
for p in "$KHO_SRC"/man/*.[1-8]; do
	s=${p##*.}
	cmp -s "$p" "$R/usr/share/man/man$s/${p##*/}"
	ok $? "man page ${p##*/} installed in man$s"
done
outside=$(find "$R" -mindepth 1 -maxdepth 1 ! -name usr)
expect_eq "$outside" "" "nothing outside DESTDIR/usr"
expect_eq "$(sed -n 's/^prefix=//p' "$R/usr/lib/pkgconfig/khoradix.pc")" /usr \
	"the .pc names PREFIX, not the build's default"

run env LD_LIBRARY_PATH="$R/usr/lib" "$R/usr/bin/khowalk" --version
expect_eq "$rc/$out" "0/khowalk $(sed -n 's/^VERSION := //p' "$KHO_SRC/Makefile")" \
	"the installed khowalk runs"

# pkg-config sees the DESTDIR tree as its sysroot.
export PKG_CONFIG_PATH="$R/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$R"
run pkg-config --cflags --libs khoradix
expect_eq "$rc/${out% }" "0/-I$R/usr/include -L$R/usr/lib -lkhoradix" "pkg-config --cflags --libs khoradix"
cat >"$T/prog.c" <<'EOC'
/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <khotools/radix_reader.h>

int main(void)
{
	struct khor_geom g;
	uint64_t key, phys;
	unsigned int order;

	if (khor_geom_init(&g, 12) || khor_key_encode(&g, 0x123456000, 0, &key) ||
	    khor_key_decode(&g, 0x80000000001, &phys, &order))
		return 1;
	printf("0x%llx 0x%llx %u %s\n", (unsigned long long)key,
	       (unsigned long long)phys, order, khor_strerror(-KHOR_ENODATA));
	return 0;
}
EOC
# A sanitized build (make check) installs a sanitized library.
san=
nm -D "$R/usr/lib/libkhoradix.so.0" 2>/dev/null | grep -q __asan_ &&
	san="-fsanitize=address,undefined"
# shellcheck disable=SC2046,SC2086
cc $san -o "$T/prog" "$T/prog.c" $(pkg-config --cflags --libs khoradix) >"$T/cc" 2>&1
ok $? "a program compiles and links with pkg-config's flags only"
sed 's/^/#   /' "$T/cc"
run env LD_LIBRARY_PATH="$R/usr/lib" ASAN_OPTIONS=detect_leaks=0 "$T/prog"
expect_eq "$rc/$out" "0/0x10000000123456 0x200000 9 page not in the dump" \
	"and runs against the installed shared library"
# shellcheck disable=SC2046,SC2086
cc $san -o "$T/prog-static" "$T/prog.c" $(pkg-config --static --cflags khoradix) \
	"$R/usr/lib/libkhoradix.a" $(pkg-config --static --libs-only-l khoradix | sed 's/-lkhoradix//') >"$T/cc" 2>&1
ok $? "and links statically with pkg-config --static (Libs.private)"
sed 's/^/#   /' "$T/cc"
done_testing
