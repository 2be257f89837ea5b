#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# One corrupt copy of an upstream kho-v1 fixture per corruption class: the
# exact exit status and message, and partial results that stay ascending
# and never invent a block. Chunk and entry addresses are from the fixtures'
# READMEs (entry i of a chunk: phys_start at +16+16i, bitmap at +24+16i).
. "$(dirname "$0")/lib.sh"

# case NAME FIXTURE_DIR STATUS MESSAGE EDIT...
case_() {
	_n=$1
	_f=$2
	_st=$3
	_msg=$4
	shift 4
	patched "$_n" "$_f" "$@" || return
	run "$KHOWALK" --vmcore "$T/$_n.elf" --fdt-phys 0x4431d000 pages
	expect_eq "$rc" "$_st" "$_n: exit $_st"
	expect_eq "$err" "khowalk: $_msg" "$_n: message"
	echo "$out" | sed '/^$/d' >"$T/$_n.pages"
	ascending_subset "$T/$_n.pages" "$_f/expected-pages.txt" \
		"$_n: partial pages ascend and are all real"
}

case_ cycle "$F512" 3 \
	"chunk 14 at 0x4cebe000: next 0x4cebf000 is chunk 13 of the list (cycle)" \
	u64@0x4cebe000=0x4cebf000
# Every chunk was read before the cycle closed: nothing is lost.
same_file "$T/cycle.pages" "$F512/expected-pages.txt" "cycle: all blocks still listed"

case_ self-loop "$F512" 3 \
	"chunk 14 at 0x4cebe000: next 0x4cebe000 is chunk 14 of the list (cycle)" \
	u64@0x4cebe000=0x4cebe000

case_ num-elms "$F512" 3 \
	"chunk 5 at 0x4052c000: num_elms 256 is above the capacity of 255 entries; its entries are skipped" \
	u32@0x4052c00c=256
# Only chunk 5 (all of order 2) is lost.
grep -v ' 2$' "$F512/expected-pages.txt" >"$T/want"
same_file "$T/num-elms.pages" "$T/want" "num-elms: every other order decoded"

case_ order-max "$F4096" 3 \
	"chunk 11 at 0x44518000: order 41 is above 40, the largest a 52-bit physical address space holds; its entries are skipped" \
	u32@0x44518008=41

case_ order-descends "$F4096" 3 \
	"chunk 3 at 0x49dc1000: order 1 follows order 2 (orders ascend along the list); its entries are skipped" \
	u32@0x49dc1008=1

case_ phys-start-4096 "$F4096" 3 \
	"chunk 0 at 0x49dc4000: entry 1: phys_start 0x101000000 is not a multiple of 0x8000000, what a 4096-byte order-0 bitmap covers" \
	add64@0x49dc4020=0x1000000
# That entry alone would prove 512-byte bitmaps; the other 375 outvote it.
run "$KHOWALK" -v --vmcore "$T/phys-start-4096.elf" --fdt-phys 0x4431d000 check
expect_eq "$(echo "$err" | grep 'bitmap size')" \
	"khowalk: kho-v1 bitmap size 4096: layout: 376 of 376 bitmaps are page aligned, where 512-byte slab bitmaps are 1 in 8; entries that contradict it are reported" \
	"phys-start-4096: one misaligned entry does not flip the size"

case_ phys-start-512 "$F512" 3 \
	"chunk 0 at 0x41cfc000: entry 1: phys_start 0x100001000 is not a multiple of 0x1000000, what a 512-byte order-0 bitmap covers" \
	add64@0x41cfc020=0x1000

case_ not-ascending "$F4096" 3 \
	"chunk 0 at 0x49dc4000: entry 2: phys_start 0x100000000 does not ascend (the previous order-0 bitmap starts at 0x108000000)" \
	swap16@0x49dc4020=0x49dc4030

case_ repeated-phys-start "$F4096" 3 \
	"chunk 0 at 0x49dc4000: entry 2: phys_start 0x100000000 does not ascend (the previous order-0 bitmap starts at 0x100000000)" \
	u64@0x49dc4030=0x100000000

