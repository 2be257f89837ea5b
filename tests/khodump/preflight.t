#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# khodump preflight on generated state and generated kernel images: the
# payload compressed by the compressors' own tools with the kernel's flags
# (scripts/Makefile.lib, xz_wrap.sh), the image written by mkkimage from
# the boot protocol; the evidence offsets are those mkkimage wrote. Exit 0
# go, 1 no-go, 2 or more trouble.
. "$(dirname "$0")/lib.sh"
MKK=$KHO_BUILD/tests/khodump/mkkimage

spec() {
	cat <<'EOS'
compatible kho-v4
mem_end 0x10000000
kexec-metadata 1 7.2.13 1
memblock rmem 0x4000000 0x100000
sub-fdt lab kho-lab-v1
raw-zero bigblob 12288
scratch 0x8000000 0x1000000
scratch 0xa000000 0x4000000
kho_scratch 0x3000 0x5000
kho_out 0x2000
EOS
}
spec | "$MK" --elf "$T/s.elf" --debugfs "$T/dbg" --system-map "$T/map" --info "$T/info" -
expect_eq "$(info fdt_phys):$(grep '^sub bigblob' "$T/info")" \
	"0x1000000:sub bigblob 0x1004000 12288" "the state's layout as expected"

STRINGS=".rodata:kho-v4 .rodata:kexec-metadata .rodata:memblock .rodata:memblock-v1
.rodata:reserve-mem-v1 .data:kho-lab-v1 .rodata:lab .rodata:bigblob"
# shellcheck disable=SC2086
"$MKK" --elf "$T/v.elf" --info "$T/vinfo" --trailer 100 $STRINGS
# shellcheck disable=SC2086
"$MKK" --elf "$T/nov4.elf" --trailer 100 .rodata:kho-v3 $(echo $STRINGS | cut -d' ' -f2-) \
	.BTF:kho-v4 .rodata:SOLUO
SIZE=$(stat -c %s "$T/v.elf")

# size_append: the uncompressed size as a little-endian u32
size_append() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}
compress() {	# NAME INPUT
	SIZE=$(stat -c %s "$2")
	case $1 in
	gzip) gzip -n -9 <"$2" ;;
	xz) xz --check=crc32 --x86 --lzma2=dict=32MiB <"$2"; size_append "$SIZE" ;;
	zstd) zstd -q -22 --ultra <"$2"; size_append "$SIZE" ;;
	bzip2) bzip2 -9 <"$2"; size_append "$SIZE" ;;
	lzma) lzma -9 <"$2"; size_append "$SIZE" ;;
	lz4) lz4 -q -l -9 - - <"$2"; size_append "$SIZE" ;;
	esac
}
bz() {	# NAME INPUT OUT [mkkimage options]
	c=$1 in=$2 o=$3
	shift 3
	compress "$c" "$in" >"$T/payload" && "$MKK" --bzimage "$o" --payload "$T/payload" "$@"
}
PF() {	# state options, then preflight options
	run "$KHODUMP" --vmcore "$T/s.elf" --system-map "$T/map" preflight "$@"
}

# The expected evidence lines, from what mkkimage wrote.
evidence() {	# OFFSET-WORD
	while read -r s sect soff off; do
		case $s in
		kho-v4) use="KHO FDT compatible" ;;
		memblock-v1 | reserve-mem-v1) use="compatible in memblock" ;;
		kho-lab-v1) use="compatible in lab" ;;
		*) use="sub-node name" ;;
		esac
		printf '  %-18s %s: %s %s (%s+%s)\n' "\"$s\"" "$use" "$1" "$off" "$sect" "$soff"
	done <"$T/vinfo" | sort
}
evidence "payload offset" >"$T/ev-payload"
evidence "file offset" >"$T/ev-file"

for c in gzip xz zstd bzip2 lzma lz4; do
	bz $c "$T/v.elf" "$T/bz.$c"
	PF --target "$T/bz.$c"
	expect_eq "$rc:$(printf '%s\n' "$out" | tail -1)" "0:verdict:     go" "$c payload: go"
	expect_eq "$(printf '%s\n' "$out" | sed -n 's/^payload:     //p' | sed 's/ at 0x.*decompressed/ decompressed/')" \
		"$c decompressed (ELF)" "$c: the compressor named by its magic bytes"
	printf '%s\n' "$out" | grep '^  "' | sort >"$T/got"
	same_file "$T/got" "$T/ev-payload" "$c: every string found where mkkimage put it"
