# SPDX-License-Identifier: GPL-2.0-or-later
#
# dump_walks NAME DIR [FILE...] (sourced after tests/lab/tap.sh, with
# $KHOWALK and a scratch $T): the committed dump DIR/vmcore.elf, with no
# hint, gives `khowalk --scan pages` and `check` equal to DIR's
# expected-pages.txt and expected-check.txt (kho_truth.py's). DIR must hold
# those, fdts.txt and each FILE. Shared by upstream.t and arm64.t.
dump_walks() {
	name=$1 d=$2
	shift 2
	for f in vmcore.elf expected-pages.txt expected-check.txt fdts.txt "$@"; do
		[ -s "$d/$f" ] || bail "no $d/$f"
	done
	for c in pages check; do
		"$KHOWALK" --vmcore "$d/vmcore.elf" --scan $c >"$T/$c" 2>"$T/$c.err"
		expect_eq "$?/$(cat "$T/$c.err")" "0/" "$name: khowalk --scan $c exits 0, no stderr"
	done
	same_file "$T/pages" "$d/expected-pages.txt" "$name: khowalk --scan pages ($(wc -l <"$d/expected-pages.txt") blocks)"
	same_file "$T/check" "$d/expected-check.txt" "$name: khowalk --scan check"
}
