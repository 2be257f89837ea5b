#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Put Debian's 6.12 kernel image for the lab into a cache without installing
# it (installing runs initramfs hooks and bootloader scripts on the host):
# apt-get download the -unsigned image package of exactly the version of the
# installed headers, and unpack it with dpkg -x.
#
# usage: scripts/lab-kernel.sh CACHE_DIR [KVER]
# Leaves CACHE_DIR/KVER/{vmlinuz,qemu_fw_cfg.ko,version} and prints nothing
# when the cache is already complete. Exits non-zero on any failure.
set -eu

cache=${1:?usage: lab-kernel.sh CACHE_DIR [KVER]}
kver=${2:-6.12.117+deb12-amd64}
dir=$cache/$kver
hdr=linux-headers-$kver
img=linux-image-$kver-unsigned

die() {
	echo "lab-kernel: $*" >&2
	exit 1
}

ver=$(dpkg-query -W -f='${Version}' "$hdr" 2>/dev/null) ||
	die "'$hdr' is not installed (scripts/install-deps.sh lab installs it)"
[ -n "$ver" ] || die "'$hdr' has no version"

# A module loads only into the kernel its headers came from (modversion
# CRCs differ between +debN ABIs), so the cache is keyed by the version.
if [ -r "$dir/version" ] && [ "$(cat "$dir/version")" = "$ver" ] &&
	[ -s "$dir/vmlinuz" ] && [ -s "$dir/qemu_fw_cfg.ko" ]; then
	exit 0
fi

mkdir -p "$cache" || die "cannot create '$cache'"
tmp=$(mktemp -d "$cache/.dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "lab-kernel: downloading $img=$ver into $cache"
# apt-get download writes into the current directory; it needs package
# lists, so refresh them once if the first try fails.
if ! (cd "$tmp" && apt-get download -q "$img=$ver" >/dev/null 2>"$tmp/err"); then
	apt-get update -q >/dev/null 2>&1 || true
	(cd "$tmp" && apt-get download -q "$img=$ver" >/dev/null 2>"$tmp/err") || {
		cat "$tmp/err" >&2
		die "cannot download '$img=$ver'"
	}
fi
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "apt-get download left no .deb"
got=$(dpkg-deb -f "$deb" Version) || die "'$deb' is not a Debian package"
[ "$got" = "$ver" ] || die "downloaded version '$got', headers are '$ver'"

dpkg -x "$deb" "$tmp/root" || die "cannot unpack '$deb'"
[ -s "$tmp/root/boot/vmlinuz-$kver" ] || die "'$deb' has no boot/vmlinuz-$kver"
fw=$tmp/root/lib/modules/$kver/kernel/drivers/firmware/qemu_fw_cfg.ko.xz
[ -s "$fw" ] || die "'$deb' has no qemu_fw_cfg.ko.xz"

rm -rf "$dir"
mkdir -p "$dir"
cp "$tmp/root/boot/vmlinuz-$kver" "$dir/vmlinuz"
cp "$tmp/root/boot/config-$kver" "$dir/config"
# busybox insmod does not decompress.
xz -dc "$fw" >"$dir/qemu_fw_cfg.ko" || die "cannot decompress '$fw'"
echo "$ver" >"$dir/version"
echo "lab-kernel: $kver ($ver) ready in $dir"
