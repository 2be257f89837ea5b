#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The crash extension on real vmcores of the lab kernel:
# `crash -s --minimal --kaslr=auto VMLINUX VMCORE` (the only way crash 8.0.2
# opens 6.12, QEMU_LAB.md §6), `extend kho.so`, and then
#  - kho walk pages/ranges/stats/check = khowalk's output on the same dump,
#    byte for byte, and = kho_lab's ground truth; with -p and with no hint
#    (the bounded scan); on the ELF and on the kdump-compressed dump;
#  - kho fdt = khodump's output;
#  - kho find at sub-pages of the highest-order block, at its edges and
#    outside every block = khowalk find, and = the truth;
#  - a leaf page cut out of the dump (elf-hole.py): the blocks found so far
#    and "not in the dump", never a crash error, and crash carries on;
#  - help kho documents every subcommand.
# The guest is this suite's own (seed LAB_SEED+2), so it does not depend on
# vmcore.t's dumps. Fails closed: no crash, no debug vmlinux
# (scripts/crash-vmlinux.sh, run by `make lab-check`), no kho.so = bail out.
: "${KHO_SRC:?set KHO_SRC}"
. "$KHO_SRC/tests/lab/lib.sh"

ccfg=$LAB_DIR/crash-config.sh
[ -r "$ccfg" ] || bail "no $ccfg (make lab-check prepares it)"
. "$ccfg"
command -v crash >/dev/null || bail "crash is not installed (scripts/install-deps.sh crash)"
[ -s "$CRASH_VMLINUX" ] || bail "no debug vmlinux '$CRASH_VMLINUX' (scripts/crash-vmlinux.sh)"
[ -s "$CRASH_SO" ] || bail "no crash extension '$CRASH_SO'"

seed=$((LAB_SEED + 2))
D=$LAB_DIR/crash
# In this suite's own directory (boot empties it first), out of the way of
# vmcore.t's clean-up of $LAB_DIR/*.elf.
ELF=$D/vmcore.elf
KDUMP=$D/vmcore.kdump
HOLE=$D/hole.elf
boot crash --mem 256M --vmcoreinfo --qmp "$LAB_DIR/qmp-crash.sock" \
	--append "$(append dump "$seed")" \
	"wait:LAB: READY nofw" send:go \
	"wait:LAB: READY vmcoreinfo" "dump:elf:$ELF" \
	"dump:kdump-zlib:$KDUMP-flat" quit
ok $? "dump guest (seed $seed) booted and was dumped (ELF, kdump-zlib) through QMP"
need_section "$D" truth
TR=$D/truth
expect_eq "$(head -n 1 "$TR")/$(tail -n 1 "$TR")" "kho-lab-truth 1/end" \
	"ground truth is complete"
fdt=$(truth_value "$TR" fdt)
map=$(truth_value "$TR" map)
nblocks=$(truth_value "$TR" blocks)
rm -f "$KDUMP"
makedumpfile -R "$KDUMP" <"$KDUMP-flat" >"$D/makedumpfile.log" 2>&1
ok $? "makedumpfile -R turns the flattened kdump-zlib dump into a diskdump"
truth_pages "$TR" >"$D/want_pages"
truth_ranges "$TR" >"$D/want_ranges"

# The highest-order block, and addresses inside, at the edges and outside.
read -r bphys border <<EOF
$(truth_pages "$TR" | sort -k2,2n -s | tail -n 1)
EOF
bsize=$((4096 << border))
bend=$(printf '0x%x' $((bphys + bsize)))
want_in() { printf '%s in %s %s (%s-%s)\n' "$1" "$bphys" "$border" "$bphys" "$bend"; }
inside="$bphys $(printf '0x%x' $((bphys + 4096))) $(printf '0x%x' $((bphys + bsize / 2 + 0x123))) \
$(printf '0x%x' $((bphys + bsize - 4096))) $(printf '0x%x' $((bphys + bsize - 1)))"
# A range's end is preserved by no block (ranges are maximal).
outside=$(truth_ranges "$TR" | head -n 1 | sed 's/^[^-]*-\([^ ]*\) .*/\1/')
note "highest-order block: $bphys order $border ($bsize bytes); outside: $outside"

# crash_session NAME DUMP: run $D/NAME.cmds in crash; log in $D/NAME.log.
crash_session() {
	timeout 300 crash -s --minimal --kaslr=auto "$CRASH_VMLINUX" "$2" \
		<"$D/$1.cmds" >"$D/$1.log" 2>&1
}

