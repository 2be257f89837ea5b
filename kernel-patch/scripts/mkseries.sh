#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Generate the patch series from kernel-patch/src, reproducibly.
#
# usage: mkseries.sh TREE OUTDIR
#
# TREE is the pristine kernel tree made by pristine.sh (a git repository
# whose commit tagged khotools-base is Debian's linux-source-6.12). The
# script checks out khotools-base (discarding local changes to tracked
# files), commits one patch per step below with a fixed identity and date,
# and writes `git format-patch --cover-letter` output to OUTDIR, replacing
# the *.patch files there. Same sources, same series, byte for byte.
#
# kernel-patch/src holds the final version of every file. Lines between
#   /* kho-series: begin STEP */ ... /* kho-series: end */
# (or "# kho-series: ..." in Kconfig, Makefile and MAINTAINERS snippets)
# belong to STEP and later patches; the marker lines themselves never reach
# the series. src/insert/*.in are snippets for files the kernel already
# has: a header names the target file, where the snippet goes (a line it
# goes "before:" or "after:", or "at: end") and the first step ("since:").
set -eu

[ $# -eq 2 ] || { echo "usage: mkseries.sh TREE OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/src
msgs=$here/messages
tree=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)

# Steps in patch order; each has messages/N-STEP.txt.
steps="tree kunit trace range trim"
# Whole files and the step that adds them.
files="
include/linux/kho/abi/radix_tree.h tree
include/linux/kho_radix_tree.h tree
lib/kho_radix_tree.c tree
lib/kho_radix_tree_kunit.c kunit
include/trace/events/kho_radix.h trace
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

. "$here/scripts/series-lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Nothing from the user's or the system's git configuration may change the
# output (diff prefixes, signatures, signoff, ...).
mkdir "$tmp/home"
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home" GIT_CONFIG_NOSYSTEM=1
export TZ=UTC LC_ALL=C
export GIT_AUTHOR_NAME="Khotools Developers"
export GIT_AUTHOR_EMAIL="dev@khotools.example"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"

# The rank of every step name, for awk.
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
		if (match($0, /^[ \t]*(\/\*|#) kho-series: begin [a-z]+( \*\/)?$/)) {
			s = $0
			sub(/^.*begin /, "", s)
			sub(/ .*$/, "", s)
			if (!(s in rank)) {
				printf "mkseries: %s:%d: unknown step %s\n", f, NR, s > "/dev/stderr"
				exit 1
			}
			stack[++depth] = rank[s]
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
		for (i = 1; i <= depth; i++)
			if (stack[i] > k)
				next
		print
	}
	END {
		if (depth) {
			printf "mkseries: %s: unterminated marker\n", f > "/dev/stderr"
			exit 1
		}
	}' "$2"
}

# header FIELD SNIPPET: value of "# FIELD: value" in the snippet header.
header() {
	sed -n "s/^# $1: //p" "$2" | head -n 1
}

# body SNIPPET: the snippet without its header lines.
body() {
	sed -e '/^# SPDX-License-Identifier:/d' -e '/^# target: /d' \
		-e '/^# before: /d' -e '/^# after: /d' -e '/^# at: /d' \
		-e '/^# since: /d' "$1"
}

# Every source file must be known, or it would silently miss the series.
(cd "$src" && find . -type f ! -path './insert/*' | sed 's|^\./||' | sort) \
	>"$tmp/have"
echo "$files" | awk 'NF { print $1 }' | sort >"$tmp/want"
if ! cmp -s "$tmp/have" "$tmp/want"; then
	echo "mkseries: kernel-patch/src and the file list in mkseries.sh differ:" >&2
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

targets=$(for s in "$src"/insert/*.in; do header target "$s"; done | sort -u)

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
		for s in "$src"/insert/*.in; do
			[ "$(header target "$s")" = "$t" ] || continue
			[ "$(rank "$(header since "$s")")" -le $i ] || continue
			body "$s" >"$tmp/snippet.raw"
			filter $i "$tmp/snippet.raw" >"$tmp/snippet"
			before=$(header before "$s")
			after=$(header after "$s")
			at=$(header at "$s")
			awk -v before="$before" -v after="$after" -v at="$at" \
			    -v snip="$tmp/snippet" -v name="$s" '
			function put(  l) {
				while ((getline l < snip) > 0)
					print l
				close(snip)
				done = 1
			}
			!done && before != "" && $0 == before { put() }
			{ print }
			!done && after != "" && $0 == after { put() }
			END {
				if (!done && at == "end")
					put()
				if (!done) {
					printf "mkseries: %s: anchor not found\n", name > "/dev/stderr"
					exit 1
				}
			}' "$tmp/target" >"$tmp/target.new"
			mv "$tmp/target.new" "$tmp/target"
		done
		cp "$tmp/target" "$t"
	done
	commit_step $i "$step" 2026-11-22
done

write_series 2026-11-22 "$out"
