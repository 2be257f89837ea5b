#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The corruption catalogue for kho-v4 LUO state: one generated dump per
# class (tests/robust/specs/luo-*.spec, damaging luo-base.inc), each
# decoded by khodump with the exact exit status and message it must give,
# and with bounded work shown by counting: khodump --extract records every
# page the run read, and that must not exceed the pages the generator
# wrote plus one (a dangling pointer's target).
. "$(dirname "$0")/../cli/lib.sh"
LSAN_OPTIONS="suppressions=$KHO_SRC/tests/robust/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
KHODUMP=$KHO_BUILD/tools/khodump
GEN=$KHO_BUILD/tests/gen/mkkhoimg
ROBUST=$KHO_SRC/tests/robust/specs

# pages_in ELF: pages of memory an ELF vmcore holds (its PT_LOADs)
pages_in() {
	python3 - "$1" <<'EOP'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, = struct.unpack_from("<Q", d, 0x20)
size, num = struct.unpack_from("<HH", d, 0x36)
total = 0
for i in range(num):
    f = struct.unpack_from("<IIQQQQQQ", d, off + i * size)
    if f[0] == 1:
        total += f[6]
print(total // 4096)
EOP
}

# case|exit|message (SB0/SB1/FB0/FB1: the generator's block addresses)
while IFS='|' read -r c want_rc want_msg; do
	g=$T/$c
	if ! "$GEN" --elf "$g.elf" --info "$g.info" "$ROBUST/luo-$c.spec" 2>"$g.err"; then
		sed 's/^/# /' "$g.err"
		ok 1 "luo-$c: generate"
		continue
	fi
	inf() { sed -n "s/^$1 //p" "$g.info"; }
	sb1=$(inf 'luo-sblock: 1')
	want_msg=$(printf '%s' "$want_msg" | sed \
		-e "s/SB1+8/$(printf '0x%x' $((sb1 + 8)))/g" \
		-e "s/SB0/$(inf 'luo-sblock: 0')/g" -e "s/SB1/$sb1/g" \
		-e "s/FB0/$(inf 'luo-fblock: big 0')/g" \
		-e "s/FB1/$(inf 'luo-fblock: big 1')/g")
	run timeout 60 "$KHODUMP" --vmcore "$g.elf" \
		--fdt-phys "$(inf 'fdt_phys:')" --no-summary --extract "$g.x"
	expect_eq "$rc" "$want_rc" "luo-$c: exit $want_rc"
	expect_eq "$(printf '%s\n' "$err" | head -1)" \
		"khodump: sub-node 'LUO': $want_msg" "luo-$c: exact message"
	read_pages=$(pages_in "$g.x")
	written=$(inf 'pages_written:')
	[ "$read_pages" -le $((written + 1)) ]
	ok $? "luo-$c: bounded work ($read_pages pages read, $written written)"
done <<'EOF2'
cycle|3|LUO sessions: linked block 1 at SB1: next SB0 is block 0 of this chain (a cycle)
count|3|LUO session 'big' files: linked block 1 at FB1: count 64 is not in 1..63 (64-byte entries in a 4096-byte block)
wild|3|LUO session 'big' files: linked block 0 at FB0: next 0x44001000 points outside memory: 0x44001000 is beyond the end of physical memory (0x44000000)
unaligned|3|LUO sessions: linked block 0 at SB0: next SB1+8 is not page-aligned
truncated|3|LUO: luo-v5 blob of 16 bytes is shorter than struct luo_ser (32 bytes)
filecount|3|LUO session 'big' files: the blocks hold 65 files, the session says 99
missing|4|LUO session 'big' files: linked block 0 at FB0: next FB1 not in the dump: Page not found
version|1|LUO: version "luo-v4" is not supported (this decodes luo-v1 and luo-v5; it never shipped in a released kernel)
folio|3|memfd folio 0x100000000 is not in the preserved-memory map
EOF2

done_testing
