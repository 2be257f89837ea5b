#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel patch series on Debian's linux-source-6.12, as TAP:
#   - the committed series equals what kernel-patch/scripts/mkseries.sh
#     regenerates from kernel-patch/src;
#   - it applies with git am to the pristine tree;
#   - scripts/checkpatch.pl --strict finds nothing;
#   - the KUnit suite passes under UML (one line per KUnit case).
# The pristine tree and the UML build are cached in $KERNEL_CACHE
# (default build/kernel): a cold run takes about 4-5 minutes, a warm one
# about 30 s. Fails closed: a missing tool or tarball is "not ok".
set -u
src=${KHO_SRC:-$(pwd)}
cache=${KERNEL_CACHE:-$src/build/kernel}
kp=$src/kernel-patch
tree=$cache/linux-source-6.12
. "$src/tests/kernel/tap.sh"
. "$src/tests/kernel/series.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

missing=""
for tool in git tar xz make gcc flex bison bc perl python3 flock; do
	command -v $tool >/dev/null 2>&1 || missing="$missing $tool"
done
[ -r "${KHO_LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}" ] ||
	missing="$missing linux-source-6.12"
/usr/bin/python3 -c 'import ply, git' 2>/dev/null ||
	missing="$missing python3-ply/python3-git"
if [ -n "$missing" ]; then
	t 1 "kernel tools present (missing:$missing; run scripts/install-deps.sh kernel)"
	finish
fi
t 0 "kernel tools present"

mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9

if "$kp/scripts/pristine.sh" "$cache" >"$tmp/pristine.log" 2>&1; then
	t 0 "pristine linux-source-6.12 tree in $cache"
else
	indent <"$tmp/pristine.log"
	t 1 "pristine linux-source-6.12 tree in $cache"
	finish
fi

# 1. The committed series is what the sources generate.
series_regenerates "$kp" "$tree" kernel-patch/src kernel-series

# 2. The committed series applies to the pristine tree.
series_applies "$kp" "$tree" linux-source-6.12

# 3. checkpatch --strict, in tree mode.
series_checkpatch

# 4. KUnit under UML.
jobs=$(nproc 2>/dev/null || echo 2)
./tools/testing/kunit/kunit.py run --kunitconfig="$kp/kunit/kho_radix.kunitconfig" \
	--build_dir=.kunit-khor --jobs="$jobs" >"$tmp/kunit.log" 2>&1
rc=$?
kunit_report "$tmp/kunit.log" 'kho_radix_[a-z_]*_test' kho_radix_tree "" $rc \
	"kunit.py run exits 0"
finish