done

# The whole report of one run, exactly.
bz xz "$T/v.elf" "$T/bz" --init-size 0xf00000 --kernel-alignment 0x200000 --pref-address 0x1000000
printf 'initrd' >"$T/initrd"
PF --target "$T/bz" --initrd "$T/initrd"
expect_eq "$rc" 0 "go exits 0"
printf '%s\n' "$out" | sed "s|$T|T|g" >"$T/got"
cat >"$T/want" <<EOF
target:      T/bz: bzImage, boot protocol 2.15, init_size 0xf00000, kernel_alignment 0x200000
payload:     xz at 0x41c0, $(stat -c %s "$T/payload") bytes, $SIZE bytes decompressed (ELF)
state:       kho-v4, 4 sub-nodes; symbol kho_out (System.map) at 0x2000: fdt 0xffff888001000000: 0x1000000, the only KHO FDT found
map:         ok: 6 blocks in 2 ranges, 11 metadata pages, no block overlaps another
blobs:       ok: 5 extents (the FDT page and 4 sub-blobs), 7 pages, all preserved
compatibles: ok: 8 strings in use, each found in the target
  "kho-v4"           KHO FDT compatible: payload offset 0x2008 (.rodata+0x8)
  "kexec-metadata"   sub-node name: payload offset 0x2017 (.rodata+0x17)
  "memblock"         sub-node name: payload offset 0x202e (.rodata+0x2e)
  "memblock-v1"      compatible in memblock: payload offset 0x203f (.rodata+0x3f)
  "reserve-mem-v1"   compatible in memblock: payload offset 0x2053 (.rodata+0x53)
  "lab"              sub-node name: payload offset 0x206a (.rodata+0x6a)
  "kho-lab-v1"       compatible in lab: payload offset 0x3008 (.data+0x8)
  "bigblob"          sub-node name: payload offset 0x2076 (.rodata+0x76)
scratch:     ok: the kernel (15 MiB) and the initrd fit the scratch areas
  rule: each segment kexec_file_load places for a bzImage - the kernel, PAGE_ALIGN(init_size) bytes at a kernel_alignment boundary at or above pref_address (at least 1 MiB), and the initrd at or above 16 MiB - lies inside one scratch area without overlapping another (kho_locate_mem_hole() offers a KHO kexec only the scratch areas); boot parameters and purgatory are not counted
  area 0x8000000-0x9000000 16777216 bytes (symbols kho_scratch, kho_scratch_cnt)
  area 0xa000000-0xe000000 67108864 bytes (symbols kho_scratch, kho_scratch_cnt)
  kernel: 15728640 bytes, at a 0x200000 boundary at or above 0x1000000: fits at 0x8000000
  initrd: 4096 bytes, at a 0x1000 boundary at or above 0x1000000: fits at 0x8f00000
verdict:     go
EOF
same_file "$T/got" "$T/want" "the go report, exactly"

# The vmlinux itself: file offsets and sections; no setup header, so the
# scratch rule cannot be applied.
PF --target "$T/v.elf"
expect_eq "$rc" 0 "a vmlinux target: go"
printf '%s\n' "$out" | grep '^  "' | sort >"$T/got"
same_file "$T/got" "$T/ev-file" "a vmlinux: file offsets and sections"
expect_eq "$(printf '%s\n' "$out" | grep '^scratch:')" \
	"scratch:     not checked: the target is an ELF file: it has no setup header (init_size), and kexec_file_load boots a bzImage" \
	"a vmlinux: scratch not checked, and why"

# A target that does not know the root compatible (kho-v3 only; "kho-v4"
# is in .BTF, which is not searched; "LUO" only as the tail of "SOLUO").
bz zstd "$T/nov4.elf" "$T/bz-nov4"
PF --target "$T/bz-nov4"
expect_eq "$rc" 1 "a target without kho-v4: no-go, exit 1"
expect_eq "$(printf '%s\n' "$out" | sed -n '/^verdict:/,$p')" \
"verdict:     no-go
  compatibles: \"kho-v4\" (KHO FDT compatible) is not in the target" "the reason names kho-v4"
