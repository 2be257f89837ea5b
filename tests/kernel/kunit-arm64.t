#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel patch's KUnit suite (kho_radix_tree) on arm64 at 16 KiB and
# 64 KiB pages: UML is 4 KiB only, so kunit.py --arch=arm64 cross-builds a
# kernel per page size (--kconfig_add CONFIG_ARM64_<N>K_PAGES=y) and runs
# it under qemu-system-aarch64. The same pristine tree and series as
# kernel-check.t (build/kernel, under its lock); build directories
# .kunit-arm64-16k and .kunit-arm64-64k in it. One line per KUnit case
# and page size. A cold run builds two kernels (about 17 minutes each on
# 2 shared cores). Fails closed: a missing tool is "not ok".
#
# The suite derives its expectations from PAGE_SHIFT, with worked examples
# for 4, 16 and 64 KiB pages: all 8 cases pass at both sizes (2026-12-06;
# its first run, with 4 KiB expectations, passed 2 at 16 KiB and 3 at 64
# KiB). make lab-check-arm64 runs it.
set -u
src=${KHO_SRC:-$(pwd)}
cache=${KERNEL_CACHE:-$src/build/kernel}
kp=$src/kernel-patch
tree=$cache/linux-source-6.12
. "$src/tests/kernel/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

missing=""
for tool in git make aarch64-linux-gnu-gcc qemu-system-aarch64 flock python3; do
	command -v $tool >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	t 1 "tools present (missing:$missing; scripts/install-deps.sh kernel arm64)"
	finish
fi

mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9
if ! "$kp/scripts/pristine.sh" "$cache" >"$tmp/pristine.log" 2>&1; then
	indent <"$tmp/pristine.log"
	t 1 "pristine linux-source-6.12 tree in $cache"
	finish
fi
patches=$(ls "$kp"/series/0*.patch 2>/dev/null | grep -v '/0000-cover-letter.patch$')
cd "$tree" || finish
export GIT_COMMITTER_NAME="khotools" GIT_COMMITTER_EMAIL="khotools@localhost"
# The series already applied (same changes, patch by patch, and a clean
# tree) is left as it is: applying it again would touch files every
# object depends on, and both kernels would rebuild. Same subjects are not
# enough: a changed suite keeps its patch's subject.
# shellcheck disable=SC2086
want=$(cat $patches | git patch-id --stable 2>/dev/null | cut -d' ' -f1)
have=$(git format-patch -q --stdout khotools-base..HEAD 2>/dev/null |
	git patch-id --stable 2>/dev/null | cut -d' ' -f1)
if [ -n "$want" ] && [ "$want" = "$have" ] && git diff --quiet HEAD; then
	t 0 "the series is applied to linux-source-6.12 ($(echo "$have" | wc -l) patches, same patch-ids)"
elif git -c advice.detachedHead=false checkout -q -f --detach khotools-base &&
	git clean -fdq -e '/.kunit-*' && [ -n "$patches" ] &&
	git am -q $patches >"$tmp/am.log" 2>&1; then
	t 0 "git am applies the series to linux-source-6.12"
else
	indent <"$tmp/am.log"
	git am --abort >/dev/null 2>&1
	t 1 "git am applies the series to linux-source-6.12"
	finish
fi

jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -le 2 ] || jobs=2
for kib in 16 64; do
	b=.kunit-arm64-${kib}k
	s=$(date +%s)
	nice -n 10 ./tools/testing/kunit/kunit.py run --arch=arm64 \
		--cross_compile=aarch64-linux-gnu- \
		--kunitconfig="$kp/kunit/kho_radix.kunitconfig" \
		--kconfig_add "CONFIG_ARM64_${kib}K_PAGES=y" \
		--build_dir="$b" --jobs="$jobs" --timeout=900 >"$tmp/kunit.log" 2>&1
	rc=$?
	grep -qx "CONFIG_ARM64_${kib}K_PAGES=y" "$b/.config"
	t $? "arm64 ${kib}K: the KUnit kernel has CONFIG_ARM64_${kib}K_PAGES=y"
	echo "# arm64 ${kib}K: kunit.py took $(($(date +%s) - s)) s"
	kunit_report "$tmp/kunit.log" 'kho_radix_[a-z_]*_test' kho_radix_tree "arm64 ${kib}K: " \
		$rc "kunit.py run exits 0"
done
finish
