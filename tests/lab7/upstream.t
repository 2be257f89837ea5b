#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The tools on upstream Linux 7.x, across a real KHO kexec (README.md here).
# One guest run: the first kernel with kho_lab7.ko live (the tools with no
# options), QMP dumps of it (ELF and kdump-compressed), the LUO workload,
# a dump at the handover moment ("Starting new kernel"), the second kernel
# (--in, its outgoing state, the LUO workload's check) and a dump of it.
#
# Ground truth: tests/lab7/kho_truth.py, an independent reader of the
# dumps (it shares no code with lib/), kho_lab7's record of what it
# preserved, and the LUO workload's record of its sessions and memfds.
# Fails closed: no step is skipped.

. "$KHO_SRC/tests/lab7/lib7.sh"

D=$LAB7_DIR/run
R=$D/r
TRUTH="/usr/bin/python3 $KHO_SRC/tests/lab7/kho_truth.py"
WHY="released by this kernel: it booted through KHO and freed the map's pages when it set up its memory (KHO preserves the blocks, not the tree that lists them); only a dump taken at the handover holds it"

# ---- the guest run ----
run7 "$D" "the guest ran the whole handover (first kernel, kexec, second kernel)" "" \
	"wait:LAB7: READY first" "dump:elf:$D/first.elf" \
	"dump:kdump-zlib:$D/first.kdump-flat" "send:" \
	"wait:Starting new kernel" "dump:elf:$D/handover.elf" \
	"wait:LAB7: READY second" "dump:elf:$D/second.elf" "send:" \
	"wait:LAB7: END" "quit"
handover_sections ""

# ---- first kernel, live, no options ----
$TRUTH "$D/first.elf" fdts >"$D/t.fdts" || bail "kho_truth cannot read first.elf"
expect_eq "$(wc -l <"$D/t.fdts")" 1 "first kernel: one KHO FDT in memory"
read -r fdt compat kc total map <"$D/t.fdts"
total=${total#totalsize=} map=${map#map=}
case "$compat" in
kho-v2 | kho-v3 | kho-v4) ok 0 "first kernel: compatible '$compat' is one the tools know" ;;
*) ok 1 "first kernel: compatible '$compat' is one the tools know (a new KHO ABI: teach the tools)" ;;
esac
expect_eq "$kc" "kexec_count=1" "first kernel: its kexec-metadata counts the coming kexec"
$TRUTH "$D/first.elf" pages >"$D/t.pages"
$TRUTH "$D/first.elf" ranges >"$D/t.ranges"
$TRUTH "$D/first.elf" check >"$D/t.check"
note "truth: $(cat "$D/t.check")"

live_map_checks ""
/usr/bin/python3 - "$R/khodump_json" "$(wc -l <"$D/t.pages")" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format_version"] == 1
assert d["summary"]["blocks"] == int(sys.argv[2]), d["summary"]["blocks"]
assert d["summary"]["fdt_page_preserved"] is True
EOF
ok $? "live: khodump -j is one document whose summary counts the truth's blocks"

# ---- the same moment from its dumps, with no hint ----
# QEMU writes kdump-zlib flattened; makedumpfile -R makes it a diskdump.
makedumpfile -R "$D/first.kdump" <"$D/first.kdump-flat" >"$D/makedumpfile.log" 2>&1
expect_eq "$?/$(head -c 8 "$D/first.kdump" 2>/dev/null)" "0/KDUMP   " \
	"makedumpfile -R turns the kdump-zlib dump into a diskdump"
for fmt in elf kdump; do
	for c in pages ranges stats check; do
		"$KHOWALK" --vmcore "$D/first.$fmt" --scan $c >"$D/$fmt.$c" 2>"$D/$fmt.$c.err"
		rc=$?
		expect_eq "$rc/$(cat "$D/$fmt.$c.err")" "0/" "first.$fmt: khowalk --scan $c exits 0, silently"
		same_file "$D/$fmt.$c" "$R/$c" "first.$fmt: khowalk --scan $c equals what it read live"
	done
	"$KHODUMP" --vmcore "$D/first.$fmt" --scan -j >"$D/$fmt.json" 2>"$D/$fmt.json.err"
	expect_eq "$?/$(cat "$D/$fmt.json.err")" "0/" "first.$fmt: khodump --scan exits 0, silently"
	/usr/bin/python3 - "$D/$fmt.json" "$R/khodump_json" <<'EOF'
import json, sys
dump, live = (json.load(open(p)) for p in sys.argv[1:])
for k in ("fdt", "subnodes", "summary"):
    assert dump[k] == live[k], k
