# SPDX-License-Identifier: GPL-2.0-or-later
#
# The tools on upstream Linux 7.x for arm64 at one page size (16k.t and
# 64k.t set ARM64_KIB and source this), across a real KHO kexec: one guest
# run under qemu-system-aarch64 -M virt -cpu max (TCG) of the kernel
# scripts/upstream-kernel.sh cross-built for that page size, with the
# x86-64 lab's guest (tests/lab7/guest/init on arm64 busybox, kho_lab7.ko,
# lab7-handover) and arm64 builds of khowalk and khodump inside. Steps:
# the first kernel live (the tools with no options), its QMP dump decoded
# on the host with --scan, the LUO workload, a dump at the handover
# moment, the second kernel (--in, its own outgoing state, the LUO check).
#
# "No hint" on arm64: QEMU's vmcoreinfo device is on, so the guest kernel
# publishes VMCOREINFO and the QMP dumps carry PAGESIZE=; the host tools
# read the page size from there. The same dump with that note gone needs
# --page-size, and a wrong one is refused, not walked (checked below).
#
# Ground truth: tests/lab7/kho_truth.py (reads the dumps, shares no code
# with lib/), kho_lab7's record, the LUO workload's record. Fails closed.

: "${ARM64_KIB:?set by 16k.t or 64k.t}"
PS=$((ARM64_KIB * 1024))
LAB7_CONFIG=$KHO_BUILD/lab-arm64/${ARM64_KIB}k/config.sh
. "$KHO_SRC/tests/lab7/lib7.sh"
[ "$LAB7_ARCH" = arm64 ] || bail "$LAB7_CONFIG is not an arm64 lab"

D=$LAB7_DIR/run
R=$D/r
TRUTH="/usr/bin/python3 $KHO_SRC/tests/lab7/kho_truth.py"
P="arm64 ${ARM64_KIB}K"
WHY="released by this kernel: it booted through KHO and freed the map's pages when it set up its memory (KHO preserves the blocks, not the tree that lists them); only a dump taken at the handover holds it"

# ---- the guest run ----
t0=$(date +%s)
run7 "$D" "$P: the guest ran the whole handover (first kernel, kexec, second kernel)" "" \
	"wait:LAB7: READY first" "dump:elf:$D/first.elf" "send:" \
	"wait:Starting new kernel" "dump:elf:$D/handover.elf" \
	"wait:LAB7: READY second" "dump:elf:$D/second.elf" "send:" \
	"wait:LAB7: END" "quit"
note "$P: guest run (boot, 3 dumps, kexec, second boot) took $(($(date +%s) - t0)) s"
handover_sections "$P: "
grep -q "^LAB7: stage=1 seed=$LAB7_SEED kernel=$LAB7_KVER" "$D/console.log"
ok $? "$P: the first kernel is $LAB7_KVER"

