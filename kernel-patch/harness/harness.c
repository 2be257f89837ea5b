// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Userspace harness for lib/kho_radix_tree.c (the model is the kernel's
 * tools/testing/radix-tree): the kernel file is compiled unmodified over
 * shim headers and simulated physical memory, and checked against
 *
 *  - the golden trees of DESIGN.md section 3, byte for byte;
 *  - a reference set under long random sequences of add/del/range/walk/
 *    trim operations, with its own key codec, block split and tree reader
 *    (nothing here uses the khotools library);
 *  - allocation failures injected at every allocation of an operation;
 *  - images of the simulated memory that khowalk must decode exactly
 *    (--images DIR; compared by tests/kernel/harness-images.t).
 *
 * Output is TAP. Knobs: --seed N, --ops N (or KHO_HARNESS_OPS) for long
 * runs, --images DIR (write the images only), --bench (range-API and trim
 * measurements only).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/kho_radix_tree.h>

#include "kset.h"
#include "sim_mem.h"
#include "tap.h"

#define ARENA_PHYS	0x40000000ULL	/* 1 GiB: where the simulated pages live */
#define ARENA_PAGES	8192		/* 32 MiB of tree pages at most */
/*
 * The reference below is written from the ABI text for any page size
 * (PAGE_SHIFT from the shim, 12 unless the build says otherwise): keys are
 * REF_ORDER0 + 1 bits wide, a leaf resolves REF_LEAF_BITS of them and a
 * table REF_TABLE_BITS, so REF_LEVELS (leaf included) is the fewest levels
 * covering a key: 6 at 4 KiB, 5 at 16 KiB, 4 at 64 KiB. The whole suite
 * runs at each of these page sizes (make check builds all three); the
 * golden trees are worked out by hand for each.
 */
#define REF_ORDER0	(64 - PAGE_SHIFT)
#define REF_LEAF_BITS	(PAGE_SHIFT + 3)
#define REF_TABLE_BITS	(PAGE_SHIFT - 3)
#define REF_LEVELS	((REF_ORDER0 + 1 - REF_LEAF_BITS + REF_TABLE_BITS - 1) / \
			 REF_TABLE_BITS + 1)
#define REF_TABLES	(REF_LEVELS - 1)	/* root included */

/* ---- independent reference: key codec and tree layout from DESIGN §3 ---- */

static uint64_t ref_key(uint64_t pa, unsigned int order)
{
	return 1ULL << (REF_ORDER0 - order) | pa >> (PAGE_SHIFT + order);
}

static uint64_t ref_key_pa(uint64_t key, unsigned int *order)
{
	*order = REF_ORDER0 + 1 - (64 - __builtin_clzll(key));
	return key << (PAGE_SHIFT + *order);
}

static unsigned int ref_index(uint64_t key, unsigned int level)
{
	return level ? (key >> (REF_LEAF_BITS + REF_TABLE_BITS * (level - 1))) &
		       ((1u << REF_TABLE_BITS) - 1) :
		       key & ((1u << REF_LEAF_BITS) - 1);
}

/* Read a tree node straight from the arena (not through phys_to_virt). */
static const uint64_t *ref_node(uint64_t phys)
{
	if (!sim_page_live(phys))
		return NULL;
	return (const uint64_t *)((const char *)sim_base() +
				  (phys - sim_phys()));
}

/* ---- the block split of kho_preserve_pages(), written from its text ---- */

typedef void (*block_fn)(uint64_t pfn, unsigned int order, void *arg);

static unsigned int ref_split(uint64_t pfn, uint64_t n, block_fn fn, void *arg)
{
	uint64_t end = pfn + n;
	unsigned int blocks = 0;

	while (pfn < end) {
		unsigned int o = pfn ? (unsigned int)__builtin_ctzll(pfn) : 63;
		unsigned int room = 63 - __builtin_clzll(end - pfn);

		if (room < o)
			o = room;
		fn(pfn, o, arg);
		blocks++;
		pfn += 1ULL << o;
	}
	return blocks;
}

static void block_add(uint64_t pfn, unsigned int order, void *arg)
{
	kset_add(arg, ref_key(pfn << PAGE_SHIFT, order));
}

static void block_del(uint64_t pfn, unsigned int order, void *arg)
{
	kset_del(arg, ref_key(pfn << PAGE_SHIFT, order));
}

struct page_loop {
	struct kho_radix_tree *tree;
	int err;
};

static void block_add_page(uint64_t pfn, unsigned int order, void *arg)
{
	struct page_loop *pl = arg;

	if (!pl->err)
		pl->err = kho_radix_add_page(pl->tree, pfn, order);
}

static void block_del_page(uint64_t pfn, unsigned int order, void *arg)
{
	struct page_loop *pl = arg;

	kho_radix_del_page(pl->tree, pfn, order);
}

static void block_count(uint64_t pfn, unsigned int order, void *arg)
{
	(void)pfn;
	(void)order;
	(void)arg;
}

/* ---- reading the tree: through the API and independently ---- */

static uint64_t *walk_keys;
static size_t walk_n, walk_cap;
static int walk_stop_after = -1;

static int collect_cb(phys_addr_t phys, unsigned int order)
{
	if (walk_n == walk_cap) {
		walk_cap = walk_cap ? 2 * walk_cap : 4096;
		walk_keys = realloc(walk_keys, walk_cap * sizeof(*walk_keys));
		if (!walk_keys)
			abort();
	}
	walk_keys[walk_n++] = ref_key(phys, order);
	if (walk_stop_after >= 0 && walk_n == (size_t)walk_stop_after)
		return 42;
	return 0;
}

