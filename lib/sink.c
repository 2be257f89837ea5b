// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Consumers of the ascending run stream: range coalescing, statistics and
 * semantic checks. None buffers more than the current range.
 */
#include <string.h>

#include "internal.h"

static uint64_t block_bytes(uint64_t page_size, unsigned int order)
{
	/* order can reach 64 - page_shift: the block is then all of memory. */
	return order < 64 && page_size << order >> order == page_size ?
	       page_size << order : 0;
}

static uint64_t run_end(uint64_t page_size, const struct khor_run *run)
{
	uint64_t bytes = block_bytes(page_size, run->order) * run->count;

	return run->phys + bytes;
}

void khor_ranges_init(struct khor_ranges *r, uint64_t page_size,
		      int (*emit)(void *arg, uint64_t start, uint64_t end),
		      void *arg)
{
	memset(r, 0, sizeof(*r));
	r->page_size = page_size;
	r->emit = emit;
	r->arg = arg;
}

int khor_ranges_add(struct khor_ranges *r, const struct khor_run *run)
{
	uint64_t end = run_end(r->page_size, run);
	int rc;

	if (r->open && run->phys <= r->end) {
		/* Adjacent (or, in a corrupt map, overlapping): extend. */
		if (end > r->end || end < run->phys)
			r->end = end;
		return 0;
	}
	if (r->open) {
		r->count++;
		rc = r->emit ? r->emit(r->arg, r->start, r->end) : 0;
		if (rc)
			return rc;
	}
	r->open = true;
	r->start = run->phys;
	r->end = end;
	return 0;
}

/* The last run of @bm, for sinks that only keep the final state. */
static struct khor_run last_run(const struct khor_bitmap *bm)
{
	struct khor_run run = { .order = bm->order };
	uint64_t s = bm->from, e = bm->from + 1;

	khor_bitmap_last_run(bm->words, bm->from, bm->to, &s, &e);
	run.phys = bm->base + (s << bm->block_shift);
	run.count = e - s;
	return run;
}

/*
 * The word-wise paths rely on what a walk guarantees: bit @from is set, a
 * block fits in 64 bits, @runs is counted. A span built otherwise goes run
 * by run.
 */
static bool span_well_formed(const struct khor_bitmap *bm)
{
	return bm->from < bm->to && bm->block_shift < 64 && bm->runs &&
	       (bm->words[bm->from / 64] >> (bm->from % 64) & 1);
}

static uint64_t span_first(const struct khor_bitmap *bm)
{
	return bm->base + (bm->from << bm->block_shift);
}

/* Feed the runs of @bm one by one to a run sink (listings, overlaps). */
#define FOR_EACH_RUN(bm, run)						\
	for (uint64_t pos_ = (bm)->from; khor_bitmap_next_run(bm, &pos_, &(run));)

static int ranges_add_runs(struct khor_ranges *r, const struct khor_bitmap *bm)
{
	struct khor_run run;
	int rc;

	FOR_EACH_RUN(bm, run) {
		rc = khor_ranges_add(r, &run);
		if (rc)
			return rc;
	}
	return 0;
}

int khor_ranges_add_bitmap(struct khor_ranges *r, const struct khor_bitmap *bm)
{
	struct khor_run run;
	uint64_t first;

	/* Ranges to print go one by one anyway. */
	if (r->emit || !span_well_formed(bm))
		return ranges_add_runs(r, bm);
	/* A range reaching past the first block (overlaps): the general way. */
	first = span_first(bm);
	if (r->open && r->end > first)
		return ranges_add_runs(r, bm);
	/*
	 * Counting: runs of one order are separated by at least one block,
	 * so each run is a range, but the first joins an open range that
	 * ends where it starts. The last stays open.
	 */
	r->count += bm->runs - (r->open && r->end == first) + r->open - 1;
	run = last_run(bm);
	if (!(r->open && r->end == first && run.phys == first))
		r->start = run.phys;
	r->open = true;
	r->end = run_end(r->page_size, &run);
	return 0;
}

