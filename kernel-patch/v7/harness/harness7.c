// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Differential test of the radix tree section of upstream 7.x
 * kexec_handover.c, pristine against kernel-patch/v7/series applied, both
 * compiled unmodified (variant.c) over one simulated memory. Checked
 * against a reference set of keys and a tree reader of our own, written
 * from the ABI (KHO_ABI.md: key = order bit | pfn >> order, leaves of
 * PAGE_SIZE * 8 bits, tables of PAGE_SIZE / 8 entries), nothing taken from
 * the code under test:
 *
 *  - seeded random add/delete of single blocks and of runs (the patched
 *    build's __kho_radix_add_blocks()/__kho_radix_del_blocks() under one
 *    hold of the lock; the pristine build one call per block), with
 *    allocation failures injected: every few operations both walks equal
 *    the reference exactly;
 *  - the patched tree has exactly the nodes its keys need, none empty,
 *    each non-root node's page_private equal to its entries; the pristine
 *    tree never shrinks;
 *  - a failed add leaves the tree byte for byte as it was, in both builds;
 *  - the node cache holds at most KHO_RADIX_CACHE_PAGES pages, all zero
 *    with a count of 0, none in a tree; no page is leaked or freed twice.
 *
 * The reference is written for any PAGE_SHIFT; mk/kernel.mk builds the
 * whole program at 4, 16 and 64 KiB pages (-DPAGE_SHIFT=14 and 16: the
 * upstream ABI header and the code derive their sizes from it).
 * Output is TAP. Usage: harness7 [--seed N] [--ops N]
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h7.h"
#include "kset.h"
#include "sim_mem.h"
#include "tap.h"

#define ARENA_PHYS	0x40000000ULL
#define ARENA_PAGES	((64UL << 20) >> PAGE_SHIFT)	/* 64 MiB of tree pages */

#define REF_ORDER0	(64 - PAGE_SHIFT)
#define REF_LEAF_BITS	(PAGE_SHIFT + 3)
#define REF_TABLE_BITS	(PAGE_SHIFT - 3)
#define REF_LEVELS	((REF_ORDER0 + 1 - REF_LEAF_BITS + REF_TABLE_BITS - 1) / \
			 REF_TABLE_BITS + 1)
#define REF_MAX_ORDER	20
#define CHECK_EVERY	50

static uint64_t ref_key(uint64_t pfn, unsigned int order)
{
	return 1ULL << (REF_ORDER0 - order) | pfn >> order;
}

static uint64_t ref_key_pfn(uint64_t key, unsigned int *order)
{
	*order = REF_ORDER0 + 1 - (unsigned int)(64 - __builtin_clzll(key));
	/* the order bit is shifted out */
	return key << (PAGE_SHIFT + *order) >> PAGE_SHIFT;
}

/* Key bits above the node at @level's range: the node's identity. */
static unsigned int ref_node_shift(unsigned int level)
{
	return REF_LEAF_BITS + REF_TABLE_BITS * level;
}

/* ---- the reference: a set of keys (open addressing) ---- */

/* ---- the trees, and our reader of them ---- */

struct ktree {
	const struct h7_ops *ops;
	struct kho_radix_tree t;
};

static void tree_init(struct ktree *k, const struct h7_ops *ops)
{
	k->ops = ops;
	k->t.root = (struct kho_radix_node *)get_zeroed_page(GFP_KERNEL);
	if (!k->t.root)
		abort();
	mutex_init(&k->t.lock);
}

static const uint64_t *arena_node(uint64_t phys)
{
	if (!sim_page_live(phys))
		return NULL;
	return (const uint64_t *)((const char *)sim_base() + (phys - sim_phys()));
}

static size_t arena_page(const void *p)
{
	return (size_t)((const char *)p - (const char *)sim_base()) / PAGE_SIZE;
}

/* What the reader found in one tree. */
struct shape {
	size_t nodes[REF_LEVELS];	/* per level, root included */
	size_t total;
	size_t empty;			/* non-root nodes with no entry */
	size_t bad_private;		/* non-root nodes whose count is wrong */
	size_t bad_link;		/* links to pages that are not live */
	size_t shared;			/* pages reached twice */
	uint64_t hash;			/* FNV-1a of the structure and contents */
};

static unsigned char *seen;	/* per arena page: reached by the reader */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ULL;
	return h;
}

