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

root=$(mktemp -d "${out%/*}/.initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
"$src/tests/lab/guest-root.sh" "$root" "$src/tests/lab/guest/init" "$@"
cp "$ko" "$root/lab/kho_lab.ko"
cp "$fwcfg" "$root/lab/qemu_fw_cfg.ko"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
