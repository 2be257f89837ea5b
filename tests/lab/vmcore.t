#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vmcore scenarios: one guest, three dumps through QMP dump-guest-memory:
#   novmci.elf     ELF taken before qemu_fw_cfg is loaded: no VMCOREINFO
#   vmcore.elf     ELF with VMCOREINFO
#   vmcore.kdump   kdump-zlib (QEMU 7.2 writes it flattened; makedumpfile -R)
#   flipped.elf    ELF after kho_lab flipped one table pointer (negative)
# each decoded on the host against kho_lab's ground truth.
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/lib.sh"

seed=$((LAB_SEED + 1))
D=$LAB_DIR/dump
boot dump --mem 256M --vmcoreinfo --qmp "$LAB_DIR/qmp.sock" \
	--append "$(append dump "$seed")" \
	"wait:LAB: READY nofw" "dump:elf:$LAB_DIR/novmci.elf" send:go \
	"wait:LAB: READY vmcoreinfo" "dump:elf:$LAB_DIR/vmcore.elf" \
	"dump:kdump-zlib:$LAB_DIR/vmcore.kdump-flat" send:go \
	"wait:LAB: READY flipped" "dump:elf:$LAB_DIR/flipped.elf" quit
ok $? "dump guest (seed $seed) booted and was dumped four times through QMP"
need_section "$D" truth
need_section "$D" kernel_walk
need_section "$D" flip_table
TR=$D/truth
expect_eq "$(head -n 1 "$TR")/$(tail -n 1 "$TR")" "kho-lab-truth 1/end" \
	"ground truth is complete (kho-lab-truth 1 ... end)"
nblocks=$(truth_value "$TR" blocks)
nranges=$(truth_ranges "$TR" | wc -l)
fdt=$(truth_value "$TR" fdt)
map=$(truth_value "$TR" map)
expect_eq "$(cat "$D/kernel_walk")" "ok $nblocks" \
	"kernel-patch's own walk in the guest finds exactly the recorded blocks"

# The dumps are what they claim to be.
rm -f "$LAB_DIR/vmcore.kdump"
makedumpfile -R "$LAB_DIR/vmcore.kdump" <"$LAB_DIR/vmcore.kdump-flat" \
	>"$LAB_DIR/makedumpfile.log" 2>&1
ok $? "makedumpfile -R turns the flattened kdump-zlib dump into a diskdump"
expect_eq "$(head -c 8 "$LAB_DIR/vmcore.kdump" 2>/dev/null)" "KDUMP   " "the diskdump starts with KDUMP"
vmci() { readelf -n "$1" 2>/dev/null | grep -c VMCOREINFO; }
expect_eq "$(vmci "$LAB_DIR/vmcore.elf")" 1 "vmcore.elf has a VMCOREINFO note"
expect_eq "$(vmci "$LAB_DIR/novmci.elf")" 0 "novmci.elf has no VMCOREINFO note"

truth_pages "$TR" >"$D/want_pages"
truth_ranges "$TR" >"$D/want_ranges"
truth_stats "$TR" >"$D/want_stats"

# decode NAME DUMP LOCATION...: khowalk on the host, exactly.
decode() {
	dname=$1 dump=$2
	shift 2
	case "$*" in --root*) skip=1d ;; *) skip= ;; esac
	for cmd in pages ranges stats check; do
		"$KHOWALK" --vmcore "$dump" "$@" $cmd >"$D/$dname.$cmd" 2>"$D/$dname.$cmd.err"
		expect_eq "$?/$(cat "$D/$dname.$cmd.err")" "0/" "$dname: khowalk $* $cmd exits 0, no stderr"
	done
	same_file "$D/$dname.pages" "$D/want_pages" "$dname: pages = ground truth ($nblocks blocks)"
	same_file "$D/$dname.ranges" "$D/want_ranges" "$dname: ranges = ground truth ($nranges ranges)"
	# With --root there is no FDT, so no compatible on the first line.
	head -n "$(wc -l <"$D/want_stats")" "$D/$dname.stats" | sed "$skip" >"$D/$dname.stats.head"
	sed "$skip" "$D/want_stats" >"$D/$dname.stats.want"
	same_file "$D/$dname.stats.head" "$D/$dname.stats.want" "$dname: stats per order = ground truth"
	expect_eq "$(cut -d, -f1 "$D/$dname.check")" "ok: $nblocks blocks in $nranges ranges" \
		"$dname: check ok with the truth's counts"
}

decode elf "$LAB_DIR/vmcore.elf" --fdt-phys "$fdt"
decode kdump "$LAB_DIR/vmcore.kdump" --fdt-phys "$fdt"
decode elf-no-vmcoreinfo "$LAB_DIR/novmci.elf" --fdt-phys "$fdt"
decode elf-root "$LAB_DIR/vmcore.elf" --root "$map"

