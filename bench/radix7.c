// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * radix7 - the 7.x series' radix tree against upstream's, natively: the
 * radix tree section of kexec_handover.c, pristine and with
 * kernel-patch/v7/series applied, compiled unmodified over the shims of
 * kernel-patch/v7/harness (no sanitizers, -O2), timed on the workloads of
 * the lab measurement (tests/kernel/measure7.t, tests/lab7/mod/kho_lab7.c
 * measure mode), each repetition running both builds in turn:
 *
 *  (1) kho_preserve_pages()/kho_unpreserve_pages() of 2^18 - 1 pages from
 *      one page past a 1 GiB boundary, split as the kernel splits a range
 *      (order = min(ctz(pfn), ilog2(pages left)): orders 0..17). Pristine:
 *      one kho_radix_add_page()/del_page() per block, as upstream's
 *      kho_preserve_pages() does; patched: __kho_radix_add_blocks() and
 *      __kho_radix_del_blocks() of one block each, one cursor, one hold
 *      of the lock, as the patched one does;
 *  (2) churn: preserve then unpreserve 1280 keys, key i a block of order
 *      i % 10 at page 1 << order of chunk (i / 10) % 128 of 128 order-10
 *      chunks taken 1 in 5 from 3 GiB of memory; each key its own call;
 *  (3) memfd-like: 262144 order-0 folios (1 GiB: 8 leaves) preserved one
 *      by one, then unpreserved one by one from the highest address down;
 *  (4) vmalloc-like: 16384 order-0 units in 16 physically contiguous runs
 *      of 1024 pages: pristine, kho_radix_add_page() per unit; patched,
 *      __kho_radix_add_blocks() per run under one hold of the lock; the
 *      unpreserve, per unit (__kho_radix_del_blocks() of one, one hold).
 *
 * Printed: the median ns of each step per build and patched/pristine,
 * and how many nodes the patched build releases per repetition, and of
 * those how many come back from the page allocator rather than its cache.
 * phys_to_virt() and virt_to_page() are checked calls into the simulated
 * memory here, so absolute times are pessimistic for both builds alike.
 * Usage: radix7 [--reps-scale N] (repetitions times N, default 1)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "h7.h"
#include "sim_mem.h"

#define ARENA_PHYS	0x40000000ULL
#define ARENA_PAGES	4096

static const struct h7_ops *const ops[2] = { &h7_pristine, &h7_patched };
static struct kho_radix_tree tree[2];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static void die(const char *what)
{
	fprintf(stderr, "radix7: %s\n", what);
	exit(1);
}

static void add_runs(int v, const struct h7_run *r, size_t n)
{
	size_t run;
	unsigned long stop;

	if (ops[v]->add_runs(&tree[v], r, n, &run, &stop))
		die("an add failed (arena too small?)");
}

static void add_pages(int v, const struct h7_run *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ops[v]->add_page(&tree[v], r[i].pfn, r[i].order))
			die("an add failed (arena too small?)");
}

static void del_pages_down(int v, const struct h7_run *r, size_t n)
{
	while (n--)
		ops[v]->del_page(&tree[v], r[n].pfn, r[n].order);
}

/* One timed step: the ns of @fn(v, @r, @n). */
static uint64_t timed(void (*fn)(int, const struct h7_run *, size_t), int v,
		      const struct h7_run *r, size_t n)
{
	uint64_t t0 = now_ns();

	fn(v, r, n);
	return now_ns() - t0;
}

static void report(const char *what, unsigned long reps, uint64_t *t[2])
{
	uint64_t m0 = median(t[0], reps), m1 = median(t[1], reps);

	printf("%-52s %5lu %12" PRIu64 " %12" PRIu64 " %7.3f\n", what, reps, m0, m1,
	       m0 ? (double)m1 / (double)m0 : 0.0);
	fflush(stdout);
}

/*
 * Run @reps times, both builds in turn: add with @add, delete with @del,
 * each timed. The pristine build's first add allocates; later ones reuse
 * its nodes: the median is the steady state, as in the lab.
 */
static void workload(const char *name_add, const char *name_del, unsigned long reps,
		     void (*add)(int, const struct h7_run *, size_t),
		     const struct h7_run *ra, size_t na,
		     void (*del)(int, const struct h7_run *, size_t),
		     const struct h7_run *rd, size_t nd)
{
	uint64_t *ta[2], *td[2];
	unsigned long r, allocs = 0, nodes = 0, a0, f0;
	int v;

	for (v = 0; v < 2; v++) {
		ta[v] = calloc(reps, sizeof(uint64_t));
		td[v] = calloc(reps, sizeof(uint64_t));
		if (!ta[v] || !td[v])
			die("out of memory");
	}
	for (r = 0; r < reps; r++)
		for (v = 0; v < 2; v++) {
			a0 = sim.allocs;
			f0 = h7_trace.freed;
			ta[v][r] = timed(add, v, ra, na);
			td[v][r] = timed(del, v, rd, nd);
			if (v && r) {	/* the patched build's steady state */
				allocs += sim.allocs - a0;
				nodes += h7_trace.freed - f0;
			}
		}
	report(name_add, reps, ta);
	report(name_del, reps, td);
	if (reps > 1)
		printf("    patched, per repetition: %lu nodes released, %lu pages allocated past the %u-page cache\n",
		       nodes / (reps - 1), allocs / (reps - 1), h7_patched.cache_max);
	for (v = 0; v < 2; v++) {
		free(ta[v]);
		free(td[v]);
	}
}

