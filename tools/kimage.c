// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading the kernel image a KHO kexec would boot (kimage.h).
 *
 * bzImage (Documentation/arch/x86/boot.rst, "The real-mode kernel
 * header"): "HdrS" at 0x202, the protocol version at 0x206, setup_sects
 * at 0x1f1 (0 means 4), kernel_alignment at 0x230, payload_offset and
 * payload_length at 0x248/0x24c (protocol 2.08+; the offset counts from
 * the protected-mode code, which starts (setup_sects + 1) * 512 bytes into
 * the file), pref_address at 0x258 and init_size at 0x260 (2.10+).
 *
 * The header does not name the compressor; the payload's first bytes do
 * (the formats' own magic numbers). arch/x86/boot/compressed/Makefile
 * compresses vmlinux.bin (the vmlinux, objcopy -S: an ELF file with its
 * sections) followed by vmlinux.relocs, and, for every format but gzip,
 * appends the uncompressed size as a little-endian u32 (size_append in
 * scripts/Makefile.lib); gzip's own trailer ends with the same number
 * (ISIZE). That number bounds the one allocation made for the output.
 */
#include <bzlib.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <lz4.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "kimage.h"

#define HDR_SETUP_SECTS 0x1f1
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_PAYLOAD_OFFSET 0x248
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END 0x264

/* lz4 -l: the legacy frame, blocks of at most 8 MiB of output. */
#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- compressors, by magic ---- */

struct compressor {
	const char *name;
	uint8_t magic[9];
	size_t mlen;
	/* 0 ok, else a message in @err; @out has @outlen bytes of room */
	int (*decode)(const uint8_t *in, size_t inlen, uint8_t *out,
		      size_t outlen, char *err, size_t errlen);
};

static int dec_gzip(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
		    char *err, size_t errlen)
{
	z_stream z = { 0 };
	int rc;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return fail(err, errlen, "gzip: cannot start the decoder");
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	z.next_out = out;
	z.avail_out = (uInt)outlen;
	rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (rc != Z_STREAM_END)
		return fail(err, errlen, "gzip: %s", rc == Z_BUF_ERROR && !z.avail_out ?
			    "more data than its trailer says" :
			    z.msg ? z.msg : "truncated");
	if (z.total_out != outlen)
		return fail(err, errlen, "gzip: %lu bytes, its trailer says %zu",
			    z.total_out, outlen);
	return 0;
}

static int dec_lzma_common(bool xz, const uint8_t *in, size_t inlen, uint8_t *out,
			   size_t outlen, char *err, size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	const char *name = xz ? "xz" : "lzma";
	lzma_ret rc;

	/* The dictionary the encoder chose bounds the decoder's memory. */
	rc = xz ? lzma_stream_decoder(&s, 256u << 20, 0) :
		  lzma_alone_decoder(&s, 256u << 20);
	if (rc != LZMA_OK)
		return fail(err, errlen, "%s: cannot start the decoder", name);
	s.next_in = in;
	s.avail_in = inlen;
	s.next_out = out;
	s.avail_out = outlen;
	rc = lzma_code(&s, LZMA_FINISH);
	lzma_end(&s);
	if (rc != LZMA_STREAM_END)
		return fail(err, errlen, "%s: %s", name,
			    rc == LZMA_BUF_ERROR && !s.avail_out ?
			    "more data than its size trailer says" :
			    rc == LZMA_BUF_ERROR ? "truncated" :
			    rc == LZMA_MEMLIMIT_ERROR ? "dictionary above 256 MiB" :
			    "corrupt data");
	if (s.total_out != outlen)
		return fail(err, errlen, "%s: %llu bytes, its size trailer says %zu", name,
			    (unsigned long long)s.total_out, outlen);
	return 0;
}

static int dec_xz(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
		  char *err, size_t errlen)
{
	return dec_lzma_common(true, in, inlen, out, outlen, err, errlen);
}

static int dec_lzma(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
		    char *err, size_t errlen)
{
	return dec_lzma_common(false, in, inlen, out, outlen, err, errlen);
}

static int dec_zstd(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
		    char *err, size_t errlen)
{
	/* One frame; the size trailer after it is not a frame. */
	size_t flen = ZSTD_findFrameCompressedSize(in, inlen);
	size_t n;

	if (ZSTD_isError(flen))
		return fail(err, errlen, "zstd: %s", ZSTD_getErrorName(flen));
	n = ZSTD_decompress(out, outlen, in, flen);
	if (ZSTD_isError(n))
		return fail(err, errlen, "zstd: %s", ZSTD_getErrorName(n));
	if (n != outlen)
		return fail(err, errlen, "zstd: %zu bytes, its size trailer says %zu",
			    n, outlen);
	return 0;
}

static int dec_bzip2(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
		     char *err, size_t errlen)
{
	unsigned int n = (unsigned int)outlen;
	int rc;

	if (inlen > UINT32_MAX)
		return fail(err, errlen, "bzip2: payload too large");
	rc = BZ2_bzBuffToBuffDecompress((char *)out, &n, (char *)(uintptr_t)in,
					(unsigned int)inlen, 0, 0);
	if (rc != BZ_OK)
		return fail(err, errlen, "bzip2: %s",
			    rc == BZ_OUTBUFF_FULL ? "more data than its size trailer says" :
			    rc == BZ_UNEXPECTED_EOF ? "truncated" : "corrupt data");
	if (n != outlen)
		return fail(err, errlen, "bzip2: %u bytes, its size trailer says %zu",
			    n, outlen);
	return 0;
}

static int dec_lz4(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
		   char *err, size_t errlen)
{
	size_t pos = 4, done = 0;

	while (pos + 4 <= inlen) {
		uint32_t clen = rd32(in + pos);
		int n;

		pos += 4;
		if (clen == LZ4_LEGACY_MAGIC)
			continue;	/* concatenated frames */
		if (clen > inlen - pos || clen > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK))
			return fail(err, errlen, "lz4: block of %u bytes at payload offset 0x%zx "
				    "runs past the payload", clen, pos - 4);
		n = LZ4_decompress_safe((const char *)in + pos, (char *)out + done, (int)clen,
					(int)(outlen - done < LZ4_LEGACY_BLOCK ?
					      outlen - done : LZ4_LEGACY_BLOCK));
		if (n < 0)
			return fail(err, errlen, "lz4: corrupt block at payload offset 0x%zx",
				    pos - 4);
		done += (size_t)n;
		pos += clen;
	}
	if (done != outlen)
		return fail(err, errlen, "lz4: %zu bytes, its size trailer says %zu",
			    done, outlen);
	return 0;
}

static const struct compressor compressors[] = {
	{ "gzip", { 0x1f, 0x8b }, 2, dec_gzip },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, dec_xz },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, dec_zstd },
	{ "bzip2", { 'B', 'Z', 'h' }, 3, dec_bzip2 },
	{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4, dec_lz4 },
	/* .lzma has no magic; lzma -9 writes these properties (lc3 lp0 pb2). */
	{ "lzma", { 0x5d, 0x00, 0x00 }, 3, dec_lzma },
	{ "lzo", { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a }, 9, NULL },
};

