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

# kunit_report LOG CASE_RE SUITE PREFIX RC WHAT: one line per KUnit case
# kunit.py logged in LOG (case names matching the sed pattern CASE_RE,
# reported as SUITE.case), then whether WHAT (RC its status) succeeded;
# PREFIX starts every description. No case in the log is "not ok" and
# returns 1, so the caller can stop there.
kunit_report() {
	cases=$(sed -n "s/.*\[\(PASSED\|FAILED\|SKIPPED\|CRASHED\)\] \($2\)\$/\1 \2/p" "$1")
	if [ -z "$cases" ]; then
		tail -40 "$1" | indent
		t 1 "${4}KUnit suite $3 ran (kunit.py exit $5)"
		return 1
	fi
	while read -r verdict name; do
		if [ "$verdict" = PASSED ]; then
			t 0 "${4}kunit: $3.$name"
		else
			t 1 "${4}kunit: $3.$name $verdict"
		fi
	done <<KUNIT_CASES
$cases
KUNIT_CASES
	grep -E 'Testing complete|Elapsed time' "$1" | indent
	if [ "$5" = 0 ]; then
		t 0 "${4}$6"
	else
		grep -E 'EXPECTATION FAILED|ASSERTION FAILED|Expected|error:' "$1" | head -20 | indent
		t 1 "${4}$6 (got $5)"
	fi
}
