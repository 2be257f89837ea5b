// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kho-v2 (and v3, v4) radix-tree walker.
 *
 * Layout (include/linux/kho/abi/kexec_handover.h @3f2ad90060f6): tables of
 * PAGE_SIZE/8 u64 child physical addresses (0 = empty), levels..1, and leaf
 * bitmaps of PAGE_SIZE*8 bits. Ascending key is descending order, so one
 * cursor per order walks only that order's key range [2^(order0-o),
 * 2^(order0-o+1)), where physical addresses ascend; walk.c merges them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk_internal.h"

struct v2_frame {
	uint64_t phys;
	uint64_t base;		/* first key the node covers */
	uint64_t idx;		/* next entry to look at */
	uint64_t end;		/* last entry inside the cursor's key range */
	uint64_t *ent;
};

struct v2_cursor {
	struct khor_cursor c;
	struct khor_walk_ctx *w;
	const struct khor_geom *g;
	unsigned int order;
	uint64_t lo, hi;	/* key range [lo, hi) */
	unsigned int depth;	/* frames on the stack; fr[0] is the root */
	struct v2_frame fr[KHOR_MAX_LEVELS];
	uint64_t *leaf;
	uint64_t leaf_pos, leaf_end, leaf_base;
	bool in_leaf;
	bool pending;
	uint64_t pend_key, pend_count;
	bool spans;		/* yield leaves as bitmap spans */
	uint64_t *bufs;
};

static unsigned int level_shift(const struct khor_geom *g, unsigned int level)
{
	return g->leaf_bits + g->table_bits * (level - 1);
}

static uint64_t tag_of(unsigned int level, uint64_t base)
{
	return (uint64_t)level << 56 | base;
}

static const char *level_noun(unsigned int level)
{
	return level ? "table" : "leaf";
}

/* For walk.c's messages about a visited page (torn reads). */
static void v2_describe(uint64_t tag, char *buf, size_t len)
{
	unsigned int level = (unsigned int)(tag >> 56);

	if (level)
		snprintf(buf, len, "level %u table", level);
	else
		snprintf(buf, len, "leaf");
}

/* Index range of a node at @level covering keys from @base, clipped to [lo, hi). */
static void frame_range(const struct v2_cursor *v, struct v2_frame *f,
			unsigned int level)
{
	unsigned int shift = level_shift(v->g, level);
	uint64_t nent = UINT64_C(1) << v->g->table_bits;
	uint64_t first = v->lo > f->base ? (v->lo - f->base) >> shift : 0;
	uint64_t last = (v->hi - 1 - f->base) >> shift;

	if (v->hi - 1 < f->base) {
		f->idx = 1;
		f->end = 0;
		return;
	}
	if (last >= nent)
		last = nent - 1;
	if (level == v->g->levels && last > v->g->top_max_index)
		last = v->g->top_max_index;
	f->idx = first;
	f->end = last;
}

static uint64_t leaf_used(const uint64_t *bm, size_t words)
{
	uint64_t n = 0;

	for (size_t i = 0; i < words; i++)
		if (bm[i])	/* most words of a sparse leaf are 0 */
			n += (uint64_t)__builtin_popcountll(bm[i]);
	return n;
}

static void to_host(uint64_t *p, size_t words)
{
	for (size_t i = 0; i < words; i++)
		p[i] = khor_le64(&p[i]);
}

/* Explain why @child, reached from entry @i of the top frame, conflicts. */
static void report_conflict(struct v2_cursor *v, const struct v2_frame *f,
			    unsigned int level, uint64_t i, uint64_t child,
			    uint64_t prev_tag)
{
	unsigned int prev_level = (unsigned int)(prev_tag >> 56);
	const char *why = "shared subtree";

	if (child == f->phys) {
		why = "self-loop";
	} else {
		for (unsigned int d = 0; d < v->depth; d++)
			if (v->fr[d].phys == child)
				why = "cycle";
	}
	khor_walk_problem(v->w, -KHOR_ECORRUPT, (int)level, f->phys,
			  "level %u table at 0x%llx: entry %llu points to 0x%llx, already reached as a level %u %s (%s)",
			  level, (unsigned long long)f->phys,
			  (unsigned long long)i, (unsigned long long)child,
			  prev_level, level_noun(prev_level), why);
}

