/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KHO radix tree of preserved memory: the layout handed to the next kernel.
 *
 * Everything in this file is ABI. A change here needs a new compatible
 * string in the KHO FDT.
 */
#ifndef _LINUX_KHO_ABI_RADIX_TREE_H
#define _LINUX_KHO_ABI_RADIX_TREE_H

#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/types.h>
#include <asm/page.h>

/**
 * DOC: KHO radix tree
 *
 * The preserved-memory map of KHO ("kho-v2" and later) is a radix tree
 * keyed by (physical address, order). The "preserved-memory-map" property
 * of the KHO FDT holds the physical address of the root table, stored as a
 * u64 in CPU byte order.
 *
 * A block of ``PAGE_SIZE << order`` bytes at physical address ``pa`` has
 * the key::
 *
 *   key = 1 << (KHO_ORDER_0_LOG2 - order) | pa >> (PAGE_SHIFT + order)
 *
 * The "order bit" on the left makes keys of different orders distinct, and
 * because it moves right as the order grows, higher orders share the upper
 * levels of the tree. With 4 KiB pages KHO_ORDER_0_LOG2 is 52, so keys are
 * 53 bits wide::
 *
 *   63   60 59    51 50    42 41    33 32    24 23    15 14          0
 *  +-------+--------+--------+--------+--------+--------+-------------+
 *  |   0   |   L5   |   L4   |   L3   |   L2   |   L1   |  leaf bit   |
 *  +-------+--------+--------+--------+--------+--------+-------------+
 *            root                                         32768 bits
 *
 * Levels 5 (the root) to 1 are tables of 512 u64 entries; each entry is
 * the physical address of the child one level down, or 0 when there is no
 * child. Level 1 entries point at leaves. A leaf is a bitmap of one page;
 * bit ``key & 0x7fff`` set means the block is preserved. Bit i lives in
 * u64 word i / 64 at position i % 64. All values are in CPU byte order.
 *
 * The key decodes as ``order = KHO_ORDER_0_LOG2 + 1 - fls64(key)`` and
 * ``pa = key << (PAGE_SHIFT + order)`` (the order bit shifts out at bit 64).
 *
 * One bit covers the whole block; the bits of its sub-pages are not set.
 * Walking tables in index order and leaves in bit order visits keys in
 * ascending order: all blocks of the highest order first, then lower
 * orders, each by ascending address. The pages of the tree itself are not
 * preserved; the next kernel must finish reading the tree before it hands
 * out memory outside the KHO scratch areas.
 */

/**
 * enum kho_radix_consts - sizes of the radix tree
 * @KHO_ORDER_0_LOG2: position of the order bit of an order-0 key
 * @KHO_TABLE_SIZE_LOG2: log2 of the number of entries in a table
 * @KHO_BITMAP_SIZE_LOG2: log2 of the number of bits in a leaf
 * @KHO_TREE_MAX_DEPTH: number of levels, counting the leaf level; the root
 *	table is at level KHO_TREE_MAX_DEPTH - 1. Keys are KHO_ORDER_0_LOG2 + 1
 *	bits wide (the order bit of order 0 included), hence the + 1: 6 levels
 *	with 4 KiB pages, 5 with 16 KiB and 4 with 64 KiB.
 */
enum kho_radix_consts {
	KHO_ORDER_0_LOG2 = 64 - PAGE_SHIFT,
	KHO_TABLE_SIZE_LOG2 = const_ilog2(PAGE_SIZE / sizeof(u64)),
	KHO_BITMAP_SIZE_LOG2 = PAGE_SHIFT + const_ilog2(BITS_PER_BYTE),
	KHO_TREE_MAX_DEPTH = DIV_ROUND_UP(KHO_ORDER_0_LOG2 -
					  KHO_BITMAP_SIZE_LOG2 + 1,
					  KHO_TABLE_SIZE_LOG2) + 1,
};

/**
 * struct kho_radix_node - a table of the tree, levels 1 and above
 * @table: physical addresses of the children, 0 where there is none
 */
struct kho_radix_node {
	u64 table[1 << KHO_TABLE_SIZE_LOG2];
};

/**
 * struct kho_radix_leaf - the bitmap at level 0
 * @bitmap: one bit per key, indexed by the low KHO_BITMAP_SIZE_LOG2 bits
 */
struct kho_radix_leaf {
	DECLARE_BITMAP(bitmap, 1 << KHO_BITMAP_SIZE_LOG2);
};

/**
 * kho_radix_encode_key() - key of a preserved block
 * @phys: physical address of the block, aligned to its size
 * @order: order of the block
 *
 * Return: the key of (@phys, @order).
 */
static inline u64 kho_radix_encode_key(phys_addr_t phys, unsigned int order)
{
	return BIT_ULL(KHO_ORDER_0_LOG2 - order) |
	       (u64)phys >> (PAGE_SHIFT + order);
}

/**
 * kho_radix_decode_key() - physical address and order of a key
 * @key: a non-zero key
 * @order: where the order of the block is stored
 *
 * Return: the physical address of the block; 0 with an order of at least
 * KHO_ORDER_0_LOG2 when @key is 0 or has no room for an address.
 */
static inline phys_addr_t kho_radix_decode_key(u64 key, unsigned int *order)
{
	unsigned int o = KHO_ORDER_0_LOG2 + 1 - fls64(key);

	*order = o;
	if (o >= KHO_ORDER_0_LOG2)
		return 0;
	return (phys_addr_t)(key << (PAGE_SHIFT + o));
}

#endif /* _LINUX_KHO_ABI_RADIX_TREE_H */