static void read_node(const uint64_t *node, unsigned int level, int root,
		      struct shape *sh, int patched)
{
	size_t pg = arena_page(node), i, used = 0;
	unsigned long priv;

	if (seen[pg]++) {
		sh->shared++;
		return;
	}
	sh->nodes[level]++;
	sh->total++;
	sh->hash = fnv(sh->hash, &level, sizeof(level));
	sh->hash = fnv(sh->hash, node, PAGE_SIZE);
	if (level == 0) {
		for (i = 0; i < PAGE_SIZE / 8; i++)
			used += (size_t)__builtin_popcountll(node[i]);
	} else {
		for (i = 0; i < PAGE_SIZE / 8; i++) {
			const uint64_t *child;

			if (!node[i])
				continue;
			used++;
			child = arena_node(node[i]);
			if (!child) {
				sh->bad_link++;
				continue;
			}
			read_node(child, level - 1, 0, sh, patched);
		}
	}
	if (root)
		return;
	if (!used)
		sh->empty++;
	priv = h7_page_private(node);
	if (patched ? priv != used : priv != 0)
		sh->bad_private++;
}

static void read_tree(const struct ktree *k, struct shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->hash = 0xcbf29ce484222325ULL;
	memset(seen, 0, ARENA_PAGES);
	read_node((const uint64_t *)k->t.root, REF_LEVELS - 1, 1, sh,
		  k->ops->patched);
}

/* The nodes @keys need: the root and one per distinct prefix per level. */
static size_t needed_nodes(const uint64_t *keys, size_t n, size_t *per_level)
{
	size_t total = 1, i;
	unsigned int l;

	for (l = 0; l + 1 < REF_LEVELS; l++) {
		uint64_t last = 0;
		size_t c = 0;

		for (i = 0; i < n; i++) {
			uint64_t p = keys[i] >> ref_node_shift(l);

			if (!c || p != last)
				c++;
			last = p;
		}
		if (per_level)
			per_level[l] = c;
		total += c;
	}
	if (per_level)
		per_level[REF_LEVELS - 1] = 1;
	return total;
}

static uint64_t *walked;
static size_t nwalked, walk_cap;

static int walk_cb(phys_addr_t phys, unsigned int order)
{
	if (nwalked == walk_cap) {
		walk_cap = walk_cap ? 2 * walk_cap : 4096;
		walked = realloc(walked, walk_cap * sizeof(*walked));
		if (!walked)
			abort();
	}
	walked[nwalked++] = ref_key(phys >> PAGE_SHIFT, order);
	return 0;
}

/* The keys the tree's own walk reports, in its order; caller frees. */
static uint64_t *walk_keys(struct ktree *k, size_t *n)
{
	uint64_t *v;

	nwalked = 0;
	if (k->ops->walk(&k->t, walk_cb))
		nwalked = (size_t)-1;
	*n = nwalked;
	v = malloc((nwalked + 1) * sizeof(*v));
	if (!v)
		abort();
	if (nwalked != (size_t)-1)
		memcpy(v, walked, nwalked * sizeof(*v));
	return v;
}

/* The cache's pages: at most cache_max, all zero, count 0, in no tree. */
static int cache_ok(const struct h7_ops *ops, char *why, size_t len)
{
	unsigned int i, j, nr = ops->cache_nr();
	size_t w;

	if (nr > ops->cache_max) {
		snprintf(why, len, "%u cached pages, more than %u", nr, ops->cache_max);
		return 0;
	}
	for (i = 0; i < nr; i++) {
		const uint64_t *p = ops->cache_page(i);

		for (w = 0; w < PAGE_SIZE / 8; w++)
			if (p[w])
				break;
		if (w < PAGE_SIZE / 8 || h7_page_private(p)) {
			snprintf(why, len, "cached page %u not zero (word %zu, count %lu)",
				 i, w, h7_page_private(p));
			return 0;
		}
		if (seen[arena_page(p)]) {
			snprintf(why, len, "cached page %u is in a tree", i);
			return 0;
		}
		for (j = 0; j < i; j++)
			if (ops->cache_page(j) == p) {
				snprintf(why, len, "page cached twice");
				return 0;
			}
	}
	return 1;
}

/* ---- the random differential run ---- */

struct stats {
	unsigned long checks, ops, fails_injected, runs;
	unsigned long bad_walk, bad_same, bad_shape, bad_private, bad_grow;
	unsigned long bad_cache, bad_live, bad_partial;
	size_t max_keys, max_nodes[2], cache_peak;
	char first[256];
};

