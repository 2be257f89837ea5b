// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metacost - bytes of metadata needed to hand over a preserved set, for
 * realistic sets on a 1 TiB host, under
 *
 *   kho-v2    the radix tree: one 4 KiB page per distinct leaf (key >> 15)
 *             and per distinct table prefix (key >> 24, 33, 42, 51), plus
 *             the root (KHO_ABI.md §1);
 *   v1-512    kho-v1 as in 6.16/6.17: per order, one 512-byte bitmap per
 *             4096 blocks-slots touched, plus 4 KiB chunks of 255 entries
 *             (KHO_ABI.md §2);
 *   v1-4096   kho-v1 from 6.18: 4096-byte bitmaps (32768 slots each);
 *   ranges    (start, size, info) per range of adjacent blocks of the same
 *             order (the order must survive, so ranges of different orders
 *             do not merge): 24 bytes flat;
 *   maple     the same ranges in a maple tree: a range and the gap after it
 *             take a slot each in 256-byte leaves of 16 slots, counted as
 *             if full (a lower bound; internal nodes not counted).
 *
 * Independent of lib/: counts come from sorted keys, not from a walk.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE	4096ull
#define TiB_PAGES (1ull << 28)

struct blk {
	uint64_t pfn;
	unsigned int order;
};

static struct blk *blks;
static size_t nblk, cap;
static uint64_t rng_s = 7;

static uint64_t rng(void)
{
	uint64_t z = (rng_s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void add(uint64_t pfn, unsigned int order)
{
	if (nblk == cap) {
		cap = cap ? cap * 2 : 1 << 16;
		blks = realloc(blks, cap * sizeof(*blks));
		if (!blks) {
			fprintf(stderr, "metacost: out of memory\n");
			exit(1);
		}
	}
	blks[nblk++] = (struct blk){ pfn, order };
}

/*
 * @n distinct blocks of @order at random aligned places in [@lo, @hi)
 * pages, not overlapping blocks already in @used (one byte per 2 MiB).
 */
static uint8_t *used;

static void add_random(uint64_t n, unsigned int order, uint64_t lo, uint64_t hi)
{
	uint64_t slots = (hi - lo) >> order;

	while (n) {
		uint64_t pfn = lo + (rng() % slots << order);
		uint64_t g = pfn >> 9, ge = (pfn + (1ull << order) - 1) >> 9;
		int clash = 0;

		/* 2 MiB granules, whole for orders above 6, else in 8 sub-slots. */
		if (order > 6) {
			for (uint64_t x = g; x <= ge; x++)
				clash |= used[x] != 0;
			if (clash)
				continue;
			for (uint64_t x = g; x <= ge; x++)
				used[x] = 0xff;
		} else {
			/* 8 sub-slots of 256 KiB per granule; order <= 6 fits one. */
			unsigned int sub = (unsigned int)((pfn >> 6) & 7);

			if (used[g] & (1u << sub))
				continue;
			used[g] |= (uint8_t)(1u << sub);
		}
		add(pfn, order);
		n--;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_blk(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static uint64_t distinct_shifted(const uint64_t *v, size_t n, unsigned int shift)
{
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += !i || v[i] >> shift != v[i - 1] >> shift;
	return c;
}

static void pct(uint64_t bytes, uint64_t preserved)
{
	printf(" %" PRIu64 " (%.3g%%) |", bytes, 100.0 * (double)bytes / (double)preserved);
}

static void report(const char *name)
{
	uint64_t *keys = malloc(nblk * sizeof(*keys));
	uint64_t preserved = 0, v2, v1[2] = { 0, 0 }, nranges = 0;

	if (!keys) {
		fprintf(stderr, "metacost: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < nblk; i++) {
		keys[i] = 1ull << (52 - blks[i].order) | blks[i].pfn >> blks[i].order;
		preserved += PAGE << blks[i].order;
	}
	qsort(keys, nblk, sizeof(*keys), cmp_u64);
	v2 = 1;		/* root */
	for (unsigned int s = 15; s <= 51; s += 9)
		v2 += distinct_shifted(keys, nblk, s);
	v2 *= PAGE;

	/* kho-v1: per order, bitmaps of 4096 or 32768 slots; chunks of 255. */
	qsort(blks, nblk, sizeof(*blks), cmp_blk);
	for (int b = 0; b < 2; b++) {
		unsigned int bits = b ? 15 : 12;
		size_t i = 0;

		while (i < nblk) {
			unsigned int o = blks[i].order;
			uint64_t bitmaps = 0, prev = UINT64_MAX;

			for (; i < nblk && blks[i].order == o; i++) {
				uint64_t idx = (blks[i].pfn >> o) >> bits;

				bitmaps += idx != prev;
				prev = idx;
			}
			v1[b] += bitmaps * (b ? 4096 : 512) + (bitmaps + 254) / 255 * PAGE;
		}
	}
	/* Ranges of adjacent same-order blocks (sorted by order, then pfn). */
	for (size_t i = 0; i < nblk; i++)
		nranges += !i || blks[i].order != blks[i - 1].order ||
			   blks[i - 1].pfn + (1ull << blks[i - 1].order) != blks[i].pfn;

	printf("| %s | %" PRIu64 " | %zu | %" PRIu64 " |", name, preserved, nblk, nranges);
	pct(v2, preserved);
	pct(v1[0], preserved);
	pct(v1[1], preserved);
	pct(nranges * 24, preserved);
	pct((2 * nranges + 15) / 16 * 256, preserved);
	printf("\n");
	free(keys);
	nblk = 0;
	memset(used, 0, TiB_PAGES >> 9);
}

int main(void)
{
	used = calloc(TiB_PAGES >> 9, 1);
	if (!used)
		return 1;
	printf("## Metadata cost of a preserved set on a 1 TiB host (bytes, share of preserved memory)\n\n");
	printf("| preserved set | preserved bytes | blocks | same-order ranges | kho-v2 radix | kho-v1 512 B bitmaps | kho-v1 4 KiB bitmaps | ranges (24 B flat) | ranges (maple, >=) |\n");
	printf("|---|---|---|---|---|---|---|---|---|\n");

	add_random(1ull << 18, 0, 0, TiB_PAGES);
	report("sparse order-0: 1 GiB of 4 KiB pages at random over 1 TiB");

	for (uint64_t p = 0; p < (64ull << 18); p++)
		add((1ull << 20) + p, 0);
	report("dense order-0: 64 GiB of contiguous 4 KiB pages");

	add_random(512, 18, 0, TiB_PAGES);
	report("hugetlb: 512 x 1 GiB folios at random slots of 1 TiB");

	for (uint64_t p = 0; p < (960ull << 18); p += 1ull << 18)
		add(p, 18);
	report("VM host: 960 GiB as contiguous 1 GiB folios");

	add_random(16384, 9, 0, TiB_PAGES);		/* 32 GiB of 2 MiB THP folios */
	add_random(1ull << 17, 0, 0, TiB_PAGES);	/* 512 MiB of 4 KiB pages */
	for (unsigned int o = 1; o <= 4; o++)
		add_random(256, o, 0, TiB_PAGES);	/* LUO/session metadata */
	report("LUO/memfd mix: 32 GiB of 2 MiB folios + 512 MiB of 4 KiB pages + 1024 blocks of order 1-4, random over 1 TiB");

	for (uint64_t p = 0; p < (16ull << 18); p += 512)
		add((1ull << 22) + p, 9);
	report("memfd THP: 16 GiB of contiguous 2 MiB folios");
	free(used);
	free(blks);
	return 0;
}
