#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# usage: build-deb.sh SRC OUTDIR
# Build the Debian packages (debian/) from a copy of SRC, so that the
# source tree stays clean (dpkg-buildpackage writes beside the tree and
# into debian/), and put the .debs and the build log in OUTDIR.
set -eu
# Not the make flags of a `make check` that runs this (SAN=1, O=...).
unset MAKEFLAGS MFLAGS MAKELEVEL
src=$1
out=$2
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$src/debian/changelog")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/khotools-$version" "$out"
# The working tree as it is (not only what is committed), without builds.
tar -C "$src" --exclude=./build --exclude=./.git --exclude='./debian/.debhelper' \
	--exclude='./debian/tmp' -cf - . | tar -C "$work/khotools-$version" -xf -
rm -f "$out"/*.deb
if ! (cd "$work/khotools-$version" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -30 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed; log in $out/build.log" >&2
	exit 1
fi
mv "$work"/*.deb "$out"/
ls "$out"/*.deb
