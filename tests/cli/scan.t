#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --scan reads every present page's head in one sequential pass
# (khor_mem_heads(): ELF PT_LOADs by large preads, kdump-compressed pages by
# their descriptors, zlib pages inflated only as far as the head). On dumps
# full of realistic memory (tests/gen's `ram`, a quarter left out in runs,
# so the ELF has many PT_LOADs and the kdump many excluded pages) with an
# FDT-magic decoy, it finds the same FDT as the hinted run, in the ELF, the
# zlib and the uncompressed kdump, also under --extract, and is bounded.
. "$(dirname "$0")/lib.sh"

GEN=$KHO_BUILD/tests/gen/mkkhoimg
KHODUMP=$KHO_BUILD/tools/khodump
cat >"$T/spec" <<'EOF'
compatible kho-v4
vmcoreinfo on
ram 0 96M 25
arena 0x2000000 1M
random 300 0-3 0x3000000 0x5000000
subnode client
# a page that starts with the FDT magic but is no FDT: not a candidate
subnode-raw decoy d00dfeed0000004000000038
EOF
"$GEN" --elf "$T/v.elf" --kdump "$T/v.kdump" --info "$T/info" "$T/spec"
ok $? "generator writes the zlib dumps"
printf 'kdump-compress none\n' | cat - "$T/spec" >"$T/spec.raw"
"$GEN" --kdump "$T/v.kdump-none" "$T/spec.raw"
ok $? "generator writes the uncompressed kdump"
FDT=$(sed -n 's/^fdt_phys: //p' "$T/info")
DUMPED=$(sed -n 's/^pages_dumped: //p' "$T/info")
[ "$DUMPED" -gt 15000 ] && [ "$DUMPED" -lt 24576 ]
ok $? "a quarter of memory (give or take) is left out: $DUMPED of 24576 pages dumped"

for v in v.elf v.kdump v.kdump-none; do
	run "$KHODUMP" --vmcore "$T/$v" --fdt-phys "$FDT"
	printf '%s\n' "$out" | grep -v -e '^located:' -e '^  candidate ' >"$T/want"
	run "$KHODUMP" --vmcore "$T/$v" --scan
	expect_eq "$rc" 0 "$v: --scan exits 0"
	expect_eq "$(printf '%s\n' "$out" | sed -n 2p)" \
		"located:     --scan: $FDT, the only KHO FDT found" "$v: --scan finds the FDT"
	printf '%s\n' "$out" | grep -v -e '^located:' -e '^  candidate ' >"$T/got"
	same_file "$T/got" "$T/want" "$v: --scan decodes exactly like --fdt-phys"
	run "$KHODUMP" --vmcore "$T/$v" --scan --extract "$T/x.elf"
	expect_eq "$rc" 0 "$v: --scan --extract exits 0"
	run "$KHODUMP" --vmcore "$T/x.elf" --fdt-phys "$FDT"
	printf '%s\n' "$out" | grep -v -e '^source:' -e '^located:' -e '^  candidate ' >"$T/got"
	grep -v '^source:' "$T/want" >"$T/want-x"
	same_file "$T/got" "$T/want-x" "$v: the extract of a scan decodes the same"
	run "$KHODUMP" --vmcore "$T/$v" --scan --scan-limit 1000
	expect_eq "$rc:$err" "1:khodump: --scan stopped after 1000 pages (limit)" \
		"$v: --scan is bounded"
done
# Damaged page descriptors (offsets and sizes of 0xff..., flags unknown)
# for the first 4096 dumped pages: the heads pass must neither crash nor
# read wild, and those pages go through libkdumpfile, which refuses them;
# the FDT's page, further on, is still found.
u32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
bs=$(u32 "$T/v.kdump" 428)
pd=$(( (1 + $(u32 "$T/v.kdump" 432) + $(u32 "$T/v.kdump" 436)) * bs ))
cp "$T/v.kdump" "$T/bad.kdump"
head -c $((4096 * 24)) /dev/zero | tr '\0' '\377' |
	dd of="$T/bad.kdump" bs=1 seek="$pd" conv=notrunc 2>/dev/null
run "$KHODUMP" --vmcore "$T/bad.kdump" --scan
expect_eq "$rc:$(printf '%s\n' "$out" | sed -n 2p)" \
	"0:located:     --scan: $FDT, the only KHO FDT found" \
	"damaged page descriptors: the scan survives them and finds the FDT"

# The writer's `ram` pages are the same in both dumps, read back through
# libkdumpfile alone (kdfcheck): the ELF's one PT_LOAD cut out as a raw
# image must equal every page of the kdump.
printf 'ram 0 8M\narena 0x100000 64K\nblock 0x400000 0\n' >"$T/small"
"$GEN" --elf "$T/s.elf" --kdump "$T/s.kdump" --info "$T/sinfo" "$T/small"
ok $? "generator writes a small ram dump"
off=$(od -An -t u8 -j 72 -N 8 "$T/s.elf" | tr -d ' ')
tail -c +$((off + 1)) "$T/s.elf" >"$T/s.raw"
expect_eq "$(wc -c <"$T/s.raw")" 8388608 "the ELF holds all 8 MiB"
"$KHO_BUILD/tests/gen/kdfcheck" --dumped 2048 "$T/s.kdump" "$T/s.raw@0x0"
ok $? "every page of the kdump equals the ELF's"
expect_eq "$(od -An -v -t x1 -w4096 "$T/s.raw" | grep -cx '\( 00\)\{4096\}')" 1 \
	"no ram page is all zero (the one zero page is the last, which marks the end of memory)"

done_testing
