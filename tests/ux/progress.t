#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The progress line: never on a stderr that is not a terminal; on a
# terminal (script(1) gives one) only with --progress always or for a slow
# walk, erased before the result is printed. Nothing here depends on how
# fast the machine is: when a line is due (the delay, the rate limit) is
# tested with a clock of the test's own in test_progress.c; here a walk
# either never reaches a progress call, or may show any of the lines that
# are exactly known.
. "$KHO_SRC/tests/cli/lib.sh"

F=$FIX/upstream-v2
set -- --vmcore "$F/vmcore.elf" --fdt-phys "$(cat "$F/fdt_phys.txt")"
OKLINE="ok: 2486 blocks in 1514 ranges, 731 metadata pages"
# The progress calls come after the deliveries during which the 256th and
# the 512th metadata pages were read: 767 blocks, all those ending at or
# below 0x5217c8000, and 1747 blocks (3.0 GiB), all those ending at or
# below 0xafa4c0000 (the fixture's expected-pages.txt agrees on both).
# check takes bitmap spans, so each delivery is a leaf's span, not a run.
# The first is always shown with --progress always; the second only if
# the rate limit (100 ms) has passed, which depends on the machine.
ESC=$(printf '\033')
CR=$(printf '\r')
L256="${CR}khowalk: 256 metadata pages, 767 blocks (1.4 GiB), at 0x5217c8000$ESC[K"
L512="${CR}khowalk: 512 metadata pages, 1747 blocks (3.0 GiB), at 0xafa4c0000$ESC[K"
# progress_is GOT PREFIX SUFFIX: GOT is PREFIX, L256, maybe L512, the
# erasure, SUFFIX
progress_is() {
	[ "$1" = "$2$L256$CR$ESC[K$3" ] || [ "$1" = "$2$L256$L512$CR$ESC[K$3" ]
}

for p in "" "--progress auto" "--progress always" "--progress never"; do
	# shellcheck disable=SC2086
	"$KHOWALK" "$@" $p check >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$p" = "--progress always" ]; then
		expect_eq "$rc/$(cat "$T/out")" "0/$OKLINE" "$p: the result"
		progress_is "$(cat "$T/err")" "" ""
		ok $? "$p: shown on a file too, and erased"
	else
		expect_eq "$rc/$(cat "$T/out")/$(wc -c <"$T/err")" "0/$OKLINE/0" \
			"${p:-default}: stderr to a file stays empty"
	fi
done

if ! command -v script >/dev/null; then
	ok 1 "script(1) is installed (bsdutils; scripts/deps/ux.txt)"
	done_testing
	exit
fi
# On a terminal: stdout and stderr are both the pty, so the order shows.
pty() {
	script -qec "$*" /dev/null >"$T/pty" 2>&1 </dev/null
	tr -d '\n' <"$T/pty"
}
# A walk of fewer than 256 metadata pages never calls for progress:
# tests/vmcores/lab-kdump has 49 (its extract holds 51 pages, the tree's
# and the two FDTs'), and 73 blocks in 14 ranges (its truth.txt).
K=$KHO_SRC/tests/vmcores/lab-kdump
KFDT=$(sed -n 's/^fdt //p' "$K/truth.txt")
got=$(pty "'$KHOWALK' --vmcore '$K/vmcore.elf' --fdt-phys $KFDT check")
expect_eq "$got" "ok: 73 blocks in 14 ranges, 49 metadata pages$CR" \
	"on a terminal, a walk of few metadata pages shows no progress"
got=$(pty "'$KHOWALK' $* --progress always check")
progress_is "$got" "" "$OKLINE$CR"
ok $? "on a terminal with --progress always: the lines, erased before the result"
got=$(pty "'$KHOWALK' $* --progress never check")
expect_eq "$got" "$OKLINE$CR" "on a terminal with --progress never: nothing"

run "$KHOWALK" "$@" --progress sometimes check
expect_eq "$rc/$err" "2/khowalk: invalid --progress 'sometimes' (auto, always or never)$(usage_hint khowalk)" \
	"--progress takes auto, always or never"
done_testing
