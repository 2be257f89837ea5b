// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khor_find(): an address at any sub-page of a preserved block of any order
 * is found with its block; addresses just outside are not; missing pages,
 * bad pointers and overlapping blocks are reported exactly. Trees are
 * built in a simulated memory with this file's own key arithmetic (the
 * library's codec is not used to build them), kho-v1 chunk lists likewise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix_reader.h"
#include "../tap.h"

#define PAGE 4096
#define NPAGES 64
#define ARENA 0x7f000000ULL

static uint8_t mem[NPAGES][PAGE];
static int present[NPAGES];
static unsigned int next_page;

static int sim_read(struct khor_mem *m, void *priv, uint64_t phys, void *buf,
		    size_t len)
{
	(void)priv;
	while (len) {
		uint64_t off = phys - ARENA, idx = off / PAGE;
		size_t chunk = PAGE - off % PAGE;

		if (phys < ARENA || idx >= NPAGES || !present[idx]) {
			khor_mem_set_errmsg(m, "page 0x%llx missing",
					    (unsigned long long)(phys & ~0xfffULL));
			return -KHOR_ENODATA;
		}
		if (chunk > len)
			chunk = len;
		memcpy(buf, &mem[idx][off % PAGE], chunk);
		buf = (uint8_t *)buf + chunk;
		phys += chunk;
		len -= chunk;
	}
	return 0;
}

static const struct khor_mem_ops sim_ops = { .read = sim_read };

static uint64_t alloc_page(void)
{
	unsigned int i = next_page++;

	memset(mem[i], 0, PAGE);
	present[i] = 1;
	return ARENA + (uint64_t)i * PAGE;
}

static uint64_t *page_at(uint64_t phys)
{
	return (uint64_t *)mem[(phys - ARENA) / PAGE];
}

/* DESIGN.md §3, 4 KiB pages: key = 1 << (52 - order) | pa >> (12 + order). */
static uint64_t key_of(uint64_t pa, unsigned int order)
{
	return (1ULL << (52 - order)) | pa >> (12 + order);
}

static unsigned int idx_of(uint64_t key, unsigned int level)
{
	return level ? (key >> (15 + 9 * (level - 1))) & 511 : key & 0x7fff;
}

/* The leaf of @pa/@order's key, created on the way. */
static uint64_t leaf_of(uint64_t root, uint64_t pa, unsigned int order)
{
	uint64_t key = key_of(pa, order), node = root;

	for (unsigned int l = 5; l >= 1; l--) {
		uint64_t *t = page_at(node);
		unsigned int i = idx_of(key, l);

		if (!t[i])
			t[i] = alloc_page();
		node = t[i];
	}
	return node;
}

static void add(uint64_t root, uint64_t pa, unsigned int order)
{
	uint64_t key = key_of(pa, order);
	uint64_t *leaf = page_at(leaf_of(root, pa, order));
	unsigned int bit = idx_of(key, 0);

	leaf[bit / 64] |= 1ULL << (bit % 64);
}

static struct khor_mem *sim;

static int find(const struct khor_map *map, uint64_t pa,
		struct khor_find_result *res)
{
	return khor_find(sim, map, pa, NULL, res);
}

/* "found 0x... order N" for one block, "none" for none; rc must be 0. */
static void expect(const struct khor_map *map, uint64_t pa, uint64_t bphys,
		   int border)
{
	struct khor_find_result res;
	int rc = find(map, pa, &res);

	if (border < 0) {
		tap_ok(rc == 0 && res.n == 0, "0x%llx is in no block (rc %d, n %u)",
		       (unsigned long long)pa, rc, res.n);
		return;
	}
	tap_ok(rc == 0 && res.n == 1 && res.blocks[0].phys == bphys &&
	       res.blocks[0].order == (unsigned int)border,
	       "0x%llx is in block 0x%llx order %d (rc %d, n %u, got 0x%llx order %u)",
	       (unsigned long long)pa, (unsigned long long)bphys, border, rc,
	       res.n, (unsigned long long)(res.n ? res.blocks[0].phys : 0),
	       res.n ? res.blocks[0].order : 0);
}

