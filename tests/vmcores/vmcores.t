#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The committed lab dumps (README.md) decode to kho_lab's ground truth,
# with no hint and with --fdt-phys; the flipped one is reported corrupt.
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/tap.sh"

V=$KHO_SRC/tests/vmcores
[ -x "$KHOWALK" ] || bail "no khowalk at '$KHOWALK'"
# khodump is required as soon as the project has it: no silent skip.
have_khodump=0
if [ -e "$KHO_SRC/tools/khodump.c" ]; then
	[ -x "$KHODUMP" ] || bail "no khodump at '$KHODUMP'"
	have_khodump=1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# lab-kdump: QEMU kdump-zlib dump of a kho_lab guest, cut down.
d=$V/lab-kdump
for f in vmcore.elf truth.txt expected-pages.txt expected-ranges.txt; do
	[ -s "$d/$f" ] || bail "no $d/$f"
done
fdt=$(truth_value "$d/truth.txt" fdt)
nblocks=$(truth_value "$d/truth.txt" blocks)
nranges=$(wc -l <"$d/expected-ranges.txt")
same_file "$d/expected-pages.txt" /dev/stdin "lab-kdump: expected pages are the truth's blocks" <<EOT
$(truth_pages "$d/truth.txt")
EOT
for loc in --scan "--fdt-phys $fdt"; do
	for cmd in pages ranges stats check; do
		# shellcheck disable=SC2086
		"$KHOWALK" --vmcore "$d/vmcore.elf" $loc $cmd >"$T/$cmd" 2>"$T/$cmd.err"
		expect_eq "$?/$(cat "$T/$cmd.err")" "0/" "lab-kdump: khowalk $loc $cmd exits 0, no stderr"
	done
	same_file "$T/pages" "$d/expected-pages.txt" "lab-kdump: khowalk $loc pages ($nblocks blocks)"
	same_file "$T/ranges" "$d/expected-ranges.txt" "lab-kdump: khowalk $loc ranges ($nranges ranges)"
	truth_stats "$d/truth.txt" >"$T/want_stats"
	head -n "$(wc -l <"$T/want_stats")" "$T/stats" >"$T/got_stats"
	same_file "$T/got_stats" "$T/want_stats" "lab-kdump: khowalk $loc stats per order"
	expect_eq "$(cut -d, -f1 "$T/check")" "ok: $nblocks blocks in $nranges ranges" \
		"lab-kdump: khowalk $loc check"
	if [ $have_khodump = 1 ]; then
		# shellcheck disable=SC2086
		"$KHODUMP" --vmcore "$d/vmcore.elf" $loc >"$T/kd" 2>"$T/kd.err"
		expect_eq "$?/$(cat "$T/kd.err")" "0/" "lab-kdump: khodump $loc exits 0, no stderr"
		khodump_checks "lab-kdump: $loc" "$T/kd" "$d/truth.txt"
	fi
done

# lab-flipped: ELF dump after kho_lab flipped one table pointer.
d=$V/lab-flipped
for f in vmcore.elf truth.txt expected-error.txt; do
	[ -s "$d/$f" ] || bail "no $d/$f"
done
fdt=$(truth_value "$d/truth.txt" fdt)
msg=$(cat "$d/expected-error.txt")
"$KHOWALK" --vmcore "$d/vmcore.elf" --fdt-phys "$fdt" check >/dev/null 2>"$T/err"
expect_eq "$?/$(cat "$T/err")" "3/khowalk: $msg" "lab-flipped: khowalk check exits 3: $msg"
"$KHOWALK" --vmcore "$d/vmcore.elf" --fdt-phys "$fdt" pages >"$T/pages" 2>/dev/null
expect_eq "$?" 3 "lab-flipped: khowalk pages exits 3"
truth_pages "$d/truth.txt" >"$T/want"
if [ -s "$T/pages" ] && ! grep -v -x -F -f "$T/want" "$T/pages" >/dev/null; then
	ok 0 "lab-flipped: the $(wc -l <"$T/pages") partial blocks are all in the ground truth"
else
	ok 1 "lab-flipped: the partial blocks are all in the ground truth"
fi
if [ $have_khodump = 1 ]; then
	"$KHODUMP" --vmcore "$d/vmcore.elf" --fdt-phys "$fdt" >/dev/null 2>"$T/err"
	expect_eq "$?/$(head -n 1 "$T/err")" "3/khodump: $msg" "lab-flipped: khodump exits 3 and names the pointer"
fi
done_testing
