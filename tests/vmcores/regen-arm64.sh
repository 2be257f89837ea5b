#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Remake the committed arm64 dumps (README.md: arm64-*). First run
#   make lab-check-arm64 LAB_KEEP=1
# which leaves each page size's vmcores and results in
# build/san/lab-arm64/{16k,64k}/run; this cuts them down with khodump
# --extract (the extract keeps the VMCOREINFO note, so the page size
# travels with it) and writes what decoding them must give, from the
# independent reader tests/lab7/kho_truth.py run on the whole dumps, from
# kho_lab7's record and from the LUO workload's, never from the tools.
#
# usage: tests/vmcores/regen-arm64.sh [BUILD_DIR]     (default build/san)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build/san}" && pwd)
out=$src/tests/vmcores
khodump=$build/tools/khodump
truth="/usr/bin/python3 $src/tests/lab7/kho_truth.py"

die() {
	echo "regen-arm64: $*" >&2
	exit 1
}

[ -x "$khodump" ] || die "no $khodump"
for k in 16 64; do
	run=$build/lab-arm64/${k}k/run
	for f in first.elf handover.elf second.elf r/truth r/leaked r/luo; do
		[ -s "$run/$f" ] || die "no $run/$f (make lab-check-arm64 LAB_KEEP=1)"
	done
	. "$build/lab-arm64/${k}k/config.sh"

	# cut_dump NAME DUMP [khodump options]: the extract and the truth.
	cut_dump() {
		name=$1 dump=$2
		shift 2
		d=$out/arm64-${k}k-$name
		rm -rf "$d"
		mkdir -p "$d"
		"$khodump" --vmcore "$dump" --scan "$@" --extract "$d/vmcore.elf" >/dev/null
		$truth "$dump" fdts >"$d/fdts.txt"
		echo "$LAB7_KVER $LAB7_PKG arm64 $((k * 1024))" >"$d/kernel.txt"
	}

	cut_dump first "$run/first.elf"
	$truth "$run/first.elf" pages >"$d/expected-pages.txt"
	$truth "$run/first.elf" check >"$d/expected-check.txt"
	$truth "$run/first.elf" subnodes | cut -d' ' -f1 | sort >"$d/subnodes.txt"
	cut -d' ' -f1,2 "$run/r/truth" >"$d/kho-lab7.txt"
	cp "$run/r/leaked" "$d/leaked.txt"

	cut_dump handover "$run/handover.elf"
	$truth "$run/handover.elf" pages >"$d/expected-pages.txt"
	$truth "$run/handover.elf" check >"$d/expected-check.txt"
	$truth "$run/handover.elf" subnodes | cut -d' ' -f1 | sort >"$d/subnodes.txt"
	grep -v '^@@' "$run/r/luo" >"$d/luo.txt"

	cut_dump second-out "$run/second.elf"
	$truth "$run/second.elf" pages >"$d/expected-pages.txt"
	$truth "$run/second.elf" check >"$d/expected-check.txt"
done
