// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ELF vmcores (QEMU dump-guest-memory, makedumpfile -E, kdump's
 * /proc/vmcore copied to a file) read directly: the PT_LOADs are parsed
 * once, sorted by physical address, and 32 KiB blocks of the file are
 * cached, so a tree page costs a binary search and a copy instead of a trip
 * through libkdumpfile's generic cache (bench/README.md has the numbers).
 * Semantics are those
 * of mem_kdump.c: physical addresses are PT_LOAD p_paddr; a hole below the
 * end of memory is "not in the dump" (ENODATA, libkdumpfile's "Page not
 * found"); the end of memory is the highest PT_LOAD end, rounded up to the
 * page size; the VMCOREINFO note gives the page size, OSRELEASE and the raw
 * text. Bytes of a PT_LOAD between p_filesz and p_memsz read as zero (ELF).
 *
 * /proc/kcore (any ELF file on procfs) is live memory and is read here
 * too, with no cache at all: the torn-read check of a live walk (walk.c)
 * reads every page again and must get memory, not a copy. libkdumpfile
 * reads /proc/kcore (which has no mmap in 6.12) with read(2) into a cache
 * it keeps whatever its cache.size, so through it the check compared a page
 * with itself and never saw the lab's changing tree (TESTING.md, Torn
 * reads). Its PT_LOADs without a physical address (p_paddr -1: vmalloc,
 * modules, vmemmap) are not physical memory and are skipped; KCORE_RAM and
 * the kernel text carry one.
 *
 * Anything else is left to libkdumpfile (khor_mem_open_elf() returns 1):
 * non-ELF files, ELF32 or big-endian, and dump files with a PT_LOAD that
 * has no physical address. KHOTOOLS_ELF_BACKEND=libkdumpfile
 * in the environment sends ELF files to libkdumpfile as well, so the two
 * backends can be compared (bench/) and tested against each other.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "internal.h"
#include "memsrc.h"

/* Sanity bounds on untrusted headers: far above any real vmcore. */
#define ELF_MAX_PHDRS	(1u << 22)
#define ELF_MAX_NOTES	(16u << 20)

struct elf_load {
	uint64_t phys;
	uint64_t memsz;
	uint64_t filesz;	/* p_filesz: beyond it, zeros up to memsz */
	uint64_t avail;		/* of filesz, what the file holds */
	uint64_t offset;
};

/*
 * Our page cache: direct-mapped blocks of the file, read with one pread
 * each. Tree pages are few and close together in a dump, so a 32 KiB block
 * usually serves many of them; the cache bounds memory at 256 KiB whatever
 * the size of the dump (mmap would make RSS grow with the tree).
 */
#define ELF_BLOCK_SHIFT	15
#define ELF_BLOCK	(UINT64_C(1) << ELF_BLOCK_SHIFT)
#define ELF_CACHE_SLOTS	8

struct elf_mem {
	int fd;
	bool live;		/* /proc/kcore: never cached */
	uint8_t *cache;		/* ELF_CACHE_SLOTS blocks, allocated on first use */
	uint64_t tag[ELF_CACHE_SLOTS];	/* block number + 1; 0 = empty */
	uint64_t size;
	size_t n;
	struct elf_load *load;
	char *vmcoreinfo;
};

static const struct elf_load *elf_find(const struct elf_mem *em, uint64_t phys)
{
	size_t lo = 0, hi = em->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct elf_load *l = &em->load[mid];

		if (phys < l->phys)
			hi = mid;
		else if (phys - l->phys >= l->memsz)
			lo = mid + 1;
		else
			return l;
	}
	return NULL;
}

static int elf_pread(struct khor_mem *mem, const struct elf_mem *em,
		     uint64_t off, void *buf, size_t len)
{
	ssize_t got;

	do
		got = pread(em->fd, buf, len, (off_t)off);
	while (got < 0 && errno == EINTR);
	if (got < 0 || (size_t)got != len) {
		khor_mem_set_errmsg(mem, "cannot read the dump at offset 0x%llx: %s",
				    (unsigned long long)off,
				    got < 0 ? strerror(errno) : "short read");
		return -KHOR_EIO;
	}
	return 0;
}