/* kho_radix_walk_tree() must give exactly the set, in ascending key order. */
static int check_walk(struct kho_radix_tree *tree, const struct kset *ref)
{
	size_t i;

	walk_n = 0;
	if (kho_radix_walk_tree(tree, collect_cb))
		return 0;
	if (walk_n != ref->n)
		return 0;
	for (i = 0; i < walk_n; i++) {
		if (i && walk_keys[i] <= walk_keys[i - 1])
			return 0;
		if (!kset_has(ref, walk_keys[i]))
			return 0;
	}
	return 1;
}

struct ref_scan {
	unsigned long nodes[REF_LEVELS];	/* per level, root included */
	unsigned long keys;
	unsigned long empty;			/* leaves/tables with nothing */
	const struct kset *ref;
	int bad;
};

static void ref_scan_node(struct ref_scan *rs, uint64_t phys,
			  unsigned int level, uint64_t prefix)
{
	const uint64_t *n = ref_node(phys);
	unsigned int i, used = 0;

	if (!n) {
		rs->bad++;
		return;
	}
	rs->nodes[level]++;
	if (!level) {
		for (i = 0; i < PAGE_SIZE / 8; i++) {
			uint64_t w = n[i];

			used |= !!w;
			while (w) {
				unsigned int b = (unsigned int)__builtin_ctzll(w);
				uint64_t key = prefix | (i * 64 + b);

				w &= w - 1;
				rs->keys++;
				if (rs->ref && !kset_has(rs->ref, key))
					rs->bad++;
			}
		}
	} else {
		for (i = 0; i < PAGE_SIZE / 8; i++) {
			if (!n[i])
				continue;
			used = 1;
			if (n[i] % PAGE_SIZE) {
				rs->bad++;
				continue;
			}
			ref_scan_node(rs, n[i], level - 1,
				      prefix | (uint64_t)i << (REF_LEAF_BITS +
							REF_TABLE_BITS * (level - 1)));
		}
	}
	if (!used && level != REF_LEVELS - 1)
		rs->empty++;
}

static struct ref_scan ref_scan(struct kho_radix_tree *tree,
				const struct kset *ref)
{
	struct ref_scan rs;

	memset(&rs, 0, sizeof(rs));
	rs.ref = ref;
	ref_scan_node(&rs, virt_to_phys(tree->root), REF_LEVELS - 1, 0);
	return rs;
}

/* Nodes a tree holding exactly @ref needs below the root, per DESIGN §3. */
static unsigned long ref_min_nodes(const struct kset *ref)
{
	uint64_t *v = kset_sorted(ref);
	unsigned long total = 0;
	unsigned int level;
	size_t i;

	for (level = 0; level < REF_LEVELS - 1; level++) {
		/* bits naming the node */
		unsigned int shift = REF_LEAF_BITS + REF_TABLE_BITS * level;

		for (i = 0; i < ref->n; i++)
			if (!i || v[i] >> shift != v[i - 1] >> shift)
				total++;
	}
	free(v);
	return total;
}

static int tree_new(struct kho_radix_tree *tree)
{
	return kho_radix_init_tree(tree);
}

/* ---- trace events, counted by the tracepoint shim ---- */

static unsigned long ev_add, ev_del, ev_alloc;
static unsigned int ev_last_level;

void harness_trace(const char *event, unsigned long pfn, unsigned int order,
		   u64 key, unsigned int level)
{
	if (ref_key((uint64_t)pfn << PAGE_SHIFT, order) != key) {
		fprintf(stderr, "harness: %s: key 0x%llx is not (0x%lx, %u)\n",
			event, (unsigned long long)key, pfn, order);
		abort();
	}
	ev_last_level = level;
	if (!strcmp(event, "kho_radix_add"))
		ev_add++;
	else if (!strcmp(event, "kho_radix_del"))
		ev_del++;
	else if (!strcmp(event, "kho_radix_node_alloc"))
		ev_alloc++;
}

int harness_warn(int cond, const char *file, int line)
{
	(void)file;
	(void)line;
	if (cond)
		sim.warns++;
	return cond;
}

/* ---- 1. golden trees ---- */

struct golden {
	uint64_t pfn;
	unsigned int order;
	uint64_t key;
	unsigned int path[REF_TABLES];	/* root first */
	unsigned int word;
	uint64_t value;
};

/*
 * The same page frames and orders at every page size, keys and paths
 * worked out by hand for each (at 4 KiB, the examples of the ABI notes).
 */
