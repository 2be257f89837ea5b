#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Pack the lab guest's initramfs: static busybox, tests/lab/guest/init, the
# modules, and the tools with the shared libraries ldd names for them (the
# tools link libkdumpfile, which Debian ships only as a shared library, and
# under SAN=1 the sanitizer runtimes).
#
# usage: tests/lab/mkinitramfs.sh OUT.cpio SRC_DIR KHO_LAB_KO QEMU_FW_CFG_KO TOOL...
set -eu

[ $# -ge 5 ] || {
	echo "usage: mkinitramfs.sh OUT.cpio SRC_DIR KHO_LAB_KO QEMU_FW_CFG_KO TOOL..." >&2
	exit 2
}
out=$1 src=$2 ko=$3 fwcfg=$4
shift 4

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

busybox=/bin/busybox
ldd "$busybox" 2>&1 | grep -q "not a dynamic executable" ||
	die "'$busybox' is not static (install busybox-static)"

root=$(mktemp -d "${out%/*}/.initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/lab" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$src/tests/lab/guest/init" "$root/init"
chmod 755 "$root/init"
cp "$ko" "$root/lab/kho_lab.ko"
cp "$fwcfg" "$root/lab/qemu_fw_cfg.ko"

"$src/tests/lab/add-tools.sh" "$root" "$@"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
