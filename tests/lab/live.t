#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Live scenario: in the guest, the tools with no arguments (debugfs
# /sys/kernel/debug/kho/out/fdt + /proc/kcore) against kho_lab's ground
# truth; then kho_lab flips one bit of the published tree and the check
# must fail, once through a leaf bit and once through a table pointer;
# then kho_lab/torn keeps changing the tree and a walk must say so.
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/lib.sh"

seed=$LAB_SEED
boot live --mem 256M --append "$(append live "$seed")" exit
ok $? "live guest (seed $seed) booted, ran its steps and powered off"
D=$LAB_DIR/live
verdict=$(sed -n 's/^LAB: VERDICT //p' "$LAB_DIR/live.log" | tr -d '\r')
[ -n "$verdict" ] || bail "the live guest printed no verdict (log: $LAB_DIR/live.log)"
case "$verdict" in pass*) v=0 ;; *) v=1 ;; esac
ok $v "guest verdict: $verdict"

for s in truth kernel_walk debugfs scratch_phys scratch_len pages ranges \
	stats check json_pages kcore_pages flip_leaf leaf_pages leaf_check \
	flip_table table_check table_pages undo_check; do
	need_section "$D" $s
done
TR=$D/truth
expect_eq "$(head -n 1 "$TR")/$(tail -n 1 "$TR")" "kho-lab-truth 1/end" \
	"ground truth is complete (kho-lab-truth 1 ... end)"
nblocks=$(truth_value "$TR" blocks)
nranges=$(truth_ranges "$TR" | wc -l)
expect_eq "$(truth_pages "$TR" | wc -l)" "$nblocks" "ground truth lists its $nblocks blocks"
expect_eq "$(cat "$D/kernel_walk")" "ok $nblocks" \
	"kernel-patch's own walk in the guest finds exactly the recorded blocks"

# The upstream debugfs layout.
cat >"$D/want_debugfs" <<'EOF'
/sys/kernel/debug/kho
/sys/kernel/debug/kho/out
/sys/kernel/debug/kho/out/fdt
/sys/kernel/debug/kho/out/scratch_len
/sys/kernel/debug/kho/out/scratch_phys
/sys/kernel/debug/kho/out/sub_fdts
/sys/kernel/debug/kho/out/sub_fdts/memblock
EOF
sort "$D/debugfs" >"$D/got_debugfs"
same_file "$D/got_debugfs" "$D/want_debugfs" "debugfs has out/fdt, out/sub_fdts/memblock, out/scratch_phys, out/scratch_len"
truth_value "$TR" scratch | cut -d' ' -f1 >"$D/want_sp"
truth_value "$TR" scratch | cut -d' ' -f2 >"$D/want_sl"
same_file "$D/scratch_phys" "$D/want_sp" "out/scratch_phys lists the scratch areas"
same_file "$D/scratch_len" "$D/want_sl" "out/scratch_len lists their sizes"

# The tools, live, with no arguments.
truth_pages "$TR" >"$D/want_pages"
truth_ranges "$TR" >"$D/want_ranges"
truth_stats "$TR" >"$D/want_stats"
for s in pages ranges stats check json_pages kcore_pages; do
	expect_eq "$(cat "$D/$s.rc")" 0 "live: khowalk $s exits 0"
	[ -s "$D/$s.err" ] && sed 's/^/#   stderr: /' "$D/$s.err"
	expect_eq "$(wc -c <"$D/$s.err")" 0 "live: khowalk $s prints nothing on stderr"
done
same_file "$D/pages" "$D/want_pages" \
	"live: khowalk pages = ground truth ($nblocks blocks: $(truth_orders "$TR"))"
same_file "$D/ranges" "$D/want_ranges" "live: khowalk ranges = ground truth ($nranges ranges)"
head -n "$(wc -l <"$D/want_stats")" "$D/stats" >"$D/got_stats"
same_file "$D/got_stats" "$D/want_stats" "live: khowalk stats, blocks and bytes per order = ground truth"
expect_eq "$(cut -d, -f1 "$D/check")" "ok: $nblocks blocks in $nranges ranges" \
	"live: khowalk check says ok with the truth's counts"
