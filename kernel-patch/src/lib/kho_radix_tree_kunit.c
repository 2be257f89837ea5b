// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the KHO radix tree: the ABI layout for known keys, and
 * adding, removing and walking blocks of pages.
 */

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kho_radix_tree.h>
#include <linux/mm.h>
/* kho-series: begin trace */
#include <linux/tracepoint.h>
#include <trace/events/kho_radix.h>
/* kho-series: end */

#define KHO_TEST_MAX_BLOCKS	64

/* The walk callback has no context argument, so results go here. */
static struct {
	unsigned int n;
	int stop_after;
	phys_addr_t phys[KHO_TEST_MAX_BLOCKS];
	unsigned int order[KHO_TEST_MAX_BLOCKS];
} kho_test_walk;

static int kho_test_collect(phys_addr_t phys, unsigned int order)
{
	if (kho_test_walk.n == KHO_TEST_MAX_BLOCKS)
		return -ENOSPC;
	kho_test_walk.phys[kho_test_walk.n] = phys;
	kho_test_walk.order[kho_test_walk.n] = order;
	kho_test_walk.n++;
	if (kho_test_walk.n == kho_test_walk.stop_after)
		return 42;
	return 0;
}

static int kho_test_walk_tree(struct kho_radix_tree *tree)
{
	memset(&kho_test_walk, 0, sizeof(kho_test_walk));
	return kho_radix_walk_tree(tree, kho_test_collect);
}

/*
 * The ABI restated from its text, not taken from the header under test: a
 * key of order o for page frame pfn is BIT(KHO_TEST_ORDER0 - o) | pfn >> o;
 * a leaf (one page of bits) resolves its low KHO_TEST_LEAF_BITS, each table
 * (one page of u64) KHO_TEST_TABLE_BITS more, and KHO_TEST_TABLES tables
 * cover all KHO_TEST_ORDER0 + 1 bits of a key.
 */
#define KHO_TEST_ORDER0		(64 - PAGE_SHIFT)
#define KHO_TEST_LEAF_BITS	(PAGE_SHIFT + 3)
#define KHO_TEST_TABLE_BITS	(PAGE_SHIFT - 3)
#define KHO_TEST_TABLES		DIV_ROUND_UP(KHO_TEST_ORDER0 + 1 - \
					     KHO_TEST_LEAF_BITS, \
					     KHO_TEST_TABLE_BITS)

static u64 kho_test_key(unsigned long pfn, unsigned int order)
{
	return BIT_ULL(KHO_TEST_ORDER0 - order) | (u64)pfn >> order;
}

/* Index of @key in a table at @level (1 .. KHO_TEST_TABLES). */
static unsigned int kho_test_index(u64 key, unsigned int level)
{
	return (key >> (KHO_TEST_LEAF_BITS + (level - 1) * KHO_TEST_TABLE_BITS)) &
	       (BIT(KHO_TEST_TABLE_BITS) - 1);
}

/*
 * Worked examples of the key format, worked out by hand for each page size
 * (the same page frames and orders; at 4 KiB they are the examples of the
 * KHO ABI notes). Other page sizes have none and skip these cases.
 */
