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

busybox=/bin/busybox
ldd "$busybox" 2>&1 | grep -q "not a dynamic executable" ||
	die "'$busybox' is not static (install busybox-static)"
[ -s "$bzimage" ] || die "no kernel image '$bzimage'"

root=$(mktemp -d "${out%/*}/.initramfs7.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/lab" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$src/tests/lab7/guest/init" "$root/init"
chmod 755 "$root/init"
cp "$ko" "$root/lab/kho_lab7.ko"
"$src/tests/lab/add-tools.sh" "$root" "$handover" "$@"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.inner"
cp "$bzimage" "$root/lab/bzImage"
mv "$out.inner" "$root/lab/initramfs.cpio"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
