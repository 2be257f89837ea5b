// SPDX-License-Identifier: GPL-2.0
/*
 * Radix tree of the memory preserved by Kexec HandOver (KHO).
 *
 * The layout is ABI, described in <linux/kho/abi/radix_tree.h>. Tables and
 * leaves are zeroed pages that point at each other by physical address, so
 * that the next kernel can follow them before its allocators know about
 * them. Nodes are created on the way down and, unless kho_radix_trim() is
 * asked to, never freed while the tree lives: removing a block only clears
 * its bit.
 */

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kho_radix_tree.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pfn.h>
/* kho-series: begin trace */

#define CREATE_TRACE_POINTS
#include <trace/events/kho_radix.h>

EXPORT_TRACEPOINT_SYMBOL_GPL(kho_radix_add);
EXPORT_TRACEPOINT_SYMBOL_GPL(kho_radix_del);
EXPORT_TRACEPOINT_SYMBOL_GPL(kho_radix_node_alloc);
/* kho-series: end */

#define KHO_RADIX_ROOT_LEVEL	(KHO_TREE_MAX_DEPTH - 1)
#define KHO_TABLE_ENTRIES	BIT(KHO_TABLE_SIZE_LOG2)
#define KHO_BITMAP_BITS		BIT(KHO_BITMAP_SIZE_LOG2)

/* Number of key bits below the index bits of a table at @level. */
static unsigned int kho_radix_shift(unsigned int level)
{
	return KHO_BITMAP_SIZE_LOG2 + (level - 1) * KHO_TABLE_SIZE_LOG2;
}

static unsigned int kho_radix_index(u64 key, unsigned int level)
{
	return (key >> kho_radix_shift(level)) & (KHO_TABLE_ENTRIES - 1);
}

static unsigned int kho_radix_bit(u64 key)
{
	return key & (KHO_BITMAP_BITS - 1);
}

/*
 * The key format has room for orders below KHO_ORDER_0_LOG2 and for
 * addresses below 2^64; a block must be aligned to its size.
 */
static int kho_radix_key(unsigned long pfn, unsigned int order, u64 *key)
{
	if (order >= KHO_ORDER_0_LOG2 || pfn & (BIT(order) - 1) ||
	    pfn >> KHO_ORDER_0_LOG2)
		return -EINVAL;
	*key = kho_radix_encode_key(PFN_PHYS(pfn), order);
	return 0;
}
/* kho-series: begin trace */

static void kho_radix_trace_node_alloc(u64 key, unsigned int level)
{
	unsigned int order;
	phys_addr_t phys = kho_radix_decode_key(key, &order);

	trace_kho_radix_node_alloc(PHYS_PFN(phys), order, key, level);
}
/* kho-series: end */

/*
 * Undo the allocations of a kho_radix_descend() that failed at @level: the
 * nodes path[@level .. @top - 1] are new, and the entry of path[@top] for
 * @key leads to them.
 */
static void kho_radix_unwind(void **path, unsigned int top,
			     unsigned int level, u64 key)
{
	struct kho_radix_node *anchor = path[top];

	anchor->table[kho_radix_index(key, top)] = 0;
	for (; level < top; level++)
		free_page((unsigned long)path[level]);
}

/*
 * Follow @key from the table path[@level] down to its leaf, storing the
 * node of each level in @path. *@gap is set to the level of the first
 * table whose entry for @key was empty, or to 0 if the path was complete.
 * With @alloc, missing nodes are allocated; if an allocation fails, the
 * nodes allocated by this call are freed and the tree is as it was.
 *
 * Return: the leaf; NULL if the path is incomplete and !@alloc;
 * ERR_PTR(-ENOMEM) if an allocation failed.
 */
static struct kho_radix_leaf *kho_radix_descend(void **path,
						unsigned int level, u64 key,
						bool alloc, unsigned int *gap)
{
	*gap = 0;
	for (; level > 0; level--) {
		struct kho_radix_node *table = path[level];
		unsigned int idx = kho_radix_index(key, level);

		if (!table->table[idx]) {
			void *node;

			if (!*gap)
				*gap = level;
			if (!alloc)
				return NULL;
			node = (void *)get_zeroed_page(GFP_KERNEL);
			if (!node) {
				kho_radix_unwind(path, *gap, level, key);
				return ERR_PTR(-ENOMEM);
			}
			table->table[idx] = virt_to_phys(node);
			/* kho-series: begin trace */
			kho_radix_trace_node_alloc(key, level - 1);
			/* kho-series: end */
		}
		path[level - 1] = phys_to_virt(table->table[idx]);
	}
	return path[0];
}

