#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The khotools benchmarks (`make bench`): reader vs drgn vs the floor,
instruction counts, and the two C benchmarks' tables (kernel radix tree,
metadata cost). Every ratio is computed from measurements of this run.

usage: bench.py --build DIR [--work DIR] [--quick] [--only reader|kernel|meta|owners|scan]
                [--scan-size SIZE]

Run with /usr/bin/python3: the drgn baseline needs Debian's python3-drgn.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

SRC = os.path.dirname(os.path.abspath(__file__))
GiB = 1 << 30

# (workload, layout, sizes); the tree of each is written once.
TREES = [
    ("dense", "contiguous", ["1G", "16G", "256G", "1T"]),
    ("random", "contiguous", ["1G", "16G", "256G", "1T"]),
    ("mixed", "contiguous", ["1G", "16G", "256G", "1T"]),
    ("1g", "contiguous", ["1G", "16G", "256G", "1T"]),
    ("random", "scattered", ["1T"]),
]
QUICK_TREES = [
    ("dense", "contiguous", ["1G", "16G"]),
    ("random", "contiguous", ["1G", "16G"]),
    ("mixed", "contiguous", ["1G", "16G"]),
    ("1g", "contiguous", ["1G", "16G"]),
    ("random", "scattered", ["16G"]),
]
CMDS = ["ranges", "stats", "check"]
# Above this, extrapolate drgn. The mixed 1 TiB tree (1.52 M blocks, ~6 s
# in drgn) is below it: its cost is its 54k tree pages, not its blocks, so
# a fit in blocks from 1 and 4 GiB says nothing about it (it once came out
# negative).
DRGN_MAX_BLOCKS = 2_000_000
DRGN_FIT = ["1G", "4G"]         # the sizes drgn is measured at to extrapolate


def table_header(*cols):
    """Print a markdown table's header and rule."""
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))


def size_bytes(s):
    return int(s[:-1]) << {"G": 30, "T": 40}[s[-1]]