static const struct golden golden[] = {
#if PAGE_SHIFT == 12
	{ 0x1, 0, 0x10000000000001ULL, { 2, 0, 0, 0, 0 }, 0, 0x2 },
	{ 0x200, 9, 0x80000000001ULL, { 0, 2, 0, 0, 0 }, 0, 0x2 },
	{ 0x40000, 18, 0x400000001ULL, { 0, 0, 2, 0, 0 }, 0, 0x2 },
	{ 0x123456, 0, 0x10000000123456ULL, { 2, 0, 0, 0, 36 }, 209, 0x400000 },
	{ 0x8, 3, 0x2000000000001ULL, { 0, 128, 0, 0, 0 }, 0, 0x2 },
#elif PAGE_SHIFT == 14
	{ 0x1, 0, 0x4000000000001ULL, { 1, 0, 0, 0 }, 0, 0x2 },
	{ 0x200, 9, 0x20000000001ULL, { 0, 4, 0, 0 }, 0, 0x2 },
	{ 0x40000, 18, 0x100000001ULL, { 0, 0, 16, 0 }, 0, 0x2 },
	{ 0x123456, 0, 0x4000000123456ULL, { 1, 0, 0, 9 }, 209, 0x400000 },
	{ 0x8, 3, 0x800000000001ULL, { 0, 256, 0, 0 }, 0, 0x2 },
#elif PAGE_SHIFT == 16
	{ 0x1, 0, 0x1000000000001ULL, { 8, 0, 0 }, 0, 0x2 },
	{ 0x200, 9, 0x8000000001ULL, { 0, 128, 0 }, 0, 0x2 },
	{ 0x40000, 18, 0x40000001ULL, { 0, 0, 2048 }, 0, 0x2 },
	{ 0x123456, 0, 0x1000000123456ULL, { 8, 0, 2 }, 2257, 0x400000 },
	{ 0x8, 3, 0x200000000001ULL, { 1, 0, 0 }, 0, 0x2 },
#else
#error "golden trees are written for 4, 16 and 64 KiB pages"
#endif
};

#define NGOLDEN (sizeof(golden) / sizeof(golden[0]))

/* The tree must be exactly one path: one entry per table, one word set. */
static int golden_layout(struct kho_radix_tree *tree, const struct golden *g)
{
	uint64_t phys = virt_to_phys(tree->root);
	unsigned int level, i;

	for (level = REF_TABLES; level >= 1; level--) {
		const uint64_t *n = ref_node(phys);
		unsigned int want = g->path[REF_TABLES - level];

		if (!n || ref_index(g->key, level) != want)
			return 0;
		for (i = 0; i < PAGE_SIZE / 8; i++)
			if (!!n[i] != (i == want))
				return 0;
		phys = n[want];
	}
	{
		const uint64_t *leaf = ref_node(phys);

		if (!leaf)
			return 0;
		for (i = 0; i < PAGE_SIZE / 8; i++)
			if (leaf[i] != (i == g->word ? g->value : 0))
				return 0;
	}
	return sim.live == REF_LEVELS;
}

static void test_golden(void)
{
	struct kho_radix_tree tree;
	size_t i;

	for (i = 0; i < NGOLDEN; i++) {
		const struct golden *g = &golden[i];
		uint64_t pa = g->pfn << PAGE_SHIFT;
		char path[64];
		unsigned int o, l;
		int good, len = 0;

		for (l = 0; l < REF_TABLES; l++)
			len += snprintf(path + len, sizeof(path) - len, "%s%u",
					l ? "/" : "", g->path[l]);
		sim_init(64, ARENA_PHYS);
		good = ref_key(pa, g->order) == g->key &&
		       kho_radix_encode_key(pa, g->order) == g->key &&
		       kho_radix_decode_key(g->key, &o) == pa && o == g->order &&
		       ref_index(g->key, 0) / 64 == g->word;
		good = good && !tree_new(&tree) &&
		       !kho_radix_add_page(&tree, g->pfn, g->order) &&
		       golden_layout(&tree, g);
		ok(good, "golden tree (0x%llx, %u): key 0x%llx, path %s, word %u = 0x%llx",
		   (unsigned long long)pa, g->order,
		   (unsigned long long)g->key, path, g->word,
		   (unsigned long long)g->value);
		kho_radix_destroy_tree(&tree);
		ok(sim.live == 0, "golden tree %zu: destroy frees every page", i);
	}
}

static void test_golden_walk(void)
{
	static const unsigned int want[] = { 2, 1, 4, 0, 3 };	/* by key */
	struct kho_radix_tree tree;
	size_t i;
	int good;

	sim_init(64, ARENA_PHYS);
	good = !tree_new(&tree);
	for (i = 0; i < NGOLDEN; i++)
		good = good && !kho_radix_add_page(&tree, golden[i].pfn,
						   golden[i].order);
	walk_n = 0;
	good = good && !kho_radix_walk_tree(&tree, collect_cb) && walk_n == 5;
	for (i = 0; good && i < 5; i++)
		good = walk_keys[i] == golden[want[i]].key &&
		       (!i || walk_keys[i] > walk_keys[i - 1]);
	ok(good, "golden trees together: walk gives ascending keys (orders 18, 9, 3, 0, 0)");

	walk_n = 0;
	walk_stop_after = 2;
	ok(kho_radix_walk_tree(&tree, collect_cb) == 42 && walk_n == 2,
	   "walk stops at the first non-zero callback return and passes it on");
	walk_stop_after = -1;
	kho_radix_destroy_tree(&tree);
}

/* ---- 2. argument checks and semantics ---- */