static void radix_tests(void)
{
	struct khor_map map = { .format = KHOR_FMT_RADIX };
	struct khor_find_result res;
	uint64_t root, leaf;
	int rc;

	khor_geom_init(&map.geom, 12);
	root = alloc_page();
	map.root = root;
	add(root, 0x1000, 0);
	add(root, 0x100200000, 9);		/* 2 MiB */
	add(root, 0x140000000, 18);		/* 1 GiB */
	add(root, 0x8000, 3);			/* 32 KiB */
	add(root, 0x40000000000, 30);		/* 4 TiB */

	expect(&map, 0x1000, 0x1000, 0);
	expect(&map, 0x1fff, 0x1000, 0);
	expect(&map, 0x2000, 0, -1);
	expect(&map, 0xfff, 0, -1);
	/* Every sub-page of the 2 MiB block, not only its first. */
	expect(&map, 0x100200000, 0x100200000, 9);
	expect(&map, 0x100201000, 0x100200000, 9);
	expect(&map, 0x100323456, 0x100200000, 9);
	expect(&map, 0x1003ff000, 0x100200000, 9);
	expect(&map, 0x1003fffff, 0x100200000, 9);
	expect(&map, 0x100400000, 0, -1);
	expect(&map, 0x1001ff000, 0, -1);
	expect(&map, 0x140000000, 0x140000000, 18);
	expect(&map, 0x17ffff000, 0x140000000, 18);
	expect(&map, 0x180000000, 0, -1);
	expect(&map, 0xf000, 0x8000, 3);
	expect(&map, 0x40000000000 + 0x3ffffffffffULL, 0x40000000000, 30);
	expect(&map, 0x3ffffffffff, 0, -1);
	expect(&map, 0x80000000000, 0, -1);

	rc = find(&map, 0x100377000, &res);
	tap_ok(rc == 0 && res.reads <= 53 * 6,
	       "a lookup reads at most 6 u64 per order (%llu reads)",
	       (unsigned long long)res.reads);

	/* The order-9 block's leaf is missing from the dump. */
	leaf = leaf_of(root, 0x100200000, 9);
	present[(leaf - ARENA) / PAGE] = 0;
	rc = find(&map, 0x100201000, &res);
	tap_ok(rc == -KHOR_ENODATA && res.n == 0, "leaf not in the dump: -KHOR_ENODATA (rc %d)", rc);
	{
		char want[200];

		snprintf(want, sizeof(want), "leaf at 0x%llx: not in the dump (page 0x%llx missing)",
			 (unsigned long long)leaf, (unsigned long long)leaf);
		tap_eq_str(res.error.msg, want, "the missing leaf is named");
	}
	/*
	 * Other orders still answer: 0x1000 order 0 lives in another leaf
	 * (0x1800's order-9 candidate, block 0, shares the missing one).
	 */
	rc = find(&map, 0x1800, &res);
	tap_ok(rc == -KHOR_ENODATA && res.n == 1 && res.blocks[0].phys == 0x1000,
	       "blocks behind other leaves are still found, the answer marked incomplete (rc %d)", rc);
	rc = find(&map, 0x40000001000, &res);
	tap_ok(rc == 0 && res.n == 1 && res.blocks[0].phys == 0x40000000000,
	       "lookups that do not need the missing leaf are complete (rc %d)", rc);
	present[(leaf - ARENA) / PAGE] = 1;

	/* Overlap: 0x100200000 order 0 inside the order-9 block. */
	add(root, 0x100200000, 0);
	rc = find(&map, 0x100200800, &res);
	tap_ok(rc == -KHOR_ECORRUPT && res.n == 2, "overlapping blocks are corrupt (rc %d, n %u)",
	       rc, res.n);
	tap_eq_str(res.error.msg,
		   "0x100200800 is in 2 preserved blocks (0x100200000 order 0 and 0x100200000 order 9): they overlap",
		   "the overlap is described");
	rc = find(&map, 0x100201000, &res);
	tap_ok(rc == 0 && res.n == 1, "the block's other pages are in one block only");

	/* An unaligned table pointer on the path. */
	{
		uint64_t key = key_of(0x140000000, 18), node = root;
		uint64_t *t, saved;
		char want[200];

		for (unsigned int l = 5; l > 1; l--)
			node = page_at(node)[idx_of(key, l)];
		t = page_at(node);
		saved = t[idx_of(key, 1)];
		t[idx_of(key, 1)] = saved | 0x8;
		rc = find(&map, 0x150000000, &res);
		snprintf(want, sizeof(want),
			 "level 1 table at 0x%llx: entry %u points to 0x%llx, not page aligned",
			 (unsigned long long)node, idx_of(key, 1),
			 (unsigned long long)(saved | 0x8));
		tap_ok(rc == -KHOR_ECORRUPT && res.n == 0, "unaligned pointer: corrupt (rc %d)", rc);
		tap_eq_str(res.error.msg, want, "the bad pointer is named");
		t[idx_of(key, 1)] = saved;
	}

	map.root = 0;
	rc = find(&map, 0x1000, &res);
	tap_ok(rc == 0 && res.n == 0, "an empty map (root 0) holds nothing");
}

/* kho-v1 with 4096-byte bitmaps: one chunk per order. */
static void v1_tests(void)
{
	struct khor_map map = { .format = KHOR_FMT_V1, .v1_bitmap_size = 4096 };
	uint64_t c0 = alloc_page(), c9 = alloc_page();
	uint64_t b0 = alloc_page(), b9 = alloc_page();
	uint64_t *c;

	khor_geom_init(&map.geom, 12);
	/* order 0: bitmap at phys_start 0, bits 1 and 5 (0x1000, 0x5000) */
	c = page_at(c0);
	c[0] = c9;
	c[1] = 0 | (uint64_t)1 << 32;	/* order 0, 1 entry */
	c[2] = 0;
	c[3] = b0;
	page_at(b0)[0] = 1 << 1 | 1 << 5;
	/* order 9: bit 0x801 -> 0x100200000 */
	c = page_at(c9);
	c[0] = 0;
	c[1] = 9 | (uint64_t)1 << 32;
	c[2] = 0;
	c[3] = b9;
	page_at(b9)[0x801 / 64] = 1ULL << (0x801 % 64);
	map.root = c0;

	expect(&map, 0x1000, 0x1000, 0);
	expect(&map, 0x5fff, 0x5000, 0);
	expect(&map, 0x2000, 0, -1);
	expect(&map, 0x100200000, 0x100200000, 9);
	expect(&map, 0x100345000, 0x100200000, 9);
	expect(&map, 0x1003ff000, 0x100200000, 9);
	expect(&map, 0x100400000, 0, -1);
	expect(&map, 0x200000000, 0, -1);
}

int main(void)
{
	struct khor_mem_info info = { .page_size = PAGE, .phys_end = 1ULL << 52 };

	if (khor_mem_create(&sim_ops, NULL, &info, &sim))
		return 1;
	radix_tests();
	v1_tests();
	khor_mem_destroy(sim);
	return tap_done();
}
