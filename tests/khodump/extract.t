#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A 128 MiB ELF vmcore (sparse) with a KHO handover, stale FDT copies and
# kho_out: --scan equals the hinted run; symbols find the FDT; --extract is
# over 100 times smaller, libkdumpfile opens it, and every decoder gives
# identical output on it.
. "$(dirname "$0")/lib.sh"

"$MK" --elf "$T/big.elf" --info "$T/info" --system-map "$T/System.map" "$D/big.spec"
ok $? "builder writes the 128 MiB dump"
FDT=$(info fdt_phys)
V=$T/big.elf

# --scan with no hint: same decoding as --fdt-phys, with its reasons.
run "$KHODUMP" --vmcore "$V" --fdt-phys "$FDT"
printf '%s\n' "$out" >"$T/hinted"
run "$KHODUMP" --vmcore "$V" --scan
expect_eq "$rc" 0 "--scan exits 0"
printf '%s\n' "$out" >"$T/scan"
grep -v -e '^located:' -e '^  candidate ' "$T/scan" >"$T/a"
grep -v -e '^located:' "$T/hinted" >"$T/b"
same_file "$T/a" "$T/b" "--scan decodes exactly like the hinted run"
sed -n '2,5p' "$T/scan" >"$T/got"
cat >"$T/want" <<EOS
located:     --scan: $FDT, the only one whose map validates and preserves its own FDT page
  candidate $FDT kho-v3 (chosen): map valid (16 blocks, 28 metadata pages); FDT page preserved in it
  candidate 0x3000000 kho-v3: map valid (16 blocks, 28 metadata pages); FDT page not preserved in it
  candidate 0x3100000 kho-v2: rejected: map invalid: level 5 table at 0x3000000: entry 4 is 0x2401000039000000, but keys are 53 bits wide (entries above 3 cannot be used)
EOS
same_file "$T/got" "$T/want" "--scan lists every candidate and says why it chose"
run "$KHODUMP" --vmcore "$V" --scan --scan-limit 100
expect_eq "$rc:$err" "1:khodump: --scan stopped after 100 pages (limit)" "--scan is bounded"

# Symbols: System.map, and SYMBOL(kho_out) in VMCOREINFO.
run "$KHODUMP" --vmcore "$V" --system-map "$T/System.map"
printf '%s\n' "$out" | sed -n 2p >"$T/got"
echo "located:     symbol kho_out (System.map) at 0x1e00000: fdt 0xffff888002000000: $FDT, the only KHO FDT found" >"$T/want"
same_file "$T/got" "$T/want" "System.map: kho_out.fdt leads to the FDT"
run "$KHODUMP" --vmcore "$V" --symbols
printf '%s\n' "$out" | grep -v -e '^located:' -e '^  candidate ' >"$T/a"
same_file "$T/a" "$T/b" "VMCOREINFO SYMBOL(kho_out): same decoding"

# --extract: small, opens with libkdumpfile, decodes identically.
for how in "--fdt-phys $FDT" "--scan"; do
	# shellcheck disable=SC2086
	run "$KHODUMP" --vmcore "$V" $how --extract "$T/x.elf"
	expect_eq "$rc:$err" "0:" "--extract via $how exits 0 silently"
	printf '%s\n' "$out" >"$T/orig"
	# shellcheck disable=SC2086
	run "$KHODUMP" --vmcore "$T/x.elf" $how
	printf '%s\n' "$out" >"$T/again"
	same_file "$T/again" "$T/orig" "the extract decodes identically ($how)"
	# shellcheck disable=SC2086
	run "$KHODUMP" --vmcore "$T/x.elf" $how --pretty
	printf '%s\n' "$out" >"$T/j2"
	# shellcheck disable=SC2086
	run "$KHODUMP" --vmcore "$V" $how --pretty
	printf '%s\n' "$out" >"$T/j1"
	same_file "$T/j2" "$T/j1" "... and in JSON ($how)"
done
big=$(stat -c %s "$V")
small=$(stat -c %s "$T/x.elf")
ok $([ $((small * 100)) -le "$big" ]; echo $?) "extract is over 100x smaller ($small of $big bytes)"
run "$KDFCMP" "$V" "$T/x.elf"
expect_eq "$rc:$out" "0:39 pages equal" "libkdumpfile opens the extract; its pages equal the original's"

# khowalk gives identical output on the extract too.
for cmd in pages ranges stats check; do
	"$KHOWALK" --vmcore "$V" --fdt-phys "$FDT" $cmd >"$T/w1" 2>&1
	"$KHOWALK" --vmcore "$T/x.elf" --fdt-phys "$FDT" $cmd >"$T/w2" 2>&1
	same_file "$T/w2" "$T/w1" "khowalk $cmd is identical on the extract"
done

# "Outside memory" and "not in the dump" stay apart on the extract.
run "$KHOWALK" --vmcore "$T/x.elf" --root 0x5000000
expect_eq "$rc" 4 "a page left out of the extract is not in the dump (exit 4)"
run "$KHOWALK" --vmcore "$T/x.elf" --root 0x9000000
expect_eq "$rc:$err" "3:khowalk: level 5 table (root) at 0x9000000: cannot be read: 0x9000000 is beyond the end of physical memory (0x8000000)" \
	"beyond the original memory is still outside memory (exit 3)"

# --extract needs a memory source.
run "$KHODUMP" --fdt "$T/nofile" --extract "$T/y.elf"
expect_eq "$rc:$err" "2:khodump: --extract needs a memory source (no memory source given)$(usage_hint khodump)" "--extract without memory is a usage error"

done_testing
