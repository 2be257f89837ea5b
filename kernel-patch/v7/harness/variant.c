// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One build of the radix tree section of upstream's kexec_handover.c
 * (radix.c, written by extract.sh: pristine, or with kernel-patch/v7/series
 * applied), compiled unmodified and included whole, so that its static
 * functions are reachable here, and exposed as a struct h7_ops. Built
 * twice: -DH7_PATCHED=0 with -I for the pristine extract, -DH7_PATCHED=1
 * for the patched one; the section's three exported functions are renamed
 * per build so that both link into one program.
 */
#if H7_PATCHED
#define kho_radix_add_page h7_patched_kho_radix_add_page
#define kho_radix_del_page h7_patched_kho_radix_del_page
#define kho_radix_walk_tree h7_patched_kho_radix_walk_tree
#define H7_OPS h7_patched
#else
#define kho_radix_add_page h7_pristine_kho_radix_add_page
#define kho_radix_del_page h7_pristine_kho_radix_del_page
#define kho_radix_walk_tree h7_pristine_kho_radix_walk_tree
#define H7_OPS h7_pristine
#endif

/* The declarations (h7.h includes the extract's header), renamed. */
#include "h7.h"
#include <linux/kho/abi/kexec_handover.h>

#include "radix.c"

#if H7_PATCHED

static int h7_add_runs(struct kho_radix_tree *tree, const struct h7_run *runs,
		       size_t n, size_t *run, unsigned long *pfn)
{
	struct kho_radix_cursor cur = { 0 };
	unsigned long p;
	size_t i;
	int err;

	guard(mutex)(&tree->lock);
	for (i = 0; i < n; i++) {
		p = runs[i].pfn;
		err = __kho_radix_add_blocks(tree, &cur, &p, runs[i].order,
					     runs[i].nr);
		if (err) {
			*run = i;
			*pfn = p;
			return err;
		}
	}
	return 0;
}

static void h7_del_runs(struct kho_radix_tree *tree, const struct h7_run *runs,
			size_t n)
{
	struct kho_radix_cursor cur = { 0 };
	size_t i;

	guard(mutex)(&tree->lock);
	for (i = 0; i < n; i++)
		__kho_radix_del_blocks(tree, &cur, runs[i].pfn, runs[i].order,
				       runs[i].nr);
}

static unsigned int h7_cache_nr(void)
{
	return kho_radix_cache.nr;
}

static void *h7_cache_page(unsigned int i)
{
	return i < kho_radix_cache.nr ? kho_radix_cache.pages[i] : NULL;
}

static void h7_cache_drain(void)
{
	while (kho_radix_cache.nr)
		free_page((unsigned long)kho_radix_cache.pages[--kho_radix_cache.nr]);
}

const struct h7_ops H7_OPS = {
	.name = "patched",
	.patched = 1,
	.add_page = kho_radix_add_page,
	.del_page = kho_radix_del_page,
	.walk = kho_radix_walk_tree,
	.add_runs = h7_add_runs,
	.del_runs = h7_del_runs,
	.cache_max = KHO_RADIX_CACHE_PAGES,
	.cache_nr = h7_cache_nr,
	.cache_page = h7_cache_page,
	.cache_drain = h7_cache_drain,
};

#else

static int h7_add_runs(struct kho_radix_tree *tree, const struct h7_run *runs,
		       size_t n, size_t *run, unsigned long *pfn)
{
	unsigned long p, k;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		p = runs[i].pfn;
		for (k = 0; k < runs[i].nr; k++, p += 1UL << runs[i].order) {
			err = kho_radix_add_page(tree, p, runs[i].order);
			if (err) {
				*run = i;
				*pfn = p;
				return err;
			}
		}
	}
	return 0;
}

static void h7_del_runs(struct kho_radix_tree *tree, const struct h7_run *runs,
			size_t n)
{
	unsigned long p, k;
	size_t i;

	for (i = 0; i < n; i++)
		for (k = 0, p = runs[i].pfn; k < runs[i].nr;
		     k++, p += 1UL << runs[i].order)
			kho_radix_del_page(tree, p, runs[i].order);
}

static unsigned int h7_cache_nr(void)
{
	return 0;
}

static void *h7_cache_page(unsigned int i)
{
	(void)i;
	return NULL;
}

static void h7_cache_drain(void)
{
}

const struct h7_ops H7_OPS = {
	.name = "pristine",
	.patched = 0,
	.add_page = kho_radix_add_page,
	.del_page = kho_radix_del_page,
	.walk = kho_radix_walk_tree,
	.add_runs = h7_add_runs,
	.del_runs = h7_del_runs,
	.cache_max = 0,
	.cache_nr = h7_cache_nr,
	.cache_page = h7_cache_page,
	.cache_drain = h7_cache_drain,
};

#endif
