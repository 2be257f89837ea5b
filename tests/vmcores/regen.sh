#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Remake the committed lab dumps (README.md says what each is). First run
#   make lab-check LAB_KEEP=1 LAB_SEED=1
# which leaves the dump guest's vmcores and ground truth in build/san/lab;
# this cuts them down with khodump --extract and writes what decoding them
# must give, taken from kho_lab's ground truth, never from the tools.
#
# usage: tests/vmcores/regen.sh [BUILD_DIR]     (default build/san)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build/san}" && pwd)
lab=$build/lab
out=$src/tests/vmcores
truth=$lab/dump/truth
khodump=$build/tools/khodump

die() {
	echo "regen: $*" >&2
	exit 1
}

[ -s "$truth" ] || die "no $truth (make lab-check LAB_KEEP=1)"
[ -x "$khodump" ] || die "no $khodump"
for f in vmcore.kdump flipped.elf; do
	[ -s "$lab/$f" ] || die "no $lab/$f (make lab-check LAB_KEEP=1)"
done
fdt=$(sed -n 's/^fdt //p' "$truth")

# kdump-zlib dump (QEMU, makedumpfile -R), FDT found with no hint.
d=$out/lab-kdump
rm -rf "$d"
mkdir -p "$d"
"$khodump" --vmcore "$lab/vmcore.kdump" --scan --extract "$d/vmcore.elf" >/dev/null
cp "$truth" "$d/truth.txt"
sed -n 's/^block //p' "$truth" >"$d/expected-pages.txt"
sed -n 's/^range //p' "$truth" >"$d/expected-ranges.txt"

# ELF dump after kho_lab flipped bit 3 of a level-1 table entry.
d=$out/lab-flipped
rm -rf "$d"
mkdir -p "$d"
rc=0
"$khodump" --vmcore "$lab/flipped.elf" --fdt-phys "$fdt" \
	--extract "$d/vmcore.elf" >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || die "khodump on flipped.elf exited $rc, not 3"
cp "$truth" "$d/truth.txt"
cp "$lab/dump/flip_table" "$d/flipped.txt"
read -r _ table idx ptr <"$d/flipped.txt"
echo "level 1 table at $table: entry $idx points to $ptr, not page aligned" \
	>"$d/expected-error.txt"

ls -l "$out"/*/vmcore.elf
