#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Self-checks of the fixture generator, with no code from lib/:
#  - the ELF and kdump dumps of radix, v1-512 and v1-4096 images read back
#    through libkdumpfile (kdfcheck) equal the raw image, page for page,
#    and hold exactly the pages the generator wrote; libkdumpfile derives
#    arch.name x86_64 and the VMCOREINFO OSRELEASE from both;
#  - expected-pages is sorted, order-aligned, without overlaps, and
#    expected-ranges is its coalescing;
#  - a small kho-v1 chunk list (both bitmap sizes) decoded with od(1)
#    straight from the ABI text gives expected-pages;
#  - omit / truncate-elf / map-zero do what they say; output is
#    deterministic; spec errors name file:line and exit 1.
set -u

: "${KHO_BUILD:?KHO_BUILD not set}"
: "${KHO_SRC:?KHO_SRC not set}"
gen="$KHO_BUILD/tests/gen/mkkhoimg"
kdf="$KHO_BUILD/tests/gen/kdfcheck"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..28"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { # name command... (stderr shown on failure)
	name=$1; shift
	if "$@" >"$tmp/out" 2>&1; then ok "$name"; else
		nok "$name"; sed 's/^/# /' "$tmp/out" | head -20; fi
}
val() { awk -v k="$1:" '$1 == k { print $2 }' "$2"; }

# pages sorted, aligned, disjoint; ranges = their coalescing
pages_sane() { # pages-file ranges-file
	awk '
	function hex(s,   i, c, v) {
		v = 0; s = tolower(substr(s, 3))
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1)) - 1
			if (c < 0) return -1
			v = v * 16 + c
		}
		return v
	}
	FNR == 1 { file++ }
	file == 1 {
		p = hex($1); sz = 4096 * 2 ^ $2
		if (p < 0 || p % sz) { print "unaligned " $0; bad = 1 }
		if (NR > 1 && p < end) { print "unsorted/overlap " $0; bad = 1 }
		if (NR > 1 && p == end) { rend = p + sz }
		else {
			if (NR > 1) r[nr++] = rs " " rend
			rs = p; rend = p + sz
		}
		end = p + sz; np++
		next
	}
	{
		split($1, a, "-"); s = hex(a[1]); e = hex(a[2])
		if (e - s != $2) { print "bad length " $0; bad = 1 }
		got[ng++] = s " " e
	}
	END {
		if (np) r[nr++] = rs " " rend
		if (nr != ng) { print nr " ranges from pages, " ng " in file"; bad = 1 }
		for (i = 0; i < nr && i < ng; i++)
			if (r[i] != got[i]) { print "range " i " differs"; bad = 1; break }
		if (!np) { print "no pages"; bad = 1 }
		exit bad
	}' "$1" "$2"
}

cat >"$tmp/blocks.inc" <<'EOF'
block 0x100000000 0
range 0x100003000 1000
random 300 0-10 0x100000000 0x400000000
random 2 18 0x400000000 0x800000000
block 0x900000000 0
unpreserve 0x900000000 0
subnode test
subnode-raw meta 0102030405
EOF

for fmt in radix v1-512 v1-4096; do
	d="$tmp/$fmt"
	printf 'format %s\narena 0x40000000 16M\nseed 11\nvmcoreinfo on\nosrelease 6.99.%s\ninclude blocks.inc\n' \
		"$fmt" "$fmt" >"$tmp/$fmt.spec"
	if ! "$gen" --raw "$d.img" --elf "$d.elf" --kdump "$d.kdump" \
		--expect-pages "$d.pages" --expect-ranges "$d.ranges" \
		--info "$d.info" "$tmp/$fmt.spec" 2>"$tmp/err"; then
		nok "$fmt: generate"; sed 's/^/# /' "$tmp/err"
		n=$((n + 5)); continue
	fi
	ok "$fmt: generate"
	raws=$(sed 's/--raw //g' "$d.img.args")
	dumped=$(val pages_dumped "$d.info")
	# shellcheck disable=SC2086
	check "$fmt: ELF reads back equal to the raw image" \
		"$kdf" --dumped "$dumped" "$d.elf" $raws
	# shellcheck disable=SC2086
	check "$fmt: kdump reads back equal to the raw image" \
		"$kdf" --dumped "$dumped" "$d.kdump" $raws
	"$kdf" --info "$d.kdump" >"$tmp/ki" 2>&1
	"$kdf" --info "$d.elf" >"$tmp/ei" 2>&1
	if grep -qx 'arch.name: x86_64' "$tmp/ki" &&
	   grep -qx "vmcoreinfo.OSRELEASE: 6.99.$fmt" "$tmp/ki" &&
	   grep -qx "vmcoreinfo.OSRELEASE: 6.99.$fmt" "$tmp/ei" &&
	   grep -qx "max_pfn: 0x41000" "$tmp/ki" &&
	   grep -qx "max_pfn: 0x41000" "$tmp/ei"; then
		ok "$fmt: libkdumpfile derives arch, VMCOREINFO, max_pfn"
	else
		nok "$fmt: libkdumpfile derives arch, VMCOREINFO, max_pfn"
		sed 's/^/# /' "$tmp/ki" "$tmp/ei"
	fi
	check "$fmt: expected pages/ranges sane" pages_sane "$d.pages" "$d.ranges"
