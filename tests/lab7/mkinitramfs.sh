#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Pack the upstream lab's initramfs. The guest kexecs into the same kernel
# with the same /init, so the initramfs carries the kernel image and a copy
# of itself: an inner archive (busybox, tests/lab7/guest/init, kho_lab7.ko,
# lab7-handover, the tools and their libraries) that the second kernel
# boots with, and the outer one = inner + /lab/bzImage + /lab/initramfs.cpio.
#
# usage: tests/lab7/mkinitramfs.sh OUT.cpio SRC_DIR KHO_LAB7_KO BZIMAGE HANDOVER TOOL...
set -eu

[ $# -ge 6 ] || {
	echo "usage: mkinitramfs.sh OUT.cpio SRC_DIR KHO_LAB7_KO BZIMAGE HANDOVER TOOL..." >&2
	exit 2
}
out=$1 src=$2 ko=$3 bzimage=$4 handover=$5
shift 5

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

[ -s "$bzimage" ] || die "no kernel image '$bzimage'"

root=$(mktemp -d "${out%/*}/.initramfs7.XXXXXX")
trap 'rm -rf "$root"' EXIT
"$src/tests/lab/guest-root.sh" "$root" "$src/tests/lab7/guest/init" \
	"$handover" "$@"
cp "$ko" "$root/lab/kho_lab7.ko"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.inner"
cp "$bzimage" "$root/lab/bzImage"
mv "$out.inner" "$root/lab/initramfs.cpio"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
