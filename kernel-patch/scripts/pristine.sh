#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build, once, the pristine kernel tree the series is generated from and
# tested on: Debian's linux-source-6.12 extracted into CACHE, turned into a
# git repository with one commit tagged khotools-base. A finished tree is
# marked by CACHE/pristine.stamp; an interrupted run starts over.
#
# usage: pristine.sh CACHE
set -eu

[ $# -eq 1 ] || { echo "usage: pristine.sh CACHE" >&2; exit 2; }
cache=$(mkdir -p "$1" && cd "$1" && pwd)
tarball=${KHO_LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
tree=$cache/linux-source-6.12
stamp=$cache/pristine.stamp

if [ -f "$stamp" ] && [ -d "$tree/.git" ]; then
	exit 0
fi
[ -r "$tarball" ] || {
	echo "pristine: cannot read '$tarball' (install linux-source-6.12)" >&2
	exit 1
}
command -v git >/dev/null || { echo "pristine: git not found" >&2; exit 1; }

rm -rf "$tree" "$stamp"
mkdir -p "$cache"
echo "pristine: extracting $tarball (about 20 s)" >&2
tar -C "$cache" -xf "$tarball"
echo "pristine: committing the tree (about 30 s)" >&2
. "$(dirname "$0")/series-lib.sh"
commit_pristine "$tree" "linux-source-6.12 (Debian 6.12.117)"
touch "$stamp"
