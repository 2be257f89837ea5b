/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unit tests' simulated memory and independent radix-tree builder
 * (tests/unit/sim_tree.h) for the robustness tests, which bring their own
 * memory source. Pages are allocated in order from ARENA; tests place
 * nodes where they want them with sim_skip().
 */
#ifndef KHOTOOLS_ROBUST_SIM_H
#define KHOTOOLS_ROBUST_SIM_H

#include <stdio.h>

#define SIM_NPAGES 512
#define SIM_ARENA 0x40000000ULL
#define SIM_OWN_READ
#include "../unit/sim_tree.h"

#define END (ARENA + NPAGES * PAGE)

/* Leave @n pages unused, to place the next node where a test wants it. */
static inline void sim_skip(unsigned int n)
{
	next_page += n;
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
