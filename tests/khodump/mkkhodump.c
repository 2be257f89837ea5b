// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkkhodump - test data for khodump: KHO state with every sub-blob format
 * upstream defines, written into simulated physical memory from a text
 * spec and dumped as an ELF vmcore, a root FDT file and a debugfs tree.
 *
 * Independent of lib/ (DESIGN.md §4): the blob layouts are written here
 * from the ABI text (KHO_ABI.md §1, §5, with the upstream files the
 * decoders cite), using libfdt's sequential-write API the way the kernel
 * does; the radix tree and the ELF core come from the tests' own writer,
 * tests/gen/khoimg.h.
 *
 * Spec, one directive per line ('#' starts a comment):
 *   compatible S          root compatible (default kho-v3); sub-nodes use
 *                         "fdt" for kho-v1, "preserved-data" from v2 and
 *                         add "blob-size" from v3
 *   mem_end N             end of physical memory (default 0x8000000)
 *   alloc N               first address of the page allocator (0x1000000)
 *   full on|off           dump every page below mem_end (a sparse file)
 *   vmcoreinfo on|off     add a VMCOREINFO note (OSRELEASE, PAGESIZE, lines)
 *   vmcoreinfo-line K=V   one more VMCOREINFO line
 *   block PHYS ORDER      preserve a block
 *   sub-fdt NAME COMPAT [PROP=U64]...   a client sub-FDT
 *   memblock REGION START SIZE          a reserve_mem region ("memblock")
 *   kexec-metadata VERSION RELEASE COUNT
 *   luo NUMBER            the "LUO" sub-node (luo-v1, luo-session-v2)
 *   luo-session NAME      a session (in spec order)
 *   luo-file COMPAT DATA TOKEN          a file of the last session
 *   kho-test ORDER...     "kho_test": folios of these orders
 *   raw NAME HEX          a sub-node whose blob is these bytes
 *   fdt-copy PHYS         a copy of the root FDT at PHYS, not preserved
 *   fdt-stale PHYS ROOT   a kho-v2 FDT at PHYS with map ROOT, not preserved
 *   kho_out PHYS          struct kho_out at PHYS (fdt VA at offset 0); the
 *                         System.map names it at 0xffffffff80000000 + PHYS
 *   scratch PHYS LEN      a scratch area (debugfs out/scratch_*)
 *   raw-zero NAME LEN     a sub-node whose blob is LEN zero bytes
 *   unpreserve NAME PAGE  the PAGE-th page of NAME's blob is not preserved
 *                         (the rest of its block stays, as order-0 blocks:
 *                         kho_unpreserve_pages() on part of a range)
 *   kho_scratch VAR ARRAY the scratch areas as struct kho_scratch[] at
 *                         ARRAY, the pointer (direct-map VA) at VAR and
 *                         kho_scratch_cnt (u32) at VAR + 8; the System.map
 *                         names both at 0xffffffff80000000 + their PHYS
 *   poke PHYS HEX         after building, overwrite bytes (corruption tests)
 *   omit PHYS             leave the page out of the ELF (not in the dump)
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "../gen/khoimg.h"

#define PS 4096ULL
#define DIRECT_MAP 0xffff888000000000ULL
#define KIMAGE 0xffffffff80000000ULL
#define MAX_ITEMS 256

const char *kig_prog = "mkkhodump";

#define wr64(p, v) kig_wr_le(p, v, 8)
#define wr32(p, v) kig_wr_le(p, v, 4)
#define wr16(p, v) kig_wr_le(p, v, 2)

/* Errors: "mkkhodump: message", exit status 1 (tests/gen/khoimg.c). */
#define die(...) kig_die(__VA_ARGS__)

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n ? n : 1, s ? s : 1);

	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end)
		die("'%s' is not a number", s);
	return v;
}

/* ---- simulated memory: the pages we wrote ---- */

struct page {
	uint64_t pa;
	uint8_t data[PS];
};

static struct page **pages;
static size_t npages, cappages;