static const struct kho_test_golden {
	unsigned long pfn;
	unsigned int order;
	u64 key;
	unsigned int path[KHO_TEST_TABLES];	/* table index, root first */
	unsigned int word;
	unsigned long value;
} kho_test_golden[] = {
#if PAGE_SHIFT == 12
#define KHO_TEST_GOLDEN_DEPTH	6
	{ 0x1, 0, 0x10000000000001ULL, { 2, 0, 0, 0, 0 }, 0, 0x2 },
	{ 0x200, 9, 0x80000000001ULL, { 0, 2, 0, 0, 0 }, 0, 0x2 },
	{ 0x40000, 18, 0x400000001ULL, { 0, 0, 2, 0, 0 }, 0, 0x2 },
	{ 0x123456, 0, 0x10000000123456ULL, { 2, 0, 0, 0, 36 }, 209,
	  0x400000 },
	{ 0x8, 3, 0x2000000000001ULL, { 0, 128, 0, 0, 0 }, 0, 0x2 },
#elif PAGE_SHIFT == 14
#define KHO_TEST_GOLDEN_DEPTH	5
	{ 0x1, 0, 0x4000000000001ULL, { 1, 0, 0, 0 }, 0, 0x2 },
	{ 0x200, 9, 0x20000000001ULL, { 0, 4, 0, 0 }, 0, 0x2 },
	{ 0x40000, 18, 0x100000001ULL, { 0, 0, 16, 0 }, 0, 0x2 },
	{ 0x123456, 0, 0x4000000123456ULL, { 1, 0, 0, 9 }, 209, 0x400000 },
	{ 0x8, 3, 0x800000000001ULL, { 0, 256, 0, 0 }, 0, 0x2 },
#elif PAGE_SHIFT == 16
#define KHO_TEST_GOLDEN_DEPTH	4
	{ 0x1, 0, 0x1000000000001ULL, { 8, 0, 0 }, 0, 0x2 },
	{ 0x200, 9, 0x8000000001ULL, { 0, 128, 0 }, 0, 0x2 },
	{ 0x40000, 18, 0x40000001ULL, { 0, 0, 2048 }, 0, 0x2 },
	{ 0x123456, 0, 0x1000000123456ULL, { 8, 0, 2 }, 2257, 0x400000 },
	{ 0x8, 3, 0x200000000001ULL, { 1, 0, 0 }, 0, 0x2 },
#endif
};

static void kho_radix_key_test(struct kunit *test)
{
	unsigned int i, order;

	KUNIT_EXPECT_EQ(test, KHO_ORDER_0_LOG2, KHO_TEST_ORDER0);
	KUNIT_EXPECT_EQ(test, KHO_BITMAP_SIZE_LOG2, KHO_TEST_LEAF_BITS);
	KUNIT_EXPECT_EQ(test, KHO_TABLE_SIZE_LOG2, KHO_TEST_TABLE_BITS);
	KUNIT_EXPECT_EQ(test, KHO_TREE_MAX_DEPTH, KHO_TEST_TABLES + 1);
#ifdef KHO_TEST_GOLDEN_DEPTH
	KUNIT_EXPECT_EQ(test, KHO_TREE_MAX_DEPTH, KHO_TEST_GOLDEN_DEPTH);
#else
	kunit_skip(test, "no worked examples for %lu-byte pages", PAGE_SIZE);
#endif
	for (i = 0; i < ARRAY_SIZE(kho_test_golden); i++) {
		const struct kho_test_golden *g = &kho_test_golden[i];
		phys_addr_t phys = PFN_PHYS(g->pfn);

		KUNIT_EXPECT_EQ(test, kho_test_key(g->pfn, g->order), g->key);
		KUNIT_EXPECT_EQ(test, kho_radix_encode_key(phys, g->order),
				g->key);
		KUNIT_EXPECT_EQ(test, kho_radix_decode_key(g->key, &order),
				phys);
		KUNIT_EXPECT_EQ(test, order, g->order);
	}
}

/* Each golden block alone makes a tree of exactly one path. */
static void kho_radix_layout_test(struct kunit *test)
{
	struct kho_radix_tree tree;
	unsigned int i, level, idx;

	if (!ARRAY_SIZE(kho_test_golden))
		kunit_skip(test, "no worked examples for %lu-byte pages",
			   PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(kho_test_golden); i++) {
		const struct kho_test_golden *g = &kho_test_golden[i];
		struct kho_radix_node *node;
		struct kho_radix_leaf *leaf;

		KUNIT_ASSERT_EQ(test, kho_radix_init_tree(&tree), 0);
		KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, g->pfn,
							 g->order), 0);
		node = tree.root;
		for (level = KHO_TEST_TABLES; level >= 1; level--) {
			unsigned int want = g->path[KHO_TEST_TABLES - level];

			KUNIT_EXPECT_EQ(test, kho_test_index(g->key, level),
					want);
			for (idx = 0; idx < ARRAY_SIZE(node->table); idx++)
				KUNIT_EXPECT_EQ(test, !!node->table[idx],
						idx == want);
			KUNIT_ASSERT_NE(test, node->table[want], 0);
			KUNIT_EXPECT_TRUE(test,
					  PAGE_ALIGNED(node->table[want]));
			node = phys_to_virt(node->table[want]);
		}
		leaf = (struct kho_radix_leaf *)node;
		for (idx = 0; idx < ARRAY_SIZE(leaf->bitmap); idx++)
			KUNIT_EXPECT_EQ(test, leaf->bitmap[idx],
					idx == g->word ? g->value : 0);
		kho_radix_destroy_tree(&tree);
	}
}