static void test_args(void)
{
	const unsigned long top = (1UL << REF_ORDER0) - 1;	/* largest pfn */
	const unsigned int big = REF_ORDER0 - 1;		/* largest order */
	struct kho_radix_tree tree, none = { NULL };
	unsigned long live, warns;
	struct kset ref;

	sim_init(64, ARENA_PHYS);
	kset_init(&ref, 64);
	tree_new(&tree);
	ok(kho_radix_add_page(&tree, 1, 1) == -EINVAL &&
	   kho_radix_add_page(&tree, 0, REF_ORDER0) == -EINVAL &&
	   kho_radix_add_page(&tree, 1UL << REF_ORDER0, 0) == -EINVAL &&
	   kho_radix_add_page(&none, 0, 0) == -EINVAL &&
	   kho_radix_walk_tree(&none, collect_cb) == -EINVAL &&
	   sim.live == 1,
	   "misaligned pfn, order %d, pfn beyond 2^%d, no root: -EINVAL, nothing allocated",
	   REF_ORDER0, REF_ORDER0);

	ok(!kho_radix_add_page(&tree, top, 0) &&
	   !kho_radix_add_page(&tree, 1UL << big, big),
	   "largest pfn of order 0 and order %u are accepted", big);
	kset_add(&ref, ref_key((uint64_t)top << PAGE_SHIFT, 0));
	kset_add(&ref, ref_key(1ULL << 63, big));
	ok(check_walk(&tree, &ref), "they walk back as the same blocks");

	live = sim.live;
	ok(!kho_radix_add_page(&tree, top, 0) && sim.live == live &&
	   check_walk(&tree, &ref), "adding a block twice changes nothing");

	kho_radix_del_page(&tree, top, 0);
	kset_del(&ref, ref_key((uint64_t)top << PAGE_SHIFT, 0));
	ok(sim.live == live && check_walk(&tree, &ref),
	   "delete clears the bit and frees no node");

	warns = sim.warns;
	kho_radix_del_page(&tree, 0x1234, 2);
	ok(sim.warns == warns + 1 && sim.live == live && check_walk(&tree, &ref),
	   "deleting a block whose path is missing warns and changes nothing");
	kho_radix_destroy_tree(&tree);
	kset_free(&ref);
}

/* ---- 3. allocation failure: rollback ---- */

static void test_rollback(uint64_t *rng)
{
	struct kho_radix_tree tree;
	unsigned int fails = 0, exact = 0, cases = 0, n;
	struct kset ref;
	int i;

	sim_init(1024, ARENA_PHYS);	/* small: every case takes a snapshot */
	kset_init(&ref, 1 << 12);
	tree_new(&tree);
	/* A few existing paths, so that failures hit shared and new levels. */
	for (i = 0; i < 64; i++) {
		uint64_t pfn = rng_next(rng) & 0xffffffff;

		kho_radix_add_page(&tree, pfn, 0);
		kset_add(&ref, ref_key(pfn << PAGE_SHIFT, 0));
	}
	for (i = 0; i < 300; i++) {
		unsigned int order = (unsigned int)(rng_next(rng) % 20);
		uint64_t pfn = (rng_next(rng) & 0xfffffffffULL) & ~((1ULL << order) - 1);
		void *snap = sim_snapshot();
		int err;

		/*
		 * Fail allocation 1..REF_TABLES of this add (it needs at most a
		 * table per level below the root and a leaf); past the need, it
		 * succeeds.
		 */
		n = 1 + (unsigned int)(rng_next(rng) % REF_TABLES);
		sim_fail_nth(n);
		err = kho_radix_add_page(&tree, pfn, order);
		sim_fail_nth(0);
		cases++;
		if (err == -ENOMEM) {
			fails++;
			exact += sim_same(snap);
		} else if (!err) {
			kset_add(&ref, ref_key(pfn << PAGE_SHIFT, order));
			exact++;
		}
		sim_snapshot_free(snap);
	}
	ok(exact == cases && fails > 100 && check_walk(&tree, &ref),
	   "add_page with allocation n failing: %u of %u failed with -ENOMEM and left the arena byte-identical",
	   fails, cases);
	kho_radix_destroy_tree(&tree);
	ok(sim.live == 0, "no page leaked after %lu injected failures", sim.failed);
	kset_free(&ref);
}

static void test_range_rollback(uint64_t *rng)
{
	struct kho_radix_tree tree;
	unsigned int fails = 0, same = 0, cases = 0;
	struct kset ref;
	struct ref_scan rs;
	int i;

	sim_init(ARENA_PAGES, ARENA_PHYS);
	kset_init(&ref, 1 << 14);
	tree_new(&tree);
	for (i = 0; i < 200; i++) {
		uint64_t pfn = rng_next(rng) & 0xfffffff;
		uint64_t n = 1 + rng_next(rng) % 5000;
		int err;

		/* Some blocks of the range may already be there: keep them. */
		if (i % 3 == 0) {
			kho_radix_add_page(&tree, pfn, 0);
			kset_add(&ref, ref_key(pfn << PAGE_SHIFT, 0));
		}
		/* Larger pages: fewer levels, so fewer nodes per range. */
		sim_fail_nth(1 + rng_next(rng) % (12 * REF_TABLES / 5));
		err = kho_radix_add_range(&tree, pfn, n);
		sim_fail_nth(0);
		cases++;
		if (err == -ENOMEM)
			fails++;
		else if (!err)
			ref_split(pfn, n, block_add, &ref);
		same += check_walk(&tree, &ref);
	}
	ok(same == cases && fails > 50,
	   "add_range with an allocation failing: %u of %u failed, key set always unchanged (pre-existing blocks kept)",
	   fails, cases);
	kho_radix_trim(&tree);
	rs = ref_scan(&tree, &ref);
	ok(!rs.bad && rs.empty == 0 &&
	   sim.live - 1 == ref_min_nodes(&ref),
	   "after trim the failed ranges leave no node behind (%lu nodes)",
	   sim.live);
	kho_radix_destroy_tree(&tree);
	kset_free(&ref);
}

