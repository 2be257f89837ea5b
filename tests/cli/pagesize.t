#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Radix trees at 16 KiB and 64 KiB pages, written by the independent
# generator, decode exactly: the depth is upstream's KHO_TREE_MAX_DEPTH
# (5 levels at 16 KiB, 4 at 64 KiB, counting the leaf), from a raw image
# with --page-size and from an ELF vmcore whose VMCOREINFO says PAGESIZE.
. "$(dirname "$0")/lib.sh"

GEN=$KHO_BUILD/tests/gen/mkkhoimg
for kib in 16 64; do
	ps=$((kib * 1024))
	d=$T/$kib
	mkdir -p "$d"
	"$GEN" --raw "$d/mem.raw" --elf "$d/vmcore.elf" \
		--expect-pages "$d/pages" --expect-ranges "$d/ranges" \
		--expect-stats "$d/stats" --info "$d/info" \
		"$KHO_SRC/tests/data/specs/pagesize-${kib}k.spec"
	ok $? "$kib KiB: generator writes the tree"
	info() { sed -n "s/^$1: //p" "$d/info"; }
	want_levels=$([ "$kib" = 16 ] && echo 4 || echo 3)
	expect_eq "$(info levels)" "$want_levels" \
		"$kib KiB: the generator's tree has $want_levels table levels"
	RAW=$(cat "$d/mem.raw.args")
	ROOT=$(info root_phys)
	FDT_PHYS=$(info fdt_phys)

	# shellcheck disable=SC2086
	run "$KHOWALK" $RAW --page-size $ps --root "$ROOT" pages
	echo "$out" >"$T/got"
	expect_eq "$rc" 0 "$kib KiB raw: pages exit 0"
	same_file "$T/got" "$d/pages" "$kib KiB raw: pages equal the generator's"
	# shellcheck disable=SC2086
	run "$KHOWALK" $RAW --page-size $ps --root "$ROOT" ranges
	echo "$out" >"$T/got"
	same_file "$T/got" "$d/ranges" "$kib KiB raw: ranges equal the generator's"
	# shellcheck disable=SC2086
	run "$KHOWALK" $RAW --page-size $ps --root "$ROOT" check
	expect_eq "$rc:$err" "0:" "$kib KiB raw: check passes"

	run "$KHOWALK" --vmcore "$d/vmcore.elf" --fdt-phys "$FDT_PHYS" pages
	echo "$out" >"$T/got"
	same_file "$T/got" "$d/pages" "$kib KiB ELF (VMCOREINFO page size): pages"

	# Tables per level as the generator built them.
	run "$KHOWALK" --vmcore "$d/vmcore.elf" --fdt-phys "$FDT_PHYS" -j stats
	for l in $(sed -n 's/^nodes\.level\.\([0-9]*\): .*/\1/p' "$d/stats"); do
		want=$(sed -n "s/^nodes\.level\.$l: //p" "$d/stats")
		echo "$out" | grep -q "{\"level\":$l,\"nodes\":$want[,}]"
		ok $? "$kib KiB stats: level $l has $want nodes"
	done

	# The wrong page size is not silently accepted as this tree.
	# shellcheck disable=SC2086
	run "$KHOWALK" $RAW --page-size 4096 --root "$ROOT" pages
	echo "$out" >"$T/got"
	cmp -s "$T/got" "$d/pages"
	ok $([ $? -ne 0 ]; echo $?) "$kib KiB tree read at 4 KiB does not give its pages"
done

done_testing
