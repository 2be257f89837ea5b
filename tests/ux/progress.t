#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The progress line (issue 11): never on a stderr that is not a terminal;
# on a terminal (script(1) gives one) only for a slow walk, or always with
# --progress always, erased before the result is printed.
. "$KHO_SRC/tests/cli/lib.sh"

F=$FIX/upstream-v2
set -- --vmcore "$F/vmcore.elf" --fdt-phys "$(cat "$F/fdt_phys.txt")"
OKLINE="ok: 2486 blocks in 1514 ranges, 731 metadata pages"
# The one progress line comes after the delivery during which the 256th
# metadata page was read: 767 blocks, all those ending at or below
# 0x5217c8000 (khowalk pages agrees). check takes bitmap spans (issue 10),
# so that delivery is a leaf's span, not a single run.
ESC=$(printf '\033')
CR=$(printf '\r')

for p in "" "--progress auto" "--progress always" "--progress never"; do
	# shellcheck disable=SC2086
	"$KHOWALK" "$@" $p check >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$p" = "--progress always" ]; then
		expect_eq "$rc/$(cat "$T/out")" "0/$OKLINE" "$p: the result"
		expect_eq "$(cat "$T/err")" "${CR}khowalk: 256 metadata pages, 767 blocks (1.4 GiB), at 0x5217c8000$ESC[K$CR$ESC[K" \
			"$p: shown on a file too, and erased"
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
got=$(pty "'$KHOWALK' $* check")
expect_eq "$got" "$OKLINE$CR" "on a terminal, a quick walk shows no progress"
got=$(pty "'$KHOWALK' $* --progress always check")
expect_eq "$got" "${CR}khowalk: 256 metadata pages, 767 blocks (1.4 GiB), at 0x5217c8000$ESC[K$CR$ESC[K$OKLINE$CR" \
	"on a terminal with --progress always: one line, erased before the result"
got=$(pty "'$KHOWALK' $* --progress never check")
expect_eq "$got" "$OKLINE$CR" "on a terminal with --progress never: nothing"

run "$KHOWALK" "$@" --progress sometimes check
expect_eq "$rc/$err" "2/khowalk: invalid --progress 'sometimes' (auto, always or never)$(usage_hint khowalk)" \
	"--progress takes auto, always or never"
done_testing
