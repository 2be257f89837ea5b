#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fill a lab guest's initramfs tree: static busybox as /bin/sh, INIT as
# /init, the directories /init mounts on, and the tools with the shared
# libraries ldd names for them (libkdumpfile has no .a; under SAN=1 the
# sanitizer runtimes too). A static tool (khotrace) needs nothing more.
#
# usage: tests/lab/guest-root.sh ROOT INIT TOOL...
#
# An arm64 guest (the arm64 lab): GUEST_SYSROOT names the sysroot of
# scripts/arm64-sysroot.sh; busybox is its static arm64 busybox, and a
# dynamic tool's libraries are the NEEDED entries of its ELF (readelf, not
# ldd, which cannot run it), found in the sysroot or the cross toolchain's
# /usr/aarch64-linux-gnu/lib, and copied to /lib/aarch64-linux-gnu with the
# loader at /lib/ld-linux-aarch64.so.1.
set -eu

root=${1:?usage: guest-root.sh ROOT INIT TOOL...}
init=${2:?usage: guest-root.sh ROOT INIT TOOL...}
shift 2

die() {
	echo "guest-root: $*" >&2
	exit 1
}

sysroot=${GUEST_SYSROOT:-}
busybox=/bin/busybox
[ -z "$sysroot" ] || busybox=$sysroot/bin/busybox
if [ -n "$sysroot" ]; then
	aarch64-linux-gnu-readelf -d "$busybox" | grep -q NEEDED &&
		die "'$busybox' is not static"
else
	ldd "$busybox" 2>&1 | grep -q "not a dynamic executable" ||
		die "'$busybox' is not static (install busybox-static)"
fi
mkdir -p "$root/bin" "$root/lab" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$init" "$root/init"
chmod 755 "$root/init"

# cross_libs FILE: copy FILE's NEEDED libraries, and theirs, for arm64.
cross_libs() {
	for lib in $(aarch64-linux-gnu-readelf -d "$1" |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$root/lib/aarch64-linux-gnu/$lib" ] && continue
		found=""
		for d in "$sysroot/lib/aarch64-linux-gnu" "$sysroot/usr/lib/aarch64-linux-gnu" \
			/usr/aarch64-linux-gnu/lib; do
			[ -e "$d/$lib" ] && { found=$d/$lib; break; }
		done
		[ -n "$found" ] || die "'$1' needs '$lib', not in '$sysroot' or /usr/aarch64-linux-gnu/lib"
		cp -L "$found" "$root/lib/aarch64-linux-gnu/$lib"
		cross_libs "$found"
	done
}

for tool in "$@"; do
	[ -x "$tool" ] || die "no tool '$tool'"
	cp "$tool" "$root/bin/"
	if [ -n "$sysroot" ]; then
		mkdir -p "$root/lib/aarch64-linux-gnu"
		aarch64-linux-gnu-readelf -d "$tool" | grep -q NEEDED || continue
		cp -L /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 "$root/lib/"
		cross_libs "$tool"
		continue
	fi
	if ldd "$tool" 2>&1 | grep -q "not a dynamic executable"; then
		continue
	fi
	ldd "$tool" >"$root/ldd" 2>&1 || die "ldd '$tool' failed"
	if grep -q 'not found' "$root/ldd"; then
		cat "$root/ldd" >&2
		die "'$tool' needs a library that is not installed"
	fi
	for lib in $(grep -o '/[^ :]*' "$root/ldd"); do
		mkdir -p "$root${lib%/*}"
		cp -L "$lib" "$root$lib"
	done
	rm -f "$root/ldd"
done
