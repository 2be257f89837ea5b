#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# khowalk owners and diff on upstream Linux 7.x, exact against ground truth
# (its own guest run, lab7.mode=owners; tests/lab7/README.md):
#  - at the handover moment every block's owner equals the independent
#    reader's (kho_truth.py owners, written from the ABI headers), every
#    memfd page of the LUO workload is its memfd's at its file offset, and
#    the unattributed blocks are exactly kho_lab7's leaked folio, the
#    folios its leak loop kept, and what only its private blobs point to;
#  - in the first kernel with LUO sessions preserved but not serialized,
#    owners equal the reader's and the unattributed blocks hold every
#    memfd page, with the "not serialized" reason;
#  - diff of the dumps around kho_lab7's leak loop prints exactly the
#    folios it kept (exit 1), a dump against itself nothing (exit 0);
#  - diff of the handover against what the second kernel received shows
#    the FDT and the blobs it keeps unchanged and names LUO's as released.
# Fails closed: no step is skipped.
: "${KHO_SRC:?set KHO_SRC}"
: "${KHO_BUILD:?set KHO_BUILD}"
. "$KHO_SRC/tests/lab7/lib7.sh"

D=$LAB7_DIR/owners
R=$D/r
TRUTH="/usr/bin/python3 $KHO_SRC/tests/lab7/kho_truth.py"

run7 "$D" "the guest ran the owners scenario (three first-kernel moments, kexec, second kernel)" \
	"lab7.mode=owners" \
	"wait:LAB7: READY unserialized" "dump:elf:$D/unser.elf" "send:" \
	"wait:LAB7: READY before-loop" "dump:elf:$D/before.elf" "send:" \
	"wait:LAB7: READY after-loop" "dump:elf:$D/after.elf" "send:" \
	"wait:Starting new kernel" "dump:elf:$D/handover.elf" \
	"wait:LAB7: READY second" "dump:elf:$D/second.elf" "send:" \
	"wait:LAB7: END" "quit"
for s in truth leaked held held_owners leak_loop leak_truth after_owners live_diff luo luo_check; do
	[ -e "$R/$s" ] && [ -e "$R/$s.rc" ] || bail "the guest sent no '$s' section"
	expect_eq "$(cat "$R/$s.rc")" 0 "guest: $s exits 0"
done
expect_eq "$(wc -l <"$R/leak_truth")" 10 "the leak loop kept 10 of its 40 folios"

# owners_exact NAME DUMP: --blocks (text and JSON) equals the reader's.
. "$KHO_SRC/tests/owners/blocks.sh"
owners_exact() {
	$TRUTH "$2" owners >"$D/$1.truth" || bail "kho_truth cannot read $2"
	owners_blocks_match "$1" "$2" "$D/$1.truth" "$D"
}

# kho_lab7's blocks that only its private blobs point to: its record less
# the two blob pages (kho_lab's FDT, kho_lab_raw), which are the blobs'.
awk '$3 != "blob-fdt" && $3 != "blob-raw" { print $1 " " $2 }' "$R/truth" >"$D/lab-private"

# ---- the handover moment ----
owners_exact handover "$D/handover.elf"
sort "$D/lab-private" "$R/leak_truth" >"$D/want-un"
awk '$3 == "unattributed" { print $1 " " $2 }' "$D/handover.lines" | sort >"$D/got-un"
same_file "$D/got-un" "$D/want-un" \
	"handover: unattributed = the leaked folio + the leak loop's 10 + what only kho_lab's blobs point to ($(wc -l <"$D/want-un") blocks)"
grep -qxF "$(cat "$R/leaked")" "$D/got-un"
ok $? "handover: the leaked folio $(cat "$R/leaked") is unattributed"
# The same set from the dump itself: what kho_lab7's private blobs name
# (kho_truth.py labrefs, a test-only reader of the lab's own format) plus
# the leaked folio and the loop's: nothing else is unattributed.
$TRUTH "$D/handover.elf" labrefs >"$D/labrefs" || bail "kho_truth labrefs failed"
sort "$D/labrefs" "$R/leaked" "$R/leak_truth" >"$D/want-un2"
same_file "$D/got-un" "$D/want-un2" \
	"handover: unattributed = what kho_lab's blobs name ($(wc -l <"$D/labrefs")) + the leaked folio + the loop's 10, read from the dump"
# Every memfd page at its file offset (the workload's own record).
awk '/^folio / { printf "%s 0 / file %s \"memfd-v2\" / memfd_luo_ser / folios offset 0x%x\n", $3, $2, $4 * 4096 }' \
	"$R/luo" | sort >"$D/want-memfd"