static void note(struct stats *st, unsigned long *ctr, const char *fmt, ...)
{
	va_list ap;

	(*ctr)++;
	if (st->first[0])
		return;
	va_start(ap, fmt);
	vsnprintf(st->first, sizeof(st->first), fmt, ap);
	va_end(ap);
}

static const uint64_t region[] = {
	0, 0x1000, 0x40000, 0xfff00, 0x1000000, 0x10000000, 1ULL << 40,
};

static unsigned int rand_order(uint64_t *rng)
{
	return rng_next(rng) % 3 ? (unsigned int)(rng_next(rng) % 4) :
				   (unsigned int)(rng_next(rng) % (REF_MAX_ORDER + 1));
}

/* A block of @order: anywhere in a region, or next to a leaf boundary. */
static uint64_t rand_pfn(uint64_t *rng, unsigned int order)
{
	uint64_t base = region[rng_next(rng) % (sizeof(region) / sizeof(region[0]))];
	uint64_t pfn;

	if (rng_next(rng) % 3 == 0) {
		uint64_t span = 1ULL << (REF_LEAF_BITS + order);
		uint64_t b = (base / span + 1 + rng_next(rng) % 3) * span;
		int64_t d = (int64_t)(rng_next(rng) % 8) - 4;

		pfn = b + (uint64_t)(d * (int64_t)(1ULL << order));
	} else {
		pfn = base + rng_next(rng) % (1ULL << 18);
	}
	return pfn & ~((1ULL << order) - 1);
}

/* Delete one preserved block, chosen at random, from both trees and @ref. */
static void del_any(struct ktree *tr, struct kset *ref, uint64_t *rng)
{
	uint64_t key = kset_any(ref, rng), pfn;
	unsigned int o, v;

	pfn = ref_key_pfn(key, &o);
	for (v = 0; v < 2; v++)
		tr[v].ops->del_page(&tr[v].t, pfn, o);
	kset_del(ref, key);
}

static void check_all(struct ktree *tr, struct kset *ref, struct stats *st,
		      size_t *prev_pristine)
{
	size_t nref = ref->n, nw[2], need, need_l[REF_LEVELS], v, l;
	uint64_t *keys = kset_sorted(ref), *w[2];
	struct shape sh[2];
	char why[160];

	st->checks++;
	for (v = 0; v < 2; v++) {
		uint64_t *s;

		w[v] = walk_keys(&tr[v], &nw[v]);
		s = malloc((nw[v] + 1) * sizeof(*s));
		if (!s)
			abort();
		if (nw[v] != (size_t)-1)
			memcpy(s, w[v], nw[v] * sizeof(*s));
		qsort(s, nw[v] == (size_t)-1 ? 0 : nw[v], sizeof(*s), cmp_u64);
		if (nw[v] != nref || memcmp(s, keys, nref * sizeof(*s)))
			note(st, &st->bad_walk, "%s walk: %zu keys, reference %zu",
			     tr[v].ops->name, nw[v], nref);
		free(s);
	}
	if (nw[0] != nw[1] || memcmp(w[0], w[1], nw[0] * sizeof(*w[0])))
		note(st, &st->bad_same, "the two walks differ");
	free(w[0]);
	free(w[1]);

	need = needed_nodes(keys, nref, need_l);
	memset(seen, 0, ARENA_PAGES);
	for (v = 0; v < 2; v++) {
		unsigned char *keep = v ? malloc(ARENA_PAGES) : NULL;

		if (v) {
			if (!keep)
				abort();
			memcpy(keep, seen, ARENA_PAGES);
		}
		read_tree(&tr[v], &sh[v]);
		if (v) {	/* both trees' pages marked for cache_ok() */
			size_t i;

			for (i = 0; i < ARENA_PAGES; i++)
				seen[i] |= keep[i];
			free(keep);
		}
		if (sh[v].bad_link || sh[v].shared)
			note(st, &st->bad_shape, "%s: %zu bad links, %zu shared pages",
			     tr[v].ops->name, sh[v].bad_link, sh[v].shared);
		if (sh[v].bad_private)
			note(st, &st->bad_private, "%s: %zu nodes with a wrong page_private",
			     tr[v].ops->name, sh[v].bad_private);
		if (sh[v].total > st->max_nodes[v])
			st->max_nodes[v] = sh[v].total;
	}
	/* patched: exactly what the keys need, level by level */
	for (l = 0; l < REF_LEVELS; l++)
		if (sh[1].nodes[l] != need_l[l])
			break;
	if (l < REF_LEVELS || sh[1].total != need || sh[1].empty)
		note(st, &st->bad_shape,
		     "patched: %zu nodes (%zu empty), the keys need %zu (level %zu: %zu, need %zu)",
		     sh[1].total, sh[1].empty, need, l,
		     l < REF_LEVELS ? sh[1].nodes[l] : 0, l < REF_LEVELS ? need_l[l] : 0);
	/* pristine: never fewer nodes than before, never fewer than needed */
	if (sh[0].total < *prev_pristine || sh[0].total < need)
		note(st, &st->bad_grow, "pristine: %zu nodes after %zu, %zu needed",
		     sh[0].total, *prev_pristine, need);
	*prev_pristine = sh[0].total;

	if (!cache_ok(&h7_patched, why, sizeof(why)))
		note(st, &st->bad_cache, "%s", why);
	if (h7_patched.cache_nr() > st->cache_peak)
		st->cache_peak = h7_patched.cache_nr();
	if (sim.live != sh[0].total + sh[1].total + h7_patched.cache_nr() ||
	    h7_mem.freed_with_private || sim.warns)
		note(st, &st->bad_live,
		     "%lu live pages, trees %zu + %zu, cache %u; %lu freed with a count; %lu warnings",
		     sim.live, sh[0].total, sh[1].total, h7_patched.cache_nr(),
		     h7_mem.freed_with_private, sim.warns);
	if (nref > st->max_keys)
		st->max_keys = nref;
	free(keys);
}