static uint8_t *page_at(uint64_t pa, bool create)
{
	pa &= ~(PS - 1);
	for (size_t i = 0; i < npages; i++)
		if (pages[i]->pa == pa)
			return pages[i]->data;
	if (!create)
		return NULL;
	if (npages == cappages) {
		cappages = cappages ? cappages * 2 : 256;
		pages = realloc(pages, cappages * sizeof(*pages));
		if (!pages)
			die("out of memory");
	}
	pages[npages] = xcalloc(1, sizeof(**pages));
	pages[npages]->pa = pa;
	return pages[npages++]->data;
}

static void mem_write(uint64_t pa, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		size_t off = pa & (PS - 1), n = PS - off;

		if (n > len)
			n = len;
		memcpy(page_at(pa, true) + off, b, n);
		pa += n;
		b += n;
		len -= n;
	}
}

/* ---- allocator and the preserved set ---- */

static uint64_t alloc_next = 0x1000000, mem_end = 0x8000000;

struct block {
	uint64_t pa;
	unsigned int order;
};

static struct block blocks[1 << 14];
static size_t nblocks;

static void preserve(uint64_t pa, unsigned int order)
{
	if (nblocks == sizeof(blocks) / sizeof(blocks[0]))
		die("too many blocks");
	if (pa & ((PS << order) - 1))
		die("block 0x%" PRIx64 " not aligned to order %u", pa, order);
	blocks[nblocks].pa = pa;
	blocks[nblocks++].order = order;
}

/* Naturally aligned pages from the bump allocator (like the buddy allocator). */
static uint64_t alloc_pages(unsigned int order)
{
	uint64_t sz = PS << order;
	uint64_t pa = (alloc_next + sz - 1) & ~(sz - 1);

	alloc_next = pa + sz;
	if (alloc_next > mem_end)
		die("allocator ran past mem_end");
	for (uint64_t p = pa; p < pa + sz; p += PS)
		page_at(p, true);
	return pa;
}

static unsigned int order_for(uint64_t bytes)
{
	unsigned int o = 0;

	while ((PS << o) < bytes)
		o++;
	return o;
}

/* kho_alloc_preserve(): zeroed folio of get_order(size), preserved. */
static uint64_t alloc_preserve(uint64_t bytes)
{
	unsigned int o = order_for(bytes);
	uint64_t pa = alloc_pages(o);

	preserve(pa, o);
	return pa;
}

/* ---- radix tree (KHO_ABI.md §1.2-1.3, 4 KiB pages) ---- */

static uint64_t radix_root;

/* The encoder's view of the simulated memory (tests/gen/khoimg.h). */
static uint8_t *tree_page(void *ctx, uint64_t pa)
{
	(void)ctx;
	return page_at(pa, false);
}

static uint64_t tree_alloc(void *ctx, unsigned int level)
{
	(void)ctx;
	(void)level;
	return alloc_pages(0);
}

static void radix_add(uint64_t pa, unsigned int order)
{
	static const struct kig_tree_ops ops = { tree_page, tree_alloc };
	struct kig_geom g = KIG_GEOM_4K;

	kig_tree_set(&g, &ops, NULL, radix_root, pa, order, true);
}

/* ---- the spec ---- */

enum sub_kind { SUB_FDT, SUB_MEMBLOCK, SUB_KEXEC, SUB_LUO, SUB_TEST, SUB_RAW };

struct sub {
	enum sub_kind kind;
	char *name;
	char *compat;
	char *props[16];
	int nprops;
	uint8_t *raw;
	size_t rawlen;
	uint64_t phys, size;
	uint8_t *bytes;		/* the blob as written */
};

struct luo_session {
	char *name;
	char *fcompat[16];
	uint64_t fdata[16], ftoken[16];
	int nfiles;
};

