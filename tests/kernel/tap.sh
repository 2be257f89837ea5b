# SPDX-License-Identifier: GPL-2.0-or-later
#
# TAP helpers for the kernel suites (sourced, not run): t STATUS DESCRIPTION
# prints one numbered "ok"/"not ok" line, indent turns a log into TAP
# comments, finish prints the plan and exits non-zero if any check failed.
n=0
fail=0
t() { # t STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}
indent() { sed 's/^/# /'; }
finish() {
	echo "1..$n"
	exit $fail
}