done

# the preserved set does not depend on the format (only the generator's
# own FDT and blob pages, which live in the arena, move)
grep -v '^0x4' "$tmp/radix.pages" >"$tmp/a"
grep -v '^0x4' "$tmp/v1-512.pages" >"$tmp/b"
grep -v '^0x4' "$tmp/v1-4096.pages" >"$tmp/c"
check "same preserved set for all formats" sh -c \
	"cmp '$tmp/a' '$tmp/b' && cmp '$tmp/a' '$tmp/c' && [ \$(wc -l <'$tmp/a') -gt 300 ]"

# Decode a small kho-v1 chunk list with od only (KHO_ABI §2.2, §2.3).
v1_decode() { # img base first-chunk bitmap-bytes
	img=$1 base=$(($2)) c=$(($3)) bsz=$4
	u64() { od -An -v -t u8 -j $(($1 - base)) -N 8 "$img" | tr -d ' '; }
	u32() { od -An -v -t u4 -j $(($1 - base)) -N 4 "$img" | tr -d ' '; }
	hops=0
	while [ "$c" -ne 0 ] && [ $hops -lt 100 ]; do
		order=$(u32 $((c + 8))); num=$(u32 $((c + 12)))
		i=0
		while [ $i -lt "$num" ]; do
			start=$(u64 $((c + 16 + 16 * i)))
			bm=$(u64 $((c + 24 + 16 * i)))
			od -An -v -t u1 -w1 -j $((bm - base)) -N "$bsz" "$img" |
			awk '{ for (b = 0; b < 8; b++) if (int($1 / 2 ^ b) % 2) print (NR - 1) * 8 + b }' |
			while read -r bit; do
				printf '0x%x %s\n' $((start + (bit << (12 + order)))) "$order"
			done
			i=$((i + 1))
		done
		c=$(u64 "$c"); hops=$((hops + 1))
	done
}
for fmt in v1-512 v1-4096; do
	bsz=${fmt#v1-}
	cat >"$tmp/small.spec" <<EOF
format $fmt
arena 0x40000000 4M
seed 5
block 0x100000000 0
block 0x100fff000 0
block 0x101000000 0
range 0x180001000 77
block 0x200000000 9
block 0x7fe00000 9
block 0x1000000000 18
random 40 0-3 0x300000000 0x380000000
EOF
	if "$gen" --raw "$tmp/s.img" --info "$tmp/s.info" \
		--expect-pages "$tmp/s.pages" "$tmp/small.spec" 2>"$tmp/err"; then
		v1_decode "$tmp/s.img" "$(cat "$tmp/s.img.phys")" \
			"$(val root_phys "$tmp/s.info")" "$bsz" |
			sort >"$tmp/dec"
		sort "$tmp/s.pages" >"$tmp/exp"
		if cmp -s "$tmp/dec" "$tmp/exp" && [ -s "$tmp/exp" ]; then
			ok "$fmt: od decode of the chunk list equals expected-pages"
		else
			nok "$fmt: od decode of the chunk list equals expected-pages"
			diff "$tmp/exp" "$tmp/dec" | head | sed 's/^/# /'
		fi
	else
		nok "$fmt: small spec"; sed 's/^/# /' "$tmp/err"
	fi
done

# 512-byte bitmaps sit in slabs: mostly not page aligned, junk around them
cat >"$tmp/slab.spec" <<'EOF'
format v1-512
arena 0x40000000 16M
seed 3
random 400 0 0x100000000 0x800000000
EOF
"$gen" --raw "$tmp/slab.img" --info "$tmp/slab.info" "$tmp/slab.spec" 2>/dev/null
base=$(cat "$tmp/slab.img.phys")
first=$(val root_phys "$tmp/slab.info")
unaligned=$(od -An -v -t u8 -w16 -j $((first - base + 16)) -N $((16 * 200)) "$tmp/slab.img" |
	awk '$2 % 4096 { c++ } END { print c + 0 }')
if [ "$unaligned" -gt 100 ]; then
	ok "v1-512: most bitmap pointers are not page aligned ($unaligned/200)"
else
	nok "v1-512: most bitmap pointers are not page aligned ($unaligned/200)"
fi

# omit: the page is a hole in every dump
cat >"$tmp/omit.spec" <<'EOF'
format radix
arena 0x40000000 4M
seed 9
random 50 0-4 0x100000000 0x200000000
omit root
EOF
if "$gen" --raw "$tmp/o.img" --elf "$tmp/o.elf" --kdump "$tmp/o.kdump" \
	--info "$tmp/o.info" "$tmp/omit.spec" 2>"$tmp/err"; then
	root=$(val root_phys "$tmp/o.info")
	raws=$(sed 's/--raw //g' "$tmp/o.img.args")
	nseg=$(echo "$raws" | wc -w)
	# shellcheck disable=SC2086
	check "omit: kdump has no data there, the rest reads back" \
		"$kdf" --nodata "$root" --dumped "$(val pages_dumped "$tmp/o.info")" \
		"$tmp/o.kdump" $raws
	# shellcheck disable=SC2086
	check "omit: ELF has no PT_LOAD there, the rest reads back ($nseg raw pieces)" \
		sh -c "[ $nseg -ge 2 ] && ! grep -q '^--raw .*@$root' '$tmp/o.img.args' &&
			'$kdf' --dumped $(val pages_dumped "$tmp/o.info") '$tmp/o.elf' $raws &&
			! readelf -lW '$tmp/o.elf' | grep -q ' $(printf '0x%016x' "$root") '"
else
	nok "omit: generate"; nok "omit: generate"; sed 's/^/# /' "$tmp/err"
fi

# truncate-elf cuts the file; determinism; map-zero
printf 'format radix\narena 0x40000000 1M\nblock 0x100000000 0\n' >"$tmp/t.spec"
"$gen" --elf "$tmp/full.elf" "$tmp/t.spec" 2>/dev/null
printf 'truncate-elf 5000\n' >>"$tmp/t.spec"
"$gen" --elf "$tmp/cut.elf" "$tmp/t.spec" 2>/dev/null
check "truncate-elf removes the bytes" sh -c \
	"[ \$((\$(stat -c %s '$tmp/full.elf') - 5000)) -eq \$(stat -c %s '$tmp/cut.elf') ]"

"$gen" --kdump "$tmp/k2" --elf "$tmp/e2" --expect-pages "$tmp/p2" \
	"$tmp/v1-512.spec" 2>/dev/null
"$gen" --kdump "$tmp/k3" --elf "$tmp/e3" --expect-pages "$tmp/p3" \
	"$tmp/v1-512.spec" 2>/dev/null
check "output is deterministic" sh -c \
	"cmp '$tmp/k2' '$tmp/k3' && cmp '$tmp/e2' '$tmp/e3' && cmp '$tmp/p2' '$tmp/p3'"

printf 'format v1-4096\nmap-zero\narena 0x40000000 1M\nblock 0x100000000 0\n' >"$tmp/mz.spec"
"$gen" --fdt "$tmp/mz.fdt" --expect-pages "$tmp/mz.pages" --info "$tmp/mz.info" \
	"$tmp/mz.spec" 2>/dev/null
# preserved-memory-map is the 8 bytes after "kho-v1\0\0" + prop header
check "map-zero: root 0, no pages, map property 0" sh -c \
	"[ '$(val root_phys "$tmp/mz.info")' = 0x0 ] && [ ! -s '$tmp/mz.pages' ] &&
	 od -An -t x1 '$tmp/mz.fdt' | tr -d ' \n' |
	 grep -q '6b686f2d763100000000000300000008000000[0-9a-f][0-9a-f]0000000000000000'"

# spec errors: one line naming file:line, exit 1
printf 'format radix\n\nblock 0x1001 0\n' >"$tmp/bad.spec"
"$gen" --info "$tmp/x" "$tmp/bad.spec" >/dev/null 2>"$tmp/err"; rc=$?
check "spec error names file:line" sh -c \
	"[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] &&
	 grep -q '^mkkhoimg: $tmp/bad.spec:3: 0x1001 is not aligned' '$tmp/err'"
printf 'frobnicate 1\n' >"$tmp/bad.spec"
"$gen" "$tmp/bad.spec" >/dev/null 2>"$tmp/err"; rc=$?
check "unknown directive is an error" sh -c \
	"[ $rc -eq 1 ] && grep -q \"bad.spec:1: unknown directive 'frobnicate'\" '$tmp/err'"
printf 'format radix\nblock 0x100000000 1\nblock 0x100001000 0\n' >"$tmp/bad.spec"
"$gen" "$tmp/bad.spec" >/dev/null 2>"$tmp/err"; rc=$?
check "overlapping blocks are an error" sh -c \
	"[ $rc -eq 1 ] && grep -q 'bad.spec:3: block 0x100001000 order 0 overlaps' '$tmp/err'"

# every spec under tests/data/specs builds
fails=""
for s in "$KHO_SRC"/tests/data/specs/*.spec; do
	"$gen" --raw "$tmp/a.img" --elf "$tmp/a.elf" --kdump "$tmp/a.kd" \
		--fdt "$tmp/a.fdt" --expect-pages "$tmp/a.p" --info "$tmp/a.i" \
		"$s" >/dev/null 2>"$tmp/err" || fails="$fails $(basename "$s")"
done
if [ -z "$fails" ]; then ok "every tests/data/specs/*.spec builds"; else
	nok "every tests/data/specs/*.spec builds"; echo "# failed:$fails"
	sed 's/^/# /' "$tmp/err"; fi
