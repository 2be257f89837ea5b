/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The walker targets (walk_v2.c, walk_v1.c) share this driver. Input:
 *
 *   byte 0     root (or first chunk) page index
 *   byte 1     flags: bit 0 live source, bit 1 one page missing from the
 *              dump, bits 2-3 page size (4, 4, 8, 16 KiB), bits 4-5 kho-v1
 *              bitmap size (detect, 512, 4096, detect)
 *   byte 2     index of the missing page
 *   byte 3     node limit (0: the default)
 *   bytes 4-5  live: change a byte before this read (0: never)
 *   bytes 6-7  live: offset of that byte (modulo the image)
 *   bytes 8-   physical memory from address 0
 *
 * Oracles beyond the sanitizers: runs are well formed and arrive in
 * ascending physical address whatever the memory holds; the walk's return
 * code and its error record agree; a clean walk holds the same blocks
 * when it hands over bitmap spans, which arrive ascending block by block; work is bounded (node reads per
 * distinct node by the number of order cursors), and libFuzzer's
 * -malloc_limit_mb/-rss_limit_mb bound allocation.
 */
#ifndef KHOTOOLS_FUZZ_WALK_H
#define KHOTOOLS_FUZZ_WALK_H

#include <stdio.h>

#include "fuzz_mem.h"

#define WALK_HDR 8

struct walk_check {
	bool have_prev;
	uint64_t prev_phys;
	unsigned int prev_order;
	uint64_t runs;
	uint64_t blocks, digest;	/* order-free digest of the blocks */
};

static void walk_note_block(struct walk_check *c, uint64_t phys,
			    unsigned int order)
{
	uint64_t h = (phys * 64 + order) * UINT64_C(0x9e3779b97f4a7c15);

	c->blocks++;
	c->digest += h ^ (h >> 29);
}

static void walk_note_runs(struct walk_check *c, const struct khor_run *run,
			   unsigned int shift)
{
	for (uint64_t i = 0; i < run->count; i++)
		walk_note_block(c, run->phys + (shift < 64 ? i << shift : 0),
				run->order);
}

static int walk_on_run(void *arg, const struct khor_run *run)
{
	struct walk_check *c = arg;

	if (!run->count || run->order >= KHOR_MAX_ORDERS)
		abort();
	if (c->have_prev && run->phys < c->prev_phys) {
		fprintf(stderr, "run 0x%llx order %u after 0x%llx: not ascending\n",
			(unsigned long long)run->phys, run->order,
			(unsigned long long)c->prev_phys);
		abort();
	}
	c->have_prev = true;
	c->prev_phys = run->phys;
	c->prev_order = run->order;
	c->runs++;
	return 0;
}

/* Run mode: every block, for the span walk to match. */
static unsigned int walk_page_shift;

static int walk_on_run_blocks(void *arg, const struct khor_run *run)
{
	walk_note_runs(arg, run, walk_page_shift + run->order);
	return walk_on_run(arg, run);
}

/*
 * Span mode: well formed, and every block ascending, ties larger first
 * (a span is cut where another order's block lies).
 */
static int walk_on_bitmap(void *arg, const struct khor_bitmap *bm)
{
	struct walk_check *c = arg;
	struct khor_run run;
	uint64_t n = 0, runs = 0;

	if (bm->from >= bm->to || !bm->count || bm->block_shift >= 64 ||
	    bm->block_shift != walk_page_shift + bm->order)
		abort();
	for (uint64_t pos = 0; khor_bitmap_next_run(bm, &pos, &run);) {
		if (c->have_prev &&
		    (run.phys < c->prev_phys ||
		     (run.phys == c->prev_phys && run.order > c->prev_order))) {
			fprintf(stderr, "span block 0x%llx order %u after 0x%llx order %u\n",
				(unsigned long long)run.phys, run.order,
				(unsigned long long)c->prev_phys, c->prev_order);
			abort();
		}
		c->have_prev = true;
		c->prev_phys = run.phys + ((run.count - 1) << bm->block_shift);
		c->prev_order = run.order;
		n += run.count;
		runs++;
		walk_note_runs(c, &run, bm->block_shift);
	}
	if (n != bm->count || runs != bm->runs)
		abort();
	c->runs++;
	return 0;
}

