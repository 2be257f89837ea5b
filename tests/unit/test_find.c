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

#include "../tap.h"

#define SIM_NPAGES 64
#define SIM_ARENA 0x7f000000ULL
#include "sim_tree.h"

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
