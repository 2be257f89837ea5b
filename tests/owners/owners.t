#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# khowalk owners: who holds each preserved block. On the committed dumps
# of the upstream 7.x lab (tests/vmcores/upstream-*) every block's owner
# equals the independent reader's (tests/lab7/kho_truth.py owners, written
# from the ABI headers; expected-owners.txt); the only unattributed blocks
# are the lab module's leaked folio and what only its private blobs
# (kho_lab, kho_lab_raw: formats no decoder knows) point to. Problems
# (overlap, claimed but not preserved) on a generated dump whose expected
# report was written by hand from its spec.
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/tap.sh"

V=$KHO_SRC/tests/vmcores
MK=$KHO_BUILD/tests/khodump/mkkhodump
[ -x "$KHOWALK" ] || bail "no khowalk at '$KHOWALK'"
[ -x "$KHODUMP" ] || bail "no khodump at '$KHODUMP'"
[ -x "$MK" ] || bail "no mkkhodump at '$MK'"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# blocks NAME: --blocks (text and JSON) equals the independent reader's.
. "$KHO_SRC/tests/owners/blocks.sh"
blocks() {
	d=$V/upstream-$1
	[ -s "$d/expected-owners.txt" ] || bail "no $d/expected-owners.txt"
	owners_blocks_match "upstream-$1" "$d/vmcore.elf" "$d/expected-owners.txt" "$T"
}

blocks handover
d=$V/upstream-handover
# The lab module's blocks (kho-lab7.txt, recorded in the same boot) less
# the two blob pages (kho_lab's FDT, kho_lab_raw) are exactly the
# unattributed ones; the leaked folio is among them.
blob_pages=$(awk '/blob "kho_lab/ { print $1 " " $2 }' "$d/expected-owners.txt")
grep -vxF "$blob_pages" "$V/upstream-first/kho-lab7.txt" | sort >"$T/want-un"
awk '$3 == "unattributed" { print $1 " " $2 }' "$T/upstream-handover.lines" | sort >"$T/got-un"
same_file "$T/got-un" "$T/want-un" "upstream-handover: unattributed = kho_lab7's blocks but its blob pages ($(wc -l <"$T/want-un") blocks)"
grep -qxF "$(cat "$V/upstream-first/leaked.txt")" "$T/got-un"
ok $? "upstream-handover: the leaked folio $(cat "$V/upstream-first/leaked.txt") is unattributed"
nf=$(grep -c " / memfd_luo_ser / folios offset " "$T/upstream-handover.lines")
expect_eq "$nf" "$(grep -c '^folio ' "$d/luo.txt")" "upstream-handover: every memfd page of the LUO workload is attributed to its memfd's folios"

# The listing: unattributed ranges (coalesced), the tree, totals, no problem.
"$KHOWALK" --vmcore "$d/vmcore.elf" --scan owners >"$T/o" 2>"$T/o.err"
expect_eq "$?/$(cat "$T/o.err")" "0/" "upstream-handover: owners exits 0, no stderr"
awk '$3 == "unattributed" { print $1, $2 }' "$d/expected-owners.txt" |
	/usr/bin/python3 -c '
import sys
out = []
for line in sys.stdin:
    pa, order = line.split()
    pa, end = int(pa, 16), int(pa, 16) + (4096 << int(order))
    if out and out[-1][1] == pa:
        out[-1][1] = end
    else:
        out.append([pa, end])
for s, e in out:
    print(f"unattributed 0x{s:x}-0x{e:x} {e - s}")' >"$T/want-ranges"
grep '^unattributed 0x' "$T/o" >"$T/got-ranges"
same_file "$T/got-ranges" "$T/want-ranges" "upstream-handover: the unattributed ranges, coalesced"
expect_eq "$(grep '^total:' "$T/o")" \
	"total: 79 blocks; 48 attributed (8552448 bytes, 10 partly); 31 unattributed (1884160 bytes) in 13 ranges" \
	"upstream-handover: totals"
expect_eq "$(grep '^problems:' "$T/o")" "problems: 0 overlaps, 0 claimed but not preserved, 0 in decoding" \
	"upstream-handover: no problem"
expect_eq "$(grep '^note:' "$T/o")" \
	"note: no decoder knows kho_lab_raw (raw), kho_lab (fdt kho-lab-v1): what they point to is unattributed" \
	"upstream-handover: the blobs no decoder knows are named"

# --max-list: the first ranges listed, the rest counted.
"$KHOWALK" --vmcore "$d/vmcore.elf" --scan owners --max-list 2 >"$T/o2" 2>/dev/null
expect_eq "$(grep -c '^unattributed 0x' "$T/o2")/$(grep '^unattributed: 11 more' "$T/o2")/$(grep '^total:' "$T/o2")" \
	"2/unattributed: 11 more ranges not listed (--max-list 0 lists them all)/$(grep '^total:' "$T/o")" \
	"upstream-handover: --max-list 2 lists two ranges and counts the other 11"