/* ---- 4. random operations against the reference set ---- */

struct region {
	uint64_t base;	/* pfn, aligned to 2^24 pages */
};

static uint64_t random_pfn(uint64_t *rng, const struct region *reg,
			   unsigned int order)
{
	uint64_t base = reg[rng_next(rng) % 8].base;
	/* Mostly within a few leaves, sometimes anywhere in 64 GiB. */
	unsigned int bits = rng_next(rng) % 4 ? 16 : 24;
	uint64_t off = rng_next(rng) & ((1ULL << (order > 14 ? 24 : bits)) - 1);

	return (base + off) & ~((1ULL << order) - 1);
}

static unsigned int random_order(uint64_t *rng)
{
	unsigned int r = (unsigned int)(rng_next(rng) % 100);

	if (r < 65)
		return 0;
	if (r < 92)
		return 1 + r % 9;
	if (r < 98)
		return 10 + r % 4;
	return 18;
}

struct range_rec {
	uint64_t pfn, n;
};

static void test_random(uint64_t seed, unsigned long ops)
{
	unsigned long nr[8] = { 0 }, walks = 0, trims = 0, enomem = 0, bad = 0;
	unsigned long trimmed = 0, scans = 0, i;
	struct range_rec ranges[64];
	unsigned int nranges = 0;
	struct kho_radix_tree tree;
	struct region reg[8];
	uint64_t rng = seed;
	struct kset ref;
	int j;

	sim_init(ARENA_PAGES * 2, ARENA_PHYS);
	kset_init(&ref, 1 << 17);
	for (j = 0; j < 8; j++)
		reg[j].base = (rng_next(&rng) & ((1ULL << 34) - 1)) & ~((1ULL << 24) - 1);
	tree_new(&tree);

	for (i = 1; i <= ops; i++) {
		unsigned int r = (unsigned int)(rng_next(&rng) % 1000);
		int err;

		/* In some stretches, allocations fail at random. */
		sim_fail_random((i / 5000) % 4 == 3 ? 40 : 0, &rng);

		if (r < 450 || !ref.n) {
			unsigned int o = random_order(&rng);
			uint64_t pfn = random_pfn(&rng, reg, o);

			err = kho_radix_add_page(&tree, pfn, o);
			if (!err)
				kset_add(&ref, ref_key(pfn << PAGE_SHIFT, o));
			enomem += err == -ENOMEM;
			bad += err && err != -ENOMEM;
			nr[0]++;
		} else if (r < 850) {
			unsigned int o;
			uint64_t pa = ref_key_pa(kset_any(&ref, &rng), &o);

			kho_radix_del_page(&tree, pa >> PAGE_SHIFT, o);
			kset_del(&ref, ref_key(pa, o));
			nr[1]++;
		} else if (r < 880) {
			unsigned int o = random_order(&rng);
			uint64_t pfn = random_pfn(&rng, reg, o);

			kho_radix_del_page(&tree, pfn, o);
			kset_del(&ref, ref_key(pfn << PAGE_SHIFT, o));
			nr[2]++;
		} else if (r < 940) {
			uint64_t pfn = random_pfn(&rng, reg, 0);
			uint64_t n = 1 + rng_next(&rng) % 700;

			err = kho_radix_add_range(&tree, pfn, n);
			if (!err) {
				ref_split(pfn, n, block_add, &ref);
				ranges[nranges++ % 64] = (struct range_rec){ pfn, n };
			}
			enomem += err == -ENOMEM;
			bad += err && err != -ENOMEM;
			nr[3]++;
		} else if (r < 990) {
			struct range_rec rr;

			if (nranges && r % 2) {
				rr = ranges[rng_next(&rng) % (nranges < 64 ? nranges : 64)];
			} else {
				rr.pfn = random_pfn(&rng, reg, 0);
				rr.n = 1 + rng_next(&rng) % 300;
			}
			kho_radix_del_range(&tree, rr.pfn, rr.n);
			ref_split(rr.pfn, rr.n, block_del, &ref);
			nr[4]++;
		} else {
			walks++;
			bad += !check_walk(&tree, &ref);
		}

		if (i % 5000 == 0) {
			unsigned long before = sim.live;
			struct ref_scan rs;

			sim_fail_random(0, &rng);
			trimmed += kho_radix_trim(&tree);
			trims++;
			rs = ref_scan(&tree, &ref);
			scans++;
			bad += rs.bad || rs.keys != ref.n || rs.empty ||
			       sim.live - 1 != ref_min_nodes(&ref) ||
			       before - sim.live > before;
		}
		if (ref.n > 20000) {	/* keep walks affordable */
			uint64_t k = kset_any(&ref, &rng);
			unsigned int o;
			uint64_t pa = ref_key_pa(k, &o);

			kho_radix_del_page(&tree, pa >> PAGE_SHIFT, o);
			kset_del(&ref, k);
		}
	}
	sim_fail_random(0, &rng);
	walks++;
	bad += !check_walk(&tree, &ref);
	diag("random: %lu ops (add %lu, del %lu, del-random %lu, add-range %lu, del-range %lu, walk %lu, trim %lu), %lu -ENOMEM injected, %lu live keys, %lu nodes, %lu freed by trim, %lu warnings",
	     ops, nr[0], nr[1], nr[2], nr[3], nr[4], walks, trims, enomem,
	     (unsigned long)ref.n, sim.live, trimmed, sim.warns);
	ok(bad == 0, "random sequence of %lu operations (seed %llu) matches the reference set at %lu walks and %lu independent scans",
	   ops, (unsigned long long)seed, walks, scans);
	kho_radix_destroy_tree(&tree);
	ok(sim.live == 0, "destroy after the random sequence frees every page");
	kset_free(&ref);
}

