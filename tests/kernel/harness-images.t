#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The harness writes its simulated physical memory as raw images (golden
# trees, random blocks and ranges with emptied leaves, the same after trim)
# together with the expected `pages` and `ranges` output computed from its
# reference set; khowalk must decode each image to exactly that output.
# Fails closed: no harness or no khowalk is "not ok".
build=${KHO_BUILD:-build}
h=$build/kernel-patch/harness/kho_radix_harness
walk=$build/tools/khowalk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/tap.sh"

echo "1..13"
if [ -x "$h" ] && "$h" --images "$tmp/img" >"$tmp/harness.out" 2>&1; then
	t 0 "harness wrote the images"
else
	sed 's/^/# /' "$tmp/harness.out" 2>/dev/null
	t 1 "harness wrote the images ($h)"
fi
for img in golden random trimmed; do
	meta=$tmp/img/$img.meta
	if [ ! -x "$walk" ] || [ ! -r "$meta" ]; then
		for what in pages ranges order 'exit status'; do
			t 1 "$img: khowalk $what (missing $walk or $meta)"
		done
		continue
	fi
	phys=$(sed -n 's/.*phys=\(0x[0-9a-f]*\).*/\1/p' "$meta")
	root=$(sed -n 's/.*root=\(0x[0-9a-f]*\).*/\1/p' "$meta")
	"$walk" --raw "$tmp/img/$img.img@$phys" --root "$root" pages \
		>"$tmp/$img.pages.out" 2>"$tmp/$img.err"
	rc1=$?
	"$walk" --raw "$tmp/img/$img.img@$phys" --root "$root" ranges \
		>"$tmp/$img.ranges.out" 2>>"$tmp/$img.err"
	rc2=$?
	# Text output may align columns: compare fields, not spaces.
	norm() { awk '{ $1 = $1; print }' "$1"; }
	norm "$tmp/$img.pages.out" >"$tmp/$img.pages.n"
	norm "$tmp/$img.ranges.out" >"$tmp/$img.ranges.n"
	cmp -s "$tmp/$img.pages.n" "$tmp/img/$img.pages"
	r=$?
	[ $r = 0 ] || diff "$tmp/img/$img.pages" "$tmp/$img.pages.n" | head -5 | sed 's/^/# /'
	t $r "$img: khowalk pages equals the reference set ($(wc -l <"$tmp/img/$img.pages") blocks)"
	cmp -s "$tmp/$img.ranges.n" "$tmp/img/$img.ranges"
	r=$?
	[ $r = 0 ] || diff "$tmp/img/$img.ranges" "$tmp/$img.ranges.n" | head -5 | sed 's/^/# /'
	t $r "$img: khowalk ranges equals the coalesced reference ($(wc -l <"$tmp/img/$img.ranges") ranges)"
	# Ascending physical address, as DESIGN 3a requires (no sorting here).
	# (Portable awk: hex by hand; exact below 2^53, which these images are.)
	awk 'function hex(s,  i, v) {
		v = 0
		s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	{ v = hex($1); if (NR > 1 && v < last) bad = 1; last = v }
	END { exit bad || NR == 0 }' "$tmp/$img.pages.n"
	t $? "$img: pages come in ascending physical address"
	[ $rc1 = 0 ] && [ $rc2 = 0 ]
	r=$?
	[ $r = 0 ] || sed 's/^/# /' "$tmp/$img.err"
	t $r "$img: khowalk exits 0 (pages $rc1, ranges $rc2)"
done
exit $fail
