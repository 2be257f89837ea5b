#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build, once, the pristine upstream 7.x tree the v7 series is generated
# from and applied to: the Debian linux-source-7.x package the upstream lab
# builds (scripts/upstream-kernel.sh keeps it in LAB_CACHE/upstream/apt/src),
# extracted into CACHE and committed as one commit tagged khotools-base.
# A finished tree is marked by CACHE/pristine.stamp, which names the
# package; another package (unstable moved on) starts over.
#
# usage: pristine.sh CACHE LAB_CACHE
#   prints the tree's directory
set -eu

[ $# -eq 2 ] || { echo "usage: pristine.sh CACHE LAB_CACHE" >&2; exit 2; }
cache=$(mkdir -p "$1" && cd "$1" && pwd)
lab=$2
die() {
	echo "pristine7: $*" >&2
	exit 1
}

deb=$(ls "$lab"/upstream/apt/src/linux-source-7.*_all.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "no linux-source-7.x package in $lab/upstream/apt/src (scripts/upstream-kernel.sh fetches it)"
name=$(basename "$deb")
stamp=$cache/pristine.stamp
tree=$cache/linux-source-7
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$name" ] && [ -d "$tree/.git" ]; then
	echo "$tree"
	exit 0
fi
command -v git >/dev/null || die "git not found"

rm -rf "$tree" "$stamp" "$cache/.work"
mkdir -p "$cache/.work"
dpkg -x "$deb" "$cache/.work/root" || die "cannot unpack '$deb'"
tarball=$(ls "$cache"/.work/root/usr/src/linux-source-7.*.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || die "'$deb' has no usr/src/linux-source-7.*.tar.*"
echo "pristine7: extracting $(basename "$tarball") (about 20 s)" >&2
tar -C "$cache/.work" -xf "$tarball" || die "cannot unpack '$tarball'"
src=$(ls -d "$cache"/.work/linux-source-7.* | grep -v '\.tar' | head -n 1)
mv "$src" "$tree"
rm -rf "$cache/.work"
echo "pristine7: committing the tree (about 30 s)" >&2
. "$(dirname "$0")/../../scripts/series-lib.sh"
commit_pristine "$tree" "$name"
echo "$name" >"$stamp"
echo "$tree"
