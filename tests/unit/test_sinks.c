// SPDX-License-Identifier: GPL-2.0-or-later
/* Range coalescing, statistics and the overlap check over hand-made runs. */
#include <stdint.h>
#include <string.h>

#include "radix_reader.h"
#include "../tap.h"

static char text[4096];
static size_t len;

static int emit(void *arg, uint64_t start, uint64_t end)
{
	(void)arg;
	len += (size_t)snprintf(text + len, sizeof(text) - len, "0x%llx-0x%llx\n",
				(unsigned long long)start, (unsigned long long)end);
	return 0;
}

int main(void)
{
	static const struct khor_run runs[] = {
		{ 0x1000, 2, 0 },	/* 0x1000-0x3000 */
		{ 0x3000, 1, 0 },	/* adjacent, same order */
		{ 0x4000, 1, 2 },	/* adjacent, order 2: 0x4000-0x8000 */
		{ 0x10000, 1, 4 },	/* gap, then 0x10000-0x20000 */
		{ 0x40000000, 1, 18 },	/* 1 GiB */
	};
	struct khor_ranges r;
	struct khor_stats s;
	struct khor_check c;
	struct khor_node leaf = { KHOR_NODE_LEAF, 0, 0x5000, 4096, 0, 32768 };
	struct khor_node table = { KHOR_NODE_TABLE, 5, 0x6000, 4096, 1, 512 };
	struct khor_run overlap = { 0x18000, 1, 0 };

	khor_ranges_init(&r, 4096, emit, NULL);
	khor_stats_init(&s, 4096);
	khor_check_init(&c, 4096);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		khor_ranges_add(&r, &runs[i]);
		khor_stats_add_run(&s, &runs[i]);
		khor_check_add_run(&c, &runs[i]);
	}
	khor_ranges_flush(&r);
	tap_eq_str(text, "0x1000-0x8000\n0x10000-0x20000\n0x40000000-0x80000000\n",
		   "adjacent blocks of any order coalesce");
	tap_ok(s.blocks[0] == 3 && s.blocks[2] == 1 && s.blocks[4] == 1 &&
	       s.blocks[18] == 1 && s.blocks_total == 6 && s.max_order == 18,
	       "blocks per order");
	tap_eq_u64(s.preserved_bytes, 0x3000 + 0x4000 + 0x10000 + 0x40000000ULL,
		   "preserved bytes");
	khor_stats_add_node(&s, &leaf);
	khor_stats_add_node(&s, &table);
	tap_ok(s.nodes[0] == 1 && s.nodes[5] == 1 && s.empty_leaves == 1 &&
	       s.metadata_bytes == 8192 && s.leaf_bits_total == 32768,
	       "node statistics");
	tap_ok(c.error.code == 0, "no overlap in valid runs");
	khor_check_add_run(&c, &overlap);
	tap_ok(c.error.code == -KHOR_ECORRUPT, "overlapping block detected");
	tap_eq_str(c.error.msg, "block 0x18000 order 0 overlaps block 0x40000000 order 18",
		   "overlap message names both blocks");

	/* An order-0 block inside an earlier order-4 block. */
	khor_check_init(&c, 4096);
	khor_check_add_run(&c, &runs[3]);
	khor_check_add_run(&c, &overlap);
	tap_eq_str(c.error.msg, "block 0x18000 order 0 overlaps block 0x10000 order 4",
		   "block inside a higher-order block");
	tap_eq_str(khor_strerror(-KHOR_ENODATA), "page not in the dump", "strerror");
	return tap_done();
}
