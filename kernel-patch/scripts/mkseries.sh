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
# goes "before:" or "after:", which must occur exactly once, or "at: end")
# and the first step ("since:"). The generator itself is
# kernel-patch/scripts/series-lib.sh, shared with the 7.x series.
set -eu

[ $# -eq 2 ] || { echo "usage: mkseries.sh TREE OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/src
edits=$src/insert
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

. "$here/scripts/series-lib.sh"
generate_series 2026-11-22
