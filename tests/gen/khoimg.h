/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * khoimg: the test-data writer shared by the generators of the tests and
 * the benchmark (tests/gen/mkkhoimg, tests/khodump/mkkhodump,
 * bench/mkbenchtree) and the unit tests' simulated trees.
 *
 * It is the independent oracle the readers in lib/ are checked against,
 * so it never includes a lib/ header nor links libkhoradix: the key
 * arithmetic and the dump layouts here are written from KHO_ABI.md and
 * the ELF specification, not from the reader's code (DESIGN.md §4).
 *
 * Two parts:
 *  - the kho-v2 radix tree encoder: the key codec (KHO_ABI.md §1.3) and
 *    the walk that creates a key's path and sets or clears its bit; the
 *    caller owns the memory the nodes live in, through two callbacks;
 *  - the ELF64 x86_64 core writer: a PT_NOTE, then PT_LOADs whose data
 *    follows page aligned in segment order, written sequentially through
 *    a large buffer (dumps of tens of GiB), holes where the caller skips.
 *
 * Errors end the program through kig_die(), "NAME: message" on stderr and
 * exit status 1, NAME being kig_prog, which each front-end defines.
 */
#ifndef KHOTOOLS_TESTS_KHOIMG_H
#define KHOTOOLS_TESTS_KHOIMG_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern const char *kig_prog;

/* "NAME: FILE:LINE: message" (the spec's place, none if @file is NULL),
 * exit status 1. */
void __attribute__((noreturn, format(printf, 3, 4)))
kig_die_at(const char *file, unsigned int line, const char *fmt, ...);
#define kig_die(...) kig_die_at(NULL, 0, __VA_ARGS__)

