// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the KHO radix tree: freeing of emptied nodes, the counts
 * that find them, the cache of freed node pages, ranges and runs of blocks
 * (vmalloc units among them). Included from
 * kexec_handover.c, whose static helpers they call; every test builds its
 * own tree, the one KHO hands over is not touched.
 */
#include <kunit/test.h>

#define KHO_TEST_MAX_BLOCKS 1024
/* Blocks of one order per leaf, whatever the page size. */
#define KHO_TEST_LEAF BIT(KHO_BITMAP_SIZE_LOG2)

static struct {
	phys_addr_t phys[KHO_TEST_MAX_BLOCKS];
	unsigned int order[KHO_TEST_MAX_BLOCKS];
	unsigned int n;
	bool overflow;
} kho_test_seen;

static int kho_test_collect(phys_addr_t phys, unsigned int order)
{
	if (kho_test_seen.n == KHO_TEST_MAX_BLOCKS) {
		kho_test_seen.overflow = true;
		return -E2BIG;
	}
	kho_test_seen.phys[kho_test_seen.n] = phys;
	kho_test_seen.order[kho_test_seen.n] = order;
	kho_test_seen.n++;
	return 0;
}

static void kho_test_tree_init(struct kunit *test, struct kho_radix_tree *tree)
{
	tree->root = (struct kho_radix_node *)get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tree->root);
	mutex_init(&tree->lock);
}

/*
 * Tree pages under @node at @level; *@empty counts the empty ones and
 * *@miscounted those below the root whose count of used entries (bits of
 * a leaf, children of a table) is not what the page holds.
 */
static unsigned long kho_test_count(struct kho_radix_node *node,
				    unsigned int level, unsigned long *empty,
				    unsigned long *miscounted)
{
	struct kho_radix_leaf *leaf = (struct kho_radix_leaf *)node;
	unsigned long n = 1, used = 0;
	unsigned int i;

	if (!level) {
		used = bitmap_weight(leaf->bitmap, 1 << KHO_BITMAP_SIZE_LOG2);
	} else {
		for (i = 0; i < ARRAY_SIZE(node->table); i++) {
			if (!node->table[i])
				continue;
			used++;
			n += kho_test_count(phys_to_virt(node->table[i]),
					    level - 1, empty, miscounted);
		}
	}
	if (!used)
		(*empty)++;
	if (level < KHO_TREE_MAX_DEPTH - 1 &&
	    page_private(virt_to_page(node)) != used)
		(*miscounted)++;
	return n;
}

/*
 * Tree pages in @tree; fails the test if a node other than the root is
 * empty or a node's count of used entries is wrong.
 */
static unsigned long kho_test_nodes(struct kunit *test,
				    struct kho_radix_tree *tree)
{
	unsigned long empty = 0, miscounted = 0, n;

	n = kho_test_count(tree->root, KHO_TREE_MAX_DEPTH - 1, &empty,
			   &miscounted);
	/* The root of an empty tree is the one empty node allowed. */
	KUNIT_EXPECT_EQ(test, empty, n == 1 ? 1UL : 0UL);
	KUNIT_EXPECT_EQ(test, miscounted, 0UL);
	return n;
}

static void kho_test_tree_destroy(struct kunit *test,
				  struct kho_radix_tree *tree)
{
	KUNIT_EXPECT_EQ(test, kho_test_nodes(test, tree), 1UL);
	free_page((unsigned long)tree->root);
}

/* Pages in the node cache now. */
static unsigned int kho_test_cached(void)
{
	guard(spinlock)(&kho_radix_cache.lock);
	return kho_radix_cache.nr;
}

/*
 * One block: a full path is allocated, and all of it is freed on delete.
 * Preserved twice, it is one bit, counted once: one deletion takes it out.
 */
static void kho_test_del_frees_path(struct kunit *test)
{
	struct kho_radix_tree tree;

	kho_test_tree_init(test, &tree);
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, 0x12345, 0), 0);
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, 0x12345, 0), 0);
	KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &tree),
			(unsigned long)KHO_TREE_MAX_DEPTH);
	kho_radix_del_page(&tree, 0x12345, 0);
	KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &tree), 1UL);
	KUNIT_EXPECT_NULL(test, memchr_inv(tree.root, 0, PAGE_SIZE));
	kho_test_tree_destroy(test, &tree);
}

