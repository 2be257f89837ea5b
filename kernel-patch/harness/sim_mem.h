/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated physical memory for the harness: an arena of pages at a chosen
 * physical address, a page allocator with failure injection, and counters.
 */
#ifndef KHO_HARNESS_SIM_MEM_H
#define KHO_HARNESS_SIM_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sim_stats {
	unsigned long allocs;	/* get_zeroed_page() successes */
	unsigned long frees;
	unsigned long failed;	/* injected failures */
	unsigned long visits;	/* phys_to_virt() calls: nodes visited */
	unsigned long live;	/* pages in use */
	unsigned long warns;	/* WARN_ON_ONCE() that fired */
};

extern struct sim_stats sim;

/* Set up @npages pages at physical address @phys; frees an earlier arena. */
void sim_init(size_t npages, uint64_t phys);
void sim_fini(void);
/* Make the @n-th allocation from now fail (1 = the next one); 0 = none. */
void sim_fail_nth(unsigned long n);
/* Fail each allocation with probability 1 / @one_in (0 = never). */
void sim_fail_random(unsigned long one_in, uint64_t *rng);
int sim_page_live(uint64_t phys);
uint64_t sim_phys(void);
size_t sim_npages(void);
const void *sim_base(void);
/* Snapshot of the live pages and their contents; compare with sim_same(). */
void *sim_snapshot(void);
int sim_same(const void *snap);
void sim_snapshot_free(void *snap);
/* Write the arena up to its last live page to @f; returns bytes or -1. */
long sim_write_image(FILE *f);

uint64_t rng_next(uint64_t *s);

#endif