# ---- the ELF dump: everything ----
{
	echo "extend $CRASH_SO"
	for c in pages ranges stats check; do
		echo "kho -p $fdt walk $c > $D/c.$c"
	done
	echo "kho walk pages > $D/c.scan.pages"
	echo "kho --root $map walk check > $D/c.root.check"
	echo "kho -p $fdt fdt > $D/c.fdt"
	echo "kho -p $fdt walk -j ranges > $D/c.json"
	i=0
	for a in $inside $outside; do
		i=$((i + 1))
		echo "kho -p $fdt find $a > $D/c.find$i"
	done
	echo "kho key decode 0x80000000001 > $D/c.key1"
	echo "kho key encode 0x123456000 0 > $D/c.key2"
	echo "kho -p $fdt walk --vmcore $ELF pages > $D/c.refused"
	echo "help kho > $D/c.help"
	echo "q"
} >"$D/elf.cmds"
crash_session elf "$ELF"
ok $? "crash --minimal --kaslr=auto opens the ELF vmcore and runs the session"
grep -q -x -F "$CRASH_SO: shared object loaded" "$D/elf.log"
ok $? "extend kho.so: the extension loads in minimal mode"

for c in pages ranges stats check; do
	"$KHOWALK" --vmcore "$ELF" --fdt-phys "$fdt" $c >"$D/w.$c" 2>"$D/w.$c.err"
	expect_eq "$?/$(cat "$D/w.$c.err")" "0/" "khowalk --fdt-phys $fdt $c on the same dump: exit 0"
	same_file "$D/c.$c" "$D/w.$c" "kho -p $fdt walk $c = khowalk's output"
done
same_file "$D/c.pages" "$D/want_pages" "kho walk pages = ground truth ($nblocks blocks)"
same_file "$D/c.ranges" "$D/want_ranges" "kho walk ranges = ground truth"
same_file "$D/c.scan.pages" "$D/want_pages" "kho walk pages with no hint (--scan) = ground truth"
"$KHOWALK" --vmcore "$ELF" --root "$map" check >"$D/w.root.check" 2>&1
same_file "$D/c.root.check" "$D/w.root.check" "kho --root $map walk check = khowalk's"
"$KHOWALK" --vmcore "$ELF" --fdt-phys "$fdt" -j ranges >"$D/w.json" 2>&1
same_file "$D/c.json" "$D/w.json" "kho walk -j ranges = khowalk -j ranges"

# khodump: the same, but for the source line (crash is the source).
"$KHODUMP" --vmcore "$ELF" --fdt-phys "$fdt" >"$D/d.fdt" 2>"$D/d.fdt.err"
expect_eq "$?/$(cat "$D/d.fdt.err")" "0/" "khodump --fdt-phys $fdt on the same dump: exit 0"
sed 1d "$D/c.fdt" >"$D/c.fdt.body"
sed 1d "$D/d.fdt" >"$D/d.fdt.body"
same_file "$D/c.fdt.body" "$D/d.fdt.body" "kho fdt = khodump's output (after the source line)"
expect_eq "$(head -n 1 "$D/c.fdt" | cut -d, -f1)" "source:      crash" "kho fdt names crash as the source"
khodump_checks "kho fdt" "$D/c.fdt" "$TR"

i=0
for a in $inside; do
	i=$((i + 1))
	expect_eq "$(cat "$D/c.find$i")" "$(want_in "$a")" "kho find $a (sub-page of the order-$border block)"
	"$KHOWALK" --vmcore "$ELF" --fdt-phys "$fdt" find "$a" >"$D/w.find$i" 2>&1
	same_file "$D/c.find$i" "$D/w.find$i" "kho find $a = khowalk find"
done
i=$((i + 1))
expect_eq "$(cat "$D/c.find$i")" "$outside not preserved" "kho find $outside (outside every block)"
expect_eq "$(cat "$D/c.key1")/$(cat "$D/c.key2")" "0x200000 9/0x10000000123456" "kho key decode / encode"
expect_eq "$(cat "$D/c.refused")" "kho: '--vmcore': memory is crash's; no --raw, --vmcore or --kcore" \
	"a memory source option is refused"
for w in fdt walk pages ranges stats check find "key decode" "key encode" "-p PHYS" --scan --root; do
	grep -q -e "$w" "$D/c.help" || { note "help kho lacks '$w'"; false; } || break
done
ok $? "help kho documents every subcommand and the location options"

