# SPDX-License-Identifier: GPL-2.0
#
# What both series generators share (sourced by kernel-patch/scripts/
# mkseries.sh and kernel-patch/v7/scripts/mkseries.sh, in the tree being
# committed, with $tmp and $msgs set): committing one step, and writing
# the series with its cover letter. DAY is the series' fixed date, so the
# same sources give the same patches byte for byte.

# commit_step I STEP DAY: stage the tree, refuse a marker left in it, and
# commit with messages/I-STEP.txt, dated DAY at 10:0I.
commit_step() {
	git add -A
	# shellcheck disable=SC2046
	if grep -rn 'kho-series:' $(git diff --cached --name-only) >&2; then
		echo "mkseries: marker left in step $2" >&2
		exit 1
	fi
	msg=$msgs/$1-$2.txt
	[ -r "$msg" ] || { echo "mkseries: missing $msg" >&2; exit 1; }
	sed '/^# SPDX-License-Identifier:/d' "$msg" >"$tmp/msg"
	GIT_AUTHOR_DATE="${3}T10:0$1:00Z" \
	GIT_COMMITTER_DATE="${3}T10:0$1:00Z" \
		git commit -q --cleanup=verbatim -F "$tmp/msg"
}

# write_series DAY OUT: git format-patch of khotools-base..HEAD, the cover
# letter filled in from messages/0-cover.txt (subject, then body), into
# OUT in place of its *.patch files.
write_series() {
	mkdir "$tmp/out"
	GIT_COMMITTER_DATE="${1}T10:00:00Z" \
		git format-patch -q --cover-letter --zero-commit --no-signature \
		--subject-prefix=PATCH -o "$tmp/out" khotools-base..HEAD

	cover=$(ls "$tmp"/out/0000-*.patch)
	sed '/^# SPDX-License-Identifier:/d' "$msgs/0-cover.txt" >"$tmp/cover"
	subject=$(head -n 1 "$tmp/cover")
	tail -n +3 "$tmp/cover" >"$tmp/blurb"
	awk -v subject="$subject" -v blurb="$tmp/blurb" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		while ((getline l < blurb) > 0)
			print l
		next
	}
	{ print }' "$cover" >"$tmp/cover.new"
	mv "$tmp/cover.new" "$cover"

	rm -f "$2"/*.patch
	cp "$tmp"/out/*.patch "$2"/
}