expect_eq "$(printf '%s\n' "$out" | grep '"kho-v4"  ')" \
	'  "kho-v4"           KHO FDT compatible: NOT FOUND' "its evidence line says NOT FOUND"

# A blob page that is not preserved: the middle page of bigblob.
{ spec; echo "unpreserve bigblob 1"; } | "$MK" --elf "$T/u.elf" -
run "$KHODUMP" --vmcore "$T/u.elf" --fdt-phys 0x1000000 preflight --target "$T/bz"
expect_eq "$rc" 1 "an unpreserved blob page: no-go, exit 1"
expect_eq "$(printf '%s\n' "$out" | grep -e '^blobs:' -e '^verdict' -e '^  blobs')" \
"blobs:       FAILED: 1 of 5 extents not wholly preserved
verdict:     no-go
  blobs: sub-node 'bigblob': page 0x1005000 is not preserved (sub-node 'bigblob' 0x1004000-0x1007000, 3 pages)" \
	"the reason names the blob and its first unpreserved page"

# A corrupt map: a table entry pointing into the middle of a page.
{ spec; echo "poke 0x1008000 0100000000000000"; } | "$MK" --elf "$T/c.elf" -
run "$KHODUMP" --vmcore "$T/c.elf" --fdt-phys 0x1000000 preflight --target "$T/bz"
expect_eq "$rc" 1 "a corrupt map: no-go, exit 1"
printf '%s\n' "$out" | grep -q '^  map: the map does not validate: '
ok $? "the reason says the map does not validate"
expect_eq "$(printf '%s\n' "$out" | grep '^blobs:')" \
	"blobs:       not checked: the map walk did not finish: which pages are preserved is not known" \
	"blobs not checked when the map cannot be walked"

# Scratch: too small for the kernel; from debugfs on a copied tree.
bz xz "$T/v.elf" "$T/bz-big" --init-size 0x4100000
PF --target "$T/bz-big"
expect_eq "$rc" 1 "a kernel larger than every scratch area: no-go"
expect_eq "$(printf '%s\n' "$out" | sed -n '/^verdict:/,$p')" \
"verdict:     no-go
  scratch: the kernel (68157440 bytes, at a 0x200000 boundary at or above 0x1000000) fits in no free part of a scratch area (largest area: 67108864 bytes at 0xa000000)" \
	"the reason gives the sizes"
run "$KHODUMP" --debugfs "$T/dbg" --vmcore "$T/s.elf" preflight --target "$T/bz"
expect_eq "$rc" 0 "scratch from debugfs: go"
expect_eq "$(printf '%s\n' "$out" | grep -c "(debugfs $T/dbg/out/scratch_phys, scratch_len)")" 2 \
	"the areas come from debugfs out/scratch_*"
run "$KHODUMP" --vmcore "$T/s.elf" --fdt-phys 0x1000000 preflight --target "$T/bz"
expect_eq "$rc:$(printf '%s\n' "$out" | grep '^scratch:')" \
	"0:scratch:     not checked: no scratch areas: not a live system (debugfs out/scratch_*), and no symbols to read kho_scratch/kho_scratch_cnt with (--vmlinux, --system-map, --symbols)" \
	"a dump without symbols: scratch not checked, still go"