static void del_runs(int v, const struct h7_run *r, size_t n)
{
	ops[v]->del_runs(&tree[v], r, n);
}

/* Every block of @r as its own call: pristine and patched alike. */
static void add_each(int v, const struct h7_run *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		add_runs(v, &r[i], 1);
}

static void del_each(int v, const struct h7_run *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ops[v]->del_runs(&tree[v], &r[i], 1);
}

int main(int argc, char **argv)
{
	static struct h7_run blocks[1 << 18];
	unsigned long scale = 1, pfn, end, i;
	size_t n;
	int v;

	if (argc == 3 && !strcmp(argv[1], "--reps-scale"))
		scale = strtoul(argv[2], NULL, 0);
	else if (argc != 1)
		die("usage: radix7 [--reps-scale N]");
	if (!scale || scale > 100)
		die("--reps-scale: 1 to 100");

	h7_mem_init(ARENA_PAGES, ARENA_PHYS);
	for (v = 0; v < 2; v++) {
		tree[v].root = (struct kho_radix_node *)get_zeroed_page(GFP_KERNEL);
		if (!tree[v].root)
			die("no root");
		mutex_init(&tree[v].lock);
	}
	printf("radix7: kexec_handover.c radix tree, upstream (pristine) and with kernel-patch/v7/series (patched), native\n");
	printf("%-52s %5s %12s %12s %7s\n", "median ns per step", "reps", "pristine",
	       "patched", "ratio");

	/* (1) the unaligned range, split as kho_preserve_pages() splits it */
	pfn = (1UL << 30 >> PAGE_SHIFT) + 1;
	end = (1UL << 30 >> PAGE_SHIFT) + (1UL << 18);
	for (n = 0; pfn < end; n++) {
		unsigned int o = (unsigned int)__builtin_ctzl(pfn);
		unsigned int l = (unsigned int)(63 - __builtin_clzl(end - pfn));

		blocks[n].order = o < l ? o : l;
		blocks[n].pfn = pfn;
		blocks[n].nr = 1;
		pfn += 1UL << blocks[n].order;
	}
	workload("(1) range 2^18-1 pages, 18 blocks: preserve",
		 "(1) range: unpreserve", 401 * scale, add_runs, blocks, n,
		 del_runs, blocks, n);

	/* (2) the churn of 1280 keys over 128 chunks spread over 3 GiB */
	for (i = 0; i < 1280; i++) {
		unsigned long chunk = (1UL << 30 >> PAGE_SHIFT) + (i / 10 % 128) * 5 * 1024;

		blocks[i].order = (unsigned int)(i % 10);
		blocks[i].pfn = chunk + (1UL << blocks[i].order);
		blocks[i].nr = 1;
	}
	workload("(2) churn of 1280 keys: preserve", "(2) churn: unpreserve",
		 41 * scale, add_each, blocks, 1280, del_each, blocks, 1280);

	/* (3) 1 GiB of order-0 folios: preserved, then closed from the top */
	for (i = 0; i < (1UL << 18); i++) {
		blocks[i].pfn = (2UL << 30 >> PAGE_SHIFT) + i;
		blocks[i].order = 0;
		blocks[i].nr = 1;
	}
	workload("(3) memfd-like, 262144 folios: preserve",
		 "(3) memfd-like: close (descending)", 11 * scale, add_pages,
		 blocks, 1UL << 18, del_pages_down, blocks, 1UL << 18);

	/* (4) 16 runs of 1024 pages, 1024 pages apart */
	{
		static struct h7_run runs[16];

		for (i = 0; i < 16; i++) {
			runs[i].pfn = (3UL << 30 >> PAGE_SHIFT) + i * 2048;
			runs[i].order = 0;
			runs[i].nr = 1024;
		}
		for (i = 0; i < 16384; i++) {
			blocks[i].pfn = runs[i / 1024].pfn + i % 1024;
			blocks[i].order = 0;
			blocks[i].nr = 1;
		}
		workload("(4) vmalloc-like, 16384 units in 16 runs: preserve",
			 "(4) vmalloc-like: unpreserve", 101 * scale, add_runs, runs, 16,
			 del_runs, blocks, 16384);
	}
	h7_mem_fini();
	return 0;
}
