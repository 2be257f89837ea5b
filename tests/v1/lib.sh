# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the kho-v1 tests: the shared TAP helpers of tests/cli, the two
# upstream kho-v1 fixtures, and corrupt copies of them made by vmpatch.pl.
. "$KHO_SRC/tests/cli/lib.sh"

VMPATCH=$KHO_SRC/tests/v1/vmpatch.pl
F512=$FIX/upstream-v1-512
F4096=$FIX/upstream-v1-4096

# patched NAME FIXTURE_DIR EDIT...: write $T/NAME.elf, a patched copy.
# A patch that does not apply is a failed test, never a silent no-op.
patched() {
	_name=$1
	_fix=$2
	shift 2
	if ! perl "$VMPATCH" "$_fix/vmcore.elf" "$T/$_name.elf" "$@" >/dev/null; then
		ok 1 "patch $_name applies"
		return 1
	fi
}

# ascending_subset FILE EXPECTED DESCRIPTION: FILE's blocks ascend and are
# all in EXPECTED (a corrupt map may lose blocks, never invent them).
ascending_subset() {
	if perl -e '
		my %want;
		open(my $w, "<", $ARGV[1]) or die;
		while (<$w>) { my ($p, $o) = split; $want{"$p $o"} = 1; }
		open(my $g, "<", $ARGV[0]) or die;
		my $prev = -1;
		while (<$g>) {
			my ($p, $o) = split;
			exit 1 unless $want{"$p $o"} && hex($p) > $prev;
			$prev = hex($p);
		}
		exit 0;' "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
	fi
}

# first_err: the first line of the last run's stderr
first_err() {
	printf '%s\n' "$err" | head -n 1
}
