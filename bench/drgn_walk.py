#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Walk a kho-v2 radix tree in a vmcore with drgn: the baseline of bench/.

usage: drgn_walk.py ranges|stats|check VMCORE ROOT_PHYS

This is the script an engineer writes today to answer "what is preserved?"
from a dump (it needs Debian's python3-drgn, so run it with /usr/bin/python3).
It is meant to be a fair baseline, not a straw man:

  * memory is read through drgn's C core, one prog.read(pa, 4096,
    physical=True) per tree page (drgn maps the ELF's PT_LOADs itself);
  * each page is split into 512 little-endian words by struct.unpack (C);
    empty words cost one comparison, and set bits are found with integer
    bit tricks (w & -w, bit_length), not by testing 64 positions;
  * it does what khowalk does with the answer: ranges merge the per-order
    streams (each already ascending) with heapq.merge and coalesce; check
    rejects unaligned pointers, pages reached twice (cycles, shared
    subtrees), top-level entries beyond the key width, and overlapping
    blocks; stats counts blocks per order, nodes per level and ranges.

It does not print per-page problems the way khowalk does, and stops at the
first unreadable page, which only makes it cheaper.
"""
import heapq
import struct
import sys

import drgn

PAGE_SHIFT = 12
PAGE = 1 << PAGE_SHIFT
LEVELS = 5                      # tables 5..1, leaves are level 0
ORDER0 = 64 - PAGE_SHIFT        # 52
WORDS = struct.Struct("<512Q")
MASK64 = (1 << 64) - 1


def walk(prog, root):
    """Return per-order lists of coalesced [start, end) runs, and node counts."""
    runs = {}                   # order -> list of [start, end]
    nodes = [0] * (LEVELS + 1)
    seen = set()
    problems = []

    def visit(pa, level, prefix):
        if pa & (PAGE - 1):
            problems.append("unaligned pointer 0x%x at level %d" % (pa, level))
            return
        if pa in seen:
            problems.append("page 0x%x reached twice" % pa)
            return
        seen.add(pa)
        nodes[level] += 1
        words = WORDS.unpack(prog.read(pa, PAGE, True))
        if level:
            shift = PAGE_SHIFT + 3 + 9 * (level - 1)
            for i, child in enumerate(words):
                if not child:
                    continue
                if level == LEVELS and i > (1 << (ORDER0 + 1 - shift)) - 1:
                    problems.append("root entry %d beyond the key width" % i)
                    continue
                visit(child, level - 1, prefix | i << shift)
            return
        for i, w in enumerate(words):
            base = prefix | i << 6
            while w:
                low = w & -w
                key = base | (low.bit_length() - 1)
                w ^= low
                if not key:
                    problems.append("key 0 set")
                    continue
                order = ORDER0 + 1 - key.bit_length()
                pa_blk = (key << (PAGE_SHIFT + order)) & MASK64
                end = pa_blk + (PAGE << order)
                lst = runs.setdefault(order, [])
                if lst and lst[-1][1] == pa_blk:
                    lst[-1][1] = end
                else:
                    lst.append([pa_blk, end])

    visit(root, LEVELS, 0)
    return runs, nodes, problems


def merged_ranges(runs):
    """Coalesce the per-order streams into ascending ranges; count overlaps."""
    out = []
    overlaps = 0
    for start, end in heapq.merge(*runs.values()):
        if out and start < out[-1][1]:
            overlaps += 1
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out, overlaps


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("ranges", "stats", "check"):
        sys.exit(__doc__.splitlines()[2])
    cmd, path, root = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    prog = drgn.Program()
    prog.set_core_dump(path)
    runs, nodes, problems = walk(prog, root)
    ranges, overlaps = merged_ranges(runs)
    blocks = {o: 0 for o in runs}
    for o, lst in runs.items():
        blocks[o] = sum(e - s for s, e in lst) >> (PAGE_SHIFT + o)
    nblocks = sum(blocks.values())
    out = sys.stdout
    if cmd == "ranges":
        out.write("".join("0x%x-0x%x %d\n" % (s, e, e - s) for s, e in ranges))
    elif cmd == "stats":
        out.write("blocks: %d in %d ranges\n" % (nblocks, len(ranges)))
        for o in sorted(blocks):
            out.write("order %d: %d\n" % (o, blocks[o]))
        for level in range(LEVELS, -1, -1):
            out.write("level %d: %d\n" % (level, nodes[level]))
    else:
        if problems or overlaps:
            out.write("corrupt: %s\n" % (problems[0] if problems else
                                        "%d overlaps" % overlaps))
            sys.exit(3)
        out.write("ok: %d blocks in %d ranges, %d metadata pages\n"
                  % (nblocks, len(ranges), sum(nodes)))


if __name__ == "__main__":
    main()