EOF
	ok $? "first.$fmt: khodump's FDT, sub-nodes and summary equal the live ones"
done

# ---- crash: Debian's crash 8.0.2 in minimal mode, with kho.so ----
if command -v crash >/dev/null && [ -s "$CRASH_SO" ]; then
	printf '%s\n' "extend $CRASH_SO" "kho walk check" "kho -p $fdt walk pages" \
		"kho fdt" "q" >"$D/crash.cmds"
	timeout 300 crash -s --minimal --kaslr=auto "$LAB7_VMLINUX" "$D/first.elf" \
		<"$D/crash.cmds" >"$D/crash.log" 2>&1
	ok $? "crash --minimal --kaslr=auto opens the 7.x vmcore with its vmlinux"
	grep -qxF "$CRASH_SO: shared object loaded" "$D/crash.log"
	ok $? "crash: extend kho.so loads"
	grep -qxF "$(cat "$D/t.check")" "$D/crash.log"
	ok $? "crash: kho walk check (no hint: a scan, crash relocated the kernel) equals the truth"
	sed -n '/^0x[0-9a-f]* [0-9]*$/p' "$D/crash.log" >"$D/crash.pages"
	same_file "$D/crash.pages" "$D/t.pages" "crash: kho -p $fdt walk pages equals the truth"
	grep -qxF "KHO FDT:     $total bytes, compatible \"$compat\" (version ${compat#kho-v}, radix tree)" "$D/crash.log"
	ok $? "crash: kho fdt decodes the whole FDT"
else
	ok 1 "crash and kho.so are installed and built (scripts/install-deps.sh crash)"
fi

# ---- the handover moment ----
$TRUTH "$D/handover.elf" fdts >"$D/h.fdts"
expect_eq "$(cut -d' ' -f1,3 "$D/h.fdts")" "$fdt kexec_count=1" "handover: the outgoing FDT, at the same place"
$TRUTH "$D/handover.elf" pages >"$D/h.truth"
"$KHOWALK" --vmcore "$D/handover.elf" --scan pages >"$D/h.pages" 2>"$D/h.pages.err"
expect_eq "$?/$(cat "$D/h.pages.err")" "0/" "handover: khowalk --scan pages exits 0"
same_file "$D/h.pages" "$D/h.truth" "handover: the map walks exactly ($(wc -l <"$D/h.truth") blocks)"
expect_eq "$(grep -c '^session ' "$R/luo")/$(grep -c '^memfd ' "$R/luo")" "2/4" \
	"handover: the LUO workload made 2 sessions with 4 memfds"
missing=$(awk '/^folio / { print $3 " 0" }' "$R/luo" | grep -vxF -f "$D/h.pages" | head -3)
expect_eq "$missing" "" "handover: every memfd page ($(grep -c '^folio ' "$R/luo")) is preserved at order 0"
"$KHODUMP" --vmcore "$D/handover.elf" --scan >"$D/h.dump" 2>"$D/h.dump.err"
expect_eq "$?/$(cat "$D/h.dump.err")" "0/" "handover: khodump --scan exits 0, silently"
grep -q '^sub-node "LUO":$' "$D/h.dump"
ok $? "handover: the LUO sub-node is there"
"$KHODUMP" --vmcore "$D/handover.elf" --scan -j >"$D/h.json" 2>"$D/h.json.err"
expect_eq "$?/$(cat "$D/h.json.err")" "0/" "handover: khodump --scan -j exits 0, silently"
/usr/bin/python3 "$KHO_SRC/tests/lab7/luo_from_khodump.py" "$D/h.json" >"$D/h.luo"
grep -v '^@@' "$R/luo" >"$D/w.luo"
same_file "$D/h.luo" "$D/w.luo" "handover: khodump decodes every LUO session, memfd (token, size, pages) and page address as the workload made them"
"$KHODUMP" --vmcore "$D/first.elf" --scan >"$D/f.dump"
grep -qxF '    state: "not serialized"' "$D/f.dump"
ok $? "first kernel: khodump says LUO's sessions are not yet serialized (before liveupdate_reboot())"

# ---- the second kernel ----
grep -qxF "KHO: exec from: $LAB7_KVER (count 1)" "$R/dmesg_kho"
ok $? "second kernel: KHO says it came from $LAB7_KVER by kexec 1"
grep -qxF "test_kho: KHO restore succeeded" "$R/dmesg_kho"
ok $? "second kernel: test_kho restored what it preserved"
expect_eq "$(cat "$R/luo_check.rc")/$(grep -c 'content ok$' "$R/luo_check")" "0/4" \
	"second kernel: every memfd retrieved by session name and token, same size and content"