awk 'BEGIN { printf "{\"format_version\":1,\"pages\":[" }
     { printf "%s{\"phys\":\"%s\",\"order\":%s}", (NR > 1 ? "," : ""), $1, $2 }
     END { print "]}" }' "$D/want_pages" >"$D/want_json"
same_file "$D/json_pages" "$D/want_json" "live: khowalk -j pages = ground truth"
same_file "$D/kcore_pages" "$D/want_pages" \
	"live: khowalk --kcore=/proc/kcore --debugfs /sys/kernel/debug/kho = ground truth"

# Negative 1: one leaf bit cleared after the truth was published.
read -r kind fphys forder <"$D/flip_leaf"
expect_eq "$kind" leaf "kho_lab flipped a leaf bit (block $fphys order $forder)"
if cmp -s "$D/leaf_pages" "$D/want_pages"; then caught=1; else caught=0; fi
ok $caught "negative (leaf bit): khowalk pages no longer matches the ground truth"
grep -v -x -F "$fphys $forder" "$D/want_pages" >"$D/want_leaf"
same_file "$D/leaf_pages" "$D/want_leaf" \
	"negative (leaf bit): the difference is exactly block $fphys order $forder"

# Negative 2: bit 3 of a level-1 table entry, an unaligned leaf pointer.
read -r kind ftable fidx fptr <"$D/flip_table"
expect_eq "$kind" table "kho_lab flipped a table pointer (table $ftable now points to $fptr)"
expect_eq "$(cat "$D/table_check.rc")" 3 "negative (table pointer): khowalk check exits 3 (corrupt)"
expect_eq "$(cat "$D/table_check.err")" \
	"khowalk: level 1 table at $ftable: entry $fidx points to $fptr, not page aligned" \
	"negative (table pointer): the message names the table and the bad pointer"
# Only the blocks under the lost leaf are missing; the rest still print.
expect_eq "$(cat "$D/table_pages.rc")" 3 "negative (table pointer): khowalk pages exits 3 with partial results"
# An empty list proves nothing: it must hold pages, and only true ones.
if [ -s "$D/table_pages" ] && ! grep -v -x -F -f "$D/want_pages" "$D/table_pages" >/dev/null; then
	ok 0 "negative (table pointer): the $(wc -l <"$D/table_pages") partial pages are all in the ground truth"
else
	ok 1 "negative (table pointer): partial pages (not empty) are all in the ground truth"
fi
expect_eq "$(cut -d, -f1 "$D/undo_check")/$(cat "$D/undo_check.rc")" \
	"ok: $nblocks blocks in $nranges ranges/0" "after undo, khowalk check is ok again"

# Torn reads (TESTING.md, Torn reads): kho_lab/torn keeps changing the
# tree while khowalk reads /proc/kcore without a lock.
for s in torn_start torn_detect torn_stop torn_count torn_after torn_after_v; do
	need_section "$D" $s
done
expect_eq "$(cat "$D/torn_start.rc")/$(cat "$D/torn_start.err")" "0/" \
	"torn: echo start >kho_lab/torn succeeds"
tattempts=$(sed -n '1s/^attempts \([0-9]*\) rc [0-9]*$/\1/p' "$D/torn_detect")
expect_eq "$(sed -n '1s/^attempts [0-9]* //p' "$D/torn_detect")" "rc 4" \
	"torn: a khowalk check during the changes exits 4 (walk ${tattempts:-?} of at most 50)"
tail -n +2 "$D/torn_detect" >"$D/torn_msg"
tre='^khowalk: (level [1-5] table|leaf) at 0x[0-9a-f]+: changed while being read \(the map is live: the output may mix two states of it\)$'
tre2='^khowalk: [0-9]+ problems in all; the first is shown$'
tlines=$(wc -l <"$D/torn_msg")
if [ "$tlines" -ge 1 ] && [ "$tlines" -le 2 ] &&
	head -n 1 "$D/torn_msg" | grep -Eq "$tre" &&
	{ [ "$tlines" -eq 1 ] || tail -n 1 "$D/torn_msg" | grep -Eq "$tre2"; }; then
	ok 0 "torn: its stderr is one 'changed while being read' line naming the page (+ the problem count)"
