// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ELF vmcores, kdump-compressed vmcores and /proc/kcore through
 * libkdumpfile. Reads use machine physical addresses (KDUMP_MACHPHYSADDR),
 * which need no VMCOREINFO and no address translation: this is what makes
 * dumps without a VMCOREINFO note decodable.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>
#include <linux/magic.h>
#include <zlib.h>

#include "internal.h"
#include "memsrc.h"

/*
 * Where the parts of a kdump-compressed file are ("KDUMP   ", the format
 * makedumpfile writes; the 64-bit layout of disk_dump_header and
 * kdump_sub_header): block 0 the header, then sub_hdr_size blocks of
 * sub-header, bitmap_blocks blocks of bitmaps (the first half: memory;
 * the second: the pages dumped), then one 24-byte page_desc {u64 offset;
 * u32 size; u32 flags; u64 page_flags} per dumped page in frame order.
 */
struct diskdump {
	bool ok;		/* parsed and agreeing with libkdumpfile */
	uint64_t block;		/* block_size = the page size */
	uint64_t bm2, bmlen;	/* the dumped-pages bitmap */
	uint64_t pd;		/* the page descriptors */
	uint64_t max_mapnr;
};

#define DD_ZLIB 0x1		/* DUMP_DH_COMPRESSED_ZLIB */

struct kdump_mem {
	kdump_ctx_t *ctx;
	int fd;
	char *vmcoreinfo;	/* raw VMCOREINFO, for --extract */
	kdump_bmp_t *pagemap;	/* present pages, for --scan */
	uint64_t pm_page;	/* page size the pagemap counts in */
	bool pm_tried;
	bool compressed;	/* kdump-compressed: no pagemap (see above) */
	struct diskdump dd;	/* its layout, for a scan's heads pass */
};

static int kdump_mem_read(struct khor_mem *mem, void *priv, uint64_t phys,
			  void *buf, size_t len)
{
	struct kdump_mem *km = priv;
	size_t got = len;
	kdump_status st;

	st = kdump_read(km->ctx, KDUMP_MACHPHYSADDR, phys, buf, &got);
	if (st == KDUMP_OK && got == len)
		return 0;
	khor_mem_set_errmsg(mem, "%s", kdump_get_err(km->ctx));
	if (st == KDUMP_ERR_NODATA || st == KDUMP_OK)
		return -KHOR_ENODATA;
	return -KHOR_EIO;
}

static void kdump_mem_close(void *priv)
{
	struct kdump_mem *km = priv;

	if (km->pagemap)
		kdump_bmp_decref(km->pagemap);
	free(km->vmcoreinfo);
	if (km->ctx)
		kdump_free(km->ctx);
	if (km->fd >= 0)
		close(km->fd);
	free(km);
}

static int kdump_next_present(struct khor_mem *mem, void *priv, uint64_t from,
			      uint64_t *start, uint64_t *end)
{
	struct kdump_mem *km = priv;
	kdump_addr_t idx, e;

	(void)mem;
	/*
	 * Only a scan asks, so fetch the page map on first use. Not for
	 * kdump-compressed files: libkdumpfile 0.5.1 leaks a buffer when it
	 * builds their memory.pagemap; a scan of them reads the dump's own
	 * bitmap in kdump_heads() instead.
	 */
	if (!km->pagemap && !km->pm_tried && !km->compressed) {
		kdump_attr_t a = { .type = KDUMP_BITMAP };
		kdump_num_t psz;

		km->pm_tried = true;
		if (kdump_get_typed_attr(km->ctx, KDUMP_ATTR_MEMORY_PAGEMAP, &a) == KDUMP_OK &&
		    kdump_get_number_attr(km->ctx, KDUMP_ATTR_PAGE_SIZE, &psz) == KDUMP_OK &&
		    psz) {
			km->pagemap = a.val.bitmap;
			kdump_bmp_incref(km->pagemap);
			km->pm_page = psz;
		}
	}
	if (!km->pagemap) {
		*start = from;
		*end = UINT64_MAX;
		return 0;
	}
	idx = from / km->pm_page;
	if (kdump_bmp_find_set(km->pagemap, &idx) != KDUMP_OK)
		return -KHOR_ENOTFOUND;
	e = idx;
	if (kdump_bmp_find_clear(km->pagemap, &e) != KDUMP_OK)
		e = UINT64_MAX / km->pm_page;
	*start = idx * km->pm_page;
	*end = e * km->pm_page;
	return 0;
}

/* The bytes of a dumped page's data, through a window of the file. */
struct dd_window {
	uint8_t *buf, page[65536];
	uint64_t off, len, page_off;
	bool have_page;
};