/* Enter the child of the top frame at entry @i. Returns 0 (entered or skipped) or fatal. */
static int v2_enter(struct v2_cursor *v, uint64_t i)
{
	struct khor_walk_ctx *w = v->w;
	struct v2_frame *f = &v->fr[v->depth - 1];
	unsigned int level = v->g->levels - (v->depth - 1);
	unsigned int clevel = level - 1;
	uint64_t child = f->ent[i];
	uint64_t base = f->base + (i << level_shift(v->g, level));
	uint64_t prev_tag = 0;
	char from[96];
	uint64_t *buf;
	int rc, seen;

	if (child & (w->page_size - 1)) {
		khor_walk_problem(w, -KHOR_ECORRUPT, (int)level, f->phys,
				  "level %u table at 0x%llx: entry %llu points to 0x%llx, not page aligned",
				  level, (unsigned long long)f->phys,
				  (unsigned long long)i, (unsigned long long)child);
		return 0;
	}
	seen = khor_walk_visit(w, child, tag_of(clevel, base), &prev_tag);
	if (seen < -1)
		return seen;
	if (seen < 0) {
		report_conflict(v, f, level, i, child, prev_tag);
		return 0;
	}
	snprintf(from, sizeof(from), "entry %llu of the level %u table at 0x%llx",
		 (unsigned long long)i, level, (unsigned long long)f->phys);
	buf = clevel ? v->bufs + (size_t)v->depth * (w->page_size / 8) : v->leaf;
	{
		char what[32];

		snprintf(what, sizeof(what), clevel ? "level %u table" : "leaf",
			 clevel);
		rc = khor_walk_read_node(w, child, buf, w->page_size, (int)clevel,
					 what, from);
	}
	if (rc)
		return rc > 0 ? 0 : rc;
	to_host(buf, w->page_size / 8);

	if (!seen) {
		struct khor_node node = {
			.kind = clevel ? KHOR_NODE_TABLE : KHOR_NODE_LEAF,
			.level = (int)clevel,
			.phys = child,
			.size = (uint32_t)w->page_size,
		};

		if (clevel) {
			node.capacity = w->page_size / 8;
			for (uint64_t k = 0; k < node.capacity; k++)
				node.used += buf[k] != 0;
		} else {
			node.capacity = w->page_size * 8;
			node.used = leaf_used(buf, w->page_size / 8);
			/* Key 0 has no order bit: no block can be encoded there. */
			if (base == 0 && (buf[0] & 1))
				khor_walk_problem(w, -KHOR_ECORRUPT, 0, child,
						  "leaf at 0x%llx: bit 0 is set, but key 0 encodes no block",
						  (unsigned long long)child);
		}
		rc = khor_walk_report_node(w, &node);
		if (rc)
			return rc;
	}

	if (!clevel) {
		v->in_leaf = true;
		v->leaf_base = base;
		v->leaf_pos = v->lo > base ? v->lo - base : 0;
		v->leaf_end = UINT64_C(1) << v->g->leaf_bits;
		if (v->hi - base < v->leaf_end)
			v->leaf_end = v->hi - base;
		if (base == 0 && v->leaf_pos == 0)
			v->leaf_pos = 1;
		return 0;
	}
	f = &v->fr[v->depth++];
	f->phys = child;
	f->base = base;
	f->ent = buf;
	frame_range(v, f, clevel);
	return 0;
}

/* Descend to the next leaf of this cursor's range: 1, 0 at the end, or fatal. */
static int v2_next_leaf(struct v2_cursor *v)
{
	while (!v->w->fatal && !v->in_leaf) {
		struct v2_frame *f;
		int rc;

		if (!v->depth)
			return 0;
		f = &v->fr[v->depth - 1];
		if (f->idx > f->end) {
			v->depth--;
			continue;
		}
		if (!f->ent[f->idx]) {
			f->idx++;
			continue;
		}
		rc = v2_enter(v, f->idx++);
		if (rc)
			return rc < 0 ? rc : -KHOR_ESTOP;
	}
	return v->w->fatal ? v->w->fatal : 1;
}

/* Next run of keys of this cursor's order: 1, 0 at the end, or fatal. */
static int v2_next_keys(struct v2_cursor *v, uint64_t *key, uint64_t *count)
{
	for (;;) {
		uint64_t s, e;
		int rc = v2_next_leaf(v);

		if (rc <= 0)
			return rc;
		if (khor_bitmap_find_run(v->leaf, v->leaf_pos, v->leaf_end, &s, &e)) {
			v->leaf_pos = e;
			*key = v->leaf_base + s;
			*count = e - s;
			return 1;
		}
		v->in_leaf = false;
	}
}

/*
 * Span mode (walk.c takes bitmaps): the rest of the next leaf with a bit
 * set, as one span; walk.c splits it where other orders' blocks fall.
 */
static int v2_next_span(struct v2_cursor *v, struct khor_head *h)
{
	unsigned int shift = v->g->page_shift + v->order;

	for (;;) {
		int rc = v2_next_leaf(v);

		if (rc <= 0)
			return rc;
		v->in_leaf = false;
		/* The whole leaf lies in the range (v->spans): no wrap. */
		if (khor_head_span(h, v->leaf, (v->leaf_base - v->lo) << shift,
				   v->leaf_pos, v->leaf_end, v->order, shift))
			return 1;
	}
}

static void key_run_to_run(const struct v2_cursor *v, uint64_t key,
			   uint64_t count, struct khor_run *run)
{
	unsigned int shift = v->g->page_shift + v->order;

	run->phys = shift < 64 ? key << shift : 0;
	run->count = count;
	run->order = v->order;
}