/* ---- searchable regions ---- */

/*
 * The kernel's data: string constants (.rodata, .rodata.str*), and the
 * compatible arrays inside handler structs (memfd's liveupdate handler in
 * .data on 7.2). Not code, symbol names (__ksymtab_strings) or type names
 * (.BTF), where "memblock" names a struct, not a format the kernel reads.
 */
static bool data_section(const char *name)
{
	static const char *const prefixes[] = {
		".rodata", ".data", ".init.data", ".init.rodata", ".ref.data",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t l = strlen(prefixes[i]);

		if (!strncmp(name, prefixes[i], l) && (!name[l] || name[l] == '.'))
			return true;
	}
	return false;
}

static int elf_regions(struct kimage *ki, Elf *e, uint64_t base_len, char *err,
		       size_t errlen)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx))
		return fail(err, errlen, "'%s': %s", ki->path, elf_errmsg(-1));
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !sh.sh_size)
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || !data_section(name))
			continue;
		if (sh.sh_offset > base_len || sh.sh_size > base_len - sh.sh_offset)
			return fail(err, errlen, "'%s': section %s runs past the end of the %s",
				    ki->path, name, ki->kind == KIMAGE_BZIMAGE ? "payload" : "file");
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size != sh.sh_size)
			return fail(err, errlen, "'%s': cannot read section %s: %s", ki->path,
				    name, elf_errmsg(-1));
		if (ki->nregions == KIMAGE_MAX_REGIONS)
			return fail(err, errlen, "'%s': more than %d data sections", ki->path,
				    KIMAGE_MAX_REGIONS);
		snprintf(ki->regions[ki->nregions].name, sizeof(ki->regions[0].name), "%s", name);
		ki->regions[ki->nregions].data = d->d_buf;
		ki->regions[ki->nregions].size = sh.sh_size;
		ki->regions[ki->nregions].offset = sh.sh_offset;
		ki->nregions++;
	}
	ki->searchable = true;
	return 0;
}