static const uint8_t *dd_data(int fd, struct dd_window *w, uint64_t off,
			      uint64_t size)
{
	ssize_t got;

	if (off >= w->off && size <= w->len && off - w->off <= w->len - size)
		return w->buf + (off - w->off);
	if (off < w->off && size <= sizeof(w->page)) {
		/*
		 * Backwards: makedumpfile points every zero page at one copy
		 * written early. Read it alone; moving the window would turn
		 * the pass into seeks.
		 */
		if (!w->have_page || w->page_off != off) {
			got = pread(fd, w->page, size, (off_t)off);
			w->have_page = got == (ssize_t)size;
			w->page_off = off;
			if (!w->have_page)
				return NULL;
		}
		return w->page;
	}
	got = pread(fd, w->buf, KHOR_HEADS_CHUNK, (off_t)off);
	w->off = off;
	w->len = got > 0 ? (uint64_t)got : 0;
	return size <= w->len ? w->buf : NULL;
}

/*
 * A scan's heads pass over a kdump-compressed file, read as one
 * sequential pass: the bitmap of dumped pages, their descriptors and their
 * data in large preads, and of each zlib page only as much inflated as the
 * head needs (libkdumpfile inflates every page whole, through its cache,
 * at about twice the cost of reading and inflating the file). Pages it
 * cannot serve this way (other compressions, anything that does not add
 * up) are probed with an ordinary read through libkdumpfile, which says
 * what is wrong with them.
 */