static char *compatible;
static bool full, vmcoreinfo;
static char *vmci_lines[32];
static int nvmci;
static struct sub subs[32];
static int nsubs;
static struct { char *name; uint64_t start, size; } regions[16];
static int nregions;
static uint32_t km_version, km_count;
static char *km_release;
static uint64_t luo_number;
static struct luo_session sessions[16];
static int nsessions;
static unsigned int test_orders[64];
static int ntest;
static uint64_t copies[8], stale_pa[8], stale_root[8];
static int ncopies, nstale;
static uint64_t kho_out_pa;
static bool have_kho_out;
static uint64_t scr_pa[8], scr_len[8];
static int nscratch;
static struct { uint64_t pa; uint8_t b[64]; size_t n; } pokes[16];
static int npokes;
static uint64_t omits[16];
static int nomits;
static struct { char *name; uint64_t page; } unpres[8];
static int nunpres;
static uint64_t kscr_var, kscr_array;
static bool have_kscr;

static unsigned int version(void)
{
	return strncmp(compatible, "kho-v", 5) ? 2 : (unsigned int)atoi(compatible + 5);
}

static struct sub *new_sub(enum sub_kind k, const char *name)
{
	if (nsubs == 32)
		die("too many sub-nodes");
	subs[nsubs].kind = k;
	subs[nsubs].name = xstrdup(name);
	return &subs[nsubs++];
}

static bool have_sub(enum sub_kind k)
{
	for (int i = 0; i < nsubs; i++)
		if (subs[i].kind == k)
			return true;
	return false;
}

