#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An independent reader of KHO state in an ELF vmcore, for ground truth.

usage: kho_truth.py VMCORE [--fdt PHYS] [--kexec-count N] [--page-size N] WHAT

WHAT is one of
  fdts     every KHO FDT in the dump:
           "0xPHYS COMPATIBLE kexec_count=N totalsize=T map=0xROOT"
  fdt      the chosen FDT's bytes in hex
  pages    the preserved blocks of the chosen FDT's map, "0xPHYS ORDER",
           ascending by address
  ranges   the same coalesced, "0xSTART-0xEND BYTES"
  check    "ok: N blocks in R ranges, M metadata pages", as khowalk says
  subnodes "NAME 0xPHYS SIZE" for each sub-node of the chosen FDT
  blob NAME  the sub-node's blob bytes in hex (blob-size bytes)

The FDT is --fdt, else the one KHO FDT with the highest kexec_count (or
the one with --kexec-count N). Written from the ABI text alone
(include/linux/kho/abi/kexec_handover.h of Linux 7.2, in terms of the page
size P = 2^S: keys (1 << (64 - S - order)) | (pa >> (S + order)), tables
of P/8 physical addresses, leaves of 8*P bits, and as many table levels as
it takes to resolve the 64 - S + 1 key bits above the leaf's: 5 at 4 KiB,
4 at 16 KiB, 3 at 64 KiB) and the FDT format; it shares no code with
lib/, so the tools are compared with something else than themselves.

The page size is --page-size, else the dump's VMCOREINFO (PAGESIZE=),
else 4096 for an x86-64 dump; an arm64 dump without either is refused
(arm64 has 4, 16 and 64 KiB kernels, and a guess would walk garbage).
Written for /usr/bin/python3, standard library only.
"""
import argparse
import struct
import sys

PAGE = 4096          # set by main() from --page-size or the dump
FDT_MAGIC = 0xD00DFEED
EM_X86_64, EM_AARCH64 = 62, 183


class Dump:
    def __init__(self, path):
        self.f = open(path, "rb")
        eh = self.f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2:
            sys.exit(f"kho_truth: '{path}' is not an ELF64 file")
        self.machine, = struct.unpack_from("<H", eh, 18)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        self.loads = []
        self.vmcoreinfo = {}
        for i in range(phnum):
            self.f.seek(phoff + i * phentsize)
            p_type, _, off, _, paddr, filesz, _, _ = struct.unpack(
                "<IIQQQQQQ", self.f.read(56))
            if p_type == 1 and filesz:
                self.loads.append((paddr, filesz, off))
            elif p_type == 4 and filesz:
                self.f.seek(off)
                self.notes(self.f.read(filesz))
        self.loads.sort()

    def notes(self, buf):
        pos = 0
        while pos + 12 <= len(buf):
            namesz, descsz, _ = struct.unpack_from("<III", buf, pos)
            name = buf[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            dpos = pos + 12 + ((namesz + 3) & ~3)
            desc = buf[dpos:dpos + descsz]
            pos = dpos + ((descsz + 3) & ~3)
            if name == b"VMCOREINFO":
                for line in desc.decode(errors="replace").split("\n"):
                    k, eq, v = line.partition("=")
                    if eq:
                        self.vmcoreinfo[k] = v.rstrip("\0")

    def page_size(self, given):
        if given:
            return given
        if "PAGESIZE" in self.vmcoreinfo:
            return int(self.vmcoreinfo["PAGESIZE"])
        if self.machine == EM_X86_64:
            return 4096
        sys.exit("kho_truth: the dump has no VMCOREINFO page size and is not "
                 "x86-64: pass --page-size")

    def read(self, pa, n):
        for base, size, off in self.loads:
            if base <= pa and pa + n <= base + size:
                self.f.seek(off + pa - base)
                return self.f.read(n)
        raise KeyError(f"0x{pa:x} not in the dump")

    def pages(self):
        for base, size, _ in self.loads:
            for pa in range((base + PAGE - 1) & ~(PAGE - 1), base + size, PAGE):
                yield pa


def fdt_parse(blob):
    """Root properties and sub-nodes' properties of a flat FDT."""
    magic, total, off_struct, off_strings = struct.unpack_from(">IIII", blob)
    if magic != FDT_MAGIC:
        raise ValueError("no FDT")
    pos, depth, node = off_struct, 0, None
    root, subs = {}, {}
    while True:
        tok, = struct.unpack_from(">I", blob, pos)
        pos += 4
        if tok == 1:                       # BEGIN_NODE
            end = blob.index(b"\0", pos)
            name = blob[pos:end].decode()
            pos = (end + 4) & ~3
            depth += 1
            if depth == 2:
                node = name
                subs[node] = {}
        elif tok == 2:                     # END_NODE
            depth -= 1
        elif tok == 3:                     # PROP
            ln, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            end = blob.index(b"\0", off_strings + nameoff)
            pname = blob[off_strings + nameoff:end].decode()
            val = blob[pos:pos + ln]
            pos = (pos + ln + 3) & ~3
            if depth == 1:
                root[pname] = val
            elif depth == 2:
                subs[node][pname] = val
        elif tok == 4:                     # NOP
            continue
        elif tok == 9:                     # END
            return root, subs
        else:
            raise ValueError(f"bad FDT token {tok}")