static int kdump_heads(struct khor_mem *mem, uint64_t from, uint64_t to,
		       uint64_t ps, khor_head_fn fn, void *arg)
{
	struct kdump_mem *km = mem->priv;
	const struct diskdump *dd = &km->dd;
	uint64_t bm_per = KHOR_HEADS_CHUNK / 16, pd_per = 4096;
	uint64_t idx = 0, pd_first = 0, pd_n = 0;
	struct dd_window *w = NULL;
	uint8_t *bm = NULL, *pds = NULL;
	z_stream zs;
	int rc = 0;

	if (!dd->ok || ps != dd->block)
		return 1;
	memset(&zs, 0, sizeof(zs));
	w = calloc(1, sizeof(*w));
	bm = malloc(bm_per);
	pds = malloc(pd_per * 24);
	if (!w || !bm || !pds || !(w->buf = malloc(KHOR_HEADS_CHUNK)) ||
	    inflateInit(&zs) != Z_OK) {
		rc = -KHOR_ENOMEM;
		goto out;
	}
	(void)posix_fadvise(km->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (uint64_t b = 0; b < dd->bmlen && !rc; b += bm_per) {
		uint64_t n = dd->bmlen - b < bm_per ? dd->bmlen - b : bm_per;

		if (pread(km->fd, bm, n, (off_t)(dd->bm2 + b)) != (ssize_t)n) {
			rc = 1;		/* no bitmap: libkdumpfile's way */
			break;
		}
		for (uint64_t i = 0; i < n * 8 && !rc; i++) {
			uint64_t pfn = b * 8 + i, phys = pfn * ps, off;
			const uint8_t *h = NULL, *d;
			uint8_t head[KHOR_HEAD_LEN];
			uint32_t size, flags;

			if (!(bm[i / 8] & (1u << (i % 8))))
				continue;
			idx++;
			if (pfn >= dd->max_mapnr || phys >= to)
				goto done;
			if (phys < from)
				continue;
			if (idx - 1 - pd_first >= pd_n) {
				ssize_t got = pread(km->fd, pds, pd_per * 24,
						    (off_t)(dd->pd + (idx - 1) * 24));

				pd_first = idx - 1;
				pd_n = got > 0 ? (uint64_t)got / 24 : 0;
			}
			if (idx - 1 - pd_first < pd_n) {
				const uint8_t *pd = pds + (idx - 1 - pd_first) * 24;

				off = khor_le64(pd);
				size = khor_le32(pd + 8);
				flags = khor_le32(pd + 12);
				d = size && size <= ps ? dd_data(km->fd, w, off, size) : NULL;
				if (d && !flags && size == ps) {
					h = d;
				} else if (d && flags == DD_ZLIB) {
					inflateReset(&zs);
					zs.next_in = (uint8_t *)d;
					zs.avail_in = size;
					zs.next_out = head;
					zs.avail_out = sizeof(head);
					inflate(&zs, Z_SYNC_FLUSH);
					if (!zs.avail_out)
						h = head;
				}
			}
			if (!h && !khor_mem_read(mem, phys, head, sizeof(head)))
				h = head;
			if (h)
				rc = fn(arg, phys, h);
		}
	}
done:
	if (rc == 1 && idx)
		rc = 0;		/* a bitmap that ends early ends the pass */
out:
	inflateEnd(&zs);
	if (w)
		free(w->buf);
	free(w);
	free(bm);
	free(pds);
	return rc;
}

static const struct khor_mem_ops kdump_mem_ops = {
	.read = kdump_mem_read,
	.close = kdump_mem_close,
	.next_present = kdump_next_present,
};

/*
 * The "KHOTOOLS" note of an extract (lib/extract.c): the original end of
 * physical memory and page size. libkdumpfile does not hand out unknown
 * notes, so read the ELF program headers ourselves. Returns true if found.
 */
static bool read_khotools_note(int fd, uint64_t *phys_end, uint64_t *page_size)
{
	Elf64_Ehdr eh;
	bool found = false;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return false;
	for (unsigned int i = 0; i < eh.e_phnum && !found; i++) {
		Elf64_Phdr ph;
		uint8_t *buf;
		size_t off = 0;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return false;
		if (ph.p_type != PT_NOTE || !ph.p_filesz || ph.p_filesz > (1u << 20))
			continue;
		buf = malloc(ph.p_filesz);
		if (!buf)
			return false;
		if (pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz) {
			free(buf);
			continue;
		}
		while (off + 12 <= ph.p_filesz) {
			uint32_t namesz = khor_le32(buf + off);
			uint32_t descsz = khor_le32(buf + off + 4);
			uint32_t type = khor_le32(buf + off + 8);
			size_t name_off = off + 12;
			size_t desc_off = name_off + ((namesz + 3ull) & ~3ull);
			size_t next = desc_off + ((descsz + 3ull) & ~3ull);

			if (next > ph.p_filesz || next <= off)
				break;
			if (type == KHOR_NOTE_TYPE && namesz == sizeof(KHOR_NOTE_NAME) &&
			    !memcmp(buf + name_off, KHOR_NOTE_NAME, namesz) &&
			    descsz >= KHOR_NOTE_DESCSZ) {
				*phys_end = khor_le64(buf + desc_off);
				*page_size = khor_le64(buf + desc_off + 8);
				found = true;
				break;
			}
			off = next;
		}
		free(buf);
	}
	return found;
}

/*
 * Our own extract (lib/extract.c): the original's end of memory and page
 * size win over what the few extracted pages imply. @fd may be -1.
 */
static void apply_khotools_note(const char *path, int fd,
				struct khor_mem_info *info)
{
	uint64_t end, psz;
	int own = -1;
	bool found;

	if (fd < 0)
		fd = own = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	found = read_khotools_note(fd, &end, &psz);
	if (own >= 0)
		close(own);
	if (!found)
		return;
	if (end)
		info->phys_end = end;
	if (psz && !info->page_size)
		info->page_size = psz;
}

/*
 * The layout of a kdump-compressed file, for kdump_heads(); left unset
 * (the scan then reads through libkdumpfile) unless the header is the
 * 64-bit one, not split, and says what libkdumpfile says about the page
 * size and the number of frames.
 */
static void diskdump_layout(struct kdump_mem *km)
{
	struct diskdump *dd = &km->dd;
	uint8_t h[464], sub[104];
	uint64_t block, subblocks, bmblocks, max_mapnr;
	kdump_num_t psz, maxpfn;
	uint32_t version;

	if (pread(km->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h, "KDUMP   ", 8))
		return;
	version = khor_le32(h + 8);
	block = khor_le32(h + 428);
	subblocks = khor_le32(h + 432);
	bmblocks = khor_le32(h + 436);
	max_mapnr = khor_le32(h + 440);
	if (block < 4096 || block > 65536 || (block & (block - 1)) ||
	    !bmblocks || (bmblocks & 1))
		return;
	if (version >= 2) {
		if (!subblocks ||
		    pread(km->fd, sub, sizeof(sub), (off_t)block) != (ssize_t)sizeof(sub))
			return;
		if (khor_le32(sub + 12))
			return;		/* split over several files */
		if (version >= 6)
			max_mapnr = khor_le64(sub + 96);
	}
	if (kdump_get_number_attr(km->ctx, KDUMP_ATTR_PAGE_SIZE, &psz) != KDUMP_OK ||
	    psz != block ||
	    kdump_get_number_attr(km->ctx, "max_pfn", &maxpfn) != KDUMP_OK ||
	    maxpfn != max_mapnr)
		return;
	dd->block = block;
	dd->bmlen = bmblocks / 2 * block;
	dd->bm2 = (1 + subblocks) * block + dd->bmlen;
	dd->pd = (1 + subblocks + bmblocks) * block;
	dd->max_mapnr = max_mapnr;
	dd->ok = true;
}

static void kdump_fill_info(kdump_ctx_t *ctx, const char *path,
			    struct khor_mem_info *info)
{
	const char *s;
	kdump_num_t num;

	if (kdump_get_string_attr(ctx, KDUMP_ATTR_FILE_FORMAT, &s) == KDUMP_OK) {
		if (info->live || !strcmp(path, "/proc/kcore"))
			s = "kcore";
		else if (!strcmp(s, "diskdump") || !strcmp(s, "kdump"))
			s = "kdump";
		else if (!strncmp(s, "elf", 3))
			s = "elf";
		strncpy(info->kind, s, sizeof(info->kind) - 1);
	}
	/*
	 * The page size of the dumped kernel is only known from VMCOREINFO
	 * (or a kdump header); libkdumpfile falls back to the architecture's
	 * default otherwise, so accept it only with VMCOREINFO present.
	 */
	if (kdump_get_string_attr(ctx, "linux.vmcoreinfo.lines.PAGESIZE", &s) == KDUMP_OK)
		info->page_size = strtoull(s, NULL, 10);
	else if (strcmp(info->kind, "kdump") == 0 &&
		 kdump_get_number_attr(ctx, KDUMP_ATTR_PAGE_SIZE, &num) == KDUMP_OK)
		info->page_size = num;
	if (kdump_get_string_attr(ctx, "linux.vmcoreinfo.lines.OSRELEASE", &s) == KDUMP_OK)
		strncpy(info->osrelease, s, sizeof(info->osrelease) - 1);
	/* max_pfn is the end of the highest page the dump describes. */
	if (kdump_get_number_attr(ctx, "max_pfn", &num) == KDUMP_OK) {
		kdump_num_t psz;

		if (kdump_get_number_attr(ctx, KDUMP_ATTR_PAGE_SIZE, &psz) == KDUMP_OK &&
		    psz && num < UINT64_MAX / psz)
			info->phys_end = num * psz;
	}
}

int khor_mem_open_dump(const char *path, struct khor_error *err,
		       struct khor_mem **ret)
{
	struct khor_mem_info info = { 0 };
	struct kdump_mem *km;
	struct statfs sfs;
	const char *arch;
	kdump_status st;
	int rc;

	/* ELF vmcores have a faster reader of their own (mem_elf.c). */
	rc = khor_mem_open_elf(path, err, ret);
	if (rc == 0)
		apply_khotools_note(path, -1, &(*ret)->info);
	if (rc <= 0)
		return rc;
	km = calloc(1, sizeof(*km));
	if (!km)
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	km->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (km->fd < 0) {
		rc = khor_err(err, -KHOR_EIO, "cannot open '%s': %s", path,
			      strerror(errno));
		goto out_free;
	}
	km->ctx = kdump_new();
	if (!km->ctx) {
		rc = khor_err(err, -KHOR_ENOMEM, "out of memory");
		goto out_free;
	}
	st = kdump_open_fd(km->ctx, km->fd);
	if (st != KDUMP_OK) {
		rc = khor_err(err, st == KDUMP_ERR_SYSTEM ? -KHOR_EIO : -KHOR_EFORMAT,
			      "cannot open '%s' as a dump: %s", path,
			      kdump_get_err(km->ctx));
		goto out_free;
	}
	/*
	 * libkdumpfile 0.5.1 does not derive the architecture of QEMU's
	 * diskdumps (QEMU_LAB.md §5); physical reads need it set.
	 */
	if (kdump_get_string_attr(km->ctx, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK)
		kdump_set_string_attr(km->ctx, KDUMP_ATTR_ARCH_NAME, KDUMP_ARCH_X86_64);
	/*
	 * Live memory is whatever procfs serves (/proc/kcore under any name):
	 * the walk must then check that it did not change under it. ELF
	 * kcores are read by mem_elf.c, uncached; only one it cannot read
	 * (no PT_LOAD with a physical address) comes here, where
	 * libkdumpfile's read cache can hide a change from that check.
	 */
	if (fstatfs(km->fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
		info.live = true;
	kdump_fill_info(km->ctx, path, &info);
	km->compressed = !strcmp(info.kind, "kdump");
	if (km->compressed)
		diskdump_layout(km);
	if (kdump_vmcoreinfo_raw(km->ctx, &km->vmcoreinfo) != KDUMP_OK)
		km->vmcoreinfo = NULL;
	info.vmcoreinfo = km->vmcoreinfo;
	apply_khotools_note(path, km->fd, &info);
	rc = khor_mem_create(&kdump_mem_ops, km, &info, ret);
	if (rc) {
		khor_err(err, rc, "out of memory");
		goto out_free;
	}
	(*ret)->heads = kdump_heads;
	return 0;

out_free:
	kdump_mem_close(km);
	return rc;
}
