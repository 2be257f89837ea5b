/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated physical memory and a kho-v2 radix tree builder for the unit
 * tests. The builder is the generators' encoder (tests/gen/khoimg.h, 4 KiB
 * pages) over this memory; the library's codec is not used, so a shared
 * mistake cannot hide. A test defines SIM_NPAGES and SIM_ARENA before including it, and
 * SIM_OWN_READ if it brings its own memory source around sim_read().
 */
#ifndef KHOTOOLS_SIM_TREE_H
#define KHOTOOLS_SIM_TREE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix_reader.h"
#include "../gen/khoimg.h"

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

/* The encoder's view of the simulated memory. */
static inline uint8_t *sim_tree_page(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (uint8_t *)page_at(phys);
}

static inline uint64_t sim_tree_alloc(void *ctx, unsigned int level)
{
	(void)ctx;
	(void)level;
	return alloc_page();
}

static const struct kig_tree_ops sim_tree_ops = { sim_tree_page, sim_tree_alloc };
static const struct kig_geom sim_geom = KIG_GEOM_4K;

/* key = 1 << (52 - order) | pa >> (12 + order) */
static inline uint64_t key_of(uint64_t pa, unsigned int order)
{
	return kig_key(&sim_geom, pa, order);
}

static inline unsigned int idx_of(uint64_t key, unsigned int level)
{
	return (unsigned int)kig_index(&sim_geom, key, level);
}

static inline uint64_t new_tree(void)
{
	return alloc_page();
}

/* The node at @level on the path of @key, created on the way. */
static inline uint64_t node_on_path(uint64_t root, uint64_t key,
				    unsigned int level)
{
	uint8_t *n = kig_tree_node(&sim_geom, &sim_tree_ops, NULL, root, key,
				   level, true);

	return ARENA + (uint64_t)(n - &mem[0][0]);
}

static inline uint64_t leaf_of(uint64_t root, uint64_t pa, unsigned int order)
{
	return node_on_path(root, key_of(pa, order), 0);
}

static inline void add(uint64_t root, uint64_t pa, unsigned int order)
{
	kig_tree_set(&sim_geom, &sim_tree_ops, NULL, root, pa, order, true);
}

#endif /* KHOTOOLS_SIM_TREE_H */