/* Walks go by ascending key: higher orders first, then by address. */
static void kho_radix_walk_order_test(struct kunit *test)
{
	static const unsigned long add[][2] = {	/* pfn, order */
		{ 0x1, 0 }, { 0x200, 9 }, { 0x40000, 18 }, { 0x123456, 0 },
		{ 0x8, 3 },
	};
	static const unsigned int orders[] = { 18, 9, 3, 0, 0 };
	static const unsigned long pfns[] = {
		0x40000, 0x200, 0x8, 0x1, 0x123456,
	};
	struct kho_radix_tree tree;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, kho_radix_init_tree(&tree), 0);
	for (i = 0; i < ARRAY_SIZE(add); i++)
		KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, add[i][0],
							 add[i][1]), 0);

	KUNIT_ASSERT_EQ(test, kho_test_walk_tree(&tree), 0);
	KUNIT_ASSERT_EQ(test, kho_test_walk.n, ARRAY_SIZE(orders));
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		KUNIT_EXPECT_EQ(test, kho_test_walk.order[i], orders[i]);
		KUNIT_EXPECT_EQ(test, kho_test_walk.phys[i], PFN_PHYS(pfns[i]));
	}

	/* A non-zero return value stops the walk and is passed on. */
	memset(&kho_test_walk, 0, sizeof(kho_test_walk));
	kho_test_walk.stop_after = 2;
	KUNIT_EXPECT_EQ(test, kho_radix_walk_tree(&tree, kho_test_collect), 42);
	KUNIT_EXPECT_EQ(test, kho_test_walk.n, 2);
	kho_radix_destroy_tree(&tree);
}

/* Real pages: what is added is walked back; delete only clears the bit. */
static void kho_radix_pages_test(struct kunit *test)
{
	struct kho_radix_tree tree;
	struct page *folio, *page;
	struct kho_radix_node *table;
	unsigned int idx;

	folio = alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	page = alloc_page(GFP_KERNEL);
	if (!page)
		__free_pages(folio, 2);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kho_radix_init_tree(&tree), 0);

	KUNIT_EXPECT_EQ(test, kho_radix_add_page(&tree, page_to_pfn(folio), 2),
			0);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(&tree, page_to_pfn(page), 0),
			0);
	KUNIT_EXPECT_EQ(test, kho_test_walk_tree(&tree), 0);
	KUNIT_ASSERT_EQ(test, kho_test_walk.n, 2);
	KUNIT_EXPECT_EQ(test, kho_test_walk.phys[0], page_to_phys(folio));
	KUNIT_EXPECT_EQ(test, kho_test_walk.order[0], 2);
	KUNIT_EXPECT_EQ(test, kho_test_walk.phys[1], page_to_phys(page));
	KUNIT_EXPECT_EQ(test, kho_test_walk.order[1], 0);

	/* The order-0 block's root entry and the table under it stay. */
	kho_radix_del_page(&tree, page_to_pfn(page), 0);
	KUNIT_EXPECT_EQ(test, kho_test_walk_tree(&tree), 0);
	KUNIT_EXPECT_EQ(test, kho_test_walk.n, 1);
	idx = kho_test_index(kho_test_key(page_to_pfn(page), 0),
			     KHO_TEST_TABLES);
	KUNIT_ASSERT_NE(test, tree.root->table[idx], 0);
	table = phys_to_virt(tree.root->table[idx]);
	KUNIT_EXPECT_NOT_NULL(test, memchr_inv(table, 0, PAGE_SIZE));

	kho_radix_del_page(&tree, page_to_pfn(folio), 2);
	KUNIT_EXPECT_EQ(test, kho_test_walk_tree(&tree), 0);
	KUNIT_EXPECT_EQ(test, kho_test_walk.n, 0);

	kho_radix_destroy_tree(&tree);
	__free_page(page);
	__free_pages(folio, 2);
}

