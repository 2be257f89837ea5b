# SPDX-License-Identifier: GPL-2.0
#
# The series generator both kernel-patch/scripts/mkseries.sh (6.12) and
# kernel-patch/v7/scripts/mkseries.sh (upstream 7.x) run (sourced), once
# they have set, from their arguments and their own sources:
#   tree   the pristine git tree (tag khotools-base)   out    OUTDIR
#   src    whole files the series adds                 edits  *.in snippets
#   msgs   messages/N-STEP.txt, 0-cover.txt            steps  step names
#   files  "PATH STEP" lines: the whole files and the step that adds each
# then call generate_series DAY. Marker syntax and snippet headers are in
# the v7 script's header. Same sources and DAY, same series, byte for byte.
# Both pristine.sh scripts take commit_pristine from here.


# commit_pristine TREE MESSAGE: make the extracted kernel source TREE a git
# repository of one commit, MESSAGE, tagged khotools-base: what both
# series are generated from and applied to (the pristine.sh scripts).
commit_pristine() {
	(
		cd "$1" || exit 1
		# Debian's top-level .gitignore ignores everything ("/*",
		# "!/debian/"), which would make "git add -A" add nothing.
		sed -i -e '/^\/\*$/d' -e '/^!\/debian\/$/d' .gitignore
		git init -q
		# A background "gc --auto" would pack ~90k objects during a build.
		git config gc.auto 0
		git config user.name "khotools"
		git config user.email "khotools@localhost"
		git add -A
		GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
			git commit -q -m "$2"
		git tag khotools-base
	)
}

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

rank() {
	r=0
	for s in $steps; do
		r=$((r + 1))
		[ "$s" = "$1" ] && { echo $r; return; }
	done
	echo "mkseries: unknown step '$1'" >&2
	exit 1
}

