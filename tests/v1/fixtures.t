#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The upstream kho-v1 fixtures (512-byte and 4096-byte bitmaps, written by
# upstream's own serializer) decode exactly, with the bitmap size detected
# from the layout and with it given; the evidence is reported.
. "$(dirname "$0")/lib.sh"

for size in 512 4096; do
	F=$FIX/upstream-v1-$size
	V=$F/vmcore.elf
	FDT_PHYS=$(cat "$F/fdt_phys.txt")
	for force in "" "--v1-bitmap-size $size"; do
		how=${force:-detected}
		# shellcheck disable=SC2086
		run "$KHOWALK" --vmcore "$V" --fdt-phys "$FDT_PHYS" $force pages
		expect_eq "$rc:$err" "0:" "$size: pages ($how) exit 0, quietly"
		echo "$out" >"$T/pages"
		same_file "$T/pages" "$F/expected-pages.txt" "$size: pages ($how) equal upstream's deserializer"
		# shellcheck disable=SC2086
		run "$KHOWALK" --vmcore "$V" --fdt-phys "$FDT_PHYS" $force ranges
		expect_eq "$rc" 0 "$size: ranges ($how) exit 0"
		# upstream's ranges file has no bytes column; check ours too
		echo "$out" | cut -d' ' -f1 >"$T/ranges"
		same_file "$T/ranges" "$F/expected-ranges.txt" "$size: ranges ($how) equal upstream's"
		bad=$(echo "$out" | perl -ne '/^0x(\w+)-0x(\w+) (\d+)$/ && hex($2) - hex($1) == $3 or print')
		expect_eq "$bad" "" "$size: ranges ($how) bytes column is end - start"
	done
	# The FDT from a file, the map from memory.
	run "$KHOWALK" --vmcore "$V" --fdt "$F/kho.fdt" pages
	echo "$out" >"$T/pages"
	same_file "$T/pages" "$F/expected-pages.txt" "$size: pages via --fdt"
	run "$KHOWALK" --vmcore "$V" --fdt-phys "$FDT_PHYS" check
	expect_eq "$rc" 0 "$size: check exits 0"
done

# Detection, and what -v says about it.
run "$KHOWALK" -v --vmcore "$F512/vmcore.elf" --fdt-phys 0x4431d000 check
expect_eq "$(echo "$err" | grep 'bitmap size')" \
	"khowalk: kho-v1 bitmap size 512: layout: chunk 0 at 0x41cfc000 entry 0: bitmap 0x41cfbc00 is not page aligned" \
	"512: -v names the evidence (a bitmap off a page boundary)"
run "$KHOWALK" -v --vmcore "$F4096/vmcore.elf" --fdt-phys 0x4431d000 check
expect_eq "$(echo "$err" | grep 'bitmap size')" \
	"khowalk: kho-v1 bitmap size 4096: layout: 376 of 376 bitmaps are page aligned, where 512-byte slab bitmaps are 1 in 8" \
	"4096: -v names the evidence (every bitmap page aligned)"
run "$KHOWALK" -v --vmcore "$F4096/vmcore.elf" --fdt-phys 0x4431d000 --v1-bitmap-size 4096 check
expect_eq "$(echo "$err" | grep 'bitmap size')" \
	"khowalk: kho-v1 bitmap size 4096: caller: 4096 given" \
	"4096: -v says when the size was given"

# stats: metadata cost in chunks and bitmaps, exactly (README tables).
run "$KHOWALK" --vmcore "$F512/vmcore.elf" --fdt-phys 0x4431d000 stats
cat >"$T/want" <<'EOS'
format:      kho-v1 (chunk list)
page size:   4096
blocks:      3555 in 2080 ranges
preserved:   5811326976 bytes
order      blocks            bytes
    0        1819          7450624
    1         435          3563520
    2         309          5062656
    3         277          9076736
    4         182         11927552
    5         166         21757952
    6         124         32505856
    7          86         45088768
    8          50         52428800
    9          83        174063616
   10          19         79691776
   18           5       5368709120
bitmap size: 512 bytes (layout: chunk 0 at 0x41cfc000 entry 0: bitmap 0x41cfbc00 is not page aligned)
chunks:      15
bitmaps:     1560 (0 empty, fill 0.06%)
metadata:    860160 bytes, 0.0148% of preserved
EOS
echo "$out" >"$T/got"
same_file "$T/got" "$T/want" "512: stats text"

run "$KHOWALK" --vmcore "$F4096/vmcore.elf" --fdt-phys 0x4431d000 -j stats
echo "$out" | perl -ne 'print "$1=$2\n" while /"(v1_bitmap_size|chunks|bitmaps|metadata_bytes)":(\d+)/g' >"$T/got"
printf '%s\n' v1_bitmap_size=4096 chunks=12 bitmaps=376 metadata_bytes=1589248 >"$T/want"
same_file "$T/got" "$T/want" "4096: stats JSON: size, 12 chunks + 376 bitmaps = 1589248 bytes"
case $out in
*'"v1_evidence":"layout: 376 of 376 bitmaps are page aligned'*) ok 0 "4096: stats JSON carries the evidence" ;;
*) ok 1 "4096: stats JSON carries the evidence" ;;
esac

done_testing