static int v2_next(struct khor_cursor *c, struct khor_head *h)
{
	struct v2_cursor *v = (struct v2_cursor *)c;
	struct khor_run *run = &h->run;
	uint64_t key = 0, count = 0;
	int rc;

	if (v->spans)
		return v2_next_span(v, h);
	h->words = NULL;
	for (;;) {
		rc = v2_next_keys(v, &key, &count);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (!v->pending)
				return 0;
			v->pending = false;
			key_run_to_run(v, v->pend_key, v->pend_count, run);
			return 1;
		}
		/* Join runs that continue across a leaf boundary. */
		if (v->pending && key == v->pend_key + v->pend_count) {
			v->pend_count += count;
			continue;
		}
		if (v->pending) {
			key_run_to_run(v, v->pend_key, v->pend_count, run);
			v->pend_key = key;
			v->pend_count = count;
			return 1;
		}
		v->pending = true;
		v->pend_key = key;
		v->pend_count = count;
	}
}

static void v2_destroy(struct khor_cursor *c)
{
	struct v2_cursor *v = (struct v2_cursor *)c;

	free(v->bufs);
	free(v);
}

/*
 * Read the root once: check it and report it, and its entries beyond the
 * key width (level-5 index above 3 for 4 KiB pages).
 */
static int v2_check_root(struct khor_walk_ctx *w, const struct khor_geom *g,
			 uint64_t root, uint64_t *buf)
{
	unsigned int top = g->levels;
	uint64_t nent = w->page_size / 8, prev_tag;
	struct khor_node node = {
		.kind = KHOR_NODE_TABLE, .level = (int)top, .phys = root,
		.size = (uint32_t)w->page_size, .capacity = nent,
	};
	char what[32];
	int rc;

	if (!root || (root & (w->page_size - 1))) {
		khor_walk_problem(w, -KHOR_ECORRUPT, (int)top, root,
				  "radix root 0x%llx is not a page-aligned address",
				  (unsigned long long)root);
		return 1;
	}
	rc = khor_walk_visit(w, root, tag_of(top, 0), &prev_tag);
	if (rc < -1)
		return rc;
	snprintf(what, sizeof(what), "level %u table (root)", top);
	rc = khor_walk_read_node(w, root, buf, w->page_size, (int)top, what, NULL);
	if (rc)
		return rc;
	to_host(buf, nent);
	for (uint64_t i = 0; i < nent; i++) {
		node.used += buf[i] != 0;
		if (buf[i] && i > g->top_max_index)
			khor_walk_problem(w, -KHOR_ECORRUPT, (int)top, root,
					  "level %u table at 0x%llx: entry %llu is 0x%llx, but keys are %u bits wide (entries above %llu cannot be used)",
					  top, (unsigned long long)root,
					  (unsigned long long)i,
					  (unsigned long long)buf[i], g->order0 + 1,
					  (unsigned long long)g->top_max_index);
	}
	return khor_walk_report_node(w, &node);
}

int khor_walk_v2_cursors(struct khor_walk_ctx *w, struct khor_cursor **cur,
			 size_t *n)
{
	const struct khor_geom *g = &w->map->geom;
	size_t words = w->page_size / 8;
	uint64_t *root;
	int rc;

	*n = 0;
	w->describe = v2_describe;
	if (!g->levels || g->levels >= KHOR_MAX_LEVELS)
		return -KHOR_EINVAL;
	root = malloc(w->page_size);
	if (!root)
		return -KHOR_ENOMEM;
	rc = v2_check_root(w, g, w->map->root, root);
	if (rc) {
		free(root);
		return rc < 0 ? rc : 0;
	}
	for (unsigned int o = 0; o <= g->order0 && o < KHOR_MAX_ORDERS; o++) {
		struct v2_cursor *v = calloc(1, sizeof(*v));

		/* levels tables + one leaf per cursor */
		if (v)
			v->bufs = malloc((size_t)(g->levels + 1) * w->page_size);
		if (!v || !v->bufs) {
			free(v);
			rc = -KHOR_ENOMEM;
			break;
		}
		v->c.next = v2_next;
		v->c.destroy = v2_destroy;
		v->w = w;
		v->g = g;
		v->order = o;
		v->lo = UINT64_C(1) << (g->order0 - o);
		v->hi = v->lo << 1;
		/*
		 * Spans need every leaf inside the key range, so that bit i
		 * is the block at (leaf key - lo + i) << shift without
		 * wrapping: orders whose range is at least a leaf (up to 37
		 * with 4 KiB pages; larger blocks are rare and go as runs).
		 */
		v->spans = w->spans && g->order0 - o >= g->leaf_bits;
		v->leaf = v->bufs + (size_t)g->levels * words;
		memcpy(v->bufs, root, w->page_size);
		v->fr[0].phys = w->map->root;
		v->fr[0].base = 0;
		v->fr[0].ent = v->bufs;
		v->depth = 1;
		frame_range(v, &v->fr[0], g->levels);
		cur[(*n)++] = &v->c;
	}
	free(root);
	return rc;
}
