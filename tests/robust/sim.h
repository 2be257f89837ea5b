/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated physical memory and an independent radix-tree builder for the
 * robustness tests (the pattern of tests/unit/test_walk.c): its own key
 * arithmetic from DESIGN.md §3, so a shared mistake with the library
 * cannot hide. Pages are allocated in order from ARENA; tests place nodes
 * where they want them with sim_skip().
 */
#ifndef KHOTOOLS_ROBUST_SIM_H
#define KHOTOOLS_ROBUST_SIM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radix_reader.h"

#define PAGE 4096
#define NPAGES 512
#define ARENA 0x40000000ULL
#define END (ARENA + NPAGES * PAGE)

static uint8_t mem[NPAGES][PAGE];
static int present[NPAGES];
static unsigned int next_page;

static inline uint64_t alloc_page(void)
{
	unsigned int i = next_page++;

	if (i >= NPAGES)
		abort();
	memset(mem[i], 0, PAGE);
	present[i] = 1;
	return ARENA + (uint64_t)i * PAGE;
}

static inline void sim_skip(unsigned int n)
{
	next_page += n;
}

static inline uint64_t *page_at(uint64_t phys)
{
	return (uint64_t *)mem[(phys - ARENA) / PAGE];
}

static inline void sim_reset(void)
{
	memset(present, 0, sizeof(present));
	next_page = 0;
}

static inline uint64_t key_of(uint64_t pa, unsigned int order)
{
	return (1ULL << (52 - order)) | pa >> (12 + order);
}

static inline unsigned int idx_of(uint64_t key, unsigned int level)
{
	return level ? (key >> (15 + 9 * (level - 1))) & 511 : key & 0x7fff;
}

/* The node at @level on the path of @key, created if missing. */
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

static inline void sim_add(uint64_t root, uint64_t pa, unsigned int order)
{
	uint64_t key = key_of(pa, order);
	uint64_t *leaf = page_at(node_on_path(root, key, 0));
	unsigned int bit = idx_of(key, 0);

	leaf[bit / 64] |= 1ULL << (bit % 64);
}

/* Collected walk output: "0x<phys> <order>\n" per block. */
struct collect {
	char text[1 << 14];
	size_t len;
};

static inline int collect_run(void *arg, const struct khor_run *run)
{
	struct collect *c = arg;

	for (uint64_t i = 0; i < run->count && c->len < sizeof(c->text) - 64; i++)
		c->len += (size_t)snprintf(c->text + c->len,
					   sizeof(c->text) - c->len, "0x%llx %u\n",
					   (unsigned long long)(run->phys +
						i * ((uint64_t)PAGE << run->order)),
					   run->order);
	return 0;
}

#endif /* KHOTOOLS_ROBUST_SIM_H */
