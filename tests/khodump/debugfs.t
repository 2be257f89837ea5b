#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A copied debugfs tree (--debugfs DIR): with a vmcore it decodes exactly
# like the hinted run; without memory the blobs come from sub_fdts/ files.
. "$(dirname "$0")/lib.sh"

"$MK" --elf "$T/all.elf" --debugfs "$T/dbg" --info "$T/info" "$D/all-blobs.spec"
FDT=$(info fdt_phys)

run "$KHODUMP" --vmcore "$T/all.elf" --fdt-phys "$FDT"
printf '%s\n' "$out" | grep -v -e '^located:' -e '^FDT at:' -e '^  FDT page:' >"$T/hinted"
run "$KHODUMP" --debugfs "$T/dbg" --vmcore "$T/all.elf"
expect_eq "$rc" 0 "--debugfs with a vmcore exits 0"
printf '%s\n' "$out" | grep '^located:' >"$T/got"
echo "located:     debugfs $T/dbg/out/fdt" >"$T/want"
same_file "$T/got" "$T/want" "says it read debugfs out/fdt"
printf '%s\n' "$out" | grep -v -e '^located:' -e '^scratch:' -e '^  0x7' >"$T/got"
same_file "$T/got" "$T/hinted" "decodes like the hinted run"
printf '%s\n' "$out" | sed -n '/^scratch:/,$p' >"$T/got"
printf 'scratch:     2 areas (debugfs)\n  0x7000000-0x7400000 4194304\n  0x7400000-0x7c00000 8388608\n' >"$T/want"
same_file "$T/got" "$T/want" "scratch areas from out/scratch_phys and out/scratch_len"

# No memory source: blobs from the files; what they point to is missing.
run "$KHODUMP" --debugfs "$T/dbg"
expect_eq "$rc" 4 "without memory, pointed-to data is missing (exit 4)"
same_text "$(printf '%s\n' "$out" | sed "s|$T/dbg|DBG|")" "$D/expected/debugfs-nomem.txt" \
	"FDT-only decoding from the files is exact"
expect_eq "$(printf '%s\n' "$err" | tail -1)" \
	"khodump: note: no memory source given: blobs from debugfs files only, no summary" \
	"says why there is no summary"

# The debugfs out/fdt may be stale-length (KHO_ABI.md §4.1): trust totalsize.
cat "$T/dbg/out/fdt" /dev/zero 2>/dev/null | head -c 4096 >"$T/fdt4k"
cp "$T/fdt4k" "$T/dbg/out/fdt"
run "$KHODUMP" --debugfs "$T/dbg" --vmcore "$T/all.elf"
printf '%s\n' "$out" | grep -v -e '^located:' -e '^scratch:' -e '^  0x7' >"$T/got"
same_file "$T/got" "$T/hinted" "a page-long out/fdt decodes by its totalsize"

# --in reads in/.
run "$KHODUMP" --debugfs "$T/dbg" --in
expect_eq "$rc:$err" "1:khodump: cannot open '$T/dbg/in/fdt': No such file or directory" "--in reads in/fdt"

# --extract from a debugfs run finds the FDT page among order-0 blocks.
run "$KHODUMP" --debugfs "$T/dbg" --vmcore "$T/all.elf" --extract "$T/x.elf"
expect_eq "$rc" 0 "--extract with --debugfs exits 0"
run "$KHODUMP" --vmcore "$T/x.elf" --fdt-phys "$FDT"
printf '%s\n' "$out" | grep -v -e '^located:' -e '^FDT at:' -e '^  FDT page:' >"$T/got"
same_file "$T/got" "$T/hinted" "the extract holds the FDT page debugfs did not locate"

done_testing
