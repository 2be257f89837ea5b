#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `khowalk find PHYS` (the command `kho find` runs inside crash) on the
# upstream-generated fixture: for blocks of the higher orders, the first
# page, a sub-page in the middle, the last byte and the byte after; the
# expectation is computed here from the fixture's expected pages and
# ranges, not by the library.
: "${KHO_BUILD:?set KHO_BUILD}" "${KHO_SRC:?set KHO_SRC}"
KHOWALK=$KHO_BUILD/tools/khowalk
F=$KHO_SRC/tests/fixtures/upstream-v2
V=$F/vmcore.elf
FDT=$(cat "$F/fdt_phys.txt")
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
[ -x "$KHOWALK" ] || { echo "Bail out! no $KHOWALK"; exit 1; }

# Every 25th block of order >= 7, and per block three addresses with the
# expected line; range ends are preserved by no block (ranges are maximal).
L=${TMPDIR:-/tmp}/khofind.$$
awk '$2 >= 7 && (++k % 25) == 1' "$F/expected-pages.txt" | while read -r b o; do
	s=$((4096 << o))
	w="in $b $o ($b-$(printf '0x%x' $((b + s))))"
	for a in "$b" "$(printf '0x%x' $((b + s / 2 + 4096 + 0x10)))" "$(printf '0x%x' $((b + s - 1)))"; do
		echo "$a $a $w"
	done
done >"$L"
sed 's/^[^-]*-\([^ ]*\) .*/\1 \1 not preserved/' "$F/expected-ranges.txt" | awk 'NR % 97 == 1' >>"$L"
while read -r a want; do
	got=$("$KHOWALK" --vmcore "$V" --fdt-phys "$FDT" find "$a" 2>&1)
	rc=$?
	if [ "$rc/$got" = "0/$want" ]; then
		ok 0 "find $a: $want"
	else
		ok 1 "find $a: $want"
		echo "#   got $rc/$got"
	fi
done <"$L"
rm -f "$L"

got=$("$KHOWALK" --vmcore "$V" --fdt-phys "$FDT" -j find 0x102000fff 2>&1)
[ "$got" = '{"format_version":1,"phys":"0x102000fff","preserved":true,"blocks":[{"phys":"0x102000000","order":9,"end":"0x102200000"}]}' ]
ok $? "find -j: one document with the block"
"$KHOWALK" --vmcore "$V" --fdt-phys "$FDT" find >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "find without an address is a usage error (exit 2)"
"$KHOWALK" --vmcore "$V" --fdt-phys "$FDT" find 0x1000 junk >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "find with two arguments is a usage error (exit 2)"
echo "1..$n"
[ "$failed" -eq 0 ]
