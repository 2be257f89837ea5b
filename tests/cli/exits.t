#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Exit statuses that never lie, for every tool and subcommand (DESIGN §3a):
#   - a write to standard output that fails (/dev/full) ends the run with
#     "<tool>: cannot write the output: No space left on device" and exit 1,
#     whatever the run found;
#   - under -j every run prints one JSON document, a run that fails before
#     its results began included: {"format_version":1,"error":{"message":…}}
#     on stdout, the message on stderr too;
#   - an option error is "<tool>: <what is wrong>" and one line pointing at
#     --help, exit 2.
# The expected messages are written here by hand from those rules.
. "$(dirname "$0")/lib.sh"

KHODUMP=$KHO_BUILD/tools/khodump
KHOTRACE=$KHO_BUILD/tools/khotrace
F=$FIX/upstream-v2
SRC="--vmcore $F/vmcore.elf --fdt-phys $(cat "$F/fdt_phys.txt")"
FULL="cannot write the output: No space left on device"

# full TOOL ARGS...: run with stdout on /dev/full
full() {
	tool=$1
	shift
	"$@" >/dev/full 2>"$T/err"
	rc=$?
	expect_eq "$rc:$(tail -n 1 "$T/err")" "1:$(basename "$tool"): $FULL" \
		"$(basename "$tool") $(echo "$*" | sed "s|$KHO_BUILD/tools/||; s|$F/||g") >/dev/full: exit 1 and a message"
}

# shellcheck disable=SC2086
for cmd in pages ranges stats check map "map --svg -" "find 0x400000000" \
	"find 0x1000" "-j pages" "-j ranges" "-j stats" "-j check" \
	"-j find 0x400000000" "--pretty stats"; do
	full khowalk "$KHOWALK" $SRC $cmd
done
for cmd in "key decode 0x80000000001" "key encode 0x1000 0" "-j key decode 0x80000000001" \
	--help --version; do
	# shellcheck disable=SC2086
	full khowalk "$KHOWALK" $cmd
done
# shellcheck disable=SC2086
full khodump "$KHODUMP" $SRC
# shellcheck disable=SC2086
full khodump "$KHODUMP" $SRC -j
full khodump "$KHODUMP" --help
full khodump "$KHODUMP" --version
full khotrace "$KHOTRACE" --help
full khotrace "$KHOTRACE" --version
# The report lost, the extract still written: it is an output of its own.
# shellcheck disable=SC2086
"$KHODUMP" $SRC --extract "$T/x.elf" >/dev/full 2>"$T/err"
expect_eq "$?:$(cat "$T/err"):$([ -s "$T/x.elf" ]; echo $?)" "1:khodump: $FULL:0" \
	"khodump --extract >/dev/full: exit 1, one message, the extract written"

# The picture into a file that cannot take it.
# shellcheck disable=SC2086
run "$KHOWALK" $SRC map --svg /dev/full
expect_eq "$rc:$err" "1:khowalk: cannot write '/dev/full': No space left on device" \
	"khowalk map --svg /dev/full: exit 1 and a message"

# A long listing stops walking at the first failed write: 20000 random
# blocks (the independent generator's tree of 230 metadata pages) list
# about 280 KB, so the first write of a full stdout buffer fails early.
printf 'format radix\nseed 3\nrandom 20000 0 0x100000000 0x800000000\n' >"$T/big.spec"
"$KHO_BUILD/tests/gen/mkkhoimg" --raw "$T/big.raw" --info "$T/big.info" "$T/big.spec"
BIG="$(cat "$T/big.raw.args") --fdt-phys $(sed -n 's/^fdt_phys: //p' "$T/big.info")"
# shellcheck disable=SC2086
all=$("$KHOWALK" $BIG -v pages 2>&1 >/dev/null | sed -n 's/^khowalk: \([0-9]*\) metadata pages read.*/\1/p')
# shellcheck disable=SC2086
part=$("$KHOWALK" $BIG -v pages 2>&1 >/dev/full | sed -n 's/^khowalk: \([0-9]*\) metadata pages read.*/\1/p')
ok $([ -n "$all" ] && [ -n "$part" ] && [ "$part" -lt $((all / 2)) ]; echo $?) \
	"pages >/dev/full stops the walk early ($part of $all metadata pages read)"

# A failed write outranks what the walk found: a corrupt map's partial
# listing (tests/vmcores/lab-flipped, exit 3 on a working stdout) is exit 1.
d=$KHO_SRC/tests/vmcores/lab-flipped
fdt=$(sed -n 's/^fdt //p' "$d/truth.txt")
"$KHOWALK" --vmcore "$d/vmcore.elf" --fdt-phys "$fdt" pages >/dev/full 2>"$T/err"
expect_eq "$?:$(tail -n 1 "$T/err")" "1:khowalk: $FULL" "a corrupt walk's listing to /dev/full exits 1"
"$KHOWALK" --vmcore "$d/vmcore.elf" --fdt-phys "$fdt" pages >/dev/null 2>&1
expect_eq "$?" 3 "... and exits 3 when the listing is written"