/* Keys of the runs: add to (@add) or delete from the reference. */
static void ref_runs(struct kset *ref, const struct h7_run *r, size_t n, int add)
{
	size_t i;
	unsigned long k;

	for (i = 0; i < n; i++)
		for (k = 0; k < r[i].nr; k++) {
			uint64_t key = ref_key(r[i].pfn + (k << r[i].order), r[i].order);

			if (add)
				kset_add(ref, key);
			else
				kset_del(ref, key);
		}
}

/*
 * Add runs to one tree with failures injected. A failure must have added
 * exactly the blocks before the one it names: the walk then is the
 * reference plus those. The rest is added again without failures.
 */
static void add_runs_failing(struct ktree *k, struct kset *ref,
			     const struct h7_run *r, size_t n, struct stats *st,
			     uint64_t *frng)
{
	struct h7_run rest[4];
	size_t run = 0, i, nw, nref, m;
	unsigned long stop = 0;
	uint64_t *w, *keys;
	struct kset part;

	sim_fail_random(8, frng);
	if (!k->ops->add_runs(&k->t, r, n, &run, &stop)) {
		sim_fail_random(0, NULL);
		return;
	}
	sim_fail_random(0, NULL);
	st->fails_injected++;
	kset_init(&part, ref->cap);
	for (i = 0; i < ref->cap; i++)
		if (ref->slot[i])
			kset_add(&part, ref->slot[i]);
	ref_runs(&part, r, run, 1);
	rest[0] = r[run];
	rest[0].nr = (stop - r[run].pfn) >> r[run].order;
	ref_runs(&part, rest, 1, 1);
	w = walk_keys(k, &nw);
	keys = kset_sorted(&part);
	nref = part.n;
	if (nw != (size_t)-1)
		qsort(w, nw, sizeof(*w), cmp_u64);
	if (nw != nref || memcmp(w, keys, nref * sizeof(*w)))
		note(st, &st->bad_partial,
		     "%s: a failed add of runs left %zu keys, %zu expected",
		     k->ops->name, nw, nref);
	free(w);
	free(keys);
	free(part.slot);
	/* the rest, from the first block not added */
	rest[0].pfn = stop;
	rest[0].nr = r[run].nr - ((stop - r[run].pfn) >> r[run].order);
	for (m = 1, i = run + 1; i < n; i++)
		rest[m++] = r[i];
	if (k->ops->add_runs(&k->t, rest, m, &run, &stop))
		note(st, &st->bad_partial, "%s: add of runs failed with no failure injected",
		     k->ops->name);
}

