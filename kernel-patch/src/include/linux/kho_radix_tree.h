/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Radix tree that tracks the memory preserved by Kexec HandOver (KHO).
 * The layout of the tree is ABI; see <linux/kho/abi/radix_tree.h>.
 */
#ifndef _LINUX_KHO_RADIX_TREE_H
#define _LINUX_KHO_RADIX_TREE_H

#include <linux/kho/abi/radix_tree.h>
#include <linux/mutex.h>
#include <linux/types.h>

/**
 * struct kho_radix_tree - a tree of preserved blocks
 * @root: root table, level KHO_TREE_MAX_DEPTH - 1; its physical address is
 *	what the next kernel receives
 * @lock: serialises every change and walk of the tables below @root
 *
 * The owner allocates @root (one zeroed page) and initialises @lock, or
 * calls kho_radix_init_tree().
 */
struct kho_radix_tree {
	struct kho_radix_node *root;
	struct mutex lock;	/* serialises changes and walks */
};

typedef int (*kho_radix_tree_walk_callback_t)(phys_addr_t phys,
					      unsigned int order);

int kho_radix_init_tree(struct kho_radix_tree *tree);
void kho_radix_destroy_tree(struct kho_radix_tree *tree);
int kho_radix_add_page(struct kho_radix_tree *tree, unsigned long pfn,
		       unsigned int order);
void kho_radix_del_page(struct kho_radix_tree *tree, unsigned long pfn,
			unsigned int order);
int kho_radix_walk_tree(struct kho_radix_tree *tree,
			kho_radix_tree_walk_callback_t cb);
/* kho-series: begin range */
int kho_radix_add_range(struct kho_radix_tree *tree, unsigned long pfn,
			unsigned long nr_pages);
void kho_radix_del_range(struct kho_radix_tree *tree, unsigned long pfn,
			 unsigned long nr_pages);
/* kho-series: end */
/* kho-series: begin trim */
unsigned long kho_radix_trim(struct kho_radix_tree *tree);
/* kho-series: end */

#endif /* _LINUX_KHO_RADIX_TREE_H */