else
	ok 1 "torn: its stderr is one 'changed while being read' line naming the page (+ the problem count)"
	sed 's/^/#   stderr: /' "$D/torn_msg"
fi
expect_eq "$(cat "$D/torn_stop.rc")/$(cat "$D/torn_stop.err")" "0/" \
	"torn: echo stop >kho_lab/torn succeeds (every block added back)"
tchanges=$(cat "$D/torn_count")
case "$tchanges" in '' | *[!0-9]*) tc=1 ;; *) [ "$tchanges" -gt 0 ]; tc=$? ;; esac
ok $tc "torn: kho_lab/torn_changes counts the thread's changes (${tchanges:-none})"
expect_eq "$(cat "$D/torn_after.rc")/$(cat "$D/torn_after")/$(cat "$D/torn_after.err")" \
	"0/$(cat "$D/check")/" \
	"torn: after stop, khowalk check exits 0 with the check line from before the changes"
tnodes=$(sed -n 's/^khowalk: \([0-9]*\) metadata pages read, [0-9]* reads$/\1/p' "$D/torn_after_v.err")
expect_eq "$(cat "$D/torn_after_v.rc")/$(grep -c '^khowalk: live memory: ' "$D/torn_after_v.err")/$(grep '^khowalk: live memory: ' "$D/torn_after_v.err")" \
	"0/1/khowalk: live memory: ${tnodes:-N} metadata pages read again to check that the map did not change" \
	"torn: khowalk -v check reads all ${tnodes:-N} metadata pages again to check the live map"

if [ "$LAB_KHODUMP" = 1 ]; then
	for s in khodump khodump_json leaf_khodump table_khodump; do
		need_section "$D" $s
	done
	expect_eq "$(cat "$D/khodump.rc")/$(cat "$D/khodump.err")" "0/" \
		"live: khodump with no arguments exits 0, no stderr"
	grep -q '^located: *debugfs /sys/kernel/debug/kho/out/fdt$' "$D/khodump"
	ok $? "live: khodump located the FDT through debugfs"
	khodump_checks live "$D/khodump" "$TR"
	truth_value "$TR" scratch | while read -r sp sl; do
		printf '  0x%x-0x%x %d\n' "$sp" "$((sp + sl))" "$((sl))"
	done >"$D/want_kd_scratch"
	grep '^  0x[0-9a-f]*-0x[0-9a-f]* [0-9]*$' "$D/khodump" | tail -n 3 >"$D/got_kd_scratch"
	same_file "$D/got_kd_scratch" "$D/want_kd_scratch" "live: khodump shows the scratch areas of debugfs"
	expect_eq "$(cat "$D/khodump_json.rc")/$(head -c 19 "$D/khodump_json")" \
		'0/{"format_version":1' "live: khodump -j is one format_version 1 document"
	khodump_summary "$D/leaf_khodump" >"$D/leaf_kd_summary"
	if cmp -s "$D/leaf_kd_summary" "$D/khodump.want_summary"; then caught=1; else caught=0; fi
	ok $caught "negative (leaf bit): khodump's summary no longer matches the ground truth"
	expect_eq "$(cat "$D/table_khodump.rc")/$(head -n 1 "$D/table_khodump.err")" \
		"3/khodump: level 1 table at $ftable: entry $fidx points to $fptr, not page aligned" \
		"negative (table pointer): khodump exits 3 and names the bad pointer"
fi

if [ "$failed" -eq 0 ]; then
	note "verified live (seed $seed): khowalk with no arguments (debugfs + /proc/kcore)"
	note "  decodes $nblocks blocks in $nranges ranges exactly; per order: $(truth_orders "$TR")"
	note "verified negative: leaf bit of $fphys order $forder flipped -> mismatch caught;"
	note "  level-1 pointer flipped -> khowalk check exit 3"
	note "verified torn reads: kho_lab/torn changed the tree $tchanges times;"
	note "  khowalk check walk $tattempts exited 4: $(head -n 1 "$D/torn_msg")"
	if [ "$LAB_KHODUMP" = 1 ]; then
		note "verified khodump live: summary per order, memblock sub-FDT, scratch areas;"
		note "  both negative cases caught"
	fi
else
	note "live scenario FAILED ($failed checks); console $LAB_DIR/live.log, results $D/"
fi
done_testing
