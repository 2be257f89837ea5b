#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The corruption catalogue: one generated dump per corruption
# class, each walked by khowalk with the exact exit code and message it
# must give, and with bounded work asserted by counting, not timing:
#   - metadata objects read (khowalk -v) at most the pages the generator
#     wrote, plus one for a dangling pointer (eight objects per page for
#     kho-v1's 512-byte bitmaps, which share slab pages);
#   - reads at most 64 per distinct page (one per order cursor, plus the
#     kho-v1 list pass);
#   - peak bytes allocated by our code (khowalk-counted: khowalk linked
#     with tests/robust/alloc_count.c) at most 4 MiB plus 64 bytes per
#     page read: per-order cursors, the node cache and the visited set.
# Dumps come from the independent generator (tests/gen/mkkhoimg) and its
# corruption specs in tests/data/specs, plus tests/robust/specs.
# The addresses in the expected messages are where the generator puts
# each node for its spec (its --info output, the specs' comments); the
# wording is the message khowalk documents for each corruption class.
. "$(dirname "$0")/../cli/lib.sh"

# A leak inside libkdumpfile is not ours to fail on (see the file).
LSAN_OPTIONS="suppressions=$KHO_SRC/tests/robust/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

GEN=$KHO_BUILD/tests/gen/mkkhoimg
COUNTED=$KHO_BUILD/tests/robust/khowalk-counted
SPECS=$KHO_SRC/tests/data/specs
MINE=$KHO_SRC/tests/robust/specs

# gen SPEC: build the spec's dumps once, in $T/<name>.*
gen() {
	g=$T/$(basename "$1" .spec)
	[ -f "$g.info" ] && return 0
	"$GEN" --raw "$g.raw" --elf "$g.elf" --kdump "$g.kdump" --fdt "$g.fdt" \
		--info "$g.info" "$1" 2>"$g.generr" ||
		{ sed 's/^/# mkkhoimg: /' "$g.generr"; return 1; }
}

# check_case NAME SPEC SOURCE LOCATION COMMAND EXIT MESSAGE
#   SOURCE raw|elf|kdump; LOCATION fdt-phys|fdt-file; MESSAGE is stderr,
#   lines separated by '\n'.
check_case() {
	name=$1 spec=$2 source=$3 location=$4 cmd=$5 want_rc=$6 want_err=$7
	if ! gen "$spec"; then
		ok 1 "$name: generate $(basename "$spec")"
		return
	fi
	g=$T/$(basename "$spec" .spec)
	case $source in
	raw) src=$(cat "$g.raw.args") ;;
	*) src="--vmcore $g.$source" ;;
	esac
	case $location in
	fdt-phys) loc="--fdt-phys $(sed -n 's/^fdt_phys: //p' "$g.info")" ;;
	fdt-file) loc="--fdt $g.fdt" ;;
	esac
	# shellcheck disable=SC2086
	run "$KHOWALK" $src $loc $cmd
	expect_eq "$rc:$err" "$want_rc:$(printf "$want_err")" "$name: exit $want_rc and message"

	# bounded work, counted: the counted run must be the same run (its
	# exit status), and every number must have been reported, never
	# taken as 0 for want of a line
	rm -f "$T/alloc"
	# shellcheck disable=SC2086
	KHO_ALLOC_REPORT=$T/alloc "$COUNTED" -v $src $loc $cmd >/dev/null 2>"$T/verr"
	counted_rc=$?
	written=$(sed -n 's/^pages_written: //p' "$g.info")
	if [ -n "$written" ] && grep -q '^format: v1-512' "$g.info"; then
		written=$((8 * written))
	fi
	nodes=$(sed -n 's/^khowalk: \([0-9]*\) metadata pages read, [0-9]* reads$/\1/p' "$T/verr")
	reads=$(sed -n 's/^khowalk: [0-9]* metadata pages read, \([0-9]*\) reads$/\1/p' "$T/verr")
	peak=$(sed -n 's/^peak_bytes //p' "$T/alloc" 2>/dev/null)
	if [ "$counted_rc" -ne "$want_rc" ]; then
		ok 1 "$name: the counted run exits $want_rc too (it exited $counted_rc)"
		sed 's/^/#   /' "$T/verr" | head -5
	elif ! grep -q '^khowalk: map from ' "$T/verr" && [ -z "$nodes$reads" ] &&
		[ -n "$peak" ]; then
		# The FDT was refused: no map, no walk, nothing read but it.
		ok $([ "$peak" -le $((4 * 1024 * 1024)) ]; echo $?) \
			"$name: bounded work, exit $counted_rc (no map located, no walk; peak $peak bytes)"
	elif [ -z "$written" ] || [ -z "$nodes" ] || [ -z "$reads" ] || [ -z "$peak" ]; then
		ok 1 "$name: bounded work: a count is missing (objects '$written', metadata pages '$nodes', reads '$reads', peak '$peak')"
	else
		limit=$((4 * 1024 * 1024 + 64 * nodes))
		ok $([ "$nodes" -le $((written + 1)) ] && [ "$reads" -le $((64 * (nodes + 1))) ] &&
			[ "$peak" -le "$limit" ]; echo $?) \
			"$name: bounded work, exit $counted_rc ($nodes of $written objects, $reads reads, peak $peak bytes)"
	fi
}

while IFS='|' read -r name spec source location cmd want_rc want_err; do
	case $name in '#'*|'') continue ;; esac
	spec=$(echo "$spec" | sed "s|^data/|$SPECS/|; s|^robust/|$MINE/|")
	check_case "$name" "$spec" "$source" "$location" "$cmd" "$want_rc" "$want_err"
