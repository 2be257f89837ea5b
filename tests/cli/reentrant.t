#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The front ends keep no state between runs (the crash extension runs them
# many times per process; tests/cli/test_rerun runs them so): no mutable
# static variable, at file scope or in a function, in the sources that
# crash/kho.c links (mk/crash.mk: tools/*.c but khotrace.c). Read-only
# tables (static const) are allowed: they carry no state.
. "$(dirname "$0")/lib.sh"

for f in "$KHO_SRC"/tools/*.c; do
	case $f in */khotrace.c) continue ;; esac
	# Declarations only: a static object, not a function (no '(' before
	# its first '=' or ';'); const only if the object itself is (a
	# "static const char *p" is a pointer that can change).
	awk '
	/^[ \t]*static[ \t]/ && !/^[ \t]*static[ \t]+inline[ \t]/ {
		decl = $0
		sub(/[=;{].*/, "", decl)
		if (decl ~ /\(/ && decl !~ /\(\*/)
			next
		tail = decl
		if (tail ~ /\*/)
			sub(/.*\*/, "", tail)
		if ((decl ~ /\*/ && tail ~ /const/) ||
		    (decl !~ /\*/ && decl ~ /^[ \t]*static[ \t]+const[ \t]/))
			next
		printf "%s:%d: %s\n", FILENAME, FNR, $0
	}' "$f" >"$T/found"
	if [ -s "$T/found" ]; then
		ok 1 "$(basename "$f"): no mutable static variables"
		sed 's/^/#   /' "$T/found"
	else
		ok 0 "$(basename "$f"): no mutable static variables"
	fi
done
done_testing
