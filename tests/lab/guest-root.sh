#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fill a lab guest's initramfs tree: static busybox as /bin/sh, INIT as
# /init, the directories /init mounts on, and the tools with the shared
# libraries ldd names for them (libkdumpfile has no .a; under SAN=1 the
# sanitizer runtimes too). A static tool (khotrace) needs nothing more.
#
# usage: tests/lab/guest-root.sh ROOT INIT TOOL...
set -eu

root=${1:?usage: guest-root.sh ROOT INIT TOOL...}
init=${2:?usage: guest-root.sh ROOT INIT TOOL...}
shift 2

die() {
	echo "guest-root: $*" >&2
	exit 1
}

busybox=/bin/busybox
ldd "$busybox" 2>&1 | grep -q "not a dynamic executable" ||
	die "'$busybox' is not static (install busybox-static)"
mkdir -p "$root/bin" "$root/lab" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$init" "$root/init"
chmod 755 "$root/init"

for tool in "$@"; do
	[ -x "$tool" ] || die "no tool '$tool'"
	cp "$tool" "$root/bin/"
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