def u64(b):
    return struct.unpack("<Q", b)[0]


def read_fdt(d, pa):
    hdr = d.read(pa, 8)
    total = struct.unpack(">I", hdr[4:8])[0]
    return fdt_parse(d.read(pa, total))


def kexec_count(d, subs):
    meta = subs.get("kexec-metadata")
    if not meta or "preserved-data" not in meta:
        return -1
    raw = d.read(u64(meta["preserved-data"]), 73)
    if struct.unpack_from("<I", raw, 0)[0] != 1:
        return -1
    return struct.unpack_from("<I", raw, 69)[0]


def find_fdts(d):
    found = []
    for pa in d.pages():
        try:
            head = d.read(pa, 4)
        except KeyError:
            continue
        if head != b"\xd0\x0d\xfe\xed":
            continue
        try:
            root, subs = read_fdt(d, pa)
        except (ValueError, KeyError, struct.error, IndexError):
            continue
        compat = root.get("compatible", b"").rstrip(b"\0").decode(errors="replace")
        if compat.startswith("kho-v"):
            found.append((pa, compat, kexec_count(d, subs), root, subs))
    return found


def fdt_bytes(d, pa):
    total = struct.unpack(">I", d.read(pa, 8)[4:8])[0]
    return d.read(pa, total)


def walk(d, root_pa):
    """Blocks and the number of tree pages, by the ABI's own arithmetic."""
    blocks, nodes = [], 0
    shift = PAGE.bit_length() - 1          # S
    order0 = 64 - shift                    # the order-0 key's order bit
    entries = PAGE // 8                    # table entries, leaf words
    table_bits = entries.bit_length() - 1
    leaf_bits = shift + 3
    top = -(-(order0 + 1 - leaf_bits) // table_bits)

    def table(pa, level, prefix):
        nonlocal nodes
        nodes += 1
        page = d.read(pa, PAGE)
        if level == 0:
            for w in range(entries):
                word, = struct.unpack_from("<Q", page, w * 8)
                while word:
                    b = (word & -word).bit_length() - 1
                    word &= word - 1
                    key = prefix | (w * 64 + b)
                    order = order0 + 1 - key.bit_length()
                    blocks.append(((key << (shift + order)) & ((1 << 64) - 1), order))
            return
        for i in range(entries):
            child, = struct.unpack_from("<Q", page, i * 8)
            if child:
                table(child, level - 1,
                      prefix | (i << (leaf_bits + table_bits * (level - 1))))

    table(root_pa, top, 0)
    blocks.sort()
    return blocks, nodes


def coalesce(blocks):
    out = []
    for pa, order in blocks:
        end = pa + (PAGE << order)
        if out and out[-1][1] == pa:
            out[-1][1] = end
        else:
            out.append([pa, end])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmcore")
    ap.add_argument("--fdt", type=lambda s: int(s, 0))
    ap.add_argument("--kexec-count", type=int)
    ap.add_argument("--page-size", type=int)
    ap.add_argument("what")
    ap.add_argument("name", nargs="?")
    a = ap.parse_args()
    d = Dump(a.vmcore)
    global PAGE
    PAGE = d.page_size(a.page_size)
    if PAGE not in (4096, 16384, 65536):
        sys.exit(f"kho_truth: page size {PAGE} is not 4, 16 or 64 KiB")

    if a.what == "fdts":
        for pa, compat, kc, root, _ in find_fdts(d):
            total = len(fdt_bytes(d, pa))
            print(f"0x{pa:x} {compat} kexec_count={kc} totalsize={total} "
                  f"map=0x{u64(root['preserved-memory-map']):x}")
        return
    fdt_pa = a.fdt
    if a.fdt is not None:
        root, subs = read_fdt(d, a.fdt)
    else:
        fdts = find_fdts(d)
        if a.kexec_count is not None:
            fdts = [f for f in fdts if f[2] == a.kexec_count]
        else:
            top = max((f[2] for f in fdts), default=-1)
            fdts = [f for f in fdts if f[2] == top]
        if len(fdts) != 1:
            sys.exit(f"kho_truth: {len(fdts)} matching KHO FDTs")
        fdt_pa, _, _, root, subs = fdts[0]
    if a.what == "fdt":
        print(fdt_bytes(d, fdt_pa).hex())
        return
    if a.what == "subnodes":
        for name, props in subs.items():
            pa = u64(props["preserved-data"]) if "preserved-data" in props else 0
            size = u64(props["blob-size"]) if "blob-size" in props else 0
            print(f"{name} 0x{pa:x} {size}")
        return
    if a.what == "blob":
        props = subs[a.name]
        print(d.read(u64(props["preserved-data"]), u64(props["blob-size"])).hex())
        return
    blocks, nodes = walk(d, u64(root["preserved-memory-map"]))
    if a.what == "pages":
        for pa, order in blocks:
            print(f"0x{pa:x} {order}")
    elif a.what == "ranges":
        for s, e in coalesce(blocks):
            print(f"0x{s:x}-0x{e:x} {e - s}")
    elif a.what == "check":
        print(f"ok: {len(blocks)} blocks in {len(coalesce(blocks))} ranges, "
              f"{nodes} metadata pages")
    else:
        sys.exit(f"kho_truth: unknown '{a.what}'")


if __name__ == "__main__":
    main()
