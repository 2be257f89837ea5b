#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# CI's share of fuzzing (TESTING.md): every libFuzzer target replays its
# committed corpus (fuzz/corpus/<target>: seeds and every input that ever
# found a bug), then fuzzes a fixed-seed, fixed-run-count pass, which is
# deterministic: same inputs, same outcome, so CI never fails at random.
# A missing target binary is a failure, not a skip.
. "$(dirname "$0")/../cli/lib.sh"

RUNS=${FUZZ_RUNS:-4000}
FUZZ_BIN=$KHO_BUILD/fuzz
# Same bounds as mk/fuzz.mk's FUZZ_OPTS: a single allocation above 64 MiB
# or 1 GiB resident is a finding.
opts="-malloc_limit_mb=64 -rss_limit_mb=1024 -timeout=60"

maxlen() {
	case $1 in
	walk_*) echo 131080 ;;
	raw) echo 4096 ;;
	elf) echo 262144 ;;
	blob) echo 262156 ;;
	*) echo 8192 ;;
	esac
}

for dir in "$KHO_SRC"/fuzz/corpus/*/; do
	t=$(basename "$dir")
	bin=$FUZZ_BIN/$t
	if [ ! -x "$bin" ]; then
		ok 1 "$t: fuzz target built ($bin)"
		continue
	fi
	nin=$(ls "$dir" | wc -l)
	# shellcheck disable=SC2086
	"$bin" $opts -max_len="$(maxlen "$t")" -runs=0 "$dir" >"$T/$t.replay" 2>&1
	rc=$?
	ok $([ $rc -eq 0 ] && grep -q "^Done" "$T/$t.replay"; echo $?) \
		"$t: replay of $nin corpus inputs"
	[ $rc -eq 0 ] || tail -30 "$T/$t.replay" | sed 's/^/#   /'

	mkdir -p "$T/new-$t"
	# shellcheck disable=SC2086
	"$bin" $opts -max_len="$(maxlen "$t")" -seed=1 -runs="$RUNS" \
		"$T/new-$t" "$dir" >"$T/$t.fuzz" 2>&1
	rc=$?
	ok $([ $rc -eq 0 ] && grep -q "^Done $RUNS runs" "$T/$t.fuzz"; echo $?) \
		"$t: $RUNS fixed-seed runs"
	[ $rc -eq 0 ] || tail -30 "$T/$t.fuzz" | sed 's/^/#   /'
done

# Targets without a corpus would escape the replay.
for bin in "$FUZZ_BIN"/*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	t=$(basename "$bin")
	ok $([ -d "$KHO_SRC/fuzz/corpus/$t" ]; echo $?) "$t: has a corpus"
done

done_testing
