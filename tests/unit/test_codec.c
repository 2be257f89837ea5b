// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key codec against DESIGN.md §3's golden trees (hand-derived) and
 * round-trip properties over every order and page size.
 */
#include <stdint.h>
#include <stdlib.h>

#include "radix_reader.h"
#include "../tap.h"

static const struct {
	uint64_t pa;
	unsigned int order;
	uint64_t key;
	unsigned int path[5];	/* L5..L1 */
	unsigned int word;
	uint64_t value;
} golden[] = {
	{ 0x1000, 0, 0x10000000000001, { 2, 0, 0, 0, 0 }, 0, 0x2 },
	{ 0x200000, 9, 0x80000000001, { 0, 2, 0, 0, 0 }, 0, 0x2 },
	{ 0x40000000, 18, 0x400000001, { 0, 0, 2, 0, 0 }, 0, 0x2 },
	{ 0x123456000, 0, 0x10000000123456, { 2, 0, 0, 0, 36 }, 209, 0x400000 },
	{ 0x8000, 3, 0x2000000000001, { 0, 128, 0, 0, 0 }, 0, 0x2 },
};

static uint64_t rnd(void)
{
	return (uint64_t)random() << 33 ^ (uint64_t)random() << 11 ^
	       (uint64_t)random();
}

int main(void)
{
	struct khor_geom g;
	uint64_t key, pa;
	unsigned int order;

	tap_ok(khor_geom_init(&g, 12) == 0, "geometry for 4 KiB pages");
	tap_ok(g.order0 == 52 && g.table_bits == 9 && g.leaf_bits == 15 &&
	       g.levels == 5 && g.top_max_index == 3,
	       "4 KiB: order0 52, 9 table bits, 15 leaf bits, 5 table levels, root index <= 3");
	tap_ok(khor_geom_init(&g, 11) == -KHOR_EINVAL &&
	       khor_geom_init(&g, 17) == -KHOR_EINVAL,
	       "page shifts outside 12..16 refused");

	/*
	 * KHO_TREE_MAX_DEPTH of include/linux/kho/abi/kexec_handover.h
	 * (linux-source-7.2.13), written out here as the header spells it:
	 * DIV_ROUND_UP(ORDER_0_LOG2 - BITMAP_SIZE_LOG2 + 1, TABLE_SIZE_LOG2)
	 * + 1 levels counting the leaf. By hand: 4 KiB 38/9 -> 5 + 1,
	 * 16 KiB 34/11 -> 4 + 1, 64 KiB 30/13 -> 3 + 1.
	 */
	static const struct {
		unsigned int shift, depth;
	} depth[] = { { 12, 6 }, { 14, 5 }, { 16, 4 } };
	for (size_t i = 0; i < sizeof(depth) / sizeof(depth[0]); i++) {
		unsigned int s = depth[i].shift;
		unsigned int o0 = 64 - s, bm = s + 3, tb = s - 3;
		unsigned int abi = (o0 - bm + 1 + tb - 1) / tb + 1;
		uint64_t top_bit;

		khor_geom_init(&g, s);
		tap_ok(abi == depth[i].depth && g.levels + 1 == abi,
		       "%u KiB pages: %u levels counting the leaf, as KHO_TREE_MAX_DEPTH",
		       1u << (s - 10), abi);
		/* The order bit of an order-0 key must land in the root. */
		top_bit = UINT64_C(1) << o0;
		tap_ok(khor_key_index(&g, top_bit, g.levels) != 0 &&
		       khor_key_index(&g, top_bit, g.levels) <= g.top_max_index,
		       "%u KiB pages: the order-0 order bit indexes the root table",
		       1u << (s - 10));
	}
	khor_geom_init(&g, 14);
	tap_ok(g.order0 == 50 && g.table_bits == 11 && g.leaf_bits == 17 &&
	       g.levels == 4 && g.top_max_index == 1,
	       "16 KiB: order0 50, 11 table bits, 17 leaf bits, 4 table levels, root index <= 1");
	khor_geom_init(&g, 16);
	tap_ok(g.order0 == 48 && g.table_bits == 13 && g.leaf_bits == 19 &&
	       g.levels == 3 && g.top_max_index == 15,
	       "64 KiB: order0 48, 13 table bits, 19 leaf bits, 3 table levels, root index <= 15");
	khor_geom_init(&g, 12);

	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		unsigned int bit;

		tap_ok(khor_key_encode(&g, golden[i].pa, golden[i].order, &key) == 0,
		       "encode 0x%llx order %u", (unsigned long long)golden[i].pa,
		       golden[i].order);
		tap_eq_u64(key, golden[i].key, "key of 0x%llx order %u",
			   (unsigned long long)golden[i].pa, golden[i].order);
		for (unsigned int l = 5; l >= 1; l--)
			tap_eq_u64(khor_key_index(&g, key, l), golden[i].path[5 - l],
				   "key 0x%llx level %u index", (unsigned long long)key, l);
		bit = (unsigned int)khor_key_index(&g, key, 0);
		tap_ok(bit / 64 == golden[i].word &&
		       (UINT64_C(1) << (bit % 64)) == golden[i].value,
		       "key 0x%llx leaf word %u = 0x%llx", (unsigned long long)key,
		       golden[i].word, (unsigned long long)golden[i].value);
		tap_ok(khor_key_decode(&g, key, &pa, &order) == 0 &&
		       pa == golden[i].pa && order == golden[i].order,
		       "decode 0x%llx", (unsigned long long)key);
	}

	tap_ok(khor_key_encode(&g, 0x1000, 1, &key) == -KHOR_EINVAL,
	       "unaligned address refused");
	tap_ok(khor_key_encode(&g, 0, 53, &key) == -KHOR_EINVAL,
	       "order above 52 refused");
	tap_ok(khor_key_decode(&g, 0, &pa, &order) == -KHOR_EINVAL,
	       "key 0 refused");
	tap_ok(khor_key_decode(&g, UINT64_C(1) << 53, &pa, &order) == -KHOR_EINVAL,
	       "key of 54 bits refused");
	tap_ok(khor_key_decode(&g, 1, &pa, &order) == 0 && order == 52 && pa == 0,
	       "key 1 is order 52 at 0 (the order bit falls off bit 64)");

	/* Round trips over every order and supported page size. */
	for (unsigned int shift = 12; shift <= 16; shift++) {
		int bad = 0;

		khor_geom_init(&g, shift);
		srandom(shift);
		for (unsigned int o = 0; o <= g.order0; o++) {
			for (int n = 0; n < 2000; n++) {
				unsigned int s = shift + o;
				uint64_t p = s < 64 ? rnd() << s : 0;

				if (khor_key_encode(&g, p, o, &key) ||
				    khor_key_decode(&g, key, &pa, &order) ||
				    pa != p || order != o || key >> (g.order0 + 1))
					bad++;
			}
		}
		tap_ok(!bad, "page shift %u: encode/decode round trip over orders 0..%u (%d bad)",
		       shift, g.order0, bad);
	}
	return tap_done();
}
