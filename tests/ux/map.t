#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `khowalk map` on a real lab dump (tests/vmcores/lab-kdump):
# the text strip and the SVG rendered to PNG by rsvg-convert are checked
# against positions that mapcheck.py computes from kho_lab's ground truth
# and the layout documented in khowalk(1), MAP LAYOUT, not from tools/map.c.
. "$KHO_SRC/tests/cli/lib.sh"

PY=/usr/bin/python3
CHECK=$KHO_SRC/tests/ux/mapcheck.py
D=$KHO_SRC/tests/vmcores/lab-kdump
FDT=$(sed -n 's/^fdt //p' "$D/truth.txt")
# The scratch areas come from debugfs: a copy made from the truth.
mkdir -p "$T/dbg/out"
sed -n 's/^scratch \([^ ]*\) .*/\1/p' "$D/truth.txt" >"$T/dbg/out/scratch_phys"
sed -n 's/^scratch [^ ]* //p' "$D/truth.txt" >"$T/dbg/out/scratch_len"
set -- --vmcore "$D/vmcore.elf" --fdt-phys "$FDT" --debugfs "$T/dbg"

# Text strip: the default (not a terminal: 64 cells, automatic scale),
# and a given width and scale.
for args in "" "--width 32 --scale 256K"; do
	# shellcheck disable=SC2086
	run "$KHOWALK" "$@" map $args
	expect_eq "$rc/$err" "0/" "map ${args:-(defaults)}: exit 0, no stderr"
	w=$(echo "$args" | sed -n 's/.*--width \([0-9]*\).*/\1/p')
	b=$(echo "$args" | sed -n 's/.*--scale \([0-9]*\)K.*/\1/p')
	"$PY" "$CHECK" text "$D/truth.txt" "$D/vmcore.elf" "${w:-64}" "$((${b:-0} * 1024))" >"$T/want"
	printf '%s\n' "$out" >"$T/got"
	same_file "$T/got" "$T/want" "map ${args:-(defaults)}: the strip the ground truth gives"
done
run "$KHOWALK" "$@" map --color=always
case $out in *"$(printf '\033[38;5;')"*) ok 0 "--color=always colours by order" ;;
	*) ok 1 "--color=always colours by order" ;; esac
printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g' | sed '$d' >"$T/got"
"$KHOWALK" "$@" map >"$T/want"
same_file "$T/got" "$T/want" "--color=always: the same strip under the colours, and an order line"
run "$KHOWALK" "$@" map --color=never
same_file "$T/out" "$T/want" "--color=never: no escapes"

# SVG -> PNG -> pixels at the addresses the truth gives.
run "$KHOWALK" "$@" map --svg "$T/map.svg"
expect_eq "$rc/$out/$err" "0//" "map --svg FILE: exit 0, nothing printed"
"$PY" -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$T/map.svg"
ok $? "the SVG is well-formed XML"
"$KHOWALK" "$@" map --svg - >"$T/stdout.svg"
same_file "$T/stdout.svg" "$T/map.svg" "--svg - writes the same SVG to standard output"
if ! command -v rsvg-convert >/dev/null; then
	ok 1 "rsvg-convert is installed (librsvg2-bin; scripts/deps/ux.txt)"
else
	rsvg-convert "$T/map.svg" -o "$T/map.png"
	ok $? "rsvg-convert renders it"
	"$PY" "$CHECK" png "$D/truth.txt" "$D/vmcore.elf" "$T/map.png" >"$T/tap"
	rc=$?
	total=$(sed -n 's/^1\.\.//p' "$T/tap")
	grep '^not ok\|^#' "$T/tap" | head -20
	expect_eq "$rc/$(grep -c '^ok' "$T/tap")" "0/$total" \
		"all $total pixel checks (every block's first, middle and last pixel, metadata, FDT, scratch, gaps)"
fi

# Errors.
run "$KHOWALK" "$@" pages --svg "$T/x.svg"
expect_eq "$rc/$err" "2/khowalk: --svg is an option of 'map'$(usage_hint khowalk)" "--svg with pages is a usage error"
run "$KHOWALK" "$@" -j map
expect_eq "$rc/$err" "2/khowalk: 'map' draws a picture (text or --svg); for data use 'ranges -j'$(usage_hint khowalk)" \
	"-j map is a usage error"
run "$KHOWALK" "$@" map --scale 0
expect_eq "$rc/$err" "2/khowalk: invalid --scale '0' (bytes per cell, e.g. 4096 or 64K)$(usage_hint khowalk)" "--scale 0"
run "$KHOWALK" "$@" map --width 0
expect_eq "$rc/$err" "2/khowalk: invalid --width '0' (1 to 4096)$(usage_hint khowalk)" "--width 0"
run "$KHOWALK" "$@" map --color=sometimes
expect_eq "$rc/$err" "2/khowalk: invalid --color 'sometimes' (auto, always or never)$(usage_hint khowalk)" "--color=sometimes"
run "$KHOWALK" "$@" map --scale 1 --width 1
expect_eq "$rc/$err" "1/khowalk: --scale 1 draws 27750414 rows (at most 65536): give a larger scale" \
	"a scale that draws too many rows"
run "$KHOWALK" "$@" map --svg "$T/no/such/dir/x.svg"
expect_eq "$rc/$err" "1/khowalk: cannot write '$T/no/such/dir/x.svg': No such file or directory" \
	"an SVG file that cannot be written"
done_testing
