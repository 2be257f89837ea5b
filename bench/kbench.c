// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kbench - cost per operation of the kernel radix tree
 * (kernel-patch/src/lib/kho_radix_tree.c, compiled unmodified over the
 * harness's shim headers and simulated memory, without sanitizers).
 *
 * Workloads: sequential order-0 pages, random order-0 pages over 4 TiB,
 * random blocks of orders 0-10; for each, add every block, walk the tree,
 * delete every block (in random order). Then the range API against one
 * kho_radix_add_page() per block of the same split. Reported: ns per
 * operation (best of 3; the simulated phys_to_virt() is a checked call, so
 * absolute numbers are pessimistic) and node visits (phys_to_virt calls)
 * per operation, which do not depend on the machine.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kho_radix_tree.h>

#include "sim_mem.h"

#define ARENA_PHYS	0x40000000ULL
#define ARENA_PAGES	(1u << 17)	/* 512 MiB of tree pages */
#define REPS		3

struct blk {
	uint64_t pfn;
	unsigned int order;
};

static uint64_t rng;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *msg)
{
	fprintf(stderr, "kbench: %s\n", msg);
	exit(1);
}

/* Tracepoints are off, as in a kernel nobody traces: a static-key nop. */
void harness_trace(const char *event, unsigned long pfn, unsigned int order,
		   u64 key, unsigned int level)
{
	(void)event, (void)pfn, (void)order, (void)key, (void)level;
}

int harness_warn(int cond, const char *file, int line)
{
	(void)file;
	(void)line;
	if (cond)
		sim.warns++;
	return cond;
}

static unsigned long walked;

static int count_cb(phys_addr_t phys, unsigned int order)
{
	(void)phys;
	(void)order;
	walked++;
	return 0;
}

static void shuffle(struct blk *b, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_next(&rng) % i;
		struct blk t = b[i - 1];

		b[i - 1] = b[j];
		b[j] = t;
	}
}

/* Distinct blocks, no overlap: a bitmap of 1 MiB-aligned slots per order. */
static size_t make_blocks(const char *kind, struct blk *b, size_t n)
{
	if (!strcmp(kind, "sequential")) {
		for (size_t i = 0; i < n; i++)
			b[i] = (struct blk){ 0x100000 + i, 0 };
		return n;
	}
	if (!strcmp(kind, "random")) {
		/* Order-0 pages over 2^30 pages (4 TiB): each page's slot once. */
		uint64_t span = 1ull << 30, step = span / n;

		for (size_t i = 0; i < n; i++)
			b[i] = (struct blk){ 0x100000 + i * step + rng_next(&rng) % step, 0 };
		shuffle(b, n);
		return n;
	}
	/* mixed: orders 0-10 at random aligned places, one per 2^10-page slot */
	for (size_t i = 0; i < n; i++) {
		unsigned int o = (unsigned int)(rng_next(&rng) % 11);
		uint64_t slot = (uint64_t)i << 10;

		b[i] = (struct blk){ 0x100000 + slot + ((rng_next(&rng) % (1u << 10)) & ~((1ull << o) - 1)), o };
	}
	shuffle(b, n);
	return n;
}

static void workload(const char *kind, size_t n)
{
	struct blk *b = malloc(n * sizeof(*b));
	double t_add = 1e9, t_walk = 1e9, t_del = 1e9;
	unsigned long v_add = 0, v_walk = 0, v_del = 0, nodes = 0;

	if (!b)
		die("out of memory");
	make_blocks(kind, b, n);
	for (int r = 0; r < REPS; r++) {
		struct kho_radix_tree tree;
		unsigned long v;
		double t;

		sim_init(ARENA_PAGES, ARENA_PHYS);
		if (kho_radix_init_tree(&tree))
			die("no root");
		v = sim.visits;
		t = now();
		for (size_t i = 0; i < n; i++)
			if (kho_radix_add_page(&tree, b[i].pfn, b[i].order))
				die("add failed (arena too small?)");
		t = now() - t;
		t_add = t < t_add ? t : t_add;
		v_add = sim.visits - v;
		nodes = sim.live;

		walked = 0;
		v = sim.visits;
		t = now();
		kho_radix_walk_tree(&tree, count_cb);
		t = now() - t;
		t_walk = t < t_walk ? t : t_walk;
		v_walk = sim.visits - v;
		if (walked != n)
			die("walk lost blocks");

		shuffle(b, n);
		v = sim.visits;
		t = now();
		for (size_t i = 0; i < n; i++)
			kho_radix_del_page(&tree, b[i].pfn, b[i].order);
		t = now() - t;
		t_del = t < t_del ? t : t_del;
		v_del = sim.visits - v;
		if (sim.warns)
			die("the tree warned");
		kho_radix_destroy_tree(&tree);
	}
	printf("| %s | %zu | %lu | %.1f | %.2f | %.1f | %.3f | %.1f | %.2f |\n", kind, n, nodes,
	       t_add * 1e9 / (double)n, (double)v_add / (double)n,
	       t_walk * 1e9 / (double)n, (double)v_walk / (double)n,
	       t_del * 1e9 / (double)n, (double)v_del / (double)n);
	free(b);
}

