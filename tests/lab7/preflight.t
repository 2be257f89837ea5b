#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# khodump preflight on upstream Linux 7.x (README.md here). One guest run
# (lab7.mode=preflight, nokaslr so that System.map places the kernel's
# variables in the dumps): kho_lab7.ko loaded, preflight live into this
# same kernel (go), without the module's strings (no-go), then with a page
# of the kho_lab_raw blob no longer preserved (no-go); a QMP dump of each
# state. On the host: the same verdicts from the dumps, the scratch areas
# from kho_scratch through System.map equal to what debugfs showed live,
# and Debian's 6.12 image refused for not knowing kho-v4.
#
# Ground truth: the verdicts the scenarios are built for; kho_lab7's record
# of the raw blob's address; the kernel's own debugfs scratch files; and
# tests/lab7/kimage_truth.py, an independent reader of the images, for
# where each string is. Fails closed: no step is skipped.

. "$KHO_SRC/tests/lab7/lib7.sh"

D=$LAB7_DIR/preflight
R=$D/r
ORACLE="/usr/bin/python3 $KHO_SRC/tests/lab7/kimage_truth.py"
for f in "$LAB7_DEBIAN_KERNEL" "$LAB7_MOD" "$LAB7_SYSTEM_MAP"; do
	[ -s "$f" ] || bail "missing '$f' (make lab-check prepares it)"
done

run7 "$D" "the 7.x guest ran preflight live" "lab7.mode=preflight nokaslr" \
	"wait:LAB7: READY preflight" "dump:elf:$D/first.elf" "send:" \
	"wait:LAB7: READY gap" "dump:elf:$D/gap.elf" "send:" \
	"wait:LAB7: END" "quit"
for s in truth scratch pf_go pf_go_json pf_nomod pf_gap; do
	[ -f "$R/$s" ] || bail "the guest sent no '$s' section"
done

# run CMD...: $out, $err, $rc
run() {
	"$@" >"$D/run.out" 2>"$D/run.err"
	rc=$?
	out=$(cat "$D/run.out")
	err=$(cat "$D/run.err")
}

# reasons FILE: the lines after "verdict:"
reasons() { sed -n '/^verdict:/,$p' "$1" | sed 1d; }

