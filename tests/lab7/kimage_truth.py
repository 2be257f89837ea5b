# SPDX-License-Identifier: GPL-2.0-or-later
"""Where a kernel image holds strings: the ground truth for `khodump
preflight`'s evidence lines, written from Documentation/arch/x86/boot.rst
and the ELF format, sharing no code with tools/kimage.c.

usage: kimage_truth.py IMAGE STRING...
  IMAGE: a bzImage with an xz or gzip payload, or an ELF file (vmlinux, .ko)
  prints per STRING "STRING payload|file offset 0xOFF (SECTION+0xSOFF)",
  the first place in the data sections (.rodata*, .data*, .init.data*,
  .init.rodata*, .ref.data*, in section-header order) where STRING and its
  NUL stand, not preceded by a printable character; or "STRING NOT FOUND".
"""
import gzip
import lzma
import struct
import sys

PREFIXES = (".rodata", ".data", ".init.data", ".init.rodata", ".ref.data")


def payload(data):
    setup_sects = data[0x1F1] or 4
    off, length = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + off
    p = data[start:start + length]
    if p.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(p)
    if p.startswith(b"\x1f\x8b"):
        return gzip.decompress(p)
    raise SystemExit("kimage_truth: payload format not handled here")


def sections(elf):
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    hdrs = [struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    stroff = hdrs[shstrndx][4]
    for name, typ, _flags, _addr, offset, size in hdrs:
        n = elf[stroff + name:elf.index(b"\0", stroff + name)].decode()
        if typ != 1 or not size:  # SHT_PROGBITS
            continue
        if any(n == p or n.startswith(p + ".") for p in PREFIXES):
            yield n, offset, size


def find(elf, s):
    needle = s.encode() + b"\0"
    for name, offset, size in sections(elf):
        sec = elf[offset:offset + size]
        i = sec.find(needle)
        while i >= 0:
            if i == 0 or not 0x20 <= sec[i - 1] <= 0x7E:
                return name, offset + i, i
            i = sec.find(needle, i + 1)
    return None


def main():
    data = open(sys.argv[1], "rb").read()
    if data[:4] == b"\x7fELF":
        elf, what = data, "file offset"
    else:
        elf, what = payload(data), "payload offset"
    for s in sys.argv[2:]:
        hit = find(elf, s)
        if hit:
            print(f"{s} {what} 0x{hit[1]:x} ({hit[0]}+0x{hit[2]:x})")
        else:
            print(f"{s} NOT FOUND")


main()
