// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkkhoimg - write Kexec HandOver preserved-memory maps into simulated
 * physical memory and dump that memory as raw images, ELF vmcores and
 * kdump-compressed vmcores, together with the outputs a correct reader must
 * produce.
 *
 * This is the test suite's *independent* writer (DESIGN.md §4): it shares no
 * code with lib/. Key encoding, the radix tree builder, the kho-v1 chunk
 * serializer, and the dump writers are all written here from the ABI text
 * (KHO_ABI.md §1, §2), and checked against the golden trees of DESIGN.md §3
 * by tests/gen/golden.t. The spec language is documented in
 * tests/gen/README.md.
 */
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <search.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>
#include <zlib.h>

#include "khoimg.h"

#ifndef KHOTOOLS_VERSION
#define KHOTOOLS_VERSION "unknown"
#endif

/*
 * Limits: every allocation below is bounded by one of these, so a typo in a
 * spec (an arena of 2^60 bytes, a random directive of 10^9 blocks) fails
 * with a message instead of eating the machine.
 */
#define MAX_META_PAGES	(1u << 18)	/* pages we hold in memory */
#define MAX_BLOCKS	(1u << 21)	/* preserved blocks */
#define MAX_ARENA_PAGES	(1ull << 24)	/* arena bitmap: 2 MiB */
#define MAX_MAPNR	(1ull << 28)	/* kdump bitmaps: 32 MiB each */
#define MAX_LINE	(1u << 20)
#define MAX_TOKENS	64
#define MAX_INCLUDE	8
#define MAX_SUBNODES	64
#define MAX_OMITS	4096
#define MAX_VMCI_LINES	64
#define RANDOM_TRIES	10000

/* x86_64 direct map base without KASLR; the fixtures use the same. */
#define DIRECT_MAP	0xffff888000000000ULL

/* kmalloc-512 slab as the upstream 512-byte fixture simulates it. */
#define SLAB_ORDER	1
#define SLAB_SLOTS	16
#define SLAB_OBJ	512

enum format { FMT_RADIX, FMT_V1_512, FMT_V1_PAGE };

enum page_kind {
	PK_TABLE, PK_LEAF, PK_CHUNK, PK_BITMAP, PK_SLAB, PK_FDT, PK_BLOB,
	PK_EXTRA,
};

struct loc {
	const char *file;
	unsigned int line;
};

struct op {
	int kind;
	struct loc loc;
	int argc;
	char **argv;
};

struct page {
	uint64_t pfn;
	uint8_t *data;
	enum page_kind kind;
	unsigned int level;	/* radix: 0 leaf, 1.. tables */
	bool has_bitmap;	/* slab page holding at least one bitmap */
};

struct block {
	uint64_t phys;
	uint64_t end;
	unsigned int order;
	bool live;
	bool system;		/* FDT and sub-blob pages, not user blocks */
};

struct v1bm {
	unsigned int order;
	uint64_t idx;
	uint64_t phys;
};

struct subnode {
	char *name;
	uint64_t phys;
	uint64_t size;
};

struct luo_session {
	char *name;
	uint64_t entry;		/* its 80-byte record */
	uint64_t *fblocks;	/* file blocks, chain order */
	size_t nfblocks, capfblocks;
	uint64_t nfiles;
};

struct luo_memfd {
	uint64_t token, ser, chunk;
};

struct config {
	unsigned int page_shift;
	enum format format;
	char *compatible;
	uint64_t arena_base, arena_size;
	uint64_t seed;
	uint64_t mem_end;
	bool vmcoreinfo;
	char *osrelease;
	char *vmci[MAX_VMCI_LINES];
	unsigned int nvmci;
	bool map_zero;
	bool fdt_preserve;
	bool kdump_compress;
	uint64_t ram_base, ram_size;	/* 'ram': synthetic memory content */
	unsigned int ram_exclude;	/* percent of it left out, in runs */
	/* which directives were given, to reject duplicates */
	bool set_page_size, set_format, set_compatible, set_arena, set_seed,
	     set_mem_end, set_vmcoreinfo, set_osrelease, set_fdt, set_kdump,
	     set_ram;
};

struct stats {
	uint64_t blocks[64];
	uint64_t blocks_total, preserved_bytes, runs;
	uint64_t nodes[8];
	uint64_t leaves, empty_leaves, bits_set, bits_total;
	uint64_t metadata_bytes;
	unsigned int max_order;
};

struct gen {
	struct config c;
	struct op *ops;
	size_t nops, capops;
	char **files;		/* spec file names, kept for struct loc */
	size_t nfiles;

	/* geometry */
	unsigned int shift;
	uint64_t ps;
	unsigned int order0, tbits, lbits, levels, max_order;
	unsigned int v1_bits;	/* bits per kho-v1 bitmap */

	uint64_t rng_place, rng_blocks;

	/* simulated memory: only the pages we wrote */
	struct page **pages;
	size_t npages, cappages;
	uint32_t *hash;
	size_t hcap;

	/* arena allocator */
	uint64_t abase, aend;	/* pfns */
	uint8_t *aused;
	uint64_t cursor;
	bool have_cursor;

	/* preserved set (truth) */
	struct block **blocks;
	size_t nblocks, capblocks;
	void *btree;

	/* radix */
	uint64_t root;

	/* kho-v1 */
	void *bmtree;
	struct v1bm **bms;
	size_t nbms, capbms;
	uint64_t slab_pfn;
	unsigned int slab_free;
	bool have_slab;
	uint64_t *chunks;
	size_t nchunks;

	uint64_t fdt_phys;
	uint64_t map_phys;	/* value of preserved-memory-map */
	struct subnode subs[MAX_SUBNODES];
	unsigned int nsubs;

	/* LUO (kho-v4 "LUO" sub-node), see the LUO section below */
	struct luo_session *luo_sess;
	size_t nluo_sess, capluo_sess;
	struct luo_memfd *luo_memfds;
	size_t nluo_memfds, capluo_memfds;
	uint64_t luo_ser, luo_flb, *luo_sblocks;
	size_t nluo_sblocks, capluo_sblocks;
	uint64_t luo_nflb;
	bool luo_on, luo_unserialized;
	char **luo_info;	/* truth lines for --info */
	size_t nluo_info, capluo_info;

	uint64_t omits[MAX_OMITS];
	unsigned int nomits;
	uint64_t truncate_elf;
	bool finalized;
	struct stats st;
};

const char *kig_prog = "mkkhoimg";

#define rd64(p) kig_rd_le(p, 8)
#define wr64(p, v) kig_wr_le(p, v, 8)
#define wr32(p, v) kig_wr_le(p, v, 4)

/* Errors: "mkkhoimg: message", exit status 1 (tests/gen/khoimg.c). */
#define die(...) kig_die(__VA_ARGS__)

/* The same after the spec's FILE:LINE when @l names one. */
static const char *loc_file(const struct loc *l)
{
	return l ? l->file : NULL;
}

static unsigned int loc_line(const struct loc *l)
{
	return l ? l->line : 0;
}

#define die_at(l, ...) kig_die_at(loc_file(l), loc_line(l), __VA_ARGS__)

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		die("out of memory");
	return p;
}

static void *xreallocarray(void *p, size_t n, size_t sz)
{
	void *q = reallocarray(p, n ? n : 1, sz);

	if (!q)
		die("out of memory");
	return q;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

/* Grow an array to hold at least @need elements. */
#define GROW(arr, cap, need) do {					\
	if ((need) > (cap)) {						\
		size_t ncap_ = (cap) ? (cap) * 2 : 16;			\
		while (ncap_ < (need))					\
			ncap_ *= 2;					\
		(arr) = xreallocarray((arr), ncap_, sizeof(*(arr)));	\
		(cap) = ncap_;						\
	}								\
} while (0)

/* ---------------------------------------------------------------------- */
/* little-endian access and small helpers                                 */
/* ---------------------------------------------------------------------- */

static unsigned int ilog2_u64(uint64_t v)
{
	return 63 - (unsigned int)__builtin_clzll(v);
}

/* splitmix64: tiny, deterministic, good enough to scatter pages */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

/* Numbers: decimal or 0x hex, optional binary suffix K, M, G, T. */
static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;
	unsigned int sh = 0;

	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'K': sh = 10; end++; break;
	case 'M': sh = 20; end++; break;
	case 'G': sh = 30; end++; break;
	case 'T': sh = 40; end++; break;
	default: break;
	}
	if (*end)
		return false;
	if (sh && n > (UINT64_MAX >> sh))
		return false;
	*v = (uint64_t)n << sh;
	return true;
}

static uint64_t num_at(const struct loc *l, const char *s, const char *what)
{
	uint64_t v;

	if (!parse_u64(s, &v))
		die_at(l, "%s: '%s' is not a number", what, s);
	return v;
}

/* ---------------------------------------------------------------------- */
/* simulated memory: pages we wrote, by pfn                               */
/* ---------------------------------------------------------------------- */

static size_t hslot(const struct gen *g, uint64_t pfn)
{
	return (size_t)((pfn * 0x9e3779b97f4a7c15ULL) >> 20) & (g->hcap - 1);
}

static struct page *page_get(const struct gen *g, uint64_t pfn)
{
	if (!g->hcap)
		return NULL;
	for (size_t i = hslot(g, pfn);; i = (i + 1) & (g->hcap - 1)) {
		uint32_t e = g->hash[i];

		if (!e)
			return NULL;
		if (g->pages[e - 1]->pfn == pfn)
			return g->pages[e - 1];
	}
}

static void hash_insert(struct gen *g, size_t idx)
{
	size_t i = hslot(g, g->pages[idx]->pfn);

	while (g->hash[i])
		i = (i + 1) & (g->hcap - 1);
	g->hash[i] = (uint32_t)idx + 1;
}

static struct page *page_new(struct gen *g, uint64_t pfn, enum page_kind kind,
			     unsigned int level)
{
	struct page *p;

	if (page_get(g, pfn))
		die("internal: page 0x%" PRIx64 " written twice", pfn << g->shift);
	if (g->npages >= MAX_META_PAGES)
		die("more than %u metadata pages: spec too large", MAX_META_PAGES);
	if ((g->npages + 1) * 2 > g->hcap) {
		size_t ncap = g->hcap ? g->hcap * 2 : 1024;

		free(g->hash);
		g->hash = xcalloc(ncap, sizeof(*g->hash));
		g->hcap = ncap;
		for (size_t i = 0; i < g->npages; i++)
			hash_insert(g, i);
	}
	GROW(g->pages, g->cappages, g->npages + 1);
	p = xcalloc(1, sizeof(*p));
	p->pfn = pfn;
	p->data = xcalloc(1, g->ps);
	p->kind = kind;
	p->level = level;
	g->pages[g->npages] = p;
	hash_insert(g, g->npages);
	g->npages++;
	return p;
}

/* Pointer into the page holding @phys, with @len bytes available. */
static uint8_t *mem_at(const struct gen *g, uint64_t phys, uint64_t len,
		       const struct loc *l)
{
	struct page *p = page_get(g, phys >> g->shift);
	uint64_t off = phys & (g->ps - 1);

	if (!p)
		die_at(l, "0x%" PRIx64 " is not in a page the generator wrote",
		       phys);
	if (off + len > g->ps)
		die_at(l, "%" PRIu64 " bytes at 0x%" PRIx64 " cross a page end",
		       len, phys);
	return p->data + off;
}

/* ---------------------------------------------------------------------- */
/* arena allocator                                                        */
/* ---------------------------------------------------------------------- */

static bool arena_test(const struct gen *g, uint64_t pfn)
{
	uint64_t i = pfn - g->abase;

	return g->aused[i / 8] & (1u << (i % 8));
}

static void arena_mark(struct gen *g, uint64_t pfn)
{
	uint64_t i = pfn - g->abase;

	g->aused[i / 8] |= (uint8_t)(1u << (i % 8));
}

/*
 * Kernel allocations are neither monotonic nor fully random: the buddy
 * allocator hands out runs of neighbours, then jumps. Half the time we take
 * the next free block after the previous one, otherwise a random one, so
 * pointers go backwards and forwards and the dump has a realistic number of
 * PT_LOAD runs.
 */
static uint64_t arena_alloc(struct gen *g, unsigned int order)
{
	uint64_t n = 1ULL << order;
	uint64_t first = (g->abase + n - 1) & ~(n - 1);
	uint64_t span, start;

	if (first >= g->aend || g->aend - first < n)
		die("arena too small for an order-%u allocation", order);
	span = (g->aend - first) / n;
	if (g->have_cursor && rng_below(&g->rng_place, 2) &&
	    g->cursor >= first && g->cursor < g->aend)
		start = ((g->cursor + n - 1) & ~(n - 1)) - first;
	else
		start = rng_below(&g->rng_place, span) * n;
	start /= n;
	for (uint64_t i = 0; i < span; i++) {
		uint64_t cand = first + ((start + i) % span) * n;
		uint64_t j;

		for (j = 0; j < n && !arena_test(g, cand + j); j++)
			;
		if (j < n)
			continue;
		for (j = 0; j < n; j++)
			arena_mark(g, cand + j);
		g->cursor = cand + n;
		g->have_cursor = true;
		return cand;
	}
	die("arena full: no free order-%u block left (make 'arena' larger)",
	    order);
}

static struct page *alloc_meta(struct gen *g, enum page_kind kind,
			       unsigned int level)
{
	return page_new(g, arena_alloc(g, 0), kind, level);
}

/* ---------------------------------------------------------------------- */
/* the preserved set                                                      */
/* ---------------------------------------------------------------------- */

/*
 * Blocks never overlap, so "overlaps" is a consistent equality for a
 * search tree ordered by address: a probe finds any block it overlaps.
 */
static int block_cmp(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	if (x->end <= y->phys)
		return -1;
	if (y->end <= x->phys)
		return 1;
	return 0;
}

