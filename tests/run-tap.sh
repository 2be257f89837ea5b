#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run TAP producers under prove and end with one aggregated line
# "N passed, N failed" counted over every test point of every suite.
# A suite that dies or plans more tests than it ran counts as one failure.
set -u

[ $# -gt 0 ] || { echo "run-tap: no suites given" >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# --exec '' makes prove run each file itself (binaries and scripts alike).
prove --merge -v --exec '' "$@" >"$log" 2>&1
rc=$?

# Show failures and summaries, not the thousands of "ok" lines.
grep -v -E '^[[:space:]]*ok [0-9]+' "$log" | grep -v -E '^[[:space:]]*$'

passed=$(grep -c -E '^ok [0-9]+' "$log")
failed=$(grep -c -E '^not ok [0-9]+' "$log")
# Suites that failed without a "not ok" line (crash, bad plan).
bad=$(grep -E '^[^ ].* \(Wstat: [1-9]|Parse errors' "$log" | wc -l)
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=$((bad > 0 ? bad : 1))
fi
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