# filter RANK FILE: the file as of step RANK, without marker lines.
filter() {
	awk -v k="$1" -v ranks="$ranks" -v f="$2" '
	BEGIN {
		n = split(ranks, a, " ")
		for (i = 1; i <= n; i++) {
			split(a[i], kv, "=")
			rank[kv[1]] = kv[2]
		}
	}
	/kho-series:/ {
		if (match($0, /^[ \t]*(\/\*|#) kho-series: (begin|until) [a-z]+( \*\/)?$/)) {
			s = $0
			kind = ($0 ~ /begin/) ? "b" : "u"
			sub(/^.*(begin|until) /, "", s)
			sub(/ .*$/, "", s)
			if (!(s in rank)) {
				printf "mkseries: %s:%d: unknown step %s\n", f, NR, s > "/dev/stderr"
				exit 1
			}
			depth++
			stack[depth] = rank[s]
			kinds[depth] = kind
			next
		}
		if (match($0, /^[ \t]*(\/\*|#) kho-series: end( \*\/)?$/) && depth) {
			depth--
			next
		}
		printf "mkseries: %s:%d: bad marker\n", f, NR > "/dev/stderr"
		exit 1
	}
	{
		for (i = 1; i <= depth; i++) {
			if (kinds[i] == "b" && stack[i] > k)
				next
			if (kinds[i] == "u" && stack[i] <= k)
				next
		}
		print
	}
	END {
		if (depth) {
			printf "mkseries: %s: unterminated marker\n", f > "/dev/stderr"
			exit 1
		}
	}' "$2"
}

header() {
	sed -n "s/^# $1: //p" "$2" | head -n 1
}

body() {
	sed -e '/^# SPDX-License-Identifier:/d' -e '/^# target: /d' \
		-e '/^# before: /d' -e '/^# after: /d' -e '/^# at: /d' \
		-e '/^# since: /d' -e '/^# replace: /d' -e '/^# through: /d' "$1"
}

# apply EDIT SNIPPET TARGET > NEW: one edit, its anchors matched exactly.
apply() {
	awk -v before="$(header before "$1")" -v after="$(header after "$1")" \
	    -v at="$(header at "$1")" -v from="$(header replace "$1")" \
	    -v through="$(header through "$1")" -v snip="$2" -v name="$1" '
	function put(  l) {
		while ((getline l < snip) > 0)
			print l
		close(snip)
		done = 1
	}
	function fail(msg) {
		printf "mkseries: %s: %s\n", name, msg > "/dev/stderr"
		bad = 1
		exit 1
	}
	{ line[NR] = $0 }
	END {
		if (bad)
			exit 1
		anchor = from != "" ? from : before != "" ? before : after
		hits = 0
		for (i = 1; i <= NR; i++)
			if (anchor != "" && line[i] == anchor) {
				hits++
				at_line = i
			}
		if (anchor != "" && hits != 1)
			fail("anchor found " hits " times: " anchor)
		if (from != "") {
			first = at_line
			# The comment block right above the function goes too.
			if (first > 1 && line[first - 1] ~ /^ \*\/$/) {
				while (first > 1 && line[first] !~ /^\/\*/)
					first--
			}
			last = 0
			for (i = at_line; i <= NR; i++)
				if (line[i] == through) {
					last = i
					break
				}
			if (!last)
				fail("no \"" through "\" after the anchor")
		}
		for (i = 1; i <= NR; i++) {
			if (from != "" && i == first)
				put()
			if (from != "" && i >= first && i <= last)
				continue
			if (before != "" && i == at_line)
				put()
			print line[i]
			if (after != "" && i == at_line)
				put()
		}
		if (at == "end")
			put()
		if (!done)
			fail("nothing placed")
	}' "$3"
}

# generate_series DAY: check out khotools-base in $tree, commit one patch
# per step dated DAY, and write the series to $out.
generate_series() {
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT

	# Nothing from the user's or the system's git configuration may change
	# the output (diff prefixes, signatures, signoff, ...).
	mkdir "$tmp/home"
	export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home" GIT_CONFIG_NOSYSTEM=1
	export TZ=UTC LC_ALL=C
	export GIT_AUTHOR_NAME="Khotools Developers"
	export GIT_AUTHOR_EMAIL="dev@khotools.example"
	export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
	export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"

	ranks=""
	for s in $steps; do
		ranks="$ranks $s=$(rank "$s")"
	done

	(cd "$src" && find . -type f ! -path './insert/*' | sed 's|^\./||' | sort) \
		>"$tmp/have"
	echo "$files" | awk 'NF { print $1 }' | sort >"$tmp/want"
	if ! cmp -s "$tmp/have" "$tmp/want"; then
		echo "mkseries: $src and the file list in mkseries.sh differ:" >&2
		diff "$tmp/want" "$tmp/have" >&2 || true
		exit 1
	fi

	cd "$tree"
	git rev-parse -q --verify khotools-base >/dev/null || {
		echo "mkseries: $tree has no khotools-base tag (run pristine.sh)" >&2
		exit 1
	}
	git -c advice.detachedHead=false checkout -q -f --detach khotools-base
	git clean -fdq

	targets=$(for s in "$edits"/*.in; do header target "$s"; done | sort -u)

	i=0
	for step in $steps; do
		i=$((i + 1))
		echo "$files" | while read -r f since; do
			[ -n "$f" ] || continue
			[ "$(rank "$since")" -le $i ] || continue
			mkdir -p "$(dirname "$f")"
			filter $i "$src/$f" >"$f"
		done
		for t in $targets; do
			git show "khotools-base:$t" >"$tmp/target"
			for s in "$edits"/*.in; do
				[ "$(header target "$s")" = "$t" ] || continue
				[ "$(rank "$(header since "$s")")" -le $i ] || continue
				body "$s" >"$tmp/snippet.raw"
				filter $i "$tmp/snippet.raw" >"$tmp/snippet"
				apply "$s" "$tmp/snippet" "$tmp/target" >"$tmp/target.new"
				mv "$tmp/target.new" "$tmp/target"
			done
			cp "$tmp/target" "$t"
		done
		commit_step $i "$step" "$1"
	done

	write_series "$1" "$out"
}
