#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prepare the upstream 7.x lab: the kernel (scripts/upstream-kernel.sh,
# cached by version), kho_lab7.ko built against its tree, the static
# lab7-handover program, the initramfs and the suites' configuration.
#
# usage: tests/lab7/prepare.sh SRC_DIR LAB7_DIR CACHE_DIR MOD_DIR TOOL...
#   LAB7_DIR  where the initramfs and config.sh go ($(O)/lab7)
#   MOD_DIR   where the module is built (build/lab7/mod: not SAN-dependent)
set -eu

src=$(cd "${1:?usage: prepare.sh SRC_DIR LAB7_DIR CACHE_DIR MOD_DIR TOOL...}" && pwd)
dir=${2:?} cache=${3:?} mod=${4:?}
shift 4

die() {
	echo "lab7-prepare: $*" >&2
	exit 1
}

# LAB7_SERIES=DIR: the kernel with that series applied (kernel-patch/v7).
if [ -n "${LAB7_SERIES:-}" ]; then
	kver=$("$src/scripts/upstream-kernel-patched.sh" "$cache" \
		"$src/tests/lab7/kho-7x.config" "$LAB7_SERIES") || die "no patched upstream kernel"
else
	kver=$("$src/scripts/upstream-kernel.sh" "$cache" "$src/tests/lab7/kho-7x.config") ||
		die "no upstream kernel"
fi
kdir=$cache/upstream/$kver
[ -s "$kdir/bzImage" ] && [ -f "$kdir/build/Makefile" ] ||
	die "incomplete kernel cache '$kdir'"

# The module, out of tree against the configured and built 7.x tree.
mkdir -p "$mod" "$dir"
mod=$(cd "$mod" && pwd)
dir=$(cd "$dir" && pwd)
for f in tests/lab7/mod/kho_lab7.c tests/lab7/mod/Kbuild \
	tests/lab/mod/kho_lab_common.h; do
	cmp -s "$src/$f" "$mod/${f##*/}" 2>/dev/null || cp "$src/$f" "$mod/"
done
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make -C "$kdir/build" M="$mod" modules >"$mod/build.log" 2>&1 || {
	cat "$mod/build.log" >&2
	die "kbuild of kho_lab7 failed (log: $mod/build.log)"
}
if grep -E 'warning:' "$mod/build.log" >&2; then
	die "kbuild printed warnings (log: $mod/build.log)"
fi
[ -s "$mod/kho_lab7.ko" ] || die "no kho_lab7.ko"

# The guest's LUO and kexec program: static, no warnings.
cc -static -O2 -Wall -Wextra -Werror -o "$dir/lab7-handover" \
	"$src/tests/lab7/guest/lab7-handover.c" || die "cannot build lab7-handover"

"$src/tests/lab7/mkinitramfs.sh" "$dir/initramfs.cpio" "$src" \
	"$mod/kho_lab7.ko" "$kdir/bzImage" "$dir/lab7-handover" "$@" ||
	die "cannot pack the initramfs"

pkg=$(cat "$kdir/key" | cut -d' ' -f1)
printf '%s\n' \
	"LAB7_KVER='$(cat "$kdir/version")'" \
	"LAB7_PKG='$pkg'" \
	"LAB7_BUILD_SECONDS='$(cat "$kdir/build-seconds")'" \
	"LAB7_KERNEL='$kdir/bzImage'" \
	"LAB7_VMLINUX='$kdir/vmlinux'" \
	"LAB7_SYSTEM_MAP='$kdir/System.map'" \
	"LAB7_INITRD='$dir/initramfs.cpio'" \
	"LAB7_DIR='$dir'" >"$dir/config.sh"