class Bench:
    def __init__(self, args):
        self.build = os.path.abspath(args.build)
        self.work = os.path.abspath(args.work or os.path.join(self.build, "bench", "data"))
        self.quick = args.quick
        self.khowalk = os.path.join(self.build, "tools", "khowalk")
        self.gen = os.path.join(self.build, "bench", "mkbenchtree")
        self.floor = os.path.join(self.build, "bench", "floor")
        os.makedirs(self.work, exist_ok=True)
        self.facts = {}

    # ---- helpers ----
    def tree(self, workload, layout, size):
        name = "%s-%s-%s" % (workload, layout, size)
        path = os.path.join(self.work, name + ".elf")
        if name not in self.facts:
            out = subprocess.run([self.gen, "-w", workload, "-s", size, "-l", layout,
                                  "-o", path], check=True, capture_output=True,
                                 text=True).stdout
            self.facts[name] = dict(kv.split("=", 1) for kv in out.split())
        return path, self.facts[name]

    def timed(self, argv, env=None, reps=3, verify=None):
        """Best wall time of @reps runs (one if it takes over 2 s) and peak RSS (KiB).

        With @verify, the first run's output is kept and passed to it; it
        returns None or what is wrong, and a wrong answer stops the bench:
        a reader is timed only while it gives the right answer."""
        best, rss = None, 0
        for i in range(reps):
            keep = verify is not None and i == 0
            out = open(os.path.join(self.work, "answer"), "w+") if keep else subprocess.DEVNULL
            t0 = time.perf_counter()
            p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, env=env,
                               stdout=out, stderr=subprocess.PIPE, text=True)
            dt = time.perf_counter() - t0
            if p.returncode:
                sys.exit("bench: %s failed (%d): %s" % (" ".join(argv), p.returncode,
                                                       p.stderr.strip()))
            if keep:
                out.seek(0)
                wrong = verify(out.read())
                out.close()
                if wrong:
                    sys.exit("bench: %s: %s" % (" ".join(argv), wrong))
            rss = max(rss, int(p.stderr.strip().splitlines()[-1]))
            best = dt if best is None else min(best, dt)
            if dt > 2:
                break
        return best, rss

    def callgrind(self, argv, env=None):
        out = os.path.join(self.work, "callgrind.out")
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
                           + argv, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        m = re.search(r"refs:\s+([\d,]+)", p.stderr)
        if p.returncode or not m:
            sys.exit("bench: callgrind of %s failed: %s" % (" ".join(argv), p.stderr[-500:]))
        os.unlink(out)
        return int(m.group(1).replace(",", ""))

    def khowalk_argv(self, path, facts, cmd):
        return [self.khowalk, "--vmcore", path, "--root", facts["root"], cmd]

    def verify(self, path, facts):
        """Every reader must give the generator's answer before it is timed."""
        out = subprocess.run(self.khowalk_argv(path, facts, "check"), capture_output=True,
                             text=True).stdout.strip()
        want = "ok: %s blocks in %s ranges, %s metadata pages" % (
            facts["blocks"], facts["ranges"], facts["nodes"])
        if out != want:
            sys.exit("bench: khowalk says %r, generator %r" % (out, want))
        if facts["orders"].count(":") == 1:
            out = subprocess.run([self.floor, "scan", path, facts["root"]],
                                 capture_output=True, text=True).stdout
            if "blocks=%s ranges=%s " % (facts["blocks"], facts["ranges"]) not in out:
                sys.exit("bench: floor says %r for %s" % (out, path))

    @staticmethod
    def drgn_verifier(cmd, facts):
        """What drgn_walk.py must print for @cmd on a tree with @facts."""
        def check(out):
            if cmd == "check":
                want = "ok: %s blocks in %s ranges, %s metadata pages\n" % (
                    facts["blocks"], facts["ranges"], facts["nodes"])
                return None if out == want else "says %r, generator %r" % (out, want)
            if cmd == "stats":
                want = "blocks: %s in %s ranges\n" % (facts["blocks"], facts["ranges"])
                return None if out.startswith(want) else "says %r, generator %r" % (
                    out.splitlines()[0] if out else "", want)
            n = out.count("\n")
            return None if n == int(facts["ranges"]) else "%d ranges, generator %s" % (
                n, facts["ranges"])
        return check

    def drgn(self, cmd, path, facts):
        """drgn's best of 3, like every other reader, its answer verified."""
        argv = ["/usr/bin/python3", os.path.join(SRC, "drgn_walk.py"), cmd, path, facts["root"]]
        return self.timed(argv, verify=self.drgn_verifier(cmd, facts))[0]

    def drgn_estimate(self, workload, layout, cmd, facts):
        """drgn time for a tree: measured, or a linear fit in blocks over DRGN_FIT."""
        nblocks = int(facts["blocks"])
        if nblocks <= DRGN_MAX_BLOCKS:
            path, f = self.tree(workload, layout, facts["_size"])
            return self.drgn(cmd, path, f), False
        pts = []
        for s in DRGN_FIT:
            p, f = self.tree(workload, "contiguous", s)
            pts.append((int(f["blocks"]), self.drgn_cached(cmd, p, f)))
        (n1, t1), (n2, t2) = pts
        slope = (t2 - t1) / (n2 - n1)
        if slope <= 0:
            # Noise larger than the work between the points: scale the
            # larger point instead, which can only underestimate drgn.
            slope = t2 / n2
        return t2 + slope * (nblocks - n2), True

    _drgn_cache = {}

    def drgn_cached(self, cmd, path, facts):
        key = (cmd, path)
        if key not in self._drgn_cache:
            # Best of 3 like every measured point; a fit's noise is multiplied.
            self._drgn_cache[key] = self.drgn(cmd, path, facts)
        return self._drgn_cache[key]

    # ---- the reader table ----
    def reader(self):
        trees = QUICK_TREES if self.quick else TREES
        print("## Reader: khowalk vs drgn vs the floor (wall seconds, best of 3; "
              "'~' = drgn extrapolated linearly in blocks from its %s runs)" % " and ".join(DRGN_FIT))
        print()
        table_header("tree", "blocks", "ranges", "tree pages", "cmd", "khowalk s", "floor s",
                     "drgn s", "vs drgn", "vs floor", "khowalk RSS MiB")
        summary = []
        for workload, layout, sizes in trees:
            for size in sizes:
                path, facts = self.tree(workload, layout, size)
                facts["_size"] = size
                self.verify(path, facts)
                name = "%s %s%s" % (workload, size, " scattered(%s PT_LOADs)" % facts["loads"]
                                    if layout == "scattered" else "")
                for cmd in CMDS:
                    tk, rss = self.timed(self.khowalk_argv(path, facts, cmd))
                    # The floor reads every tree page and counts bits (no
                    # validation, no merge): what no correct reader can beat.
                    tf, _ = self.timed([self.floor, "ranges" if cmd == "ranges" else "scan",
                                        path, facts["root"]])
                    td, extrap = self.drgn_estimate(workload, layout, cmd, facts)
                    print("| %s | %s | %s | %s | %s | %.3f | %.3f | %s%.2f | %.0fx | %.2fx | %.1f |" % (
                        name, facts["blocks"], facts["ranges"], facts["nodes"], cmd, tk, tf,
                        "~" if extrap else "", td, td / tk, tk / tf, rss / 1024))
                    sys.stdout.flush()
                    if size == "1T" and workload == "random":
                        summary.append((name, cmd, tk, tf, td, extrap))
        print()
        return summary

    def instructions(self):
        size = "16G" if not self.quick else "1G"
        print("## Instruction counts (valgrind --tool=callgrind; repeatable), %s trees" % size)
        print()
        print("| tree | cmd | khowalk instr | floor instr | ratio | khowalk instr/block |")
        print("|---|---|---|---|---|---|")
        for workload in ["dense", "random", "mixed", "1g"]:
            path, facts = self.tree(workload, "contiguous", size)
            for cmd in ["stats", "check"]:
                ik = self.callgrind(self.khowalk_argv(path, facts, cmd))
                ifl = self.callgrind([self.floor, "scan", path, facts["root"]])
                print("| %s %s | %s | %d | %d | %.2fx | %.1f |" % (
                    workload, size, cmd, ik, ifl, ik / ifl, ik / int(facts["blocks"])))
                sys.stdout.flush()
        print()

    def owners(self):
        """khowalk owners against khowalk check on the same tree, in this run.

        The synthetic trees carry no FDT, so no blob claims anything: every
        block is unattributed, which is the case that costs most (all of
        the map goes through the owners' merge and its range counter). The
        goal is at most 2x check."""
        size = "16G" if self.quick else "1T"
        print("## khowalk owners vs check (wall s, best of 3), %s trees" % size)
        print()
        print("| tree | blocks | ranges | check s | owners s | owners/check | owners RSS MiB |")
        print("|---|---|---|---|---|---|---|")
        worst = 0
        for workload, layout in [("random", "contiguous"), ("random", "scattered"),
                                 ("dense", "contiguous"), ("mixed", "contiguous"),
                                 ("1g", "contiguous")]:
            path, facts = self.tree(workload, layout, size)
            argv = [self.khowalk, "--vmcore", path, "--root", facts["root"]]
            want = "total: %s blocks; 0 attributed (0 bytes, 0 partly); %s unattributed (%s bytes) in %s ranges" % (
                facts["blocks"], facts["blocks"], facts["preserved"], facts["ranges"])

            def verify(out, want=want):
                return None if want in out.splitlines() else "owners says %r, generator %r" % (
                    [l for l in out.splitlines() if l.startswith("total:")], want)
            tc, _ = self.timed(argv + ["check"])
            to, rss = self.timed(argv + ["owners"], verify=verify)
            worst = max(worst, to / tc)
            print("| %s %s %s | %s | %s | %.3f | %.3f | %.2fx | %.1f |" % (
                workload, size, layout, facts["blocks"], facts["ranges"], tc, to, to / tc,
                rss / 1024))
            sys.stdout.flush()
        print()
        print("- owners within 2x check on every tree: %s (worst %.2fx)" % (
            "met" if worst <= 2 else "NOT met", worst))
        # diff walks both maps at once and hands every block of the old one
        # to the merge: linear in blocks, bounded memory (no time goal).
        path, facts = self.tree("random", "contiguous", size)
        want = "blocks: 0 added (0 bytes in 0 ranges), 0 removed (0 bytes in 0 ranges)"
        td, rss = self.timed([self.khowalk, "--root", facts["root"], "diff", path, path], reps=1,
                             verify=lambda out: None if want in out.splitlines() else
                             "diff says %r" % out.splitlines()[-1:])
        print("- diff of the random %s tree against itself (%s blocks each): %.1f s, %.1f MiB" % (
            size, facts["blocks"], td, rss / 1024))
        print()

    def backends(self):
        print("## ELF backend: lib/mem_elf.c vs libkdumpfile (khowalk check, wall s, best of 3)")
        print()
        print("| tree | tree pages | PT_LOADs | mem_elf s | libkdumpfile s | speedup | "
              "mem_elf instr | libkdumpfile instr |")
        print("|---|---|---|---|---|---|---|---|")
        env = dict(os.environ, KHOTOOLS_ELF_BACKEND="libkdumpfile")
        for workload, layout, size in [("1g", "contiguous", "1T"), ("mixed", "contiguous", "16G"),
                                       ("random", "contiguous", "16G"),
                                       ("random", "scattered", "16G" if self.quick else "1T"),
                                       ("random", "contiguous", "16G" if self.quick else "1T")]:
            path, facts = self.tree(workload, layout, size)
            argv = self.khowalk_argv(path, facts, "check")
            t1, _ = self.timed(argv)
            t2, _ = self.timed(argv, env=env)
            i1 = i2 = "-"
            if int(facts["blocks"]) < 20_000_000:
                i1, i2 = self.callgrind(argv), self.callgrind(argv, env=env)
            print("| %s %s %s | %s | %s | %.3f | %.3f | %.2fx | %s | %s |" % (
                workload, size, layout, facts["nodes"], facts["loads"], t1, t2, t2 / t1, i1, i2))
            sys.stdout.flush()
        print()


