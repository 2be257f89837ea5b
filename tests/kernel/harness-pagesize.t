#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The whole harness suite of tests/kernel/harness.t (golden trees worked
# out for each page size, random operations against the reference set,
# allocation-failure rollback, range API, trim) with the kernel file built
# at 16 KiB and at 64 KiB pages (-DPAGE_SHIFT=14 and 16): the tree's
# depth, widths and key format all change with the page size, and UML
# KUnit only ever sees 4 KiB. Same seed and KHO_HARNESS_OPS as harness.t.
# Each binary's TAP lines are renumbered into one plan and named by page
# size. Fails closed: a missing binary or a non-zero exit is "not ok".
build=${KHO_BUILD:-build}
seed=${KHO_HARNESS_SEED:-20261122}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/tap.sh"

for shift in 14 16; do
	kib=$(((1 << shift) / 1024))
	h=$build/kernel-patch/harness/ps$shift/kho_radix_harness
	if [ ! -x "$h" ]; then
		t 1 "${kib}K: harness built: $h"
		continue
	fi
	"$h" --seed "$seed" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tmp/out")
	cases=0
	while IFS= read -r line; do
		case $line in
		"ok "*)
			cases=$((cases + 1))
			t 0 "${kib}K: ${line#ok * - }" ;;
		"not ok "*)
			cases=$((cases + 1))
			t 1 "${kib}K: ${line#not ok * - }" ;;
		"#"*)
			echo "# ${kib}K: ${line#\# }" ;;
		esac
	done <"$tmp/out"
	sed 's/^/# stderr: /' "$tmp/err"
	[ "$rc" = 0 ] && [ -n "$plan" ] && [ "$plan" = "$cases" ]
	t $? "${kib}K: harness exits 0 with its whole plan (${cases} of ${plan:-?} cases, exit $rc)"
done
echo "1..$n"
exit $fail
