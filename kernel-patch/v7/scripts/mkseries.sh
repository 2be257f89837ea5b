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

. "$here/../scripts/series-lib.sh"
generate_series 2026-12-06
