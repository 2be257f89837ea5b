#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Key codec on the command line, usage errors and exit codes (DESIGN §3a).
# The keys are the worked examples and golden trees of DESIGN §3 (the
# codec's formula by hand: 1 << (order0 - order) | phys >> (shift + order)).
. "$(dirname "$0")/lib.sh"

run "$KHOWALK" key encode 0x123456000 0
expect_eq "$rc:$out" "0:0x10000000123456" "key encode"
run "$KHOWALK" key decode 0x80000000001
expect_eq "$rc:$out" "0:0x200000 9" "key decode"
run "$KHOWALK" key encode 0x40000000 18
expect_eq "$out" "0x400000001" "key encode order 18"
run "$KHOWALK" -j key decode 0x2000000000001
expect_eq "$out" '{"format_version":1,"key":"0x2000000000001","phys":"0x8000","order":3}' "key decode JSON"
run "$KHOWALK" key encode 0x1000 1
expect_eq "$rc:$err" "1:khowalk: cannot encode 0x1000 order 1: address not aligned to the order" "unaligned encode exits 1"
run "$KHOWALK" key decode 0
expect_eq "$rc:$err" "1:khowalk: invalid key 0x0 (must be non-zero and below 2^53)" "key 0 exits 1"
run "$KHOWALK" key decode 0x20000000000000
expect_eq "$rc" "1" "54-bit key exits 1"
run "$KHOWALK" key decode zzz
expect_eq "$rc:$err" "2:khowalk: invalid key 'zzz'$(usage_hint khowalk)" "garbage key is a usage error"
run "$KHOWALK" --page-size 16384 key encode 0x4000 0
expect_eq "$out" "0x4000000000001" "16 KiB pages: order bit at 50"
run "$KHOWALK" frobnicate
expect_eq "$rc:$err" "2:khowalk: unknown command 'frobnicate' (pages, ranges, stats, check, map, find, key, owners, diff)$(usage_hint khowalk)" "unknown command exits 2"
run "$KHOWALK" --bogus
ok $([ "$rc" -eq 2 ]; echo $?) "unknown option exits 2"
run "$KHOWALK" --raw nofile pages
expect_eq "$rc:$err" "2:khowalk: invalid --raw 'nofile' (expected FILE@PHYS)$(usage_hint khowalk)" "--raw without @PHYS"
run "$KHOWALK" --raw "$T/missing@0x1000" --root 0x1000
expect_eq "$rc:$err" "1:khowalk: cannot open '$T/missing': No such file or directory" "missing raw image exits 1"
run "$KHOWALK" --vmcore "$T/missing" --root 0x1000
expect_eq "$rc:$err" "1:khowalk: cannot open '$T/missing': No such file or directory" "missing vmcore exits 1"
echo "not a dump" >"$T/junk"
run "$KHOWALK" --vmcore "$T/junk" --root 0x1000
ok $([ "$rc" -eq 1 ] && echo "$err" | grep -q "^khowalk: cannot open '$T/junk' as a dump: "; echo $?) "junk vmcore exits 1 with a message"
run "$KHOWALK" --vmcore "$FIX/upstream-v2/vmcore.elf" --fdt "$FIX/upstream-v2/expected-pages.txt"
expect_eq "$rc:$err" "1:khowalk: not an FDT (magic 0x30783432)" "a non-FDT file exits 1"
run "$KHOWALK" --vmcore "$FIX/upstream-v2/vmcore.elf" --fdt-phys 0x40000000
ok $([ "$rc" -eq 1 ] || [ "$rc" -eq 4 ]; echo $?) "FDT address without an FDT fails ($rc: $err)"
run "$KHOWALK" --vmcore "$FIX/upstream-v2/vmcore.elf" --root 0x42076000 ranges
expect_eq "$rc" "3" "an FDT page walked as a radix root is corrupt (exit 3)"
run "$KHOWALK" --vmcore "$FIX/upstream-v2/vmcore.elf" --root 0x900000000
expect_eq "$rc:$err" "3:khowalk: level 5 table (root) at 0x900000000: cannot be read: 0x900000000 is beyond the end of physical memory (0x43ff8000)" "root outside memory exits 3"
run "$KHOWALK" --vmcore "$FIX/upstream-v2/vmcore.elf" --root 0x41000000
expect_eq "$rc:$err" "4:khowalk: level 5 table (root) at 0x41000000: not in the dump (Page not found)" "root not in the dump exits 4"
run "$KHOWALK" --debugfs "$T/nodebugfs" --vmcore "$FIX/upstream-v2/vmcore.elf"
expect_eq "$rc:$err" "1:khowalk: cannot open '$T/nodebugfs/out/fdt': No such file or directory" "missing debugfs exits 1"
mkdir -p "$T/dbg/out" "$T/dbg/in"
cp "$FIX/upstream-v2/kho.fdt" "$T/dbg/out/fdt"
run "$KHOWALK" --debugfs "$T/dbg" --vmcore "$FIX/upstream-v2/vmcore.elf" ranges
echo "$out" >"$T/r"
same_file "$T/r" "$FIX/upstream-v2/expected-ranges.txt" "copied debugfs tree"
run "$KHOWALK" --debugfs "$T/dbg" --in --vmcore "$FIX/upstream-v2/vmcore.elf"
expect_eq "$rc:$err" "1:khowalk: cannot open '$T/dbg/in/fdt': No such file or directory" "--in reads in/fdt"
run "$KHOWALK" --version
expect_eq "$rc:$out" "0:khowalk 0.1.0" "--version"
run "$KHOWALK" --help
ok $([ "$rc" -eq 0 ] && echo "$out" | grep -q "^usage: khowalk"; echo $?) "--help"
run "$KHOWALK" --max-nodes 0
expect_eq "$rc" "2" "--max-nodes 0 is a usage error"
run "$KHOWALK" --vmcore "$FIX/upstream-v2/vmcore.elf" --root "$(cat "$FIX/upstream-v2/root_phys.txt")" --max-nodes 100 stats
expect_eq "$rc:$err" "1:khowalk: walk stopped after 100 metadata pages (limit; raise it with --max-nodes)" "limit exits 1"

done_testing
