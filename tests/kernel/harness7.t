#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The userspace harness of the 7.x series (kernel-patch/v7/harness): the
# radix tree section of upstream's kernel/liveupdate/kexec_handover.c,
# extracted from the pristine tree and from it with kernel-patch/v7/series
# applied, each compiled unmodified over shims, under ASan and UBSan, with
# -Wall -Wextra and the project's warnings: none allowed; cppcheck clean.
# Then the harness's own TAP (kernel-patch/v7/harness/harness7.c) at 4, 16
# and 64 KiB pages, renumbered here.
# The pristine tree is $KERNEL7_CACHE/linux-source-7 (default
# build/kernel7, as kernel7-check.t), made from the linux-source-7.x
# package in $LAB_CACHE (`make kernel7-pristine` fetches it). Fails
# closed: no tree, no extract or no build is "not ok", never a skip.
set -u
src=${KHO_SRC:-$(pwd)}
build=${KHO_BUILD:-$src/build}
cache=${KERNEL7_CACHE:-$src/build/kernel7}
lab=${LAB_CACHE:-/var/cache/khotools/lab}
. "$src/tests/kernel/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A make of its own: not a child of the make that runs the suites.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" --no-print-directory O="$build" SAN=1 \
		KERNEL7_CACHE="$cache" LAB_CACHE="$lab" "$@"
}

# Extracted afresh: the stamp does not know when the tree changes.
rm -f "$build/kernel-patch/v7/harness/src/extract.stamp"
if mk kernel7-harness-src >"$tmp/src.log" 2>&1; then
	t 0 "radix tree section of kexec_handover.c extracted, pristine ($(wc -l <"$build/kernel-patch/v7/harness/src/pristine/radix.c") lines) and patched ($(wc -l <"$build/kernel-patch/v7/harness/src/patched/radix.c") lines)"
else
	indent <"$tmp/src.log"
	t 1 "radix tree section of kexec_handover.c extracted from the pristine tree in $cache (make kernel7-pristine makes it)"
	finish
fi

if mk kernel7-harness >"$tmp/build.log" 2>&1; then
	t 0 "both builds of the section, the harness and bench/radix7.c compile under ASan/UBSan"
else
	tail -n 40 "$tmp/build.log" | indent
	t 1 "both builds of the section and the harness compile under ASan/UBSan"
	finish
fi
if grep -E '^[^ ]+:[0-9]+:([0-9]+:)? warning:' "$tmp/build.log" | indent | grep .; then
	t 1 "no compiler warning (-Wall -Wextra and the project's)"
else
	t 0 "no compiler warning (-Wall -Wextra and the project's)"
fi

# cppcheck as mk/analyze.mk runs it, over our files and the included extracts.
h=$src/kernel-patch
x=$build/kernel-patch/v7/harness/src
if ! command -v cppcheck >/dev/null 2>&1; then
	t 1 "cppcheck clean (cppcheck missing: scripts/install-deps.sh analyze)"
else
	: >"$tmp/cppcheck.log"
	for v in pristine patched; do
		p=0
		[ $v = patched ] && p=1
		cppcheck --enable=warning,portability --error-exitcode=1 --inline-suppr \
			--std=c11 --quiet -D_GNU_SOURCE -D__GNUC__ -DH7_PATCHED=$p \
			-I"$h/v7/harness/shim" -I"$h/harness/shim" -I"$h/harness" \
			-I"$h/v7/harness" -I"$x/$v/include" -I"$x/$v" \
			"$h/v7/harness/variant.c" "$h/v7/harness/page7.c" \
			"$h/v7/harness/harness7.c" "$src/bench/radix7.c" \
			>>"$tmp/cppcheck.log" 2>&1 ||
			echo "cppcheck failed on the $v build" >>"$tmp/cppcheck.log"
	done
	if [ -s "$tmp/cppcheck.log" ]; then
		indent <"$tmp/cppcheck.log"
		t 1 "cppcheck clean (kernel-patch/v7/harness, both builds)"
	else
		t 0 "cppcheck clean (kernel-patch/v7/harness, both builds)"
	fi
fi

# The harness at 4, 16 and 64 KiB pages, its checks renumbered here.
for ps in 4:san/harness7 16:san/ps14/harness7 64:san/ps16/harness7; do
	kib=${ps%%:*}
	"$build/kernel-patch/v7/harness/${ps#*:}" >"$tmp/h.tap" 2>"$tmp/h.err"
	rc=$?
	out=$(awk -v n="$n" -v p="[$kib KiB] " '
		/^ok [0-9]+ - / { sub(/^ok [0-9]+ - /, "ok " ++n " - " p); print; next }
		/^not ok [0-9]+ - / { sub(/^not ok [0-9]+ - /, "not ok " ++n " - " p); print; next }
		/^1\.\.[0-9]+$/ { next }
		{ print }' "$tmp/h.tap")
	echo "$out"
	got=$(echo "$out" | grep -cE '^(not )?ok [0-9]+ ')
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tmp/h.tap")
	n=$((n + got))
	echo "$out" | grep -q '^not ok ' && fail=1
	indent <"$tmp/h.err"
	if [ "$rc" = 0 ] && [ -n "$planned" ] && [ "$planned" = "$got" ]; then
		t 0 "[$kib KiB] harness7 exits 0 having run all $got of its checks"
	else
		t 1 "[$kib KiB] harness7 exits 0 having run all its checks (exit $rc, $got run, plan '${planned:-none}')"
	fi
done
finish
