// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Simulated physical memory. Free pages are poisoned (and, under ASan,
 * made unaddressable), and every physical address the tree code converts
 * must be a live page of the arena, so a stale or corrupt link aborts the
 * run instead of reading garbage.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_shim.h"
#include "sim_mem.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct sim_stats sim;

static unsigned char *arena;
static unsigned char *live;
static size_t *free_stack;
static size_t nfree, npages;
static uint64_t arena_phys;
static unsigned long fail_countdown;
static unsigned long fail_one_in;
static uint64_t *fail_rng;

static void die(const char *what, uint64_t val)
{
	fprintf(stderr, "harness: %s 0x%llx\n", what, (unsigned long long)val);
	abort();
}

uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: small, seedable, good enough for test sequences */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sim_fini(void)
{
	if (arena)
		UNPOISON(arena, npages * PAGE_SIZE);
	free(arena);
	free(live);
	free(free_stack);
	arena = NULL;
	live = NULL;
	free_stack = NULL;
	npages = nfree = 0;
}

void sim_init(size_t n, uint64_t phys)
{
	size_t i;

	sim_fini();
	assert(phys % PAGE_SIZE == 0 && phys != 0);
	arena = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);
	live = calloc(n, 1);
	free_stack = malloc(n * sizeof(*free_stack));
	if (!arena || !live || !free_stack)
		die("out of memory for arena of pages", n);
	npages = n;
	arena_phys = phys;
	memset(arena, 0x6b, n * PAGE_SIZE);
	POISON(arena, n * PAGE_SIZE);
	/* Lowest pages first; freed pages are reused first. */
	for (i = 0; i < n; i++)
		free_stack[i] = n - 1 - i;
	nfree = n;
	memset(&sim, 0, sizeof(sim));
	fail_countdown = 0;
	fail_one_in = 0;
}

void sim_fail_nth(unsigned long n)
{
	fail_countdown = n;
}

void sim_fail_random(unsigned long one_in, uint64_t *rng)
{
	fail_one_in = one_in;
	fail_rng = rng;
}

unsigned long get_zeroed_page(int gfp)
{
	size_t pg;
	void *p;

	(void)gfp;
	if (fail_countdown && --fail_countdown == 0) {
		sim.failed++;
		return 0;
	}
	if (fail_one_in && rng_next(fail_rng) % fail_one_in == 0) {
		sim.failed++;
		return 0;
	}
	if (!nfree)
		return 0;
	pg = free_stack[--nfree];
	p = arena + pg * PAGE_SIZE;
	UNPOISON(p, PAGE_SIZE);
	memset(p, 0, PAGE_SIZE);
	live[pg] = 1;
	sim.allocs++;
	sim.live++;
	return (unsigned long)p;
}

static size_t page_of(const void *addr)
{
	const unsigned char *p = addr;

	if (p < arena || p >= arena + npages * PAGE_SIZE ||
	    (size_t)(p - arena) % PAGE_SIZE)
		die("pointer outside the arena or unaligned:", (uintptr_t)addr);
	return (size_t)(p - arena) / PAGE_SIZE;
}

void free_page(unsigned long addr)
{
	size_t pg;

	if (!addr)
		return;
	pg = page_of((void *)addr);
	if (!live[pg])
		die("double free of page at", (uintptr_t)addr);
	live[pg] = 0;
	memset((void *)addr, 0x6b, PAGE_SIZE);
	POISON((void *)addr, PAGE_SIZE);
	free_stack[nfree++] = pg;
	sim.frees++;
	sim.live--;
}

phys_addr_t virt_to_phys(const void *addr)
{
	size_t pg = page_of(addr);

	if (!live[pg])
		die("virt_to_phys of a free page at", (uintptr_t)addr);
	return arena_phys + (phys_addr_t)pg * PAGE_SIZE;
}

void *phys_to_virt(phys_addr_t phys)
{
	uint64_t off = phys - arena_phys;

	if (phys < arena_phys || off >= npages * PAGE_SIZE || off % PAGE_SIZE)
		die("phys_to_virt of an address outside the arena:", phys);
	if (!live[off / PAGE_SIZE])
		die("phys_to_virt of a free page:", phys);
	sim.visits++;
	return arena + off;
}

int sim_page_live(uint64_t phys)
{
	uint64_t off = phys - arena_phys;

	return phys >= arena_phys && off < npages * PAGE_SIZE &&
	       off % PAGE_SIZE == 0 && live[off / PAGE_SIZE];
}

uint64_t sim_phys(void)
{
	return arena_phys;
}

size_t sim_npages(void)
{
	return npages;
}

const void *sim_base(void)
{
	return arena;
}

struct snapshot {
	unsigned char *live;
	unsigned char *data;
};

void *sim_snapshot(void)
{
	struct snapshot *s = malloc(sizeof(*s));
	size_t i;

	if (!s)
		die("out of memory for snapshot", 0);
	s->live = malloc(npages);
	s->data = malloc(npages * PAGE_SIZE);
	if (!s->live || !s->data)
		die("out of memory for snapshot", npages);
	memcpy(s->live, live, npages);
	for (i = 0; i < npages; i++)
		if (live[i])
			memcpy(s->data + i * PAGE_SIZE, arena + i * PAGE_SIZE,
			       PAGE_SIZE);
	return s;
}

int sim_same(const void *snap)
{
	const struct snapshot *s = snap;
	size_t i;

	if (memcmp(s->live, live, npages))
		return 0;
	for (i = 0; i < npages; i++)
		if (live[i] && memcmp(s->data + i * PAGE_SIZE,
				      arena + i * PAGE_SIZE, PAGE_SIZE))
			return 0;
	return 1;
}

void sim_snapshot_free(void *snap)
{
	struct snapshot *s = snap;

	if (!s)
		return;
	free(s->live);
	free(s->data);
	free(s);
}

long sim_write_image(FILE *f)
{
	size_t last = 0, i;
	static unsigned char zero[1 << 16];

	for (i = 0; i < npages; i++)
		if (live[i])
			last = i + 1;
	/* Free pages are written as zeroes: they hold poison otherwise. */
	for (i = 0; i < last; i++) {
		const void *p = live[i] ? arena + i * PAGE_SIZE : zero;

		if (fwrite(p, PAGE_SIZE, 1, f) != 1)
			return -1;
	}
	return (long)(last * PAGE_SIZE);
}

void mutex_init(struct mutex *m)
{
	m->magic = 0x6d757478;
	m->held = 0;
}

void mutex_lock(struct mutex *m)
{
	if (m->magic != 0x6d757478)
		die("mutex_lock of an uninitialised mutex at", (uintptr_t)m);
	if (m->held)
		die("mutex_lock of a held mutex (recursion) at", (uintptr_t)m);
	m->held = 1;
}

void mutex_unlock(struct mutex *m)
{
	if (m->magic != 0x6d757478 || !m->held)
		die("mutex_unlock of a mutex not held at", (uintptr_t)m);
	m->held = 0;
}

void mutex_destroy(struct mutex *m)
{
	if (m->held)
		die("mutex_destroy of a held mutex at", (uintptr_t)m);
	m->magic = 0;
}