/* ---- bzImage ---- */

static int open_bzimage(struct kimage *ki, char *err, size_t errlen)
{
	const uint8_t *f = ki->file;
	const struct compressor *c = NULL;
	const uint8_t *pl;
	uint64_t pm_start, size;
	unsigned int ss;

	ki->kind = KIMAGE_BZIMAGE;
	ki->protocol = rd16(f + HDR_VERSION);
	if (ki->protocol < 0x20a)
		return fail(err, errlen, "'%s': boot protocol %u.%02u has no payload or "
			    "init_size fields (2.10 or later needed)", ki->path,
			    (unsigned int)ki->protocol >> 8, (unsigned int)ki->protocol & 0xffu);
	ss = f[HDR_SETUP_SECTS] ? f[HDR_SETUP_SECTS] : 4;
	ki->setup_sects = (uint8_t)ss;
	ki->kernel_alignment = rd32(f + HDR_KERNEL_ALIGNMENT);
	ki->pref_address = rd64(f + HDR_PREF_ADDRESS);
	ki->init_size = rd32(f + HDR_INIT_SIZE);
	pm_start = (uint64_t)(ss + 1) * 512;
	ki->payload_offset = pm_start + rd32(f + HDR_PAYLOAD_OFFSET);
	ki->payload_length = rd32(f + HDR_PAYLOAD_LENGTH);
	if (ki->payload_offset > ki->file_len ||
	    ki->payload_length > ki->file_len - ki->payload_offset || ki->payload_length < 8)
		return fail(err, errlen, "'%s': payload at 0x%llx (%llu bytes) is not inside "
			    "the file (%zu bytes)", ki->path,
			    (unsigned long long)ki->payload_offset,
			    (unsigned long long)ki->payload_length, ki->file_len);
	pl = f + ki->payload_offset;
	for (size_t i = 0; i < sizeof(compressors) / sizeof(compressors[0]); i++)
		if (!memcmp(pl, compressors[i].magic, compressors[i].mlen)) {
			c = &compressors[i];
			break;
		}
	if (!c) {
		ki->compressor = "unknown";
		snprintf(ki->why, sizeof(ki->why), "the payload's compressor is not one "
			 "known here (first bytes %02x %02x %02x %02x)", pl[0], pl[1], pl[2], pl[3]);
		return 0;
	}
	ki->compressor = c->name;
	if (!c->decode) {
		snprintf(ki->why, sizeof(ki->why), "%s-compressed payload: not supported here",
			 c->name);
		return 0;
	}
	size = rd32(pl + ki->payload_length - 4);
	if (!size || size > KIMAGE_MAX_PAYLOAD)
		return fail(err, errlen, "'%s': the %s payload's size trailer says %llu bytes "
			    "(1 to %llu accepted)", ki->path, c->name, (unsigned long long)size,
			    KIMAGE_MAX_PAYLOAD);
	ki->payload = malloc(size);
	if (!ki->payload)
		return fail(err, errlen, "'%s': out of memory for %llu bytes", ki->path,
			    (unsigned long long)size);
	if (c->decode(pl, ki->payload_length - (c->decode == dec_gzip ? 0 : 4),
		      ki->payload, size, err, errlen)) {
		char m[200];

		snprintf(m, sizeof(m), "%s", err);
		return fail(err, errlen, "'%s': payload at 0x%llx: %s", ki->path,
			    (unsigned long long)ki->payload_offset, m);
	}
	ki->payload_size = size;
	if (size >= SELFMAG && !memcmp(ki->payload, ELFMAG, SELFMAG)) {
		Elf *e = elf_memory((char *)ki->payload, size);

		if (!e)
			return fail(err, errlen, "'%s': decompressed payload: %s", ki->path,
				    elf_errmsg(-1));
		ki->elf = e;
		ki->payload_elf = true;
		return elf_regions(ki, e, size, err, errlen);
	}
	snprintf(ki->regions[0].name, sizeof(ki->regions[0].name), "payload");
	ki->regions[0].data = ki->payload;
	ki->regions[0].size = size;
	ki->regions[0].offset = 0;
	ki->nregions = 1;
	ki->searchable = true;
	return 0;
}