# jerr TOOL MESSAGE STATUS DESCRIPTION ARGS...: -j early failure
jerr() {
	tool=$1 msg=$2 want=$3 what=$4
	shift 4
	run "$@"
	expect_eq "$rc|$out|$(head -n 1 "$T/err")" \
		"$want|{\"format_version\":1,\"error\":{\"message\":\"$msg\"}}|$tool: $msg" \
		"$tool -j, $what: exit $want, one JSON document and the message"
}
jerr khowalk "cannot open '$T/none': No such file or directory" 1 "missing vmcore" \
	"$KHOWALK" -j --vmcore "$T/none" pages
jerr khowalk "cannot open '$T/none': No such file or directory" 1 "missing FDT file (check)" \
	"$KHOWALK" -j --vmcore "$F/vmcore.elf" --fdt "$T/none" check
jerr khowalk "cannot open '$T/none': No such file or directory" 1 "missing vmcore (find)" \
	"$KHOWALK" -j --vmcore "$T/none" find 0x1000
jerr khowalk "unknown option '--bogus'" 2 "unknown option" "$KHOWALK" -j --bogus stats
jerr khowalk "invalid key 'zzz'" 2 "bad key" "$KHOWALK" -j key decode zzz
jerr khowalk "invalid key 0x0 (must be non-zero and below 2^53)" 1 "key 0" \
	"$KHOWALK" -j key decode 0
jerr khowalk "unknown command 'frob' (pages, ranges, stats, check, map, find, key, owners, diff)" 2 \
	"unknown command" "$KHOWALK" -j frob
jerr khodump "cannot open '$T/none': No such file or directory" 1 "missing vmcore" \
	"$KHODUMP" -j --vmcore "$T/none" --scan
jerr khodump "unknown option '--bogus'" 2 "unknown option" "$KHODUMP" -j --bogus
jerr khotrace "unknown option '--bogus'" 2 "unknown option" "$KHOTRACE" -j --bogus
jerr khotrace "invalid duration 'x'" 2 "bad duration" "$KHOTRACE" -j -d x
run "$KHOWALK" --pretty --vmcore "$T/none" pages
expect_eq "$rc|$out" "1|{
  \"format_version\": 1,
  \"error\": {
    \"message\": \"cannot open '$T/none': No such file or directory\"
  }
}" "khowalk --pretty, missing vmcore: one indented JSON document"
run "$KHOWALK" -j --vmcore "$F/vmcore.elf" --root 0x900000000 check
printf '%s\n' "$out" | python3 -c 'import json, sys; d = json.load(sys.stdin); sys.exit(not (d["format_version"] == 1 and d["ok"] is False and "beyond the end" in d["error"]["message"]))'
ok $? "khowalk -j check of a corrupt map: one document with its results and the error (exit $rc)"

# opterr TOOL STATUS MESSAGE DESCRIPTION ARGS...: an option error
opterr() {
	tool=$1 msg=$2 what=$3
	shift 3
	run "$@"
	expect_eq "$rc|$out|$err" "2||$tool: $msg$(usage_hint "$tool")" "$tool: $what"
}
for t in khowalk khodump khotrace; do
	eval "bin=\$$(echo "$t" | tr '[:lower:]' '[:upper:]')"
	opterr $t "unknown option '--bogus'" "unknown long option" "$bin" --bogus
	opterr $t "unknown option '-x'" "unknown short option" "$bin" -x
	opterr $t "option '--json' takes no value" "a value given to a flag" "$bin" --json=1
	opterr $t "ambiguous option '--ver'" "an ambiguous abbreviation" "$bin" --ver
done
opterr khowalk "option '--raw' needs a value" "a missing value" "$KHOWALK" --raw
opterr khowalk "option '--width' needs a value" "a missing value (map)" "$KHOWALK" --width
opterr khowalk "unknown option '-x'" "an unknown short option after a long one" \
	"$KHOWALK" --scan -xj
opterr khodump "option '--extract' needs a value" "a missing value" "$KHODUMP" --extract
opterr khotrace "option '-d' needs a value" "a missing value (short)" "$KHOTRACE" -d
opterr khotrace "option '--duration' needs a value" "a missing value (long)" "$KHOTRACE" --duration
opterr khowalk "invalid --page-size '3' (a power of two from 4096 to 65536)" \
	"an invalid value" "$KHOWALK" --page-size 3

done_testing
