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
