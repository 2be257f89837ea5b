// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kho-v2 radix key codec. The key layout is fixed by upstream's
 * include/linux/kho/abi/kexec_handover.h @3f2ad90060f6 (enum kho_radix_consts,
 * kho_radix_encode_key/kho_radix_decode_key): one "order bit" at
 * ORDER0 - order above the shifted physical address pa >> (PAGE_SHIFT + order).
 * The depth is KHO_TREE_MAX_DEPTH of the same header in linux-source-7.2.13
 * (unchanged since kho-v2).
 */
#include "internal.h"

int khor_geom_init(struct khor_geom *geom, unsigned int page_shift)
{
	unsigned int order0, table_bits, leaf_bits, levels, top_shift;

	if (page_shift < 12 || page_shift > 16)
		return -KHOR_EINVAL;
	order0 = 64 - page_shift;
	table_bits = page_shift - 3;
	leaf_bits = page_shift + 3;
	/*
	 * Table levels: KHO_TREE_MAX_DEPTH - 1 =
	 * DIV_ROUND_UP(KHO_ORDER_0_LOG2 - KHO_BITMAP_SIZE_LOG2 + 1,
	 *	       KHO_TABLE_SIZE_LOG2).
	 * The + 1 is the order bit: keys are order0 + 1 bits wide, so the
	 * tables must resolve order0 + 1 - leaf_bits of them. Without it a
	 * 16 KiB tree (50 + 1 - 17 = 34 bits, 11 per table) is one level
	 * short; at 4 KiB and 64 KiB the rounding hides the difference.
	 */
	levels = (order0 + 1 - leaf_bits + table_bits - 1) / table_bits;
	top_shift = leaf_bits + table_bits * (levels - 1);

	geom->page_shift = page_shift;
	geom->order0 = order0;
	geom->table_bits = table_bits;
	geom->leaf_bits = leaf_bits;
	geom->levels = levels;
	/*
	 * Keys are order0 + 1 bits wide (the order-0 order bit is bit order0),
	 * so the root table only uses the indices a key that wide can reach:
	 * 0..3 for 4 KiB pages. Anything above is corruption.
	 */
	geom->top_max_index = ((UINT64_C(1) << (order0 + 1)) - 1) >> top_shift;
	if (geom->top_max_index >= (UINT64_C(1) << table_bits))
		geom->top_max_index = (UINT64_C(1) << table_bits) - 1;
	return 0;
}

int khor_key_encode(const struct khor_geom *geom, uint64_t phys,
		    unsigned int order, uint64_t *key_ret)
{
	unsigned int shift;

	if (order > geom->order0)
		return -KHOR_EINVAL;
	shift = geom->page_shift + order;
	/* shift can be 64 for the largest order: the block is all of memory. */
	if (shift < 64 && (phys & ((UINT64_C(1) << shift) - 1)))
		return -KHOR_EINVAL;
	if (shift >= 64 && phys)
		return -KHOR_EINVAL;
	*key_ret = (UINT64_C(1) << (geom->order0 - order)) |
		   (shift < 64 ? phys >> shift : 0);
	return 0;
}

int khor_key_decode(const struct khor_geom *geom, uint64_t key,
		    uint64_t *phys_ret, unsigned int *order_ret)
{
	unsigned int fls = khor_fls64(key), order, shift;

	if (!key || fls > geom->order0 + 1)
		return -KHOR_EINVAL;
	order = geom->order0 + 1 - fls;
	shift = geom->page_shift + order;
	/* The order bit lands on bit 64 and drops out. */
	*phys_ret = shift < 64 ? key << shift : 0;
	*order_ret = order;
	return 0;
}

uint64_t khor_key_index(const struct khor_geom *geom, uint64_t key,
			unsigned int level)
{
	unsigned int shift;

	if (level == 0)
		return key & ((UINT64_C(1) << geom->leaf_bits) - 1);
	shift = geom->leaf_bits + geom->table_bits * (level - 1);
	if (shift >= 64)
		return 0;
	return (key >> shift) & ((UINT64_C(1) << geom->table_bits) - 1);
}