static void kho_radix_invalid_test(struct kunit *test)
{
	struct kho_radix_tree tree, none = { };

	KUNIT_ASSERT_EQ(test, kho_radix_init_tree(&tree), 0);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(&tree, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(&tree, 0, KHO_TEST_ORDER0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(&tree, BIT(KHO_TEST_ORDER0), 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(&none, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kho_radix_walk_tree(&none, kho_test_collect),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, memchr_inv(tree.root, 0, PAGE_SIZE));
	kho_radix_destroy_tree(&tree);
}
/* kho-series: begin trace */

struct kho_test_events {
	unsigned int add;
	unsigned int node_alloc;
	unsigned int level;
	u64 key;
};

static void kho_test_probe_add(void *data, unsigned long pfn,
			       unsigned int order, u64 key, unsigned int level)
{
	struct kho_test_events *ev = data;

	ev->add++;
	ev->level = level;
	ev->key = key;
}

static void kho_test_probe_alloc(void *data, unsigned long pfn,
				 unsigned int order, u64 key,
				 unsigned int level)
{
	struct kho_test_events *ev = data;

	ev->node_alloc++;
}

static void kho_radix_tracepoint_test(struct kunit *test)
{
	struct kho_test_events ev = { };
	struct kho_radix_tree tree;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "tracepoints are not enabled");

	KUNIT_ASSERT_EQ(test, kho_radix_init_tree(&tree), 0);
	KUNIT_ASSERT_EQ(test, register_trace_kho_radix_add(kho_test_probe_add,
							   &ev), 0);
	KUNIT_ASSERT_EQ(test,
			register_trace_kho_radix_node_alloc(kho_test_probe_alloc,
							    &ev), 0);

	/* An empty tree: every table below the root and a leaf are new. */
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(&tree, 0x123456, 0), 0);
	KUNIT_EXPECT_EQ(test, ev.add, 1);
	KUNIT_EXPECT_EQ(test, ev.node_alloc, KHO_TEST_TABLES);
	KUNIT_EXPECT_EQ(test, ev.level, KHO_TEST_TABLES);
	KUNIT_EXPECT_EQ(test, ev.key, kho_test_key(0x123456, 0));

	/* Same leaf: nothing allocated, the path was complete. */
	KUNIT_EXPECT_EQ(test, kho_radix_add_page(&tree, 0x123457, 0), 0);
	KUNIT_EXPECT_EQ(test, ev.add, 2);
	KUNIT_EXPECT_EQ(test, ev.node_alloc, KHO_TEST_TABLES);
	KUNIT_EXPECT_EQ(test, ev.level, 0);

	unregister_trace_kho_radix_node_alloc(kho_test_probe_alloc, &ev);
	unregister_trace_kho_radix_add(kho_test_probe_add, &ev);
	tracepoint_synchronize_unregister();
	kho_radix_destroy_tree(&tree);
}
/* kho-series: end */
/* kho-series: begin range */

/* The split of kho_preserve_pages(), for comparison. */
static unsigned int kho_test_split(unsigned long pfn, unsigned long end,
				   phys_addr_t *phys, unsigned int *order)
{
	unsigned int n = 0;

	while (pfn < end) {
		unsigned int o = min_t(unsigned int,
				       pfn ? __ffs(pfn) : BITS_PER_LONG - 1,
				       ilog2(end - pfn));

		phys[n] = PFN_PHYS(pfn);
		order[n] = o;
		n++;
		pfn += BIT(o);
	}
	return n;
}

static void kho_radix_range_test(struct kunit *test)
{
	static const unsigned long ranges[][2] = {
		{ 3, 1000 }, { 0, 1 }, { 0x100000, 0x40000 }, { 0x1ff, 0x203 },
		{ 0x12345, 0x6789a },
	};
	phys_addr_t *phys;
	unsigned int *order;
	struct kho_radix_tree tree;
	unsigned int i, j, n;

	phys = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*phys),
			     GFP_KERNEL);
	order = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*order),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, phys);
	KUNIT_ASSERT_NOT_NULL(test, order);
	KUNIT_ASSERT_EQ(test, kho_radix_init_tree(&tree), 0);

	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		unsigned long pfn = ranges[i][0], nr = ranges[i][1];

		n = kho_test_split(pfn, pfn + nr, phys, order);
		KUNIT_ASSERT_EQ(test, kho_radix_add_range(&tree, pfn, nr), 0);
		KUNIT_ASSERT_EQ(test, kho_test_walk_tree(&tree), 0);
		KUNIT_ASSERT_EQ(test, kho_test_walk.n, n);
		/* Every block of the split is walked back, whatever order. */
		for (j = 0; j < n; j++) {
			unsigned int k;
			bool found = false;

			for (k = 0; k < n; k++)
				found |= kho_test_walk.phys[k] == phys[j] &&
					 kho_test_walk.order[k] == order[j];
			KUNIT_EXPECT_TRUE(test, found);
		}
		kho_radix_del_range(&tree, pfn, nr);
		KUNIT_ASSERT_EQ(test, kho_test_walk_tree(&tree), 0);
		KUNIT_EXPECT_EQ(test, kho_test_walk.n, 0);
	}
	KUNIT_EXPECT_EQ(test, kho_radix_add_range(&tree, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, kho_radix_add_range(&tree, ULONG_MAX, 2),
			-EINVAL);
	kho_radix_destroy_tree(&tree);
}
/* kho-series: end */
/* kho-series: begin trim */

