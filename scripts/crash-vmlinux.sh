#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Put the debug vmlinux of the lab kernel into a cache for crash(8), without
# installing the -dbg package (6.7 GB installed): apt-get download
# linux-image-<kver>-dbg (about 1 GB), extract only
# ./usr/lib/debug/boot/vmlinux-<kver> (354 MB) and delete the .deb.
# Run by the install step of `make lab-check` (mk/crash.mk), never by a test.
#
# usage: scripts/crash-vmlinux.sh CACHE_DIR [KVER]
# Leaves CACHE_DIR/KVER/{vmlinux,version} and prints nothing when the cache
# is already complete. Exits non-zero on any failure.
set -eu

cache=${1:?usage: crash-vmlinux.sh CACHE_DIR [KVER]}
kver=${2:-6.12.117+deb12-amd64}
dir=$cache/$kver
pkg=linux-image-$kver-dbg
# The .deb, the extracted vmlinux and some slack.
need_mib=1600

die() {
	echo "crash-vmlinux: $*" >&2
	exit 1
}

# The dump's kernel is the one the lab boots: the version of the installed
# headers (scripts/lab-kernel.sh keys its cache the same way).
ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kver" 2>/dev/null) ||
	die "'linux-headers-$kver' is not installed (scripts/install-deps.sh lab installs it)"
[ -n "$ver" ] || die "'linux-headers-$kver' has no version"

if [ -r "$dir/version" ] && [ "$(cat "$dir/version")" = "$ver" ] &&
	[ -s "$dir/vmlinux" ]; then
	exit 0
fi

mkdir -p "$cache" || die "cannot create '$cache'"
avail=$(df -Pm "$cache" | awk 'NR == 2 { print $4 }')
if [ "$avail" -lt "$need_mib" ]; then
	die "need about $need_mib MiB free in '$cache' for $pkg (1 GB .deb, 354 MB vmlinux); only $avail MiB free"
fi
tmp=$(mktemp -d "$cache/.dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "crash-vmlinux: downloading $pkg=$ver (about 1 GB) into $cache"
if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>"$tmp/err"); then
	apt-get update -q >/dev/null 2>&1 || true
	(cd "$tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>"$tmp/err") || {
		cat "$tmp/err" >&2
		die "cannot download '$pkg=$ver'"
	}
fi
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "apt-get download left no .deb"
got=$(dpkg-deb -f "$deb" Version) || die "'$deb' is not a Debian package"
[ "$got" = "$ver" ] || die "downloaded version '$got', headers are '$ver'"

# Only the one file: --occurrence stops tar after it, so dpkg-deb then
# dies of a broken pipe; its messages are shown only if tar failed.
member=./usr/lib/debug/boot/vmlinux-$kver
mkdir "$tmp/x"
dpkg-deb --fsys-tarfile "$deb" 2>"$tmp/dpkg.err" |
	tar -x -C "$tmp/x" --occurrence=1 --wildcards "$member" || {
	cat "$tmp/dpkg.err" >&2
	die "cannot extract '$member' from '$deb'"
}
rm -f "$deb"
[ -s "$tmp/x/$member" ] || die "'$pkg' has no $member"

rm -rf "$dir"
mkdir -p "$dir"
mv "$tmp/x/$member" "$dir/vmlinux"
echo "$ver" >"$dir/version"
echo "crash-vmlinux: $kver ($ver) debug vmlinux ready in $dir"