# A System.map that does not fit the dump (a KASLR boot whose dump has no
# KERNELOFFSET: every symbol 2 MiB off) must not give areas read from the
# wrong place: kho_out.fdt does not name the FDT the scan found.
# (The low 32 bits only: sh arithmetic is signed 64-bit.)
while read -r addr type name; do
	printf '%s%08x %s %s\n' "${addr%????????}" $((0x${addr#????????} + 0x200000)) \
		"$type" "$name"
done <"$T/map" >"$T/map-kaslr"
run "$KHODUMP" --vmcore "$T/s.elf" --scan --system-map "$T/map-kaslr" preflight --target "$T/bz"
expect_eq "$rc:$(printf '%s\n' "$out" | grep '^scratch:')" \
	"0:scratch:     not checked: scratch areas from symbols: the symbols do not fit this memory: symbol kho_out (System.map) at 0x202000: cannot read it: Page not found, but the KHO FDT is at 0x1000000 (a KASLR boot and no KERNELOFFSET in the dump?)" \
	"symbols 2 MiB off: scratch not checked, with the reason, still go"

# An unsupported compressor: the strings cannot be looked for, said so.
bz xz "$T/v.elf" "$T/bz-lzo"
printf '\211LZO\000\r\n\032\n' | dd of="$T/bz-lzo" bs=1 seek=$((0x41c0)) conv=notrunc 2>/dev/null
PF --target "$T/bz-lzo"
expect_eq "$rc:$(printf '%s\n' "$out" | grep '^compatibles:')" \
	"0:compatibles: not checked: lzo-compressed payload: not supported here" \
	"lzo: not checked, the verdict stays go"
bz xz "$T/v.elf" "$T/bz-unk"
printf 'QQQQ' | dd of="$T/bz-unk" bs=1 seek=$((0x41c0)) conv=notrunc 2>/dev/null
PF --target "$T/bz-unk"
expect_eq "$rc:$(printf '%s\n' "$out" | grep '^compatibles:')" \
	"0:compatibles: not checked: the payload's compressor is not one known here (first bytes 51 51 51 51)" \
	"an unknown magic: not checked, with the bytes"

# Trouble: exit 2 or more, one message.
head -c $((0x41c0 + 100)) "$T/bz.xz" >"$T/trunc"
PF --target "$T/trunc"
expect_eq "$rc:$err" "5:khodump: '$T/trunc': payload at 0x41c0 ($(stat -c %s "$T/payload") bytes) is not inside the file ($((0x41c0 + 100)) bytes)" \
	"a truncated bzImage: trouble (5)"
bz xz "$T/v.elf" "$T/bz-bad"
printf 'XXXXXXXX' | dd of="$T/bz-bad" bs=1 seek=$((0x41c0 + 40)) conv=notrunc 2>/dev/null
PF --target "$T/bz-bad"
expect_eq "$rc:$err" "5:khodump: '$T/bz-bad': payload at 0x41c0: xz: corrupt data" \
	"a corrupt payload: trouble (5), named"
PF --target "$T/s.spec-missing"
expect_eq "$rc:$err" "5:khodump: cannot open '$T/s.spec-missing': No such file or directory" \
	"a missing target: trouble (5)"
PF --target "$T/info"
expect_eq "$rc:$err" "5:khodump: '$T/info': not a bzImage (no \"HdrS\" at 0x202) or an ELF file" \
	"not a kernel image: trouble (5)"
run "$KHODUMP" --vmcore "$T/s.elf" preflight
expect_eq "$rc:$err" "2:khodump: preflight needs --target IMAGE$(usage_hint khodump)" "no --target: usage (2)"
run "$KHODUMP" --vmcore "$T/s.elf" --target "$T/bz"
expect_eq "$rc:$err" "2:khodump: --target belongs to the preflight subcommand$(usage_hint khodump)" \
	"--target without preflight: usage (2)"
run "$KHODUMP" --vmcore "$T/nothing.elf" -j preflight --target "$T/bz"
expect_eq "$rc" 5 "an unreadable dump: trouble (5)"
expect_eq "$(printf '%s\n' "$out" | grep -c format_version)" 1 "... and -j still prints one JSON document"

# JSON: the verdict, the checks and the evidence with numbers.
PF -j --target "$T/bz-nov4"
expect_eq "$rc" 1 "JSON no-go exits 1"
printf '%s\n' "$out" | grep -q '"verdict":"no-go","reasons":\["compatibles: \\"kho-v4\\" (KHO FDT compatible) is not in the target"\]}$'
ok $? "JSON: verdict and reasons"
printf '%s\n' "$out" | grep -q '{"string":"kexec-metadata","used_as":"sub-node name","found":true,"image":"'"$T"'/bz-nov4","offset_in":"payload","offset":"0x2017","section":".rodata","section_offset":"0x17"}'
ok $? "JSON: an evidence record"
PF -j --target "$T/bz"
printf '%s\n' "$out" | grep -q '"segments":\[{"name":"kernel","size":15728640,"align":"0x200000","min":"0x1000000","fits":true,"at":"0x8000000","area":"0x8000000"}\]'
ok $? "JSON: the kernel segment, where it fits and in which area"

done_testing