static int bm_cmp(const void *a, const void *b)
{
	const struct v1bm *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

static struct kig_geom geom(const struct gen *g)
{
	return (struct kig_geom){ g->shift, g->order0, g->lbits, g->tbits,
				  g->levels };
}

static uint64_t radix_key(const struct gen *g, uint64_t phys,
			  unsigned int order)
{
	struct kig_geom k = geom(g);

	return kig_key(&k, phys, order);
}

static uint64_t radix_index(const struct gen *g, uint64_t key,
			    unsigned int level)
{
	struct kig_geom k = geom(g);

	return kig_index(&k, key, level);
}

static struct page *table_at(const struct gen *g, uint64_t phys,
			     const struct loc *l)
{
	struct page *p;

	if (phys & (g->ps - 1))
		die_at(l, "table pointer 0x%" PRIx64 " is not page aligned",
		       phys);
	p = page_get(g, phys >> g->shift);
	if (!p)
		die_at(l, "table pointer 0x%" PRIx64 " leads outside the tree",
		       phys);
	return p;
}

/* The encoder's view of the arena (khoimg.h). */
static uint8_t *tree_page(void *ctx, uint64_t phys)
{
	return table_at(ctx, phys, NULL)->data;
}

static uint64_t tree_alloc(void *ctx, unsigned int level)
{
	struct gen *g = ctx;

	return alloc_meta(g, level ? PK_TABLE : PK_LEAF, level)->pfn << g->shift;
}

static const struct kig_tree_ops tree_ops = { tree_page, tree_alloc };

static void radix_set(struct gen *g, uint64_t phys, unsigned int order,
		      bool on)
{
	struct kig_geom k = geom(g);

	if (!kig_tree_set(&k, &tree_ops, g, g->root, phys, order, on))
		die("internal: clearing an absent key");
}

/*
 * kho-v1 bitmaps. 6.16/6.17 allocate 512-byte bitmaps with kzalloc(), so
 * they live in kmalloc-512 slabs next to unrelated objects; 6.18 on use
 * whole pages (KHO_ABI §2.4). A slab is an order-1 block with 16 slots,
 * handed out in random order; a few slots belong to someone else and hold
 * junk, so a reader that over-reads a bitmap sees garbage, as on a real
 * kernel. Slab pages that end up holding no bitmap are not dumped.
 */
static uint64_t v1_alloc_bitmap(struct gen *g)
{
	unsigned int k, slot, nfree;
	struct page *p;

	if (g->c.format == FMT_V1_PAGE)
		return alloc_meta(g, PK_BITMAP, 0)->pfn << g->shift;

	if (!g->have_slab || !g->slab_free) {
		uint64_t pfn = arena_alloc(g, SLAB_ORDER);
		unsigned int njunk = (unsigned int)rng_below(&g->rng_place, 5);

		for (unsigned int i = 0; i < (1u << SLAB_ORDER); i++)
			page_new(g, pfn + i, PK_SLAB, 0);
		g->slab_pfn = pfn;
		g->slab_free = (1u << SLAB_SLOTS) - 1;
		g->have_slab = true;
		for (unsigned int i = 0; i < njunk; i++) {
			uint64_t off;
			uint8_t *d;

			slot = (unsigned int)rng_below(&g->rng_place,
						       SLAB_SLOTS);
			if (!(g->slab_free & (1u << slot)))
				continue;
			g->slab_free &= ~(1u << slot);
			off = (uint64_t)slot * SLAB_OBJ;
			d = page_get(g, pfn + off / g->ps)->data +
			    off % g->ps;
			for (unsigned int b = 0; b < SLAB_OBJ; b += 8)
				wr64(d + b, rng_next(&g->rng_place));
		}
	}
	nfree = (unsigned int)__builtin_popcount(g->slab_free);
	k = (unsigned int)rng_below(&g->rng_place, nfree);
	for (slot = 0; slot < SLAB_SLOTS; slot++)
		if ((g->slab_free & (1u << slot)) && !k--)
			break;
	g->slab_free &= ~(1u << slot);
	p = page_get(g, g->slab_pfn + (uint64_t)slot * SLAB_OBJ / g->ps);
	p->has_bitmap = true;
	/* kzalloc: the slot itself is zero */
	memset(p->data + (uint64_t)slot * SLAB_OBJ % g->ps, 0, SLAB_OBJ);
	return (g->slab_pfn << g->shift) + (uint64_t)slot * SLAB_OBJ;
}

/* KHO_ABI §2.3: xa_index = (pfn >> order) / BITS, bit = remainder */
static void v1_set(struct gen *g, uint64_t phys, unsigned int order, bool on)
{
	uint64_t hi = phys >> (g->shift + order);
	struct v1bm probe = { .order = order, .idx = hi / g->v1_bits };
	uint64_t bit = hi % g->v1_bits;
	struct v1bm **found, *bm;
	uint8_t *d;

	found = tfind(&probe, &g->bmtree, bm_cmp);
	if (found) {
		bm = *found;
	} else {
		if (!on)
			die("internal: clearing an absent v1 bit");
		bm = xcalloc(1, sizeof(*bm));
		*bm = probe;
		bm->phys = v1_alloc_bitmap(g);
		GROW(g->bms, g->capbms, g->nbms + 1);
		g->bms[g->nbms++] = bm;
		if (!tsearch(bm, &g->bmtree, bm_cmp))
			die("out of memory");
	}
	d = mem_at(g, bm->phys + bit / 8, 1, NULL);
	if (on)
		*d |= (uint8_t)(1u << (bit % 8));
	else
		*d &= (uint8_t)~(1u << (bit % 8));
}

static void map_set(struct gen *g, uint64_t phys, unsigned int order, bool on)
{
	if (g->c.format == FMT_RADIX)
		radix_set(g, phys, order, on);
	else
		v1_set(g, phys, order, on);
}

static void preserve(struct gen *g, uint64_t phys, unsigned int order,
		     bool system, const struct loc *l)
{
	struct block *b, **found;

	if (order > g->max_order)
		die_at(l, "order %u is above the highest order %u", order,
		       g->max_order);
	if (phys & ((g->ps << order) - 1))
		die_at(l, "0x%" PRIx64 " is not aligned to order %u", phys,
		       order);
	if (phys + (g->ps << order) < phys || phys + (g->ps << order) == 0)
		die_at(l, "block 0x%" PRIx64 " order %u wraps around", phys,
		       order);
	if (g->nblocks >= MAX_BLOCKS)
		die_at(l, "more than %u blocks", MAX_BLOCKS);
	b = xcalloc(1, sizeof(*b));
	b->phys = phys;
	b->end = phys + (g->ps << order);
	b->order = order;
	b->live = true;
	b->system = system;
	found = tfind(b, &g->btree, block_cmp);
	if (found)
		die_at(l, "block 0x%" PRIx64 " order %u overlaps block 0x%"
		       PRIx64 " order %u", phys, order, (*found)->phys,
		       (*found)->order);
	if (!system) {
		/* Preserved memory is allocated memory: keep metadata out. */
		uint64_t s = phys >> g->shift, e = b->end >> g->shift;

		if (s < g->abase)
			s = g->abase;
		if (e > g->aend)
			e = g->aend;
		for (uint64_t pfn = s; pfn < e; pfn++) {
			if (page_get(g, pfn))
				die_at(l, "block 0x%" PRIx64 " order %u covers "
				       "metadata page 0x%" PRIx64, phys, order,
				       pfn << g->shift);
			arena_mark(g, pfn);
		}
	}
	GROW(g->blocks, g->capblocks, g->nblocks + 1);
	g->blocks[g->nblocks++] = b;
	if (!tsearch(b, &g->btree, block_cmp))
		die("out of memory");
	map_set(g, phys, order, true);
}

static void unpreserve(struct gen *g, uint64_t phys, unsigned int order,
		       const struct loc *l)
{
	struct block probe = { .phys = phys, .end = phys + (g->ps << order) };
	struct block **found = tfind(&probe, &g->btree, block_cmp);
	struct block *b;

	if (!found || (*found)->phys != phys || (*found)->order != order)
		die_at(l, "unpreserve 0x%" PRIx64 " order %u: no such block",
		       phys, order);
	b = *found;
	if (b->system)
		die_at(l, "unpreserve 0x%" PRIx64 ": the generator's own page",
		       phys);
	tdelete(b, &g->btree, block_cmp);
	b->live = false;
	/* Upstream only clears the bit: leaves and bitmaps stay. */
	map_set(g, phys, order, false);
}

/* kho_preserve_pages(): maximal aligned blocks, min(ctz(pfn), ilog2(left)) */
static void preserve_range(struct gen *g, uint64_t phys, uint64_t npages,
			   bool on, const struct loc *l)
{
	uint64_t pfn = phys >> g->shift, end;

	if (phys & (g->ps - 1))
		die_at(l, "range start 0x%" PRIx64 " is not page aligned", phys);
	if (!npages || pfn + npages < pfn || pfn + npages > (UINT64_MAX >> g->shift))
		die_at(l, "bad range length %" PRIu64, npages);
	end = pfn + npages;
	while (pfn < end) {
		unsigned int order = ilog2_u64(end - pfn);

		if (pfn && (unsigned int)__builtin_ctzll(pfn) < order)
			order = (unsigned int)__builtin_ctzll(pfn);
		if (order > g->max_order)
			order = g->max_order;
		if (on)
			preserve(g, pfn << g->shift, order, false, l);
		else
			unpreserve(g, pfn << g->shift, order, l);
		pfn += 1ULL << order;
	}
}

/* ---------------------------------------------------------------------- */
/* FDTs                                                                   */
/* ---------------------------------------------------------------------- */

static void fdt_ok(int err, const char *what)
{
	if (err < 0)
		die("libfdt: %s: %s", what, fdt_strerror(err));
}

/* 1 for kho-v1, N for kho-vN..., 0 if the string is not kho-v<number>. */
static unsigned int compat_version(const char *c)
{
	unsigned long v;
	char *end;

	if (strncmp(c, "kho-v", 5) || !isdigit((unsigned char)c[5]))
		return 0;
	v = strtoul(c + 5, &end, 10);
	return v > 1000 ? 1000 : (unsigned int)v;
}

/*
 * Sub-node properties follow the root compatible (DESIGN §3 table): v1
 * `fdt`, v2 `preserved-data`, v3 and later add `blob-size`. A compatible
 * that is not kho-v<N> falls back to what the format implies.
 */
static unsigned int sub_style(const struct gen *g)
{
	unsigned int v = compat_version(g->c.compatible);

	if (!v)
		v = g->c.format == FMT_RADIX ? 2 : 1;
	return v;
}

static void fdt_sub_props_sw(const struct gen *g, void *fdt,
			     const struct subnode *s)
{
	uint64_t le;
	uint8_t b[8];
	unsigned int v = sub_style(g);

	/* raw CPU-order u64, as upstream's fdt_property(fdt, n, &u64, 8) */
	wr64(b, s->phys);
	fdt_ok(fdt_property(fdt, v == 1 ? "fdt" : "preserved-data", b, 8),
	       "sub-node address");
	if (v >= 3) {
		le = s->size;
		wr64(b, le);
		fdt_ok(fdt_property(fdt, "blob-size", b, 8), "blob-size");
	}
}

/*
 * Root FDT with the sequential-write API, as kho_out_fdt_setup() (v2+) and
 * kho_finalize() (v1) build it: compatible, then preserved-memory-map, then
 * (v1 only) the sub-nodes.
 */
static void fdt_build_root(struct gen *g, bool with_subs)
{
	void *fdt = mem_at(g, g->fdt_phys, g->ps, NULL);
	uint8_t b[8];

	wr64(b, g->map_phys);
	fdt_ok(fdt_create(fdt, (int)g->ps), "fdt_create");
	fdt_ok(fdt_finish_reservemap(fdt), "fdt_finish_reservemap");
	fdt_ok(fdt_begin_node(fdt, ""), "root node");
	fdt_ok(fdt_property_string(fdt, "compatible", g->c.compatible),
	       "compatible");
	fdt_ok(fdt_property(fdt, "preserved-memory-map", b, 8),
	       "preserved-memory-map");
	for (unsigned int i = 0; with_subs && i < g->nsubs; i++) {
		fdt_ok(fdt_begin_node(fdt, g->subs[i].name), "sub-node");
		fdt_sub_props_sw(g, fdt, &g->subs[i]);
		fdt_ok(fdt_end_node(fdt), "sub-node end");
	}
	fdt_ok(fdt_end_node(fdt), "root node end");
	fdt_ok(fdt_finish(fdt), "fdt_finish");
}

/* kho_add_subtree() on a v2+ root: edit in place, then pack. */
static void fdt_add_sub_rw(struct gen *g, const struct subnode *s,
			   const struct loc *l)
{
	void *fdt = mem_at(g, g->fdt_phys, g->ps, NULL);
	unsigned int v = sub_style(g);
	uint8_t b[8];
	int off;

	fdt_ok(fdt_open_into(fdt, fdt, (int)g->ps), "fdt_open_into");
	off = fdt_add_subnode(fdt, 0, s->name);
	if (off == -FDT_ERR_EXISTS)
		die_at(l, "sub-node '%s' given twice", s->name);
	fdt_ok(off, "fdt_add_subnode");
	wr64(b, s->phys);
	fdt_ok(fdt_setprop(fdt, off, v == 1 ? "fdt" : "preserved-data", b, 8),
	       "sub-node address");
	if (v >= 3) {
		wr64(b, s->size);
		fdt_ok(fdt_setprop(fdt, off, "blob-size", b, 8), "blob-size");
	}
	fdt_ok(fdt_pack(fdt), "fdt_pack");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex bytes, optional 0x prefix; returns the length. */
static size_t parse_hex(const char *s, uint8_t **out, const struct loc *l)
{
	size_t n, i;
	uint8_t *buf;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	n = strlen(s);
	if (!n || n % 2)
		die_at(l, "hex bytes '%s': need an even, non-zero number of "
		       "digits", s);
	buf = xcalloc(n / 2, 1);
	for (i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(buf);
			die_at(l, "'%s' is not hex", s);
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = buf;
	return n / 2;
}

/*
 * A client blob: kho_alloc_preserve(size) gives a zeroed folio of
 * get_order(size) and preserves it, so the blob pages are in the map.
 */
static void add_subnode(struct gen *g, const char *name, const uint8_t *data,
			size_t len, const struct loc *l)
{
	uint64_t npages = (len + g->ps - 1) / g->ps, pfn;
	unsigned int order = npages > 1 ? ilog2_u64(npages - 1) + 1 : 0;
	struct subnode *s;

	if (g->nsubs >= MAX_SUBNODES)
		die_at(l, "more than %u sub-nodes", MAX_SUBNODES);
	if (!*name || strchr(name, '/'))
		die_at(l, "bad sub-node name '%s'", name);
	for (unsigned int i = 0; i < g->nsubs; i++)
		if (!strcmp(g->subs[i].name, name))
			die_at(l, "sub-node '%s' given twice", name);
	pfn = arena_alloc(g, order);
	for (uint64_t i = 0; i < (1ULL << order); i++) {
		struct page *p = page_new(g, pfn + i, PK_BLOB, 0);
		uint64_t off = i * g->ps;

		if (off < len)
			memcpy(p->data, data + off,
			       len - off < g->ps ? len - off : g->ps);
	}
	s = &g->subs[g->nsubs++];
	s->name = xstrdup(name);
	s->phys = pfn << g->shift;
	s->size = len;
	preserve(g, s->phys, order, true, l);
	if (g->c.format == FMT_RADIX)
		fdt_add_sub_rw(g, s, l);
}

/* A small sub-FDT such as a client would hand over. */
static void add_subnode_fdt(struct gen *g, const char *name, const char *compat,
			    const struct loc *l)
{
	uint8_t *buf = xcalloc(1, g->ps), seed[8];

	wr64(seed, g->c.seed);
	fdt_ok(fdt_create(buf, (int)g->ps), "fdt_create");
	fdt_ok(fdt_finish_reservemap(buf), "fdt_finish_reservemap");
	fdt_ok(fdt_begin_node(buf, ""), "root node");
	fdt_ok(fdt_property_string(buf, "compatible", compat), "compatible");
	fdt_ok(fdt_property(buf, "seed", seed, 8), "seed");
	fdt_ok(fdt_end_node(buf), "root node end");
	fdt_ok(fdt_finish(buf), "fdt_finish");
	add_subnode(g, name, buf, fdt_totalsize(buf), l);
	free(buf);
}

/* ---------------------------------------------------------------------- */
/* LUO: struct luo_ser, linked blocks, memfd                              */
/* ---------------------------------------------------------------------- */

/*
 * Written from the ABI text of linux-source-7.2.13 (include/linux/kho/abi/
 * luo.h, block.h, memfd.h, kexec_handover.h), not from lib/:
 *  - "LUO" sub-node blob: { char compatible[8]; u64 liveupdate_num;
 *    u64 sessions_pa; u64 flbs_pa; }, in a preserved page of its own;
 *  - linked blocks: one preserved page each, { u64 next; u64 count; } then
 *    entries; the kernel fills a block before it starts the next;
 *  - session 80 bytes { name[64]; u64 files; u64 count; }, file 64 bytes
 *    { compatible[48]; u64 data; u64 token; };
 *  - FLB page: { u64 pgcnt = 1; u64 count; } then 64-byte { name[48];
 *    u64 data; u64 count; };
 *  - memfd-v2: a preserved page with { u64 pos; u64 size; u32 seals;
 *    u32 flags; u64 nr_folios; struct kho_vmalloc folios (16 bytes:
 *    u64 first chunk; u32 total_pages; u16 flags; u16 order) }; the
 *    vmalloc area holds nr_folios x { u64 pfn:52 | flags:12 << 52;
 *    u64 index }; chunks are pages { u64 next; u64 phys[] 0-ended }; every
 *    chunk and area page is preserved at order 0, every folio at its order.
 * sessions_pa stays 0 until the reboot path serializes (luo-unserialized).
 */
static unsigned int order_at(const struct loc *l, const char *s);

#define LUO_SER_SIZE	32
#define LUO_SESSION	80
#define LUO_FILE	64
#define LUO_FLB		64

static void luo_note(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void luo_note(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	GROW(g->luo_info, g->capluo_info, g->nluo_info + 1);
	g->luo_info[g->nluo_info++] = xstrdup(buf);
}

/* A zeroed page from the arena, preserved at order 0 (kho_alloc_preserve). */
static uint64_t luo_page(struct gen *g, const struct loc *l)
{
	uint64_t pa = alloc_meta(g, PK_BLOB, 0)->pfn << g->shift;

	preserve(g, pa, 0, true, l);
	return pa;
}

static void luo_need(const struct gen *g, const struct loc *l)
{
	if (!g->luo_on)
		die_at(l, "no 'luo' directive before this one");
}

static void luo_sync(struct gen *g, const struct loc *l)
{
	uint8_t *p = mem_at(g, g->luo_ser, LUO_SER_SIZE, l);

	wr64(p + 16, g->luo_unserialized || !g->nluo_sblocks ? 0 :
		     g->luo_sblocks[0]);
}

/*
 * Append a slot to a chain of blocks of @esize-byte entries holding @n
 * entries: a new block when the last is full. Returns the slot's address.
 */
static uint64_t chain_append(struct gen *g, uint64_t **blocks, size_t *nb,
			     size_t *cap, uint64_t n, unsigned int esize,
			     const struct loc *l)
{
	uint64_t per = (g->ps - 16) / esize, blk, slot = n % per;

	if (slot == 0) {
		uint64_t pa = luo_page(g, l);

		if (*nb)
			wr64(mem_at(g, (*blocks)[*nb - 1], 8, l), pa);
		GROW(*blocks, *cap, *nb + 1);
		(*blocks)[(*nb)++] = pa;
	}
	blk = (*blocks)[*nb - 1];
	wr64(mem_at(g, blk + 8, 8, l), slot + 1);
	return blk + 16 + slot * esize;
}

static void op_luo(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	const char *compat = op->argc > 2 ? op->argv[2] : "luo-v5";
	uint8_t buf[LUO_SER_SIZE] = { 0 };

	if (g->luo_on)
		die_at(l, "'luo' given twice");
	if (strlen(compat) > 7)
		die_at(l, "LUO compatible '%s' does not fit 8 bytes", compat);
	g->luo_on = true;
	memcpy(buf, compat, strlen(compat));
	wr64(buf + 8, num_at(l, op->argv[1], "live update number"));
	/* luo_flb_setup_outgoing(): one page, pgcnt 1, before the sub-node */
	g->luo_flb = luo_page(g, l);
	wr64(mem_at(g, g->luo_flb, 8, l), 1);
	wr64(buf + 24, g->luo_flb);
	add_subnode(g, "LUO", buf, sizeof(buf), l);
	g->luo_ser = g->subs[g->nsubs - 1].phys;
	luo_note(g, "luo: 0x%" PRIx64 " %s", g->luo_ser, compat);
}

static void op_luo_session(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	struct luo_session *se;
	uint64_t slot;

	luo_need(g, l);
	if (strlen(op->argv[1]) >= 64)
		die_at(l, "session name longer than 63 bytes");
	slot = chain_append(g, &g->luo_sblocks, &g->nluo_sblocks,
			    &g->capluo_sblocks, g->nluo_sess, LUO_SESSION, l);
	memcpy(mem_at(g, slot, 64, l), op->argv[1], strlen(op->argv[1]));
	GROW(g->luo_sess, g->capluo_sess, g->nluo_sess + 1);
	se = &g->luo_sess[g->nluo_sess++];
	memset(se, 0, sizeof(*se));
	se->name = xstrdup(op->argv[1]);
	se->entry = slot;
	luo_sync(g, l);
	luo_note(g, "luo-session: %s", se->name);
}

static void luo_add_file(struct gen *g, const char *compat, uint64_t token,
			 uint64_t data, const struct loc *l)
{
	struct luo_session *se;
	uint64_t slot;

	luo_need(g, l);
	if (!g->nluo_sess)
		die_at(l, "a file needs a 'luo-session' first");
	if (strlen(compat) >= 48)
		die_at(l, "handler compatible longer than 47 bytes");
	se = &g->luo_sess[g->nluo_sess - 1];
	slot = chain_append(g, &se->fblocks, &se->nfblocks, &se->capfblocks,
			    se->nfiles, LUO_FILE, l);
	memcpy(mem_at(g, slot, 48, l), compat, strlen(compat));
	wr64(mem_at(g, slot + 48, 8, l), data);
	wr64(mem_at(g, slot + 56, 8, l), token);
	se->nfiles++;
	wr64(mem_at(g, se->entry + 64, 8, l), se->fblocks[0]);
	wr64(mem_at(g, se->entry + 72, 8, l), se->nfiles);
	luo_note(g, "luo-file: %s 0x%" PRIx64 " %s 0x%" PRIx64, se->name,
		 token, compat, data);
}

/* memfd TOKEN SIZE AT ORDER...: folios laid out from AT, each aligned. */
static void op_memfd(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	uint64_t token = num_at(l, op->argv[1], "token");
	uint64_t size = num_at(l, op->argv[2], "size");
	uint64_t at = num_at(l, op->argv[3], "address");
	uint64_t nr = (uint64_t)op->argc - 4, index = 0, ser, per_chunk;
	uint64_t area_bytes = nr * 16, npages, chunk = 0, prev_chunk = 0;
	uint64_t *area;
	uint8_t *p;
	struct luo_memfd *m;

	luo_need(g, l);
	npages = (area_bytes + g->ps - 1) / g->ps;
	area = xcalloc(npages, sizeof(*area));
	ser = luo_page(g, l);
	/* the folios, then their records in the vmalloc area */
	for (uint64_t i = 0; i < npages; i++)
		area[i] = luo_page(g, l);
	for (uint64_t i = 0; i < nr; i++) {
		unsigned int order = order_at(l, op->argv[4 + i]);
		uint64_t fsize = g->ps << order, pa, rec;

		pa = (at + fsize - 1) & ~(fsize - 1);
		index = (index + (1ULL << order) - 1) & ~((1ULL << order) - 1);
		preserve(g, pa, order, false, l);
		rec = area[i * 16 / g->ps] + (i * 16) % g->ps;
		wr64(mem_at(g, rec, 8, l), (pa >> g->shift) | (3ULL << 52));
		wr64(mem_at(g, rec + 8, 8, l), index);
		luo_note(g, "memfd-folio: 0x%" PRIx64 " 0x%" PRIx64 " %u %" PRIu64
			 " 0x3", token, pa, order, index);
		index += 1ULL << order;
		at = pa + fsize;
	}
	/* kho_vmalloc chunk list of the area's pages */
	per_chunk = (g->ps - 8) / 8;
	for (uint64_t i = 0; i < npages; i++) {
		if (i % per_chunk == 0) {
			uint64_t c = luo_page(g, l);

			if (prev_chunk)
				wr64(mem_at(g, prev_chunk, 8, l), c);
			else
				chunk = c;
			prev_chunk = c;
		}
		wr64(mem_at(g, prev_chunk + 8 + 8 * (i % per_chunk), 8, l),
		     area[i]);
	}
	p = mem_at(g, ser, 48, l);
	wr64(p, 0);
	wr64(p + 8, size);
	wr64(p + 24, nr);
	wr64(p + 32, chunk);
	wr32(p + 40, (uint32_t)npages);
	wr32(p + 44, 1);	/* flags KHO_VMALLOC_ALLOC, order 0 */
	free(area);
	GROW(g->luo_memfds, g->capluo_memfds, g->nluo_memfds + 1);
	m = &g->luo_memfds[g->nluo_memfds++];
	m->token = token;
	m->ser = ser;
	m->chunk = chunk;
	luo_note(g, "memfd: 0x%" PRIx64 " %" PRIu64 " %" PRIu64 " 0x%" PRIx64,
		 token, size, nr, ser);
	luo_add_file(g, "memfd-v2", token, ser, l);
}

static void op_luo_flb(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	uint64_t e;

	luo_need(g, l);
	if (strlen(op->argv[1]) >= 48)
		die_at(l, "FLB name longer than 47 bytes");
	if ((g->luo_nflb + 1) * LUO_FLB + 16 > g->ps)
		die_at(l, "the FLB page is full");
	e = g->luo_flb + 16 + g->luo_nflb * LUO_FLB;
	memcpy(mem_at(g, e, 48, l), op->argv[1], strlen(op->argv[1]));
	wr64(mem_at(g, e + 48, 8, l), num_at(l, op->argv[2], "data"));
	wr64(mem_at(g, e + 56, 8, l), num_at(l, op->argv[3], "count"));
	wr64(mem_at(g, g->luo_flb + 8, 8, l), ++g->luo_nflb);
	luo_note(g, "luo-flb: %s %s %s", op->argv[1], op->argv[2],
		 op->argv[3]);
}

/* ---------------------------------------------------------------------- */
/* spec parsing                                                           */
/* ---------------------------------------------------------------------- */

enum op_kind {
	OP_BLOCK, OP_RANGE, OP_UNPRESERVE, OP_UNPRESERVE_RANGE, OP_RANDOM,
	OP_UNPRESERVE_RANDOM, OP_SUBNODE, OP_SUBNODE_RAW,
	OP_LUO, OP_LUO_UNSERIALIZED, OP_LUO_SESSION, OP_LUO_FILE, OP_MEMFD,
	OP_LUO_FLB,
	OP_DEFERRED,		/* everything below runs after the build */
	OP_POKE_TABLE, OP_POKE_KEY, OP_LEAF_BIT, OP_POKE_CHUNK, OP_POKE,
	OP_FDT_SETPROP, OP_FDT_DELPROP, OP_FDT_TOTALSIZE, OP_OMIT,
	OP_TRUNCATE_ELF,
};

static const struct {
	const char *name;
	enum op_kind kind;
	int min, max;		/* argument counts */
} op_table[] = {
	{ "block", OP_BLOCK, 2, 2 },
	{ "range", OP_RANGE, 2, 2 },
	{ "unpreserve", OP_UNPRESERVE, 2, 2 },
	{ "unpreserve-range", OP_UNPRESERVE_RANGE, 2, 2 },
	{ "random", OP_RANDOM, 4, 4 },
	{ "unpreserve-random", OP_UNPRESERVE_RANDOM, 1, 1 },
	{ "subnode", OP_SUBNODE, 1, 2 },
	{ "subnode-raw", OP_SUBNODE_RAW, 2, 2 },
	{ "luo", OP_LUO, 1, 2 },
	{ "luo-unserialized", OP_LUO_UNSERIALIZED, 0, 0 },
	{ "luo-session", OP_LUO_SESSION, 1, 1 },
	{ "luo-file", OP_LUO_FILE, 3, 3 },
	{ "memfd", OP_MEMFD, 4, 40 },
	{ "luo-flb", OP_LUO_FLB, 3, 3 },
	{ "poke-table", OP_POKE_TABLE, 3, 12 },
	{ "poke-key", OP_POKE_KEY, 4, 4 },
	{ "leaf-bit", OP_LEAF_BIT, 3, 12 },
	{ "poke-chunk", OP_POKE_CHUNK, 3, 3 },
	{ "poke", OP_POKE, 2, 3 },
	{ "fdt-setprop", OP_FDT_SETPROP, 3, 3 },
	{ "fdt-delprop", OP_FDT_DELPROP, 2, 2 },
	{ "fdt-totalsize", OP_FDT_TOTALSIZE, 1, 1 },
	{ "omit", OP_OMIT, 1, 1 },
	{ "truncate-elf", OP_TRUNCATE_ELF, 1, 1 },
};

static void parse_file(struct gen *g, const char *path, unsigned int depth,
		       const struct loc *from);

static void need_args(const struct loc *l, const char *d, int argc, int min,
		      int max)
{
	if (argc < min || argc > max) {
		if (min == max)
			die_at(l, "'%s' takes %d argument%s, got %d", d, min,
			       min == 1 ? "" : "s", argc);
		die_at(l, "'%s' takes %d to %d arguments, got %d", d, min, max,
		       argc);
	}
}

static void once(const struct loc *l, bool *flag, const char *d)
{
	if (*flag)
		die_at(l, "'%s' given twice", d);
	*flag = true;
}

static bool on_off(const struct loc *l, const char *s, const char *d)
{
	if (!strcmp(s, "on"))
		return true;
	if (!strcmp(s, "off"))
		return false;
	die_at(l, "'%s' takes on or off, not '%s'", d, s);
}

static void parse_line(struct gen *g, const struct loc *l, int argc,
		       char **argv, unsigned int depth, const char *path)
{
	const char *d = argv[0];
	struct config *c = &g->c;
	int n = argc - 1;
	struct op *op;

	if (!strcmp(d, "page_size")) {
		uint64_t v;

		need_args(l, d, n, 1, 1);
		once(l, &c->set_page_size, d);
		v = num_at(l, argv[1], d);
		if (v != 4096 && v != 16384 && v != 65536)
			die_at(l, "page_size must be 4096, 16384 or 65536");
		c->page_shift = ilog2_u64(v);
	} else if (!strcmp(d, "format")) {
		need_args(l, d, n, 1, 1);
		once(l, &c->set_format, d);
		if (!strcmp(argv[1], "radix"))
			c->format = FMT_RADIX;
		else if (!strcmp(argv[1], "v1-512"))
			c->format = FMT_V1_512;
		else if (!strcmp(argv[1], "v1-4096"))
			c->format = FMT_V1_PAGE;
		else
			die_at(l, "unknown format '%s' (radix, v1-512, v1-4096)",
			       argv[1]);
	} else if (!strcmp(d, "compatible")) {
		need_args(l, d, n, 1, 1);
		once(l, &c->set_compatible, d);
		c->compatible = xstrdup(argv[1]);
	} else if (!strcmp(d, "arena")) {
		need_args(l, d, n, 2, 2);
		once(l, &c->set_arena, d);
		c->arena_base = num_at(l, argv[1], "arena base");
		c->arena_size = num_at(l, argv[2], "arena size");
	} else if (!strcmp(d, "seed")) {
		need_args(l, d, n, 1, 1);
		once(l, &c->set_seed, d);
		c->seed = num_at(l, argv[1], d);
	} else if (!strcmp(d, "mem_end")) {
		need_args(l, d, n, 1, 1);
		once(l, &c->set_mem_end, d);
		c->mem_end = num_at(l, argv[1], d);
	} else if (!strcmp(d, "vmcoreinfo")) {
		need_args(l, d, n, 1, 1);
		once(l, &c->set_vmcoreinfo, d);
		c->vmcoreinfo = on_off(l, argv[1], d);
	} else if (!strcmp(d, "osrelease")) {
		need_args(l, d, n, 1, 1);
		once(l, &c->set_osrelease, d);
		c->osrelease = xstrdup(argv[1]);
	} else if (!strcmp(d, "vmcoreinfo-line")) {
		need_args(l, d, n, 1, 1);
		if (!strchr(argv[1], '=') || argv[1][0] == '=')
			die_at(l, "vmcoreinfo-line wants KEY=VALUE");
		if (c->nvmci >= MAX_VMCI_LINES)
			die_at(l, "more than %d vmcoreinfo lines",
			       MAX_VMCI_LINES);
		c->vmci[c->nvmci++] = xstrdup(argv[1]);
	} else if (!strcmp(d, "map-zero")) {
		need_args(l, d, n, 0, 0);
		c->map_zero = true;
	} else if (!strcmp(d, "fdt")) {
		need_args(l, d, n, 1, 1);
		once(l, &c->set_fdt, d);
		if (!strcmp(argv[1], "preserve"))
			c->fdt_preserve = true;
		else if (!strcmp(argv[1], "nopreserve"))
			c->fdt_preserve = false;
		else
			die_at(l, "'fdt' takes preserve or nopreserve");
	} else if (!strcmp(d, "kdump-compress")) {
		need_args(l, d, n, 1, 1);
		once(l, &c->set_kdump, d);
		if (!strcmp(argv[1], "zlib"))
			c->kdump_compress = true;
		else if (!strcmp(argv[1], "none"))
			c->kdump_compress = false;
		else
			die_at(l, "'kdump-compress' takes zlib or none");
	} else if (!strcmp(d, "ram")) {
		need_args(l, d, n, 2, 3);
		once(l, &c->set_ram, d);
		c->ram_base = num_at(l, argv[1], "ram base");
		c->ram_size = num_at(l, argv[2], "ram size");
		c->ram_exclude = n == 3 ? (unsigned int)num_at(l, argv[3],
							     "ram exclude") : 0;
		if (!c->ram_size || c->ram_base + c->ram_size < c->ram_base ||
		    c->ram_exclude > 99)
			die_at(l, "'ram' wants PHYS SIZE [EXCLUDE%%], a size above 0 and below 2^64 and at most 99%%");
	} else if (!strcmp(d, "include")) {
		char *inc;
		const char *slash = strrchr(path, '/');

		need_args(l, d, n, 1, 1);
		/* relative to the including file, like cpp */
		if (argv[1][0] != '/' && slash) {
			size_t dl = (size_t)(slash - path) + 1;

			inc = xcalloc(dl + strlen(argv[1]) + 1, 1);
			memcpy(inc, path, dl);
			strcpy(inc + dl, argv[1]);
		} else {
			inc = xstrdup(argv[1]);
		}
		parse_file(g, inc, depth + 1, l);
		free(inc);
	} else {
		size_t i;

		for (i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++)
			if (!strcmp(d, op_table[i].name))
				break;
		if (i == sizeof(op_table) / sizeof(op_table[0]))
			die_at(l, "unknown directive '%s'", d);
		need_args(l, d, n, op_table[i].min, op_table[i].max);
		GROW(g->ops, g->capops, g->nops + 1);
		op = &g->ops[g->nops++];
		op->kind = op_table[i].kind;
		op->loc = *l;
		op->argc = argc;
		op->argv = xcalloc((size_t)argc + 1, sizeof(char *));
		for (int k = 0; k < argc; k++)
			op->argv[k] = xstrdup(argv[k]);
	}
}

static void parse_file(struct gen *g, const char *path, unsigned int depth,
		       const struct loc *from)
{
	FILE *f;
	char *line = NULL, *name;
	size_t cap = 0;
	ssize_t len;
	struct loc l;

	if (depth > MAX_INCLUDE)
		die_at(from, "includes nested more than %d deep", MAX_INCLUDE);
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		if (from)
			die_at(from, "cannot open '%s': %s", path,
			       strerror(errno));
		die("cannot open '%s': %s", path, strerror(errno));
	}
	name = xstrdup(strcmp(path, "-") ? path : "<stdin>");
	g->files = xreallocarray(g->files, g->nfiles + 1, sizeof(*g->files));
	g->files[g->nfiles++] = name;
	l.file = name;
	l.line = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *argv[MAX_TOKENS + 1], *p = line, *save = NULL, *tok;
		int argc = 0;

		l.line++;
		if ((size_t)len > MAX_LINE)
			die_at(&l, "line longer than %u bytes", MAX_LINE);
		if (strlen(line) != (size_t)len)
			die_at(&l, "NUL byte in line");
		/* '#' starts a comment anywhere */
		p[strcspn(p, "#")] = '\0';
		while ((tok = strtok_r(p, " \t\r\n\v\f", &save))) {
			p = NULL;
			if (argc >= MAX_TOKENS)
				die_at(&l, "more than %d words", MAX_TOKENS);
			argv[argc++] = tok;
		}
		argv[argc] = NULL;
		if (argc)
			parse_line(g, &l, argc, argv, depth, name);
	}
	if (ferror(f))
		die("cannot read '%s': %s", name, strerror(errno));
	free(line);
	if (f != stdin)
		fclose(f);
}

/* ---------------------------------------------------------------------- */
/* building                                                               */
/* ---------------------------------------------------------------------- */

static void gen_setup(struct gen *g)
{
	struct config *c = &g->c;
	uint64_t apages;

	g->shift = c->page_shift;
	g->ps = 1ULL << g->shift;
	/* DESIGN §3 / KHO_ABI §1.2, derived from PAGE_SHIFT */
	g->order0 = 64 - g->shift;
	g->tbits = g->shift - 3;
	g->lbits = g->shift + 3;
	/*
	 * Enough table levels that leaf bits plus table bits cover a whole
	 * key, which is order0 + 1 bits wide (the order bit of order 0 is bit
	 * order0). This is KHO_TREE_MAX_DEPTH - 1 of upstream's
	 * kexec_handover.h in linux-source-7.2.13: 5 at 4 KiB, 4 at 16 KiB,
	 * 3 at 64 KiB.
	 */
	g->levels = 0;
	while (g->lbits + g->levels * g->tbits < g->order0 + 1)
		g->levels++;
	/* a block must fit below 2^64: PAGE_SIZE << order */
	g->max_order = 63 - g->shift;
	if (g->max_order > g->order0 - 1)
		g->max_order = g->order0 - 1;
	if (c->format != FMT_RADIX && g->shift != 12)
		die("kho-v1 formats are only generated for 4096-byte pages");
	g->v1_bits = c->format == FMT_V1_512 ? 512 * 8 : (unsigned int)g->ps * 8;
	if (!c->compatible)
		c->compatible = xstrdup(c->format == FMT_RADIX ? "kho-v2" :
					"kho-v1");
	if (!c->osrelease)
		c->osrelease = xstrdup(c->format == FMT_RADIX ? "7.1.0-khotools" :
				       c->format == FMT_V1_512 ? "6.16.0-khotools" :
				       "6.18.0-khotools");
	if (!c->set_arena) {
		c->arena_base = 0x40000000;
		c->arena_size = 0x1000000;
	}
	if ((c->arena_base | c->arena_size) & (g->ps - 1))
		die("arena 0x%" PRIx64 " 0x%" PRIx64 " is not page aligned",
		    c->arena_base, c->arena_size);
	apages = c->arena_size >> g->shift;
	if (!apages || apages > MAX_ARENA_PAGES ||
	    c->arena_base + c->arena_size < c->arena_base)
		die("arena size 0x%" PRIx64 " out of range (1 page to %llu "
		    "pages)", c->arena_size, MAX_ARENA_PAGES);
	if (c->set_ram && ((c->ram_base | c->ram_size) & (g->ps - 1)))
		die("ram 0x%" PRIx64 " 0x%" PRIx64 " is not page aligned",
		    c->ram_base, c->ram_size);
	g->abase = c->arena_base >> g->shift;
	g->aend = g->abase + apages;
	g->aused = xcalloc((size_t)(apages + 7) / 8, 1);
	/* two streams, so that the preserved set does not depend on how
	 * many metadata pages a format allocates */
	g->rng_place = c->seed ^ 0x706c616365ULL;
	g->rng_blocks = c->seed ^ 0x626c6f636bULL;
}

static void gen_init(struct gen *g)
{
	if (g->c.format != FMT_RADIX)
		return;
	/* kho_init(): the root node, then the FDT via kho_alloc_preserve() */
	g->root = alloc_meta(g, PK_TABLE, g->levels)->pfn << g->shift;
	g->map_phys = g->c.map_zero ? 0 : g->root;
	g->fdt_phys = alloc_meta(g, PK_FDT, 0)->pfn << g->shift;
	fdt_build_root(g, false);
	if (g->c.fdt_preserve)
		preserve(g, g->fdt_phys, 0, true, NULL);
}

static int bmp_cmp(const void *a, const void *b)
{
	return bm_cmp(*(const struct v1bm *const *)a,
		      *(const struct v1bm *const *)b);
}

/*
 * kho_mem_serialize(): orders ascending, bitmaps ascending within an order;
 * a new chunk when the order changes or a chunk is full; chunks linked by
 * hdr.next (KHO_ABI §2.2). Empty bitmaps (all bits unpreserved) are still
 * serialized, as upstream never frees them.
 */
static void v1_serialize(struct gen *g)
{
	uint64_t cap = (g->ps - 16) / 16, num = 0;
	struct page *chunk = NULL;
	unsigned int cur = UINT_MAX;

	qsort(g->bms, g->nbms, sizeof(*g->bms), bmp_cmp);
	g->map_phys = 0;
	for (size_t i = 0; i < g->nbms; i++) {
		const struct v1bm *bm = g->bms[i];
		uint8_t *e;

		if (!chunk || bm->order != cur || num == cap) {
			struct page *nc = alloc_meta(g, PK_CHUNK, 0);
			uint64_t pa = nc->pfn << g->shift;

			wr32(nc->data + 8, bm->order);
			if (chunk)
				wr64(chunk->data, pa);
			else
				g->map_phys = pa;
			g->chunks = xreallocarray(g->chunks, g->nchunks + 1,
						  sizeof(*g->chunks));
			g->chunks[g->nchunks++] = pa;
			chunk = nc;
			cur = bm->order;
			num = 0;
		}
		e = chunk->data + 16 + 16 * num;
		wr64(e, (bm->idx * g->v1_bits) << (bm->order + g->shift));
		wr64(e + 8, bm->phys);
		wr32(chunk->data + 12, (uint32_t)++num);
	}
}

static void gen_finalize(struct gen *g)
{
	if (g->c.format != FMT_RADIX) {
		/* kho_finalize(): the FDT page is allocated and preserved,
		 * then the chunk list is serialized and the root written.
		 * map-zero is 6.19's FDT before finalize: map 0. */
		g->fdt_phys = alloc_meta(g, PK_FDT, 0)->pfn << g->shift;
		if (g->c.fdt_preserve)
			preserve(g, g->fdt_phys, 0, true, NULL);
		if (!g->c.map_zero)
			v1_serialize(g);
		fdt_build_root(g, true);
	}
	g->finalized = true;
}

static void op_random(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	uint64_t count = num_at(l, op->argv[1], "count");
	uint64_t lo = num_at(l, op->argv[3], "low bound");
	uint64_t hi = num_at(l, op->argv[4], "high bound");
	unsigned int omin = 0, omax;
	const char *dash = strchr(op->argv[2], '-');
	uint64_t v;

	/* ORDERMAX, or MIN-MAX */
	if (dash) {
		char *a = xstrdup(op->argv[2]);

		a[dash - op->argv[2]] = '\0';
		if (!parse_u64(a, &v) || v > 63)
			die_at(l, "bad order range '%s'", op->argv[2]);
		free(a);
		omin = (unsigned int)v;
		if (!parse_u64(dash + 1, &v) || v > 63)
			die_at(l, "bad order range '%s'", op->argv[2]);
	} else if (!parse_u64(op->argv[2], &v) || v > 63) {
		die_at(l, "bad order '%s'", op->argv[2]);
	}
	omax = (unsigned int)v;
	if (omin > omax || omax > g->max_order)
		die_at(l, "bad order range %u-%u", omin, omax);
	if (count > MAX_BLOCKS)
		die_at(l, "count %" PRIu64 " above %u", count, MAX_BLOCKS);
	if (hi <= lo)
		die_at(l, "empty interval [0x%" PRIx64 ", 0x%" PRIx64 ")", lo,
		       hi);
	for (uint64_t i = 0; i < count; i++) {
		unsigned int order = omin + (unsigned int)rng_below(
			&g->rng_blocks, omax - omin + 1);
		uint64_t size = g->ps << order;
		uint64_t first = (lo + size - 1) & ~(size - 1), slots;
		int t;

		if (first < lo || first >= hi || hi - first < size)
			die_at(l, "no room for an order-%u block in [0x%" PRIx64
			       ", 0x%" PRIx64 ")", order, lo, hi);
		slots = (hi - first) / size;
		for (t = 0; t < RANDOM_TRIES; t++) {
			uint64_t pa = first + rng_below(&g->rng_blocks, slots) *
				      size;
			struct block probe = { .phys = pa, .end = pa + size };

			if (tfind(&probe, &g->btree, block_cmp))
				continue;
			preserve(g, pa, order, false, l);
			break;
		}
		if (t == RANDOM_TRIES)
			die_at(l, "cannot place block %" PRIu64 " of %" PRIu64
			       " (order %u): interval too full", i + 1, count,
			       order);
	}
}

static void op_unpreserve_random(struct gen *g, const struct op *op)
{
	uint64_t count = num_at(&op->loc, op->argv[1], "count");
	uint64_t live = 0;
	struct block **u = xcalloc(g->nblocks, sizeof(*u));
	size_t nu = 0;

	/* Only user blocks, in the order the spec made them: the generator's
	 * own pages come at different times per format, and must not change
	 * which blocks are picked. */
	for (size_t i = 0; i < g->nblocks; i++)
		if (!g->blocks[i]->system) {
			u[nu++] = g->blocks[i];
			live += g->blocks[i]->live;
		}
	if (count > live)
		die_at(&op->loc, "only %" PRIu64 " blocks to unpreserve", live);
	while (count--) {
		size_t i = (size_t)rng_below(&g->rng_blocks, nu);

		/* next live block after a random start */
		while (!u[i]->live)
			i = (i + 1) % nu;
		unpreserve(g, u[i]->phys, u[i]->order, &op->loc);
	}
	free(u);
}

static unsigned int order_at(const struct loc *l, const char *s)
{
	uint64_t v = num_at(l, s, "order");

	if (v > 63)
		die_at(l, "order %" PRIu64 " out of range", v);
	return (unsigned int)v;
}

static void run_op(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	char **a = op->argv;

	switch (op->kind) {
	case OP_BLOCK:
		preserve(g, num_at(l, a[1], "address"), order_at(l, a[2]),
			 false, l);
		break;
	case OP_RANGE:
		preserve_range(g, num_at(l, a[1], "address"),
			       num_at(l, a[2], "pages"), true, l);
		break;
	case OP_UNPRESERVE:
		unpreserve(g, num_at(l, a[1], "address"), order_at(l, a[2]), l);
		break;
	case OP_UNPRESERVE_RANGE:
		preserve_range(g, num_at(l, a[1], "address"),
			       num_at(l, a[2], "pages"), false, l);
		break;
	case OP_RANDOM:
		op_random(g, op);
		break;
	case OP_UNPRESERVE_RANDOM:
		op_unpreserve_random(g, op);
		break;
	case OP_SUBNODE:
		add_subnode_fdt(g, a[1], op->argc > 2 ? a[2] : "kho-gen-test-v1",
				l);
		break;
	case OP_SUBNODE_RAW: {
		uint8_t *buf;
		size_t n = parse_hex(a[2], &buf, l);

		add_subnode(g, a[1], buf, n, l);
		free(buf);
		break;
	}
	case OP_LUO:
		op_luo(g, op);
		break;
	case OP_LUO_UNSERIALIZED:
		luo_need(g, l);
		g->luo_unserialized = true;
		luo_sync(g, l);
		break;
	case OP_LUO_SESSION:
		op_luo_session(g, op);
		break;
	case OP_LUO_FILE:
		luo_add_file(g, a[1], num_at(l, a[2], "token"),
			     num_at(l, a[3], "data"), l);
		break;
	case OP_MEMFD:
		op_memfd(g, op);
		break;
	case OP_LUO_FLB:
		op_luo_flb(g, op);
		break;
	default:
		die("internal: op %d", op->kind);
	}
}

/* ---------------------------------------------------------------------- */
/* statistics of the map as built (before corruption directives)          */
/* ---------------------------------------------------------------------- */

static int blockp_phys_cmp(const void *a, const void *b)
{
	const struct block *x = *(const struct block *const *)a;
	const struct block *y = *(const struct block *const *)b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

/* The blocks a reader must find, ascending: none when the map is 0. */
static struct block **visible_blocks(const struct gen *g, size_t *n_ret)
{
	struct block **v = xcalloc(g->nblocks, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < g->nblocks && !g->c.map_zero; i++)
		if (g->blocks[i]->live)
			v[n++] = g->blocks[i];
	qsort(v, n, sizeof(*v), blockp_phys_cmp);
	*n_ret = n;
	return v;
}

static uint64_t popcount_bytes(const uint8_t *d, size_t n)
{
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += (uint64_t)__builtin_popcount(d[i]);
	return c;
}

static void compute_stats(struct gen *g)
{
	struct stats *st = &g->st;
	size_t n;
	struct block **v = visible_blocks(g, &n);
	uint64_t end = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < n; i++) {
		st->blocks[v[i]->order]++;
		st->blocks_total++;
		st->preserved_bytes += v[i]->end - v[i]->phys;
		if (v[i]->order > st->max_order)
			st->max_order = v[i]->order;
		if (!i || v[i]->phys != end)
			st->runs++;
		end = v[i]->end;
	}
	free(v);
	if (g->c.map_zero)
		return;
	if (g->c.format == FMT_RADIX) {
		for (size_t i = 0; i < g->npages; i++) {
			const struct page *p = g->pages[i];
			uint64_t bits;

			if (p->kind == PK_TABLE) {
				st->nodes[p->level]++;
				st->metadata_bytes += g->ps;
			} else if (p->kind == PK_LEAF) {
				bits = popcount_bytes(p->data, g->ps);
				st->nodes[0]++;
				st->leaves++;
				st->empty_leaves += !bits;
				st->bits_set += bits;
				st->bits_total += g->ps * 8;
				st->metadata_bytes += g->ps;
			}
		}
	} else {
		st->nodes[1] = g->nchunks;
		st->nodes[0] = g->nbms;
		st->metadata_bytes = g->nchunks * g->ps;
		for (size_t i = 0; i < g->nbms; i++) {
			uint64_t bits = popcount_bytes(mem_at(g, g->bms[i]->phys,
						g->v1_bits / 8, NULL), g->v1_bits / 8);

			st->leaves++;
			st->empty_leaves += !bits;
			st->bits_set += bits;
			st->bits_total += g->v1_bits;
			st->metadata_bytes += g->v1_bits / 8;
		}
	}
}

/* ---------------------------------------------------------------------- */
/* corruption directives                                                  */
/* ---------------------------------------------------------------------- */

struct ectx {
	const struct loc *l;
	uint64_t anc[16];	/* [0] the table/chunk written, [1] parent ... */
	unsigned int nanc;
	bool has_orig;
	uint64_t orig;
};

static unsigned int level_at(const struct gen *g, const struct loc *l,
			     const char *s, unsigned int min)
{
	uint64_t v = num_at(l, s, "level");

	if (v < min || v > g->levels)
		die_at(l, "level %" PRIu64 " out of range %u..%u", v, min,
		       g->levels);
	return (unsigned int)v;
}

static void need_radix(const struct gen *g, const struct loc *l)
{
	if (g->c.format != FMT_RADIX)
		die_at(l, "only for format radix");
}

static void need_v1(const struct gen *g, const struct loc *l)
{
	if (g->c.format == FMT_RADIX || !g->nchunks)
		die_at(l, "only for a kho-v1 chunk list (not radix, not "
		       "map-zero)");
}

/*
 * The tables on the key's path from the root down to @level; path[0] is
 * the root. Returns how many there are (levels - level + 1).
 */
static unsigned int key_path(const struct gen *g, uint64_t phys,
			     unsigned int order, unsigned int level,
			     uint64_t *path, const struct loc *l)
{
	uint64_t key, node = g->root;
	unsigned int n = 0;

	if (order > g->max_order || phys & ((g->ps << order) - 1))
		die_at(l, "0x%" PRIx64 " order %u is not a valid block", phys,
		       order);
	key = radix_key(g, phys, order);
	path[n++] = node;
	for (unsigned int lv = g->levels; lv > level; lv--) {
		struct page *p = table_at(g, node, l);

		node = rd64(p->data + radix_index(g, key, lv) * 8);
		if (!node)
			die_at(l, "0x%" PRIx64 " order %u has no level-%u node",
			       phys, order, lv - 1);
		path[n++] = node;
	}
	return n;
}

static uint64_t eval(const struct gen *g, const struct ectx *e, const char *s)
{
	const struct loc *l = e->l;
	size_t tl;
	char *term, *f[5];
	uint64_t v, k;
	int nf = 0;

	if (!strncmp(s, "subnode:", 8))
		tl = strcspn(s, "+");
	else
		tl = strcspn(s + 1, "+-") + (*s ? 1 : 0);
	term = xcalloc(tl + 1, 1);
	memcpy(term, s, tl);
	/* split fields at ':' (subnode names keep theirs whole) */
	f[nf++] = term;
	if (strncmp(term, "subnode:", 8)) {
		for (char *p = term; *p && nf < 5; p++)
			if (*p == ':') {
				*p = '\0';
				f[nf++] = p + 1;
			}
	} else {
		term[7] = '\0';
		f[nf++] = term + 8;
	}

	if (isdigit((unsigned char)f[0][0]) && nf == 1) {
		v = num_at(l, f[0], "value");
	} else if (!strcmp(f[0], "self") && nf == 1) {
		if (!e->nanc)
			die_at(l, "'self' has no meaning here");
		v = e->anc[0];
	} else if (!strncmp(f[0], "up", 2) && nf == 1 &&
		   parse_u64(f[0] + 2, &k)) {
		if (!k || k >= e->nanc)
			die_at(l, "'%s': no such ancestor", f[0]);
		v = e->anc[k];
	} else if (!strcmp(f[0], "orig") && nf == 1) {
		if (!e->has_orig)
			die_at(l, "'orig' has no meaning here");
		v = e->orig;
	} else if (!strcmp(f[0], "root") && nf == 1) {
		v = g->c.format == FMT_RADIX ? g->root :
		    g->nchunks ? g->chunks[0] : 0;
	} else if (!strcmp(f[0], "fdt") && nf == 1) {
		v = g->fdt_phys;
	} else if (!strcmp(f[0], "memend") && nf == 1) {
		v = g->c.mem_end;
	} else if (!strcmp(f[0], "arena") && nf == 1) {
		v = g->c.arena_base;
	} else if (!strcmp(f[0], "node") && nf == 4) {
		uint64_t path[16];
		unsigned int lv, n;

		need_radix(g, l);
		lv = level_at(g, l, f[3], 0);
		n = key_path(g, num_at(l, f[1], "address"), order_at(l, f[2]),
			     lv, path, l);
		v = path[n - 1];
	} else if (!strcmp(f[0], "chunk") && nf == 2) {
		need_v1(g, l);
		k = num_at(l, f[1], "chunk");
		if (k >= g->nchunks)
			die_at(l, "no chunk %" PRIu64 " (%zu chunks)", k,
			       g->nchunks);
		v = g->chunks[k];
	} else if (!strcmp(f[0], "bitmap") && nf == 3) {
		need_v1(g, l);
		k = num_at(l, f[1], "chunk");
		if (k >= g->nchunks)
			die_at(l, "no chunk %" PRIu64, k);
		v = num_at(l, f[2], "entry");
		if (v >= (g->ps - 16) / 16)
			die_at(l, "no entry %" PRIu64, v);
		v = rd64(mem_at(g, g->chunks[k] + 24 + 16 * v, 8, l));
	} else if (!strcmp(f[0], "luo") && nf == 1) {
		luo_need(g, l);
		v = g->luo_ser;
	} else if (!strcmp(f[0], "luo-flb") && nf == 1) {
		luo_need(g, l);
		v = g->luo_flb;
	} else if (!strcmp(f[0], "sblock") && nf == 2) {
		k = num_at(l, f[1], "block");
		if (k >= g->nluo_sblocks)
			die_at(l, "no session block %" PRIu64, k);
		v = g->luo_sblocks[k];
	} else if (!strcmp(f[0], "fblock") && nf == 3) {
		uint64_t si = num_at(l, f[1], "session");

		k = num_at(l, f[2], "block");
		if (si >= g->nluo_sess || k >= g->luo_sess[si].nfblocks)
			die_at(l, "no file block %" PRIu64 " of session %" PRIu64,
			       k, si);
		v = g->luo_sess[si].fblocks[k];
	} else if ((!strcmp(f[0], "memfd") || !strcmp(f[0], "memfd-chunk")) &&
		   nf == 2) {
		size_t i;

		k = num_at(l, f[1], "token");
		for (i = 0; i < g->nluo_memfds && g->luo_memfds[i].token != k; i++)
			;
		if (i == g->nluo_memfds)
			die_at(l, "no memfd with token 0x%" PRIx64, k);
		v = f[0][5] ? g->luo_memfds[i].chunk : g->luo_memfds[i].ser;
	} else if (!strcmp(f[0], "subnode") && nf == 2) {
		unsigned int i;

		for (i = 0; i < g->nsubs && strcmp(g->subs[i].name, f[1]); i++)
			;
		if (i == g->nsubs)
			die_at(l, "no sub-node '%s'", f[1]);
		v = g->subs[i].phys;
	} else {
		die_at(l, "bad value '%s'", s);
	}
	free(term);

	/* then +N / -N terms */
	s += tl;
	while (*s) {
		char sign = *s++;
		size_t nl = strcspn(s, "+-");
		char *num = xcalloc(nl + 1, 1);

		memcpy(num, s, nl);
		k = num_at(l, num, "offset");
		free(num);
		v = sign == '+' ? v + k : v - k;
		s += nl;
	}
	return v;
}

static void do_poke_radix(struct gen *g, const struct op *op, uint64_t *path,
			  unsigned int n, uint64_t index, const char *val)
{
	struct ectx e = { .l = &op->loc };
	struct page *t = table_at(g, path[n - 1], &op->loc);

	if (index >= (1ULL << g->tbits))
		die_at(&op->loc, "index %" PRIu64 " out of range", index);
	for (unsigned int i = 0; i < n; i++)
		e.anc[i] = path[n - 1 - i];
	e.nanc = n;
	e.has_orig = true;
	e.orig = rd64(t->data + index * 8);
	wr64(t->data + index * 8, eval(g, &e, val));
}

static void op_poke_table(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	unsigned int lv, npath, n = 0;
	uint64_t path[16];

	need_radix(g, l);
	lv = level_at(g, l, op->argv[1], 1);
	npath = g->levels - lv;
	if (op->argc != (int)npath + 4)
		die_at(l, "poke-table %u needs %u path indices, INDEX and VALUE",
		       lv, npath);
	path[n++] = g->root;
	for (unsigned int i = 0; i < npath; i++) {
		uint64_t idx = num_at(l, op->argv[2 + i], "index");
		struct page *t = table_at(g, path[n - 1], l);

		if (idx >= (1ULL << g->tbits))
			die_at(l, "index %" PRIu64 " out of range", idx);
		path[n] = rd64(t->data + idx * 8);
		if (!path[n])
			die_at(l, "path index %" PRIu64 " at level %u is empty",
			       idx, g->levels - i);
		n++;
	}
	do_poke_radix(g, op, path, n, num_at(l, op->argv[2 + npath], "index"),
		      op->argv[3 + npath]);
}

static void op_poke_key(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	uint64_t phys = num_at(l, op->argv[1], "address"), path[16];
	unsigned int order = order_at(l, op->argv[2]);
	unsigned int lv, n;

	need_radix(g, l);
	lv = level_at(g, l, op->argv[3], 1);
	n = key_path(g, phys, order, lv, path, l);
	do_poke_radix(g, op, path, n,
		      radix_index(g, radix_key(g, phys, order), lv),
		      op->argv[4]);
}

/* Set a leaf bit by path, creating missing nodes: reaches keys no block
 * can have, such as key 0 (the all-zero path, bit 0). */
static void op_leaf_bit(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	struct page *node;
	uint64_t bit, on;

	need_radix(g, l);
	if (op->argc != (int)g->levels + 3)
		die_at(l, "leaf-bit needs %u path indices, BIT and 0|1",
		       g->levels);
	node = table_at(g, g->root, l);
	for (unsigned int i = 0; i < g->levels; i++) {
		uint64_t idx = num_at(l, op->argv[1 + i], "index"), child;
		unsigned int lv = g->levels - i;

		if (idx >= (1ULL << g->tbits))
			die_at(l, "index %" PRIu64 " out of range", idx);
		child = rd64(node->data + idx * 8);
		if (!child) {
			struct page *np = alloc_meta(g, lv == 1 ? PK_LEAF :
						     PK_TABLE, lv - 1);

			child = np->pfn << g->shift;
			wr64(node->data + idx * 8, child);
		}
		node = table_at(g, child, l);
	}
	bit = num_at(l, op->argv[1 + g->levels], "bit");
	on = num_at(l, op->argv[2 + g->levels], "bit value");
	if (bit >= (1ULL << g->lbits) || on > 1)
		die_at(l, "bad bit %" PRIu64 " or value %" PRIu64, bit, on);
	if (on)
		node->data[bit / 8] |= (uint8_t)(1u << (bit % 8));
	else
		node->data[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

static void op_poke_chunk(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	struct ectx e = { .l = l };
	uint64_t k, off, ent;
	unsigned int w;
	const char *fld = op->argv[2];
	uint8_t *p;

	need_v1(g, l);
	k = num_at(l, op->argv[1], "chunk");
	if (k >= g->nchunks)
		die_at(l, "no chunk %" PRIu64 " (%zu chunks)", k, g->nchunks);
	if (!strcmp(fld, "next")) {
		off = 0;
		w = 8;
	} else if (!strcmp(fld, "order")) {
		off = 8;
		w = 4;
	} else if (!strcmp(fld, "num_elms")) {
		off = 12;
		w = 4;
	} else if (!strncmp(fld, "phys_start:", 11) ||
		   !strncmp(fld, "bitmap:", 7)) {
		bool ps = fld[0] == 'p';

		ent = num_at(l, strchr(fld, ':') + 1, "entry");
		if (ent >= (g->ps - 16) / 16)
			die_at(l, "no entry %" PRIu64, ent);
		off = 16 + 16 * ent + (ps ? 0 : 8);
		w = 8;
	} else {
		die_at(l, "unknown chunk field '%s' (next, order, num_elms, "
		       "phys_start:I, bitmap:I)", fld);
	}
	p = mem_at(g, g->chunks[k] + off, w, l);
	e.anc[0] = g->chunks[k];
	e.nanc = 1;
	e.has_orig = true;
	e.orig = kig_rd_le(p, w);
	kig_wr_le(p, eval(g, &e, op->argv[3]), w);
}

static void op_poke(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	struct ectx e = { .l = l };
	uint64_t addr = eval(g, &e, op->argv[1]);
	unsigned int w = 8;
	uint8_t *p;

	if (op->argc > 3) {
		uint64_t v = num_at(l, op->argv[3], "width");

		if (v != 1 && v != 2 && v != 4 && v != 8)
			die_at(l, "width must be 1, 2, 4 or 8");
		w = (unsigned int)v;
	}
	p = mem_at(g, addr, w, l);
	e.has_orig = true;
	e.orig = kig_rd_le(p, w);
	kig_wr_le(p, eval(g, &e, op->argv[2]), w);
}

/* le32:V le64:V be32:V be64:V str:TEXT hex:BYTES empty */
static size_t prop_value(const struct gen *g, const struct loc *l,
			 const char *s, uint8_t **out)
{
	struct ectx e = { .l = l };
	uint8_t *b;
	uint64_t v;

	if (!strcmp(s, "empty")) {
		*out = xcalloc(1, 1);
		return 0;
	}
	if (!strncmp(s, "str:", 4)) {
		*out = (uint8_t *)xstrdup(s + 4);
		return strlen(s + 4) + 1;
	}
	if (!strncmp(s, "hex:", 4))
		return parse_hex(s + 4, out, l);
	if (strlen(s) < 5 || s[4] != ':' ||
	    (strncmp(s, "le", 2) && strncmp(s, "be", 2)) ||
	    (strncmp(s + 2, "32", 2) && strncmp(s + 2, "64", 2)))
		die_at(l, "bad property value '%s' (le32:, le64:, be32:, "
		       "be64:, str:, hex:, empty)", s);
	v = eval(g, &e, s + 5);
	b = xcalloc(8, 1);
	if (s[2] == '3') {
		if (s[0] == 'l')
			wr32(b, (uint32_t)v);
		else
			memcpy(b, &(fdt32_t){ cpu_to_fdt32((uint32_t)v) }, 4);
		*out = b;
		return 4;
	}
	if (s[0] == 'l')
		wr64(b, v);
	else
		memcpy(b, &(fdt64_t){ cpu_to_fdt64(v) }, 8);
	*out = b;
	return 8;
}

static void op_fdt_prop(struct gen *g, const struct op *op)
{
	const struct loc *l = &op->loc;
	void *fdt = mem_at(g, g->fdt_phys, g->ps, l);
	int node, err;

	err = fdt_open_into(fdt, fdt, (int)g->ps);
	if (err < 0)
		die_at(l, "root FDT no longer valid: %s", fdt_strerror(err));
	node = fdt_path_offset(fdt, op->argv[1]);
	if (node < 0)
		die_at(l, "no FDT node '%s'", op->argv[1]);
	if (op->kind == OP_FDT_SETPROP) {
		uint8_t *val;
		size_t n = prop_value(g, l, op->argv[3], &val);

		err = fdt_setprop(fdt, node, op->argv[2], val, (int)n);
		free(val);
	} else {
		err = fdt_delprop(fdt, node, op->argv[2]);
	}
	if (err < 0)
		die_at(l, "%s: %s", op->argv[0], fdt_strerror(err));
	fdt_ok(fdt_pack(fdt), "fdt_pack");
}

static void op_omit(struct gen *g, const struct op *op)
{
	struct ectx e = { .l = &op->loc };
	uint64_t pfn = eval(g, &e, op->argv[1]) >> g->shift;
	struct page *p = page_get(g, pfn);

	if (!p || (p->kind == PK_SLAB && !p->has_bitmap))
		die_at(&op->loc, "omit: page 0x%" PRIx64 " is not in the dump",
		       pfn << g->shift);
	for (unsigned int i = 0; i < g->nomits; i++)
		if (g->omits[i] == pfn)
			return;
	if (g->nomits >= MAX_OMITS)
		die_at(&op->loc, "more than %d omitted pages", MAX_OMITS);
	g->omits[g->nomits++] = pfn;
}

static void run_deferred(struct gen *g, const struct op *op)
{
	switch (op->kind) {
	case OP_POKE_TABLE:
		op_poke_table(g, op);
		break;
	case OP_POKE_KEY:
		op_poke_key(g, op);
		break;
	case OP_LEAF_BIT:
		op_leaf_bit(g, op);
		break;
	case OP_POKE_CHUNK:
		op_poke_chunk(g, op);
		break;
	case OP_POKE:
		op_poke(g, op);
		break;
	case OP_FDT_SETPROP:
	case OP_FDT_DELPROP:
		op_fdt_prop(g, op);
		break;
	case OP_FDT_TOTALSIZE:
		fdt_set_totalsize(mem_at(g, g->fdt_phys, g->ps, &op->loc),
				  (uint32_t)num_at(&op->loc, op->argv[1],
						   "totalsize"));
		break;
	case OP_OMIT:
		op_omit(g, op);
		break;
	case OP_TRUNCATE_ELF:
		g->truncate_elf = num_at(&op->loc, op->argv[1], "bytes");
		break;
	default:
		die("internal: deferred op %d", op->kind);
	}
}

/* ---------------------------------------------------------------------- */
/* dumps                                                                  */
/* ---------------------------------------------------------------------- */

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool omitted(const struct gen *g, uint64_t pfn)
{
	for (unsigned int i = 0; i < g->nomits; i++)
		if (g->omits[i] == pfn)
			return true;
	return false;
}

/* Pages in the dump, ascending; slab pages without a bitmap stay out. */
static uint64_t *dumped_pfns(const struct gen *g, size_t *n_ret)
{
	uint64_t *v = xcalloc(g->npages, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < g->npages; i++) {
		const struct page *p = g->pages[i];

		if (p->kind == PK_SLAB && !p->has_bitmap)
			continue;
		if (omitted(g, p->pfn))
			continue;
		v[n++] = p->pfn;
	}
	qsort(v, n, sizeof(*v), u64_cmp);
	*n_ret = n;
	return v;
}

/*
 * mem_end must be visible in every dump, since readers tell "outside
 * memory" (corrupt pointer) from "not in the dump" (incomplete) by it: the
 * last page below mem_end is always dumped (zeros if nothing else), the
 * ELF's last PT_LOAD ends there, the kdump's max_mapnr is mem_end's pfn
 * and the raw image runs up to it.
 */
static void settle_mem_end(struct gen *g)
{
	uint64_t top = g->aend;

	if (g->c.set_ram && (g->c.ram_base + g->c.ram_size) >> g->shift > top)
		top = (g->c.ram_base + g->c.ram_size) >> g->shift;

	for (size_t i = 0; i < g->npages; i++)
		if (g->pages[i]->pfn + 1 > top)
			top = g->pages[i]->pfn + 1;
	if (g->c.mem_end & (g->ps - 1))
		die("mem_end 0x%" PRIx64 " is not page aligned", g->c.mem_end);
	if (g->c.mem_end >> g->shift < top)
		die("mem_end 0x%" PRIx64 " is below the written pages (0x%"
		    PRIx64 ")", g->c.mem_end, top << g->shift);
	if (!page_get(g, (g->c.mem_end >> g->shift) - 1))
		page_new(g, (g->c.mem_end >> g->shift) - 1, PK_EXTRA, 0);
}

static FILE *xfopen(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot create '%s': %s", path, strerror(errno));
	return f;
}

static void xfclose(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		die("cannot write '%s': %s", path, strerror(errno));
}

static int xcreat(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("cannot create '%s': %s", path, strerror(errno));
	return fd;
}

static void xclose(int fd, const char *path)
{
	if (close(fd))
		die("cannot write '%s': %s", path, strerror(errno));
}

static char *strcat3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = xcalloc(n, 1);

	snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

/*
 * Raw: [arena base, mem_end) as sparse files. An omitted page splits the
 * image, because raw images have no other way to say "not dumped": FILE,
 * FILE.1, FILE.2 ... FILE.phys holds FILE's base; FILE.args holds the
 * --raw FILE@PHYS options for all pieces.
 */
static void write_raw(const struct gen *g, const char *path)
{
	uint64_t lo = g->abase, hi = g->c.mem_end >> g->shift;
	size_t n, k = 0;
	uint64_t *v = dumped_pfns(g, &n);
	char *fn;
	FILE *args, *ph;
	unsigned int seg = 0;

	if (g->c.set_ram)
		die("'ram' is written to ELF and kdump dumps only, not to raw images");

	for (size_t i = 0; i < g->npages; i++)
		if (g->pages[i]->pfn < lo)
			lo = g->pages[i]->pfn;
	fn = strcat3(path, ".args", "");
	args = xfopen(fn);
	free(fn);
	fn = strcat3(path, ".phys", "");
	ph = xfopen(fn);
	free(fn);
	fprintf(ph, "0x%" PRIx64 "\n", lo << g->shift);
	xfclose(ph, path);
	for (uint64_t s = lo; s < hi;) {
		uint64_t e;
		char num[32];
		int fd;

		if (omitted(g, s)) {
			s++;
			continue;
		}
		for (e = s; e < hi && !omitted(g, e); e++)
			;
		snprintf(num, sizeof(num), ".%u", seg);
		fn = seg ? strcat3(path, num, "") : xstrdup(path);
		fd = xcreat(fn);
		if (ftruncate(fd, (off_t)((e - s) << g->shift)))
			die("cannot size '%s': %s", fn, strerror(errno));
		for (; k < n && v[k] < e; k++)
			if (v[k] >= s)
				kig_pwrite(fd, page_get(g, v[k])->data, g->ps,
					(v[k] - s) << g->shift, fn);
		xclose(fd, fn);
		fprintf(args, "%s--raw %s@0x%" PRIx64, seg ? " " : "", fn,
			s << g->shift);
		free(fn);
		seg++;
		s = e;
	}
	fputc('\n', args);
	xfclose(args, path);
	free(v);
}

/* VMCOREINFO text exactly as the kernel writes it: KEY=VALUE\n lines. */
static char *vmcoreinfo_text(const struct gen *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		die("out of memory");
	fprintf(f, "OSRELEASE=%s\n", g->c.osrelease);
	fprintf(f, "PAGESIZE=%" PRIu64 "\n", g->ps);
	fprintf(f, "SYMBOL(_stext)=ffffffff81000000\n");
	fprintf(f, "NUMBER(phys_base)=0\n");
	for (unsigned int i = 0; i < g->c.nvmci; i++)
		fprintf(f, "%s\n", g->c.vmci[i]);
	if (fclose(f))
		die("out of memory");
	return buf;
}

/* One ELF note: name "VMCOREINFO", type 0 (as crash_save_vmcoreinfo). */
static uint8_t *vmcoreinfo_note(const struct gen *g, size_t *len_ret,
				size_t *desc_off_ret, size_t *desc_len_ret)
{
	char *text = vmcoreinfo_text(g);
	uint8_t *n;

	*desc_len_ret = strlen(text);
	n = kig_note("VMCOREINFO", 0, text, *desc_len_ret, len_ret,
		     desc_off_ret);
	free(text);
	return n;
}

/* ---------------------------------------------------------------------- */
/* 'ram': synthetic memory content around the metadata                    */
/* ---------------------------------------------------------------------- */

/*
 * A vmcore of a real machine is mostly memory that has nothing to do with
 * KHO: kernel text and strings, slab objects full of pointers, page
 * tables, user data that does not compress. 'ram' fills a region with
 * such pages so that a dump has a realistic size and content (the scan
 * benchmark reads tens of GiB of it, bench/README.md). The content comes
 * from a pool of RAM_POOL pages of those kinds, picked for each page by a
 * hash of its frame number: every page is non-zero and really written,
 * and the kdump writer compresses each pool page once instead of each
 * dumped page. No pool page starts with the FDT magic, so the scan's
 * candidates are the generator's own FDTs.
 */
#define RAM_POOL	1024
#define RAM_RUN		512	/* pages left out together, as free memory is */

struct ram_pool {
	uint8_t *data;		/* RAM_POOL pages */
	uint8_t *z;		/* their zlib forms, RAM_POOL slots of zcap */
	uint32_t *zlen;		/* 0: stored raw (did not shrink) */
	size_t zcap;
};

static uint64_t mix64(uint64_t x)
{
	return rng_next(&x);
}

static void ram_fill_page(uint8_t *d, uint64_t ps, uint64_t *r)
{
	static const char *const words[] = {
		"kernel", "memory", "page", "folio", "preserve", "kexec",
		"handover", "radix", "node", "slab", "cache", "task", "mm",
		"vma", "inode", "dentry", "struct", "0x", "error", "done",
		"cpu", "irq", "sched", "lock", "rcu", "net", "dev", "block",
	};
	unsigned int kind = (unsigned int)rng_below(r, 100);
	uint64_t base = DIRECT_MAP + (rng_below(r, 1ULL << 22) << 12);

	memset(d, 0, ps);
	if (kind < 35) {		/* text: strings, logs, names */
		for (uint64_t i = 0; i < ps;) {
			const char *w = words[rng_below(r, sizeof(words) /
						     sizeof(words[0]))];
			size_t wl = strlen(w);

			if (i + wl + 1 > ps)
				break;
			memcpy(d + i, w, wl);
			i += wl;
			d[i++] = rng_below(r, 8) ? ' ' : '\n';
		}
	} else if (kind < 60) {		/* slab: 64-byte objects */
		for (uint64_t i = 0; i + 64 <= ps; i += 64) {
			wr64(d + i, base + rng_below(r, 1ULL << 20) * 64);
			wr64(d + i + 8, base + rng_below(r, 1ULL << 20) * 64);
			wr32(d + i + 16, (uint32_t)(i / 64 + rng_below(r, 4)));
			wr32(d + i + 20, 1u << rng_below(r, 8));
			wr64(d + i + 32, rng_below(r, 1000));
		}
	} else if (kind < 70) {		/* page table: present entries */
		uint64_t pfn = rng_below(r, 1ULL << 22);

		for (uint64_t i = 0; i + 8 <= ps; i += 8)
			if (rng_below(r, 10) < 7)
				wr64(d + i, ((pfn + i / 8) << 12) | 0x63);
	} else if (kind < 90) {		/* user data that does not compress */
		for (uint64_t i = 0; i + 8 <= ps; i += 8)
			wr64(d + i, rng_next(r));
	} else {			/* mostly zero: a few live words */
		for (unsigned int i = 0; i < 8; i++)
			wr64(d + rng_below(r, ps / 8) * 8, rng_next(r) | 1);
	}
	d[ps - 1] |= 1;			/* never a zero page */
	if (d[0] == 0xd0 && d[1] == 0x0d && d[2] == 0xfe && d[3] == 0xed)
		d[0] = 0;		/* never an FDT candidate */
}

static void ram_pool_init(const struct gen *g, struct ram_pool *rp,
			  bool compress)
{
	uint64_t r = g->c.seed ^ 0x72616dULL;

	memset(rp, 0, sizeof(*rp));
	rp->data = xcalloc(RAM_POOL, g->ps);
	for (size_t i = 0; i < RAM_POOL; i++)
		ram_fill_page(rp->data + i * g->ps, g->ps, &r);
	if (!compress)
		return;
	rp->zcap = compressBound((uLong)g->ps);
	rp->z = xcalloc(RAM_POOL, rp->zcap);
	rp->zlen = xcalloc(RAM_POOL, sizeof(*rp->zlen));
	for (size_t i = 0; i < RAM_POOL; i++) {
		uLongf zl = (uLongf)rp->zcap;

		/* makedumpfile compresses with Z_BEST_SPEED too */
		if (compress2(rp->z + i * rp->zcap, &zl, rp->data + i * g->ps,
			      (uLong)g->ps, Z_BEST_SPEED) == Z_OK && zl < g->ps)
			rp->zlen[i] = (uint32_t)zl;
	}
}

static void ram_pool_free(struct ram_pool *rp)
{
	free(rp->data);
	free(rp->z);
	free(rp->zlen);
}

static bool ram_excluded(const struct gen *g, uint64_t pfn)
{
	return g->c.ram_exclude &&
	       mix64((pfn / RAM_RUN) ^ g->c.seed ^ 0x6578636cULL) % 100 <
	       g->c.ram_exclude;
}

/*
 * The pages of a dump, ascending: the generator's (dumped_pfns()) merged
 * with the 'ram' pages it did not write. Streams, so that a dump of tens
 * of GiB needs no memory per page.
 */
struct dump_it {
	const struct gen *g;
	uint64_t *v;
	size_t n, k;
	uint64_t rpfn, rend;
};

static void dump_it_init(struct dump_it *it, const struct gen *g)
{
	memset(it, 0, sizeof(*it));
	it->g = g;
	it->v = dumped_pfns(g, &it->n);
	if (g->c.set_ram) {
		it->rpfn = g->c.ram_base >> g->shift;
		it->rend = (g->c.ram_base + g->c.ram_size) >> g->shift;
	}
}

/* The next page: its pfn, and its pool index, or -1 for a written page. */
static bool dump_it_next(struct dump_it *it, uint64_t *pfn, long *pool)
{
	const struct gen *g = it->g;

	/* ram pages: not left out, not the generator's (dumped or not) */
	while (it->rpfn < it->rend) {
		if (ram_excluded(g, it->rpfn)) {
			it->rpfn = (it->rpfn / RAM_RUN + 1) * RAM_RUN;
			continue;
		}
		if (!page_get(g, it->rpfn))
			break;
		it->rpfn++;
	}
	if (it->k < it->n && (it->rpfn >= it->rend || it->v[it->k] < it->rpfn)) {
		*pfn = it->v[it->k++];
		*pool = -1;
		return true;
	}
	if (it->rpfn >= it->rend)
		return false;
	*pfn = it->rpfn++;
	*pool = (long)(mix64(*pfn ^ g->c.seed) % RAM_POOL);
	return true;
}

static void dump_it_free(struct dump_it *it)
{
	free(it->v);
}

/* Pages in the dump, and runs of consecutive ones (PT_LOADs). */
static uint64_t dump_count(const struct gen *g, uint64_t *runs_ret)
{
	struct dump_it it;
	uint64_t n = 0, runs = 0, pfn, prev = 0;
	long pool;

	dump_it_init(&it, g);
	while (dump_it_next(&it, &pfn, &pool)) {
		runs += !n || pfn != prev + 1;
		prev = pfn;
		n++;
	}
	dump_it_free(&it);
	if (runs_ret)
		*runs_ret = runs;
	return n;
}

static const uint8_t *dump_page(const struct gen *g, const struct ram_pool *rp,
				uint64_t pfn, long pool)
{
	return pool < 0 ? page_get(g, pfn)->data : rp->data + (size_t)pool * g->ps;
}

static void write_elf(const struct gen *g, const char *path)
{
	size_t notelen = 0, descoff, desclen;
	uint64_t nruns, pfn;
	uint8_t *note = NULL;
	struct ram_pool rp = { 0 };
	struct kig_core core;
	struct dump_it it;
	long pool;

	dump_count(g, &nruns);
	if (g->c.vmcoreinfo)
		note = vmcoreinfo_note(g, &notelen, &descoff, &desclen);
	if (nruns + !!note >= PN_XNUM)
		die("%" PRIu64 " PT_LOADs: too many for e_phnum", nruns);
	if (g->c.set_ram)
		ram_pool_init(g, &rp, false);
	kig_core_init(&core, g->ps, DIRECT_MAP, note, notelen, true);
	dump_it_init(&it, g);
	while (dump_it_next(&it, &pfn, &pool))
		kig_core_load(&core, pfn << g->shift, g->ps, true);
	dump_it_free(&it);
	kig_core_open(&core, path);
	dump_it_init(&it, g);
	while (dump_it_next(&it, &pfn, &pool))
		kig_core_put(&core, dump_page(g, &rp, pfn, pool), g->ps);
	dump_it_free(&it);
	/* cut short on request, to test readers against truncated cores */
	kig_core_close(&core, g->truncate_elf);
	free(note);
	ram_pool_free(&rp);
}

static void put_uts(uint8_t *p, const char *s)
{
	/* new_utsname fields are 65 bytes, NUL-padded */
	strncpy((char *)p, s, 64);
}

/* @d compressed as makedumpfile does, if that makes it shorter. */
static bool zpage(uint8_t *out, uLongf *len, const uint8_t *d, uint64_t bs)
{
	*len = compressBound((uLong)bs);
	return compress2(out, len, d, (uLong)bs, Z_BEST_SPEED) == Z_OK &&
	       *len < bs;
}

/*
 * kdump-compressed ("KDUMP   ", diskdump header version 6) as makedumpfile
 * writes it: block 0 header, sub-header (+ ELF notes) from block 1, the
 * 1st (RAM) and 2nd (dumped) bitmaps, one page_desc per dumped page, the
 * page data. Field offsets are those of the x86_64 structs
 * (disk_dump_header, kdump_sub_header). Omitted pages are RAM (1st bitmap)
 * but not dumped (2nd), so readers get "excluded page"; so are the runs
 * 'ram' leaves out.
 */
static void write_kdump(const struct gen *g, const char *path)
{
	size_t notelen = 0, descoff = 0, desclen = 0, npd = 0;
	uint64_t n = dump_count(g, NULL), pfn, i;
	uint64_t bs = g->ps, maxmapnr = g->c.mem_end >> g->shift;
	uint64_t bmlen, subblocks, bmoff, pdoff, dataoff, zero_off = 0;
	uint8_t *hdr, *note = NULL, *bm, *pds, *cbuf;
	struct ram_pool rp = { 0 };
	struct dump_it it;
	struct kig_out ob;
	bool have_zero = false;
	long pool;
	uLongf clen;
	int fd;

	if (maxmapnr > MAX_MAPNR)
		die("mem_end 0x%" PRIx64 " too high for a kdump bitmap",
		    g->c.mem_end);
	if (g->c.vmcoreinfo)
		note = vmcoreinfo_note(g, &notelen, &descoff, &desclen);
	if (g->c.set_ram)
		ram_pool_init(g, &rp, g->c.kdump_compress);
	bmlen = ((maxmapnr + 7) / 8 + bs - 1) / bs * bs;
	subblocks = (104 + notelen + bs - 1) / bs;
	bmoff = (1 + subblocks) * bs;
	pdoff = bmoff + 2 * bmlen;
	dataoff = pdoff + n * 24;

	hdr = xcalloc(1, bs);
	memcpy(hdr, "KDUMP   ", 8);
	wr32(hdr + 8, 6);
	put_uts(hdr + 12, "Linux");
	put_uts(hdr + 12 + 65, "khotools");
	put_uts(hdr + 12 + 130, g->c.osrelease);
	put_uts(hdr + 12 + 195, "#1 SMP");
	/* libkdumpfile takes the architecture from here */
	put_uts(hdr + 12 + 260, "x86_64");
	put_uts(hdr + 12 + 325, "(none)");
	/* timestamp at 408: tv_sec fixed for reproducible files; tv_usec
	 * must stay 0, or libkdumpfile's 32-bit header probe reads it as a
	 * plausible block size */
	wr64(hdr + 408, 1700000000);
	wr32(hdr + 424, g->c.kdump_compress ? 0x1 : 0);	/* status */
	wr32(hdr + 428, (uint32_t)bs);			/* block_size */
	wr32(hdr + 432, (uint32_t)subblocks);		/* sub_hdr_size */
	wr32(hdr + 436, (uint32_t)(2 * bmlen / bs));	/* bitmap_blocks */
	wr32(hdr + 440, (uint32_t)(maxmapnr > UINT32_MAX ? UINT32_MAX :
				    maxmapnr));		/* max_mapnr */
	wr32(hdr + 460, 1);				/* nr_cpus */

	fd = xcreat(path);
	kig_pwrite(fd, hdr, bs, 0, path);
	memset(hdr, 0, bs);
	/* sub-header: phys_base 0, dump_level 31, no split */
	wr32(hdr + 8, 31);
	if (note) {
		wr64(hdr + 32, bs + 104 + descoff);	/* offset_vmcoreinfo */
		wr64(hdr + 40, desclen);
		wr64(hdr + 48, bs + 104);		/* offset_note */
		wr64(hdr + 56, notelen);		/* size_note */
	}
	wr64(hdr + 96, maxmapnr);			/* max_mapnr_64 */
	kig_pwrite(fd, hdr, 104, bs, path);
	if (note)
		kig_pwrite(fd, note, notelen, bs + 104, path);

	bm = xcalloc(1, bmlen);
	for (uint64_t p = 0; p < maxmapnr; p++)
		bm[p / 8] |= (uint8_t)(1u << (p % 8));
	kig_pwrite(fd, bm, bmlen, bmoff, path);
	memset(bm, 0, bmlen);
	dump_it_init(&it, g);
	while (dump_it_next(&it, &pfn, &pool))
		bm[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
	dump_it_free(&it);
	kig_pwrite(fd, bm, bmlen, bmoff + bmlen, path);

	/* descriptors in batches, data through the output buffer */
	pds = xcalloc(KIG_OUTBUF / 24, 24);
	cbuf = xcalloc(1, compressBound((uLong)bs));
	kig_out_start(&ob, fd, path, dataoff);
	dump_it_init(&it, g);
	for (i = 0; dump_it_next(&it, &pfn, &pool); i++) {
		const uint8_t *d = dump_page(g, &rp, pfn, pool);
		uint8_t *pd = pds + 24 * npd++;
		bool zero = pool < 0;

		for (uint64_t b = 0; b < bs && zero; b++)
			zero = !d[b];
		memset(pd, 0, 24);
		/* makedumpfile writes one zero page and points all at it */
		if (zero && have_zero) {
			wr64(pd, zero_off);
			wr32(pd + 8, (uint32_t)bs);
		} else if (pool >= 0 && rp.zlen && rp.zlen[pool]) {
			kig_out_put(&ob, rp.z + (size_t)pool * rp.zcap, rp.zlen[pool]);
			wr64(pd, dataoff);
			wr32(pd + 8, rp.zlen[pool]);
			wr32(pd + 12, 0x1);	/* DUMP_DH_COMPRESSED_ZLIB */
			dataoff += rp.zlen[pool];
		} else if (pool < 0 && !zero && g->c.kdump_compress &&
			   zpage(cbuf, &clen, d, bs)) {
			kig_out_put(&ob, cbuf, clen);
			wr64(pd, dataoff);
			wr32(pd + 8, (uint32_t)clen);
			wr32(pd + 12, 0x1);	/* DUMP_DH_COMPRESSED_ZLIB */
			dataoff += clen;
		} else {
			kig_out_put(&ob, d, bs);
			wr64(pd, dataoff);
			wr32(pd + 8, (uint32_t)bs);
			if (zero) {
				have_zero = true;
				zero_off = dataoff;
			}
			dataoff += bs;
		}
		if (npd == KIG_OUTBUF / 24) {
			kig_pwrite(fd, pds, npd * 24, pdoff + (i + 1 - npd) * 24, path);
			npd = 0;
		}
	}
	kig_pwrite(fd, pds, npd * 24, pdoff + (i - npd) * 24, path);
	kig_out_end(&ob);
	dump_it_free(&it);
	xclose(fd, path);
	free(cbuf);
	free(pds);
	free(bm);
	free(hdr);
	free(note);
	ram_pool_free(&rp);
}

/* ---------------------------------------------------------------------- */
/* expected outputs                                                       */
/* ---------------------------------------------------------------------- */

static void write_pages(const struct gen *g, const char *path)
{
	size_t n;
	struct block **v = visible_blocks(g, &n);
	FILE *f = xfopen(path);

	for (size_t i = 0; i < n; i++)
		fprintf(f, "0x%" PRIx64 " %u\n", v[i]->phys, v[i]->order);
	xfclose(f, path);
	free(v);
}

static void write_ranges(const struct gen *g, const char *path)
{
	size_t n;
	struct block **v = visible_blocks(g, &n);
	FILE *f = xfopen(path);

	for (size_t i = 0; i < n;) {
		uint64_t s = v[i]->phys, e = v[i]->end;

		for (i++; i < n && v[i]->phys == e; i++)
			e = v[i]->end;
		fprintf(f, "0x%" PRIx64 "-0x%" PRIx64 " %" PRIu64 "\n", s, e,
			e - s);
	}
	xfclose(f, path);
	free(v);
}

static const struct gen *walk_g;

/* Upstream's walk order: radix ascending key (high orders first); v1 the
 * chunk list, i.e. ascending order, then ascending address. */
static int walk_cmp(const void *a, const void *b)
{
	const struct block *x = *(const struct block *const *)a;
	const struct block *y = *(const struct block *const *)b;
	uint64_t kx, ky;

	if (walk_g->c.format == FMT_RADIX) {
		kx = radix_key(walk_g, x->phys, x->order);
		ky = radix_key(walk_g, y->phys, y->order);
	} else {
		if (x->order != y->order)
			return x->order < y->order ? -1 : 1;
		kx = x->phys;
		ky = y->phys;
	}
	return kx < ky ? -1 : kx > ky;
}

static void write_walk(const struct gen *g, const char *path)
{
	size_t n;
	struct block **v = visible_blocks(g, &n);
	FILE *f = xfopen(path);

	walk_g = g;
	qsort(v, n, sizeof(*v), walk_cmp);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "0x%" PRIx64 " %u\n", v[i]->phys, v[i]->order);
	xfclose(f, path);
	free(v);
}

static const char *format_name(enum format f)
{
	return f == FMT_RADIX ? "radix" : f == FMT_V1_512 ? "v1-512" :
	       "v1-4096";
}

static void write_stats(const struct gen *g, const char *path)
{
	const struct stats *st = &g->st;
	FILE *f = xfopen(path);

	fprintf(f, "format: %s\n", format_name(g->c.format));
	fprintf(f, "page_size: %" PRIu64 "\n", g->ps);
	fprintf(f, "blocks_total: %" PRIu64 "\n", st->blocks_total);
	for (unsigned int o = 0; o < 64; o++)
		if (st->blocks[o])
			fprintf(f, "blocks.order.%u: %" PRIu64 "\n", o,
				st->blocks[o]);
	fprintf(f, "max_order: %u\n", st->max_order);
	fprintf(f, "preserved_bytes: %" PRIu64 "\n", st->preserved_bytes);
	fprintf(f, "runs: %" PRIu64 "\n", st->runs);
	/* radix: tables per level, then leaves at level 0; v1: level 1 is
	 * chunks, level 0 bitmaps */
	for (unsigned int lv = (g->c.format == FMT_RADIX ? g->levels : 1) + 1;
	     lv-- > 0;)
		fprintf(f, "nodes.level.%u: %" PRIu64 "\n", lv, st->nodes[lv]);
	fprintf(f, "leaves: %" PRIu64 "\n", st->leaves);
	fprintf(f, "empty_leaves: %" PRIu64 "\n", st->empty_leaves);
	fprintf(f, "leaf_bits_set: %" PRIu64 "\n", st->bits_set);
	fprintf(f, "leaf_bits_total: %" PRIu64 "\n", st->bits_total);
	fprintf(f, "metadata_bytes: %" PRIu64 "\n", st->metadata_bytes);
	xfclose(f, path);
}

static void write_info(const struct gen *g, const char *path)
{
	FILE *f = xfopen(path);

	fprintf(f, "format: %s\n", format_name(g->c.format));
	fprintf(f, "compatible: %s\n", g->c.compatible);
	fprintf(f, "page_size: %" PRIu64 "\n", g->ps);
	fprintf(f, "fdt_phys: 0x%" PRIx64 "\n", g->fdt_phys);
	fprintf(f, "root_phys: 0x%" PRIx64 "\n", g->map_phys);
	fprintf(f, "mem_end: 0x%" PRIx64 "\n", g->c.mem_end);
	fprintf(f, "arena: 0x%" PRIx64 " 0x%" PRIx64 "\n", g->c.arena_base,
		g->c.arena_size);
	fprintf(f, "blocks: %" PRIu64 "\n", g->st.blocks_total);
	fprintf(f, "ranges: %" PRIu64 "\n", g->st.runs);
	fprintf(f, "pages_written: %zu\n", g->npages);
	fprintf(f, "pages_dumped: %" PRIu64 "\n", dump_count(g, NULL));
	if (g->c.format == FMT_RADIX) {
		fprintf(f, "levels: %u\n", g->levels);
	} else {
		fprintf(f, "bitmap_size: %u\n", g->v1_bits / 8);
		fprintf(f, "chunks: %zu\n", g->nchunks);
		for (size_t i = 0; i < g->nchunks; i++)
			fprintf(f, "chunk: 0x%" PRIx64 "\n", g->chunks[i]);
	}
	for (unsigned int i = 0; i < g->nsubs; i++)
		fprintf(f, "subnode: %s 0x%" PRIx64 " %" PRIu64 "\n",
			g->subs[i].name, g->subs[i].phys, g->subs[i].size);
	for (size_t i = 0; i < g->nluo_info; i++)
		fprintf(f, "%s\n", g->luo_info[i]);
	for (size_t i = 0; i < g->nluo_sblocks; i++)
		fprintf(f, "luo-sblock: %zu 0x%" PRIx64 "\n", i, g->luo_sblocks[i]);
	for (size_t i = 0; i < g->nluo_sess; i++)
		for (size_t k = 0; k < g->luo_sess[i].nfblocks; k++)
			fprintf(f, "luo-fblock: %s %zu 0x%" PRIx64 "\n",
				g->luo_sess[i].name, k, g->luo_sess[i].fblocks[k]);
	for (unsigned int i = 0; i < g->nomits; i++)
		fprintf(f, "omit: 0x%" PRIx64 "\n", g->omits[i] << g->shift);
	if (g->truncate_elf)
		fprintf(f, "truncate_elf: %" PRIu64 "\n", g->truncate_elf);
	xfclose(f, path);
}

static void write_fdt(const struct gen *g, const char *path)
{
	const uint8_t *fdt = mem_at(g, g->fdt_phys, g->ps, NULL);
	uint64_t len = fdt_totalsize(fdt);
	int fd = xcreat(path);

	/* a corrupt totalsize cannot make the blob larger than its page */
	if (len > g->ps)
		len = g->ps;
	kig_pwrite(fd, fdt, len, 0, path);
	xclose(fd, path);
}

/* ---------------------------------------------------------------------- */
/* golden trees (DESIGN.md §3)                                            */
/* ---------------------------------------------------------------------- */

static void gen_defaults(struct gen *g)
{
	memset(g, 0, sizeof(*g));
	g->c.page_shift = 12;
	g->c.format = FMT_RADIX;
	g->c.fdt_preserve = true;
	g->c.kdump_compress = true;
	g->c.seed = 1;
}

static void free_nothing(void *p)
{
	(void)p;
}

static void gen_free(struct gen *g)
{
	for (size_t i = 0; i < g->npages; i++) {
		free(g->pages[i]->data);
		free(g->pages[i]);
	}
	free(g->pages);
	free(g->hash);
	free(g->aused);
	tdestroy(g->btree, free_nothing);
	tdestroy(g->bmtree, free_nothing);
	for (size_t i = 0; i < g->nblocks; i++)
		free(g->blocks[i]);
	free(g->blocks);
	for (size_t i = 0; i < g->nbms; i++)
		free(g->bms[i]);
	free(g->bms);
	free(g->chunks);
	for (unsigned int i = 0; i < g->nsubs; i++)
		free(g->subs[i].name);
	for (size_t i = 0; i < g->nops; i++) {
		for (int k = 0; k < g->ops[i].argc; k++)
			free(g->ops[i].argv[k]);
		free(g->ops[i].argv);
	}
	free(g->ops);
	for (size_t i = 0; i < g->nfiles; i++)
		free(g->files[i]);
	free(g->files);
	free(g->c.compatible);
	free(g->c.osrelease);
	for (unsigned int i = 0; i < g->c.nvmci; i++)
		free(g->c.vmci[i]);
}

/*
 * Build each golden tree (one block, FDT page not preserved so it is the
 * only key) with the ordinary builder, then read the path back from the
 * written pages: every table must hold exactly one non-zero entry, pointing
 * at the next node, and the leaf exactly one non-zero word. The rows are
 * printed in DESIGN.md's table format so golden.t can compare them.
 */
static int golden(void)
{
	static const struct { uint64_t pa; unsigned int order; } t[] = {
		{ 0x1000, 0 }, { 0x200000, 9 }, { 0x40000000, 18 },
		{ 0x123456000, 0 }, { 0x8000, 3 },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		static struct gen gg;
		struct gen *g = &gg;
		struct page *node;
		char path[128];
		size_t pl = 0;
		uint64_t word = 0, wi = 0;
		unsigned int nz;

		gen_defaults(g);
		g->c.fdt_preserve = false;
		/* away from every golden block */
		g->c.arena_base = 0x10000000;
		g->c.arena_size = 0x200000;
		g->c.set_arena = true;
		g->c.seed = i + 1;
		gen_setup(g);
		g->c.mem_end = g->aend << g->shift;
		gen_init(g);
		preserve(g, t[i].pa, t[i].order, false, NULL);
		node = page_get(g, g->root >> g->shift);
		for (unsigned int lv = g->levels; lv >= 1; lv--) {
			uint64_t idx = 0, child = 0;

			nz = 0;
			for (uint64_t k = 0; k < (1ULL << g->tbits); k++) {
				uint64_t e = rd64(node->data + k * 8);

				if (e) {
					nz++;
					idx = k;
					child = e;
				}
			}
			if (nz != 1 || !page_get(g, child >> g->shift)) {
				fprintf(stderr, "%s: golden 0x%" PRIx64 ": level "
					"%u has %u entries\n", kig_prog, t[i].pa,
					lv, nz);
				bad = 1;
				break;
			}
			pl += (size_t)snprintf(path + pl, sizeof(path) - pl,
					       "%s%" PRIu64, pl ? ", " : "",
					       idx);
			node = page_get(g, child >> g->shift);
			if ((node->kind == PK_LEAF) != (lv == 1)) {
				fprintf(stderr, "%s: golden: wrong node kind\n",
					kig_prog);
				bad = 1;
			}
		}
		nz = 0;
		for (uint64_t k = 0; k < g->ps / 8; k++) {
			uint64_t w = rd64(node->data + k * 8);

			if (w) {
				nz++;
				wi = k;
				word = w;
			}
		}
		if (nz != 1) {
			fprintf(stderr, "%s: golden: leaf has %u words\n",
				kig_prog, nz);
			bad = 1;
		}
		printf("| (0x%" PRIx64 ", %u) | 0x%" PRIx64 " | %s | word %"
		       PRIu64 " = 0x%" PRIx64 " |\n", t[i].pa, t[i].order,
		       radix_key(g, t[i].pa, t[i].order), path, wi, word);
		gen_free(g);
	}
	return bad;
}

/* ---------------------------------------------------------------------- */
/* main                                                                   */
/* ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [OPTIONS] SPEC\n"
"       %s --golden\n"
"Build a KHO preserved-memory map from SPEC ('-' for stdin) in simulated\n"
"memory and write dumps and expected reader outputs.\n"
"  --raw FILE            raw image of the arena (FILE.phys, FILE.args)\n"
"  --elf FILE            ELF64 x86_64 vmcore\n"
"  --kdump FILE          kdump-compressed vmcore (diskdump v6)\n"
"  --fdt FILE            the root KHO FDT blob\n"
"  --expect-pages FILE   0x<phys> <order>, ascending\n"
"  --expect-ranges FILE  0x<start>-0x<end> <bytes>, coalesced\n"
"  --expect-walk FILE    blocks in upstream's walk order\n"
"  --expect-stats FILE   key: value totals of the map as built\n"
"  --info FILE           key: value facts (fdt_phys, root_phys, mem_end...)\n"
"  --golden              print the DESIGN.md golden-tree rows and exit\n"
"  -h, --help            this text\n"
"  -V, --version         version\n"
"The spec language is described in tests/gen/README.md.\n", kig_prog, kig_prog);
}

enum { O_RAW = 256, O_ELF, O_KDUMP, O_FDT, O_PAGES, O_RANGES, O_WALK,
       O_STATS, O_INFO, O_GOLDEN };

static struct gen the_gen;

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "raw", required_argument, NULL, O_RAW },
		{ "elf", required_argument, NULL, O_ELF },
		{ "kdump", required_argument, NULL, O_KDUMP },
		{ "fdt", required_argument, NULL, O_FDT },
		{ "expect-pages", required_argument, NULL, O_PAGES },
		{ "expect-ranges", required_argument, NULL, O_RANGES },
		{ "expect-walk", required_argument, NULL, O_WALK },
		{ "expect-stats", required_argument, NULL, O_STATS },
		{ "info", required_argument, NULL, O_INFO },
		{ "golden", no_argument, NULL, O_GOLDEN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out[O_GOLDEN - O_RAW] = { NULL };
	struct gen *g = &the_gen;
	bool want_golden = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "hV", lo, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", kig_prog, KHOTOOLS_VERSION);
			return 0;
		case O_GOLDEN:
			want_golden = true;
			break;
		default:
			if (opt >= O_RAW && opt < O_GOLDEN) {
				out[opt - O_RAW] = optarg;
				break;
			}
			usage(stderr);
			return 2;
		}
	}
	if (want_golden) {
		if (optind != argc) {
			usage(stderr);
			return 2;
		}
		return golden();
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}

	gen_defaults(g);
	parse_file(g, argv[optind], 0, NULL);
	gen_setup(g);
	if (!g->c.set_mem_end)
		g->c.mem_end = g->aend << g->shift;
	if (!g->c.set_mem_end && g->c.set_ram &&
	    g->c.ram_base + g->c.ram_size > g->c.mem_end)
		g->c.mem_end = g->c.ram_base + g->c.ram_size;
	gen_init(g);
	for (size_t i = 0; i < g->nops; i++)
		if (g->ops[i].kind < OP_DEFERRED)
			run_op(g, &g->ops[i]);
	gen_finalize(g);
	compute_stats(g);
	for (size_t i = 0; i < g->nops; i++)
		if (g->ops[i].kind > OP_DEFERRED)
			run_deferred(g, &g->ops[i]);
	settle_mem_end(g);

	if (out[O_RAW - O_RAW])
		write_raw(g, out[O_RAW - O_RAW]);
	if (out[O_ELF - O_RAW])
		write_elf(g, out[O_ELF - O_RAW]);
	if (out[O_KDUMP - O_RAW])
		write_kdump(g, out[O_KDUMP - O_RAW]);
	if (out[O_FDT - O_RAW])
		write_fdt(g, out[O_FDT - O_RAW]);
	if (out[O_PAGES - O_RAW])
		write_pages(g, out[O_PAGES - O_RAW]);
	if (out[O_RANGES - O_RAW])
		write_ranges(g, out[O_RANGES - O_RAW]);
	if (out[O_WALK - O_RAW])
		write_walk(g, out[O_WALK - O_RAW]);
	if (out[O_STATS - O_RAW])
		write_stats(g, out[O_STATS - O_RAW]);
	if (out[O_INFO - O_RAW])
		write_info(g, out[O_INFO - O_RAW]);
	gen_free(g);
	return 0;
}
