#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# khotrace's overhead: preserve operations per second in the lab guest
# (Debian 6.12 under QEMU TCG), kho_lab's loop of kho_preserve_folio() +
# kho_unpreserve_folio() without khotrace, with `khotrace churn` attached
# (fentry/fexit on the API, the kho_radix tracepoints; the totals kept in
# the kernel), and without again, in one boot; prints the ratio.
# Measured under QEMU TCG emulation: absolute rates are not a machine's,
# the ratio is the useful number.
#
# usage: bench/trace-overhead.sh [ITERATIONS]   (default 20000)
#   run after `make lab-prep` (or `make lab-check`); O= as for make.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${O:-$src/build}
case "$build" in /*) ;; *) build=$src/$build ;; esac
n=${1:-20000}
cfg=$build/lab/config.sh
[ -r "$cfg" ] || { echo "trace-overhead: no $cfg (make lab-prep)" >&2; exit 1; }
. "$cfg"
dir=$LAB_DIR/bench-trace
rm -rf "$dir"
mkdir -p "$dir"
/usr/bin/python3 "$src/tests/lab/qemu-run.py" --kernel "$LAB_KERNEL" \
	--initrd "$LAB_INITRD" --log "$dir/console.log" --results "$dir/out" \
	--timeout 300 --mem 256M \
	--append "console=ttyS0 quiet panic=-1 lab.mode=tracebench lab.bench=$n" exit \
	2>"$dir/err" || { cat "$dir/err" >&2; echo "trace-overhead: the guest failed" >&2; exit 1; }
tr -d '\r' <"$dir/out" | awk -v d="$dir" '
	/^@@begin / { f = d "/" $2; printf "" > f; next }
	/^@@end / { close(f); f = ""; next }
	f != "" { print >> f }'
for s in bench_base bench_traced bench_base2 bench_traced_run; do
	[ -s "$dir/$s" ] || { echo "trace-overhead: the guest sent no $s" >&2; exit 1; }
done
/usr/bin/python3 - "$dir" <<'EOF'
import json, sys
d = sys.argv[1]
def rate(name):
    w = open(f"{d}/{name}").read().split()
    return int(w[1]) / (int(w[3]) / 1e9), int(w[1])
b1, n = rate("bench_base")
t, _ = rate("bench_traced")
b2, _ = rate("bench_base2")
doc = json.load(open(f"{d}/bench_traced_run"))
base = (b1 + b2) / 2
print("khotrace overhead, measured under QEMU TCG emulation (one guest boot, "
      f"{n} kho_preserve_folio + kho_unpreserve_folio each):")
print(f"  without khotrace      {b1:12.0f} preserve ops/s")
print(f"  with khotrace churn   {t:12.0f} preserve ops/s   "
      f"({doc['counts']['key_events']} key events, lost {doc['lost']['total']})")
print(f"  without, again        {b2:12.0f} preserve ops/s")
print(f"  ratio traced/untraced {t / base:12.3f}   (slowdown x{base / t:.2f})")
EOF
