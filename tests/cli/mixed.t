#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A few-thousand-block mixed-order tree written by the independent generator
# decodes identically from a raw image, an ELF vmcore, a kdump-compressed
# vmcore, and through the FDT, --fdt-phys and --root.
. "$(dirname "$0")/lib.sh"

GEN=$KHO_BUILD/tests/gen/mkkhoimg
SPEC=$KHO_SRC/tests/data/specs/mixed-radix.spec
"$GEN" --raw "$T/mem.raw" --elf "$T/vmcore.elf" --kdump "$T/vmcore.kdump" \
	--fdt "$T/kho.fdt" --expect-pages "$T/pages" --expect-ranges "$T/ranges" \
	--expect-stats "$T/stats" --info "$T/info" "$SPEC"
ok $? "generator writes the mixed tree"
info() { sed -n "s/^$1: //p" "$T/info"; }
FDT_PHYS=$(info fdt_phys)
ROOT=$(info root_phys)
RAW=$(cat "$T/mem.raw.args")
expect_eq "$(wc -l <"$T/pages")" "$(info blocks)" "expected pages cover every block"

for src in "--vmcore $T/vmcore.elf" "--vmcore $T/vmcore.kdump" "$RAW"; do
	for loc in "--fdt-phys $FDT_PHYS" "--root $ROOT" "--fdt $T/kho.fdt"; do
		name="$(echo "$src" | sed "s|$T/||g") $(echo "$loc" | sed "s|$T/||g")"
		# shellcheck disable=SC2086
		run "$KHOWALK" $src $loc pages
		echo "$out" >"$T/got"
		expect_eq "$rc" 0 "pages exit 0: $name"
		same_file "$T/got" "$T/pages" "pages: $name"
		# shellcheck disable=SC2086
		run "$KHOWALK" $src $loc ranges
		echo "$out" >"$T/got"
		same_file "$T/got" "$T/ranges" "ranges: $name"
	done
done

# Statistics agree with what the generator built.
run "$KHOWALK" --vmcore "$T/vmcore.elf" --fdt-phys "$FDT_PHYS" -j stats
for o in $(sed -n 's/^blocks\.order\.\([0-9]*\): .*/\1/p' "$T/stats"); do
	want=$(sed -n "s/^blocks\.order\.$o: //p" "$T/stats")
	echo "$out" | grep -q "{\"order\":$o,\"blocks\":$want," 
	ok $? "stats: order $o has $want blocks"
done
want=$(sed -n 's/^leaves: //p' "$T/stats")
echo "$out" | grep -q "\"leaves\":$want,"
ok $? "stats: $want leaves"
want=$(sed -n 's/^empty_leaves: //p' "$T/stats")
echo "$out" | grep -q "\"empty_leaves\":$want,"
ok $? "stats: $want empty leaves (left by unpreserve)"

# VMCOREINFO gives the page size: no --page-size needed, and it is used.
run "$KHOWALK" --vmcore "$T/vmcore.kdump" --fdt-phys "$FDT_PHYS" check
expect_eq "$rc" 0 "check passes on the kdump-compressed dump"

done_testing