# khodump --owners: the same totals in its report.
"$KHODUMP" --vmcore "$d/vmcore.elf" --scan --owners >"$T/kd" 2>"$T/kd.err"
expect_eq "$?/$(sed -n 's/^  total: //p' "$T/kd")" \
	"0/79 blocks; 48 attributed (8552448 bytes, 10 partly); 31 unattributed (1884160 bytes) in 13 ranges" \
	"upstream-handover: khodump --owners summarizes the same attribution"

# First kernel: LUO has not serialized; the reason says so.
blocks first
"$KHOWALK" --vmcore "$V/upstream-first/vmcore.elf" --scan owners >"$T/o" 2>/dev/null
expect_eq "$(sed -n 's/^unattributed: //p' "$T/o" | cut -c1-60)" \
	"LUO has not serialized its sessions (luo_ser's sessions_pa i" \
	"upstream-first: unattributed with the reason 'not yet serialized'"

# Second kernel, outgoing: everything attributed.
blocks second-out
"$KHOWALK" --vmcore "$V/upstream-second-out/vmcore.elf" --scan owners >"$T/o" 2>/dev/null
expect_eq "$(grep -c '^unattributed' "$T/o")" "0" "upstream-second-out: nothing unattributed"

# Second kernel, incoming: the map is released.
"$KHOWALK" --vmcore "$V/upstream-second-in/vmcore.elf" --scan --in owners >"$T/o" 2>"$T/o.err"
expect_eq "$?/$(cut -c1-60 "$T/o.err")" "4/khowalk: the incoming memory map at 0x207000: released by th" \
	"upstream-second-in: --in owners exits 4, the map is released"

# Problems, on a generated dump (the expected report follows the spec).
"$MK" --elf "$T/p.elf" --info "$T/p.info" "$KHO_SRC/tests/owners/problems.spec" || bail "mkkhodump failed"
"$KHOWALK" --vmcore "$T/p.elf" --scan owners >"$T/p" 2>"$T/p.err"
expect_eq "$?" "3" "problems: exit 3 (an overlap is an inconsistent structure)"
same_file "$T/p" "$KHO_SRC/tests/owners/problems.expected" "problems: the report (overlap, not preserved, partial, unattributed)"
expect_eq "$(head -1 "$T/p.err")" \
	'khowalk: block 0x4001000-0x4002000: claimed by blob "memblock" / reserve_mem "b" and by blob "memblock" / reserve_mem "c", unrelated owners' \
	"problems: the first one on stderr"
"$KHOWALK" --vmcore "$T/p.elf" --scan owners -j >"$T/p.json" 2>/dev/null
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["format_version"], [p["kind"] for p in d["problems"]], d["problem_count"], d["unattributed"]["ranges"], d["unattributed_ranges"][0])
' "$T/p.json" >"$T/pj"
expect_eq "$(cat "$T/pj")" "1 ['overlap', 'not-preserved'] 2 2 {'start': '0x4200000', 'end': '0x4202000'}" "problems: JSON"

# A kho-v1 FDT before finalize (map 0): nothing to attribute, no problem.
"$KHO_BUILD/tests/gen/mkkhoimg" --elf "$T/z.elf" "$KHO_SRC/tests/data/specs/v1-map-zero.spec" ||
	bail "mkkhoimg failed"
"$KHOWALK" --vmcore "$T/z.elf" --scan owners >"$T/z" 2>"$T/z.err"
expect_eq "$?/$(cat "$T/z.err")/$(grep '^total:' "$T/z")" \
	"0/khowalk: note: kho-v1 map not finalized (preserved-memory-map is 0): nothing to attribute/total: 0 blocks; 0 attributed (0 bytes, 0 partly); 0 unattributed (0 bytes) in 0 ranges" \
	"kho-v1 before finalize: exit 0, a note, nothing attributed and no problem"

# A map given by its root alone: nobody's, with that reason.
root=$(awk '$1 == "root_phys" { print $2 }' "$T/p.info")
"$KHOWALK" --vmcore "$T/p.elf" --root "$root" owners >"$T/q" 2>"$T/q.err"
expect_eq "$?/$(cat "$T/q.err")/$(grep '^total:\|^unattributed:' "$T/q" | tr '\n' '|')" \
	"0//total: 9 blocks; 0 attributed (0 bytes, 0 partly); 9 unattributed (49152 bytes) in 6 ranges|unattributed: no KHO FDT (a map given by its root): nothing says who holds what|" \
	"--root: every block unattributed, with the reason"

# Usage.
"$KHOWALK" --vmcore "$T/p.elf" --scan pages --blocks >/dev/null 2>"$T/u.err"
expect_eq "$?/$(head -1 "$T/u.err")" "2/khowalk: --blocks is an option of 'owners'" "--blocks belongs to owners"
done_testing
