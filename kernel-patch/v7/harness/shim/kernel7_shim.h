/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the radix tree section of upstream 7.x kernel/liveupdate/
 * kexec_handover.c uses beyond the 6.12 harness's shim
 * (kernel-patch/harness/shim/kernel_shim.h, included here): a struct page
 * with a private field for each page of the simulated memory, the
 * cleanup.h guards over a checked mutex and spinlock, and the series'
 * radix tracepoints as counters. The section is compiled unmodified,
 * once pristine and once with kernel-patch/v7/series applied
 * (kernel-patch/v7/harness/extract.sh); each build renames its exported
 * functions so that both link into one program (variant.c).
 */
#ifndef KHO_HARNESS_KERNEL7_SHIM_H
#define KHO_HARNESS_KERNEL7_SHIM_H

#include <assert.h>

#include "kernel_shim.h"

/* The lab's configuration (tests/lab7/kho-7x.config) has both. */
#define CONFIG_KEXEC_HANDOVER 1
#define CONFIG_KEXEC_HANDOVER_DEBUG 1
/* Only for options defined to 1 above, unlike the kernel's. */
#define IS_ENABLED(option) (option)

#define __H7_CAT(a, b) a##b
#define H7_CAT(a, b) __H7_CAT(a, b)

#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); \
		     _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); \
		     _a > _b ? _a : _b; })
#define min_t(t, a, b) min((t)(a), (t)(b))

static inline bool __test_and_clear_bit(unsigned long nr, unsigned long *map)
{
	bool old = test_bit(nr, map);

	__clear_bit(nr, map);
	return old;
}

/* One per page of the simulated memory (page7.c), private only. */
struct page {
	unsigned long private;
};
struct page *h7_virt_to_page(const void *addr);
#define virt_to_page(addr) h7_virt_to_page(addr)
#define page_private(page) ((page)->private)
#define set_page_private(page, v) ((page)->private = (v))

/*
 * The benchmark (bench/radix7.c) builds the section with H7_UNCHECKED:
 * the address conversions as the kernel's are, plain arithmetic (here
 * over the arena, page7.c), not the checked calls the tests use, which
 * cost more than the kernel's and would weigh on the build making more
 * of them.
 */
#ifdef H7_UNCHECKED
extern struct page *h7_pages;
extern char *h7_arena;
extern phys_addr_t h7_arena_phys;

static inline void *h7_fast_phys_to_virt(phys_addr_t phys)
{
	return h7_arena + (phys - h7_arena_phys);
}

static inline phys_addr_t h7_fast_virt_to_phys(const void *addr)
{
	return h7_arena_phys + (phys_addr_t)((const char *)addr - h7_arena);
}

#define phys_to_virt(phys) h7_fast_phys_to_virt(phys)
#define virt_to_phys(addr) h7_fast_virt_to_phys(addr)
#undef virt_to_page
#define virt_to_page(addr) \
	(&h7_pages[(size_t)((const char *)(addr) - h7_arena) >> PAGE_SHIFT])
#endif

/*
 * Node allocation through sim_mem.c, plus what the kernel's allocator
 * guarantees and checks: a new page's private field is 0 (post_alloc_hook()
 * clears it), and a GFP_KERNEL allocation may sleep.
 */
unsigned long h7_get_zeroed_page(int gfp);
void h7_free_page(unsigned long addr);
#define get_zeroed_page(gfp) h7_get_zeroed_page(gfp)
#define free_page(addr) h7_free_page(addr)

/* Sleeping with a spinlock held aborts the run. */
void might_sleep(void);
#define lockdep_assert_held(m) h7_assert_held(m)
void h7_assert_held(const struct mutex *m);

typedef struct {
	int magic;
	int held;
} spinlock_t;
#define H7_SPIN_MAGIC 0x7370696e
#define __SPIN_LOCK_UNLOCKED(name) { .magic = H7_SPIN_MAGIC, .held = 0 }
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

/*
 * cleanup.h: guard(mutex)(&m) holds m to the end of the scope;
 * scoped_guard(mutex|spinlock, &l) { } holds l for the block, whichever
 * way the block is left (return included: the cleanup attribute runs).
 */
static inline struct mutex *h7_mutex_enter(struct mutex *m)
{
	mutex_lock(m);
	return m;
}

static inline void h7_mutex_exit(struct mutex **m)
{
	mutex_unlock(*m);
}

static inline spinlock_t *h7_spinlock_enter(spinlock_t *l)
{
	spin_lock(l);
	return l;
}

static inline void h7_spinlock_exit(spinlock_t **l)
{
	spin_unlock(*l);
}

#define h7_guard_mutex(m)						\
	struct mutex *H7_CAT(h7_guard_, __COUNTER__)			\
		__attribute__((cleanup(h7_mutex_exit), unused)) =	\
		h7_mutex_enter(m)
#define guard(name) h7_guard_##name

#define h7_mutex_type struct mutex
#define h7_spinlock_type spinlock_t
#define __h7_scoped_guard(name, lock, n)				\
	for (h7_##name##_type *H7_CAT(h7_scope_, n)			\
		__attribute__((cleanup(h7_##name##_exit))) =		\
		h7_##name##_enter(lock),				\
		*H7_CAT(h7_once_, n) = H7_CAT(h7_scope_, n);		\
	     H7_CAT(h7_once_, n); H7_CAT(h7_once_, n) = NULL)
#define scoped_guard(name, lock) __h7_scoped_guard(name, lock, __COUNTER__)

/* The series' radix tracepoints (include/trace/events/kho.h): counted. */
struct h7_trace {
	unsigned long add, del;		/* events */
	unsigned long allocated, freed;	/* their node counts, summed */
};
extern struct h7_trace h7_trace;

static inline void trace_kho_radix_add(unsigned long pfn, unsigned int order,
				       unsigned long key, unsigned int allocated)
{
	(void)pfn, (void)order, (void)key;
	h7_trace.add++;
	h7_trace.allocated += allocated;
}

static inline void trace_kho_radix_del(unsigned long pfn, unsigned int order,
				       unsigned long key, unsigned int freed)
{
	(void)pfn, (void)order, (void)key;
	h7_trace.del++;
	h7_trace.freed += freed;
}

#endif
