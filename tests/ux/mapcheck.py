#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Where `khowalk map` must draw a lab dump's blocks, from the ground truth.

This is a second implementation of the layout documented in khowalk(1),
MAP LAYOUT, written from the man page and sharing no code with
tools/map.c. Inputs are kho_lab's truth.txt (blocks, FDT, scratch areas)
and the extract's ELF headers: its PT_LOAD pages are the pages the reader
read (tests/vmcores/README.md), so those outside every preserved block are
the metadata pages, and its KHOTOOLS note holds the end of memory.

  mapcheck.py text TRUTH ELF W B      print the text strip the tool must print
  mapcheck.py png TRUTH ELF PNG [W]   check the rendered SVG's pixels (TAP)
"""
import struct
import sys
import zlib

PAGE = 4096
# khowalk(1), MAP LAYOUT
LEFT, TOP, ROW_H, GAP_H = 120, 48, 14, 20
SVG_MAX_LINES, TEXT_MAX_LINES = 128, 24
ORDER_COLORS = ["#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c",
                "#98df8a", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94",
                "#e377c2", "#f7b6d2", "#7f7f7f", "#bcbd22", "#dbdb8d",
                "#17becf", "#9edae5", "#393b79", "#637939", "#843c39"]
META, FDT, SCRATCH, ROW_BG, BG = "#000000", "#d62728", "#ffe119", "#e8e8e8", "#ffffff"


def order_color(o):
    return ORDER_COLORS[min(o, 19)]


def read_truth(path):
    t = {"blocks": [], "scratch": []}
    for line in open(path):
        w = line.split()
        if not w:
            continue
        if w[0] == "block":
            t["blocks"].append((int(w[1], 16), int(w[2])))
        elif w[0] == "scratch":
            t["scratch"].append((int(w[1], 16), int(w[2], 16)))
        elif w[0] == "fdt":
            t["fdt"] = int(w[1], 16)
    return t


def read_elf(path):
    """PT_LOAD pages and the KHOTOOLS note's end of memory."""
    data = open(path, "rb").read()
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    pages, phys_end = set(), 0
    for i in range(phnum):
        p_type, _, off, _, paddr, filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1:
            pages.update(range(paddr, paddr + filesz, PAGE))
        elif p_type == 4:
            pos = off
            while pos < off + filesz:
                namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
                name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0")
                desc = pos + 12 + (namesz + 3) // 4 * 4
                if name == b"KHOTOOLS" and ntype == 1:
                    phys_end, = struct.unpack_from("<Q", data, desc)
                pos = desc + (descsz + 3) // 4 * 4
    return pages, phys_end


def marks(truth, pages):
    """(start, end, kind, order) for every mark; kinds in drawing order."""
    blocks = [(p, p + (PAGE << o), "run", o) for p, o in truth["blocks"]]
    meta = [(p, p + PAGE, "meta", 0) for p in sorted(pages)
            if not any(s <= p < e for s, e, _, _ in blocks)]
    fdt = [(truth["fdt"], truth["fdt"] + PAGE, "fdt", 0)]
    scratch = [(p, p + n, "scratch", 0) for p, n in truth["scratch"]]
    return scratch + blocks + meta + fdt