/* Copy @len bytes at file offset @off (all inside the file) to @buf. */
static int elf_copy(struct khor_mem *mem, struct elf_mem *em, uint64_t off,
		    uint8_t *buf, size_t len)
{
	if (len >= ELF_BLOCK || em->live)
		return elf_pread(mem, em, off, buf, len);
	if (!em->cache) {
		em->cache = malloc(ELF_CACHE_SLOTS * ELF_BLOCK);
		if (!em->cache)
			return elf_pread(mem, em, off, buf, len);
	}
	while (len) {
		uint64_t blk = off >> ELF_BLOCK_SHIFT, in = off & (ELF_BLOCK - 1);
		size_t slot = (size_t)(blk % ELF_CACHE_SLOTS);
		uint8_t *data = em->cache + slot * ELF_BLOCK;
		size_t n = ELF_BLOCK - in < len ? (size_t)(ELF_BLOCK - in) : len;

		if (em->tag[slot] != blk + 1) {
			uint64_t start = blk << ELF_BLOCK_SHIFT;
			uint64_t want = em->size - start < ELF_BLOCK ?
					em->size - start : ELF_BLOCK;
			int rc;

			em->tag[slot] = 0;
			rc = elf_pread(mem, em, start, data, (size_t)want);
			if (rc)
				return rc;
			em->tag[slot] = blk + 1;
		}
		memcpy(buf, data + in, n);
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int elf_read(struct khor_mem *mem, void *priv, uint64_t phys, void *buf,
		    size_t len)
{
	struct elf_mem *em = priv;
	uint8_t *out = buf;

	while (len) {
		const struct elf_load *l = elf_find(em, phys);
		uint64_t off, chunk;
		int rc;

		if (!l) {
			khor_mem_set_errmsg(mem, "Page not found");
			return -KHOR_ENODATA;
		}
		off = phys - l->phys;
		chunk = l->memsz - off;
		if (chunk > len)
			chunk = len;
		if (off < l->filesz && off >= l->avail) {
			khor_mem_set_errmsg(mem, "the dump file ends before 0x%llx",
					    (unsigned long long)phys);
			return -KHOR_ENODATA;
		}
		if (off < l->filesz) {
			uint64_t n = l->avail - off < chunk ? l->avail - off : chunk;

			rc = elf_copy(mem, em, l->offset + off, out, n);
			if (rc)
				return rc;
			memset(out + n, 0, chunk - n);
		} else {
			memset(out, 0, chunk);
		}
		out += chunk;
		phys += chunk;
		len -= chunk;
	}
	return 0;
}

static int elf_next_present(struct khor_mem *mem, void *priv, uint64_t from,
			    uint64_t *start, uint64_t *end)
{
	struct elf_mem *em = priv;

	(void)mem;
	for (size_t i = 0; i < em->n; i++) {
		const struct elf_load *l = &em->load[i];
		uint64_t e = l->phys + l->memsz;

		if (e <= from)
			continue;
		*start = l->phys > from ? l->phys : from;
		/* Adjacent PT_LOADs are one present range. */
		while (i + 1 < em->n && em->load[i + 1].phys == e)
			e += em->load[++i].memsz;
		*end = e;
		return 0;
	}
	return -KHOR_ENOTFOUND;
}

/*
 * A scan's heads pass (khor_mem_heads()): each PT_LOAD's bytes read with
 * large preads straight from the file, in file order, so the pass reads
 * the dump as cat(1) would (the kernel's readahead told so), instead of
 * one 32 KiB block per probe through the cache. Pages not wholly in the
 * file (a page across PT_LOADs, zero-filled or truncated parts) are probed
 * with an ordinary read. Not for live memory: /proc/kcore is read as it
 * always is.
 */
static int elf_heads(struct khor_mem *mem, uint64_t from, uint64_t to,
		     uint64_t ps, khor_head_fn fn, void *arg)
{
	struct elf_mem *em = mem->priv;
	uint64_t per = KHOR_HEADS_CHUNK / ps;
	uint8_t *buf;
	int rc = 0;

	if (em->live || !per)
		return 1;
	buf = malloc(KHOR_HEADS_CHUNK);
	if (!buf)
		return -KHOR_ENOMEM;
	(void)posix_fadvise(em->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (size_t i = 0; i < em->n && !rc; i++) {
		const struct elf_load *l = &em->load[i];
		uint64_t lend = l->phys + l->memsz;
		uint64_t e = lend < to ? lend : to;
		uint64_t p = l->phys > from ? l->phys : from;

		p = (p + ps - 1) & ~(ps - 1);
		if (p < l->phys)
			break;		/* rounding wrapped at the top */
		while (p < e && !rc) {
			uint64_t off = p - l->phys, n = 0;
			uint64_t in_file = l->avail < l->filesz ? l->avail : l->filesz;
			uint8_t head[KHOR_HEAD_LEN];

			if (off < in_file)
				n = (in_file - off) / ps;
			if (n > per)
				n = per;
			if (n > (e - p + ps - 1) / ps)
				n = (e - p + ps - 1) / ps;
			if (n && !elf_pread(mem, em, l->offset + off, buf, n * ps)) {
				for (uint64_t k = 0; k < n && !rc; k++)
					rc = fn(arg, p + k * ps, buf + k * ps);
				p += n * ps;
				continue;
			}
			/* not wholly in the file, or the read failed: probe */
			if (!khor_mem_read(mem, p, head, sizeof(head)))
				rc = fn(arg, p, head);
			p += ps;
		}
	}
	free(buf);
	return rc;
}

static void elf_close(void *priv)
{
	struct elf_mem *em = priv;

	free(em->cache);
	if (em->fd >= 0)
		close(em->fd);
	free(em->load);
	free(em->vmcoreinfo);
	free(em);
}

static const struct khor_mem_ops elf_mem_ops = {
	.read = elf_read,
	.close = elf_close,
	.next_present = elf_next_present,
};

static int load_cmp(const void *a, const void *b)
{
	const struct elf_load *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t got;

	do
		got = pread(fd, buf, len, (off_t)off);
	while (got < 0 && errno == EINTR);
	return got >= 0 && (size_t)got == len ? 0 : -1;
}

/* The value of KEY= in VMCOREINFO text, copied into @out (size @len). */
static void vmcoreinfo_get(const char *text, const char *key, char *out,
			   size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		size_t n;

		if (strncmp(p, key, kl) || p[kl] != '=')
			continue;
		p += kl + 1;
		n = strcspn(p, "\n");
		if (n >= len)
			n = len - 1;
		memcpy(out, p, n);
		out[n] = '\0';
		return;
	}
}

/* Find the VMCOREINFO note in a PT_NOTE segment of @len bytes at @off. */
static char *elf_vmcoreinfo(struct elf_mem *em, uint64_t off, uint64_t len)
{
	uint8_t *buf;
	char *text = NULL;
	uint64_t pos = 0;

	if (len > ELF_MAX_NOTES || off > em->size || len > em->size - off)
		return NULL;
	buf = malloc(len);
	if (!buf || pread_all(em->fd, buf, len, off)) {
		free(buf);
		return NULL;
	}
	while (pos + sizeof(Elf64_Nhdr) <= len) {
		Elf64_Nhdr nh;
		uint64_t name, desc;

		memcpy(&nh, buf + pos, sizeof(nh));
		name = pos + sizeof(nh);
		desc = name + (((uint64_t)nh.n_namesz + 3) & ~3ull);
		if (desc > len || nh.n_descsz > len - desc)
			break;
		if (nh.n_namesz >= 10 && !memcmp(buf + name, "VMCOREINFO", 10) &&
		    (nh.n_namesz == 10 || buf[name + 10] == '\0')) {
			text = malloc((size_t)nh.n_descsz + 1);
			if (text) {
				memcpy(text, buf + desc, nh.n_descsz);
				text[nh.n_descsz] = '\0';
			}
			break;
		}
		pos = desc + (((uint64_t)nh.n_descsz + 3) & ~3ull);
	}
	free(buf);
	return text;
}

/*
 * Parse the program headers. Returns 0, 1 if the file is not ours (see
 * the top of the file), or a negative code with @err set.
 */
static int elf_parse(struct elf_mem *em, const char *path,
		     struct khor_mem_info *info, struct khor_error *err)
{
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	uint64_t phnum, end = 0, page;
	char buf[32] = "";

	if (em->size < sizeof(eh) || pread_all(em->fd, &eh, sizeof(eh), 0) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return 1;
	phnum = eh.e_phnum;
	if (phnum == PN_XNUM) {
		/* Extended numbering: the count is in section 0's sh_info. */
		Elf64_Shdr sh;

		if (eh.e_shoff > em->size ||
		    pread_all(em->fd, &sh, sizeof(sh), eh.e_shoff))
			goto bad;
		phnum = sh.sh_info;
	}
	if (!phnum || phnum > ELF_MAX_PHDRS || eh.e_phoff > em->size ||
	    phnum * sizeof(*ph) > em->size - eh.e_phoff)
		goto bad;
	ph = malloc(phnum * sizeof(*ph));
	em->load = calloc(phnum, sizeof(*em->load));
	if (!ph || !em->load) {
		free(ph);
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	}
	if (pread_all(em->fd, ph, phnum * sizeof(*ph), eh.e_phoff)) {
		free(ph);
		goto bad;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		struct elf_load *l = &em->load[em->n];

		if (ph[i].p_type == PT_NOTE && !em->vmcoreinfo)
			em->vmcoreinfo = elf_vmcoreinfo(em, ph[i].p_offset,
							ph[i].p_filesz);
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (ph[i].p_paddr == UINT64_MAX && em->live)
			continue;	/* kcore's virtual-only areas */
		if (ph[i].p_paddr == UINT64_MAX) {
			free(ph);
			return 1;	/* kcore-style: leave it to libkdumpfile */
		}
		if (ph[i].p_paddr + ph[i].p_memsz < ph[i].p_paddr ||
		    ph[i].p_filesz > ph[i].p_memsz) {
			free(ph);
			goto bad;
		}
		l->phys = ph[i].p_paddr;
		l->memsz = ph[i].p_memsz;
		l->offset = ph[i].p_offset;
		l->filesz = ph[i].p_filesz;
		/*
		 * A truncated dump: what is missing is not in the dump
		 * (libkdumpfile 0.5.1 reads it as zeros, tests/gen/README.md).
		 */
		l->avail = ph[i].p_offset >= em->size ? 0 :
			   ph[i].p_filesz < em->size - ph[i].p_offset ?
			   ph[i].p_filesz : em->size - ph[i].p_offset;
		if (l->phys + l->memsz > end)
			end = l->phys + l->memsz;
		em->n++;
	}
	free(ph);
	if (!em->n && em->live)
		return 1;	/* no physical addresses: libkdumpfile's way */
	qsort(em->load, em->n, sizeof(*em->load), load_cmp);
	/* Overlapping PT_LOADs (kdump's kernel-text alias): the first wins. */
	for (size_t i = 0; i + 1 < em->n; i++) {
		struct elf_load *a = &em->load[i], *b = &em->load[i + 1];

		if (a->phys + a->memsz > b->phys) {
			uint64_t cut = a->phys + a->memsz - b->phys;

			if (cut >= b->memsz) {
				memmove(b, b + 1, (em->n - i - 2) * sizeof(*b));
				em->n--;
				i--;
				continue;
			}
			b->phys += cut;
			b->memsz -= cut;
			b->offset += cut;
			b->filesz = b->filesz > cut ? b->filesz - cut : 0;
			b->avail = b->avail > cut ? b->avail - cut : 0;
		}
	}

	strcpy(info->kind, em->live ? "kcore" : "elf");
	info->live = em->live;
	if (em->vmcoreinfo) {
		vmcoreinfo_get(em->vmcoreinfo, "PAGESIZE", buf, sizeof(buf));
		info->page_size = strtoull(buf, NULL, 10);
		vmcoreinfo_get(em->vmcoreinfo, "OSRELEASE", info->osrelease,
			       sizeof(info->osrelease));
		info->vmcoreinfo = em->vmcoreinfo;
	}
	/* As libkdumpfile's max_pfn: whole pages (4 KiB without VMCOREINFO). */
	page = info->page_size && !(info->page_size & (info->page_size - 1)) ?
	       info->page_size : 4096;
	info->phys_end = end + page - 1 < end ? end : (end + page - 1) & ~(page - 1);
	if (!info->phys_end)
		info->phys_end = 1;	/* no memory at all: every read is EFAULT */
	return 0;
bad:
	return khor_err(err, -KHOR_EFORMAT, "cannot open '%s' as a dump: bad ELF program headers",
			path);
}

int khor_mem_open_elf(const char *path, struct khor_error *err,
		      struct khor_mem **ret)
{
	struct khor_mem_info info = { 0 };
	const char *env = getenv("KHOTOOLS_ELF_BACKEND");
	struct elf_mem *em;
	struct statfs sfs;
	struct stat st;
	int rc;

	if (env && !strcmp(env, "libkdumpfile"))
		return 1;
	em = calloc(1, sizeof(*em));
	if (!em)
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	em->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (em->fd < 0 || fstat(em->fd, &st) || !S_ISREG(st.st_mode)) {
		rc = 1;		/* errors and special files: mem_kdump.c says */
		goto out_free;
	}
	/* Live memory is whatever procfs serves (/proc/kcore under any name). */
	em->live = fstatfs(em->fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
	em->size = (uint64_t)st.st_size;
	rc = elf_parse(em, path, &info, err);
	if (rc)
		goto out_free;
	rc = khor_mem_create(&elf_mem_ops, em, &info, ret);
	if (rc) {
		khor_err(err, rc, "out of memory");
		goto out_free;
	}
	(*ret)->heads = elf_heads;
	return 0;

out_free:
	elf_close(em);
	return rc;
}
