// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The run-time side of shim/kernel7_shim.h: struct pages for the
 * simulated memory of kernel-patch/harness/sim_mem.c, node allocation
 * through it, and the checked locks. Single-threaded: a lock is a flag,
 * and taking a held one, or sleeping under a spinlock, aborts the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel7_shim.h"
#include "sim_mem.h"
#include "h7.h"

#undef get_zeroed_page
#undef free_page

struct h7_trace h7_trace;
struct h7_mem h7_mem;

static struct page *pages;
static size_t npages;
/* For the unchecked conversions of the benchmark's build (H7_UNCHECKED). */
struct page *h7_pages;
char *h7_arena;
phys_addr_t h7_arena_phys;
static int spins_held;

static void die(const char *what, const void *p)
{
	fprintf(stderr, "harness7: %s %p\n", what, p);
	abort();
}

/*
 * The patched build's node cache is a static of its own that outlives an
 * arena: its pages go back before the arena does.
 */
void h7_mem_init(size_t n, uint64_t phys)
{
	if (sim_base())
		h7_patched.cache_drain();
	sim_init(n, phys);
	free(pages);
	pages = calloc(n, sizeof(*pages));
	if (!pages)
		die("out of memory for struct pages:", NULL);
	npages = n;
	h7_pages = pages;
	h7_arena = (char *)sim_base();
	h7_arena_phys = sim_phys();
	spins_held = 0;
	memset(&h7_mem, 0, sizeof(h7_mem));
	memset(&h7_trace, 0, sizeof(h7_trace));
}

void h7_mem_fini(void)
{
	if (sim_base())
		h7_patched.cache_drain();
	sim_fini();
	free(pages);
	pages = NULL;
	h7_pages = NULL;
	h7_arena = NULL;
	npages = 0;
}

/* The arena page of @addr, which must be a live page's start. */
static size_t page_index(const void *addr)
{
	const char *p = addr, *base = sim_base();

	if (!base || p < base || p >= base + npages * PAGE_SIZE ||
	    (size_t)(p - base) % PAGE_SIZE)
		die("virt_to_page of an address outside the arena:", addr);
	if (!sim_page_live(sim_phys() + (uint64_t)(p - base)))
		die("virt_to_page of a free page:", addr);
	return (size_t)(p - base) / PAGE_SIZE;
}

struct page *h7_virt_to_page(const void *addr)
{
	return &pages[page_index(addr)];
}

unsigned long h7_page_private(const void *addr)
{
	return pages[page_index(addr)].private;
}

unsigned long h7_get_zeroed_page(int gfp)
{
	unsigned long p;

	might_sleep();
	p = get_zeroed_page(gfp);
	if (p)
		pages[page_index((void *)p)].private = 0;
	return p;
}

void h7_free_page(unsigned long addr)
{
	struct page *page;

	if (!addr)
		return;
	page = h7_virt_to_page((void *)addr);
	/* Not an error to the kernel's allocator, but never a node's state. */
	if (page->private)
		h7_mem.freed_with_private++;
	page->private = 0;
	free_page(addr);
}

void might_sleep(void)
{
	if (spins_held)
		die("might_sleep() with a spinlock held", NULL);
}

void h7_assert_held(const struct mutex *m)
{
	if (!m->held)
		die("lockdep_assert_held() of a mutex not held at", m);
}

void spin_lock(spinlock_t *l)
{
	if (l->magic != H7_SPIN_MAGIC)
		die("spin_lock of an uninitialised spinlock at", l);
	if (l->held)
		die("spin_lock of a held spinlock at", l);
	l->held = 1;
	spins_held++;
}

void spin_unlock(spinlock_t *l)
{
	if (l->magic != H7_SPIN_MAGIC || !l->held)
		die("spin_unlock of a spinlock not held at", l);
	l->held = 0;
	spins_held--;
}

int harness_warn(int cond, const char *file, int line)
{
	if (cond) {
		sim.warns++;
		h7_mem.warn_line = line;
		(void)file;
	}
	return cond;
}

void harness_trace(const char *event, unsigned long pfn, unsigned int order,
		   u64 key, unsigned int level)
{
	(void)event, (void)pfn, (void)order, (void)key, (void)level;
	die("a 6.12 tracepoint in the 7.x harness", NULL);
}
