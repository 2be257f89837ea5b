#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the radix tree as an out-of-tree module (kho_radix_tree.ko) from the
# same sources as the patch series.
#
# usage: build-module.sh OUTDIR     (KDIR= overrides the kernel build dir)
set -eu
[ $# -eq 1 ] || { echo "usage: build-module.sh OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
kdir=${KDIR:-/lib/modules/6.12.117+deb12-amd64/build}
out=$1

[ -r "$kdir/Makefile" ] || {
	echo "build-module: no kernel build directory '$kdir' (install linux-headers-6.12.117+deb12-amd64)" >&2
	exit 1
}
mkdir -p "$out/include"
out=$(cd "$out" && pwd)
# Copy only when changed, so that kbuild sees unchanged timestamps.
sync_file() {
	mkdir -p "$(dirname "$2")"
	cmp -s "$1" "$2" || cp "$1" "$2"
}
sync_file "$here/module/Kbuild" "$out/Kbuild"
sync_file "$here/src/lib/kho_radix_tree.c" "$out/kho_radix_tree.c"
(cd "$here/src/include" && find . -name '*.h') | while read -r h; do
	sync_file "$here/src/include/$h" "$out/include/$h"
done
make -C "$kdir" M="$out" modules
