#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The upstream lab kernel with our 7.x series applied (kernel-patch/v7):
# the pristine kernel of scripts/upstream-kernel.sh, its built tree copied,
# the series applied and rebuilt incrementally (only what the series touches
# recompiles). Cached beside the pristine kernel under its own key: the
# pristine key plus the sha256 of the series.
#
# usage: scripts/upstream-kernel-patched.sh CACHE_DIR CONFIG_FRAGMENT SERIES_DIR
#
# Leaves CACHE_DIR/upstream/VERSION-khotools/{bzImage,vmlinux,System.map,
# version,key,build/} and prints VERSION-khotools. The pristine cache entry
# is only read.
set -eu

cache=${1:?usage: upstream-kernel-patched.sh CACHE_DIR CONFIG_FRAGMENT SERIES_DIR}
frag=${2:?usage: upstream-kernel-patched.sh CACHE_DIR CONFIG_FRAGMENT SERIES_DIR}
series=${3:?usage: upstream-kernel-patched.sh CACHE_DIR CONFIG_FRAGMENT SERIES_DIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$cache/upstream

die() {
	echo "upstream-kernel-patched: $*" >&2
	exit 1
}

patches=$(ls "$series"/0*.patch 2>/dev/null | grep -v '/0000-cover-letter.patch$') ||
	die "no patches in '$series'"
[ -n "$patches" ] || die "no patches in '$series'"

kver=$("$here/upstream-kernel.sh" "$cache" "$frag") || die "no pristine kernel"
# One patched slot, shared by every checkout that runs the lab: builds of
# different series wait for each other instead of overwriting a tree
# another build is writing. (A guest booting the slot while another
# series is built still races with it: the slot holds one series.)
mkdir -p "$top"
exec 9>"$top/.khotools.lock"
flock 9 || die "cannot lock '$top/.khotools.lock'"
base=$top/$kver
# shellcheck disable=SC2086
ssum=$(cat $patches | sha256sum | cut -c1-16)
key="$(cat "$base/key") series $ssum"
name=$kver-khotools
dest=$top/$name
if [ -r "$dest/key" ] && [ "$(cat "$dest/key")" = "$key" ] && [ -s "$dest/bzImage" ] &&
	[ -s "$dest/vmlinux" ] && [ -s "$dest/build/Module.symvers" ]; then
	echo "$name"
	exit 0
fi

work=$top/.work-khotools
rm -rf "$work"
mkdir -p "$work"
echo "upstream-kernel-patched: copying the built $kver tree" >&2
# -a keeps the timestamps, so make rebuilds only what the patches touch.
cp -a "$base/build" "$work/build" || die "cannot copy '$base/build'"
for p in $patches; do
	patch -d "$work/build" -p1 -s -f --no-backup-if-mismatch <"$p" >"$work/patch.log" 2>&1 ||
		{ cat "$work/patch.log" >&2; die "$(basename "$p") does not apply to $kver"; }
done
start=$(date +%s)
make -s -C "$work/build" olddefconfig >/dev/null
make -s -C "$work/build" -j"$(nproc)" bzImage modules >"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log" >&2; die "kernel build failed (log: $work/build.log)"; }
if grep -E 'warning:' "$work/build.log" >&2; then
	die "the patched build printed warnings (log: $work/build.log)"
fi
secs=$(($(date +%s) - start))

rm -rf "$dest"
mkdir -p "$dest"
b=$work/build
cp "$b/arch/x86/boot/bzImage" "$b/vmlinux" "$b/System.map" "$dest/"
mv "$b" "$dest/build"
echo "$key" >"$dest/key"
echo "$kver" >"$dest/version"
echo "$secs" >"$dest/build-seconds"
rm -rf "$work"
echo "upstream-kernel-patched: $name built in ${secs}s (incremental) into $dest" >&2
echo "$name"