static void kho_radix_free_subtree(struct kho_radix_node *node,
				   unsigned int level)
{
	unsigned int i;

	for (i = 0; i < KHO_TABLE_ENTRIES; i++) {
		void *child;

		if (!node->table[i])
			continue;
		child = phys_to_virt(node->table[i]);
		if (level > 1)
			kho_radix_free_subtree(child, level - 1);
		free_page((unsigned long)child);
	}
}

/**
 * kho_radix_init_tree() - allocate the root of an empty tree
 * @tree: the tree to set up
 *
 * Allocates the root table and initialises the lock. The caller may
 * instead allocate the root page itself and initialise the lock.
 *
 * Return: 0, or -ENOMEM.
 */
int kho_radix_init_tree(struct kho_radix_tree *tree)
{
	tree->root = (struct kho_radix_node *)get_zeroed_page(GFP_KERNEL);
	if (!tree->root)
		return -ENOMEM;
	mutex_init(&tree->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(kho_radix_init_tree);

/**
 * kho_radix_destroy_tree() - free every node of a tree
 * @tree: a tree set up by kho_radix_init_tree()
 *
 * Frees all tables and leaves and the root. Nobody may use @tree
 * concurrently or afterwards, except to set it up again.
 */
void kho_radix_destroy_tree(struct kho_radix_tree *tree)
{
	if (!tree->root)
		return;
	kho_radix_free_subtree(tree->root, KHO_RADIX_ROOT_LEVEL);
	free_page((unsigned long)tree->root);
	tree->root = NULL;
	mutex_destroy(&tree->lock);
}
EXPORT_SYMBOL_GPL(kho_radix_destroy_tree);

/**
 * kho_radix_add_page() - mark a block of pages as preserved
 * @tree: the tree
 * @pfn: first page frame of the block, aligned to 2^@order pages
 * @order: order of the block
 *
 * Sets the bit of the block, allocating the tables and the leaf on its
 * path that do not exist yet. If an allocation fails, the nodes allocated
 * by this call are freed again. Adding a block that is already in the
 * tree succeeds and changes nothing.
 *
 * Context: Process context; takes @tree->lock and may sleep.
 * Return: 0; -EINVAL if @tree has no root or (@pfn, @order) is not a valid
 * block; -ENOMEM if a node could not be allocated.
 */
int kho_radix_add_page(struct kho_radix_tree *tree, unsigned long pfn,
		       unsigned int order)
{
	void *path[KHO_TREE_MAX_DEPTH];
	struct kho_radix_leaf *leaf;
	unsigned int gap;
	u64 key;

	if (!tree || !tree->root || kho_radix_key(pfn, order, &key))
		return -EINVAL;

	mutex_lock(&tree->lock);
	path[KHO_RADIX_ROOT_LEVEL] = tree->root;
	leaf = kho_radix_descend(path, KHO_RADIX_ROOT_LEVEL, key, true, &gap);
	if (IS_ERR(leaf)) {
		mutex_unlock(&tree->lock);
		return PTR_ERR(leaf);
	}
	__set_bit(kho_radix_bit(key), leaf->bitmap);
	/* kho-series: begin trace */
	trace_kho_radix_add(pfn, order, key, gap);
	/* kho-series: end */
	mutex_unlock(&tree->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(kho_radix_add_page);

/**
 * kho_radix_del_page() - stop preserving a block of pages
 * @tree: the tree
 * @pfn: first page frame of the block, as passed to kho_radix_add_page()
 * @order: order of the block
 *
 * Clears the bit of the block. Tables and leaves stay allocated even when
 * they become empty, so that adding the block again is cheap;
 * kho_radix_trim() frees them on request. Removing a block whose path
 * does not exist is a caller bug and warns once.
 *
 * Context: Process context; takes @tree->lock and may sleep.
 */
void kho_radix_del_page(struct kho_radix_tree *tree, unsigned long pfn,
			unsigned int order)
{
	void *path[KHO_TREE_MAX_DEPTH];
	struct kho_radix_leaf *leaf;
	unsigned int gap;
	u64 key;

	if (!tree || !tree->root || kho_radix_key(pfn, order, &key))
		return;

	mutex_lock(&tree->lock);
	path[KHO_RADIX_ROOT_LEVEL] = tree->root;
	leaf = kho_radix_descend(path, KHO_RADIX_ROOT_LEVEL, key, false, &gap);
	if (!WARN_ON_ONCE(!leaf))
		__clear_bit(kho_radix_bit(key), leaf->bitmap);
	/* kho-series: begin trace */
	trace_kho_radix_del(pfn, order, key, gap);
	/* kho-series: end */
	mutex_unlock(&tree->lock);
}
EXPORT_SYMBOL_GPL(kho_radix_del_page);

static int kho_radix_walk_node(void *node, unsigned int level, u64 prefix,
			       kho_radix_tree_walk_callback_t cb)
{
	struct kho_radix_node *table = node;
	unsigned int i;
	int err;

	if (!level) {
		struct kho_radix_leaf *leaf = node;
		unsigned int bit;

		for_each_set_bit(bit, leaf->bitmap, KHO_BITMAP_BITS) {
			unsigned int order;
			phys_addr_t phys;

			phys = kho_radix_decode_key(prefix | bit, &order);
			err = cb(phys, order);
			if (err)
				return err;
		}
		return 0;
	}

	for (i = 0; i < KHO_TABLE_ENTRIES; i++) {
		if (!table->table[i])
			continue;
		err = kho_radix_walk_node(phys_to_virt(table->table[i]),
					  level - 1,
					  prefix | (u64)i << kho_radix_shift(level),
					  cb);
		if (err)
			return err;
	}
	return 0;
}

/**
 * kho_radix_walk_tree() - call a function for every preserved block
 * @tree: the tree
 * @cb: called with the physical address and order of each block; a
 *	non-zero return value stops the walk
 *
 * Blocks are visited in ascending key order: higher orders first, and by
 * ascending address within an order. @cb runs with @tree->lock held and
 * must not call back into the tree.
 *
 * Context: Process context; takes @tree->lock and may sleep.
 * Return: 0 after a complete walk, -EINVAL if @tree has no root, or the
 * first non-zero value returned by @cb.
 */
int kho_radix_walk_tree(struct kho_radix_tree *tree,
			kho_radix_tree_walk_callback_t cb)
{
	int err;

	if (!tree || !tree->root)
		return -EINVAL;

	mutex_lock(&tree->lock);
	err = kho_radix_walk_node(tree->root, KHO_RADIX_ROOT_LEVEL, 0, cb);
	mutex_unlock(&tree->lock);
	return err;
}
EXPORT_SYMBOL_GPL(kho_radix_walk_tree);
/* kho-series: begin range */

/*
 * Splitting [start, end) into maximal aligned blocks the way KHO does it,
 * order = min(ctz(pfn), ilog2(end - pfn)) in address order, gives a rising
 * part [start, mid) whose block sizes are the set bits of mid - start,
 * smallest first, and a falling part [mid, end) whose block sizes are the
 * set bits of end - mid, largest first. Each order thus has at most two
 * blocks, often close enough to share most of their path. Keys of
 * different orders part right below the root, so the range functions
 * handle the blocks one order after another and let the second block of
 * an order start from the nodes the first one found.
 */
struct kho_radix_split {
	unsigned long start;
	unsigned long mid;
	unsigned long end;
};

static int kho_radix_split_init(struct kho_radix_split *split,
				unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages;

	if (end < pfn || end > BIT(KHO_ORDER_0_LOG2))
		return -EINVAL;
	split->start = pfn;
	split->end = end;
	/* Rising while the alignment of pfn is below ilog2(end - pfn). */
	while (pfn && pfn < end && BIT(__ffs(pfn)) <= (end - pfn) / 2)
		pfn += BIT(__ffs(pfn));
	split->mid = pfn;
	return 0;
}

static int kho_radix_split_max_order(const struct kho_radix_split *split)
{
	return fls_long((split->mid - split->start) |
			(split->end - split->mid)) - 1;
}

/* Find the block of @order in the rising (@part 0) or falling part. */
static bool kho_radix_split_block(const struct kho_radix_split *split,
				  unsigned int order, unsigned int part,
				  unsigned long *pfn)
{
	unsigned long size = BIT(order);
	unsigned long len;

	if (!part) {
		len = split->mid - split->start;
		*pfn = split->start + (len & (size - 1));
	} else {
		len = split->end - split->mid;
		*pfn = split->mid + (len & ~(size - 1) & ~size);
	}
	return len & size;
}

/*
 * The nodes on the path of the last key looked up: path[@valid] up to the
 * root are on the path of @key.
 */
struct kho_radix_cursor {
	void *path[KHO_TREE_MAX_DEPTH];
	u64 key;
	unsigned int valid;
};

static void kho_radix_cursor_init(struct kho_radix_cursor *cur,
				  struct kho_radix_tree *tree)
{
	cur->path[KHO_RADIX_ROOT_LEVEL] = tree->root;
	cur->key = 0;
	cur->valid = KHO_RADIX_ROOT_LEVEL;
}

/* kho_radix_descend() from the lowest cached node that @key shares. */
static struct kho_radix_leaf *kho_radix_cursor_leaf(struct kho_radix_cursor *cur,
						    u64 key, bool alloc,
						    unsigned int *gap)
{
	unsigned int level = cur->valid;
	struct kho_radix_leaf *leaf;

	/* A node serves every key that agrees above its own index bits. */
	while (level < KHO_RADIX_ROOT_LEVEL &&
	       (key ^ cur->key) >> kho_radix_shift(level + 1))
		level++;

	leaf = kho_radix_descend(cur->path, level, key, alloc, gap);
	cur->key = key;
	cur->valid = IS_ERR_OR_NULL(leaf) ? *gap : 0;
	return leaf;
}

/*
 * Set the bits of the blocks of @split. added[part] gets bit o when this
 * call set the bit of the block of order o in that part.
 */
static int kho_radix_range_set(struct kho_radix_tree *tree,
			       const struct kho_radix_split *split,
			       unsigned long *added)
{
	struct kho_radix_cursor cur;
	int order;

	kho_radix_cursor_init(&cur, tree);
	for (order = kho_radix_split_max_order(split); order >= 0; order--) {
		unsigned int part;

		for (part = 0; part < 2; part++) {
			struct kho_radix_leaf *leaf;
			unsigned long pfn;
			unsigned int gap;
			u64 key;

			if (!kho_radix_split_block(split, order, part, &pfn))
				continue;
			key = kho_radix_encode_key(PFN_PHYS(pfn), order);
			leaf = kho_radix_cursor_leaf(&cur, key, true, &gap);
			if (IS_ERR(leaf))
				return PTR_ERR(leaf);
			if (!__test_and_set_bit(kho_radix_bit(key), leaf->bitmap))
				added[part] |= BIT(order);
			/* kho-series: begin trace */
			trace_kho_radix_add(pfn, order, key, gap);
			/* kho-series: end */
		}
	}
	return 0;
}

/*
 * Clear the bits of the blocks of @split; with @only, just those of the
 * blocks whose bit is set in only[part].
 */
static void kho_radix_range_clear(struct kho_radix_tree *tree,
				  const struct kho_radix_split *split,
				  const unsigned long *only)
{
	struct kho_radix_cursor cur;
	int order;

	kho_radix_cursor_init(&cur, tree);
	for (order = kho_radix_split_max_order(split); order >= 0; order--) {
		unsigned int part;

		for (part = 0; part < 2; part++) {
			struct kho_radix_leaf *leaf;
			unsigned long pfn;
			unsigned int gap;
			u64 key;

			if (!kho_radix_split_block(split, order, part, &pfn))
				continue;
			if (only && !(only[part] & BIT(order)))
				continue;
			key = kho_radix_encode_key(PFN_PHYS(pfn), order);
			leaf = kho_radix_cursor_leaf(&cur, key, false, &gap);
			if (!WARN_ON_ONCE(!leaf))
				__clear_bit(kho_radix_bit(key), leaf->bitmap);
			/* kho-series: begin trace */
			trace_kho_radix_del(pfn, order, key, gap);
			/* kho-series: end */
		}
	}
}

/**
 * kho_radix_add_range() - mark a range of pages as preserved
 * @tree: the tree
 * @pfn: first page frame of the range
 * @nr_pages: number of pages in the range
 *
 * Adds [@pfn, @pfn + @nr_pages) as the maximal naturally aligned blocks
 * that KHO's kho_preserve_pages() uses, so the tree holds the same keys as
 * after a kho_radix_add_page() per block, but each block's descent starts
 * from the nodes the previous one found when their paths are shared. If
 * an allocation fails, the bits this call set are cleared again; nodes it
 * allocated for blocks before the failing one stay, empty, until
 * kho_radix_trim().
 *
 * Context: Process context; takes @tree->lock and may sleep.
 * Return: 0; -EINVAL if @tree has no root or the range does not fit the
 * key format; -ENOMEM if a node could not be allocated.
 */
int kho_radix_add_range(struct kho_radix_tree *tree, unsigned long pfn,
			unsigned long nr_pages)
{
	unsigned long added[2] = { 0, 0 };
	struct kho_radix_split split;
	int err;

	if (!tree || !tree->root || kho_radix_split_init(&split, pfn, nr_pages))
		return -EINVAL;

	mutex_lock(&tree->lock);
	err = kho_radix_range_set(tree, &split, added);
	if (err)
		kho_radix_range_clear(tree, &split, added);
	mutex_unlock(&tree->lock);
	return err;
}
EXPORT_SYMBOL_GPL(kho_radix_add_range);

/**
 * kho_radix_del_range() - stop preserving a range of pages
 * @tree: the tree
 * @pfn: first page frame of the range, as passed to kho_radix_add_range()
 * @nr_pages: number of pages in the range
 *
 * Clears the bits of the blocks kho_radix_add_range() set for the same
 * range. Like kho_radix_del_page(), it frees no node.
 *
 * Context: Process context; takes @tree->lock and may sleep.
 */
void kho_radix_del_range(struct kho_radix_tree *tree, unsigned long pfn,
			 unsigned long nr_pages)
{
	struct kho_radix_split split;

	if (!tree || !tree->root || kho_radix_split_init(&split, pfn, nr_pages))
		return;

	mutex_lock(&tree->lock);
	kho_radix_range_clear(tree, &split, NULL);
	mutex_unlock(&tree->lock);
}
EXPORT_SYMBOL_GPL(kho_radix_del_range);
/* kho-series: end */
/* kho-series: begin trim */

/* Free the empty nodes below @node; return whether @node is empty. */
static bool kho_radix_trim_node(void *node, unsigned int level,
				unsigned long *freed)
{
	struct kho_radix_node *table = node;
	bool empty = true;
	unsigned int i;

	if (!level) {
		struct kho_radix_leaf *leaf = node;

		return bitmap_empty(leaf->bitmap, KHO_BITMAP_BITS);
	}

	for (i = 0; i < KHO_TABLE_ENTRIES; i++) {
		void *child;

		if (!table->table[i])
			continue;
		child = phys_to_virt(table->table[i]);
		if (!kho_radix_trim_node(child, level - 1, freed)) {
			empty = false;
			continue;
		}
		table->table[i] = 0;
		free_page((unsigned long)child);
		(*freed)++;
	}
	return empty;
}

/**
 * kho_radix_trim() - free the tables and leaves that lead to no block
 * @tree: the tree
 *
 * Removing blocks leaves their leaves and tables allocated, so that a
 * workload that preserves and unpreserves the same memory in a loop does
 * not allocate and free nodes each time. This function visits the whole
 * tree once and frees every leaf with no bit set and every table that no
 * longer has a child, except the root. It costs nothing until called.
 * The layout of what remains is unchanged.
 *
 * Context: Process context; takes @tree->lock and may sleep.
 * Return: the number of pages freed.
 */
unsigned long kho_radix_trim(struct kho_radix_tree *tree)
{
	unsigned long freed = 0;

	if (!tree || !tree->root)
		return 0;

	mutex_lock(&tree->lock);
	kho_radix_trim_node(tree->root, KHO_RADIX_ROOT_LEVEL, &freed);
	mutex_unlock(&tree->lock);
	return freed;
}
EXPORT_SYMBOL_GPL(kho_radix_trim);
/* kho-series: end */

MODULE_DESCRIPTION("Radix tree of memory preserved by Kexec HandOver");
MODULE_LICENSE("GPL");
