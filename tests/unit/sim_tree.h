/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated physical memory and a kho-v2 radix tree builder for the unit
 * tests. The builder has its own key arithmetic (DESIGN.md §3, 4 KiB
 * pages; the library's codec is not used), so a shared mistake cannot
 * hide. A test defines SIM_NPAGES and SIM_ARENA before including it, and
 * SIM_OWN_READ if it brings its own memory source around sim_read().
 */
#ifndef KHOTOOLS_SIM_TREE_H
#define KHOTOOLS_SIM_TREE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix_reader.h"

#define PAGE 4096
#define NPAGES SIM_NPAGES
#define ARENA SIM_ARENA

static uint8_t mem[NPAGES][PAGE];
static int present[NPAGES];
static unsigned int next_page;
static uint64_t reads;

static inline int sim_read(struct khor_mem *m, void *priv, uint64_t phys,
			   void *buf, size_t len)
{
	(void)priv;
	reads++;
	while (len) {
		uint64_t off = phys - ARENA, idx = off / PAGE;
		size_t chunk = PAGE - off % PAGE;

		if (phys < ARENA || idx >= NPAGES || !present[idx]) {
			khor_mem_set_errmsg(m, "page 0x%llx missing",
					    (unsigned long long)(phys & ~0xfffULL));
			return -KHOR_ENODATA;
		}
		if (chunk > len)
			chunk = len;
		memcpy(buf, &mem[idx][off % PAGE], chunk);
		buf = (uint8_t *)buf + chunk;
		phys += chunk;
		len -= chunk;
	}
	return 0;
}

#ifndef SIM_OWN_READ
static const struct khor_mem_ops sim_ops = { .read = sim_read };
#endif

static inline uint64_t alloc_page(void)
{
	unsigned int i = next_page++;

	if (i >= NPAGES)
		abort();
	memset(mem[i], 0, PAGE);
	present[i] = 1;
	return ARENA + (uint64_t)i * PAGE;
}

static inline uint64_t *page_at(uint64_t phys)
{
	return (uint64_t *)mem[(phys - ARENA) / PAGE];
}

static inline void reset(void)
{
	memset(present, 0, sizeof(present));
	next_page = 0;
}

/* key = 1 << (52 - order) | pa >> (12 + order) */
static inline uint64_t key_of(uint64_t pa, unsigned int order)
{
	return (1ULL << (52 - order)) | pa >> (12 + order);
}

static inline unsigned int idx_of(uint64_t key, unsigned int level)
{
	return level ? (key >> (15 + 9 * (level - 1))) & 511 : key & 0x7fff;
}

static inline uint64_t new_tree(void)
{
	return alloc_page();
}

/* The node at @level on the path of @key, created on the way. */
static inline uint64_t node_on_path(uint64_t root, uint64_t key,
				    unsigned int level)
{
	uint64_t node = root;

	for (unsigned int l = 5; l > level; l--) {
		uint64_t *t = page_at(node);
		unsigned int i = idx_of(key, l);

		if (!t[i])
			t[i] = alloc_page();
		node = t[i];
	}
	return node;
}

static inline uint64_t leaf_of(uint64_t root, uint64_t pa, unsigned int order)
{
	return node_on_path(root, key_of(pa, order), 0);
}

static inline void add(uint64_t root, uint64_t pa, unsigned int order)
{
	uint64_t key = key_of(pa, order);
	uint64_t *leaf = page_at(leaf_of(root, pa, order));
	unsigned int bit = idx_of(key, 0);

	leaf[bit / 64] |= 1ULL << (bit % 64);
}

#endif /* KHOTOOLS_SIM_TREE_H */