# ---- first kernel, live, no options ----
$TRUTH "$D/first.elf" fdts >"$D/t.fdts" || bail "kho_truth cannot read first.elf"
expect_eq "$(wc -l <"$D/t.fdts")" 1 "$P first kernel: one KHO FDT in memory"
read -r fdt compat kc total map <"$D/t.fdts"
total=${total#totalsize=} map=${map#map=}
expect_eq "$compat/$kc" "kho-v4/kexec_count=1" "$P first kernel: kho-v4, its kexec-metadata counts the coming kexec"
/usr/bin/python3 - "$D/first.elf" "$PS" <<'PY'
import struct, sys
# The page size the dump says (VMCOREINFO), read here without kho_truth.
f = open(sys.argv[1], "rb"); eh = f.read(64)
assert struct.unpack_from("<H", eh, 18)[0] == 183, "not an aarch64 ELF"
phoff, = struct.unpack_from("<Q", eh, 32)
phentsize, phnum = struct.unpack_from("<HH", eh, 54)
for i in range(phnum):
    f.seek(phoff + i * phentsize)
    t, _, off, _, _, sz, _, _ = struct.unpack("<IIQQQQQQ", f.read(56))
    if t == 4:
        f.seek(off)
        n = f.read(sz)
        assert b"PAGESIZE=%s\n" % sys.argv[2].encode() in n, "no PAGESIZE=" + sys.argv[2]
        sys.exit(0)
sys.exit("no PT_NOTE")
PY
ok $? "$P: the QMP dump is aarch64 and its VMCOREINFO says PAGESIZE=$PS"
$TRUTH "$D/first.elf" pages >"$D/t.pages"
$TRUTH "$D/first.elf" ranges >"$D/t.ranges"
$TRUTH "$D/first.elf" check >"$D/t.check"
note "truth: $(cat "$D/t.check")"
live_map_checks "$P "

# ---- the same moment from its QMP dump, on the host, no hint ----
for c in pages ranges stats check; do
	"$KHOWALK" --vmcore "$D/first.elf" --scan $c >"$D/elf.$c" 2>"$D/elf.$c.err"
	expect_eq "$?/$(cat "$D/elf.$c.err")" "0/" "$P first.elf: khowalk --scan $c exits 0, silently"
	same_file "$D/elf.$c" "$R/$c" "$P first.elf: khowalk --scan $c equals what it read live"
done
"$KHODUMP" --vmcore "$D/first.elf" --scan -j >"$D/elf.json" 2>"$D/elf.json.err"
expect_eq "$?/$(cat "$D/elf.json.err")" "0/" "$P first.elf: khodump --scan -j exits 0, silently"
/usr/bin/python3 - "$D/elf.json" "$R/khodump_json" <<'PY'
import json, sys
dump, live = (json.load(open(p)) for p in sys.argv[1:])
for k in ("fdt", "subnodes", "summary"):
    assert dump[k] == live[k], k
PY
ok $? "$P first.elf: khodump's FDT, sub-nodes and summary equal the live ones"
# The symbols path on an arm64 dump: kho_out from System.map, its address
# through VMCOREINFO's kimage_voffset, the FDT through the linear map.
"$KHODUMP" --vmcore "$D/first.elf" --system-map "$LAB7_SYSTEM_MAP" >"$D/sm.dump" 2>"$D/sm.err"
expect_eq "$?/$(cat "$D/sm.err")/$(sed -n 's/^located: *symbol kho_out (System.map) at 0x[0-9a-f]*: fdt 0x[0-9a-f]*: \(0x[0-9a-f]*\),.*/\1/p' "$D/sm.dump")" \
	"0//$fdt" "$P first.elf: khodump --system-map finds the FDT through kho_out (kimage_voffset, linear map)"
# Without VMCOREINFO the page size is a hint: the right one decodes the
# same, the 4 KiB default is refused (exit non-zero), never walked.
cp --sparse=always "$D/first.elf" "$D/first-nonote.elf"
/usr/bin/python3 - "$D/first-nonote.elf" <<'PY'
import struct, sys
# The copy's PT_NOTE becomes PT_NULL: no VMCOREINFO.
with open(sys.argv[1], "r+b") as g:
    eh = g.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    for i in range(phnum):
        g.seek(phoff + i * phentsize)
        if struct.unpack("<I", g.read(4))[0] == 4:
            g.seek(phoff + i * phentsize)
            g.write(struct.pack("<I", 0))
PY
"$KHOWALK" --vmcore "$D/first-nonote.elf" --page-size "$PS" --scan pages >"$D/nn.pages" 2>"$D/nn.err"
expect_eq "$?/$(cat "$D/nn.err")" "0/" "$P no VMCOREINFO: khowalk --page-size $PS --scan pages exits 0"
same_file "$D/nn.pages" "$D/t.pages" "$P no VMCOREINFO: with --page-size $PS the map equals the truth"
"$KHOWALK" --vmcore "$D/first-nonote.elf" --scan pages >"$D/nn4.pages" 2>"$D/nn4.err"
rc=$?
note "no VMCOREINFO, no --page-size: exit $rc: $(head -c 300 "$D/nn4.err")"
[ $rc -ne 0 ] && [ ! -s "$D/nn4.pages" ]
ok $? "$P no VMCOREINFO, no --page-size: khowalk fails (exit $rc) and prints no blocks"
rm -f "$D/first-nonote.elf"

# ---- the handover moment ----
$TRUTH "$D/handover.elf" fdts >"$D/h.fdts"
expect_eq "$(cut -d' ' -f1,3 "$D/h.fdts")" "$fdt kexec_count=1" "$P handover: the outgoing FDT, at the same place"
$TRUTH "$D/handover.elf" pages >"$D/h.truth"
"$KHOWALK" --vmcore "$D/handover.elf" --scan pages >"$D/h.pages" 2>"$D/h.pages.err"
expect_eq "$?/$(cat "$D/h.pages.err")" "0/" "$P handover: khowalk --scan pages exits 0"
same_file "$D/h.pages" "$D/h.truth" "$P handover: the map walks exactly ($(wc -l <"$D/h.truth") blocks)"
expect_eq "$(grep -c '^session ' "$R/luo")/$(grep -c '^memfd ' "$R/luo")" "2/4" \
	"$P handover: the LUO workload made 2 sessions with 4 memfds"
# The same sessions and memfds (names, tokens, sizes) as on x86-64: the
# committed x86-64 handover's record, page counts and addresses aside.
x86=$KHO_SRC/tests/vmcores/upstream-handover/luo.txt
if [ "$LAB7_SEED" = 1 ]; then
	expect_eq "$(awk '/^session/ || /^memfd/ { print $1, $2, $3, $4 }' "$R/luo")" \
		"$(awk '/^session/ || /^memfd/ { print $1, $2, $3, $4 }' "$x86")" \
		"$P handover: the sessions and memfds (name, token, size) are x86-64's"
else
	ok 1 "$P handover: compare with x86-64's record (made with seed 1; LAB7_SEED=$LAB7_SEED)"
fi
missing=$(awk '/^folio / { print $3 " 0" }' "$R/luo" | grep -vxF -f "$D/h.pages" | head -3)
expect_eq "$missing" "" "$P handover: every memfd page ($(grep -c '^folio ' "$R/luo")) is preserved at order 0"
"$KHODUMP" --vmcore "$D/handover.elf" --scan -j >"$D/h.json" 2>"$D/h.json.err"
expect_eq "$?/$(cat "$D/h.json.err")" "0/" "$P handover: khodump --scan -j exits 0, silently"
/usr/bin/python3 "$KHO_SRC/tests/lab7/luo_from_khodump.py" "$D/h.json" "$PS" >"$D/h.luo"
grep -v '^@@' "$R/luo" >"$D/w.luo"
same_file "$D/h.luo" "$D/w.luo" "$P handover: khodump decodes every LUO session, memfd (token, size, pages) and page address as the workload made them"

# ---- the second kernel ----
grep -qxF "KHO: exec from: $LAB7_KVER (count 1)" "$R/dmesg_kho"
ok $? "$P second kernel: KHO says it came from $LAB7_KVER by kexec 1"
grep -qxF "test_kho: KHO restore succeeded" "$R/dmesg_kho"
ok $? "$P second kernel: test_kho restored what it preserved"
expect_eq "$(cat "$R/luo_check.rc")/$(grep -c 'content ok$' "$R/luo_check")" "0/4" \
	"$P second kernel: every memfd retrieved by session name and token, same size and content"
for c in pages check; do
	expect_eq "$(cat "$R/in_$c.rc")/$(cat "$R/in_$c")/$(cat "$R/in_$c.err")" \
		"4//khowalk: the incoming memory map at $map: $WHY" \
		"$P second kernel: khowalk --in $c says the map was released, exit 4"
done
expect_eq "$(cat "$R/in_khodump.rc")/$(cat "$R/in_khodump.err")" "0/" "$P second kernel: khodump --in exits 0, silently"
grep -qxF "  map: $WHY" "$R/in_khodump"
ok $? "$P second kernel: khodump --in says the map was released"
$TRUTH "$D/handover.elf" fdt >"$D/h.fdt.hex"
sed -n '/^file in\/fdt /{n;p}' "$R/debugfs_in" | tr -d ' ' >"$D/in.fdt.hex"
same_file "$D/in.fdt.hex" "$D/h.fdt.hex" "$P second kernel: in/fdt is byte for byte the FDT of the handover"
$TRUTH "$D/second.elf" fdts >"$D/s.fdts"
expect_eq "$(cut -d' ' -f3 "$D/s.fdts" | sort | tr '\n' ' ')" "kexec_count=1 kexec_count=2 " \
	"$P second kernel: its memory holds the FDT it received and the one it will hand over"
$TRUTH "$D/second.elf" check >"$D/s.check"
expect_eq "$(cat "$R/out_check.rc")/$(cat "$R/out_check")" "0/$(cat "$D/s.check")" \
	"$P second kernel: khowalk check of its outgoing map (live) equals the independent reader"
"$KHOWALK" --vmcore "$D/second.elf" --scan check >"$D/s.wc" 2>"$D/s.wc.err"
expect_eq "$?/$(cat "$D/s.wc")/$(cat "$D/s.wc.err")" "0/$(cat "$D/s.check")/" \
	"$P second.elf: khowalk --scan check of the outgoing map equals the independent reader"
"$KHOWALK" --vmcore "$D/second.elf" --scan --in check >"$D/s.wi" 2>"$D/s.wi.err"
expect_eq "$?/$(cat "$D/s.wi.err")" "4/khowalk: the incoming memory map at $map: $WHY" \
	"$P second.elf: khowalk --scan --in check says the map was released, exit 4"

if [ "${LAB_KEEP:-0}" != 1 ]; then
	rm -f "$D"/*.elf
fi
done_testing
