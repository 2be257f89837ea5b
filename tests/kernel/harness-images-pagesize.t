#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel tree code built at 16 KiB and 64 KiB pages writes its
# simulated memory as raw images (random blocks and ranges with emptied
# leaves, then the same after trim) with the expected `pages` and `ranges`
# from its reference set; khowalk --page-size must decode each exactly.
# This holds the kernel patch's depth and the library's against each other
# and against the harness's own reference written from the ABI text.
# Fails closed: a missing binary is "not ok".
build=${KHO_BUILD:-build}
walk=$build/tools/khowalk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/tap.sh"
norm() { awk '{ $1 = $1; print }' "$1"; }

echo "1..10"
for shift in 14 16; do
	ps=$((1 << shift))
	kib=$((ps / 1024))
	h=$build/kernel-patch/harness/ps$shift/kho_radix_harness
	d=$tmp/$shift
	if [ -x "$h" ] && "$h" --images "$d" >"$tmp/h.out" 2>&1; then
		t 0 "$kib KiB: harness wrote the images ($(sed -n 's/^# images: //p' "$tmp/h.out"))"
	else
		sed 's/^/# /' "$tmp/h.out" 2>/dev/null
		t 1 "$kib KiB: harness wrote the images ($h)"
	fi
	for img in random trimmed; do
		meta=$d/$img.meta
		phys=$(sed -n 's/.*phys=\(0x[0-9a-f]*\).*/\1/p' "$meta" 2>/dev/null)
		root=$(sed -n 's/.*root=\(0x[0-9a-f]*\).*/\1/p' "$meta" 2>/dev/null)
		for what in pages ranges; do
			"$walk" --raw "$d/$img.img@$phys" --page-size $ps \
				--root "$root" $what >"$tmp/out" 2>"$tmp/err"
			rc=$?
			norm "$tmp/out" >"$tmp/got"
			cmp -s "$tmp/got" "$d/$img.$what" && [ $rc = 0 ] && [ ! -s "$tmp/err" ]
			r=$?
			[ $r = 0 ] || { sed 's/^/# /' "$tmp/err" | head -3
				diff "$d/$img.$what" "$tmp/got" 2>&1 | head -5 | sed 's/^/# /'; }
			t $r "$kib KiB $img: khowalk $what equals the reference ($(wc -l <"$d/$img.$what" 2>/dev/null) lines), exit 0"
		done
	done
done
exit $fail
