#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The kho-v4 "LUO" blob (luo-v5, linked blocks, memfd-v2) written by the
# independent generator decodes to exactly what the generator wrote, in
# text and JSON; its lifetime states and every damaged form are reported
# with the exit status and message DESIGN §3a asks for.
. "$(dirname "$0")/lib.sh"
GEN=$KHO_BUILD/tests/gen/mkkhoimg
SPECS=$KHO_SRC/tests/data/specs
ROBUST=$KHO_SRC/tests/robust/specs

# gen SPEC NAME: dumps in $T/NAME.*
gen() {
	"$GEN" --elf "$T/$2.elf" --info "$T/$2.info" "$1"
}
fdt_of() { sed -n 's/^fdt_phys: //p' "$T/$1.info"; }

gen "$SPECS/luo.spec" luo
ok $? "generator writes the LUO handover"
run "$KHODUMP" --vmcore "$T/luo.elf" --fdt-phys "$(fdt_of luo)"
expect_eq "$rc:$err" "0:" "LUO decodes cleanly (exit 0, no messages)"
# Everything from the LUO sub-node to the summary, which has its own tests.
printf '%s\n' "$out" | sed -n '/^sub-node "LUO":/,/^summary:/p' | sed '$d' >"$T/got"
same_file "$T/got" "$D/expected/luo.txt" "text of the LUO sub-node is exact"

# json_truth NAME: khodump -j of $T/NAME.elf holds the generator's --info
# lines for sessions, files, memfd folios and FLB entries; $T/j keeps it.
json_truth() {
	run "$KHODUMP" --vmcore "$T/$1.elf" --fdt-phys "$(fdt_of "$1")" -j
	expect_eq "$rc:$err" "0:" "$1: khodump -j exits 0, no messages"
	printf '%s\n' "$out" >"$T/j"
	# The same facts as the generator's --info lines, from the JSON.
	python3 - "$T/j" >"$T/from-json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
l = [s for s in d["subnodes"] if s["name"] == "LUO"][0]["blob"]["decoded"]
for s in l["sessions"]:
    print("luo-session: %s" % s["name"])
    for f in s.get("files", []):
        m = f.get("memfd")
        if m:
            for x in m["folios"]:
                print("memfd-folio: %s %s %d %d %s" % (f["token"], x["phys"],
                      x["order"], x["index"], x["flags"]))
            print("memfd: %s %d %d %s" % (f["token"], m["size"],
                  m["nr_folios"], m["phys"]))
        print("luo-file: %s %s %s %s" % (s["name"], f["token"],
              f["compatible"], f["data"]))
for e in l["flb"]["entries"]:
    print("luo-flb: %s %s %d" % (e["name"], e["data"], e["count"]))
EOP
	ok $? "$1: JSON parses and has sessions, files, folios and FLB entries"
	grep -E '^(luo-session|memfd-folio|memfd|luo-file|luo-flb): ' \
		"$T/$1.info" >"$T/want"
	same_file "$T/from-json" "$T/want" "$1: JSON equals what the generator wrote"
}

json_truth luo
python3 - "$T/j" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
l = [s for s in d["subnodes"] if s["name"] == "LUO"][0]["blob"]["decoded"]
assert l["compatible"] == "luo-v5" and l["liveupdate_number"] == 3, l
assert l["state"] == "serialized"
m = l["sessions"][0]["files"][0]["memfd"]
assert (m["size"], m["pages"]) == (0x5000, 6), m
assert [x["offset"] for x in m["folios"]] == ["0x0", "0x1000", "0x4000"]
EOP
ok $? "JSON: version, state, memfd size, pages and file offsets"

# The same handover at 16 KiB pages: blocks and folios are 16 KiB pages.
gen "$SPECS/luo-16k.spec" luo16
ok $? "generator writes the LUO handover at 16 KiB pages"
json_truth luo16

# Chains of more than one block, as the kernel fills them.
printf 'include %s\n' "$ROBUST/luo-base.inc" >"$T/sound.spec"
gen "$T/sound.spec" sound
ok $? "generator writes two-block session and file chains"
run "$KHODUMP" --vmcore "$T/sound.elf" --fdt-phys "$(fdt_of sound)" -j --no-summary
expect_eq "$rc:$err" "0:" "two-block chains decode cleanly"
printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
l = [s for s in d["subnodes"] if s["name"] == "LUO"][0]["blob"]["decoded"]
assert (l["session_blocks"], l["session_count"]) == (2, 52), l
b = l["sessions"][0]
assert (b["file_blocks"], b["file_count"], len(b["files"])) == (2, 65, 65)
assert [s["name"] for s in l["sessions"][1:3]] == ["s01", "s02"]
assert b["files"][64]["token"] == "0x140"
'
ok $? "all 52 sessions in 2 blocks and 65 files in 2 blocks, in order"

# Before liveupdate_reboot(): sessions_pa is 0.
gen "$SPECS/luo-unserialized.spec" unser
run "$KHODUMP" --vmcore "$T/unser.elf" --fdt-phys "$(fdt_of unser)" -j --no-summary
expect_eq "$rc:$err" "0:" "unserialized LUO: exit 0, no messages"
printf '%s\n' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
l = [s for s in d["subnodes"] if s["name"] == "LUO"][0]["blob"]["decoded"]
assert l["state"] == "not serialized" and "sessions" not in l, l
assert l["note"].startswith("sessions not yet serialized")
'
ok $? "unserialized LUO is reported as not yet serialized"

# luo-v2, the FDT form of the postings before 7.2: named, exit 1.
printf 'format radix\ncompatible kho-v4\nsubnode LUO luo-v2\n' |
	"$GEN" --elf "$T/v2.elf" --info "$T/v2.info" -
run "$KHODUMP" --vmcore "$T/v2.elf" --fdt-phys "$(fdt_of v2)" --no-summary
expect_eq "$rc:$err" "1:khodump: sub-node 'LUO': LUO: version \"luo-v2\" is not supported (this decodes luo-v1 and luo-v5; it never shipped in a released kernel)" \
	"luo-v2 (an FDT) is named as unsupported, exit 1"

# A memfd-v1 file in a luo-v5 handover: its data is named, not guessed at.
printf 'format radix\ncompatible kho-v4\nluo 1\nluo-session s\nluo-file memfd-v1 0x5 0x1000\n' |
	"$GEN" --elf "$T/m1.elf" --info "$T/m1.info" -
run "$KHODUMP" --vmcore "$T/m1.elf" --fdt-phys "$(fdt_of m1)" --no-summary
expect_eq "$rc:$err" "1:khodump: sub-node 'LUO': LUO file \"memfd-v1\": version not supported (this decodes memfd-v2)" \
	"memfd-v1 data is named as unsupported, exit 1"

# Damaged LUO state: tests/robust/luo-catalogue.t.

done_testing
