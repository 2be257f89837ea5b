#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run TAP producers under prove, one suite at a time, and end with one
# aggregated line "N passed, N failed, N skipped" (DESIGN §3a) counted over
# every test point of every suite:
#   passed   "ok" points without a directive;
#   skipped  "ok ... # SKIP" points, "not ok ... # TODO" points (known
#            gaps, which prove does not fail either), and a whole suite
#            skipped by its plan ("1..0 # SKIP ...") as one;
#   failed   "not ok" points, plus one for each suite that prove fails
#            without a failing point of its own: it crashed or was killed,
#            bailed out, ran fewer or more points than it planned, or
#            exited non-zero after passing everything.
# The exit status is 0 only if nothing failed.
set -u

[ $# -gt 0 ] || { echo "run-tap: no suites given" >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT

passed=0 failed=0 skipped=0
for suite in "$@"; do
	# --exec '' makes prove run the file itself (binaries and scripts alike).
	prove --merge -v --exec '' "$suite" >"$log" 2>&1
	rc=$?
	read -r p f s <<EOF_COUNTS
$(awk '
		/^ok / && tolower($0) ~ /^ok[^#]*#[ \t]*skip/ { s++; next }
		/^ok /                                          { p++; next }
		/^not ok / && tolower($0) ~ /^not ok[^#]*#[ \t]*todo/ { s++; next }
		/^not ok /                                      { f++; next }
		/ \.\. skipped: /                                 { s++ }
		END { print p + 0, f + 0, s + 0 }' "$log")
EOF_COUNTS
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$rc" -eq 0 ]; then
		if [ "$s" -gt 0 ]; then
			echo "$suite .. ok ($p passed, $s skipped)"
		else
			echo "$suite .. ok ($p passed)"
		fi
		continue
	fi
	# Show failures and summaries, not the thousands of "ok" lines.
	grep -v -E '^[[:space:]]*ok [0-9]+' "$log" | grep -v -E '^[[:space:]]*$'
	if [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		echo "run-tap: $suite failed with no failing test point" \
			"(crash, bail-out, bad plan or exit status): one failure"
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