/* A leaf shared by two blocks stays until the second one goes. */
static void kho_test_del_keeps_shared(struct kunit *test)
{
	struct kho_radix_tree tree;

	kho_test_tree_init(test, &tree);
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, 0x100000, 0), 0);
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, 0x100001, 0), 0);
	KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &tree),
			(unsigned long)KHO_TREE_MAX_DEPTH);
	kho_radix_del_page(&tree, 0x100000, 0);
	KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &tree),
			(unsigned long)KHO_TREE_MAX_DEPTH);
	memset(&kho_test_seen, 0, sizeof(kho_test_seen));
	KUNIT_ASSERT_EQ(test, kho_radix_walk_tree(&tree, kho_test_collect), 0);
	KUNIT_EXPECT_EQ(test, kho_test_seen.n, 1U);
	KUNIT_EXPECT_EQ(test, kho_test_seen.phys[0], PFN_PHYS(0x100001));
	kho_radix_del_page(&tree, 0x100001, 0);
	kho_test_tree_destroy(test, &tree);
}

/*
 * Preserve/unpreserve churn of scattered keys: the tree returns to the root
 * after every cycle instead of keeping every node it ever had.
 */
static void kho_test_churn(struct kunit *test)
{
	const unsigned long nr = 500;
	struct kho_radix_tree tree;
	unsigned long i, top = 0;
	int cycle;

	kho_test_tree_init(test, &tree);
	for (cycle = 0; cycle < 3; cycle++) {
		for (i = 0; i < nr; i++)
			KUNIT_ASSERT_EQ(test,
					kho_radix_add_page(&tree, i << 20 | i, i % 4), 0);
		if (!cycle)
			top = kho_test_nodes(test, &tree);
		else
			KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &tree), top);
		for (i = 0; i < nr; i++)
			kho_radix_del_page(&tree, i << 20 | i, i % 4);
		KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &tree), 1UL);
		KUNIT_EXPECT_LE(test, kho_test_cached(),
				(unsigned int)KHO_RADIX_CACHE_PAGES);
	}
	KUNIT_EXPECT_GT(test, top, nr);
	kho_test_tree_destroy(test, &tree);
}

/*
 * A deletion's freed path goes to the node cache and the next cycle takes
 * all of it from there: no page allocated, none freed, per cycle.
 */
static void kho_test_cycle_reuses_path(struct kunit *test)
{
	const unsigned int path = KHO_TREE_MAX_DEPTH - 1;
	struct kho_radix_tree tree;
	unsigned int cached;

	kho_test_tree_init(test, &tree);
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, 0x54321, 3), 0);
	kho_radix_del_page(&tree, 0x54321, 3);
	cached = kho_test_cached();
	KUNIT_ASSERT_GE(test, cached, path);
	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, 0x54321, 3), 0);
	KUNIT_EXPECT_EQ(test, kho_test_cached(), cached - path);
	KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &tree),
			(unsigned long)KHO_TREE_MAX_DEPTH);
	kho_radix_del_page(&tree, 0x54321, 3);
	KUNIT_EXPECT_EQ(test, kho_test_cached(), cached);
	kho_test_tree_destroy(test, &tree);
}

/* The cache never holds more than KHO_RADIX_CACHE_PAGES pages. */
static void kho_test_cache_bounded(struct kunit *test)
{
	const unsigned int n = KHO_RADIX_CACHE_PAGES + 8;
	unsigned int i;
	void **pages;

	pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < n; i++) {
		pages[i] = kho_radix_alloc_node();
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
	KUNIT_EXPECT_EQ(test, kho_test_cached(), 0U);
	for (i = 0; i < n; i++)
		kho_radix_free_node(pages[i]);
	KUNIT_EXPECT_EQ(test, kho_test_cached(),
			(unsigned int)KHO_RADIX_CACHE_PAGES);
}

/*
 * Every page in the node cache is all zero with a count of zero, so that
 * node allocation can hand it out without clearing it: a deletion frees
 * only nodes with nothing left in them.
 */
static void kho_test_cache_clean(struct kunit *test)
{
	struct kho_radix_tree tree;
	unsigned int i, dirty = 0;
	unsigned long k;

	kho_test_tree_init(test, &tree);
	for (k = 0; k < 64; k++)
		KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, k << 24 | k, k % 3), 0);
	for (k = 0; k < 64; k++)
		kho_radix_del_page(&tree, k << 24 | k, k % 3);
	KUNIT_EXPECT_EQ(test, kho_test_cached(), (unsigned int)KHO_RADIX_CACHE_PAGES);

	scoped_guard(spinlock, &kho_radix_cache.lock) {
		for (i = 0; i < kho_radix_cache.nr; i++) {
			void *page = kho_radix_cache.pages[i];

			if (page_private(virt_to_page(page)) ||
			    memchr_inv(page, 0, PAGE_SIZE))
				dirty++;
		}
	}
	KUNIT_EXPECT_EQ(test, dirty, 0U);
	kho_test_tree_destroy(test, &tree);
}

