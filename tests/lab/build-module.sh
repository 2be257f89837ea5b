#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build tests/lab/mod/kho_lab.ko out of tree against the headers of the lab
# kernel: the lab module source and kernel-patch/src/lib/kho_radix_tree.c
# (the same file, symlinked, not a copy) in one module.
#
# usage: tests/lab/build-module.sh SRC_DIR OUT_DIR KDIR
#   SRC_DIR  the khotools source tree
#   OUT_DIR  where the module is built (recreated); OUT_DIR/kho_lab.ko
#   KDIR     the kernel build directory, /lib/modules/<kver>/build
set -eu

src=$(cd "${1:?usage: build-module.sh SRC_DIR OUT_DIR KDIR}" && pwd)
out=${2:?usage: build-module.sh SRC_DIR OUT_DIR KDIR}
kdir=${3:?usage: build-module.sh SRC_DIR OUT_DIR KDIR}

[ -f "$kdir/Makefile" ] || {
	echo "build-module: no kernel build directory at '$kdir'" \
		"(linux-headers missing?)" >&2
	exit 1
}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
cp "$src/tests/lab/mod/Kbuild" "$src/tests/lab/mod/kho_lab_main.c" \
	"$src/tests/lab/mod/kho_lab_common.h" "$out/"
ln -s "$src/kernel-patch/src/lib/kho_radix_tree.c" "$out/kho_radix_tree.c"

# Our make's variables (O=, SAN=, ...) must not reach Kbuild: O= would
# move its output tree.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make -C "$kdir" M="$out" KHO_PATCH="$src/kernel-patch" modules >"$out/build.log" 2>&1 || {
	cat "$out/build.log" >&2
	echo "build-module: kbuild failed (log: $out/build.log)" >&2
	exit 1
}
# Warnings are errors here: the module is ours.
if grep -E 'warning:' "$out/build.log" >&2; then
	echo "build-module: kbuild printed warnings (log: $out/build.log)" >&2
	exit 1
fi
[ -s "$out/kho_lab.ko" ] || { echo "build-module: no kho_lab.ko" >&2; exit 1; }
