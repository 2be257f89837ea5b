#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Decoders never trust a blob: bad counts, pointers outside memory, pages
# not in the dump, and bad sub-node properties give exit 3 or 4 with the
# problem named, and everything before it is still shown.
. "$(dirname "$0")/lib.sh"

base() {
	cat <<'EOS'
compatible kho-v3
luo 1
luo-session s0
luo-file memfd-v1 0x5000000 0x1
kho-test 0 0
EOS
}
# Addresses the builder picks for this spec (checked below via --info):
# FDT 0x1000000, LUO session header 0x1010000, files 0x1020000,
# kho_test vmalloc chunk 0x1025000.
base | "$MK" --elf "$T/ok.elf" --info "$T/info" -
expect_eq "$(info fdt_phys)" 0x1000000 "layout as expected"
run "$KHODUMP" --vmcore "$T/ok.elf" --fdt-phys 0x1000000
expect_eq "$rc:$err" "0:" "the clean dump decodes with exit 0"

# A session count far beyond the 16-page block.
{ base; echo "poke 0x1010000 ffffffff00000000"; } | "$MK" --elf "$T/c1.elf" -
run "$KHODUMP" --vmcore "$T/c1.elf" --fdt-phys 0x1000000
expect_eq "$rc:$err" "3:khodump: sub-node 'LUO': LUO session header at 0x1010000: 4294967295 sessions (at most 819 fit its 16 pages)" \
	"LUO session count out of bounds (exit 3)"

# A file array pointer outside memory.
{ base; echo "poke 0x1010048 0000000001000000"; } | "$MK" --elf "$T/c2.elf" -
run "$KHODUMP" --vmcore "$T/c2.elf" --fdt-phys 0x1000000
expect_eq "$rc" 3 "LUO files beyond the end of memory (exit 3)"
printf '%s\n' "$err" | grep -q "^khodump: sub-node 'LUO': LUO file array at 0x100000000: points outside memory: 0x100000000 is beyond the end of physical memory (0x8000000)$"
ok $? "... named as outside memory"
printf '%s\n' "$out" | grep -q '^      - name: "s0"$'
ok $? "... and the session before it is still shown"

# The LUO file array left out of the dump: incomplete, not corrupt.
{ base; echo "omit 0x1020000"; } | "$MK" --elf "$T/c3.elf" -
run "$KHODUMP" --vmcore "$T/c3.elf" --fdt-phys 0x1000000 --no-summary
expect_eq "$rc" 4 "a blob page not in the dump (exit 4)"
printf '%s\n' "$err" | grep -q "^khodump: sub-node 'LUO': LUO file array at 0x1020000: not in the dump"
ok $? "... named as not in the dump"

# A vmalloc chunk list that ends before total_pages.
{ base; echo "poke 0x1025008 0000000000000000"; } | "$MK" --elf "$T/c4.elf" -
run "$KHODUMP" --vmcore "$T/c4.elf" --fdt-phys 0x1000000 --no-summary
expect_eq "$rc:$err" "3:khodump: sub-node 'kho_test': kho_vmalloc: chunks list 0 blocks of order 0, total_pages 1 needs 1" \
	"a kho_vmalloc chunk list shorter than total_pages is corrupt (exit 3)"

# A vmalloc chunk list that loops on itself.
{ base; echo "poke 0x1025000 0050020100000000"; } | "$MK" --elf "$T/c7.elf" -
run "$KHODUMP" --vmcore "$T/c7.elf" --fdt-phys 0x1000000 --no-summary
expect_eq "$rc" 0 "a chunk 'next' loop after total_pages is never followed"

# A kho_test magic that is wrong.
"$MK" --elf "$T/c5.elf" --info "$T/info" - <<'EOS'
compatible kho-v3
kho-test 0
EOS
KT=$(awk '$1 == "sub" && $2 == "kho_test" { print $3 }' "$T/info")
run "$KHODUMP" --vmcore "$T/c5.elf" --fdt-phys 0x1000000 -j --no-summary
printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["subnodes"][0]["blob"]["decoded"]["magic"] == "0x4b484f21"'
ok $? "kho_test at $KT decodes"

# Blob-size lies: a blob far larger than memory is read only as a prefix,
# and a blob beyond the end of memory is corrupt.
"$MK" --elf "$T/c6.elf" - <<'EOS'
compatible kho-v3
raw opaque 00112233
poke 0x1000000 00
EOS
run "$KHODUMP" --vmcore "$T/c6.elf" --fdt-phys 0x1000000
expect_eq "$rc:$err" "1:khodump: no FDT at 0x1000000 (magic 0x000dfeed)" "a smashed FDT magic fails (exit 1)"

done_testing