/* Blocks of a walk, sorted by physical address then order, for comparison. */
static void kho_test_walk(struct kunit *test, struct kho_radix_tree *tree,
			  phys_addr_t *phys, unsigned int *order,
			  unsigned int *n)
{
	memset(&kho_test_seen, 0, sizeof(kho_test_seen));
	KUNIT_ASSERT_EQ(test, kho_radix_walk_tree(tree, kho_test_collect), 0);
	KUNIT_ASSERT_FALSE(test, kho_test_seen.overflow);
	memcpy(phys, kho_test_seen.phys, sizeof(kho_test_seen.phys));
	memcpy(order, kho_test_seen.order, sizeof(kho_test_seen.order));
	*n = kho_test_seen.n;
}

/*
 * A range goes in as the same blocks, in the same nodes, as one
 * kho_radix_add_page() per block of the split kho_preserve_pages() always
 * made, and comes out the same way. The pfns are real memory: the split
 * asks which NUMA node a pfn is on.
 */
static void kho_test_range_same_blocks(struct kunit *test)
{
	static const unsigned long cases[][2] = {
		{ 0, 1 }, { 1, 1 }, { 0, 1024 }, { 1, 1023 }, { 3, 1000 },
		{ 512, 512 }, { 511, 2 }, { 7, 513 }, { 1023, 1 }, { 100, 824 },
	};
	phys_addr_t *phys_a, *phys_b;
	unsigned int *order_a, *order_b;
	unsigned int na, nb, c;
	struct page *page;
	unsigned long base;

	phys_a = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*phys_a), GFP_KERNEL);
	phys_b = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*phys_b), GFP_KERNEL);
	order_a = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*order_a), GFP_KERNEL);
	order_b = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*order_b), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, phys_a && phys_b && order_a && order_b);
	page = alloc_pages(GFP_KERNEL, 10);
	KUNIT_ASSERT_NOT_NULL(test, page);
	base = page_to_pfn(page);

	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		unsigned long start = base + cases[c][0];
		unsigned long end = start + cases[c][1];
		struct kho_radix_tree a, b;
		unsigned long pfn, nodes_a, nodes_b;

		kho_test_tree_init(test, &a);
		kho_test_tree_init(test, &b);
		KUNIT_ASSERT_EQ(test, kho_radix_add_range(&a, start, end), 0);
		for (pfn = start; pfn < end; ) {
			unsigned int o = __kho_preserve_pages_order(pfn, end);

			KUNIT_ASSERT_EQ(test, kho_radix_add_page(&b, pfn, o), 0);
			pfn += 1UL << o;
		}
		kho_test_walk(test, &a, phys_a, order_a, &na);
		kho_test_walk(test, &b, phys_b, order_b, &nb);
		KUNIT_EXPECT_EQ_MSG(test, na, nb, "range +%lu, %lu pages",
				    cases[c][0], cases[c][1]);
		KUNIT_EXPECT_EQ(test, memcmp(phys_a, phys_b, na * sizeof(*phys_a)), 0);
		KUNIT_EXPECT_EQ(test, memcmp(order_a, order_b, na * sizeof(*order_a)), 0);
		nodes_a = kho_test_nodes(test, &a);
		nodes_b = kho_test_nodes(test, &b);
		KUNIT_EXPECT_EQ(test, nodes_a, nodes_b);

		__kho_unpreserve(&a, start, end);
		__kho_unpreserve(&b, start, end);
		kho_test_tree_destroy(test, &a);
		kho_test_tree_destroy(test, &b);
	}
	__free_pages(page, 10);
}

/*
 * Blocks preserved before a range stay when the range is taken out again,
 * and a range over already-preserved blocks leaves them preserved.
 */
