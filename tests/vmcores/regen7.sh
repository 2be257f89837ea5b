#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Remake the committed dumps of the upstream 7.x lab (README.md). First run
#   make lab-check LAB_KEEP=1
# which leaves the guest's vmcores and results in build/san/lab7/run; this
# cuts them down with khodump --extract and writes what decoding them must
# give, taken from the independent reader tests/lab7/kho_truth.py run on
# the whole dumps, from kho_lab7's record and from the LUO workload's,
# never from the tools.
#
# usage: tests/vmcores/regen7.sh [BUILD_DIR]     (default build/san)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build/san}" && pwd)
run=$build/lab7/run
out=$src/tests/vmcores
khodump=$build/tools/khodump
truth="/usr/bin/python3 $src/tests/lab7/kho_truth.py"

die() {
	echo "regen7: $*" >&2
	exit 1
}

[ -x "$khodump" ] || die "no $khodump"
for f in first.elf handover.elf second.elf r/truth r/leaked r/luo; do
	[ -s "$run/$f" ] || die "no $run/$f (make lab-check LAB_KEEP=1)"
done
. "$build/lab7/config.sh"

# cut_dump NAME DUMP [khodump options]: the extract and the independent truth.
cut_dump() {
	name=$1 dump=$2
	shift 2
	d=$out/upstream-$name
	rm -rf "$d"
	mkdir -p "$d"
	"$khodump" --vmcore "$dump" --scan "$@" --extract "$d/vmcore.elf" >/dev/null
	$truth "$dump" fdts >"$d/fdts.txt"
	echo "$LAB7_KVER $LAB7_PKG" >"$d/kernel.txt"
}

cut_dump first "$run/first.elf"
$truth "$run/first.elf" pages >"$d/expected-pages.txt"
$truth "$run/first.elf" check >"$d/expected-check.txt"
$truth "$run/first.elf" owners >"$d/expected-owners.txt"
$truth "$run/first.elf" subnodes | cut -d' ' -f1 | sort >"$d/subnodes.txt"
cut -d' ' -f1,2 "$run/r/truth" >"$d/kho-lab7.txt"
cp "$run/r/leaked" "$d/leaked.txt"

cut_dump handover "$run/handover.elf"
$truth "$run/handover.elf" pages >"$d/expected-pages.txt"
$truth "$run/handover.elf" check >"$d/expected-check.txt"
$truth "$run/handover.elf" owners >"$d/expected-owners.txt"
$truth "$run/handover.elf" subnodes | cut -d' ' -f1 | sort >"$d/subnodes.txt"
grep -v '^@@' "$run/r/luo" >"$d/luo.txt"

cut_dump second-out "$run/second.elf"
$truth "$run/second.elf" pages >"$d/expected-pages.txt"
$truth "$run/second.elf" check >"$d/expected-check.txt"
$truth "$run/second.elf" owners >"$d/expected-owners.txt"

cut_dump second-in "$run/second.elf" --in
$truth "$run/second.elf" --kexec-count 1 subnodes | cut -d' ' -f1 | sort >"$d/subnodes.txt"