static int walk_on_node(void *arg, const struct khor_node *node)
{
	(void)arg;
	if (node->used > node->capacity)
		abort();
	return 0;
}

static int fuzz_walk(const uint8_t *data, size_t size, enum khor_format fmt)
{
	static const unsigned int shifts[4] = { 12, 12, 13, 14 };
	static const unsigned int bm_sizes[4] = { 0, 512, 4096, 0 };
	struct khor_walk_ops ops = { .run = walk_on_run_blocks,
				     .node = walk_on_node };
	struct fuzz_mem f = { .missing = UINT64_MAX };
	struct walk_check chk = { 0 };
	struct khor_walk_limits lim;
	struct khor_walk_result res;
	struct khor_map map = { .format = fmt };
	uint8_t flags;
	struct khor_mem *m;
	int rc;

	if (size <= WALK_HDR || size > WALK_HDR + (1u << 17))
		return -1;
	flags = data[1];
	khor_geom_init(&map.geom, shifts[(flags >> 2) & 3]);
	map.root = (uint64_t)data[0] << map.geom.page_shift;
	map.v1_bitmap_size = bm_sizes[(flags >> 4) & 3];
	lim.max_nodes = data[3];
	m = fuzz_mem_open(&f, data + WALK_HDR, size - WALK_HDR,
			  UINT64_C(1) << map.geom.page_shift, flags & 1);
	if (!m)
		return 0;
	if (flags & 2)
		f.missing = (uint64_t)data[2] << map.geom.page_shift;
	if (flags & 1) {
		f.mutate_at = fuzz_le(data + 4, 2);
		f.mutate_off = (size_t)fuzz_le(data + 6, 2);
	}

	walk_page_shift = map.geom.page_shift;
	rc = khor_walk(m, &map, &lim, &ops, &chk, &res);

	/* A failure is explained; a success has nothing to explain. */
	if (!rc != !res.error.code || (rc && !res.error.msg[0]))
		abort();
	if (rc != 0 && rc != -KHOR_ECORRUPT && rc != -KHOR_ENODATA &&
	    rc != -KHOR_ECHANGED && rc != -KHOR_ELIMIT &&
	    !(rc == -KHOR_EINVAL && fmt == KHOR_FMT_V1 && map.v1_bitmap_size &&
	      map.v1_bitmap_size != 512 &&
	      map.v1_bitmap_size != UINT64_C(1) << map.geom.page_shift))
		abort();
	if (rc && rc != res.error.code) {
		fprintf(stderr, "walk returned %d, its error record says %d: %s\n",
			rc, res.error.code, res.error.msg);
		abort();
	}
	if (rc == -KHOR_ECHANGED && !(flags & 1))
		abort();
	if (res.runs != chk.runs)
		abort();
	if (rc != -KHOR_ECHANGED && !(flags & 1) && res.verified)
		abort();
	if (res.node_reads > 2 * (uint64_t)KHOR_MAX_ORDERS * (res.nodes + 1)) {
		fprintf(stderr, "%llu node reads for %llu nodes\n",
			(unsigned long long)res.node_reads,
			(unsigned long long)res.nodes);
		abort();
	}

	/*
	 * Differential: the same walk with bitmap spans holds the
	 * same blocks. Only for a clean walk of a static source: a live one
	 * changes, and with problems or limits which cursor reaches a shared
	 * page first (and so what is skipped) depends on the interleaving.
	 */
	if (!rc && !(flags & 1)) {
		struct walk_check spans = { 0 };
		struct khor_walk_result res2;

		ops.run = walk_on_run_blocks;
		ops.bitmap = walk_on_bitmap;
		rc = khor_walk(m, &map, &lim, &ops, &spans, &res2);
		if (rc || spans.blocks != chk.blocks ||
		    spans.digest != chk.digest || res2.blocks != res.blocks ||
		    res2.runs != spans.runs || res2.nodes != res.nodes) {
			fprintf(stderr, "span walk: rc %d, %llu blocks, %llu with runs\n",
				rc, (unsigned long long)spans.blocks,
				(unsigned long long)chk.blocks);
			abort();
		}
	}
	fuzz_mem_close(&f, m);
	return 0;
}

#endif /* KHOTOOLS_FUZZ_WALK_H */
