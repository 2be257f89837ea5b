/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The walk machinery shared by the map walkers (walk_v2.c, walk_v1.c).
 *
 * A walker does not walk the whole structure in its own order. It provides
 * one cursor per block order; each cursor yields that order's runs in
 * ascending physical address, and walk.c merges the cursors, so output is
 * ascending without buffering (memory O(orders x depth)). Every metadata
 * page goes through khor_walk_read_node(), which applies the limits, the
 * cache and the error classification, and through khor_walk_visit(), which
 * detects pages reached from two places (cycles, shared subtrees).
 */
#ifndef KHOTOOLS_WALK_INTERNAL_H
#define KHOTOOLS_WALK_INTERNAL_H

#include "internal.h"

/*
 * What a cursor yields: a run of consecutive blocks (@words NULL) or, when
 * the walk's consumer takes bitmaps (khor_walk_ops.bitmap), a bitmap span:
 * the blocks at the set bits of [@pos, @to) of @words, bit i standing for
 * the block at @base + (i << block shift), without wrapping. Bit @pos is
 * set and @run.phys is its block. walk.c consumes a span, whole or in
 * pieces, before it asks the cursor for more, so @words only has to stay
 * valid until the cursor's next call.
 */
struct khor_head {
	struct khor_run run;
	const uint64_t *words;
	uint64_t base;
	uint64_t pos;
	uint64_t to;
};

/*
 * Make @h the span of the set bits of [@from, @to) of @words, bit i the
 * block at @base + (i << @shift). False if none is set.
 */
static inline bool khor_head_span(struct khor_head *h, const uint64_t *words,
				  uint64_t base, uint64_t from, uint64_t to,
				  unsigned int order, unsigned int shift)
{
	uint64_t s;

	if (!khor_bitmap_find_set(words, from, to, &s))
		return false;
	h->words = words;
	h->base = base;
	h->pos = s;
	h->to = to;
	h->run.phys = base + (s << shift);
	h->run.count = 0;
	h->run.order = order;
	return true;
}

struct khor_cursor {
	/* 1 with *h filled, 0 at the end, negative on a fatal error. */
	int (*next)(struct khor_cursor *c, struct khor_head *h);
	void (*destroy)(struct khor_cursor *c);
};

struct khor_visited {
	uint64_t *keys;		/* physical address + 1; 0 = empty slot */
	uint64_t *tags;		/* where the page belongs in the structure */
	uint64_t *sums;		/* live sources: content hash, 0 = not read */
	uint32_t *lens;		/* live sources: bytes the hash covers */
	size_t mask;
	size_t used;
};

#define KHOR_NODE_CACHE 64

struct khor_walk_ctx {
	struct khor_mem *mem;
	const struct khor_map *map;
	uint64_t page_size;
	uint64_t max_nodes;
	const struct khor_walk_ops *ops;
	void *arg;
	struct khor_walk_result *res;
	struct khor_visited visited;
	struct khor_error first_corrupt;
	struct khor_error first_nodata;
	struct khor_error first_changed;
	/*
	 * Live memory (khor_mem_info.live): every metadata page read is
	 * hashed; a page read again with other contents, or found changed
	 * when all are read again at the end, is a torn read (walk.c).
	 */
	bool live;
	/* The consumer takes bitmap spans (ops->bitmap): cursors may yield them. */
	bool spans;
	/* Names a visited page from its tag for messages ("level 3 table"). */
	void (*describe)(uint64_t tag, char *buf, size_t len);
	uint64_t problems;
	int fatal;
	/* Small direct-mapped cache: upper tables are read by many cursors. */
	uint64_t cache_phys[KHOR_NODE_CACHE];
	size_t cache_len[KHOR_NODE_CACHE];
	uint8_t *cache_data;
};

/*
 * Record a problem (code -KHOR_ECORRUPT, -KHOR_ENODATA or -KHOR_ECHANGED)
 * found at @phys on @level. The walk goes on; khor_walk() reports the first
 * change of live memory, else the first corruption, else the first missing
 * page.
 */
KHOR_HIDDEN void khor_walk_problem(struct khor_walk_ctx *w, int code, int level,
				   uint64_t phys, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Read a metadata object of @len bytes at @phys into @buf. @what describes
 * it for messages ("level 3 table"). Returns 0; 1 if it could not be read
 * and a problem was recorded (the caller skips it); or a fatal negative
 * code (limit, allocation).
 */
KHOR_HIDDEN int khor_walk_read_node(struct khor_walk_ctx *w, uint64_t phys,
				    void *buf, size_t len, int level,
				    const char *what, const char *from);

/*
 * Note that the page at @phys is reached as @tag (an encoding of its place
 * in the structure). Returns 0 if first seen, 1 if seen before with the same
 * tag (another cursor passing through), -1 if seen before with another tag
 * (*prev_tag set), or a fatal negative code.
 */
KHOR_HIDDEN int khor_walk_visit(struct khor_walk_ctx *w, uint64_t phys,
				uint64_t tag, uint64_t *prev_tag);

/* Report a metadata page to the caller's node callback, once. */
KHOR_HIDDEN int khor_walk_report_node(struct khor_walk_ctx *w,
				      const struct khor_node *node);

/* Cursor factories: fill @cur with up to KHOR_MAX_ORDERS cursors. */
KHOR_HIDDEN int khor_walk_v2_cursors(struct khor_walk_ctx *w,
				     struct khor_cursor **cur, size_t *n);
KHOR_HIDDEN int khor_walk_v1_cursors(struct khor_walk_ctx *w,
				     struct khor_cursor **cur, size_t *n);

#endif /* KHOTOOLS_WALK_INTERNAL_H */