int khor_ranges_flush(struct khor_ranges *r)
{
	if (!r->open)
		return 0;
	r->open = false;
	r->count++;
	return r->emit ? r->emit(r->arg, r->start, r->end) : 0;
}

void khor_stats_init(struct khor_stats *s, uint64_t page_size)
{
	memset(s, 0, sizeof(*s));
	s->page_size = page_size;
}

static void stats_add(struct khor_stats *s, unsigned int order,
		      uint64_t blocks, uint64_t runs)
{
	if (order < KHOR_MAX_ORDERS)
		s->blocks[order] += blocks;
	if (!s->blocks_total || order > s->max_order)
		s->max_order = order;
	s->blocks_total += blocks;
	s->runs += runs;
	s->preserved_bytes += block_bytes(s->page_size, order) * blocks;
}

void khor_stats_add_run(struct khor_stats *s, const struct khor_run *run)
{
	stats_add(s, run->order, run->count, 1);
}

void khor_stats_add_bitmap(struct khor_stats *s, const struct khor_bitmap *bm)
{
	stats_add(s, bm->order, bm->count, bm->runs);
}

void khor_stats_add_node(struct khor_stats *s, const struct khor_node *node)
{
	bool leaf = node->kind == KHOR_NODE_LEAF || node->kind == KHOR_NODE_BITMAP;

	switch (node->kind) {
	case KHOR_NODE_TABLE:
	case KHOR_NODE_LEAF:
		if (node->level >= 0 && node->level < KHOR_MAX_LEVELS)
			s->nodes[node->level]++;
		break;
	case KHOR_NODE_BITMAP:
		s->nodes[0]++;
		break;
	case KHOR_NODE_CHUNK:
		s->nodes[1]++;
		break;
	}
	s->metadata_bytes += node->size;
	if (leaf) {
		s->leaves++;
		s->empty_leaves += node->used == 0;
		s->leaf_bits_set += node->used;
		s->leaf_bits_total += node->capacity;
	}
}

void khor_check_init(struct khor_check *c, uint64_t page_size)
{
	memset(c, 0, sizeof(*c));
	c->page_size = page_size;
	khor_error_clear(&c->error);
}

int khor_check_add_run(struct khor_check *c, const struct khor_run *run)
{
	uint64_t end = run_end(c->page_size, run);

	/*
	 * Runs arrive sorted by start; a run starting below the furthest end
	 * seen overlaps an earlier block. The kernel never preserves a page
	 * twice (kho_preserve_* would have failed), so this is a kernel bug.
	 */
	if (c->have_prev && run->phys < c->prev_end) {
		if (!c->error.code)
			khor_err_at(&c->error, -KHOR_ECORRUPT, -1, run->phys,
				    "block 0x%llx order %u overlaps block 0x%llx order %u",
				    (unsigned long long)run->phys, run->order,
				    (unsigned long long)c->prev_phys,
				    c->prev_order);
		else
			c->error.count++;
	}
	if (!c->have_prev || end > c->prev_end || end < run->phys) {
		c->prev_end = end;
		c->prev_phys = run->phys + (run->count - 1) *
				block_bytes(c->page_size, run->order);
		c->prev_order = run->order;
	}
	c->have_prev = true;
	return 0;
}

int khor_check_add_bitmap(struct khor_check *c, const struct khor_bitmap *bm)
{
	struct khor_run run;

	if (!span_well_formed(bm) ||
	    (c->have_prev && span_first(bm) < c->prev_end)) {
		/* An overlap: name it and count it exactly as runs would. */
		FOR_EACH_RUN(bm, run)
			khor_check_add_run(c, &run);
		return 0;
	}
	/*
	 * Blocks of one order never overlap each other, and none overlaps
	 * what came before: only the last run moves the furthest end.
	 */
	run = last_run(bm);
	return khor_check_add_run(c, &run);
}