for c in pages ranges stats check; do
	expect_eq "$(cat "$R/in_$c.rc")/$(cat "$R/in_$c")/$(cat "$R/in_$c.err")" \
		"4//khowalk: the incoming memory map at $map: $WHY" \
		"second kernel: khowalk --in $c says the map was released, exit 4"
done
expect_eq "$(cat "$R/in_khodump.rc")/$(cat "$R/in_khodump.err")" "0/" "second kernel: khodump --in exits 0, silently"
grep -qxF "  map: $WHY" "$R/in_khodump"
ok $? "second kernel: khodump --in says the map was released"
grep -A3 '^sub-node "LUO":$' "$R/in_khodump" | grep -q '^  released: "by this kernel: LUO frees'
ok $? "second kernel: khodump --in shows LUO's blob as released"
$TRUTH "$D/handover.elf" fdt >"$D/h.fdt.hex"
sed -n '/^file in\/fdt /{n;p}' "$R/debugfs_in" | tr -d ' ' >"$D/in.fdt.hex"
same_file "$D/in.fdt.hex" "$D/h.fdt.hex" "second kernel: in/fdt is byte for byte the FDT of the handover"
for b in kho_test kexec-metadata kho_lab kho_lab_raw; do
	sed -n "\|^file out/sub_fdts/$b |{n;p}" "$R/debugfs_out" >"$D/out.$b"
	sed -n "\|^file in/sub_fdts/$b |{n;p}" "$R/debugfs_in" >"$D/in.$b"
	if [ -s "$D/in.$b" ]; then
		same_file "$D/in.$b" "$D/out.$b" "second kernel: blob '$b' it keeps is byte for byte the first kernel's"
	else
		ok 1 "second kernel: blob '$b' it keeps is byte for byte the first kernel's (not in in/sub_fdts)"
	fi
done

# The second kernel's own outgoing state, live and from its dump.
$TRUTH "$D/second.elf" fdts >"$D/s.fdts"
expect_eq "$(cut -d' ' -f3 "$D/s.fdts" | sort | tr '\n' ' ')" "kexec_count=1 kexec_count=2 " \
	"second kernel: its memory holds the FDT it received and the one it will hand over"
out_fdt=$(awk '$3 == "kexec_count=2" { print $1 }' "$D/s.fdts")
$TRUTH "$D/second.elf" check >"$D/s.check"
expect_eq "$(cat "$R/out_check.rc")/$(cat "$R/out_check")" "0/$(cat "$D/s.check")" \
	"second kernel: khowalk check of its outgoing map equals the independent reader"
expect_eq "$(cat "$R/out_check.err")" \
	"khowalk: the KHO FDT at $out_fdt, read from memory: kho_out.fdt; cannot open '/sys/kernel/debug/kho/out/fdt': No such file or directory" \
	"second kernel: khowalk finds the FDT that debugfs does not show"
"$KHODUMP" --vmcore "$D/second.elf" --scan >"$D/s.dump" 2>"$D/s.dump.err"
expect_eq "$?/$(sed -n 's/^located: *//p' "$D/s.dump")" \
	"0/--scan: $out_fdt, the only one whose map validates and preserves its own FDT page" \
	"second.elf: khodump --scan picks the outgoing FDT"
grep -qxF "  candidate $fdt kho-v4: incoming (kexec_count 1, below 2): what the previous kernel handed over; its map was released by this kernel, not walked" "$D/s.dump"
ok $? "second.elf: khodump --scan tells the incoming FDT by its kexec_count"
"$KHODUMP" --vmcore "$D/second.elf" --scan --in >"$D/s.in" 2>"$D/s.in.err"
expect_eq "$?/$(sed -n 's/^located: *//p' "$D/s.in")" \
	"0/--scan: $fdt, the incoming one (lower kexec_count)" "second.elf: khodump --scan --in picks the incoming FDT"
"$KHOWALK" --vmcore "$D/second.elf" --scan --in check >"$D/s.wi" 2>"$D/s.wi.err"
expect_eq "$?/$(cat "$D/s.wi.err")" "4/khowalk: the incoming memory map at $map: $WHY" \
	"second.elf: khowalk --scan --in check says the map was released, exit 4"

if [ "${LAB_KEEP:-0}" != 1 ]; then
	rm -f "$D"/*.elf "$D"/*.kdump "$D"/*.kdump-flat
fi
done_testing