# evidence_ok LABEL OUTPUT IMAGE MODULE: every evidence line where the
# oracle finds the string, in the target or else in the module.
evidence_ok() {
	grep '^  "' "$2" >"$2.ev"
	bad=0 lines=0
	while IFS= read -r line; do
		s=${line#  \"}
		s=${s%%\"*}
		where=${line#*: }
		lines=$((lines + 1))
		case $where in
		"module "*)
			want=$($ORACLE "$4" "$s")
			got="$s ${where#module *: }"
			;;
		*)
			want=$($ORACLE "$3" "$s")
			got="$s $where"
			;;
		esac
		[ "$got" = "$want" ] || {
			bad=1
			printf '#   %s\n#   oracle: %s\n' "$line" "$want"
		}
	done <"$2.ev"
	[ "$lines" -gt 0 ] || bad=1
	ok $bad "$1: each evidence line is where kimage_truth.py finds the string ($lines strings)"
}

# ---- live, first kernel: go into itself ----
expect_eq "$(cat "$R/pf_go.rc"):$(tail -1 "$R/pf_go")" "0:verdict:     go" \
	"live: go for the 7.x kernel itself (with kho_lab7.ko), exit 0"
expect_eq "$(grep -c -e '^map: *ok: ' -e '^blobs: *ok: ' -e '^compatibles: ok: ' \
	-e '^scratch: *ok: ' "$R/pf_go")" 4 "live: all four checks ran and passed"
grep -q '^payload:     xz at 0x[0-9a-f]*, [0-9]* bytes, [0-9]* bytes decompressed (ELF)$' "$R/pf_go"
ok $? "live: the 7.x bzImage's payload is xz, by its magic bytes"
missing=
for s in kho-v4 LUO luo-v5 kexec-metadata kho_test kho-test-v1 kho_lab kho-lab-v1 kho_lab_raw; do
	grep -q "^  \"$s\" " "$R/pf_go" || missing="$missing $s"
done
expect_eq "$missing" "" "live: every string of the state is listed (kho-v4, LUO, luo-v5, kexec-metadata, kho_test, kho-test-v1, kho_lab*)"
evidence_ok "live" "$R/pf_go" "$LAB7_KERNEL" "$LAB7_MOD"
# The scratch areas are those debugfs shows (the kernel's own files).
nareas=$(($(wc -l <"$R/scratch") / 2))
head -n "$nareas" "$R/scratch" >"$D/sphys"
tail -n "$nareas" "$R/scratch" >"$D/slen"
paste -d' ' "$D/sphys" "$D/slen" | while read -r a l; do
	printf '  area 0x%x-0x%x %d bytes (debugfs /sys/kernel/debug/kho/out/scratch_phys, scratch_len)\n' \
		"$a" $((a + l)) "$l"
done >"$D/areas.want"
grep '^  area ' "$R/pf_go" >"$D/areas.got"
same_file "$D/areas.got" "$D/areas.want" "live: the scratch areas are debugfs out/scratch_* ($nareas areas)"
grep -q "^  initrd: [0-9]* bytes, at a 0x1000 boundary at or above 0x1000000: fits at 0x" "$R/pf_go"
ok $? "live: the initrd given is placed in a scratch area"
expect_eq "$(grep -c '"format_version"' "$R/pf_go_json"):$(cat "$R/pf_go_json.rc")" "1:0" \
	"live -j: one JSON document, exit 0"
grep -q '"verdict":"go","reasons":\[\]}$' "$R/pf_go_json"
ok $? "live -j: verdict go, no reasons"

# Without the module, its sub-nodes' strings are in no image of the target.
expect_eq "$(cat "$R/pf_nomod.rc")" 1 "live, no --module: no-go, exit 1"
reasons "$R/pf_nomod" >"$D/nomod.got"
cat >"$D/nomod.want" <<'EOF'
  compatibles: "kho_lab_raw" (sub-node name) is not in the target
  compatibles: "kho_lab" (sub-node name) is not in the target
  compatibles: "kho-lab-v1" (compatible in kho_lab) is not in the target
EOF
same_file "$D/nomod.got" "$D/nomod.want" "live, no --module: the reasons name kho_lab7's strings only"

# ---- live: a page of the raw blob no longer preserved ----
raw=$(awk '$3 == "blob-raw" { print $1 }' "$R/truth")
[ -n "$raw" ] || bail "kho_lab7's truth names no blob-raw"
cat >"$D/gap.want" <<EOF
  blobs: sub-node 'kho_lab_raw': page $(printf 0x%x $((raw + 4096))) is not preserved (sub-node 'kho_lab_raw' $raw-$(printf 0x%x $((raw + 12288))), 3 pages)
EOF
expect_eq "$(cat "$R/pf_gap.rc")" 1 "live, unpreserved blob page: no-go, exit 1"
reasons "$R/pf_gap" >"$D/gap.got"
same_file "$D/gap.got" "$D/gap.want" "live, unpreserved blob page: the one reason names the page ($raw + 0x1000)"

# ---- the dumps, on the host ----
# The initrd the guest named: the inner archive its kexec boots with.
cpio -i --quiet --to-stdout lab/initramfs.cpio <"$LAB7_INITRD" >"$D/inner.cpio"
[ -s "$D/inner.cpio" ] || bail "no lab/initramfs.cpio in '$LAB7_INITRD'"
run "$KHODUMP" --vmcore "$D/first.elf" --system-map "$LAB7_SYSTEM_MAP" preflight \
	--target "$LAB7_KERNEL" --initrd "$D/inner.cpio" --module "$LAB7_MOD"
printf '%s\n' "$out" >"$D/dump_go"
expect_eq "$rc:$(tail -1 "$D/dump_go")" "0:verdict:     go" "dump: go, as live"
sed 's/(debugfs .*)$/(SRC)/' "$D/areas.want" >"$D/areas.want2"
grep '^  area ' "$D/dump_go" | sed 's/(symbols kho_scratch, kho_scratch_cnt)$/(SRC)/' >"$D/areas.got2"
same_file "$D/areas.got2" "$D/areas.want2" \
	"dump: the scratch areas from kho_scratch/kho_scratch_cnt (System.map) = debugfs live"
grep -v -e '^state:' -e '^  area ' -e '^target:' -e '^module:' "$D/dump_go" >"$D/dump_go.cmp"
grep -v -e '^state:' -e '^  area ' -e '^target:' -e '^module:' "$R/pf_go" >"$D/live_go.cmp"
same_file "$D/dump_go.cmp" "$D/live_go.cmp" "dump: the same checks and evidence as live"
run "$KHODUMP" --vmcore "$D/first.elf" --scan preflight --target "$LAB7_VMLINUX" \
	--module "$LAB7_MOD"
printf '%s\n' "$out" >"$D/dump_vmlinux"
expect_eq "$rc:$(tail -1 "$D/dump_vmlinux")" "0:verdict:     go" "dump, the vmlinux as target: go"
evidence_ok "vmlinux" "$D/dump_vmlinux" "$LAB7_VMLINUX" "$LAB7_MOD"

run "$KHODUMP" --vmcore "$D/gap.elf" --scan preflight --target "$LAB7_KERNEL" \
	--module "$LAB7_MOD"
printf '%s\n' "$out" >"$D/dump_gap"
expect_eq "$rc" 1 "gap dump: no-go, as live"
reasons "$D/dump_gap" >"$D/dump_gap.got"
same_file "$D/dump_gap.got" "$D/gap.want" "gap dump: the same reason"

# Debian's 6.12 kernel knows no KHO: no-go, kho-v4 first among the reasons.
run "$KHODUMP" --vmcore "$D/first.elf" --scan preflight --target "$LAB7_DEBIAN_KERNEL"
printf '%s\n' "$out" >"$D/debian"
expect_eq "$rc" 1 "Debian 6.12 as target: no-go, exit 1"
expect_eq "$(reasons "$D/debian" | head -1)" \
	'  compatibles: "kho-v4" (KHO FDT compatible) is not in the target' \
	"Debian 6.12: the first reason names kho-v4"
grep -q '^payload:     zstd at 0x' "$D/debian"
ok $? "Debian 6.12: its payload is zstd, by its magic bytes"
expect_eq "$(grep -c '^  "[^"]*" .*: NOT FOUND$' "$D/debian")" \
	"$(reasons "$D/debian" | grep -c '^  compatibles: ')" \
	"Debian 6.12: every string not found is a reason"
note "Debian 6.12 reasons: $(reasons "$D/debian" | wc -l)"

if [ "${LAB_KEEP:-0}" != 1 ]; then
	rm -f "$D"/*.elf
fi
done_testing