def bands(ms, R, phys_end):
    """[(r0, r1, gap)]: rows with a mark drawn, other runs of rows as gaps."""
    rows = set()
    for s, e, _, _ in ms:
        rows.update(range(s // R, (e - 1) // R + 1))
    out, r, last = [], 0, max(rows) + 1
    end_row = max(last, (phys_end - 1) // R + 1 if phys_end else 0)
    while r < end_row:
        drawn = r in rows
        r1 = r
        while r1 < end_row and (r1 in rows) == drawn:
            r1 += 1
        out.append((r, r1, not drawn))
        r = r1
    return out


def lines(bs):
    return sum(1 if gap else r1 - r0 for r0, r1, gap in bs)


def auto_scale(ms, W, first, max_lines, phys_end):
    B = first
    while lines(bands(ms, W * B, phys_end)) > max_lines:
        B *= 2
    return B


def human(n):
    units = ["B", "KiB", "MiB", "GiB", "TiB"]
    u = 0
    while u + 1 < len(units) and n // (1 << (10 * u)) >= 1024:
        u += 1
    d = 1 << (10 * u)
    return "%d %s" % (n // d, units[u]) if n % d == 0 else "%.1f %s" % (n / d, units[u])


def text(truth, pages, phys_end, W, B):
    ms = marks(truth, pages)
    B = B or auto_scale(ms, W, PAGE, TEXT_MAX_LINES, phys_end)
    R = W * B
    bs = bands(ms, R, phys_end)
    digits = len("%x" % (bs[-1][1] * R - 1))
    blocks = [m for m in ms if m[2] == "run"]
    nranges = sum(1 for i, m in enumerate(blocks) if i == 0 or blocks[i - 1][1] != m[0])
    out = ["kho-v2: %d blocks in %d ranges, %s preserved, %d metadata pages" % (
        len(blocks), nranges, human(sum(e - s for s, e, _, _ in blocks)),
        sum(1 for m in ms if m[2] == "meta")),
        "one cell = %s, one line = %s" % (human(B), human(R))]
    for r0, r1, gap in bs:
        if gap:
            out.append("0x%0*x ~ %s, nothing preserved" % (digits, r0 * R, human((r1 - r0) * R)))
            continue
        for r in range(r0, r1):
            cells = []
            for c in range(W):
                cs, ce = r * R + c * B, r * R + (c + 1) * B
                kinds, pres = set(), 0
                for s, e, kind, _ in ms:
                    if s < ce and e > cs:
                        kinds.add(kind)
                        if kind == "run":
                            pres += min(e, ce) - max(s, cs)
                if "fdt" in kinds:
                    g = "F"
                elif "meta" in kinds:
                    g = "m"
                elif pres:
                    g = ":" if 3 * pres <= B else "+" if 3 * pres <= 2 * B else "#"
                elif "scratch" in kinds:
                    g = "s"
                else:
                    g = "."
                cells.append(g)
            out.append("0x%0*x |%s|" % (digits, r * R, "".join(cells)))
    out.append(". nothing  : up to 1/3 preserved  + up to 2/3  # more  "
               "m metadata  F KHO FDT  s scratch")
    return out


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and not interlace, "PNG kind"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, lambda x, y: "#%02x%02x%02x" % tuple(rows[y][x * bpp:x * bpp + 3])


def png(truth, pages, phys_end, path, W):
    ms = marks(truth, pages)
    B = auto_scale(ms, W, PAGE // 4, SVG_MAX_LINES, phys_end)
    R = W * B
    bs = bands(ms, R, phys_end)
    top, gaps, y = {}, [], TOP       # row -> y of its band's row; gap tops
    for r0, r1, gap in bs:
        if gap:
            gaps.append((r0, r1, y))
            y += GAP_H
            continue
        for r in range(r0, r1):
            top[r] = y + (r - r0) * ROW_H
        y += (r1 - r0) * ROW_H
    w, h, pixel = read_png(path)
    n, failed = 0, 0

    def check(desc, got, want):
        nonlocal n, failed
        n += 1
        if got == want:
            print("ok %d - %s" % (n, desc))
        else:
            failed += 1
            print("not ok %d - %s\n#   got %s, expected %s" % (n, desc, got, want))

    def at(a):
        """Pixel of address a: x from the column, y in the middle of the row."""
        return LEFT + (a % R) // B, top[a // R] + 7

    def covered(a):
        return any(s <= a < e for s, e, _, _ in ms)

    check("image is %d pixels wide" % (LEFT + W + 16), w, LEFT + W + 16)
    check("image is taller than its %d bands" % len(bs), h > y, True)
    want = {"meta": META, "fdt": FDT, "scratch": SCRATCH}
    for s, e, kind, o in ms:
        color = order_color(o) if kind == "run" else want[kind]
        if kind == "run" and s == truth["fdt"]:
            color = FDT          # drawn over its order-0 block
        name = "%s 0x%x-0x%x" % ("order %d block" % o if kind == "run" else kind, s, e)
        if kind == "scratch":
            # the first address of the area not under another mark
            a = next((a for a in range(s, e, PAGE) if not any(
                s2 <= a < e2 for s2, e2, k2, _ in ms if k2 != "scratch")), None)
            if a is not None:
                check(name + " at 0x%x" % a, pixel(*at(a)), color)
            continue
        check(name + ": first pixel", pixel(*at(s)), color)
        check(name + ": middle pixel", pixel(*at((s + e) // 2)), color)
        check(name + ": last pixel", pixel(*at(e - 1)), color)
        # the pixel before and after, when nothing is drawn there
        for a in (s - B, e):
            if a // R == s // R if a < s else a // R == (e - 1) // R:
                if not any(s2 < a + B and e2 > a for s2, e2, _, _ in ms):
                    check(name + ": empty row at 0x%x" % a, pixel(*at(a)), ROW_BG)
    for r0, r1, yy in gaps:
        check("gap 0x%x-0x%x is a gap band" % (r0 * R, r1 * R),
              pixel(LEFT + W - 4, yy + GAP_H // 2), BG)
    print("1..%d" % n)
    return 1 if failed else 0


def main():
    mode, truth, elf = sys.argv[1], read_truth(sys.argv[2]), sys.argv[3]
    pages, phys_end = read_elf(elf)
    if mode == "text":
        print("\n".join(text(truth, pages, phys_end, int(sys.argv[4]), int(sys.argv[5]))))
        return 0
    return png(truth, pages, phys_end, sys.argv[4],
               int(sys.argv[5]) if len(sys.argv) > 5 else 1024)


if __name__ == "__main__":
    sys.exit(main())