static void kho_radix_trim_test(struct kunit *test)
{
	const unsigned long leaf0 = 2UL << KHO_TEST_LEAF_BITS;
	const unsigned long leaf1 = 3UL << KHO_TEST_LEAF_BITS;
	struct kho_radix_tree tree;

	KUNIT_ASSERT_EQ(test, kho_radix_init_tree(&tree), 0);

	/*
	 * One block: the tables below the root and a leaf, all freed once it
	 * is gone.
	 */
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, 0x123456, 0), 0);
	KUNIT_EXPECT_EQ(test, kho_radix_trim(&tree), 0);
	kho_radix_del_page(&tree, 0x123456, 0);
	KUNIT_EXPECT_EQ(test, kho_radix_trim(&tree), KHO_TEST_TABLES);
	KUNIT_EXPECT_NULL(test, memchr_inv(tree.root, 0, PAGE_SIZE));

	/*
	 * Two leaves under one table (a leaf spans BIT(KHO_TEST_LEAF_BITS)
	 * order-0 frames): only the emptied leaf goes.
	 */
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, leaf0, 0), 0);
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, leaf1, 0), 0);
	kho_radix_del_page(&tree, leaf1, 0);
	KUNIT_EXPECT_EQ(test, kho_radix_trim(&tree), 1);
	KUNIT_EXPECT_EQ(test, kho_test_walk_tree(&tree), 0);
	KUNIT_ASSERT_EQ(test, kho_test_walk.n, 1);
	KUNIT_EXPECT_EQ(test, kho_test_walk.phys[0], PFN_PHYS(leaf0));
	kho_radix_destroy_tree(&tree);
}
/* kho-series: end */

static struct kunit_case kho_radix_tree_test_cases[] = {
	KUNIT_CASE(kho_radix_key_test),
	KUNIT_CASE(kho_radix_layout_test),
	KUNIT_CASE(kho_radix_walk_order_test),
	KUNIT_CASE(kho_radix_pages_test),
	KUNIT_CASE(kho_radix_invalid_test),
	/* kho-series: begin trace */
	KUNIT_CASE(kho_radix_tracepoint_test),
	/* kho-series: end */
	/* kho-series: begin range */
	KUNIT_CASE(kho_radix_range_test),
	/* kho-series: end */
	/* kho-series: begin trim */
	KUNIT_CASE(kho_radix_trim_test),
	/* kho-series: end */
	{}
};

static struct kunit_suite kho_radix_tree_test_suite = {
	.name = "kho_radix_tree",
	.test_cases = kho_radix_tree_test_cases,
};

kunit_test_suite(kho_radix_tree_test_suite);

MODULE_DESCRIPTION("KUnit tests for the KHO radix tree");
MODULE_LICENSE("GPL");
