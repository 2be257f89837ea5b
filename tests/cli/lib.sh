# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the shell TAP tests: plan-less TAP with a final plan.
# Tests run with KHO_BUILD (the build directory) and KHO_SRC (the source tree).

: "${KHO_BUILD:?set KHO_BUILD}" "${KHO_SRC:?set KHO_SRC}"
KHOWALK=$KHO_BUILD/tools/khowalk
FIX=$KHO_SRC/tests/fixtures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# run CMD...: sets $out, $err and $rc
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# same_file A B DESCRIPTION
same_file() {
	if cmp -s "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diff "$1" "$2" | head -5 | sed 's/^/#   /'
	fi
}

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got      %s\n#   expected %s\n' "$1" "$2"
	fi
}

# usage_hint TOOL: the line that ends every usage error's message (exit 2)
usage_hint() {
	printf "\nTry '%s --help' for more information." "$1"
}

done_testing() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