case_ bitmap-unaligned "$F512" 3 \
	"chunk 1 at 0x41cfd000: entry 0: bitmap 0x4b191608 is not 512-byte aligned, as a 512-byte bitmap is" \
	add64@0x41cfd018=8

case_ bitmap-zero "$F4096" 3 \
	"chunk 0 at 0x49dc4000: entry 0: bitmap pointer is 0" \
	u64@0x49dc4018=0

case_ bitmap-shared "$F4096" 3 \
	"chunk 1 at 0x49dc3000: entry 1: bitmap 0x40261000 is also entry 0 of chunk 1 (shared bitmap)" \
	u64@0x49dc3028=0x40261000

case_ bitmap-is-chunk "$F4096" 3 \
	"chunk 2 at 0x49dc2000: entry 0: bitmap 0x49dc4000 is chunk 0 of the list" \
	u64@0x49dc2018=0x49dc4000

case_ bitmap-outside-memory "$F4096" 3 \
	"order-0 bitmap at 0x10000000000 (entry 0 of chunk 0 at 0x49dc4000): cannot be read: 0x10000000000 is beyond the end of physical memory (0x4ff30000)" \
	u64@0x49dc4018=0x10000000000

# Inside memory but not in the dump: incomplete (4), not corrupt.
case_ bitmap-not-dumped "$F4096" 4 \
	"order-0 bitmap at 0x40000000 (entry 0 of chunk 0 at 0x49dc4000): not in the dump (Page not found)" \
	u64@0x49dc4018=0x40000000

case_ next-unaligned "$F512" 3 \
	"chunk 2 at 0x4c294000: next 0x4c295008 is not page aligned" \
	add64@0x4c294000=8

case_ bits-beyond-52 "$F4096" 3 \
	"chunk 11 at 0x44518000: entry 0: order-40 bitmap 0x429a8000: bit 5 is beyond the 52-bit physical address space" \
	u32@0x44518008=40

# A first chunk that is not page aligned (--root, no FDT).
run "$KHOWALK" --vmcore "$F512/vmcore.elf" --root 0x41cfc008 --format v1 pages
expect_eq "$rc:$err" "3:khowalk: kho-v1 map: first chunk 0x41cfc008 is not page aligned" \
	"root-unaligned: exit 3 and message"

# Several problems: the first is shown, with the count.
patched two "$F4096" u64@0x49dc4018=0 u32@0x44518008=41 || true
run "$KHOWALK" --vmcore "$T/two.elf" --fdt-phys 0x4431d000 check
expect_eq "$rc:$err" "3:khowalk: chunk 11 at 0x44518000: order 41 is above 40, the largest a 52-bit physical address space holds; its entries are skipped
khowalk: 2 problems in all; the first is shown" "two problems: list problem first, then the count"

# JSON carries the error beside the partial results.
run "$KHOWALK" --vmcore "$T/cycle.elf" --fdt-phys 0x4431d000 -j check
case $out in
*'"error":{"message":"chunk 14 at 0x4cebe000: next 0x4cebf000 is chunk 13 of the list (cycle)","phys":"0x4cebe000","count":1}}') ok 0 "cycle: JSON error" ;;
*) ok 1 "cycle: JSON error"; echo "# $out" | tail -c 300 ;;
esac
expect_eq "$rc" 3 "cycle: JSON check exits 3"

# The node limit bounds the list walk too (exit 1, partial results).
run "$KHOWALK" --vmcore "$F512/vmcore.elf" --fdt-phys 0x4431d000 --max-nodes 100 pages
expect_eq "$rc:$err" "1:khowalk: walk stopped after 100 metadata pages (limit; raise it with --max-nodes)" \
	"max-nodes: exit 1 and message"
echo "$out" | sed '/^$/d' >"$T/limit.pages"
ascending_subset "$T/limit.pages" "$F512/expected-pages.txt" "max-nodes: partial pages ascend and are all real"

done_testing