/* Little-endian fields of @w bytes, whatever the host's order. */
static inline uint64_t kig_rd_le(const uint8_t *p, unsigned int w)
{
	uint64_t v = 0;

	for (unsigned int i = w; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static inline void kig_wr_le(uint8_t *p, uint64_t v, unsigned int w)
{
	for (unsigned int i = 0; i < w; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* ---- the radix tree encoder ---- */

/* The tree's shape for one page size (KHO_ABI.md §1.2). */
struct kig_geom {
	unsigned int shift;	/* PAGE_SHIFT */
	unsigned int order0;	/* the order-0 key bit: 64 - PAGE_SHIFT */
	unsigned int lbits;	/* key bits a leaf bitmap resolves */
	unsigned int tbits;	/* key bits a table resolves */
	unsigned int levels;	/* tables from the root down to a leaf */
};

/* The x86_64 shape: 4 KiB pages, five tables above the leaves. */
#define KIG_GEOM_4K ((struct kig_geom){ 12, 52, 15, 9, 5 })

/* KHO_ABI §1.3: the order bit at order0 - order, then the PA shifted down
 * by PAGE_SHIFT + order. */
static inline uint64_t kig_key(const struct kig_geom *g, uint64_t pa,
			       unsigned int order)
{
	return (1ULL << (g->order0 - order)) | (pa >> (g->shift + order));
}

/* The slot of @key in a node at @level (0: the bit in a leaf). */
static inline uint64_t kig_index(const struct kig_geom *g, uint64_t key,
				 unsigned int level)
{
	if (!level)
		return key & ((1ULL << g->lbits) - 1);
	return (key >> (g->lbits + g->tbits * (level - 1))) &
	       ((1ULL << g->tbits) - 1);
}

/*
 * Where the nodes live. A table entry holds what alloc() returned for the
 * child (its physical address); page() turns such a value, or the root,
 * back into the node's bytes (it may refuse one that leads nowhere).
 */
struct kig_tree_ops {
	uint8_t *(*page)(void *ctx, uint64_t ref);
	uint64_t (*alloc)(void *ctx, unsigned int level);	/* zeroed */
};

/*
 * The node at @level on the path of @key below @root, its missing tables
 * and node created on the way when @create, else NULL where the path ends.
 */
static inline uint8_t *
kig_tree_node(const struct kig_geom *g, const struct kig_tree_ops *ops,
	      void *ctx, uint64_t root, uint64_t key, unsigned int level,
	      bool create)
{
	uint8_t *node = ops->page(ctx, root);
	uint64_t cur = root;

	for (unsigned int lv = g->levels; lv > level; lv--) {
		uint64_t idx = kig_index(g, key, lv), child;

		/* entries are little endian, as is every host we run on */
		memcpy(&child, node + idx * 8, 8);
		if (!child) {
			if (!create)
				return NULL;
			child = ops->alloc(ctx, lv - 1);
			/* the allocation may have moved the parent */
			memcpy(ops->page(ctx, cur) + idx * 8, &child, 8);
		}
		cur = child;
		node = ops->page(ctx, child);
	}
	return node;
}

/*
 * Set (creating the path) or clear the bit of block @pa of @order. Clearing
 * a key whose path is absent is the caller's mistake: false, nothing done.
 */
static inline bool
kig_tree_set(const struct kig_geom *g, const struct kig_tree_ops *ops,
	     void *ctx, uint64_t root, uint64_t pa, unsigned int order,
	     bool on)
{
	uint64_t key = kig_key(g, pa, order), bit = kig_index(g, key, 0);
	uint8_t *leaf = kig_tree_node(g, ops, ctx, root, key, 0, on);

	if (!leaf)
		return false;
	if (on)
		leaf[bit / 8] |= (uint8_t)(1u << (bit % 8));
	else
		leaf[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	return true;
}

/* ---- the ELF core writer ---- */

/* An x86_64 little-endian ELF64 header of @type, no tables yet: the
 * caller places its program or section headers. */
void kig_ehdr(Elf64_Ehdr *eh, uint16_t type);

/* An ELF note as the kernel lays one out: header, name, descriptor, each
 * padded to 4 bytes. Returns a malloc'ed note of *len bytes; *desc_off is
 * where the descriptor starts in it. */
uint8_t *kig_note(const char *name, uint32_t type, const void *desc,
		  size_t desc_len, size_t *len, size_t *desc_off);

/* pwrite() all of @buf at @off of @path's @fd, or die naming @path. */
void kig_pwrite(int fd, const void *buf, size_t len, uint64_t off,
		const char *path);

/* Sequential output through a large buffer: dumps of tens of GiB. */
#define KIG_OUTBUF (1u << 20)

struct kig_out {
	int fd;
	const char *path;
	uint8_t *buf;
	size_t len;
	uint64_t off;		/* file offset of buf[0] */
};

/* Writing @path's @fd from offset @off on. */
void kig_out_start(struct kig_out *o, int fd, const char *path, uint64_t off);
void kig_out_put(struct kig_out *o, const void *p, size_t len);
/* Leave @len bytes unwritten (a hole: zeros). */
void kig_out_skip(struct kig_out *o, uint64_t len);
/* Write what is buffered and free the buffer (the file stays open). */
void kig_out_end(struct kig_out *o);

struct kig_core {
	/* layout */
	uint64_t ps;		/* page size: data alignment, p_align */
	uint64_t vbase;		/* p_vaddr = vbase + p_paddr (the direct map) */
	const void *note;
	size_t notelen;
	bool note_memsz;	/* PT_NOTE's p_memsz = p_filesz, else 0 */
	Elf64_Phdr *ph;		/* ph[0] is the PT_NOTE when there is a note */
	size_t nph, cap;
	/* output */
	struct kig_out out;
	uint64_t total;		/* the file's size once every load is written */
};

void kig_core_init(struct kig_core *c, uint64_t ps, uint64_t vbase,
		   const void *note, size_t notelen, bool note_memsz);
/* A PT_LOAD for [pa, pa + len); with @merge, one that continues the last
 * PT_LOAD in memory extends it instead. */
void kig_core_load(struct kig_core *c, uint64_t pa, uint64_t len, bool merge);
/* The PT_LOADs so far. */
size_t kig_core_nloads(const struct kig_core *c);
/* Create @path and write the headers and note; the segments' data follows
 * through kig_core_put() and kig_core_skip(), in segment order. */
void kig_core_open(struct kig_core *c, const char *path);
void kig_core_put(struct kig_core *c, const void *p, size_t len);
/* Leave @len bytes of segment data unwritten (a hole: zeros). */
void kig_core_skip(struct kig_core *c, uint64_t len);
/* Size the file to the end of the last segment less @cut bytes (to test
 * readers against truncated cores) and close it. */
void kig_core_close(struct kig_core *c, uint64_t cut);

#endif /* KHOTOOLS_TESTS_KHOIMG_H */
