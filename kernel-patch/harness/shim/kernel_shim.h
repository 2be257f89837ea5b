/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few kernel interfaces lib/kho_radix_tree.c uses, for compiling it
 * unmodified in userspace (the model is tools/testing/radix-tree). Pages
 * come from a simulated physical memory (sim_mem.c) with allocation failure
 * injection; the physical-address conversions check every address.
 */
#ifndef KHO_HARNESS_KERNEL_SHIM_H
#define KHO_HARNESS_KERNEL_SHIM_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint64_t phys_addr_t;

#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12
#endif
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define BITS_PER_BYTE 8
#define BITS_PER_LONG (CHAR_BIT * (int)sizeof(long))

#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define BITS_TO_LONGS(n) DIV_ROUND_UP(n, BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

/* Constant for constant arguments, as the kernel's. */
#define const_ilog2(n) (63 - __builtin_clzll(n))
#define ilog2(n) (63 - __builtin_clzll(n))

static inline unsigned long __ffs(unsigned long x)
{
	return (unsigned long)__builtin_ctzl(x);
}

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline int fls_long(unsigned long x)
{
	return x ? BITS_PER_LONG - __builtin_clzl(x) : 0;
}

static inline void __set_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline void __clear_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}

static inline bool __test_and_set_bit(unsigned long nr, unsigned long *map)
{
	bool old = test_bit(nr, map);

	__set_bit(nr, map);
	return old;
}

static inline unsigned long find_next_bit(const unsigned long *map,
					  unsigned long size,
					  unsigned long start)
{
	while (start < size) {
		unsigned long w = map[start / BITS_PER_LONG] >>
				  (start % BITS_PER_LONG);

		if (w)
			return start + (unsigned long)__builtin_ctzl(w) < size ?
			       start + (unsigned long)__builtin_ctzl(w) : size;
		start = (start / BITS_PER_LONG + 1) * BITS_PER_LONG;
	}
	return size;
}

#define for_each_set_bit(bit, map, size)				\
	for ((bit) = find_next_bit((map), (size), 0); (bit) < (size);	\
	     (bit) = find_next_bit((map), (size), (bit) + 1))

static inline bool bitmap_empty(const unsigned long *map, unsigned int bits)
{
	return find_next_bit(map, bits, 0) >= bits;
}

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long err) { return (void *)err; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p) { return IS_ERR_VALUE(p); }
static inline bool IS_ERR_OR_NULL(const void *p)
{
	return !p || IS_ERR_VALUE(p);
}

/* Simulated physical memory (sim_mem.c). */
#define GFP_KERNEL 0
unsigned long get_zeroed_page(int gfp);
void free_page(unsigned long addr);
phys_addr_t virt_to_phys(const void *addr);
void *phys_to_virt(phys_addr_t phys);
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))

/* A mutex that checks its use; the harness is single-threaded. */
struct mutex {
	int magic;
	int held;
};
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
void mutex_destroy(struct mutex *m);

void harness_trace(const char *event, unsigned long pfn, unsigned int order,
		   u64 key, unsigned int level);
int harness_warn(int cond, const char *file, int line);
#define WARN_ON_ONCE(cond) harness_warn(!!(cond), __FILE__, __LINE__)
#define WARN_ON(cond) harness_warn(!!(cond), __FILE__, __LINE__)

#define EXPORT_SYMBOL_GPL(sym) extern int harness_export_##sym
#define EXPORT_TRACEPOINT_SYMBOL_GPL(tp) extern int harness_export_tp_##tp
#define MODULE_LICENSE(s) extern int harness_module_license
#define MODULE_DESCRIPTION(s) extern int harness_module_description

#endif
