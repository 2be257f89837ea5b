#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/run-tap.sh judged on suites whose outcome is known: the tally line
# counts skips as skipped, and a suite that crashes, bails out, breaks its
# plan or exits non-zero after passing everything counts as one failure
# (DESIGN §3a), never as a pass.
. "$KHO_SRC/tests/cli/lib.sh"

RUNTAP=$KHO_SRC/tests/run-tap.sh

# suite NAME BODY: an executable TAP producer $T/NAME.t running BODY
suite() {
	printf '#!/bin/sh\n%s\n' "$2" >"$T/$1.t"
	chmod +x "$T/$1.t"
}
suite pass 'echo "ok 1 - a"; echo "ok 2 - b"; echo 1..2'
suite skips 'echo "ok 1 - a"; echo "ok 2 - b # SKIP no input"; echo "ok 3 - # skip c"; echo "not ok 4 - d # TODO later"; echo 1..4'
suite skipall 'echo "1..0 # SKIP nothing to test here"'
suite fail 'echo "ok 1 - a"; echo "not ok 2 - b"; echo "not ok 3 - c"; echo 1..3; exit 1'
suite crash 'echo "ok 1 - a"; echo "ok 2 - b"; kill -SEGV $$'
suite abort 'echo 1..2; echo "ok 1 - a"; kill -ABRT $$'
suite bail 'echo "ok 1 - a"; echo "Bail out! the input is missing"; exit 1'
suite shortplan 'echo 1..3; echo "ok 1 - a"'
suite badexit 'echo "ok 1 - a"; echo 1..1; exit 3'

# tally SUITE...: the last line of run-tap.sh and its exit status
tally() {
	(cd "$T" && "$RUNTAP" $(printf "./%s " "$@")) >"$T/log" 2>&1
	echo "$(tail -n 1 "$T/log")/$?"
}

expect_eq "$(tally pass.t)" "2 passed, 0 failed, 0 skipped/0" "a passing suite"
expect_eq "$(tally skips.t)" "1 passed, 0 failed, 3 skipped/0" \
	"SKIP and TODO points are skipped, not passed"
expect_eq "$(tally skipall.t)" "0 passed, 0 failed, 1 skipped/0" "a suite skipped by its plan is one skip"
expect_eq "$(tally fail.t)" "1 passed, 2 failed, 0 skipped/1" "failing points are counted"
expect_eq "$(tally crash.t)" "2 passed, 1 failed, 0 skipped/1" "a suite killed by SIGSEGV is one failure"
expect_eq "$(tally abort.t)" "1 passed, 1 failed, 0 skipped/1" "a suite that aborts is one failure"
expect_eq "$(tally bail.t)" "1 passed, 1 failed, 0 skipped/1" "a bailed-out suite is one failure"
expect_eq "$(tally shortplan.t)" "1 passed, 1 failed, 0 skipped/1" "fewer points than planned is one failure"
expect_eq "$(tally badexit.t)" "1 passed, 1 failed, 0 skipped/1" "a non-zero exit after passing is one failure"
tally crash.t >/dev/null
grep -q "^run-tap: ./crash.t failed with no failing test point" "$T/log"
ok $? "the crashed suite is named"
expect_eq "$(tally pass.t crash.t bail.t skips.t fail.t)" "7 passed, 4 failed, 3 skipped/1" \
	"every suite runs and counts, after a crash and a bail-out too"
expect_eq "$(tally missing.t)" "0 passed, 1 failed, 0 skipped/1" "a suite that cannot run is one failure"
run "$RUNTAP"
expect_eq "$rc:$err" "2:run-tap: no suites given" "no suites is a usage error"
done_testing