static void kho_test_range_beside(struct kunit *test)
{
	struct kho_radix_tree tree;
	struct page *page;
	unsigned long base;

	page = alloc_pages(GFP_KERNEL, 10);
	KUNIT_ASSERT_NOT_NULL(test, page);
	base = page_to_pfn(page);
	kho_test_tree_init(test, &tree);

	KUNIT_ASSERT_EQ(test, kho_radix_add_page(&tree, base + 1024 - 2, 1), 0);
	KUNIT_ASSERT_EQ(test, kho_radix_add_range(&tree, base + 3, base + 900), 0);
	__kho_unpreserve(&tree, base + 3, base + 900);
	memset(&kho_test_seen, 0, sizeof(kho_test_seen));
	KUNIT_ASSERT_EQ(test, kho_radix_walk_tree(&tree, kho_test_collect), 0);
	KUNIT_EXPECT_EQ(test, kho_test_seen.n, 1U);
	KUNIT_EXPECT_EQ(test, kho_test_seen.phys[0], PFN_PHYS(base + 1024 - 2));
	KUNIT_EXPECT_EQ(test, kho_test_seen.order[0], 1U);
	KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &tree),
			(unsigned long)KHO_TREE_MAX_DEPTH);
	kho_radix_del_page(&tree, base + 1024 - 2, 1);
	kho_test_tree_destroy(test, &tree);
	__free_pages(page, 10);
}

/* The walks of @a and @b list the same blocks. */
static void kho_test_same_walk(struct kunit *test, struct kho_radix_tree *a,
			       struct kho_radix_tree *b)
{
	phys_addr_t *phys_a, *phys_b;
	unsigned int *order_a, *order_b;
	unsigned int na, nb;

	phys_a = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*phys_a), GFP_KERNEL);
	phys_b = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*phys_b), GFP_KERNEL);
	order_a = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*order_a), GFP_KERNEL);
	order_b = kunit_kcalloc(test, KHO_TEST_MAX_BLOCKS, sizeof(*order_b), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, phys_a && phys_b && order_a && order_b);
	kho_test_walk(test, a, phys_a, order_a, &na);
	kho_test_walk(test, b, phys_b, order_b, &nb);
	KUNIT_ASSERT_EQ(test, na, nb);
	KUNIT_EXPECT_EQ(test, memcmp(phys_a, phys_b, na * sizeof(*phys_a)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(order_a, order_b, na * sizeof(*order_a)), 0);
	KUNIT_EXPECT_EQ(test, kho_test_nodes(test, a), kho_test_nodes(test, b));
}

/*
 * A run of consecutive blocks of one order, set a leaf at a time, gives
 * the tree one kho_radix_add_page() per block gives, also across a leaf
 * boundary; cleared a leaf at a time, it leaves what one
 * kho_radix_del_page() per block leaves.
 */
static void kho_test_run_same_blocks(struct kunit *test)
{
	static const struct {
		unsigned long pfn;
		unsigned int order;
		unsigned long nr;
	} runs[] = {
		{ 5 * KHO_TEST_LEAF, 0, 1 },
		{ 5 * KHO_TEST_LEAF - 3, 0, 10 },		/* across a leaf */
		{ (2 * KHO_TEST_LEAF - 2) << 3, 3, 5 },		/* across a leaf */
		{ 0x123400, 2, 300 },
		{ (7 * KHO_TEST_LEAF) << 9, 9, KHO_TEST_LEAF },	/* a whole leaf */
	};
	struct kho_radix_cursor cur;
	struct kho_radix_tree a, b;
	unsigned int r;

	for (r = 0; r < ARRAY_SIZE(runs); r++) {
		unsigned long pfn = runs[r].pfn, i, half = runs[r].nr / 2;
		const unsigned int o = runs[r].order;

		kho_test_tree_init(test, &a);
		kho_test_tree_init(test, &b);
		memset(&cur, 0, sizeof(cur));
		scoped_guard(mutex, &a.lock)
			KUNIT_EXPECT_EQ(test, __kho_radix_add_blocks(&a, &cur, &pfn, o,
								     runs[r].nr), 0);
		KUNIT_EXPECT_EQ(test, pfn, runs[r].pfn + (runs[r].nr << o));
		for (i = 0; i < runs[r].nr; i++)
			KUNIT_ASSERT_EQ(test, kho_radix_add_page(&b, runs[r].pfn + (i << o), o), 0);
		if (runs[r].nr <= KHO_TEST_MAX_BLOCKS)
			kho_test_same_walk(test, &a, &b);
		else
			KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &a), kho_test_nodes(test, &b));

		memset(&cur, 0, sizeof(cur));
		scoped_guard(mutex, &a.lock)
			__kho_radix_del_blocks(&a, &cur, runs[r].pfn, o, half);
		for (i = 0; i < half; i++)
			kho_radix_del_page(&b, runs[r].pfn + (i << o), o);
		if (runs[r].nr <= KHO_TEST_MAX_BLOCKS)
			kho_test_same_walk(test, &a, &b);
		else
			KUNIT_EXPECT_EQ(test, kho_test_nodes(test, &a), kho_test_nodes(test, &b));

		scoped_guard(mutex, &a.lock)
			__kho_radix_del_blocks(&a, &cur, runs[r].pfn + (half << o), o,
					       runs[r].nr - half);
		for (i = half; i < runs[r].nr; i++)
			kho_radix_del_page(&b, runs[r].pfn + (i << o), o);
		kho_test_tree_destroy(test, &a);
		kho_test_tree_destroy(test, &b);
	}
}

