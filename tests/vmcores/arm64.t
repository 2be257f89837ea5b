#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The committed dumps of the arm64 lab (README.md: arm64-*), one set per
# page size (16 KiB, 64 KiB), decode to their ground truth with no hint:
# the page size comes from the VMCOREINFO note the extract carries. So
# every check-fast proves arm64 at both page sizes without building those
# kernels. Expected values come from tests/lab7/kho_truth.py run on the
# whole dumps, kho_lab7's record and the LUO workload's record
# (regen-arm64.sh).
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/tap.sh"

V=$KHO_SRC/tests/vmcores
[ -x "$KHOWALK" ] || bail "no khowalk at '$KHOWALK'"
[ -x "$KHODUMP" ] || bail "no khodump at '$KHODUMP'"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$KHO_SRC/tests/vmcores/walks.sh"

for k in 16 64; do
	ps=$((k * 1024))
	for m in first handover second-out; do
		d=$V/arm64-${k}k-$m
		dump_walks "arm64-${k}k-$m" "$d" kernel.txt
		"$KHODUMP" --vmcore "$d/vmcore.elf" --scan >"$T/kd" 2>"$T/kd.err"
		expect_eq "$?/$(cat "$T/kd.err")/$(sed -n 's/^source: *elf, memory ends at [0-9a-fx]*, page size \([0-9]*\) (\([a-z]*\)).*/\1 \2/p' "$T/kd")" \
			"0//$ps dump" "arm64-${k}k-$m: khodump --scan exits 0 and takes page size $ps from the dump"
	done

	d=$V/arm64-${k}k-first
	"$KHODUMP" --vmcore "$d/vmcore.elf" --scan >"$T/kd" 2>/dev/null
	sed -n 's/^sub-node "\(.*\)":$/\1/p' "$T/kd" | sort >"$T/subs"
	same_file "$T/subs" "$d/subnodes.txt" "arm64-${k}k-first: khodump lists the sub-nodes $(tr '\n' ' ' <"$d/subnodes.txt")"
	missing=$(grep -vxF -f "$d/expected-pages.txt" "$d/kho-lab7.txt" | head -3)
	expect_eq "$missing" "" "arm64-${k}k-first: every block kho_lab7 preserved ($(wc -l <"$d/kho-lab7.txt")) is in the map"
	grep -qxF "$(cat "$d/leaked.txt")" "$d/expected-pages.txt"
	ok $? "arm64-${k}k-first: the leaked folio is in the map"
	# The page size is not guessed: the same extract read as 4 KiB pages
	# (a wrong --page-size) must not give the truth's blocks.
	"$KHOWALK" --vmcore "$d/vmcore.elf" --scan --page-size 4096 pages >"$T/p4" 2>"$T/p4.err"
	rc=$?
	! cmp -s "$T/p4" "$d/expected-pages.txt" && [ $rc -ne 0 ]
	ok $? "arm64-${k}k-first: read with --page-size 4096 it fails (exit $rc: $(head -c 160 "$T/p4.err"))"

	d=$V/arm64-${k}k-handover
	missing=$(awk '/^folio / { print $3 " 0" }' "$d/luo.txt" | grep -vxF -f "$d/expected-pages.txt" | head -3)
	expect_eq "$missing" "" "arm64-${k}k-handover: every memfd page of the LUO workload is preserved at order 0"
	"$KHODUMP" --vmcore "$d/vmcore.elf" --scan -j >"$T/kd.json" 2>"$T/kd.err"
	expect_eq "$?/$(cat "$T/kd.err")" "0/" "arm64-${k}k-handover: khodump --scan -j exits 0, no stderr"
	/usr/bin/python3 "$KHO_SRC/tests/lab7/luo_from_khodump.py" "$T/kd.json" "$ps" >"$T/luo"
	same_file "$T/luo" "$d/luo.txt" "arm64-${k}k-handover: khodump's LUO sessions, memfds and pages equal the workload's ($(grep -c '^folio' "$d/luo.txt") pages of $k KiB)"
	# The same sessions and memfds as the x86-64 handover: names, tokens
	# and sizes (the page counts and addresses are the architecture's).
	awk '/^session/ || /^memfd/ { print $1, $2, $3, $4 }' "$T/luo" >"$T/sm"
	awk '/^session/ || /^memfd/ { print $1, $2, $3, $4 }' "$V/upstream-handover/luo.txt" >"$T/sm.x86"
	same_file "$T/sm" "$T/sm.x86" "arm64-${k}k-handover: the same LUO sessions and memfds (name, token, size) as on x86-64"

	d=$V/arm64-${k}k-second-out
	out=$(awk '$3 == "kexec_count=2" { print $1 }' "$d/fdts.txt")
	"$KHODUMP" --vmcore "$d/vmcore.elf" --scan >"$T/kd" 2>"$T/kd.err"
	expect_eq "$?/$(sed -n 's/^located: *//p' "$T/kd")" \
		"0/--scan: $out, the only one whose map validates and preserves its own FDT page" \
		"arm64-${k}k-second-out: khodump --scan picks the outgoing FDT (kexec_count 2)"
done
done_testing
