#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The arm64 lab's userspace, as Debian packages of this machine's own suite
# for arm64: the libraries the tools link with (libfdt, libkdumpfile and
# what they need, headers included) unpacked into a sysroot that
# aarch64-linux-gnu-gcc links against, and busybox-static, so that the
# arm64 guest runs the same tests/lab7/guest/init as the x86-64 one.
#
# usage: scripts/arm64-sysroot.sh CACHE_DIR
#
# Like scripts/upstream-kernel.sh: the archive URI is read from apt's own
# sources and apt runs on a private sources list, state and architecture,
# so the system's configuration is never changed (no dpkg
# --add-architecture). The suite is this machine's (os-release), so the
# libraries match the cross toolchain's glibc. Leaves
#   CACHE_DIR/arm64/sysroot/{usr/include,usr/lib/aarch64-linux-gnu,bin/busybox}
# and prints the sysroot; quick when it is complete for the package list.
set -eu

cache=${1:?usage: arm64-sysroot.sh CACHE_DIR}
top=$cache/arm64
aptdir=$top/apt
sysroot=$top/sysroot

die() {
	echo "arm64-sysroot: $*" >&2
	exit 1
}

# busybox-static first: the guest's shell. Then the tools' libraries as
# the x86-64 build links them (ldd of khowalk), with their -dev packages;
# libc, libstdc++ and libgcc_s come with the cross toolchain
# (/usr/aarch64-linux-gnu/lib).
# khodump's preflight adds libelf and the kernel images' decompressors.
PKGS="busybox-static libfdt1 libfdt-dev libkdumpfile10 libkdumpfile-dev
zlib1g zlib1g-dev liblzo2-2 libsnappy1v5 libzstd1 libzstd-dev libelf1 libelf-dev
liblzma5 liblzma-dev libbz2-1.0 libbz2-dev liblz4-1 liblz4-dev"

suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || die "no VERSION_CODENAME in /etc/os-release"
key=$(echo "$suite" $PKGS | sha256sum | cut -c1-16)
if [ -r "$sysroot/.key" ] && [ "$(cat "$sysroot/.key")" = "$key" ]; then
	echo "$sysroot"
	exit 0
fi

. "$(dirname "$0")/apt-private.sh"
apt_private_init "$aptdir" "$suite" arm64 || die "$apt_error"
mkdir -p "$aptdir/debs" || die "cannot create '$aptdir/debs'"

apt_priv update >"$aptdir/update.log" 2>&1 ||
	{ cat "$aptdir/update.log" >&2; die "apt-get update of $suite (arm64) failed"; }
rm -f "$aptdir"/debs/*.deb
# shellcheck disable=SC2086
(cd "$aptdir/debs" && apt_priv download $PKGS >/dev/null 2>"$aptdir/download.log") ||
	{ cat "$aptdir/download.log" >&2; die "cannot download the arm64 packages"; }

rm -rf "$sysroot"
mkdir -p "$sysroot"
for p in $PKGS; do
	deb=$(ls "$aptdir/debs/${p}_"*_arm64.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || die "no arm64 package '$p' downloaded"
	dpkg -x "$deb" "$sysroot" || die "cannot unpack '$deb'"
done
# The -dev packages' .so links are absolute (/lib/...) or relative to
# usr/lib; the linker is given the library directory, so make every link
# point inside the sysroot.
for l in "$sysroot"/usr/lib/aarch64-linux-gnu/*.so; do
	[ -L "$l" ] || continue
	t=$(readlink "$l")
	case $t in /*) ln -sf "$sysroot$t" "$l" ;; esac
done
[ -x "$sysroot/bin/busybox" ] || die "busybox-static left no bin/busybox"
rm -f "$aptdir"/debs/*.deb
echo "$key" >"$sysroot/.key"
echo "$sysroot"
