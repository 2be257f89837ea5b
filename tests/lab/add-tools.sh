#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Copy tools into an initramfs tree with the shared libraries ldd names for
# them (libkdumpfile has no .a; under SAN=1 the sanitizer runtimes too).
# A static tool (khotrace, busybox) needs nothing more.
#
# usage: tests/lab/add-tools.sh ROOT TOOL...
set -eu

root=${1:?usage: add-tools.sh ROOT TOOL...}
shift

die() {
	echo "add-tools: $*" >&2
	exit 1
}

mkdir -p "$root/bin"
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
