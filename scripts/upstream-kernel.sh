#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the upstream Linux 7.x kernel of the lab: the newest linux-source-7.*
# that Debian unstable carries, configured from tinyconfig plus
# tests/lab7/kho-7x.config (KHO with its debugfs and debug checks, test_kho,
# LUO, memfd preservation, /proc/kcore, modules, BPF with BTF, kprobes and
# ftrace), cached by version.
#
# usage: scripts/upstream-kernel.sh CACHE_DIR CONFIG_FRAGMENT
#
# The package comes through the archive this machine's apt already uses: the
# URI is read from apt's own sources, and apt runs on a private sources list
# and state directory so the system's configuration is never changed. Leaves
#   CACHE_DIR/upstream/VERSION/{bzImage,vmlinux,System.map,version,build/}
# (build/ is the configured and built tree an out-of-tree module build
# needs) and CACHE_DIR/upstream/current naming VERSION; prints the version
# and is quick when the cache is complete for the fragment.
#
# Another architecture or page size, from the environment (both enter the
# cache key, and the kernel goes to a directory of its own so the x86-64
# kernel stays cached beside it):
#   KERNEL_ARCH=arm64       cross-built with aarch64-linux-gnu-gcc; Image
#                           instead of bzImage
#   KERNEL_PAGE_SIZE=16384  or 65536 (or 4096): CONFIG_ARM64_<N>K_PAGES
# leaves CACHE_DIR/upstream/arm64-16k/{current,VERSION/...} and so on.
set -eu

cache=${1:?usage: upstream-kernel.sh CACHE_DIR CONFIG_FRAGMENT}
frag=${2:?usage: upstream-kernel.sh CACHE_DIR CONFIG_FRAGMENT}
frag=$(readlink -f "$frag")
top=$cache/upstream
aptdir=$top/apt
out=$top
image=arch/x86/boot/bzImage
karch=${KERNEL_ARCH:-x86_64}
psize=${KERNEL_PAGE_SIZE:-4096}
pagecfg=""
case $karch in
x86_64) [ "$psize" = 4096 ] || { echo "upstream-kernel: x86_64 has 4096-byte pages only" >&2; exit 1; } ;;
arm64)
	case $psize in
	4096 | 16384 | 65536) pagecfg="CONFIG_ARM64_$((psize / 1024))K_PAGES=y" ;;
	*) echo "upstream-kernel: arm64 page size must be 4096, 16384 or 65536" >&2; exit 1 ;;
	esac
	export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
	out=$top/arm64-$((psize / 1024))k
	image=arch/arm64/boot/Image
	;;
*) echo "upstream-kernel: unknown KERNEL_ARCH '$karch' (x86_64 or arm64)" >&2; exit 1 ;;
esac
img=${image##*/}

die() {
	echo "upstream-kernel: $*" >&2
	exit 1
}

[ -r "$frag" ] || die "cannot read config fragment '$frag'"
# The unstable archive, through a private apt configuration.
. "$(dirname "$0")/apt-private.sh"
apt_private_init "$aptdir" sid || die "$apt_error"

# Refresh the unstable index at most once an hour: unstable moves, and the
# lab follows it.
stamp=$aptdir/updated
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +60 2>/dev/null)" ]; then
	if apt_priv update >"$aptdir/update.log" 2>&1; then
		touch "$stamp"
	elif [ -r "$out/current" ] && [ -s "$out/$(cat "$out/current")/$img" ]; then
		# The archive is out of reach: test the kernel we have, and say so.
		echo "upstream-kernel: apt-get update of unstable failed; using the cached $(cat "$out/current")" >&2
		cat "$out/current"
		exit 0
	else
		cat "$aptdir/update.log" >&2
		die "apt-get update of unstable failed"
	fi
fi

pkg=$(apt_cache_priv pkgnames linux-source-7. 2>/dev/null |
	grep -E '^linux-source-7\.[0-9]+$' | sort -t. -k2,2n | tail -n 1)