static void parse(FILE *f)
{
	char line[4096];
	unsigned int ln = 0;

	while (fgets(line, sizeof(line), f)) {
		char *a[40], *p = strchr(line, '#');
		int n = 0;

		ln++;
		if (p)
			*p = '\0';
		for (p = strtok(line, " \t\r\n"); p && n < 40; p = strtok(NULL, " \t\r\n"))
			a[n++] = p;
		if (!n)
			continue;
#define NEED(k) do { if (n != (k) + 1) die("line %u: '%s' takes %d arguments", ln, a[0], k); } while (0)
		if (!strcmp(a[0], "compatible")) {
			NEED(1);
			free(compatible);
			compatible = xstrdup(a[1]);
		} else if (!strcmp(a[0], "mem_end")) {
			NEED(1);
			mem_end = num(a[1]);
		} else if (!strcmp(a[0], "alloc")) {
			NEED(1);
			alloc_next = num(a[1]);
		} else if (!strcmp(a[0], "full")) {
			NEED(1);
			full = !strcmp(a[1], "on");
		} else if (!strcmp(a[0], "vmcoreinfo")) {
			NEED(1);
			vmcoreinfo = !strcmp(a[1], "on");
		} else if (!strcmp(a[0], "vmcoreinfo-line")) {
			NEED(1);
			if (nvmci == 32)
				die("too many vmcoreinfo lines");
			vmci_lines[nvmci++] = xstrdup(a[1]);
		} else if (!strcmp(a[0], "block")) {
			NEED(2);
			preserve(num(a[1]), (unsigned int)num(a[2]));
		} else if (!strcmp(a[0], "sub-fdt")) {
			struct sub *s;

			if (n < 3)
				die("line %u: sub-fdt NAME COMPAT [PROP=U64]...", ln);
			s = new_sub(SUB_FDT, a[1]);
			s->compat = xstrdup(a[2]);
			for (int i = 3; i < n && s->nprops < 16; i++)
				s->props[s->nprops++] = xstrdup(a[i]);
		} else if (!strcmp(a[0], "memblock")) {
			NEED(3);
			if (!have_sub(SUB_MEMBLOCK))
				new_sub(SUB_MEMBLOCK, "memblock");
			if (nregions == 16)
				die("too many regions");
			regions[nregions].name = xstrdup(a[1]);
			regions[nregions].start = num(a[2]);
			regions[nregions++].size = num(a[3]);
		} else if (!strcmp(a[0], "kexec-metadata")) {
			NEED(3);
			new_sub(SUB_KEXEC, "kexec-metadata");
			km_version = (uint32_t)num(a[1]);
			km_release = xstrdup(a[2]);
			km_count = (uint32_t)num(a[3]);
		} else if (!strcmp(a[0], "luo")) {
			NEED(1);
			new_sub(SUB_LUO, "LUO");
			luo_number = num(a[1]);
		} else if (!strcmp(a[0], "luo-session")) {
			NEED(1);
			if (nsessions == 16)
				die("too many sessions");
			sessions[nsessions++].name = xstrdup(a[1]);
		} else if (!strcmp(a[0], "luo-file")) {
			struct luo_session *s;

			NEED(3);
			if (!nsessions)
				die("line %u: luo-file before luo-session", ln);
			s = &sessions[nsessions - 1];
			if (s->nfiles == 16)
				die("too many files");
			s->fcompat[s->nfiles] = xstrdup(a[1]);
			s->fdata[s->nfiles] = num(a[2]);
			s->ftoken[s->nfiles++] = num(a[3]);
		} else if (!strcmp(a[0], "kho-test")) {
			new_sub(SUB_TEST, "kho_test");
			for (int i = 1; i < n && ntest < 64; i++)
				test_orders[ntest++] = (unsigned int)num(a[i]);
		} else if (!strcmp(a[0], "raw")) {
			struct sub *s;
			size_t l;

			NEED(2);
			s = new_sub(SUB_RAW, a[1]);
			l = strlen(a[2]) / 2;
			s->raw = xcalloc(l, 1);
			for (size_t i = 0; i < l; i++) {
				unsigned int b;

				if (sscanf(a[2] + 2 * i, "%2x", &b) != 1)
					die("line %u: bad hex", ln);
				s->raw[i] = (uint8_t)b;
			}
			s->rawlen = l;
		} else if (!strcmp(a[0], "raw-zero")) {
			struct sub *s;

			NEED(2);
			s = new_sub(SUB_RAW, a[1]);
			s->rawlen = (size_t)num(a[2]);
			if (!s->rawlen || s->rawlen > (64u << 20))
				die("line %u: raw-zero of 1 to 64 MiB", ln);
			s->raw = xcalloc(s->rawlen, 1);
		} else if (!strcmp(a[0], "unpreserve")) {
			NEED(2);
			if (nunpres == 8)
				die("too many unpreserve");
			unpres[nunpres].name = xstrdup(a[1]);
			unpres[nunpres++].page = num(a[2]);
		} else if (!strcmp(a[0], "kho_scratch")) {
			NEED(2);
			kscr_var = num(a[1]);
			kscr_array = num(a[2]);
			have_kscr = true;
		} else if (!strcmp(a[0], "fdt-copy")) {
			NEED(1);
			copies[ncopies++ & 7] = num(a[1]);
		} else if (!strcmp(a[0], "fdt-stale")) {
			NEED(2);
			stale_pa[nstale & 7] = num(a[1]);
			stale_root[nstale++ & 7] = num(a[2]);
		} else if (!strcmp(a[0], "kho_out")) {
			NEED(1);
			kho_out_pa = num(a[1]);
			have_kho_out = true;
		} else if (!strcmp(a[0], "poke")) {
			size_t l;

			NEED(2);
			if (npokes == 16)
				die("too many pokes");
			l = strlen(a[2]) / 2;
			if (l > 64)
				die("line %u: poke at most 64 bytes", ln);
			pokes[npokes].pa = num(a[1]);
			for (size_t i = 0; i < l; i++) {
				unsigned int b;

				if (sscanf(a[2] + 2 * i, "%2x", &b) != 1)
					die("line %u: bad hex", ln);
				pokes[npokes].b[i] = (uint8_t)b;
			}
			pokes[npokes++].n = l;
		} else if (!strcmp(a[0], "omit")) {
			NEED(1);
			if (nomits == 16)
				die("too many omits");
			omits[nomits++] = num(a[1]) & ~(PS - 1);
		} else if (!strcmp(a[0], "scratch")) {
			NEED(2);
			scr_pa[nscratch & 7] = num(a[1]);
			scr_len[nscratch++ & 7] = num(a[2]);
		} else {
			die("line %u: unknown directive '%s'", ln, a[0]);
		}
	}
}

/* ---- blobs ---- */