static void random_run(uint64_t seed, unsigned long nops)
{
	struct ktree tr[2];
	struct kset ref;
	struct stats st;
	uint64_t rng = seed, frng = seed ^ 0x5eed;
	size_t prev_pristine = 0, v;
	unsigned long op;

	h7_mem_init(ARENA_PAGES, ARENA_PHYS);
	tree_init(&tr[0], &h7_pristine);
	tree_init(&tr[1], &h7_patched);
	kset_init(&ref, 1 << 16);
	memset(&st, 0, sizeof(st));

	for (op = 1; op <= nops; op++) {
		unsigned int what = (unsigned int)(rng_next(&rng) % 100);
		int failing = op % 5 == 0;

		if (ref.n > 12000 && what < 50)
			what += 50;	/* bounded: mostly deletions */
		if (what < 35 || !ref.n) {
			unsigned int o = rand_order(&rng);
			uint64_t pfn = rand_pfn(&rng, o);

			for (v = 0; v < 2; v++) {
				int err;

				if (failing)
					sim_fail_random(3, &frng);
				err = tr[v].ops->add_page(&tr[v].t, pfn, o);
				sim_fail_random(0, NULL);
				if (err == -ENOMEM && failing) {
					st.fails_injected++;
					err = tr[v].ops->add_page(&tr[v].t, pfn, o);
				}
				if (err)
					note(&st, &st.bad_partial, "%s: add_page: %d",
					     tr[v].ops->name, err);
			}
			kset_add(&ref, ref_key(pfn, o));
		} else if (what < 50) {
			struct h7_run r[3];
			size_t n = 1 + rng_next(&rng) % 3, i;

			for (i = 0; i < n; i++) {
				r[i].order = rand_order(&rng) % 11;
				r[i].pfn = rand_pfn(&rng, r[i].order);
				r[i].nr = 1 + rng_next(&rng) % (rng_next(&rng) % 4 ? 16 : 700);
			}
			for (v = 0; v < 2; v++) {
				size_t run;
				unsigned long stop;

				if (failing)
					add_runs_failing(&tr[v], &ref, r, n, &st, &frng);
				else if (tr[v].ops->add_runs(&tr[v].t, r, n, &run, &stop))
					note(&st, &st.bad_partial, "%s: add_runs failed",
					     tr[v].ops->name);
			}
			ref_runs(&ref, r, n, 1);
			st.runs++;
		} else if (what < 80) {
			del_any(tr, &ref, &rng);
		} else {
			struct h7_run r[3];
			size_t n = 1 + rng_next(&rng) % 3, i;
			unsigned long max = 1 + rng_next(&rng) % 1000;

			for (i = 0; i < n && ref.n; i++) {
				uint64_t key = kset_any(&ref, &rng);

				r[i].pfn = ref_key_pfn(key, &r[i].order);
				r[i].nr = 0;
				/* the run: consecutive present blocks */
				while (r[i].nr < max &&
				       kset_has(&ref, ref_key(r[i].pfn + (r[i].nr << r[i].order),
							      r[i].order))) {
					kset_del(&ref, ref_key(r[i].pfn + (r[i].nr << r[i].order),
							       r[i].order));
					r[i].nr++;
				}
			}
			for (v = 0; v < 2; v++)
				tr[v].ops->del_runs(&tr[v].t, r, i);
			st.runs++;
		}
		st.ops++;
		if (op % CHECK_EVERY == 0 || op == nops)
			check_all(tr, &ref, &st, &prev_pristine);
	}

	/* Empty it: the patched tree goes back to its root alone. */
	while (ref.n)
		del_any(tr, &ref, &rng);
	check_all(tr, &ref, &st, &prev_pristine);

	diag("seed %" PRIu64 ": %lu operations (%lu of runs), %lu checks, %lu injected failures, "
	     "up to %zu keys, %zu pristine and %zu patched nodes, cache peak %zu",
	     seed, st.ops, st.runs, st.checks, st.fails_injected, st.max_keys,
	     st.max_nodes[0], st.max_nodes[1], st.cache_peak);
	if (st.first[0])
		diag("first failure: %s", st.first);
	ok(!st.bad_walk && !st.bad_same,
	   "seed %" PRIu64 ": both walks equal the reference after every %d operations (%lu checks)",
	   seed, CHECK_EVERY, st.checks);
	ok(!st.bad_partial && st.fails_injected > 0,
	   "seed %" PRIu64 ": %lu injected allocation failures: a failed add added exactly the blocks before the one it names",
	   seed, st.fails_injected);
	ok(!st.bad_shape,
	   "seed %" PRIu64 ": the patched tree always has exactly the nodes its keys need, none empty, no shared page",
	   seed);
	ok(!st.bad_private,
	   "seed %" PRIu64 ": each non-root patched node's page_private is its bit or child count",
	   seed);
	ok(!st.bad_grow && st.max_nodes[0] > 1,
	   "seed %" PRIu64 ": the pristine tree never shrinks (upstream never frees a node; %zu nodes at the end)",
	   seed, prev_pristine);
	ok(!st.bad_cache && st.cache_peak > 0,
	   "seed %" PRIu64 ": the node cache holds at most %u pages, all zero with count 0, none in a tree",
	   seed, h7_patched.cache_max);
	ok(!st.bad_live,
	   "seed %" PRIu64 ": every live page is a tree node or cached; none freed with a count; no warning",
	   seed);
	free(ref.slot);
}

