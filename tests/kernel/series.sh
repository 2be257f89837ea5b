# SPDX-License-Identifier: GPL-2.0-or-later
#
# The checks every kernel series gets (sourced by kernel-check.t and
# kernel7-check.t after tap.sh, with $tmp set): it regenerates from its
# sources byte for byte, applies with git am to the pristine tree, and is
# checkpatch --strict clean.

# series_regenerates KP TREE SOURCES TARGET: the committed KP/series is
# what KP/scripts/mkseries.sh makes from TREE (SOURCES names them in the
# result; TARGET is the make target that regenerates).
series_regenerates() {
	if "$1/scripts/mkseries.sh" "$2" "$tmp/series" >"$tmp/mk.log" 2>&1 &&
		diff -r "$1/series" "$tmp/series" >"$tmp/diff" 2>&1; then
		t 0 "series regenerates identically from $3"
	else
		indent <"$tmp/mk.log"
		head -40 "$tmp/diff" 2>/dev/null | indent
		echo "# run: make $4"
		t 1 "series regenerates identically from $3"
	fi
}

# series_applies KP TREE NAME: in TREE (the shell stays there), the
# pristine commit checked out and KP/series applied with git am; sets
# $patches. A series that does not apply ends the suite.
series_applies() {
	patches=$(ls "$1"/series/0*.patch 2>/dev/null | grep -v '/0000-cover-letter.patch$')
	cd "$2" || finish
	export GIT_COMMITTER_NAME="khotools" GIT_COMMITTER_EMAIL="khotools@localhost"
	git -c advice.detachedHead=false checkout -q -f --detach khotools-base &&
		git clean -fdq
	# shellcheck disable=SC2086
	if [ -n "$patches" ] && git am -q $patches >"$tmp/am.log" 2>&1; then
		t 0 "git am applies the $(echo "$patches" | wc -l) patches to $3"
	else
		indent <"$tmp/am.log"
		git am --abort >/dev/null 2>&1
		t 1 "git am applies the series to $3"
		finish
	fi
}

# series_checkpatch: checkpatch.pl --strict over $patches, in the tree
# (its spdxcheck needs Debian's python3 with ply and git).
series_checkpatch() {
	# shellcheck disable=SC2086
	PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict $patches \
		>"$tmp/cp.log" 2>&1
	rc=$?
	bad=$(grep '^total:' "$tmp/cp.log" | grep -vc '^total: 0 errors, 0 warnings, 0 checks')
	if [ $rc = 0 ] && [ "$bad" = 0 ] && ! grep -q Traceback "$tmp/cp.log"; then
		t 0 "checkpatch --strict clean ($(grep -c '^total: 0 errors, 0 warnings, 0 checks' "$tmp/cp.log") patches)"
	else
		grep -v '^$' "$tmp/cp.log" | head -60 | indent
		t 1 "checkpatch --strict clean"
	fi
}
