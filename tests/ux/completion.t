#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion (completion/): registered, and a few completions exactly,
# with the built tools first in PATH (the scripts read their --help).
. "$KHO_SRC/tests/cli/lib.sh"

if ! command -v bash >/dev/null; then
	ok 1 "bash is installed"
	done_testing
	exit
fi
mkdir -p "$T/dbg/out" "$T/dbg2"
: >"$T/a.svg"
: >"$T/b.txt"

# complete LINE...: COMPREPLY for the last word of LINE, sorted, one line.
complete_line() {
	PATH="$KHO_BUILD/tools:$PATH" bash -c '
		. "$1/completion/khowalk"; . "$1/completion/khodump"
		shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		fn=$(complete -p "$1" | sed "s/.*-F \([^ ]*\) .*/\1/")
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"
	' sh "$KHO_SRC" "$@"
}

got=$(bash -c '. "$1/completion/khowalk"; . "$1/completion/khodump"; complete -p khowalk khodump' sh "$KHO_SRC")
expect_eq "$got" "complete -F _khowalk khowalk
complete -F _khodump khodump" "both tools have a completion function"

cmds=$("$KHO_BUILD/tools/khowalk" --help | sed -n '/^usage:/,/^$/p' |
	sed -n 's/.*\[OPTIONS\] \[*\([a-z|]*\).*/\1/p' | tr '|' '\n' | sort -u | tr '\n' ' ')
missing=
for c in pages ranges stats check map key; do
	case " $cmds " in *" $c "*) ;; *) missing="$missing $c" ;; esac
done
expect_eq "$missing" "" "the usage lines name the commands: $cmds"
expect_eq "$(complete_line khowalk '')" "${cmds% }" "khowalk <TAB>: the commands"
expect_eq "$(complete_line khowalk --vmcore x.elf r)" "ranges" "a command after an option and its argument"
expect_eq "$(complete_line khowalk key '')" "decode encode" "khowalk key <TAB>"
expect_eq "$(complete_line khowalk --vm)" "--vmcore --vmlinux" "long options from --help"
expect_eq "$(complete_line khowalk map --s)" "--scale --scan --scan-limit --svg --symbols --system-map" \
	"map's options too"
expect_eq "$(complete_line khowalk --kc)" "--kcore=" "an optional argument completes with '='"
expect_eq "$(complete_line khowalk --progress '')" "always auto never" "--progress <TAB>"
expect_eq "$(complete_line khowalk map --color = al)" "always" "--color=al<TAB>"
expect_eq "$(complete_line khowalk --format '')" "radix v1" "--format <TAB>"
expect_eq "$(complete_line khowalk --debugfs "$T/db")" "$T/dbg $T/dbg2" "--debugfs completes directories"
expect_eq "$(complete_line khowalk map --svg "$T/")" "$T/a.svg $T/dbg/ $T/dbg2/" "--svg completes .svg files and directories"
expect_eq "$(complete_line khodump --ext)" "--extract" "khodump options from its --help"
expect_eq "$(complete_line khodump --extract "$T/b")" "$T/b.txt" "khodump --extract completes files"
: >"$T/m.ko"
expect_eq "$(complete_line khodump --vmcore x.elf pre)" "preflight" "khodump's subcommand"
expect_eq "$(complete_line khodump preflight --tar)" "--target" "preflight's options from --help"
expect_eq "$(complete_line khodump preflight --target "$T/b")" "$T/b.txt" "--target completes files"
expect_eq "$(complete_line khodump preflight --module "$T/")" "$T/dbg/ $T/dbg2/ $T/m.ko" \
	"--module completes .ko files and directories"
done_testing
