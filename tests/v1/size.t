#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The kho-v1 bitmap size (512 or 4096 bytes under one compatible string):
# a size given against the layout, layout proof against the release, the
# release when the layout cannot tell, the ambiguous default, and a map that
# was never finalized.
. "$(dirname "$0")/lib.sh"

# A 4096 given for a map the layout proves 512: read that way, the slab
# neighbours of every page-aligned bitmap would decode as blocks, so nothing
# is decoded and the contradiction is the error (exit 3).
run "$KHOWALK" --vmcore "$F512/vmcore.elf" --fdt-phys 0x4431d000 --v1-bitmap-size 4096 pages
expect_eq "$rc:$out" "3:" "512 map read as 4096: exit 3, no pages"
expect_eq "$err" \
	"khowalk: kho-v1 bitmap size 4096 was given, but the layout proves 512-byte bitmaps (chunk 0 at 0x41cfc000 entry 0: bitmap 0x41cfbc00 is not page aligned); nothing decoded" \
	"512 map read as 4096: the contradiction is the message"
run "$KHOWALK" --vmcore "$F512/vmcore.elf" --fdt-phys 0x4431d000 --v1-bitmap-size 4096 stats
expect_eq "$rc:$(echo "$out" | grep 'bitmap size')" \
	"3:bitmap size: 4096 bytes (caller: 4096 given; contradicted by the layout: chunk 0 at 0x41cfc000 entry 0: bitmap 0x41cfbc00 is not page aligned)" \
	"512 map read as 4096: stats say why"

# A 512 given for a 4096 map cannot be disproved by the layout (every
# 4096-byte map is a consistent 512-byte one), but it is implausible: the
# walk is done as asked, with a note, and lists a subset.
run "$KHOWALK" --vmcore "$F4096/vmcore.elf" --fdt-phys 0x4431d000 --v1-bitmap-size 512 pages
expect_eq "$rc:$err" \
	"0:khowalk: note: kho-v1 bitmap size 512: caller: 512 given; warning: the layout suggests 4096 (376 of 376 bitmaps are page aligned, where 512-byte slab bitmaps are 1 in 8) (give --v1-bitmap-size to choose)" \
	"4096 map read as 512: exit 0 with a warning"
echo "$out" | sed '/^$/d' >"$T/p"
ascending_subset "$T/p" "$F4096/expected-pages.txt" "4096 map read as 512: a real, ascending subset"

# Only chunk 11 (order 18, one page-aligned bitmap at phys_start 0): the
# layout cannot tell, so the release decides, else 4096 with a note.
# Either size decodes the same five blocks here.
R=0x44518000
grep ' 18$' "$F4096/expected-pages.txt" >"$T/want"
run "$KHOWALK" --vmcore "$F4096/vmcore.elf" --root $R --format v1 pages
expect_eq "$rc:$err" \
	"0:khowalk: note: kho-v1 bitmap size 4096: ambiguous: no layout proof in 1 bitmap, and no kernel release; assumed 4096, the size since 6.18 (give --v1-bitmap-size to choose)" \
	"ambiguous: 4096 with a note"
echo "$out" >"$T/p"
same_file "$T/p" "$T/want" "ambiguous: the order-18 blocks"

for rel in 6.16.0 6.17.9-1-amd64 6.18.0-rc3 7.0.1 6.12.57; do
	patched "rel-$rel" "$F4096" "osrelease=$rel" || continue
	run "$KHOWALK" -v --vmcore "$T/rel-$rel.elf" --root $R --format v1 pages
	got=$(echo "$err" | grep 'bitmap size')
	case $rel in
	6.1[67].*) want="khowalk: kho-v1 bitmap size 512: release: the map was written by Linux $rel (before 6.18); warning: a stable update with the PAGE_SIZE-bitmap fix writes 4096" ;;
	6.12.*) want="khowalk: kho-v1 bitmap size 4096: ambiguous: no layout proof in 1 bitmap, and Linux $rel predates kho-v1; assumed 4096, the size since 6.18" ;;
	*) want="khowalk: kho-v1 bitmap size 4096: release: the map was written by Linux $rel (6.18 or later)" ;;
	esac
	expect_eq "$got" "$want" "release $rel decides when the layout cannot"
	echo "$out" >"$T/p"
	same_file "$T/p" "$T/want" "release $rel: the order-18 blocks"
