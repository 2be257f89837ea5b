#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# DESIGN §3: the same preserved set written as kho-v1 with 512-byte bitmaps,
# kho-v1 with 4096-byte bitmaps and kho-v2 (tests/data/specs/mixed-*.spec,
# written by the independent generator) gives identical pages and ranges,
# and each decodes exactly to what the generator wrote, metadata included.
. "$(dirname "$0")/lib.sh"

GEN=$KHO_BUILD/tests/gen/mkkhoimg
SPECS=$KHO_SRC/tests/data/specs
if [ ! -x "$GEN" ]; then
	# Fail closed: a missing generator is a failure, not a skip.
	ok 1 "generator $GEN is built"
	done_testing
	exit 1
fi

# outside "BASE SIZE" <FILE: the lines whose address is outside the arena
outside() {
	perl -e '
		my ($base, $size) = map { hex } split " ", $ARGV[0];
		while (<STDIN>) {
			my ($a) = /^0x(\w+)/;
			print unless hex($a) >= $base && hex($a) < $base + $size;
		}' "$1"
}

for fmt in v1-512 v1-4096 radix; do
	g=$T/$fmt
	if ! "$GEN" --elf "$g.elf" --expect-pages "$g.want-pages" \
		--expect-ranges "$g.want-ranges" --expect-stats "$g.want-stats" \
		--info "$g.info" "$SPECS/mixed-$fmt.spec" 2>"$g.generr"; then
		ok 1 "$fmt: generator ran"
		sed 's/^/#   /' "$g.generr"
		continue
	fi
	fdt=$(sed -n 's/^fdt_phys: //p' "$g.info")
	arena=$(sed -n 's/^arena: //p' "$g.info")
	run "$KHOWALK" --vmcore "$g.elf" --fdt-phys "$fdt" pages
	expect_eq "$rc:$err" "0:" "$fmt: pages exit 0, quietly"
	echo "$out" >"$g.pages"
	same_file "$g.pages" "$g.want-pages" "$fmt: pages equal the generator's"
	run "$KHOWALK" --vmcore "$g.elf" --fdt-phys "$fdt" ranges
	echo "$out" >"$g.ranges"
	same_file "$g.ranges" "$g.want-ranges" "$fmt: ranges equal the generator's"
	# The user blocks lie above the arena, where the generator keeps
	# its own FDT and blob pages, which differ between formats.
	outside "$arena" <"$g.pages" >"$g.user-pages"
	outside "$arena" <"$g.ranges" >"$g.user-ranges"
	[ -s "$g.user-pages" ]
	ok $? "$fmt: user blocks present"
done

same_file "$T/v1-512.user-pages" "$T/radix.user-pages" "v1-512 and v2 give the same pages"
same_file "$T/v1-4096.user-pages" "$T/radix.user-pages" "v1-4096 and v2 give the same pages"
same_file "$T/v1-512.user-ranges" "$T/radix.user-ranges" "v1-512 and v2 give the same ranges"
same_file "$T/v1-4096.user-ranges" "$T/radix.user-ranges" "v1-4096 and v2 give the same ranges"

# kho-v1 metadata cost against the generator's own count.
for fmt in v1-512 v1-4096; do
	g=$T/$fmt
	fdt=$(sed -n 's/^fdt_phys: //p' "$g.info")
	size=${fmt#v1-}
	run "$KHOWALK" --vmcore "$g.elf" --fdt-phys "$fdt" -j stats
	echo "$out" | perl -ne 'print "$1: $2\n" while /"(v1_bitmap_size|chunks|bitmaps|empty_leaves|metadata_bytes)":(\d+)/g' >"$g.got-stats"
	{
		echo "v1_bitmap_size: $size"
		sed -n 's/^nodes\.level\.1: /chunks: /p' "$g.want-stats"
		sed -n 's/^nodes\.level\.0: /bitmaps: /p' "$g.want-stats"
		sed -n 's/^\(empty_leaves\|metadata_bytes\): /&/p' "$g.want-stats"
	} >"$g.want-stats2"
	same_file "$g.got-stats" "$g.want-stats2" "$fmt: detected size, chunks, bitmaps, empty bitmaps and metadata bytes"
done

done_testing
