#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Options and exit codes (DESIGN §3a).
. "$(dirname "$0")/lib.sh"

run "$KHODUMP" --version
expect_eq "$rc:$out" "0:khodump 0.1.0" "--version"
run "$KHODUMP" --help
ok $([ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^usage: khodump'; echo $?) "--help"
run "$KHODUMP" --bogus
expect_eq "$rc" 2 "unknown option exits 2"
run "$KHODUMP" extra
expect_eq "$rc:$err" "2:khodump: unexpected argument 'extra'$(usage_hint khodump)" "stray argument exits 2"
run "$KHODUMP" --preview 0
expect_eq "$rc:$err" "2:khodump: invalid --preview '0' (1 to 4096)$(usage_hint khodump)" "--preview 0 exits 2"
run "$KHODUMP" --scan-limit 0 --scan
expect_eq "$rc:$err" "2:khodump: invalid --scan-limit '0' (at least 1)$(usage_hint khodump)" "--scan-limit 0 exits 2"
run "$KHODUMP" --fdt "$T/missing"
expect_eq "$rc:$err" "1:khodump: cannot open '$T/missing': No such file or directory" "missing FDT file exits 1"
run "$KHODUMP" --vmcore "$FIX/upstream-v2/vmcore.elf" --root 0x40dad000
expect_eq "$rc" 2 "--root (no FDT) is a usage error for khodump"
run "$KHODUMP" --vmcore "$FIX/upstream-v2/vmcore.elf" --fdt-phys 0x41000000
expect_eq "$rc" 4 "an FDT address not in the dump exits 4"
# khowalk accepts the shared options khodump added.
run "$KHOWALK" --vmcore "$FIX/upstream-v2/vmcore.elf" --scan check
expect_eq "$rc:$out" "0:ok: 2486 blocks in 1514 ranges, 731 metadata pages" "khowalk --scan finds the same map"
# An FDT file alone decodes without memory.
run "$KHODUMP" --fdt "$FIX/upstream-v2/kho.fdt"
expect_eq "$rc" 4 "--fdt alone: blob not readable without memory (exit 4)"
printf '%s\n' "$out" | grep -q '^sub-node "test":$'
ok $? "... but the FDT and its sub-nodes are shown"

done_testing