sed -n 's|^\(0x[0-9a-f]* 0\) blob "LUO" / luo_ser / session "[^"]*"\( / file .* / folios offset 0x[0-9a-f]*\)$|\1\2|p' \
	"$D/handover.lines" | sort >"$D/got-memfd"
same_file "$D/got-memfd" "$D/want-memfd" \
	"handover: every memfd page of the LUO workload is its memfd's, at its file offset ($(wc -l <"$D/want-memfd") pages)"
"$KHOWALK" --vmcore "$D/handover.elf" --scan owners >"$D/handover.text" 2>/dev/null
expect_eq "$(grep '^problems:' "$D/handover.text")" \
	"problems: 0 overlaps, 0 claimed but not preserved, 0 in decoding" "handover: no problem"

# ---- first kernel, LUO preserved but not serialized ----
owners_exact unserialized "$D/unser.elf"
"$KHOWALK" --vmcore "$D/unser.elf" --scan owners >"$D/unser.text" 2>/dev/null
expect_eq "$(sed -n 's/^unattributed: //p' "$D/unser.text" | cut -c1-60)" \
	"LUO has not serialized its sessions (luo_ser's sessions_pa i" \
	"unserialized: unattributed with the 'not yet serialized' reason"
awk '/^folio / { print $3 " 0" }' "$R/held" | sort >"$D/held-pages"
awk '$3 == "unattributed" { print $1 " " $2 }' "$D/unserialized.lines" | sort >"$D/unser-un"
missing=$(comm -23 "$D/held-pages" "$D/unser-un" | head -3)
expect_eq "$missing" "" "unserialized: every held memfd page is unattributed ($(wc -l <"$D/held-pages") pages)"
expect_eq "$(grep -c ' blob "LUO" / luo_ser / session' "$D/unserialized.lines")" 0 \
	"unserialized: nothing is attributed to a LUO session"
# Live, in the guest, at the same moment: the same blocks.
grep '^0x' "$R/held_owners" >"$D/held_owners.lines"
same_file "$D/held_owners.lines" "$D/unserialized.truth" "unserialized: live owners --blocks (no options) equals the dump's truth"

# ---- diff around the leak loop ----
"$KHOWALK" diff "$D/before.elf" "$D/after.elf" >"$D/diff" 2>"$D/diff.err"
expect_eq "$?/$(cat "$D/diff.err")" "1/" "diff before after: exit 1 (different), no stderr"
sed 's/^\(0x[0-9a-f]* [0-9]*\)$/+ \1 unattributed/' "$R/leak_truth" >"$D/want-diff"
grep '^[-+] 0x' "$D/diff" >"$D/got-diff"
same_file "$D/got-diff" "$D/want-diff" "diff before after: exactly the 10 folios the loop kept, added, unattributed"
expect_eq "$(grep -c '^fdt:\|^blob ' "$D/diff")" 0 "diff before after: FDT and blobs unchanged"
"$KHOWALK" diff "$D/after.elf" "$D/after.elf" >"$D/same" 2>"$D/same.err"
expect_eq "$?/$(cat "$D/same.err")/$(tail -1 "$D/same")" \
	"0//blocks: 0 added (0 bytes in 0 ranges), 0 removed (0 bytes in 0 ranges)" \
	"diff after after: the same, exit 0"
grep '^0x' "$R/after_owners" >"$D/after_owners.lines"
added=$(awk '$3 == "unattributed" { print $1 " " $2 }' "$D/after_owners.lines" | grep -cxF -f "$R/leak_truth")
expect_eq "$added" 10 "after the loop, live: owners lists the 10 kept folios as unattributed"

# The live system against itself ('-' twice): nothing changed between the
# two walks, exit 0 (the section's status).
expect_eq "$(tail -1 "$R/live_diff")" "blocks: 0 added (0 bytes in 0 ranges), 0 removed (0 bytes in 0 ranges)" \
	"live: diff - - finds the map unchanged"

# ---- the handover against the second kernel's incoming state ----
"$KHOWALK" diff --new-in "$D/handover.elf" "$D/second.elf" >"$D/in" 2>"$D/in.err"
expect_eq "$?/$(cat "$D/in.err")" "0/" "diff --new-in handover second: exit 0, no stderr"
expect_eq "$(grep -v '^---\|^+++' "$D/in")" 'blob "LUO": released by the kernel that received it; not compared
blocks: not compared: the map of NEW: released (the kernel that received it freed the tree'"'"'s pages) or absent' \
	"diff --new-in: the FDT and the blobs kept (kho_test, kexec-metadata, kho_lab, kho_lab_raw) unchanged, LUO's named as released"
if [ "${LAB_KEEP:-0}" != 1 ]; then
	rm -f "$D"/*.elf
fi
done_testing
