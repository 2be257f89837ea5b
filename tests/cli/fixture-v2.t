#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The upstream-generated kho-v2 fixture decodes exactly, located three ways.
. "$(dirname "$0")/lib.sh"

F=$FIX/upstream-v2
V=$F/vmcore.elf
FDT_PHYS=$(cat "$F/fdt_phys.txt")
ROOT=$(cat "$F/root_phys.txt")

for loc in "--fdt $F/kho.fdt" "--fdt-phys $FDT_PHYS" "--root $ROOT"; do
	# shellcheck disable=SC2086
	run "$KHOWALK" --vmcore "$V" $loc pages
	ok $rc "pages via $loc exits 0"
	echo "$out" >"$T/pages"
	same_file "$T/pages" "$F/expected-pages.txt" "pages via $loc equal upstream's walk"
	# shellcheck disable=SC2086
	run "$KHOWALK" --vmcore "$V" $loc ranges
	echo "$out" >"$T/ranges"
	same_file "$T/ranges" "$F/expected-ranges.txt" "ranges via $loc"
done

# Default subcommand is pages.
run "$KHOWALK" --vmcore "$V" --fdt-phys "$FDT_PHYS"
echo "$out" >"$T/pages"
same_file "$T/pages" "$F/expected-pages.txt" "pages is the default subcommand"

# The same blocks in upstream's own walk order are the same set.
sort "$F/expected-walk-order.txt" >"$T/a"
sort "$F/expected-pages.txt" >"$T/b"
same_file "$T/a" "$T/b" "ascending output is a permutation of upstream's walk order"

# JSON, built independently from the text expectation.
run "$KHOWALK" --vmcore "$V" --root "$ROOT" -j pages
awk 'BEGIN { printf "{\"format_version\":1,\"pages\":[" }
     { printf "%s{\"phys\":\"%s\",\"order\":%s}", (NR > 1 ? "," : ""), $1, $2 }
     END { print "]}" }' "$F/expected-pages.txt" >"$T/want.json"
echo "$out" >"$T/got.json"
same_file "$T/got.json" "$T/want.json" "JSON pages"
run "$KHOWALK" --vmcore "$V" --root "$ROOT" --json ranges
awk 'BEGIN { printf "{\"format_version\":1,\"ranges\":[" }
     { split($1, a, "-"); printf "%s{\"start\":\"%s\",\"end\":\"%s\"}", (NR > 1 ? "," : ""), a[1], a[2] }
     END { print "]}" }' "$F/expected-ranges.txt" >"$T/want.json"
echo "$out" >"$T/got.json"
same_file "$T/got.json" "$T/want.json" "JSON ranges"

# stats, exactly.
run "$KHOWALK" --vmcore "$V" --fdt-phys "$FDT_PHYS" stats
cat >"$T/want" <<'EOS'
format:      kho-v2 (radix tree)
page size:   4096
blocks:      2486 in 1514 ranges
preserved:   3662909440 bytes
order      blocks            bytes
    0         593          2428928
    1         198          1622016
    2         175          2867200
    3         176          5767168
    4         168         11010048
    5         205         26869760
    6         214         56098816
    7         179         93847552
    8         172        180355072
    9         291        610271232
   10         101        423624704
   11          12        100663296
   18           2       2147483648
level       nodes
    5           1
    4           3
    3          12
    2          13
    1          13
    0         689 leaves (22 empty, fill 0.01%)
metadata:    2994176 bytes, 0.0817% of preserved
EOS
echo "$out" >"$T/got"
same_file "$T/got" "$T/want" "stats text"
ok $rc "stats exits 0"

run "$KHOWALK" --vmcore "$V" --fdt-phys "$FDT_PHYS" --json stats
expect_eq "$out" '{"format_version":1,"format":"radix","compatible":"kho-v2","page_size":4096,"blocks":2486,"ranges":1514,"preserved_bytes":3662909440,"orders":[{"order":0,"blocks":593,"bytes":2428928},{"order":1,"blocks":198,"bytes":1622016},{"order":2,"blocks":175,"bytes":2867200},{"order":3,"blocks":176,"bytes":5767168},{"order":4,"blocks":168,"bytes":11010048},{"order":5,"blocks":205,"bytes":26869760},{"order":6,"blocks":214,"bytes":56098816},{"order":7,"blocks":179,"bytes":93847552},{"order":8,"blocks":172,"bytes":180355072},{"order":9,"blocks":291,"bytes":610271232},{"order":10,"blocks":101,"bytes":423624704},{"order":11,"blocks":12,"bytes":100663296},{"order":18,"blocks":2,"bytes":2147483648}],"levels":[{"level":5,"nodes":1},{"level":4,"nodes":3},{"level":3,"nodes":12},{"level":2,"nodes":13},{"level":1,"nodes":13},{"level":0,"nodes":689}],"leaves":689,"empty_leaves":22,"leaf_fill":0.000110111,"metadata_bytes":2994176,"metadata_ratio":0.000817431}' "stats JSON"

run "$KHOWALK" --vmcore "$V" --fdt-phys "$FDT_PHYS" check
expect_eq "$rc:$out" "0:ok: 2486 blocks in 1514 ranges, 731 metadata pages" "check passes"
run "$KHOWALK" --vmcore "$V" --fdt-phys "$FDT_PHYS" --pretty check
cat >"$T/want" <<'EOS'
{
  "format_version": 1,
  "ok": true,
  "blocks": 2486,
  "ranges": 1514,
  "nodes": 731
}
EOS
echo "$out" >"$T/got"
same_file "$T/got" "$T/want" "check --pretty"

run "$KHOWALK" -v --vmcore "$V" --fdt-phys "$FDT_PHYS" check
expect_eq "$err" "khowalk: map from --fdt-phys $FDT_PHYS: compatible 'kho-v2', radix root $ROOT
khowalk: 731 metadata pages read, 822 reads" "-v says how the map was found and the work done"

done_testing
