#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel patch's ABI header at 4, 16 and 64 KiB pages gives upstream's
# KHO_TREE_MAX_DEPTH (include/linux/kho/abi/kexec_handover.h,
# linux-source-7.2.13: DIV_ROUND_UP(ORDER_0 - BITMAP + 1, TABLE) + 1),
# worked out by hand: 38/9 -> 5 + 1, 34/11 -> 4 + 1, 30/13 -> 3 + 1.
build=${KHO_BUILD:-build}
n=0
fail=0
echo "1..3"
for want in "12 52 9 15 6" "14 50 11 17 5" "16 48 13 19 4"; do
	set -- $want
	n=$((n + 1))
	got=$("$build/kernel-patch/harness/depth-$1" 2>&1)
	exp="page_shift $1 order0 $2 table $3 bitmap $4 depth $5"
	if [ "$got" = "$exp" ]; then
		echo "ok $n - $((1 << ($1 - 10))) KiB pages: depth $5"
	else
		echo "not ok $n - $((1 << ($1 - 10))) KiB pages: depth $5"
		echo "#   got      $got"
		echo "#   expected $exp"
		fail=1
	fi
done
exit $fail
