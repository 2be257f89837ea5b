# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the upstream lab's suites (tests/lab7/*.t): its configuration
# (written by mk/lab7.mk and prepare.sh) and one guest run. Fails closed.

. "$KHO_SRC/tests/lab/tap.sh"

# LAB7_CONFIG: another prepared lab: the arm64 lab's (one per page size;
# its config.sh says which QEMU, console and memory boot it) or the
# patched kernel's (lab7-khotools). LAB7_MEM in the environment wins
# over the lab's (the measurements need more memory).
cfg=${LAB7_CONFIG:-$KHO_BUILD/lab7/config.sh}
[ -r "$cfg" ] || bail "no $cfg (make lab-check prepares the lab)"
mem_env=${LAB7_MEM:-}
LAB7_QEMU=qemu-system-x86_64 LAB7_QEMU_ARGS="" LAB7_CONSOLE=ttyS0 LAB7_MEM=2G LAB7_APPEND=""
. "$cfg"
[ -z "$mem_env" ] || LAB7_MEM=$mem_env
for f in "$LAB7_KERNEL" "$LAB7_INITRD" "$KHOWALK" "$KHODUMP"; do
	[ -s "$f" ] || bail "missing '$f'"
done
for t in "$LAB7_QEMU" timeout makedumpfile /usr/bin/python3; do
	command -v "$t" >/dev/null || bail "'$t' is not installed (scripts/install-deps.sh lab7)"
done
note "upstream kernel $LAB7_KVER ($LAB7_PKG), built in ${LAB7_BUILD_SECONDS} s; seed $LAB7_SEED"

# run7 DIR WHAT APPEND STEP...: one guest run in DIR (console.log, out,
# qmp.sock), its results split into DIR/r/<section> and <section>.rc; a
# failed run is "not ok" with the console's tail, then a bail-out. 2 GiB:
# KHO sizes its scratch areas at 200% of what memblock allocated at boot,
# the initramfs included, and with the sanitizer-built tools inside it
# cannot reserve them in 1 GiB.
run7() {
	dir=$1 what=$2 app=$3
	shift 3
	rm -rf "$dir"
	mkdir -p "$dir/r"
	# shellcheck disable=SC2086
	/usr/bin/python3 "$KHO_SRC/tests/lab/qemu-run.py" $LAB7_QEMU_ARGS --kernel "$LAB7_KERNEL" \
		--initrd "$LAB7_INITRD" --mem "$LAB7_MEM" --qmp "$dir/qmp.sock" \
		--log "$dir/console.log" --results "$dir/out" --timeout "$LAB7_TIMEOUT" \
		--append "console=$LAB7_CONSOLE panic=-1 kho=on liveupdate=on lab7.seed=$LAB7_SEED $LAB7_APPEND $app" \
		"$@" 2>"$dir/qemu.err"
	rc=$?
	sed 's/^/# /' "$dir/qemu.err"
	ok $rc "$what"
	[ $rc -eq 0 ] || { tail -n 20 "$dir/console.log" | sed 's/^/#   /'; bail "guest run failed"; }
	split_sections "$dir/out" "$dir/r"
}

# live_map_checks PREFIX: what khowalk and khodump printed live in the
# first kernel ($R) against the independent reader of the dump taken at
# the same moment ($D/first.elf and its $D/t.pages, t.ranges, t.check), for
# the KHO FDT at $fdt of $total bytes, compatible $compat. PREFIX starts
# each description ("" or "arm64 16K ").
live_map_checks() {
	dbg_size=$(sed -n 's|^file out/fdt ||p' "$R/debugfs_out")
	if [ "$dbg_size" -lt "$total" ]; then
		want_err="khowalk: the KHO FDT at $fdt, read from memory: kho_out.fdt; '/sys/kernel/debug/kho/out/fdt' shows $dbg_size of the FDT's $total bytes"
		note "upstream quirk present: debugfs out/fdt has $dbg_size of $total bytes"
	else
		want_err=""
	fi
	for c in pages ranges check; do
		expect_eq "$(cat "$R/$c.rc")" 0 "${1}live: khowalk $c exits 0"
		same_file "$R/$c" "$D/t.$c" "${1}live: khowalk $c equals the independent reader of the dump"
		expect_eq "$(cat "$R/$c.err")" "$want_err" "${1}live: khowalk $c says on stderr where the FDT came from"
	done
	expect_eq "$(cat "$R/stats.rc")/$(sed -n 's/^blocks: *//p' "$R/stats")" \
		"0/$(wc -l <"$D/t.pages") in $(wc -l <"$D/t.ranges") ranges" \
		"${1}live: khowalk stats counts the truth's blocks and ranges"
	missing=$(cut -d' ' -f1,2 "$R/truth" | grep -vxF -f "$D/t.pages" | head -3)
	expect_eq "$missing" "" "${1}live: every block kho_lab7 preserved ($(wc -l <"$R/truth")) is in the map, with its order"
	grep -qxF "$(cat "$R/leaked")" "$R/pages"
	ok $? "${1}live: kho_lab7's leaked folio $(cat "$R/leaked") is in the map"
	expect_eq "$(cat "$R/khodump.rc")/$(cat "$R/khodump.err")" "0/$(echo "$want_err" | sed 's/^khowalk/khodump/')" \
		"${1}live: khodump exits 0 and names its source on stderr"
	grep -qxF "KHO FDT:     $total bytes, compatible \"$compat\" (version ${compat#kho-v}, radix tree)" "$R/khodump"
	ok $? "${1}live: khodump shows the whole FDT ($total bytes), not debugfs' $dbg_size"
	$TRUTH "$D/first.elf" subnodes | cut -d' ' -f1 | sort >"$D/t.subs"
	sed -n 's/^sub-node "\(.*\)":$/\1/p' "$R/khodump" | sort >"$D/l.subs"
	same_file "$D/l.subs" "$D/t.subs" "${1}live: khodump lists every sub-node of the FDT ($(tr '\n' ' ' <"$D/t.subs"))"
}

# handover_sections PREFIX: the whole-handover run (mode handover) sent
# every section the suites read, and the second kernel its verdict.
handover_sections() {
	for s in truth leaked debugfs_out pages ranges stats check khodump khodump_json \
		luo dmesg_kho debugfs_in in_pages in_ranges in_stats in_check in_khodump \
		in_khodump_json out_check out_khodump luo_check; do
		[ -e "$R/$s" ] && [ -e "$R/$s.rc" ] || bail "the guest sent no '$s' section"
	done
	grep -q "LAB7: VERDICT done" "$D/console.log"
	ok $? "${1}the second kernel printed its verdict"
}
