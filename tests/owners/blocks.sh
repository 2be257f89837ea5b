# SPDX-License-Identifier: GPL-2.0-or-later
#
# owners_blocks_match NAME DUMP EXPECTED DIR (sourced after tests/lab/tap.sh,
# with $KHOWALK set): `khowalk owners --blocks` on the dump DUMP, in text
# and in JSON, equals EXPECTED (the lines kho_truth.py owners writes:
# phys, order, owner path, "partial", "offset N"); scratch files in DIR.
# Shared by tests/owners/owners.t (the committed dumps) and
# tests/lab7/owners.t (the lab's own).
owners_blocks_match() {
	"$KHOWALK" --vmcore "$2" --scan owners --blocks >"$4/$1.owners" 2>"$4/$1.err"
	expect_eq "$?/$(cat "$4/$1.err")" "0/" "$1: owners --blocks exits 0, no stderr"
	grep '^0x' "$4/$1.owners" >"$4/$1.lines"
	same_file "$4/$1.lines" "$3" \
		"$1: every block's owner, partial and file offset as kho_truth.py says ($(wc -l <"$3") blocks)"
	"$KHOWALK" --vmcore "$2" --scan owners --blocks -j >"$4/$1.json" 2>/dev/null
	/usr/bin/python3 - "$4/$1.json" >"$4/$1.jlines" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
path = {o["id"]: o["path"] for o in d["owners"]}
path[0] = "unattributed"
for b in d["blocks"]:
    s = f'{b["phys"]} {b["order"]} {path[b["owner"]]}'
    if b.get("partial"):
        s += " partial"
    if "offset" in b:
        s += f' offset {b["offset"]}'
    print(s)
PY
	same_file "$4/$1.jlines" "$3" "$1: the same in JSON"
}
