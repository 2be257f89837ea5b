#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every sub-blob format decodes to exact expected output (text and JSON),
# and the JSON carries the values the spec wrote (checked independently).
. "$(dirname "$0")/lib.sh"

"$MK" --elf "$T/all.elf" --info "$T/info" "$D/all-blobs.spec"
ok $? "builder writes the all-blobs dump"
FDT=$(info fdt_phys)

run "$KHODUMP" --vmcore "$T/all.elf" --fdt-phys "$FDT"
expect_eq "$rc:$err" "0:" "all blobs decode cleanly (exit 0, no messages)"
same_text "$out" "$D/expected/all-blobs.txt" "text output is exact"

run "$KHODUMP" --vmcore "$T/all.elf" --fdt-phys "$FDT" --pretty
same_text "$out" "$D/expected/all-blobs.json" "--pretty JSON is exact"
printf '%s\n' "$out" >"$T/j"
python3 - "$T/j" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format_version"] == 1
s = {x["name"]: x for x in d["subnodes"]}
m = s["memblock"]["blob"]["decoded"]["regions"]
assert [(r["name"], r["start"], r["size"]) for r in m] == \
    [("trace_buf", "0x5000000", "0x1000"), ("pstore", "0x5001000", "0x1000")], m
k = s["kexec-metadata"]["blob"]["decoded"]
assert (k["version"], k["previous_release"], k["kexec_count"]) == (1, "7.1.0-rc3", 2), k
l = s["LUO"]["blob"]["decoded"]
assert l["liveupdate_number"] == 7
assert [x["name"] for x in l["sessions"]] == ["vm-1", "empty"]
assert [(f["compatible"], f["data"], f["token"]) for f in l["sessions"][0]["files"]] == \
    [("memfd-v1", "0x5800000", "0x1"), ("memfd-v1", "0x5801000", "0x2")]
t = s["kho_test"]["blob"]["decoded"]
assert t["magic"] == "0x4b484f21" and t["nr_folios"] == 4
assert [f["order"] for f in t["folios"]] == [0, 3, 1, 0]
assert s["opaque"]["blob"]["preview"] == "00112233445566778899aabbccddeeff0123456789"
assert s["client-a"]["blob"]["tree"]["properties"][1]["u64"] == "0x1122334455667788"
assert all(x["preserved"] for x in d["subnodes"])
assert d["summary"]["fdt_page_preserved"] is True
EOP
ok $? "JSON holds what the spec wrote"

run "$KHODUMP" --vmcore "$T/all.elf" --fdt-phys "$FDT" -j
printf '%s\n' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)'
ok $? "compact JSON parses"

# Bounded preview of an unknown blob.
run "$KHODUMP" --vmcore "$T/all.elf" --fdt-phys "$FDT" --preview 4 --no-summary
printf '%s\n' "$out" | grep -q '^  preview: (21 bytes) 00 11 22 33 \.\.\.$'
ok $? "--preview 4 shows four bytes of a 21-byte blob"
printf '%s\n' "$out" | grep -q '^summary:'
ok $([ $? -ne 0 ]; echo $?) "--no-summary skips the walk"

done_testing