#define FDT_OK(x) do { int r_ = (x); if (r_) die("%s: %s", #x, fdt_strerror(r_)); } while (0)

static void prop_u64(void *fdt, const char *name, uint64_t v)
{
	uint8_t b[8];

	wr64(b, v);	/* CPU order, as fdt_property(fdt, name, &u64, 8) */
	FDT_OK(fdt_property(fdt, name, b, 8));
}

static void prop_u32(void *fdt, const char *name, uint32_t v)
{
	uint8_t b[4];

	wr32(b, v);
	FDT_OK(fdt_property(fdt, name, b, 4));
}

/* Place a blob: kho_alloc_preserve(len) and copy it in. */
static void place(struct sub *s, const void *buf, size_t len)
{
	s->phys = alloc_preserve(len);
	s->size = len;
	s->bytes = xcalloc(len, 1);
	memcpy(s->bytes, buf, len);
	mem_write(s->phys, buf, len);
}

static void build_fdt_sub(struct sub *s)
{
	uint8_t buf[PS];

	FDT_OK(fdt_create(buf, PS));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_property_string(buf, "compatible", s->compat));
	for (int i = 0; i < s->nprops; i++) {
		char *eq = strchr(s->props[i], '=');

		if (!eq)
			die("sub-fdt property '%s' is not NAME=U64", s->props[i]);
		*eq = '\0';
		prop_u64(buf, s->props[i], num(eq + 1));
	}
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_finish(buf));
	place(s, buf, fdt_totalsize(buf));
}

/* include/linux/kho/abi/memblock.h: memblock-v1 / reserve-mem-v1. */
static void build_memblock(struct sub *s)
{
	uint8_t buf[PS];

	FDT_OK(fdt_create(buf, PS));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_property_string(buf, "compatible", "memblock-v1"));
	for (int i = 0; i < nregions; i++) {
		FDT_OK(fdt_begin_node(buf, regions[i].name));
		FDT_OK(fdt_property_string(buf, "compatible", "reserve-mem-v1"));
		prop_u64(buf, "start", regions[i].start);
		prop_u64(buf, "size", regions[i].size);
		FDT_OK(fdt_end_node(buf));
		preserve(regions[i].start, 0);
	}
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_finish(buf));
	place(s, buf, fdt_totalsize(buf));
}

/* include/linux/kho/abi/kexec_metadata.h: packed, 73 bytes. */
static void build_kexec(struct sub *s)
{
	uint8_t b[73] = { 0 };

	wr32(b, km_version);
	strncpy((char *)b + 4, km_release, 64);
	wr32(b + 69, km_count);
	place(s, b, sizeof(b));
}

/* include/linux/kho/abi/luo.h, kernel/liveupdate/luo_session.c. */
static void build_luo(struct sub *s)
{
	uint64_t hdr = alloc_preserve(16 * PS);	/* LUO_SESSION_PGCNT */
	uint8_t buf[PS], cnt[8];

	wr64(cnt, (uint64_t)nsessions);
	mem_write(hdr, cnt, 8);
	for (int i = 0; i < nsessions; i++) {
		uint8_t ser[80] = { 0 };
		uint64_t files = 0;

		strncpy((char *)ser, sessions[i].name, 63);
		if (sessions[i].nfiles) {
			files = alloc_preserve(2 * PS);	/* LUO_FILE_PGCNT */
			for (int k = 0; k < sessions[i].nfiles; k++) {
				uint8_t fs[64] = { 0 };

				strncpy((char *)fs, sessions[i].fcompat[k], 47);
				wr64(fs + 48, sessions[i].fdata[k]);
				wr64(fs + 56, sessions[i].ftoken[k]);
				mem_write(files + 64 * (uint64_t)k, fs, 64);
			}
		}
		wr64(ser + 64, files);
		wr64(ser + 72, (uint64_t)sessions[i].nfiles);
		mem_write(hdr + 8 + 80 * (uint64_t)i, ser, 80);
	}
	FDT_OK(fdt_create(buf, PS));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_property_string(buf, "compatible", "luo-v1"));
	prop_u64(buf, "liveupdate-number", luo_number);
	FDT_OK(fdt_begin_node(buf, "luo-session"));
	FDT_OK(fdt_property_string(buf, "compatible", "luo-session-v2"));
	prop_u64(buf, "luo-session-header", hdr);
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_finish(buf));
	place(s, buf, fdt_totalsize(buf));
}