# Negative: the dump after the flip must be reported corrupt.
read -r kind ftable fidx fptr <"$D/flip_table"
msg="level 1 table at $ftable: entry $fidx points to $fptr, not page aligned"
"$KHOWALK" --vmcore "$LAB_DIR/flipped.elf" --fdt-phys "$fdt" check >"$D/flipped.check" 2>"$D/flipped.check.err"
expect_eq "$?/$(cat "$D/flipped.check.err")" "3/khowalk: $msg" \
	"flipped.elf: khowalk check exits 3 and names the flipped pointer"

if [ "$LAB_KHODUMP" = 1 ]; then
	"$KHODUMP" --vmcore "$LAB_DIR/flipped.elf" --fdt-phys "$fdt" \
		--extract "$LAB_DIR/small-flipped.elf" >"$D/kd-fdt.flipped" 2>"$D/kd-fdt.flipped.err"
	expect_eq "$?/$(head -n 1 "$D/kd-fdt.flipped.err")" "3/khodump: $msg" \
		"flipped.elf: khodump --fdt-phys exits 3 and names the flipped pointer"
	# --scan turns down a candidate whose map is corrupt: no hint, no FDT.
	"$KHODUMP" --vmcore "$LAB_DIR/flipped.elf" --scan >"$D/kd-scan.flipped" 2>"$D/kd-scan.flipped.err"
	kdrc=$?
	[ $kdrc -ne 0 ] && grep -q -x -F "khodump: candidate $fdt kho-v2: rejected: map invalid: $msg" \
		"$D/kd-scan.flipped.err"
	ok $? "flipped.elf: khodump --scan fails (exit $kdrc) and shows why the candidate is invalid"
	"$KHOWALK" --vmcore "$LAB_DIR/small-flipped.elf" --fdt-phys "$fdt" check >/dev/null 2>"$D/small.flipped.err"
	expect_eq "$?/$(cat "$D/small.flipped.err")" "3/khowalk: $msg" \
		"flipped.elf: its --extract vmcore is reported corrupt the same way"
	# No hint at all (--scan finds the FDT), then --fdt-phys; and
	# --extract, whose small vmcore must decode to the same truth.
	for v in vmcore.elf vmcore.kdump novmci.elf; do
		"$KHODUMP" --vmcore "$LAB_DIR/$v" --scan \
			--extract "$LAB_DIR/small-$v.elf" >"$D/kd-scan.$v" 2>"$D/kd-scan.$v.err"
		expect_eq "$?/$(cat "$D/kd-scan.$v.err")" "0/" \
			"$v: khodump --scan --extract exits 0, no stderr"
		grep -q "^located: *--scan: $fdt, the only KHO FDT found\$" "$D/kd-scan.$v"
		ok $? "$v: khodump with no hint (--scan) finds the root FDT at $fdt"
		grep -q "^  FDT page:  $fdt preserved\$" "$D/kd-scan.$v"
		ok $? "$v: khodump finds the FDT page preserved in the map"
		khodump_checks "$v --scan" "$D/kd-scan.$v" "$TR"
		"$KHODUMP" --vmcore "$LAB_DIR/$v" --fdt-phys "$fdt" >"$D/kd-fdt.$v" 2>"$D/kd-fdt.$v.err"
		expect_eq "$?/$(cat "$D/kd-fdt.$v.err")" "0/" "$v: khodump --fdt-phys $fdt exits 0, no stderr"
		khodump_checks "$v --fdt-phys" "$D/kd-fdt.$v" "$TR"
		"$KHOWALK" --vmcore "$LAB_DIR/small-$v.elf" --scan pages >"$D/small.$v.pages" 2>&1
		same_file "$D/small.$v.pages" "$D/want_pages" \
			"$v: the --extract vmcore ($(($(wc -c <"$LAB_DIR/small-$v.elf") / 1024)) KiB) decodes to the ground truth"
	done
fi

if [ "$failed" -eq 0 ]; then
	note "verified vmcores (seed $seed): ELF, kdump-zlib (makedumpfile -R) and ELF without"
	note "  VMCOREINFO decode with --fdt-phys (ELF also --root) to $nblocks blocks in $nranges"
	note "  ranges exactly; per order: $(truth_orders "$TR")"
	note "verified negative in a vmcore: flipped table pointer -> exit 3, pointer named"
	if [ "$LAB_KHODUMP" = 1 ]; then
		note "verified khodump on all three: no hint (--scan) and --fdt-phys, summary,"
		note "  memblock sub-FDT; --extract vmcores decode to the same blocks"
	fi
	[ "$LAB_KEEP" = 1 ] || rm -f "$LAB_DIR"/*.elf "$LAB_DIR"/vmcore.kdump*
else
	note "vmcore scenario FAILED ($failed checks); dumps and results kept in $LAB_DIR"
fi
done_testing