/* ---- 5. range API: same tree as per-block adds, fewer node visits ---- */

static void range_bench(uint64_t *rng, unsigned int nranges, int quiet)
{
	unsigned long v_range = 0, v_pages = 0, blocks = 0, d_range = 0;
	unsigned long d_pages = 0;
	struct kho_radix_tree a, b;
	unsigned int i, differ = 0;

	sim_init(ARENA_PAGES, ARENA_PHYS);
	for (i = 0; i < nranges; i++) {
		uint64_t pfn = rng_next(rng) & 0xfffffffffULL;
		unsigned int bits = 1 + (unsigned int)(rng_next(rng) % 22);
		uint64_t n = 1 + rng_next(rng) % (1ULL << bits);
		struct page_loop pl;
		struct ref_scan sa, sb;
		struct kset ref;
		unsigned long v;

		kset_init(&ref, 256);
		ref_split(pfn, n, block_add, &ref);
		tree_new(&a);
		tree_new(&b);

		v = sim.visits;
		if (kho_radix_add_range(&a, pfn, n))
			differ++;
		v_range += sim.visits - v;

		pl.tree = &b;
		pl.err = 0;
		v = sim.visits;
		blocks += ref_split(pfn, n, block_add_page, &pl);
		v_pages += sim.visits - v;
		differ += pl.err != 0;

		sa = ref_scan(&a, &ref);
		sb = ref_scan(&b, &ref);
		differ += sa.bad || sb.bad || sa.keys != ref.n ||
			  sb.keys != ref.n ||
			  memcmp(sa.nodes, sb.nodes, sizeof(sa.nodes));

		v = sim.visits;
		kho_radix_del_range(&a, pfn, n);
		d_range += sim.visits - v;
		v = sim.visits;
		ref_split(pfn, n, block_del_page, &pl);
		d_pages += sim.visits - v;
		sa = ref_scan(&a, NULL);
		sb = ref_scan(&b, NULL);
		differ += sa.keys != 0 || sb.keys != 0;
		kho_radix_destroy_tree(&a);
		kho_radix_destroy_tree(&b);
		kset_free(&ref);
	}
	if (quiet) {
		ok(!differ && v_range <= v_pages,
		   "add_range builds the same tree as add_page per block over %u random ranges",
		   nranges);
	}
	printf("# range API: %u ranges, %lu blocks: add_range %lu node visits, add_page per block %lu (%.1f%% saved); del_range %lu vs %lu (%.1f%% saved)\n",
	       nranges, blocks, v_range, v_pages,
	       v_pages ? 100.0 * (double)(v_pages - v_range) / (double)v_pages : 0.0,
	       d_range, d_pages,
	       d_pages ? 100.0 * (double)(d_pages - d_range) / (double)d_pages : 0.0);
}

static void test_range_split(uint64_t *rng)
{
	struct kho_radix_tree tree;
	unsigned int i, good = 0, cases = 0;

	sim_init(ARENA_PAGES, ARENA_PHYS);
	tree_new(&tree);
	for (i = 0; i < 400; i++) {
		uint64_t pfn = i < 64 ? i : rng_next(rng) & 0xffffffffULL;
		uint64_t n = i < 64 ? 1 + (i * 37) % 300 : 1 + rng_next(rng) % 100000;
		struct kset ref;

		kset_init(&ref, 256);
		ref_split(pfn, n, block_add, &ref);
		cases++;
		good += !kho_radix_add_range(&tree, pfn, n) && check_walk(&tree, &ref);
		kho_radix_del_range(&tree, pfn, n);
		kset_free(&ref);
	}
	ok(good == cases, "add_range yields exactly the blocks of min(ctz(pfn), ilog2(end - pfn)) for %u ranges",
	   cases);
	ok(kho_radix_add_range(&tree, 0, 0) == 0 &&
	   kho_radix_add_range(&tree, ~0UL, 2) == -EINVAL &&
	   kho_radix_add_range(&tree, (1UL << 52) - 1, 2) == -EINVAL,
	   "add_range: empty range is a no-op, overflowing ranges are -EINVAL");
	ok(!kho_radix_add_range(&tree, 0, 1UL << 40) && (walk_n = 0,
	   !kho_radix_walk_tree(&tree, collect_cb)) && walk_n == 1 &&
	   walk_keys[0] == ref_key(0, 40),
	   "add_range of 2^40 pages at 0 is a single order-40 block");
	kho_radix_destroy_tree(&tree);
}

/* ---- 6. trim ---- */