# ---- khodump --scan against reading the dump ----
#
# The dump is memory of SIZE with realistic content (tests/gen's `ram`:
# text, slab objects, page tables, incompressible data; no zero pages, no
# holes) and a kho-v4 map with 20000 blocks in it. ELF: every page dumped,
# as QEMU's dump-guest-memory writes it. kdump: zlib pages with a quarter
# of memory left out in 2 MiB runs, as makedumpfile -d 31 writes it.
SCAN_SPEC = """compatible kho-v4
vmcoreinfo on
ram 0 %s %d
random 20000 0-3 0x50000000 0x80000000
subnode bench
"""


def drop_caches():
    """Empty the page cache; False where this process may not."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def mem_available():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def cached_share(path):
    """The share of @path in the page cache (fincore from util-linux)."""
    try:
        out = subprocess.run(["fincore", "-b", "-n", "-o", "RES,SIZE", path],
                             capture_output=True, text=True, check=True).stdout.split()
        return int(out[0]) / max(int(out[1]), 1)
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        return None


def scan_bench(b, size, formats):
    """Alternate the floor and `khodump --scan` three times, first read
    and cached, and print the medians, their ratio and peak RSS."""
    gen = os.path.join(b.build, "tests", "gen", "mkkhoimg")
    khodump = os.path.join(b.build, "tools", "khodump")
    floor = os.path.join(b.build, "bench", "readfloor")
    print("## khodump --scan vs reading the dump (%s of memory; wall s, median of 3 "
          "alternating runs; first read = page cache dropped before every run)" % size)
    print()
    can_drop = drop_caches()
    if not can_drop:
        print("first read: SKIPPED, cannot drop the page cache "
              "(writing /proc/sys/vm/drop_caches needs root)")
        print()
    table_header("dump", "file GiB", "floor", "first read: floor s", "scan s", "scan/floor",
                 "cached: floor s", "scan s", "scan/floor", "scan peak RSS MiB")
    results = []
    for kind, exclude, floor_cmd in [("elf", 0, "read"), ("kdump", 25, "kdump")]:
        if kind not in formats:
            continue
        path = os.path.join(b.work, "scan-%s.%s" % (size, kind))
        spec = path + ".spec"
        try:
            with open(spec, "w") as f:
                f.write(SCAN_SPEC % (size, exclude))
            subprocess.run([gen, "--" + kind, path, "--info", path + ".info", spec],
                           check=True)
            info = dict(l.split(": ", 1) for l in open(path + ".info").read().splitlines()
                        if ": " in l)
            want = "located:     --scan: %s, the only KHO FDT found" % info["fdt_phys"]
            out = subprocess.run([khodump, "--vmcore", path, "--scan"], capture_output=True,
                                 text=True)
            if out.returncode or want not in out.stdout.splitlines():
                sys.exit("bench: khodump --scan on %s: exit %d, %r" % (
                    path, out.returncode, out.stdout.splitlines()[1:2]))
            fl = subprocess.run([floor, floor_cmd, path], check=True, capture_output=True,
                                text=True).stdout.split()[0]
            fsize = os.path.getsize(path)
            floor_argv = [floor, floor_cmd, path]
            scan_argv = [khodump, "--vmcore", path, "--scan"]
            row = {"first": None, "cached": None}
            rss = 0
            for mode in ("first", "cached"):
                if mode == "first" and not can_drop:
                    continue
                if mode == "cached":
                    if fsize > 0.8 * mem_available():
                        print("cached: SKIPPED for %s, %.1f GiB does not fit in the page "
                              "cache" % (kind, fsize / GiB))
                        continue
                    b.timed(floor_argv, reps=1)     # warm the cache
                    share = cached_share(path)
                    if share is not None and share < 0.95:
                        print("cached: SKIPPED for %s, only %.0f%% of its %.1f GiB stays in "
                              "the page cache (memory taken by other work)" % (
                                  kind, 100 * share, fsize / GiB))
                        continue
                tf, ts = [], []
                for _ in range(3):
                    for argv, acc in ((floor_argv, tf), (scan_argv, ts)):
                        if mode == "first":
                            drop_caches()
                        t, r = b.timed(argv, reps=1)
                        acc.append(t)
                        if argv is scan_argv:
                            rss = max(rss, r)
                row[mode] = (statistics.median(tf), statistics.median(ts))

            def cells(m):
                if not row[m]:
                    return "- | - | -"
                f_, s_ = row[m]
                return "%.2f | %.2f | %.2fx" % (f_, s_, s_ / f_)
            print("| %s | %.2f | %s (%s) | %s | %s | %.1f |" % (
                kind, fsize / GiB, floor_cmd, fl, cells("first"), cells("cached"),
                rss / 1024))
            sys.stdout.flush()
            results.append((kind, row))
        finally:
            for ext in ("", ".spec", ".info"):
                if os.path.exists(path + ext):
                    os.unlink(path + ext)
    print()
    for kind, row in results:
        for mode in ("first", "cached"):
            if row[mode]:
                r = row[mode][1] / row[mode][0]
                print("- %s %s: scan %.2fx the floor (%s)" % (
                    kind, "first read" if mode == "first" else "cached", r,
                    "met" if r <= 1.5 else "NOT met"))
    print()


def run_c(argv):
    sys.stdout.flush()
    subprocess.run(argv, check=True)
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--work")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["reader", "kernel", "meta", "owners", "scan"])
    ap.add_argument("--scan-size", default="4G",
                    help="memory size of the dumps the scan bench writes and reads")
    ap.add_argument("--scan-formats", default="elf,kdump",
                    help="which dumps the scan bench writes: elf, kdump or both")
    args = ap.parse_args()
    b = Bench(args)
    t0 = time.time()
    uname = os.uname()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "?")
    print("# khotools benchmarks, %s, %s %s, %s x %d CPUs, load %.2f at start" % (
        time.strftime("%Y-%m-%d %H:%M %Z"), uname.sysname, uname.release, cpu,
        os.cpu_count(), os.getloadavg()[0]))
    print()
    if args.only in (None, "reader"):
        summary = b.reader()
        b.instructions()
        b.backends()
        if summary:
            print("## Goals on the 1 TiB random case (>= 1000x drgn, <= 2x the floor)")
            print()
            for name, cmd, tk, tf, td, extrap in summary:
                print("- %s %s: %.0fx drgn%s (%s), %.2fx the floor (%s)" % (
                    name, cmd, td / tk, " (extrapolated)" if extrap else "",
                    "met" if td / tk >= 1000 else "NOT met",
                    tk / tf, "met" if tk / tf <= 2 else "NOT met"))
            print()
    if args.only in (None, "owners"):
        b.owners()
    if args.only in (None, "kernel"):
        run_c([os.path.join(b.build, "bench", "kbench")] + (["--quick"] if args.quick else []))
    if args.only in (None, "meta"):
        run_c([os.path.join(b.build, "bench", "metacost")])
    if args.only in (None, "scan"):
        scan_bench(b, args.scan_size, args.scan_formats.split(","))
    print("# done in %.0f s, load %.2f at the end" % (time.time() - t0, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