done <<'EOF_CASES'
# name|spec|source|location|command|exit|stderr
table cycle|data/corrupt-radix-cycle.spec|raw|fdt-phys|check|3|khowalk: level 2 table at 0x40306000: entry 0 points to 0x40304000, already reached as a level 4 table (cycle)
self-loop|data/corrupt-radix-self-loop.spec|raw|fdt-phys|check|3|khowalk: level 3 table at 0x40305000: entry 0 points to 0x40305000, already reached as a level 3 table (self-loop)
shared subtree|data/corrupt-radix-shared.spec|raw|fdt-phys|check|3|khowalk: level 1 table at 0x40307000: entry 33 points to 0x40246000, already reached as a level 0 leaf (shared subtree)
unaligned pointer|data/corrupt-radix-unaligned.spec|raw|fdt-phys|check|3|khowalk: level 2 table at 0x40306000: entry 0 points to 0x40307010, not page aligned
out-of-range pointer|data/corrupt-radix-beyond-end.spec|raw|fdt-phys|check|3|khowalk: leaf at 0x40500000 (entry 32 of the level 1 table at 0x40307000): cannot be read: 0x40500000 is beyond the end of physical memory (0x40400000)
level-5 index above 3|data/corrupt-radix-l5-index.spec|raw|fdt-phys|check|3|khowalk: level 5 table at 0x40055000: entry 4 is 0x40304000, but keys are 53 bits wide (entries above 3 cannot be used)
key 0|data/corrupt-radix-key-zero.spec|raw|fdt-phys|check|3|khowalk: leaf at 0x40266000: bit 0 is set, but key 0 encodes no block
chunk-list cycle|data/corrupt-v1-cycle.spec|raw|fdt-phys|check|3|khowalk: chunk 2 at 0x4036b000: next 0x401ba000 is chunk 0 of the list (cycle)
num_elms overflow|data/corrupt-v1-num-elms.spec|raw|fdt-phys|check|3|khowalk: chunk 0 at 0x401ba000: num_elms 256 is above the capacity of 255 entries; its entries are skipped
kho-v1 order too large|data/corrupt-v1-order.spec|raw|fdt-phys|check|3|khowalk: chunk 0 at 0x401ba000: order 52 is above 40, the largest a 52-bit physical address space holds; its entries are skipped
kho-v1 misaligned phys_start|data/corrupt-v1-misaligned.spec|raw|fdt-phys|check|3|khowalk: chunk 0 at 0x40032000: entry 0: phys_start 0x40001000 is not a multiple of 0x1000000, what a 512-byte order-0 bitmap covers
kho-v1 bitmap out of range|data/corrupt-v1-bitmap-beyond.spec|raw|fdt-phys|check|3|khowalk: order-0 bitmap at 0x40401000 (entry 0 of chunk 0 at 0x40032000): cannot be read: 0x40401000 is beyond the end of physical memory (0x40400000)
FDT bad totalsize (in memory)|data/corrupt-fdt-totalsize.spec|raw|fdt-phys|check|3|khowalk: FDT at 0x40056000: totalsize 1048576 is implausible (at most 65536)
FDT bad totalsize (file)|data/corrupt-fdt-totalsize.spec|raw|fdt-file|check|3|khowalk: FDT totalsize 1048576 does not fit the 4096 bytes available
FDT property length|data/corrupt-fdt-proplen.spec|raw|fdt-phys|check|3|khowalk: property 'preserved-memory-map' has 4 bytes, expected 8
FDT unknown version|data/corrupt-fdt-compatible.spec|raw|fdt-phys|check|1|khowalk: unknown KHO version 'kho-v9' (this build decodes kho-v1 to kho-v4; force a format to try)
FDT not KHO|data/corrupt-fdt-not-kho.spec|raw|fdt-phys|check|1|khowalk: root compatible 'linux,dummy-v1' is not a KHO FDT (expected 'kho-v<N>')
overlapping blocks of two orders|robust/overlap-orders.spec|raw|fdt-phys|check|3|khowalk: block 0x201000 order 0 overlaps block 0x200000 order 9
truncated dump (ELF)|data/corrupt-truncated-elf.spec|elf|fdt-phys|check|4|khowalk: level 4 table at 0x40304000 (entry 2 of the level 5 table at 0x40055000): not in the dump (the dump file ends before 0x40304000)\nkhowalk: 53 problems in all; the first is shown
page missing (raw)|data/corrupt-omit-table.spec|raw|fdt-phys|check|4|khowalk: level 2 table at 0x40306000 (entry 0 of the level 3 table at 0x40305000): not in the dump (0x40306000 is not in any raw image)
page missing (kdump)|data/corrupt-omit-table.spec|kdump|fdt-phys|check|4|khowalk: level 2 table at 0x40306000 (entry 0 of the level 3 table at 0x40305000): not in the dump (Excluded page)
page missing (ELF)|data/corrupt-omit-table.spec|elf|fdt-phys|check|4|khowalk: level 2 table at 0x40306000 (entry 0 of the level 3 table at 0x40305000): not in the dump (Page not found)
EOF_CASES

# The overlap is invisible to the walk; the blocks are still listed.
g=$T/overlap-orders
run "$KHOWALK" $(cat "$g.raw.args") --fdt-phys "$(sed -n 's/^fdt_phys: //p' "$g.info")" pages
expect_eq "$rc:$(echo "$out" | grep -c '^0x20')" "0:2" "overlapping blocks: pages lists both, exit 0"

done_testing
