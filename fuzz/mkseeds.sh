#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate the fuzz seed inputs in fuzz/corpus/<target>/seed-* from the
# fixtures: the upstream-written FDTs in tests/fixtures, the corruption
# specs of tests/data/specs (their root FDTs), and the small trees of
# fuzz/seeds/*.spec built by the independent generator, as ELF vmcores and
# laid out in the walker targets' input format (fuzz/fuzz_walk.h): an
# 8-byte header, then physical memory from address 0. Inputs that found
# bugs (crash-*) are kept as they are.
#
# usage: fuzz/mkseeds.sh PATH/TO/mkkhoimg [PATH/TO/mkkhodump]
set -eu
gen=$1
mkkhodump=${2:-}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p fuzz/corpus/fdt fuzz/corpus/walk_v2 fuzz/corpus/walk_v1 fuzz/corpus/raw \
	fuzz/corpus/elf fuzz/corpus/blob fuzz/corpus/luo

# byte VALUE: one raw byte
byte() { printf "\\$(printf %03o "$1")"; }

# FDTs written by upstream's code, and by the generator
for d in tests/fixtures/*/; do
	[ -f "$d/kho.fdt" ] && cp "$d/kho.fdt" "fuzz/corpus/fdt/seed-fixture-$(basename "$d")"
done
for s in tests/data/specs/*.spec fuzz/seeds/*.spec; do
	n=$(basename "$s" .spec)
	if "$gen" --fdt "$tmp/fdt" "$s" 2>/dev/null; then
		cp "$tmp/fdt" "fuzz/corpus/fdt/seed-$n"
	fi
done

# walker inputs: header (root page, flags, missing page, limit, mutation)
for s in fuzz/seeds/*.spec; do
	n=$(basename "$s" .spec)
	rm -f "$tmp"/raw*
	"$gen" --raw "$tmp/raw" --info "$tmp/info" "$s"
	root=$(sed -n 's/^root_phys: //p' "$tmp/info")
	base=$(cat "$tmp/raw.phys")
	case $n in v1-*) t=walk_v1 ;; *) t=walk_v2 ;; esac
	case $n in v1-512) bm=16 ;; v1-4096) bm=32 ;; *) bm=0 ;; esac
	for flags in 0 1 2; do
		f="fuzz/corpus/$t/seed-$n-$flags"
		extra=$((bm | flags))
		{
			byte $((root / 4096)); byte "$extra"
			# missing page: the root's first child page, roughly
			byte $((base / 4096 + 1)); byte 0
			# live: change a byte of the root before the 20th read
			byte 20; byte 0; byte $((root % 65536 % 256)); byte $((root % 65536 / 256))
			dd if=/dev/zero bs=4096 count=$((base / 4096)) 2>/dev/null
			cat "$tmp/raw"
		} >"$f"
	done
done

# ELF vmcores from the same specs (one with VMCOREINFO, one cut short)
for s in fuzz/seeds/*.spec; do
	n=$(basename "$s" .spec)
	"$gen" --elf "fuzz/corpus/elf/seed-$n" "$s"
done
{ cat fuzz/seeds/v2-golden.spec; echo "vmcoreinfo on"; } >"$tmp/vmci.spec"
"$gen" --elf fuzz/corpus/elf/seed-vmcoreinfo "$tmp/vmci.spec"
{ cat fuzz/seeds/v2-range.spec; echo "truncate-elf 0x3000"; } >"$tmp/trunc.spec"
"$gen" --elf fuzz/corpus/elf/seed-truncated "$tmp/trunc.spec"

# sub-blobs (khodump's test state with every format): as debugfs files,
# and in a memory image [0x1000000, 0x1040000) so pointers can be followed
# le VALUE NBYTES: little-endian bytes
le() { v=$1; i=0; while [ $i -lt "$2" ]; do byte $((v % 256)); v=$((v / 256)); i=$((i + 1)); done; }
name_idx() {
	case $1 in
	kexec-metadata) echo 0 ;; LUO) echo 1 ;; memblock) echo 2 ;;
	kho_test) echo 3 ;; client-a) echo 4 ;; *) echo 5 ;;
	esac
}
if [ -n "${mkkhodump:-}" ]; then
	"$mkkhodump" --elf "$tmp/kd.elf" --debugfs "$tmp/kd" --info "$tmp/kd.info" \
		tests/khodump/all-blobs.spec
	base=0x1000000 span=0x40000
	head -c $((span)) /dev/zero >"$tmp/kd.img"
	readelf -lW "$tmp/kd.elf" | awk '$1 == "LOAD" { print $2, $4, $5 }' |
	while read -r off paddr filesz; do
		[ $((paddr)) -ge $((base)) ] && [ $((paddr + filesz)) -le $((base + span)) ] || continue
		dd if="$tmp/kd.elf" of="$tmp/kd.img" bs=4096 iflag=skip_bytes,count_bytes \
			oflag=seek_bytes conv=notrunc skip=$((off)) seek=$((paddr - base)) \
			count=$((filesz)) 2>/dev/null
	done
	sed -n 's/^sub //p' "$tmp/kd.info" | while read -r name phys size; do
		i=$(name_idx "$name")
		f=$tmp/kd/out/sub_fdts/$name
		{ byte $((i | 8)); le 0 4; le 0 4; le "$size" 3; cat "$f"; } \
			>"fuzz/corpus/blob/seed-file-$name"
		{ byte $((i | 8 | 16)); le $((base / 4096)) 4; le $((phys - base)) 4
		  le "$size" 3; cat "$tmp/kd.img"; } >"fuzz/corpus/blob/seed-mem-$name"
	done
fi

# raw images: {count-1} {phys u64, len u16}... {reads} {phys u64, len u16}...
# then the contents (little-endian hex through xxd)
hex() { printf '%s' "$*" | tr -d ' ' | xxd -r -p; }
{
	hex 01 0010000000000000 0001 0020000000000000 0002
	hex 04 0010000000000000 1000 f810000000000000 1000 0021000000000000 0800
	hex 0022000000000000 0100
	head -c 768 /dev/zero | tr '\0' 'k'
} >fuzz/corpus/raw/seed-two-images
{
	hex 00 00f0ffffffffffff 0010
	hex 02 f0ffffffffffffff 2000 00f0ffffffffffff 1000
	head -c 4096 /dev/zero | tr '\0' 'w'
} >fuzz/corpus/raw/seed-top-of-memory
{
	hex 02 0010000000000000 0010 0018000000000000 1000 0040000000000000 1000
	hex 01 0010000000000000 1000
} >fuzz/corpus/raw/seed-overlap
# luo: fuzz/seeds/luo.spec's memory at 0x100000, with and without the map,
# max_items, the released flag
"$gen" --raw "$tmp/luo.raw" --info "$tmp/luo.info" fuzz/seeds/luo.spec
luo=$(sed -n 's/^luo: \(0x[0-9a-f]*\) .*/\1/p' "$tmp/luo.info")
root=$(sed -n 's/^root_phys: //p' "$tmp/luo.info")
for flags in 0 1 3 5; do
	{ byte $flags; le $((luo - 0x100000)) 3; le $((root - 0x100000)) 4
	  cat "$tmp/luo.raw"; } >"fuzz/corpus/luo/seed-$flags"
done
for t in fdt walk_v2 walk_v1 raw elf blob luo; do
	printf '%s: %s inputs\n' "$t" "$(ls fuzz/corpus/$t | wc -l)"
done
