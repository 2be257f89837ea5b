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
if "$kp/scripts/mkseries.sh" "$tree" "$tmp/series" >"$tmp/mk.log" 2>&1 &&
	diff -r "$kp/series" "$tmp/series" >"$tmp/diff" 2>&1; then
	t 0 "series regenerates identically from kernel-patch/src"
else
	indent <"$tmp/mk.log"
	head -40 "$tmp/diff" 2>/dev/null | indent
	echo "# run: make kernel-series"
	t 1 "series regenerates identically from kernel-patch/src"
fi

# 2. The committed series applies to the pristine tree.
patches=$(ls "$kp"/series/0*.patch 2>/dev/null | grep -v '/0000-cover-letter.patch$')
cd "$tree" || finish
export GIT_COMMITTER_NAME="khotools" GIT_COMMITTER_EMAIL="khotools@localhost"
git -c advice.detachedHead=false checkout -q -f --detach khotools-base &&
	git clean -fdq
# shellcheck disable=SC2086
if [ -n "$patches" ] && git am -q $patches >"$tmp/am.log" 2>&1; then
	t 0 "git am applies the $(echo "$patches" | wc -l) patches to linux-source-6.12"
else
	indent <"$tmp/am.log"
	git am --abort >/dev/null 2>&1
	t 1 "git am applies the series to linux-source-6.12"
	finish
fi

# 3. checkpatch --strict, in tree mode (spdxcheck needs Debian's python3).
# shellcheck disable=SC2086
PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict $patches \
	>"$tmp/cp.log" 2>&1
rc=$?
bad=$(grep '^total:' "$tmp/cp.log" | grep -vc '^total: 0 errors, 0 warnings, 0 checks')
if [ $rc = 0 ] && [ "$bad" = 0 ] && ! grep -q Traceback "$tmp/cp.log"; then
	t 0 "checkpatch --strict clean ($(grep -c '^total: 0 errors, 0 warnings, 0 checks' "$tmp/cp.log") patches)"
else
	grep -v '^$' "$tmp/cp.log" | head -60 | indent
	t 1 "checkpatch --strict clean"
fi

# 4. KUnit under UML.
jobs=$(nproc 2>/dev/null || echo 2)
./tools/testing/kunit/kunit.py run --kunitconfig="$kp/kunit/kho_radix.kunitconfig" \
	--build_dir=.kunit-khor --jobs="$jobs" >"$tmp/kunit.log" 2>&1
rc=$?
cases=$(sed -n 's/.*\[\(PASSED\|FAILED\|SKIPPED\|CRASHED\)\] \(kho_radix_[a-z_]*_test\)$/\1 \2/p' "$tmp/kunit.log")
if [ -z "$cases" ]; then
	tail -40 "$tmp/kunit.log" | indent
	t 1 "KUnit suite kho_radix_tree ran (kunit.py exit $rc)"
	finish
fi
echo "$cases" | {
	while read -r verdict name; do
		n=$((n + 1))
		if [ "$verdict" = PASSED ]; then
			echo "ok $n - kunit: kho_radix_tree.$name"
		else
			echo "not ok $n - kunit: kho_radix_tree.$name $verdict"
		fi
	done
}
n=$((n + $(echo "$cases" | wc -l)))
echo "$cases" | grep -qv '^PASSED' && fail=1
grep -E 'Testing complete|Elapsed time' "$tmp/kunit.log" | indent
if [ $rc = 0 ]; then
	t 0 "kunit.py run exits 0"
else
	grep -E 'EXPECTATION FAILED|ASSERTION FAILED|Expected|error:' "$tmp/kunit.log" | head -20 | indent
	t 1 "kunit.py run exits 0 (got $rc)"
fi
finish
