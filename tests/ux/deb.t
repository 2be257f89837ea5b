#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian packaging: dpkg-buildpackage -us -uc -b builds the three
# packages from a copy of the tree (tests/ux/build-deb.sh); each is unpacked
# with dpkg -x into a temporary root and the tools run from there. Nothing
# is installed on the host.
. "$KHO_SRC/tests/cli/lib.sh"

status_before=$(dpkg-query -W -f='${Package} ${Status}\n' khotools libkhoradix0 libkhoradix-dev 2>/dev/null)
"$KHO_SRC/tests/ux/build-deb.sh" "$KHO_SRC" "$T/deb" >"$T/debs" 2>"$T/err"
rc=$?
expect_eq "$rc" 0 "dpkg-buildpackage -us -uc -b builds"
sed 's/^/#   /' "$T/err" | tail -20
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$KHO_SRC/debian/changelog")
expect_eq "$version" "$(sed -n 's/^VERSION := //p' "$KHO_SRC/Makefile")" \
	"debian/changelog's version is the Makefile's"
for p in khotools libkhoradix0 libkhoradix-dev; do
	deb=$T/deb/${p}_${version}_$(dpkg --print-architecture).deb
	[ -s "$deb" ] && dpkg-deb -x "$deb" "$T/root"
	ok $? "$p: built and unpacked"
done
grep -q 'dh_auto_test' "$T/deb/build.log" && ! grep -q 'tests/run-tap.sh' "$T/deb/build.log"
ok $? "the package build runs a smoke test, not the test suite"

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for f in usr/bin/khowalk usr/bin/khodump usr/share/man/man1/khowalk.1.gz \
	usr/share/bash-completion/completions/khowalk usr/lib/$ma/libkhoradix.so.0 \
	usr/lib/$ma/libkhoradix.so usr/lib/$ma/pkgconfig/khoradix.pc \
	usr/include/khotools/radix_reader.h usr/share/man/man3/libkhoradix.3.gz; do
	[ -e "$T/root/$f" ]
	ok $? "packaged /$f"
done
run env LD_LIBRARY_PATH="$T/root/usr/lib/$ma" "$T/root/usr/bin/khowalk" --version
expect_eq "$rc/$out" "0/khowalk $version" "the packaged khowalk --version runs from the temporary root"
F=$FIX/upstream-v2
run "$T/root/usr/bin/khowalk" --vmcore "$F/vmcore.elf" --fdt-phys "$(cat "$F/fdt_phys.txt")" check
expect_eq "$rc/$out" "0/ok: 2486 blocks in 1514 ranges, 731 metadata pages" "and walks the bundled sample"
expect_eq "$(dpkg-query -W -f='${Package} ${Status}\n' khotools libkhoradix0 libkhoradix-dev 2>/dev/null)" \
	"$status_before" "the host's package state is unchanged"
done_testing