int kimage_open(struct kimage *ki, const char *path, char *err, size_t errlen)
{
	struct stat st;
	void *m;

	memset(ki, 0, sizeof(*ki));
	ki->fd = -1;
	ki->path = path;
	ki->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ki->fd < 0)
		return fail(err, errlen, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(ki->fd, &st))
		return fail(err, errlen, "cannot read '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size < 64)
		return fail(err, errlen, "'%s': not a bzImage or an ELF file", path);
	ki->file_len = (size_t)st.st_size;
	/* Writable but private: libelf may fix up what it reads in place. */
	m = mmap(NULL, ki->file_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, ki->fd, 0);
	if (m == MAP_FAILED)
		return fail(err, errlen, "cannot read '%s': %s", path, strerror(errno));
	ki->file = m;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errlen, "libelf: %s", elf_errmsg(-1));
	if (!memcmp(ki->file, ELFMAG, SELFMAG)) {
		Elf *e = elf_memory((char *)ki->file, ki->file_len);

		ki->kind = KIMAGE_ELF;
		if (!e)
			return fail(err, errlen, "'%s': %s", path, elf_errmsg(-1));
		ki->elf = e;
		return elf_regions(ki, e, ki->file_len, err, errlen);
	}
	if (ki->file_len >= HDR_END && !memcmp(ki->file + HDR_MAGIC, "HdrS", 4))
		return open_bzimage(ki, err, errlen);
	return fail(err, errlen, "'%s': not a bzImage (no \"HdrS\" at 0x202) or an ELF file",
		    path);
}

bool kimage_find(const struct kimage *ki, const char *s, struct kimage_hit *hit)
{
	size_t n = strlen(s) + 1;

	if (!ki->searchable || n < 2)
		return false;
	for (unsigned int i = 0; i < ki->nregions; i++) {
		const struct kimage_region *r = &ki->regions[i];
		const uint8_t *p = r->data, *end = r->data + r->size;

		while ((size_t)(end - p) >= n) {
			const uint8_t *q = memmem(p, (size_t)(end - p), s, n);

			if (!q)
				break;
			if (q == r->data || q[-1] < 0x20 || q[-1] > 0x7e) {
				hit->region = r;
				hit->region_offset = (uint64_t)(q - r->data);
				hit->offset = r->offset + hit->region_offset;
				return true;
			}
			p = q + 1;
		}
	}
	return false;
}

void kimage_close(struct kimage *ki)
{
	if (ki->elf)
		elf_end(ki->elf);
	free(ki->payload);
	if (ki->file)
		munmap(ki->file, ki->file_len);
	if (ki->fd >= 0)
		close(ki->fd);
	memset(ki, 0, sizeof(*ki));
	ki->fd = -1;
}
