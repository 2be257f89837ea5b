#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Generate the upstream 7.x series from kernel-patch/v7, reproducibly.
#
# usage: mkseries.sh TREE OUTDIR
#
# TREE is the pristine tree made by pristine.sh (a git repository whose
# commit tagged khotools-base is Debian's linux-source-7.x). The script
# checks out khotools-base (discarding local changes to tracked files),
# commits one patch per step with a fixed identity and date, and writes
# `git format-patch --cover-letter` output to OUTDIR, replacing the *.patch
# files there. Same sources, same series, byte for byte.
#
# Sources:
#   src/     whole files the series adds (the step that adds each is below)
#   edits/   changes to files upstream already has, applied in name order to
#            the pristine file at every step. Each has a header:
#              # target: FILE
#              # since: STEP            first step it belongs to
#            and one of
#              # after: LINE / # before: LINE   insert at the one line equal
#                                               to LINE
#              # at: end                        append
#              # replace: LINE                  replace from the one line
#              # through: LINE                  equal to LINE (with the
#                                               comment block right above
#                                               it) through the first LINE
#                                               of `through:` after it
#   messages/N-STEP.txt  commit messages; 0-cover.txt the cover letter.
# In both, lines between "/* kho-series: begin STEP */" and
# "/* kho-series: end */" exist from STEP on, lines between
# "/* kho-series: until STEP */" and the end marker only before STEP ("#"
# instead of "/* */" in Kconfig and MAINTAINERS snippets). Markers never
# reach the series.
set -eu

[ $# -eq 2 ] || { echo "usage: mkseries.sh TREE OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/src
edits=$here/edits
msgs=$here/messages
tree=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)

steps="trace free range kunit"
files="
include/trace/events/kho.h trace
kernel/liveupdate/kho_radix_test.c kunit
"

rank() {
	r=0
	for s in $steps; do
		r=$((r + 1))
		[ "$s" = "$1" ] && { echo $r; return; }
	done
	echo "mkseries: unknown step '$1'" >&2
	exit 1
}

. "$here/../scripts/series-lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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

(cd "$src" && find . -type f | sed 's|^\./||' | sort) >"$tmp/have"
echo "$files" | awk 'NF { print $1 }' | sort >"$tmp/want"
if ! cmp -s "$tmp/have" "$tmp/want"; then
	echo "mkseries: kernel-patch/v7/src and the file list in mkseries.sh differ:" >&2
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
	commit_step $i "$step" 2026-12-06
done

write_series 2026-12-06 "$out"