/*
 * lib/test_kho.c: folios, a vmalloc'ed array of "pa | order" preserved
 * with kho_preserve_vmalloc (order-0 pages, chunk list of preserved
 * pages), and the kho-test-v1 FDT.
 */
static void build_test(struct sub *s)
{
	uint64_t folios[64] = { 0 }, area[8], chunk;
	uint8_t buf[PS], desc[16] = { 0 }, *arr;
	unsigned int npg = (unsigned int)((ntest * 8 + PS - 1) / PS);

	for (int i = 0; i < ntest; i++) {
		folios[i] = alloc_pages(test_orders[i]);
		preserve(folios[i], test_orders[i]);
	}
	arr = xcalloc(npg, PS);
	for (int i = 0; i < ntest; i++)
		wr64(arr + 8 * i, folios[i] | test_orders[i]);
	chunk = alloc_pages(0);
	preserve(chunk, 0);
	for (unsigned int p = 0; p < npg; p++) {
		area[p] = alloc_pages(0);
		preserve(area[p], 0);
		mem_write(area[p], arr + p * PS, PS);
		wr64(page_at(chunk, false) + 8 + 8 * p, area[p]);
	}
	free(arr);
	wr64(desc, chunk);
	wr32(desc + 8, npg);
	wr16(desc + 12, 0x1);	/* KHO_VMALLOC_ALLOC */
	wr16(desc + 14, 0);
	FDT_OK(fdt_create(buf, PS));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_property(buf, "compatible", "kho-test-v1", sizeof("kho-test-v1")));
	prop_u32(buf, "magic", 0x4b484f21);
	FDT_OK(fdt_begin_node(buf, "data"));
	prop_u32(buf, "nr_folios", (uint32_t)ntest);
	FDT_OK(fdt_property(buf, "folios_info", desc, 16));
	prop_u32(buf, "csum", 0x1234abcd);
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_finish(buf));
	place(s, buf, fdt_totalsize(buf));
}

/* ---- root FDT ---- */

static uint64_t fdt_phys;
static uint8_t root_fdt[PS];

static void build_root(void *buf, const char *compat, uint64_t map, bool with_subs)
{
	unsigned int v = version();

	FDT_OK(fdt_create(buf, PS));
	FDT_OK(fdt_finish_reservemap(buf));
	FDT_OK(fdt_begin_node(buf, ""));
	FDT_OK(fdt_property_string(buf, "compatible", compat));
	prop_u64(buf, "preserved-memory-map", map);
	for (int i = 0; with_subs && i < nsubs; i++) {
		FDT_OK(fdt_begin_node(buf, subs[i].name));
		prop_u64(buf, v == 1 ? "fdt" : "preserved-data", subs[i].phys);
		if (v >= 3)
			prop_u64(buf, "blob-size", subs[i].size);
		FDT_OK(fdt_end_node(buf));
	}
	FDT_OK(fdt_end_node(buf));
	FDT_OK(fdt_finish(buf));
}

/* ---- outputs ---- */

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		die("cannot write '%s': %s", path, strerror(errno));
}

