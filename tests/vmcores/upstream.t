#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The committed dumps of the upstream 7.x lab (README.md: upstream-*) decode
# to their ground truth with no hint: the first kernel, the handover
# moment, and the second kernel (its outgoing state, and what it received).
# Expected values come from tests/lab7/kho_truth.py run on the whole dumps,
# kho_lab7's record and the LUO workload's record (regen7.sh).
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/tap.sh"

V=$KHO_SRC/tests/vmcores
[ -x "$KHOWALK" ] || bail "no khowalk at '$KHOWALK'"
[ -x "$KHODUMP" ] || bail "no khodump at '$KHODUMP'"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
WHY="released by this kernel: it booted through KHO and freed the map's pages when it set up its memory (KHO preserves the blocks, not the tree that lists them); only a dump taken at the handover holds it"

# walks NAME: pages and check with no hint equal the independent reader's.
. "$KHO_SRC/tests/vmcores/walks.sh"
walks() {
	dump_walks "upstream-$1" "$V/upstream-$1"
}

# subnodes NAME [OPTS]: khodump exits 0 silently and lists the sub-nodes.
subnodes() {
	name=upstream-$1
	d=$V/$name
	shift
	"$KHODUMP" --vmcore "$d/vmcore.elf" --scan "$@" >"$T/kd" 2>"$T/kd.err"
	expect_eq "$?/$(cat "$T/kd.err")" "0/" "$name: khodump --scan $* exits 0, no stderr"
	sed -n 's/^sub-node "\(.*\)":$/\1/p' "$T/kd" | sort >"$T/subs"
	same_file "$T/subs" "$d/subnodes.txt" "$name: khodump lists the sub-nodes $(tr '\n' ' ' <"$d/subnodes.txt")"
}

walks first
subnodes first
d=$V/upstream-first
missing=$(grep -vxF -f "$d/expected-pages.txt" "$d/kho-lab7.txt" | head -3)
expect_eq "$missing" "" "upstream-first: every block kho_lab7 preserved is in the map"
grep -qxF "$(cat "$d/leaked.txt")" "$d/expected-pages.txt"
ok $? "upstream-first: the leaked folio is in the map"

walks handover
subnodes handover
d=$V/upstream-handover
missing=$(awk '/^folio / { print $3 " 0" }' "$d/luo.txt" | grep -vxF -f "$d/expected-pages.txt" | head -3)
expect_eq "$missing" "" "upstream-handover: every memfd page of the LUO workload is preserved at order 0"
# khodump decodes the LUO state (luo-v5 sessions and files in linked
# blocks, memfd-v2 folio arrays) to the workload's own record: sessions,
# memfds with token, size and pages, each page's address and file index.
"$KHODUMP" --vmcore "$d/vmcore.elf" --scan -j >"$T/kd.json" 2>"$T/kd.err"
expect_eq "$?/$(cat "$T/kd.err")" "0/" "upstream-handover: khodump --scan -j exits 0, no stderr"
/usr/bin/python3 "$KHO_SRC/tests/lab7/luo_from_khodump.py" "$T/kd.json" >"$T/luo"
same_file "$T/luo" "$d/luo.txt" "upstream-handover: khodump's LUO sessions, memfds and pages equal the workload's ($(grep -c '^folio' "$d/luo.txt") pages)"
# The text form names the same sessions, tokens, sizes and pages.
"$KHODUMP" --vmcore "$d/vmcore.elf" --scan >"$T/kd.txt" 2>/dev/null
missing=$(
	awk '/^session / { print "      - name: \"" $2 "\"" }
	     /^memfd / { print "            token: " $3; print "              size: " $4; print "              pages: " $5 }
	     /^folio / { print "                - phys: " $3 ", order: 0, offset: " sprintf("0x%x", $4 * 4096) ", index: " $4 "," }' \
		"$d/luo.txt" | while IFS= read -r line; do
		grep -qF -- "$line" "$T/kd.txt" || echo "$line"
	done | head -3)
expect_eq "$missing" "" "upstream-handover: khodump's text shows every session, token, size, page count and page"

walks second-out
d=$V/upstream-second-out
out=$(awk '$3 == "kexec_count=2" { print $1 }' "$d/fdts.txt")
in=$(awk '$3 == "kexec_count=1" { print $1 }' "$d/fdts.txt")
"$KHODUMP" --vmcore "$d/vmcore.elf" --scan >"$T/kd" 2>"$T/kd.err"
expect_eq "$?/$(sed -n 's/^located: *//p' "$T/kd")" \
	"0/--scan: $out, the only one whose map validates and preserves its own FDT page" \
	"upstream-second-out: khodump --scan picks the outgoing FDT (kexec_count 2)"

d=$V/upstream-second-in
map=$(awk '$3 == "kexec_count=1" { sub(/^map=/, "", $5); print $5 }' "$d/fdts.txt")
subnodes second-in --in
expect_eq "$(sed -n 's/^located: *//p' "$T/kd")" "--scan: $in, the incoming one (lower kexec_count)" \
	"upstream-second-in: khodump --scan --in picks the incoming FDT (kexec_count 1)"
grep -qxF "  map: $WHY" "$T/kd"
ok $? "upstream-second-in: khodump --in says the map was released"
"$KHOWALK" --vmcore "$d/vmcore.elf" --scan --in check >"$T/w" 2>"$T/w.err"
expect_eq "$?/$(cat "$T/w")/$(cat "$T/w.err")" "4//khowalk: the incoming memory map at $map: $WHY" \
	"upstream-second-in: khowalk --scan --in check exits 4: the map was released"
done_testing