done
# Without -v, a release before 6.18 still warns (stable backports).
run "$KHOWALK" --vmcore "$T/rel-6.17.9-1-amd64.elf" --root $R --format v1 pages
case $(first_err) in
"khowalk: note: kho-v1 bitmap size 512: release: the map was written by Linux 6.17.9-1-amd64 (before 6.18); warning:"*) ok 0 "release 6.17: the guess is noted without -v" ;;
*) ok 1 "release 6.17: the guess is noted without -v" ;;
esac
run "$KHOWALK" --vmcore "$T/rel-6.18.0-rc3.elf" --root $R --format v1 pages
expect_eq "$err" "" "release 6.18: no note"

# Layout beats the release, both ways.
patched old-4096 "$F4096" osrelease=6.17.9 || true
run "$KHOWALK" -v --vmcore "$T/old-4096.elf" --fdt-phys 0x4431d000 pages
expect_eq "$(echo "$err" | grep 'bitmap size')" \
	"khowalk: kho-v1 bitmap size 4096: layout: 376 of 376 bitmaps are page aligned, where 512-byte slab bitmaps are 1 in 8; so Linux 6.17.9 has the stable fix" \
	"4096 layout from a 6.17 kernel: a stable backport"
echo "$out" >"$T/p"
same_file "$T/p" "$F4096/expected-pages.txt" "4096 layout from a 6.17 kernel: decodes exactly"
patched new-512 "$F512" osrelease=6.18.2 || true
run "$KHOWALK" -v --vmcore "$T/new-512.elf" --fdt-phys 0x4431d000 pages
expect_eq "$(echo "$err" | grep 'bitmap size')" \
	"khowalk: kho-v1 bitmap size 512: layout: chunk 0 at 0x41cfc000 entry 0: bitmap 0x41cfbc00 is not page aligned; despite Linux 6.18.2" \
	"512 layout from a 6.18 kernel: the proof wins"
echo "$out" >"$T/p"
same_file "$T/p" "$F512/expected-pages.txt" "512 layout from a 6.18 kernel: decodes exactly"

# Not finalized: preserved-memory-map is 0 (6.19 before kho_finalize()).
perl -e '
	open(my $f, "<:raw", $ARGV[0]) or die; local $/; my $b = <$f>;
	my $n = ($b =~ s/\x00\xc0\xcf\x41\x00\x00\x00\x00/"\x00" x 8/ge);
	die "map value found $n times\n" unless $n == 1;
	open(my $o, ">:raw", $ARGV[1]) or die; print $o $b;' \
	"$F512/kho.fdt" "$T/unfinalized.fdt"
ok $? "unfinalized FDT made"
for cmd in pages ranges stats check; do
	run "$KHOWALK" --vmcore "$F512/vmcore.elf" --fdt "$T/unfinalized.fdt" $cmd
	expect_eq "$rc:$(first_err)" \
		"0:khowalk: note: kho-v1 map not finalized (preserved-memory-map is 0): nothing to walk" \
		"unfinalized: $cmd exits 0 with a note"
done
run "$KHOWALK" --vmcore "$F512/vmcore.elf" --fdt "$T/unfinalized.fdt" -j pages
expect_eq "$out" '{"format_version":1,"pages":[],"note":"kho-v1 map not finalized (preserved-memory-map is 0)"}' \
	"unfinalized: JSON pages is empty with a note"

run "$KHOWALK" --vmcore "$F512/vmcore.elf" --fdt "$T/unfinalized.fdt" stats
expect_eq "$(echo "$out" | grep 'bitmap size')" "bitmap size: unknown (no map walked)" \
	"unfinalized: stats say no bitmap size"

done_testing