/*
 * The units of a vmalloc preservation go in a run at a time, and the tree
 * is the one a kho_radix_add_page() per unit makes: runs across a leaf
 * boundary, broken runs, a unit alone, runs ending at a chunk's end.
 */
static void kho_test_vmalloc_units(struct kunit *test)
{
	const unsigned int per_chunk = ARRAY_SIZE(((struct kho_vmalloc_chunk *)0)->phys);
	const unsigned short order = 1;
	struct kho_vmalloc_chunk *chunk[2];
	struct kho_radix_cursor cur;
	struct kho_radix_tree a, b;
	unsigned long pfn = (3 * KHO_TEST_LEAF << order) - 40, n = 0, i;
	unsigned int c, u;

	for (c = 0; c < 2; c++) {
		chunk[c] = (struct kho_vmalloc_chunk *)get_zeroed_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, chunk[c]);
	}
	KHOSER_STORE_PTR(chunk[0]->hdr.next, chunk[1]);
	for (c = 0; c < 2; c++) {
		for (u = 0; u < (c ? 100 : per_chunk); u++, n++) {
			/* Every 37th unit starts a new run further on. */
			pfn += (n % 37 ? 1UL : 1000UL) << order;
			chunk[c]->phys[u] = PFN_PHYS(pfn);
		}
	}

	kho_test_tree_init(test, &a);
	kho_test_tree_init(test, &b);
	KUNIT_ASSERT_EQ(test, kho_vmalloc_add_units(&a, chunk[0], order), 0);
	for (c = 0; c < 2; c++)
		for (u = 0; u < per_chunk && chunk[c]->phys[u]; u++)
			KUNIT_ASSERT_EQ(test, kho_radix_add_page(&b, PHYS_PFN(chunk[c]->phys[u]),
								 order), 0);
	kho_test_same_walk(test, &a, &b);

	/* The first 200 units out, then the rest. */
	memset(&cur, 0, sizeof(cur));
	scoped_guard(mutex, &a.lock)
		kho_vmalloc_del_units(&a, &cur, chunk[0], order, 200);
	for (i = 0; i < 200; i++)
		kho_radix_del_page(&b, PHYS_PFN(chunk[0]->phys[i]), order);
	kho_test_same_walk(test, &a, &b);
	scoped_guard(mutex, &a.lock)
		kho_vmalloc_del_units(&a, &cur, chunk[0], order, ULONG_MAX);
	for (c = 0; c < 2; c++)
		for (u = c ? 0 : 200; u < per_chunk && chunk[c]->phys[u]; u++)
			kho_radix_del_page(&b, PHYS_PFN(chunk[c]->phys[u]), order);
	kho_test_tree_destroy(test, &a);
	kho_test_tree_destroy(test, &b);
	for (c = 0; c < 2; c++)
		free_page((unsigned long)chunk[c]);
}

static struct kunit_case kho_radix_test_cases[] = {
	KUNIT_CASE(kho_test_del_frees_path),
	KUNIT_CASE(kho_test_del_keeps_shared),
	KUNIT_CASE(kho_test_churn),
	KUNIT_CASE(kho_test_cycle_reuses_path),
	KUNIT_CASE(kho_test_cache_bounded),
	KUNIT_CASE(kho_test_cache_clean),
	KUNIT_CASE(kho_test_range_same_blocks),
	KUNIT_CASE(kho_test_range_beside),
	KUNIT_CASE(kho_test_run_same_blocks),
	KUNIT_CASE(kho_test_vmalloc_units),
	{}
};

static struct kunit_suite kho_radix_test_suite = {
	.name = "kho_radix",
	.test_cases = kho_radix_test_cases,
};

kunit_test_suite(kho_radix_test_suite);