/* KHO's split: order = min(ctz(pfn), ilog2(end - pfn)), in address order. */
static size_t split(uint64_t pfn, uint64_t n, struct blk *out)
{
	uint64_t end = pfn + n;
	size_t k = 0;

	while (pfn < end) {
		unsigned int o = 63 - (unsigned int)__builtin_clzll(end - pfn);

		if (pfn && (unsigned int)__builtin_ctzll(pfn) < o)
			o = (unsigned int)__builtin_ctzll(pfn);
		out[k++] = (struct blk){ pfn, o };
		pfn += 1ull << o;
	}
	return k;
}

static void ranges(size_t nranges, unsigned int max_bits)
{
	struct blk *blks = malloc(sizeof(*blks) * 128);
	uint64_t (*rg)[2] = malloc(nranges * sizeof(*rg));
	double t_range = 1e9, t_pages = 1e9, t_drange = 1e9, t_dpages = 1e9;
	unsigned long v_range = 0, v_pages = 0, v_drange = 0, v_dpages = 0;
	size_t nblocks = 0;

	if (!blks || !rg)
		die("out of memory");
	for (size_t i = 0; i < nranges; i++) {
		rg[i][0] = (rng_next(&rng) & 0xffffffffull) + 0x100000;
		rg[i][1] = 1 + rng_next(&rng) % (1ull << (1 + rng_next(&rng) % max_bits));
		nblocks += split(rg[i][0], rg[i][1], blks);
	}
	for (int r = 0; r < REPS; r++) {
		struct kho_radix_tree a;
		unsigned long v;
		double t;

		/* Range API: add all, delete all. */
		sim_init(ARENA_PAGES, ARENA_PHYS);
		kho_radix_init_tree(&a);
		v = sim.visits;
		t = now();
		for (size_t i = 0; i < nranges; i++)
			if (kho_radix_add_range(&a, rg[i][0], rg[i][1]))
				die("add_range failed");
		t = now() - t;
		t_range = t < t_range ? t : t_range;
		v_range = sim.visits - v;
		v = sim.visits;
		t = now();
		for (size_t i = 0; i < nranges; i++)
			kho_radix_del_range(&a, rg[i][0], rg[i][1]);
		t = now() - t;
		t_drange = t < t_drange ? t : t_drange;
		v_drange = sim.visits - v;
		kho_radix_destroy_tree(&a);

		/* The same blocks, one descent each. */
		sim_init(ARENA_PAGES, ARENA_PHYS);
		kho_radix_init_tree(&a);
		v = sim.visits;
		t = now();
		for (size_t i = 0; i < nranges; i++) {
			size_t k = split(rg[i][0], rg[i][1], blks);

			for (size_t j = 0; j < k; j++)
				if (kho_radix_add_page(&a, blks[j].pfn, blks[j].order))
					die("add_page failed");
		}
		t = now() - t;
		t_pages = t < t_pages ? t : t_pages;
		v_pages = sim.visits - v;
		v = sim.visits;
		t = now();
		for (size_t i = 0; i < nranges; i++) {
			size_t k = split(rg[i][0], rg[i][1], blks);

			for (size_t j = 0; j < k; j++)
				kho_radix_del_page(&a, blks[j].pfn, blks[j].order);
		}
		t = now() - t;
		t_dpages = t < t_dpages ? t : t_dpages;
		v_dpages = sim.visits - v;
		kho_radix_destroy_tree(&a);
	}
	printf("| add, ranges of 1..2^%u pages | %zu | %.2f | %.0f | %.1f | %.0f | %.1f | %.2fx |\n",
	       max_bits, nranges, (double)nblocks / (double)nranges,
	       t_pages * 1e9 / (double)nranges, (double)v_pages / (double)nranges,
	       t_range * 1e9 / (double)nranges, (double)v_range / (double)nranges,
	       t_pages / t_range);
	printf("| delete, ranges of 1..2^%u pages | %zu | %.2f | %.0f | %.1f | %.0f | %.1f | %.2fx |\n",
	       max_bits, nranges, (double)nblocks / (double)nranges,
	       t_dpages * 1e9 / (double)nranges, (double)v_dpages / (double)nranges,
	       t_drange * 1e9 / (double)nranges, (double)v_drange / (double)nranges,
	       t_dpages / t_drange);
	free(blks);
	free(rg);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 && !strcmp(argv[1], "--quick") ? 1u << 16 : 1u << 20;

	rng = 42;
	printf("## Kernel radix tree (kernel-patch/src/lib/kho_radix_tree.c in the userspace harness, no sanitizers)\n\n");
	printf("Per operation, best of %d; 'visits' = phys_to_virt() calls (node loads), machine-independent.\n\n", REPS);
	printf("| workload | blocks | tree pages | add ns | add visits | walk ns/block | walk visits/block | delete ns | delete visits |\n");
	printf("|---|---|---|---|---|---|---|---|---|\n");
	workload("sequential", n);
	workload("random", n);
	workload("mixed", n);
	printf("\nRange API vs one descent per block (same split, same tree):\n\n");
	printf("| operation | ranges | blocks/range | per-block ns/range | per-block visits/range | range API ns/range | range API visits/range | speedup |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	/* Each range has blocks of up to 23 orders, each usually in a leaf of its own. */
	ranges(n / 256, 10);
	ranges(n / 256, 22);
	sim_fini();
	return 0;
}
