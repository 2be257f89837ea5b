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
  owners   every preserved block with what holds it, as
           "khowalk owners --blocks" prints it (see owners() below)
  labrefs  the blocks kho_lab7's private blobs ("kho_lab", "kho_lab_raw")
           point to, "0xPHYS ORDER" sorted: a test-only reader of the lab
           module's own format, which the tools do not know

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


# ---- owners: who holds each preserved block --------------------------------
#
# From the ABI headers of Linux 7.2 (include/linux/kho/abi/): luo.h (the raw
# "LUO" blob is struct luo_ser { char compatible[8]; u64 liveupdate_num;
# u64 sessions_pa; u64 flbs_pa; }, sessions of 80 bytes { char name[64];
# u64 files; u64 count; } and files of 64 bytes { char compatible[48];
# u64 data; u64 token; } in linked blocks, an FLB header { u64 pgcnt;
# u64 count; }), block.h (one page per block: { u64 next; u64 count; } and
# the entries), memfd.h (memfd-v2: 48-byte memfd_luo_ser, struct
# kho_vmalloc folios at offset 32, records { u64 pfn:52, flags:12;
# u64 index; }), kexec_handover.h (struct kho_vmalloc { u64 first;
# u32 total_pages; u16 flags; u16 order; }, chunks { u64 next;
# u64 phys[511]; }) and lib/test_kho.c ("kho-test-v1": /data folios_info,
# a kho_vmalloc array of nr_folios "phys | order"). Every structure
# claims the bytes it occupies; a block goes to the deepest owner whose
# claim touches it, "partial" when that owner's line of claims does not
# cover it all.

class Owners:
    def __init__(self, d, blocks):
        self.d, self.claims = d, []
        self.order_at = {pa: o for pa, o in blocks}

    def claim(self, path, start, length, detail=None):
        self.claims.append((start, start + length, path, detail))

    def vmalloc(self, path, desc):
        first, total, _flags, order = struct.unpack_from("<QIHH", desc)
        want = (total + (1 << order) - 1) >> order
        out, chunk = [], first
        while chunk and len(out) < want:
            page = self.d.read(chunk, PAGE)
            self.claim(path + ("chunks",), chunk, PAGE)
            for i in range(511):
                pa = u64(page[8 + 8 * i:16 + 8 * i])
                if not pa or len(out) == want:
                    break
                out.append(pa)
            chunk = u64(page[:8])
        for pa in out:
            self.claim(path + ("data",), pa, PAGE << order)
        return out, order

    def vread(self, blocks, order, n):
        size = PAGE << order
        return b"".join(self.d.read(pa, size) for pa in blocks)[:n]

    def chain(self, path, head, entry):
        out, pa = [], head
        while pa:
            page = self.d.read(pa, PAGE)
            self.claim(path, pa, PAGE)
            count = u64(page[8:16])
            out += [page[16 + i * entry:16 + (i + 1) * entry] for i in range(count)]
            pa = u64(page[:8])
        return out

    def luo(self, blob, pa):
        top = (f'blob "LUO"', "luo_ser")
        self.claim(top, pa, 32)
        if blob[:8].rstrip(b"\0") != b"luo-v5":
            return
        sessions, flbs = u64(blob[16:24]), u64(blob[24:32])
        if flbs:
            pgcnt = u64(self.d.read(flbs, 8))
            self.claim(top + ("FLB",), flbs, pgcnt * PAGE)
        for s in self.chain(top + ("session blocks",), sessions, 80):
            name = s[:64].split(b"\0")[0].decode()
            sp = top + (f'session "{name}"',)
            for f in self.chain(sp + ("file blocks",), u64(s[64:72]), 64):
                compat = f[:48].split(b"\0")[0].decode()
                data, token = u64(f[48:56]), u64(f[56:64])
                if compat != "memfd-v2":
                    continue
                mp = sp + (f'file 0x{token:x} "{compat}"', "memfd_luo_ser")
                ser = self.d.read(data, 48)
                self.claim(mp, data, 48)
                nr = u64(ser[24:32])
                if not nr:
                    continue
                arr, order = self.vmalloc(mp + ("folio array",), ser[32:48])
                recs = self.vread(arr, order, nr * 16)
                for i in range(nr):
                    w, index = struct.unpack_from("<QQ", recs, 16 * i)
                    phys = (w & ((1 << 52) - 1)) * PAGE
                    if phys:
                        o = self.order_at.get(phys, 0)
                        self.claim(mp + ("folios",), phys, PAGE << o,
                                   index * PAGE)

    def kho_test(self, blob):
        top = ('blob "kho_test"',)
        _, subs = fdt_parse(blob)
        data = subs["data"]
        nr = struct.unpack("<I", data["nr_folios"])[0]
        arr, order = self.vmalloc(top + ("folios_info",), data["folios_info"])
        raw = self.vread(arr, order, nr * 8)
        for i in range(nr):
            e = u64(raw[8 * i:8 * i + 8])
            self.claim(top + ("folios",), e & ~(PAGE - 1), PAGE << (e & (PAGE - 1)))

    def attribute(self, blocks):
        lines = []
        for pa, order in blocks:
            end = pa + (PAGE << order)
            touch = [c for c in self.claims if c[0] < end and c[1] > pa]
            if not touch:
                lines.append(f"0x{pa:x} {order} unattributed")
                continue
            best = max(touch, key=lambda c: len(c[2]))
            line = [c for c in touch if best[2][:len(c[2])] == c[2]]
            at = pa
            for s, e, _, _ in sorted(line):
                if s <= at < e:
                    at = e
            text = f"0x{pa:x} {order} " + " / ".join(best[2])
            if at < end:
                text += " partial"
            if best[3] is not None:
                text += f" offset 0x{best[3]:x}"
            lines.append(text)
        return lines


