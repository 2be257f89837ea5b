#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Decoding by root compatible (DESIGN §3): sub-node property names, blob
# extents without blob-size, suffixes, unknown versions refused or forced.
. "$(dirname "$0")/lib.sh"

mk() {	# mk NAME COMPATIBLE: a small handover with three kinds of blobs
	cat >"$T/$1.spec" <<EOS
compatible $2
sub-fdt client-a client-a-v1 cookie=0x42
kexec-metadata 1 7.0.0 1
raw opaque 0badcafe
EOS
	"$MK" --elf "$T/$1.elf" --fdt "$T/$1.fdt" --info "$T/info" "$T/$1.spec"
}

# kho-v2: preserved-data, no blob-size: FDT by totalsize, others by page.
mk v2 kho-v2
run "$KHODUMP" --vmcore "$T/v2.elf" --fdt-phys "$(info fdt_phys)" -j --no-summary
printf '%s\n' "$out" >"$T/j"
python3 - "$T/j" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["fdt"]["version"] == 2 and d["fdt"]["subnode_property"] == "preserved-data"
s = {x["name"]: x for x in d["subnodes"]}
assert all("blob_size" not in x for x in d["subnodes"])
assert s["client-a"]["blob"]["extent"] == "fdt totalsize"
assert s["client-a"]["blob"]["bytes"] == 142
assert s["kexec-metadata"]["blob"]["extent"] == "page"
assert s["kexec-metadata"]["blob"]["decoded"]["previous_release"] == "7.0.0"
assert s["opaque"]["blob"]["bytes"] == 4096
assert s["opaque"]["blob"]["preview"].startswith("0badcafe000000")
EOP
ok $? "kho-v2: no blob-size; FDT extent is totalsize, raw blobs one page"

# kho-v4 with a suffix: reported, dispatched on the number.
mk v4 kho-v4+radix-v1
run "$KHODUMP" --vmcore "$T/v4.elf" --fdt-phys "$(info fdt_phys)" --no-summary
printf '%s\n' "$out" | grep '^KHO FDT:' >"$T/got"
echo 'KHO FDT:     365 bytes, compatible "kho-v4+radix-v1" (version 4, suffix +radix-v1, radix tree)' >"$T/want"
same_file "$T/got" "$T/want" "kho-v4 suffix is reported"
expect_eq "$rc" 0 "kho-v4 with a suffix decodes"

# An unknown version is refused, and decoded when forced.
mk v9 kho-v9
run "$KHODUMP" --vmcore "$T/v9.elf" --fdt-phys "$(info fdt_phys)"
expect_eq "$rc:$err" "1:khodump: unknown KHO version 'kho-v9' (this build decodes kho-v1 to kho-v4; force a format to try)" "kho-v9 is refused (exit 1)"
run "$KHODUMP" --vmcore "$T/v9.elf" --fdt-phys "$(info fdt_phys)" --force-version 3
expect_eq "$rc" 0 "kho-v9 decodes with --force-version 3"
printf '%s\n' "$out" | grep -q "^  blocks:    4 in 1 ranges, 16384 bytes$"
ok $? "forced kho-v9 walks its radix tree"

# kho-v1 (upstream fixture): sub-nodes use "fdt".
F=$FIX/upstream-v1-4096
run "$KHODUMP" --vmcore "$F/vmcore.elf" --fdt-phys "$(cat "$F/fdt_phys.txt")" -j
printf '%s\n' "$out" >"$T/j"
python3 - "$T/j" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["fdt"]["format"] == "kho-v1" and d["fdt"]["subnode_property"] == "fdt"
s = d["subnodes"][0]
assert s["address_property"] == "fdt" and s["phys"] == "0x4431c000", s
assert s["blob"]["compatible"] == "kho-test-fixture-v1"
assert d["summary"]["blocks"] == 3880
EOP
ok $? "kho-v1: 'fdt' sub-node property, chunk-list summary"

# A v2 sub-node carrying v1's property name is decoded and reported.
"$MK" --elf "$T/mix.elf" --info "$T/info" - <<'EOS'
compatible kho-v3
sub-fdt client-a client-a-v1
EOS
FDT=$(info fdt_phys)
"$MK" --fdt "$T/mix.fdt" --info "$T/info" - <<'EOS'
compatible kho-v1
sub-fdt client-a client-a-v1
EOS
run "$KHODUMP" --fdt "$T/mix.fdt" --vmcore "$T/mix.elf" --no-summary --force-version 3
expect_eq "$rc" 3 "a v1 property name under a forced v3 root is reported (exit 3)"
printf '%s\n' "$out" | grep -q "^  problem: uses 'fdt', but kho-v1 sub-nodes use 'preserved-data'$"
ok $? "... with the reason"

done_testing
