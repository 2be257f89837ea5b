#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Copy an ELF vmcore leaving one page out: a page "not in the dump".

usage: elf-hole.py IN OUT PHYS
       elf-hole.py IN OUT --radix-leaf ROOT

With --radix-leaf, the page is the first leaf of the kho-v2 radix tree whose
root table is at ROOT (first non-zero entry at each of the 5 table levels,
DESIGN.md §3), found by this script's own reading of the dump. Prints the
page left out. The PT_LOAD holding it is split in two around it, so the
output has one more program header; everything after the program header
table moves down by one entry (QEMU puts the table after a section header). Standard library only (Debian's /usr/bin/python3).
"""
import struct
import sys

PAGE = 4096
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD = 1


def die(msg):
    print(f"elf-hole: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) == 4:
        src, dst, arg = sys.argv[1], sys.argv[2], sys.argv[3]
        leaf_root = None
    elif len(sys.argv) == 5 and sys.argv[3] == "--radix-leaf":
        src, dst, arg = sys.argv[1], sys.argv[2], None
        leaf_root = int(sys.argv[4], 0)
    else:
        die("usage: elf-hole.py IN OUT PHYS | IN OUT --radix-leaf ROOT")
    with open(src, "rb") as f:
        data = f.read()
    eh = list(EHDR.unpack_from(data, 0))
    if eh[0][:4] != b"\x7fELF" or eh[0][4] != 2:
        die(f"'{src}' is not an ELF64 file")
    phoff, phentsize, phnum = eh[5], eh[9], eh[10]
    if phentsize != PHDR.size or phnum >= 0xffff:
        die("unexpected program header table")
    phs = [list(PHDR.unpack_from(data, phoff + i * PHDR.size)) for i in range(phnum)]

    def read64(pa):
        for p in phs:
            if p[0] == PT_LOAD and p[4] <= pa and pa + 8 <= p[4] + p[6]:
                return struct.unpack_from("<Q", data, p[2] + pa - p[4])[0]
        die(f"0x{pa:x} is not in '{src}'")

    if leaf_root is not None:
        node = leaf_root
        for level in range(5, 0, -1):
            entries = [read64(node + 8 * i) for i in range(512)]
            nz = [e for e in entries if e]
            if not nz:
                die(f"level {level} table at 0x{node:x} is empty")
            node = nz[0]
        page = node
    else:
        page = int(arg, 0)
    if page % PAGE:
        die(f"0x{page:x} is not page aligned")

    out = []
    hit = False
    for p in phs:
        ptype, flags, off, vaddr, paddr, filesz, memsz, align = p
        if ptype == PT_LOAD and paddr <= page and page + PAGE <= paddr + filesz:
            hit = True
            a = page - paddr
            if a:
                out.append([ptype, flags, off, vaddr, paddr, a, a, align])
            rest = filesz - a - PAGE
            if rest:
                out.append([ptype, flags, off + a + PAGE, vaddr + a + PAGE,
                            paddr + a + PAGE, rest, rest, align])
        else:
            out.append(p)
    if not hit:
        die(f"0x{page:x} is not in a PT_LOAD of '{src}'")
    # The table grows in place; what follows it moves down by the growth.
    end = phoff + phnum * PHDR.size
    shift = (len(out) - phnum) * PHDR.size
    eh[10] = len(out)
    if eh[6] >= end:
        eh[6] += shift
    with open(dst, "wb") as f:
        f.write(EHDR.pack(*eh))
        f.write(data[EHDR.size:phoff])
        for p in out:
            p = list(p)
            if p[2] >= end:
                p[2] += shift
            f.write(PHDR.pack(*p))
        f.write(data[end:])
    print(f"0x{page:x}")


main()