/* ---- fixed cases ---- */

static void fixed_cases(void)
{
	struct ktree tr[2];
	struct shape sh, sh2;
	unsigned long allocs, frees, warns;
	const unsigned int path = REF_LEVELS - 1;	/* non-root nodes of a path */
	unsigned int i, n;
	int err;

	h7_mem_init(ARENA_PAGES, ARENA_PHYS);
	tree_init(&tr[0], &h7_pristine);
	tree_init(&tr[1], &h7_patched);

	/* one key, added and deleted twice */
	for (i = 0; i < 2; i++) {
		tr[0].ops->add_page(&tr[0].t, 0x12345, 3);
		tr[1].ops->add_page(&tr[1].t, 0x12345, 3);
		tr[0].ops->del_page(&tr[0].t, 0x12345, 3);
		tr[1].ops->del_page(&tr[1].t, 0x12345, 3);
	}
	read_tree(&tr[1], &sh);
	read_tree(&tr[0], &sh2);
	ok(sh.total == 1 && h7_patched.cache_nr() == path && sh2.total == REF_LEVELS &&
	   sim.allocs == 2 + 2 * path && h7_trace.allocated == 2 * path &&
	   h7_trace.freed == 2 * path && h7_trace.add == 2 && h7_trace.del == 2,
	   "one key added and deleted twice: patched tree back to its root, the second path from the cache (%zu nodes, %u cached, %lu pages allocated), pristine keeps %zu nodes",
	   sh.total, h7_patched.cache_nr(), sim.allocs, sh2.total);

	/*
	 * The cache's bound: 40 keys under one child of the root, in 40
	 * entries of it, need 1 + 40 * (path - 1) nodes below the root;
	 * deleting them all keeps cache_max and frees the rest.
	 */
	allocs = sim.allocs;
	frees = sim.frees;
	n = h7_patched.cache_nr();
	for (i = 0; i < 40; i++)
		tr[1].ops->add_page(&tr[1].t, (uint64_t)(i + 1) << ref_node_shift(REF_LEVELS - 3), 0);
	read_tree(&tr[1], &sh2);
	for (i = 0; i < 40; i++)
		tr[1].ops->del_page(&tr[1].t, (uint64_t)(i + 1) << ref_node_shift(REF_LEVELS - 3), 0);
	read_tree(&tr[1], &sh);
	ok(sh2.total == 2 + 40 * (path - 1) && sh.total == 1 &&
	   h7_patched.cache_nr() == h7_patched.cache_max && h7_patched.cache_max == 64 &&
	   sim.frees - frees == sh2.total - 1 - h7_patched.cache_max &&
	   sim.allocs - allocs == sh2.total - 1 - n,
	   "%zu nodes freed: the cache keeps KHO_RADIX_CACHE_PAGES (%u), the other %lu go back to the allocator",
	   sh2.total - 1, h7_patched.cache_nr(), sim.frees - frees);

	/* deleting a key that is not there: a warning, the tree unchanged */
	tr[1].ops->add_page(&tr[1].t, 0x5000, 0);
	read_tree(&tr[1], &sh);
	warns = sim.warns;
	tr[1].ops->del_page(&tr[1].t, 0x9000000, 0);	/* no path */
	tr[1].ops->del_page(&tr[1].t, 0x5001, 0);	/* path, no bit */
	read_tree(&tr[1], &sh2);
	ok(sim.warns == warns + 1 && sh.hash == sh2.hash,
	   "patched: deleting an absent key warns when its leaf is missing (%lu warning), leaves the tree as it was",
	   sim.warns - warns);
	tr[1].ops->del_page(&tr[1].t, 0x5000, 0);
	sim.warns = 0;

	/* a run across a leaf boundary: counts on both leaves */
	{
		const uint64_t b = 3ULL << REF_LEAF_BITS;
		struct h7_run r = { .pfn = b - 10, .order = 0, .nr = 30 };
		size_t run;
		unsigned long stop;
		const uint64_t *root = (const uint64_t *)tr[1].t.root;

		err = tr[1].ops->add_runs(&tr[1].t, &r, 1, &run, &stop);
		read_tree(&tr[1], &sh);
		ok(!err && sh.nodes[0] == 2 && !sh.bad_private && !sh.empty,
		   "patched: a run of 30 blocks across a leaf boundary sets 10 and 20 bits in two leaves, counted");
		tr[1].ops->del_runs(&tr[1].t, &r, 1);
		read_tree(&tr[1], &sh);
		(void)root;
		ok(sh.total == 1, "patched: deleting the run frees both leaves and their path");
	}

	/* failed adds: byte for byte the tree as it was */
	for (i = 0; i < 2; i++) {
		unsigned int nth, good = 0;

		tr[i].ops->add_page(&tr[i].t, 0x77777, 2);
		for (nth = 1; nth <= path; nth++) {
			void *snap;
			unsigned long failed = sim.failed;

			tr[i].ops->cache_drain();
			snap = sim_snapshot();
			sim_fail_nth(nth);
			err = tr[i].ops->add_page(&tr[i].t, (uint64_t)nth << 46, 0);
			sim_fail_nth(0);
			tr[i].ops->cache_drain();
			if (err == -ENOMEM && sim.failed == failed + 1 && sim_same(snap))
				good++;
			sim_snapshot_free(snap);
		}
		ok(good == path,
		   "%s: an add whose %u new nodes fail at the 1st .. %uth allocation returns -ENOMEM and leaves the simulated memory byte-identical (%u of %u)",
		   tr[i].ops->name, path, path, good, path);
	}

	/* patched, with pages in the cache: the tree as it was, pages cached */
	/*
	 * Two pages in the cache: a key beside 0x77777's (order 2) in
	 * another level-1 table needs that table and a leaf, and gives both
	 * back when deleted.
	 */
	h7_patched.cache_drain();
	tr[1].ops->add_page(&tr[1].t, 0x77777 + (1ULL << (REF_LEAF_BITS + REF_TABLE_BITS + 2)), 2);
	tr[1].ops->del_page(&tr[1].t, 0x77777 + (1ULL << (REF_LEAF_BITS + REF_TABLE_BITS + 2)), 2);
	read_tree(&tr[1], &sh);
	{
		unsigned long live = sim.live;
		unsigned int c0 = h7_patched.cache_nr();

		sim_fail_nth(1);
		/* order 0, alone under its entry of the root */
		err = tr[1].ops->add_page(&tr[1].t, 1ULL << (REF_ORDER0 - 2), 0);
		sim_fail_nth(0);
		read_tree(&tr[1], &sh2);
		ok(err == -ENOMEM && sh.hash == sh2.hash && c0 == 2 &&
		   sim.live - h7_patched.cache_nr() == live - c0 && h7_patched.cache_nr() == c0,
		   "patched: an add that fails at its first allocation after taking %u cached pages gives them back and leaves the tree as it was",
		   c0);
	}
	h7_mem_fini();
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	/* a leaf scan costs PAGE_SIZE: fewer operations at larger pages */
	unsigned long nops = PAGE_SHIFT >= 16 ? 1500 : PAGE_SHIFT >= 14 ? 4000 : 10000;
	int i, nseeds = 4;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
			nseeds = 1;
		} else if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
			nops = strtoul(argv[++i], NULL, 0);
		} else {
			fprintf(stderr, "usage: harness7 [--seed N] [--ops N]\n");
			return 2;
		}
	}
	seen = calloc(ARENA_PAGES, 1);
	if (!seen)
		abort();
	diag("upstream kexec_handover.c radix tree: pristine and patched builds, %lu-byte pages, %d levels",
	     PAGE_SIZE, REF_LEVELS);
	fixed_cases();
	for (i = 0; i < nseeds; i++)
		random_run(seed + (uint64_t)i, nops);
	h7_mem_fini();
	free(seen);
	free(walked);
	printf("1..%d\n", tests_run);
	return tests_failed ? 1 : 0;
}