# ---- the kdump-compressed dump ----
{
	echo "extend $CRASH_SO"
	echo "kho -p $fdt walk pages > $D/k.pages"
	echo "kho -p $fdt walk check > $D/k.check"
	echo "q"
} >"$D/kdump.cmds"
crash_session kdump "$KDUMP"
ok $? "crash opens the kdump-compressed dump (makedumpfile -R)"
same_file "$D/k.pages" "$D/want_pages" "kdump: kho walk pages = ground truth"
same_file "$D/k.check" "$D/w.check" "kdump: kho walk check = khowalk's"

# ---- a leaf missing from the dump ----
leaf=$(/usr/bin/python3 "$LABSRC/elf-hole.py" "$ELF" "$HOLE" --radix-leaf "$map")
ok $? "elf-hole.py cut the first radix leaf (${leaf:-none}) out of a copy of the dump"
{
	echo "extend $CRASH_SO"
	echo "kho -p $fdt walk pages > $D/h.pages"
	echo "kho -p $fdt walk check > $D/h.check"
	echo "kho -p $fdt find $bphys > $D/h.find"
	echo "kho key decode 0x80000000001 > $D/h.after"
	echo "q"
} >"$D/hole.cmds"
crash_session hole "$HOLE"
ok $? "crash opens the dump with the hole and runs the session"
"$KHOWALK" --vmcore "$HOLE" --fdt-phys "$fdt" pages >"$D/hw.pages" 2>"$D/hw.pages.err"
expect_eq "$?/$(grep -c . "$D/hw.pages.err")" "4/1" "khowalk on the same dump: exit 4, one message"
# The message is khowalk's but for the prefix and the reader's reason.
why() { sed -n "s/^$1: \(leaf at .*: not in the dump\) (.*)\$/\1/p" "$2"; }
msg=$(why khowalk "$D/hw.pages.err")
case $msg in "leaf at $leaf ("*) ok 0 "khowalk names the missing leaf: $msg" ;;
*) ok 1 "khowalk names the missing leaf $leaf (got '$(cat "$D/hw.pages.err")')" ;; esac
grep -v '^kho: ' "$D/h.pages" >"$D/h.pages.blocks"
same_file "$D/h.pages.blocks" "$D/hw.pages" "kho walk pages with a leaf missing: the same partial blocks as khowalk"
got=$(grep -c . "$D/hw.pages")
[ "$got" -lt "$nblocks" ] && [ "$got" -gt 0 ]
ok $? "the partial walk lists some but not all of the $nblocks blocks ($got)"
expect_eq "$(why kho "$D/h.pages")" "$msg" "kho walk pages reports the missing leaf as khowalk does"
grep -q -x -F "kho: $msg (crash cannot read physical $leaf)" "$D/h.pages"
ok $? "... with crash's reason: 'kho: $msg (crash cannot read physical $leaf)'"
expect_eq "$(why kho "$D/h.check")" "$msg" "kho walk check reports it too"
"$KHOWALK" --vmcore "$HOLE" --fdt-phys "$fdt" find "$bphys" >"$D/hw.find" 2>&1
sed 's/^khowalk: /kho: /; s/ (Page not found)$//' "$D/hw.find" >"$D/hw.find.want"
sed 's/ (crash cannot read physical [^)]*)$//' "$D/h.find" >"$D/h.find.got"
same_file "$D/h.find.got" "$D/hw.find.want" "kho find through the missing leaf = khowalk find (answer and message)"
expect_eq "$(cat "$D/h.after")" "0x200000 9" "crash carries on after the missing page (no longjmp, no abort)"
if grep -E 'seek error|read error|invalid (kernel|physical)' "$D/hole.log" >/dev/null; then
	ok 1 "no crash error message in the session"
	grep -E 'seek error|read error|invalid' "$D/hole.log" | head -3 | sed 's/^/#   /'
else
	ok 0 "no crash error message in the session"
fi

if [ "$failed" -eq 0 ]; then
	note "verified crash 8.0.2 --minimal on lab vmcores (seed $seed): kho walk = khowalk"
	note "  (pages, ranges, stats, check, -j), kho fdt = khodump, kho find at sub-pages"
	note "  of a $bsize-byte block, a missing leaf reported without a crash error"
	[ "$LAB_KEEP" = 1 ] || rm -f "$ELF" "$KDUMP" "$KDUMP-flat" "$HOLE"
else
	note "crash scenario FAILED ($failed checks); dumps and sessions kept in $D"
fi
done_testing