def labrefs(d, subs):
    """What tests/lab7/mod/kho_lab7.c's blobs name: "folios" (phys, order)
    pairs, a page range that kho_preserve_pages() split into naturally
    aligned blocks, and the struct kho_vmalloc (at offset 16 of the raw
    blob, after magic and seed) with its chunk and data pages."""
    out = []
    props = subs["kho_lab"]
    root, _ = fdt_parse(d.read(u64(props["preserved-data"]), u64(props["blob-size"])))
    pairs = root["folios"]
    for i in range(0, len(pairs), 16):
        out.append((u64(pairs[i:i + 8]), u64(pairs[i + 8:i + 16])))
    pfn = u64(root["range-start"]) // PAGE
    end = pfn + u64(root["range-pages"])
    while pfn < end:
        order = min((pfn & -pfn).bit_length() - 1, (end - pfn).bit_length() - 1)
        out.append((pfn * PAGE, order))
        pfn += 1 << order
    raw = d.read(u64(root["vmalloc"]), 32)
    first, total, _flags, order = struct.unpack_from("<QIHH", raw, 16)
    chunk, data = first, []
    while chunk:
        page = d.read(chunk, PAGE)
        out.append((chunk, 0))
        for i in range(511):
            pa = u64(page[8 + 8 * i:16 + 8 * i])
            if not pa or len(data) == total:
                break
            data.append(pa)
        chunk = u64(page[:8])
    out += [(pa, order) for pa in data]
    return sorted(out)


def owners(d, fdt_pa, subs, blocks):
    o = Owners(d, blocks)
    o.claim(("KHO FDT",), fdt_pa, len(fdt_bytes(d, fdt_pa)))
    for name, props in subs.items():
        pa, size = u64(props["preserved-data"]), u64(props["blob-size"])
        o.claim((f'blob "{name}"',), pa, size)
        blob = d.read(pa, size)
        if name == "LUO":
            o.luo(blob, pa)
        elif blob[:4] == b"\xd0\x0d\xfe\xed":
            root, _ = fdt_parse(blob)
            if root.get("compatible", b"").rstrip(b"\0") == b"kho-test-v1":
                o.kho_test(blob)
    return o.attribute(blocks)


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
    if a.what == "labrefs":
        for pa, order in labrefs(d, subs):
            print(f"0x{pa:x} {order}")
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
    elif a.what == "owners":
        print("\n".join(owners(d, fdt_pa, subs, blocks)))
    elif a.what == "check":
        print(f"ok: {len(blocks)} blocks in {len(coalesce(blocks))} ranges, "
              f"{nodes} metadata pages")
    else:
        sys.exit(f"kho_truth: unknown '{a.what}'")


if __name__ == "__main__":
    main()
