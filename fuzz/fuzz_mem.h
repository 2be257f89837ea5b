/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A physical memory made of the fuzz input, for the walker and locator
 * targets: bytes [0, len) of the image are physical addresses [0, len); one
 * page may be declared missing from the "dump" (-KHOR_ENODATA), and a
 * "live" image may change one byte after a given number of reads, which is
 * what a kernel preserving and unpreserving under /proc/kcore looks like.
 */
#ifndef KHOTOOLS_FUZZ_MEM_H
#define KHOTOOLS_FUZZ_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix_reader.h"

struct fuzz_mem {
	uint8_t *img;		/* a private copy: a live image is written */
	size_t len;
	uint64_t page_size;
	uint64_t missing;	/* phys of the missing page, or UINT64_MAX */
	uint64_t reads;
	uint64_t mutate_at;	/* change a byte before this read (0: never) */
	size_t mutate_off;
};

static inline int fuzz_mem_read(struct khor_mem *m, void *priv, uint64_t phys,
			 void *buf, size_t len)
{
	struct fuzz_mem *f = priv;

	if (++f->reads == f->mutate_at && f->len)
		f->img[f->mutate_off % f->len] ^= 0xa5;
	/* memsrc.c has already refused phys + len beyond phys_end = f->len. */
	if (phys + len > f->len)
		abort();
	if (f->missing != UINT64_MAX && phys < f->missing + f->page_size &&
	    phys + len > f->missing) {
		khor_mem_set_errmsg(m, "page 0x%llx is not in the dump",
				    (unsigned long long)f->missing);
		return -KHOR_ENODATA;
	}
	memcpy(buf, f->img + phys, len);
	return 0;
}

static const struct khor_mem_ops fuzz_mem_ops = { .read = fuzz_mem_read };

/*
 * Returns the source, or NULL (only on allocation failure). @len must not be
 * 0: phys_end 0 means "unknown" to khor_mem_create().
 */
static inline struct khor_mem *fuzz_mem_open(struct fuzz_mem *f, const uint8_t *data,
				      size_t len, uint64_t page_size, bool live)
{
	struct khor_mem_info info = {
		.page_size = page_size, .phys_end = len, .live = live,
		.kind = "fuzz",
	};
	struct khor_mem *m;

	f->img = malloc(len ? len : 1);
	if (!f->img)
		return NULL;
	memcpy(f->img, data, len);
	f->len = len;
	f->page_size = page_size;
	if (khor_mem_create(&fuzz_mem_ops, f, &info, &m)) {
		free(f->img);
		return NULL;
	}
	return m;
}

static inline void fuzz_mem_close(struct fuzz_mem *f, struct khor_mem *m)
{
	khor_mem_destroy(m);
	free(f->img);
}

/* Little-endian loads from the input, without alignment assumptions. */
static inline uint64_t fuzz_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#endif /* KHOTOOLS_FUZZ_MEM_H */