static int cmp_page(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a, *y = *(struct page *const *)b;

	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

static void write_elf(const char *path)
{
	struct kig_core core;
	uint8_t *notes = NULL;
	char vmci[4096];
	size_t nl = 0, vl;
	uint64_t at = 0;

	vl = (size_t)snprintf(vmci, sizeof(vmci), "OSRELEASE=7.2.0-khotest\nPAGESIZE=4096\n");
	for (int i = 0; i < nvmci; i++)
		vl += (size_t)snprintf(vmci + vl, sizeof(vmci) - vl, "%s\n", vmci_lines[i]);
	if (vmcoreinfo)
		notes = kig_note("VMCOREINFO", 0, vmci, vl, &nl, NULL);
	/* the last page of memory is always dumped, so the end is known */
	page_at(mem_end - PS, true);
	for (int k = 0; k < nomits; k++)
		for (size_t i = 0; i < npages; i++)
			if (pages[i]->pa == omits[k])
				free(pages[i]), pages[i] = pages[--npages];
	qsort(pages, npages, sizeof(*pages), cmp_page);
	kig_core_init(&core, PS, DIRECT_MAP, notes, nl, true);
	if (full)
		kig_core_load(&core, 0, mem_end, false);
	else
		for (size_t i = 0; i < npages; i++)
			kig_core_load(&core, pages[i]->pa, PS, true);
	kig_core_open(&core, path);
	/* a full dump leaves the pages never written as holes */
	for (size_t i = 0; i < npages; i++) {
		if (full) {
			kig_core_skip(&core, pages[i]->pa - at);
			at = pages[i]->pa + PS;
		}
		kig_core_put(&core, pages[i]->data, PS);
	}
	kig_core_close(&core, 0);
	free(notes);
}

static void write_debugfs(const char *dir)
{
	char p[4096];
	FILE *a, *b;

	snprintf(p, sizeof(p), "%s/out", dir);
	mkdir(dir, 0755);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/out/sub_fdts", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/out/fdt", dir);
	write_file(p, root_fdt, fdt_totalsize(root_fdt));
	for (int i = 0; i < nsubs; i++) {
		snprintf(p, sizeof(p), "%s/out/sub_fdts/%s", dir, subs[i].name);
		write_file(p, subs[i].bytes, subs[i].size);
	}
	snprintf(p, sizeof(p), "%s/out/scratch_phys", dir);
	a = fopen(p, "w");
	snprintf(p, sizeof(p), "%s/out/scratch_len", dir);
	b = fopen(p, "w");
	if (!a || !b)
		die("cannot write scratch files in '%s'", dir);
	for (int i = 0; i < nscratch; i++) {
		fprintf(a, "0x%" PRIx64 "\n", scr_pa[i]);
		fprintf(b, "0x%" PRIx64 "\n", scr_len[i]);
	}
	fclose(a);
	fclose(b);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "elf", required_argument, NULL, 'e' },
		{ "fdt", required_argument, NULL, 'f' },
		{ "debugfs", required_argument, NULL, 'd' },
		{ "system-map", required_argument, NULL, 's' },
		{ "info", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char *elf = NULL, *fdtf = NULL, *dbg = NULL, *smap = NULL, *info = NULL;
	FILE *f;
	int opt;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'e': elf = optarg; break;
		case 'f': fdtf = optarg; break;
		case 'd': dbg = optarg; break;
		case 's': smap = optarg; break;
		case 'i': info = optarg; break;
		default:
			fprintf(stderr, "usage: %s [--elf F] [--fdt F] [--debugfs D] [--system-map F] [--info F] SPEC\n", kig_prog);
			return 2;
		}
	}
	if (optind != argc - 1)
		die("give one SPEC ('-' for stdin)");
	f = strcmp(argv[optind], "-") ? fopen(argv[optind], "r") : stdin;
	if (!f)
		die("cannot open '%s': %s", argv[optind], strerror(errno));
	compatible = xstrdup("kho-v3");
	parse(f);
	if (f != stdin)
		fclose(f);

	/* kho_alloc_preserve(PAGE_SIZE) for the root FDT comes first. */
	fdt_phys = alloc_preserve(PS);
	for (int i = 0; i < nsubs; i++) {
		switch (subs[i].kind) {
		case SUB_FDT: build_fdt_sub(&subs[i]); break;
		case SUB_MEMBLOCK: build_memblock(&subs[i]); break;
		case SUB_KEXEC: build_kexec(&subs[i]); break;
		case SUB_LUO: build_luo(&subs[i]); break;
		case SUB_TEST: build_test(&subs[i]); break;
		case SUB_RAW: place(&subs[i], subs[i].raw, subs[i].rawlen); break;
		}
	}
	for (int u = 0; u < nunpres; u++) {
		const struct sub *s = NULL;
		uint64_t pa;
		size_t i;

		for (int k = 0; k < nsubs; k++)
			if (!strcmp(subs[k].name, unpres[u].name))
				s = &subs[k];
		if (!s)
			die("unpreserve: no sub-node '%s'", unpres[u].name);
		pa = s->phys + unpres[u].page * PS;
		for (i = 0; i < nblocks; i++)
			if (pa >= blocks[i].pa && pa < blocks[i].pa + (PS << blocks[i].order))
				break;
		if (i == nblocks)
			die("unpreserve: page 0x%" PRIx64 " is not preserved", pa);
		{
			struct block b = blocks[i];

			blocks[i] = blocks[--nblocks];
			for (uint64_t p = b.pa; p < b.pa + (PS << b.order); p += PS)
				if (p != pa)
					preserve(p, 0);
		}
	}
	radix_root = alloc_pages(0);
	for (size_t i = 0; i < nblocks; i++)
		radix_add(blocks[i].pa, blocks[i].order);
	build_root(root_fdt, compatible, radix_root, true);
	mem_write(fdt_phys, root_fdt, PS);
	for (int i = 0; i < ncopies; i++)
		mem_write(copies[i], root_fdt, PS);
	for (int i = 0; i < nstale; i++) {
		uint8_t st[PS];

		build_root(st, "kho-v2", stale_root[i], false);
		mem_write(stale_pa[i], st, PS);
	}
	if (have_kho_out) {
		uint8_t ko[16] = { 0 };

		wr64(ko, DIRECT_MAP + fdt_phys);
		mem_write(kho_out_pa, ko, sizeof(ko));
	}
	if (have_kscr) {
		uint8_t v[12], e[16];

		wr64(v, DIRECT_MAP + kscr_array);
		wr32(v + 8, (uint32_t)nscratch);
		mem_write(kscr_var, v, sizeof(v));
		for (int i = 0; i < nscratch && i < 8; i++) {
			wr64(e, scr_pa[i]);
			wr64(e + 8, scr_len[i]);
			mem_write(kscr_array + 16ULL * (uint64_t)i, e, sizeof(e));
		}
	}
	for (int i = 0; i < npokes; i++) {
		mem_write(pokes[i].pa, pokes[i].b, pokes[i].n);
		if (pokes[i].pa >= fdt_phys && pokes[i].pa < fdt_phys + PS)
			memcpy(root_fdt, page_at(fdt_phys, false), PS);
	}
	if (elf)
		write_elf(elf);
	if (fdtf)
		write_file(fdtf, root_fdt, fdt_totalsize(root_fdt));
	if (dbg)
		write_debugfs(dbg);
	if (smap) {
		FILE *m = fopen(smap, "w");

		if (!m)
			die("cannot write '%s'", smap);
		fprintf(m, "ffffffff81000000 T _text\n");
		if (have_kho_out)
			fprintf(m, "%016" PRIx64 " d kho_out\n", (uint64_t)(KIMAGE + kho_out_pa));
		if (have_kscr)
			fprintf(m, "%016" PRIx64 " B kho_scratch\n%016" PRIx64 " B kho_scratch_cnt\n",
				(uint64_t)(KIMAGE + kscr_var), (uint64_t)(KIMAGE + kscr_var + 8));
		fclose(m);
	}
	if (info) {
		FILE *m = fopen(info, "w");

		if (!m)
			die("cannot write '%s'", info);
		fprintf(m, "fdt_phys 0x%" PRIx64 "\nroot_phys 0x%" PRIx64 "\n", fdt_phys, radix_root);
		for (int i = 0; i < nsubs; i++)
			fprintf(m, "sub %s 0x%" PRIx64 " %" PRIu64 "\n", subs[i].name,
				subs[i].phys, subs[i].size);
		fclose(m);
	}
	return 0;
}