[ -n "$pkg" ] || die "unstable carries no linux-source-7.* package"
pver=$(apt_cache_priv show "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
[ -n "$pver" ] || die "no version for '$pkg'"

# The fragment and the build recipe are part of the cache key: a changed
# fragment, or a change to how the kernel is built (bump RECIPE), rebuilds.
RECIPE=1
# The x86-64 4 KiB key is what it always was, so its cache stays valid.
variant=""
[ "$karch" = x86_64 ] || variant="arch $karch pagesize $psize"
fsum=$( (cat "$frag"; echo "recipe $RECIPE"; [ -z "$variant" ] || echo "$variant") |
	sha256sum | cut -c1-16)
key="$pkg=$pver $fsum"

# The package is kept in $aptdir/src after the build: kernel-patch/v7 makes
# its pristine git tree from it (the built tree has objects and .config).
fetch_deb() {
	echo "upstream-kernel: fetching $pkg=$pver from unstable" >&2
	rm -f "$aptdir"/*.deb
	(cd "$aptdir" && apt_priv download "$pkg=$pver" >/dev/null 2>"$aptdir/download.log") ||
		{ cat "$aptdir/download.log" >&2; die "cannot download '$pkg=$pver'"; }
	deb=$(ls "$aptdir"/*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || die "apt-get download left no .deb"
}
keep_deb() {
	mkdir -p "$aptdir/src"
	rm -f "$aptdir"/src/*.deb
	mv "$1" "$aptdir/src/"
}

if [ -r "$out/current" ]; then
	cur=$(cat "$out/current")
	d=$out/$cur
	if [ -r "$d/key" ] && [ "$(cat "$d/key")" = "$key" ] && [ -s "$d/$img" ] &&
		[ -s "$d/vmlinux" ] && [ -s "$d/build/Module.symvers" ]; then
		if ! ls "$aptdir"/src/"${pkg}_"*.deb >/dev/null 2>&1; then
			fetch_deb
			keep_deb "$deb"
		fi
		echo "$cur"
		exit 0
	fi
fi

fetch_deb

work=$out/.work
rm -rf "$work"
mkdir -p "$work"
dpkg -x "$deb" "$work/root" || die "cannot unpack '$deb'"
tarball=$(ls "$work"/root/usr/src/linux-source-7.*.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || die "'$deb' has no usr/src/linux-source-7.*.tar.*"
tar -C "$work" -xf "$tarball" || die "cannot unpack '$tarball'"
rm -rf "$work/root"
keep_deb "$deb"
src=$(ls -d "$work"/linux-source-7.* | head -n 1)

start=$(date +%s)
make -s -C "$src" tinyconfig >/dev/null
# The page size is one more fragment line (checked below like the others).
cp "$frag" "$work/fragment"
[ -z "$pagecfg" ] || echo "$pagecfg" >>"$work/fragment"
frag=$work/fragment
(cd "$src" && scripts/kconfig/merge_config.sh -m .config "$frag") >"$work/merge.log" 2>&1 ||
	{ cat "$work/merge.log" >&2; die "merge_config failed"; }
make -s -C "$src" olddefconfig >/dev/null
# Every option of the fragment must have survived olddefconfig: a missing
# dependency silently drops one, and the lab would test the wrong kernel.
missing=""
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	grep -qxF "$line" "$src/.config" || missing="$missing ${line%%=*}"
done <"$frag"
[ -z "$missing" ] || die "options of the fragment not set after olddefconfig:$missing"
make -s -C "$src" -j"$(nproc)" "$img" modules >"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log" >&2; die "kernel build failed (log: $work/build.log)"; }
secs=$(($(date +%s) - start))

kver=$(make -s -C "$src" kernelrelease)
[ -n "$kver" ] || die "no kernelrelease"
dest=$out/$kver
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/$image" "$src/vmlinux" "$src/System.map" "$dest/"
mv "$src" "$dest/build"
echo "$key" >"$dest/key"
echo "$kver" >"$dest/version"
echo "$secs" >"$dest/build-seconds"
echo "$kver" >"$out/current"
rm -rf "$work"
echo "upstream-kernel: $kver ($pkg $pver) built in ${secs}s into $dest" >&2
echo "$kver"