static void trim_demo(uint64_t *rng, int quiet)
{
	unsigned long peak, allocs, freed, cycles = 20, i, c;
	struct kho_radix_tree tree;
	struct kset ref;
	uint64_t pfns[2000];
	int stable = 1;

	sim_init(ARENA_PAGES, ARENA_PHYS);
	kset_init(&ref, 1 << 13);
	tree_new(&tree);
	for (i = 0; i < 2000; i++)
		pfns[i] = rng_next(rng) & 0x3fffffffULL;	/* 4 TiB spread */

	/* Preserve/unpreserve cycles: nodes are allocated once, reused. */
	for (c = 0; c < cycles; c++) {
		allocs = sim.allocs;
		for (i = 0; i < 2000; i++)
			kho_radix_add_page(&tree, pfns[i], 0);
		for (i = 0; i < 2000; i++)
			kho_radix_del_page(&tree, pfns[i], 0);
		if (c && sim.allocs != allocs)
			stable = 0;
	}
	peak = sim.live;
	freed = kho_radix_trim(&tree);
	if (quiet) {
		ok(stable, "%lu preserve/unpreserve cycles of 2000 pages allocate nodes only in the first",
		   cycles);
		ok(freed == peak - 1 && sim.live == 1 && check_walk(&tree, &ref),
		   "trim of the emptied tree frees all %lu nodes but the root", freed);
	}
	printf("# trim: 2000 scattered pages, %lu add/del cycles: %lu tree pages stay allocated after the last del; kho_radix_trim() freed %lu, leaving %lu (the root)\n",
	       cycles, peak, freed, sim.live);

	/* Half live: trim keeps exactly what the live keys need. */
	for (i = 0; i < 2000; i++) {
		kho_radix_add_page(&tree, pfns[i], 0);
		kset_add(&ref, ref_key(pfns[i] << PAGE_SHIFT, 0));
	}
	peak = sim.live;
	for (i = 0; i < 2000; i += 2) {
		kho_radix_del_page(&tree, pfns[i], 0);
		kset_del(&ref, ref_key(pfns[i] << PAGE_SHIFT, 0));
	}
	freed = kho_radix_trim(&tree);
	if (quiet) {
		struct ref_scan rs = ref_scan(&tree, &ref);

		ok(check_walk(&tree, &ref) && !rs.empty &&
		   sim.live - 1 == ref_min_nodes(&ref),
		   "trim with half the pages live frees %lu of %lu pages and keeps exactly the %lu nodes the live keys need",
		   freed, peak, sim.live - 1);
		ok(kho_radix_trim(&tree) == 0, "a second trim frees nothing");
	}
	printf("# trim: 2000 pages preserved (%lu tree pages), every second one unpreserved: trim freed %lu, %lu remain\n",
	       peak, freed, sim.live);
	kho_radix_destroy_tree(&tree);
	kset_free(&ref);
}

/* ---- 7. trace events ---- */

static void test_trace(void)
{
	struct kho_radix_tree tree;
	unsigned long allocs;
	unsigned int blocks;
	int good;

	sim_init(64, ARENA_PHYS);
	tree_new(&tree);
	ev_add = ev_del = ev_alloc = 0;
	allocs = sim.allocs;
	good = !kho_radix_add_page(&tree, 0x123456, 0);
	good = good && ev_add == 1 && ev_alloc == REF_TABLES &&
	       sim.allocs - allocs == REF_TABLES && ev_last_level == REF_TABLES;
	good = good && !kho_radix_add_page(&tree, 0x123457, 0) &&
	       ev_add == 2 && ev_alloc == REF_TABLES && ev_last_level == 0;
	kho_radix_del_page(&tree, 0x123457, 0);
	good = good && ev_del == 1 && ev_last_level == 0;
	ok(good, "trace events: add reports the level of the first empty entry, node_alloc one per new node, del one per call");
	ev_alloc = 0;
	allocs = sim.allocs;
	blocks = ref_split(3, 1000, block_count, NULL);
	good = !kho_radix_add_range(&tree, 3, 1000);
	ok(good && ev_alloc == sim.allocs - allocs && ev_add == 2 + blocks,
	   "add_range emits one add event per block (%u) and one node_alloc per node",
	   blocks);
	kho_radix_destroy_tree(&tree);
}

/* ---- 8. images for khowalk ---- */

struct img_block {
	uint64_t pa;
	unsigned int order;
};

