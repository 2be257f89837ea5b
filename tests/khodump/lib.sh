# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by tests/khodump/*.t: the TAP helpers of tests/cli plus our tools.
. "$KHO_SRC/tests/cli/lib.sh"
KHODUMP=$KHO_BUILD/tools/khodump
MK=$KHO_BUILD/tests/khodump/mkkhodump
KDFCMP=$KHO_BUILD/tests/khodump/kdfcmp
D=$KHO_SRC/tests/khodump

# info KEY: a value from mkkhodump --info "$T/info"
info() {
	awk -v k="$1" '$1 == k { print $2 }' "$T/info"
}

# same_text GOT-STRING EXPECTED-FILE DESCRIPTION
same_text() {
	printf '%s\n' "$1" >"$T/got"
	same_file "$T/got" "$2" "$3"
}
