# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the lab's TAP suites (tests/lab/*.t): the lab's configuration
# (written by mk/lab.mk) and booting the guest. Fails closed.

. "$KHO_SRC/tests/lab/tap.sh"

cfg=$KHO_BUILD/lab/config.sh
[ -r "$cfg" ] || bail "no $cfg (make lab-check prepares the lab)"
. "$cfg"
[ -s "$LAB_KERNEL" ] || bail "no lab kernel '$LAB_KERNEL'"
[ -s "$LAB_INITRD" ] || bail "no lab initramfs '$LAB_INITRD'"
[ -x "$KHOWALK" ] || bail "no khowalk at '$KHOWALK'"
if [ "$LAB_KHODUMP" = 1 ]; then
	[ -x "$KHODUMP" ] || bail "LAB_KHODUMP=1 but no khodump at '$KHODUMP'"
fi
for t in qemu-system-x86_64 timeout makedumpfile readelf /usr/bin/python3; do
	command -v "$t" >/dev/null || bail "'$t' is not installed (scripts/install-deps.sh lab)"
done

# boot NAME TIMEOUT QEMU_RUN_ARGS... -- STEPS...: run the guest; its console
# is $LAB_DIR/NAME.log, its results are split into $LAB_DIR/NAME/<section>
# and <section>.rc. Returns qemu-run's status.
boot() {
	name=$1
	shift
	rm -rf "${LAB_DIR:?}/$name" "$LAB_DIR/$name.log" "$LAB_DIR/$name.out"
	mkdir -p "$LAB_DIR/$name"
	/usr/bin/python3 "$LABSRC/qemu-run.py" --kernel "$LAB_KERNEL" \
		--initrd "$LAB_INITRD" --log "$LAB_DIR/$name.log" \
		--results "$LAB_DIR/$name.out" --timeout "$LAB_TIMEOUT" "$@" \
		2>"$LAB_DIR/$name.err"
	brc=$?
	sed 's/^/# /' "$LAB_DIR/$name.err"
	[ -e "$LAB_DIR/$name.out" ] || return 1
	split_sections "$LAB_DIR/$name.out" "$LAB_DIR/$name"
	return $brc
}

# The kernel command line of every lab guest.
append() {
	echo "console=ttyS0 quiet panic=-1 lab.mode=$1 lab.seed=$2"
}

# need_section DIR NAME: the section's file, or bail out if the guest did not
# send it (a step that did not run is a failure).
need_section() {
	[ -e "$1/$2" ] && [ -e "$1/$2.rc" ] ||
		bail "the guest sent no '$2' section"
}