static int cmp_block(const void *a, const void *b)
{
	const struct img_block *x = a, *y = b;

	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

static void image_collect(uint64_t pfn, unsigned int order, void *arg)
{
	struct kset *s = arg;

	kset_add(s, ref_key(pfn << PAGE_SHIFT, order));
}

static int write_image(const char *dir, const char *name,
		       struct kho_radix_tree *tree, const struct kset *ref)
{
	char path[4096];
	struct img_block *v;
	size_t n = 0, i;
	uint64_t start = 0, end = 0;
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s.img", dir, name);
	f = fopen(path, "wb");
	if (!f || sim_write_image(f) < 0)
		err = -1;
	if (f && fclose(f))
		err = -1;

	snprintf(path, sizeof(path), "%s/%s.meta", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "phys=0x%llx root=0x%llx\n",
		(unsigned long long)sim_phys(),
		(unsigned long long)virt_to_phys(tree->root));
	if (fclose(f))
		err = -1;

	v = malloc((ref->n + 1) * sizeof(*v));
	if (!v)
		abort();
	for (i = 0; i < ref->cap; i++) {
		if (!ref->slot[i])
			continue;
		v[n].pa = ref_key_pa(ref->slot[i], &v[n].order);
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_block);

	snprintf(path, sizeof(path), "%s/%s.pages", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	for (i = 0; i < n; i++)
		fprintf(f, "0x%llx %u\n", (unsigned long long)v[i].pa, v[i].order);
	if (fclose(f))
		err = -1;

	snprintf(path, sizeof(path), "%s/%s.ranges", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	for (i = 0; i < n; i++) {
		uint64_t s = v[i].pa, e = s + ((uint64_t)PAGE_SIZE << v[i].order);

		if (i && s == end) {
			end = e;
			continue;
		}
		if (i)
			fprintf(f, "0x%llx-0x%llx %llu\n", (unsigned long long)start,
				(unsigned long long)end,
				(unsigned long long)(end - start));
		start = s;
		end = e;
	}
	if (n)
		fprintf(f, "0x%llx-0x%llx %llu\n", (unsigned long long)start,
			(unsigned long long)end, (unsigned long long)(end - start));
	if (fclose(f))
		err = -1;
	free(v);
	return err;
}

static void test_images(const char *dir, uint64_t *rng)
{
	struct kho_radix_tree tree;
	struct kset ref, slots;
	unsigned int i;
	int err;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		ok(0, "images: cannot create '%s': %s", dir, strerror(errno));
		return;
	}

	/* Golden trees together (their keys are for 4 KiB pages). */
	err = 0;
#if PAGE_SHIFT == 12
	sim_init(64, ARENA_PHYS);
	kset_init(&ref, 64);
	tree_new(&tree);
	for (i = 0; i < NGOLDEN; i++) {
		kho_radix_add_page(&tree, golden[i].pfn, golden[i].order);
		kset_add(&ref, golden[i].key);
	}
	err = write_image(dir, "golden", &tree, &ref);
	kho_radix_destroy_tree(&tree);
	kset_free(&ref);
#endif

	/*
	 * Random blocks and ranges, one per 1 GiB slot so that no two overlap
	 * (the expected output then needs no tie-breaking), some deleted again
	 * so that empty leaves stay in the image.
	 */
	/*
	 * Larger pages give each block a leaf of its own here (a leaf spans
	 * 2^(PAGE_SHIFT + 3) pages, more than a slot), so fewer blocks and
	 * 32 MiB of tree pages at 16 KiB, 64 MiB at 64 KiB.
	 */
	sim_init(PAGE_SHIFT == 12 ? ARENA_PAGES : PAGE_SHIFT == 14 ? 2048 : 1024,
		 ARENA_PHYS);
	kset_init(&ref, 1 << 15);
	kset_init(&slots, 1 << 13);
	tree_new(&tree);
	for (i = 0; i < (PAGE_SHIFT == 12 ? 3000u : 600u); i++) {
		uint64_t slot = 1 + rng_next(rng) % 4096;	/* 4 TiB */
		uint64_t base = slot << 18;			/* pfn */

		if (kset_has(&slots, slot))
			continue;
		kset_add(&slots, slot);
		if (i % 4 == 0) {
			uint64_t pfn = base + rng_next(rng) % 1000;
			uint64_t n = 1 + rng_next(rng) % 3000;

			err |= kho_radix_add_range(&tree, pfn, n);
			ref_split(pfn, n, image_collect, &ref);
		} else {
			unsigned int o = random_order(rng);
			uint64_t pfn = base + ((rng_next(rng) % (1ULL << 18)) &
					       ~((1ULL << o) - 1));

			err |= kho_radix_add_page(&tree, pfn, o);
			kset_add(&ref, ref_key(pfn << PAGE_SHIFT, o));
			if (i % 7 == 0) {
				kho_radix_del_page(&tree, pfn, o);
				kset_del(&ref, ref_key(pfn << PAGE_SHIFT, o));
			}
		}
	}
	err |= !check_walk(&tree, &ref);
	err |= write_image(dir, "random", &tree, &ref);
	kho_radix_trim(&tree);
	err |= write_image(dir, "trimmed", &tree, &ref);
	diag("images: %zu blocks in %lu tree pages", ref.n, sim.live);
	kho_radix_destroy_tree(&tree);
	kset_free(&ref);
	kset_free(&slots);
	ok(!err, "images golden, random and trimmed written to %s", dir);
}

int main(int argc, char **argv)
{
	unsigned long ops = 100000;
	const char *images = NULL, *env = getenv("KHO_HARNESS_OPS");
	uint64_t seed = 20261122, rng;
	int bench = 0, i;

	if (env)
		ops = strtoul(env, NULL, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			ops = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--images") && i + 1 < argc)
			images = argv[++i];
		else if (!strcmp(argv[i], "--bench"))
			bench = 1;
		else {
			fprintf(stderr, "usage: %s [--seed N] [--ops N] [--images DIR] [--bench]\n",
				argv[0]);
			return 2;
		}
	}
	rng = seed;

	if (bench) {
		range_bench(&rng, 2000, 0);
		trim_demo(&rng, 0);
		sim_fini();
		return 0;
	}

	if (images) {
		test_images(images, &rng);
		sim_fini();
		printf("1..%d\n", tests_run);
		return tests_failed ? 1 : 0;
	}

	test_golden();
	test_golden_walk();
	test_args();
	test_trace();
	test_rollback(&rng);
	test_range_rollback(&rng);
	test_range_split(&rng);
	range_bench(&rng, 200, 1);
	trim_demo(&rng, 1);
	test_random(seed, ops);
	sim_fini();
	free(walk_keys);
	printf("1..%d\n", tests_run);
	return tests_failed ? 1 : 0;
}
