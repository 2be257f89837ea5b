#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every manual page lints clean with mandoc (warnings count as failures).
: "${KHO_SRC:?set KHO_SRC}"
n=0
fail=0
for page in "$KHO_SRC"/man/*.[0-9]; do
	n=$((n + 1))
	if command -v mandoc >/dev/null && out=$(mandoc -Tlint -W warning "$page" 2>&1) && [ -z "$out" ]; then
		echo "ok $n - $(basename "$page") lints clean"
	else
		echo "not ok $n - $(basename "$page") lints clean"
		echo "$out" | sed 's/^/#   /'
		fail=1
	fi
done
echo "1..$n"
exit $fail
