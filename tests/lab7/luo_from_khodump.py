#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""khodump -j's decoded LUO state, in the LUO workload's own record format.

usage: luo_from_khodump.py KHODUMP.json [PAGE_SIZE]

Prints "session NAME", "memfd NAME TOKEN SIZE PAGES" and, for each page of
each memfd folio, "folio TOKEN PHYS INDEX", as tests/lab7/guest/
lab7-handover.c prints its ground truth, so the two compare with cmp.
PAGE_SIZE (default 4096) is the dumped kernel's: a folio of order N spans
2^N of its pages. Fails (exit 1) unless the blob is luo-v5 with its
sessions serialized.
"""
import json
import sys

d = json.load(open(sys.argv[1]))
page = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
luo = [s for s in d["subnodes"] if s["name"] == "LUO"][0]["blob"]["decoded"]
if luo.get("compatible") != "luo-v5" or luo.get("state") != "serialized":
    sys.exit(f"luo_from_khodump: not serialized luo-v5: {luo.get('compatible')} {luo.get('state')}")
for s in luo["sessions"]:
    print("session", s["name"])
    for f in s["files"]:
        m = f["memfd"]
        print("memfd", s["name"], f["token"], m["size"], m["pages"])
        for x in m["folios"]:
            for p in range(1 << x["order"]):
                print("folio", f["token"], hex(int(x["phys"], 16) + page * p),
                      x["index"] + p)
