#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The generator's radix writer against the golden trees of DESIGN.md §3:
#  1. `mkkhoimg --golden` prints the table rows byte for byte;
#  2. the same rows as DESIGN.md itself (when shared/ is beside the repo);
#  3. for each tree, the node pages written to a raw image, read back with
#     od(1) only: every table holds exactly one non-zero entry, at the
#     DESIGN path index, pointing at the next node; the leaf holds exactly
#     the DESIGN word; nothing else in the image but the FDT page is set.
set -u

: "${KHO_BUILD:?KHO_BUILD not set}"
: "${KHO_SRC:?KHO_SRC not set}"
gen="$KHO_BUILD/tests/gen/mkkhoimg"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Copied from DESIGN.md §3, "Golden trees".
cat >"$tmp/expected" <<'EOF'
| (0x1000, 0) | 0x10000000000001 | 2, 0, 0, 0, 0 | word 0 = 0x2 |
| (0x200000, 9) | 0x80000000001 | 0, 2, 0, 0, 0 | word 0 = 0x2 |
| (0x40000000, 18) | 0x400000001 | 0, 0, 2, 0, 0 | word 0 = 0x2 |
| (0x123456000, 0) | 0x10000000123456 | 2, 0, 0, 0, 36 | word 209 = 0x400000 |
| (0x8000, 3) | 0x2000000000001 | 0, 128, 0, 0, 0 | word 0 = 0x2 |
EOF

echo "1..7"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }

if "$gen" --golden >"$tmp/got" 2>"$tmp/err" &&
   cmp -s "$tmp/got" "$tmp/expected"; then
	ok "--golden rows equal the DESIGN table"
else
	nok "--golden rows equal the DESIGN table"
	diff "$tmp/expected" "$tmp/got" | sed 's/^/# /'
	sed 's/^/# /' "$tmp/err"
fi

design="${KHO_SHARED:-$KHO_SRC/../shared}/DESIGN.md"
if [ -r "$design" ]; then
	grep -F '| (0x' "$design" >"$tmp/design"
	if cmp -s "$tmp/design" "$tmp/got"; then
		ok "--golden rows equal DESIGN.md"
	else
		nok "--golden rows equal DESIGN.md"
		diff "$tmp/design" "$tmp/got" | sed 's/^/# /'
	fi
else
	ok "# SKIP $design not found"
fi

# word I of the page at physical P in the raw image, as 16 hex digits
words() { # image base phys -> "index value" for every non-zero u64
	od -An -v -t x8 -w8 -j $(($3 - $2)) -N 4096 "$1" |
		awk '{ if ($1 != "0000000000000000") print NR - 1, $1 }'
}

seed=0
while IFS='|' read -r _ blk _ path leaf _; do
	seed=$((seed + 1))
	pa=$(echo "$blk" | sed 's/[( )]//g; s/,.*//')
	order=$(echo "$blk" | sed 's/[( )]//g; s/.*,//')
	wi=$(echo "$leaf" | awk '{ print $2 }')
	wv=$(printf '%016x' "$(echo "$leaf" | awk '{ print $4 }')")
	name="golden ($pa, $order) node pages"
	printf 'format radix\narena 0x10000000 2M\nseed %s\nfdt nopreserve\nblock %s %s\n' \
		"$seed" "$pa" "$order" >"$tmp/spec"
	if ! "$gen" --raw "$tmp/img" --info "$tmp/info" "$tmp/spec" 2>"$tmp/err"; then
		nok "$name"; sed 's/^/# /' "$tmp/err"; continue
	fi
	base=$(cat "$tmp/img.phys")
	node=$(awk '/^root_phys:/ { print $2 }' "$tmp/info")
	why=""
	for idx in $(echo "$path" | tr -d ' ' | tr ',' ' '); do
		words "$tmp/img" "$base" "$node" >"$tmp/w"
		if [ "$(wc -l <"$tmp/w")" -ne 1 ]; then
			why="table $node has $(wc -l <"$tmp/w") entries"; break
		fi
		read -r gi gv <"$tmp/w"
		if [ "$gi" -ne "$idx" ]; then
			why="table $node: entry $gi, want $idx"; break
		fi
		node=$(printf '0x%x' "0x$gv")
		if [ $((node % 4096)) -ne 0 ] || [ $((node < base)) -eq 1 ]; then
			why="entry $node is not a page in the image"; break
		fi
	done
	if [ -z "$why" ]; then
		words "$tmp/img" "$base" "$node" >"$tmp/w"
		if [ "$(cat "$tmp/w")" != "$wi $wv" ]; then
			why="leaf $node has '$(tr '\n' ' ' <"$tmp/w")', want '$wi $wv'"
		fi
	fi
	if [ -z "$why" ]; then
		# 5 tables + leaf + FDT, nothing else written
		pages=$(od -An -v -t x8 -w4096 "$tmp/img" |
			awk '$0 ~ /[1-9a-f]/ { c++ } END { print c + 0 }')
		[ "$pages" -eq 7 ] || why="$pages non-zero pages, want 7"
	fi
	if [ -z "$why" ]; then ok "$name"; else nok "$name"; echo "# $why"; fi
done <"$tmp/expected"
