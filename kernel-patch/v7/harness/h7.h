/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 7.x harness's two builds of kexec_handover.c's radix tree section,
 * as the test (harness7.c) and the benchmark (bench/radix7.c) see them:
 * one table of operations per build (variant.c), over one simulated
 * memory (page7.c and kernel-patch/harness/sim_mem.c).
 */
#ifndef KHO_HARNESS7_H
#define KHO_HARNESS7_H

#include <stddef.h>
#include <stdint.h>

#include "kernel7_shim.h"
#include <linux/kho_radix_tree.h>

/* @nr blocks of @order, each 1 << @order pages after the previous. */
struct h7_run {
	unsigned long pfn;
	unsigned int order;
	unsigned long nr;
};

struct h7_ops {
	const char *name;	/* "pristine" or "patched" */
	int patched;
	int (*add_page)(struct kho_radix_tree *tree, unsigned long pfn,
			unsigned int order);
	void (*del_page)(struct kho_radix_tree *tree, unsigned long pfn,
			 unsigned int order);
	int (*walk)(struct kho_radix_tree *tree,
		    kho_radix_tree_walk_callback_t cb);
	/*
	 * @n runs, as the patched kernel's kho_preserve_pages() and vmalloc
	 * preservation add them: one hold of the tree lock, one cursor,
	 * __kho_radix_add_blocks() per run. Pristine: kho_radix_add_page()
	 * per block, as upstream's do. On failure, *@run is the failing
	 * run's index and *@pfn its first block not added.
	 */
	int (*add_runs)(struct kho_radix_tree *tree, const struct h7_run *runs,
			size_t n, size_t *run, unsigned long *pfn);
	/* Likewise __kho_radix_del_blocks(), or kho_radix_del_page(). */
	void (*del_runs)(struct kho_radix_tree *tree, const struct h7_run *runs,
			 size_t n);
	/* The patched node cache; 0 and NULL in the pristine build. */
	unsigned int cache_max;
	unsigned int (*cache_nr)(void);
	void *(*cache_page)(unsigned int i);
	/* Give every cached page back to the simulated memory. */
	void (*cache_drain)(void);
};

extern const struct h7_ops h7_pristine, h7_patched;

struct h7_mem {
	unsigned long freed_with_private;	/* pages freed with private != 0 */
	int warn_line;				/* of the last WARN that fired */
};
extern struct h7_mem h7_mem;

/* The simulated memory (sim_init()) and a struct page per page of it. */
void h7_mem_init(size_t npages, uint64_t phys);
void h7_mem_fini(void);
unsigned long h7_page_private(const void *addr);

#endif
