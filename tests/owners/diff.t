#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# khowalk diff on the committed dumps of the upstream 7.x lab: identical
# inputs are the same (exit 0); from the first kernel to the handover
# (same boot) exactly the blocks the LUO workload preserved were added,
# each with its owner, as the independent reader says (expected-owners.txt
# of both moments); the handover against what the second kernel received
# (--new-in) shows the FDT and every kept blob unchanged and names LUO's
# as released; exit statuses follow diff(1).
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/tap.sh"

V=$KHO_SRC/tests/vmcores
[ -x "$KHOWALK" ] || bail "no khowalk at '$KHOWALK'"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
F=$V/upstream-first/vmcore.elf
H=$V/upstream-handover/vmcore.elf
I=$V/upstream-second-in/vmcore.elf

"$KHOWALK" diff "$H" "$H" >"$T/same" 2>"$T/same.err"
expect_eq "$?/$(cat "$T/same.err")" "0/" "identical inputs: exit 0, no stderr"
expect_eq "$(tail -1 "$T/same")" "blocks: 0 added (0 bytes in 0 ranges), 0 removed (0 bytes in 0 ranges)" "identical inputs: nothing added or removed"
"$KHOWALK" diff -j "$H" "$H" >"$T/same.json" 2>/dev/null
expect_eq "$?/$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["same"], d["blocks"], d["fdt"])' "$T/same.json")" \
	"0/True [] []" "identical inputs: JSON says same"

"$KHOWALK" diff "$F" "$H" >"$T/d" 2>"$T/d.err"
expect_eq "$?/$(cat "$T/d.err")" "1/" "first -> handover: exit 1 (different), no stderr"
# Expected: blocks in the handover's truth and not in the first's (owners
# from the handover's truth), none removed.
awk 'NR == FNR { seen[$1 " " $2] = 1; next } !(($1 " " $2) in seen)' \
	"$V/upstream-first/expected-owners.txt" "$V/upstream-handover/expected-owners.txt" |
	sed 's/ partial$//; s/ partial offset / offset /; s/ offset 0x[0-9a-f]*$//; s/^/+ /' >"$T/want"
grep '^[-+] 0x' "$T/d" >"$T/got"
same_file "$T/got" "$T/want" "first -> handover: exactly the blocks LUO serialized, added, with their owners ($(wc -l <"$T/want"))"
expect_eq "$(grep '^blob ' "$T/d")" 'blob "LUO": bytes differ' "first -> handover: only LUO's blob changed (sessions_pa set)"
expect_eq "$(grep -c '^owner ' "$T/d")" "$(sed 's/^+ 0x[0-9a-f]* [0-9]* //' "$T/want" | sort -u | wc -l)" \
	"first -> handover: one owner delta per owner that gained blocks"

"$KHOWALK" diff --new-in "$H" "$I" >"$T/in" 2>"$T/in.err"
expect_eq "$?/$(cat "$T/in.err")" "0/" "handover -> second kernel's incoming (--new-in): exit 0"
expect_eq "$(grep -v '^---\|^+++' "$T/in")" 'blob "LUO": released by the kernel that received it; not compared
blocks: not compared: the map of NEW: released (the kernel that received it freed the tree'"'"'s pages) or absent' \
	"handover -> incoming: FDT and kept blobs unchanged, LUO's named as released"
"$KHOWALK" diff "$H" "$I" >/dev/null 2>&1
expect_eq "$?" "1" "handover -> second kernel's own outgoing state (no --new-in): different"

# Generated states (the expected report follows from the two specs): a
# block removed, one added, one whose order changed, a region added to a
# blob; with --root (no FDT) the blocks alone, every one unattributed.
MK=$KHO_BUILD/tests/khodump/mkkhodump
"$MK" --elf "$T/o.elf" "$KHO_SRC/tests/owners/diff-old.spec" &&
	"$MK" --elf "$T/n.elf" "$KHO_SRC/tests/owners/diff-new.spec" || bail "mkkhodump failed"
"$KHOWALK" diff "$T/o.elf" "$T/n.elf" >"$T/g" 2>"$T/g.err"
expect_eq "$?/$(cat "$T/g.err")" "1/" "generated: different, exit 1"
tail -n +3 "$T/g" >"$T/g.body"
same_file "$T/g.body" "$KHO_SRC/tests/owners/diff.expected" "generated: blocks removed, added, re-ordered; the blob and owner deltas"
"$KHOWALK" --root 0x1002000 diff "$T/o.elf" "$T/n.elf" >"$T/r" 2>/dev/null
expect_eq "$?/$(tail -n +3 "$T/r" | tr '\n' '|')" \
	"1/+ 0x4001000 0 unattributed|- 0x4200000 0 unattributed|- 0x4300000 2 unattributed|+ 0x4300000 1 unattributed|+ 0x4400000 0 unattributed|blocks: 3 added (16384 bytes in 3 ranges), 2 removed (20480 bytes in 2 ranges)|" \
	"generated, --root: the blocks alone"

# A raw image operand (FILE@PHYS): the old state's first PT_LOAD as a
# file, compared with the ELF it came from and with the new state.
/usr/bin/python3 - "$T/o.elf" "$T/o.raw" <<'PY' || bail "cannot cut the raw image"
import struct, sys
d = open(sys.argv[1], "rb").read()
off, = struct.unpack_from("<Q", d, 0x20)
_, _, o, _, pa, fs, _, _ = struct.unpack_from("<IIQQQQQQ", d, off)
assert pa == 0x1000000
open(sys.argv[2], "wb").write(d[o:o + fs])
PY
"$KHOWALK" diff "$T/o.raw@0x1000000" "$T/o.elf" >"$T/raw" 2>"$T/raw.err"
expect_eq "$?/$(cat "$T/raw.err")/$(sed -n 1p "$T/raw")" "0//--- $T/o.raw@0x1000000: --scan: 0x1000000, the only KHO FDT found" \
	"FILE@PHYS against the ELF it was cut from: the same, exit 0"
"$KHOWALK" diff "$T/o.raw@0x1000000" "$T/n.elf" >"$T/raw2" 2>/dev/null
expect_eq "$?/$(tail -n +3 "$T/raw2" | cmp -s - "$KHO_SRC/tests/owners/diff.expected"; echo $?)" "1/0" \
	"FILE@PHYS against the new state: the same report as from the ELF"

"$KHOWALK" diff "$H" "$T/missing" >/dev/null 2>"$T/e"
expect_eq "$?/$(cat "$T/e")" "5/khowalk: cannot open '$T/missing': No such file or directory" "an unreadable operand: exit 5 (trouble)"
"$KHOWALK" diff "$H" >/dev/null 2>&1
expect_eq "$?" "2" "one operand: usage, exit 2"
"$KHOWALK" --old-in pages >/dev/null 2>&1
expect_eq "$?" "2" "--old-in belongs to diff"
done_testing
