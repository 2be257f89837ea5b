// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bitmap spans: a walk whose consumer takes khor_bitmap spans
 * must describe exactly the blocks that the same walk hands over as runs,
 * and the sinks fed spans must end in exactly the state they reach when
 * fed the runs the spans hold. Both are checked against a bit-by-bit
 * reference, on bitmaps and trees drawn from a fixed seed (so a failure
 * reproduces), plus the hand-made cases where a span must be split.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"

#define SIM_NPAGES 512
#define SIM_ARENA 0x40000000ULL
#include "sim_tree.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

/* ---- the reference: bits one at a time ---- */

static bool bit_set(const uint64_t *w, uint64_t i)
{
	return w[i / 64] >> (i % 64) & 1;
}

/* Feed the runs of [from, to) to @fn, found bit by bit. */
static void ref_runs(const struct khor_bitmap *bm,
		     void (*fn)(void *arg, const struct khor_run *run), void *arg)
{
	for (uint64_t i = bm->from; i < bm->to;) {
		uint64_t e = i;

		if (!bit_set(bm->words, i)) {
			i++;
			continue;
		}
		while (e < bm->to && bit_set(bm->words, e))
			e++;
		fn(arg, &(struct khor_run){
			.phys = bm->base + (i << bm->block_shift),
			.count = e - i, .order = bm->order });
		i = e;
	}
}

/* ---- sinks ---- */

struct sinks {
	struct khor_ranges listed;	/* emits into the log */
	struct khor_ranges counted;	/* emit NULL */
	struct khor_stats stats;
	struct khor_check check;
	uint64_t log_hash, log_n;
};

static int log_range(void *arg, uint64_t start, uint64_t end)
{
	struct sinks *s = arg;

	s->log_hash = (s->log_hash ^ start) * 0x100000001b3ULL;
	s->log_hash = (s->log_hash ^ end) * 0x100000001b3ULL;
	s->log_n++;
	return 0;
}

static void sinks_init(struct sinks *s)
{
	memset(s, 0, sizeof(*s));
	khor_ranges_init(&s->listed, PAGE, log_range, s);
	khor_ranges_init(&s->counted, PAGE, NULL, NULL);
	khor_stats_init(&s->stats, PAGE);
	khor_check_init(&s->check, PAGE);
}

static void sinks_run(void *arg, const struct khor_run *run)
{
	struct sinks *s = arg;

	khor_ranges_add(&s->listed, run);
	khor_ranges_add(&s->counted, run);
	khor_stats_add_run(&s->stats, run);
	khor_check_add_run(&s->check, run);
}

static void sinks_bitmap(struct sinks *s, const struct khor_bitmap *bm)
{
	khor_ranges_add_bitmap(&s->listed, bm);
	khor_ranges_add_bitmap(&s->counted, bm);
	khor_stats_add_bitmap(&s->stats, bm);
	khor_check_add_bitmap(&s->check, bm);
}

static bool ranges_equal(const struct khor_ranges *a, const struct khor_ranges *b)
{
	return a->open == b->open && a->count == b->count &&
	       (!a->open || (a->start == b->start && a->end == b->end));
}

/* Where the states differ, or NULL. */
static const char *sinks_differ(const struct sinks *a, const struct sinks *b)
{
	if (!ranges_equal(&a->listed, &b->listed) || a->log_n != b->log_n ||
	    a->log_hash != b->log_hash)
		return "listed ranges";
	if (!ranges_equal(&a->counted, &b->counted) ||
	    a->counted.count != b->listed.count)
		return "counted ranges";
	if (memcmp(&a->stats, &b->stats, sizeof(a->stats)))
		return "stats";
	if (a->check.have_prev != b->check.have_prev ||
	    a->check.prev_phys != b->check.prev_phys ||
	    a->check.prev_end != b->check.prev_end ||
	    a->check.prev_order != b->check.prev_order ||
	    a->check.error.code != b->check.error.code ||
	    a->check.error.count != b->check.error.count ||
	    strcmp(a->check.error.msg, b->check.error.msg))
		return "check";
	return NULL;
}

#define WORDS 8

static void fill_words(uint64_t *w)
{
	for (int i = 0; i < WORDS; i++) {
		switch (below(5)) {
		case 0:
			w[i] = 0;
			break;
		case 1:
			w[i] = ~0ULL;
			break;
		case 2:
			w[i] = rnd() & rnd() & rnd();	/* sparse */
			break;
		case 3:
			w[i] = ~(rnd() & rnd());	/* long runs */
			break;
		default:
			w[i] = rnd();
		}
	}
}

static void test_sinks(void)
{
	unsigned int bad = 0, cases = 0, next_bad = 0, counts_bad = 0;
	const char *first_diff = NULL;

	for (int iter = 0; iter < 20000; iter++) {
		uint64_t w[WORDS], from = below(WORDS * 64), pos, n = 0;
		struct khor_bitmap bm = { .words = w };
		struct sinks a, b;
		struct khor_run prior, run;
		const char *diff;
		int kind = (int)below(5);

		fill_words(w);
		while (from < WORDS * 64 && !bit_set(w, from))
			from++;
		if (from == WORDS * 64)
			continue;
		bm.from = from;
		bm.to = from + 1 + below(WORDS * 64 - from);
		bm.order = (unsigned int)below(11);
		bm.block_shift = 12 + bm.order;
		bm.base = (0x100000000ULL + below(1 << 20) * PAGE) &
			  ~((1ULL << bm.block_shift) - 1);
		for (uint64_t i = bm.from; i < bm.to; i++) {
			n += bit_set(w, i);
			bm.runs += bit_set(w, i) && (i == bm.from || !bit_set(w, i - 1));
		}
		bm.count = n;

		/* What came before: nothing, a gap, adjacent, or overlapping. */
		sinks_init(&a);
		sinks_init(&b);
		prior.order = (unsigned int)below(12);
		prior.count = 1 + below(3);
		{
			uint64_t first = bm.base + (bm.from << bm.block_shift);
			uint64_t bytes = (uint64_t)PAGE << prior.order;
			uint64_t len = bytes * prior.count;

			prior.phys = kind == 1 ? first - len - bytes :
				     kind == 2 ? first - len :
				     first - len + (1 + below(len / PAGE)) * PAGE;
			prior.phys &= ~(bytes - 1);
		}
		if (kind) {
			sinks_run(&a, &prior);
			sinks_run(&b, &prior);
		}
		sinks_bitmap(&a, &bm);
		ref_runs(&bm, sinks_run, &b);
		khor_ranges_flush(&a.listed);
		khor_ranges_flush(&b.listed);
		khor_ranges_flush(&a.counted);
		khor_ranges_flush(&b.counted);
		cases++;
		diff = sinks_differ(&a, &b);
		if (diff) {
			if (!bad++)
				first_diff = diff;
		}

		/* khor_bitmap_next_run() against the reference runs. */
		{
			struct sinks c, d;

			sinks_init(&c);
			sinks_init(&d);
			for (pos = 0; khor_bitmap_next_run(&bm, &pos, &run);)
				sinks_run(&c, &run);
			ref_runs(&bm, sinks_run, &d);
			if (sinks_differ(&c, &d) || c.stats.runs != d.stats.runs)
				next_bad++;
			if (c.stats.blocks_total != bm.count)
				counts_bad++;
		}
	}
	tap_ok(cases > 10000 && !bad,
	       "sinks fed spans equal sinks fed their runs: %u of %u differ%s%s",
	       bad, cases, first_diff ? ", first in " : "",
	       first_diff ? first_diff : "");
	tap_ok(!next_bad && !counts_bad,
	       "khor_bitmap_next_run() finds the reference's runs (%u, %u differ)",
	       next_bad, counts_bad);
}

/* ---- walks ---- */

struct blocks {
	uint64_t n, sum, xsum;		/* order-free digest of the multiset */
	uint64_t seq;			/* digest of the sequence */
	uint64_t prev_phys;
	unsigned int prev_order;
	bool have_prev, descending;	/* a block arrived out of order */
	uint64_t spans, pieces_of_runs;
	struct sinks sinks;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	return x ^ (x >> 33);
}

static void note_block(struct blocks *b, uint64_t phys, unsigned int order)
{
	uint64_t h = mix(phys * 64 + order);

	if (b->have_prev && (phys < b->prev_phys ||
			     (phys == b->prev_phys && order > b->prev_order)))
		b->descending = true;
	b->have_prev = true;
	b->prev_phys = phys;
	b->prev_order = order;
	b->n++;
	b->sum += h;
	b->xsum ^= h;
	b->seq = mix(b->seq ^ h);
}

static int on_run(void *arg, const struct khor_run *run)
{
	struct blocks *b = arg;

	for (uint64_t i = 0; i < run->count; i++)
		note_block(b, run->phys + i * ((uint64_t)PAGE << run->order),
			   run->order);
	sinks_run(&b->sinks, run);
	return 0;
}

static int on_bitmap(void *arg, const struct khor_bitmap *bm)
{
	struct blocks *b = arg;
	struct khor_run run;

	b->spans++;
	for (uint64_t pos = 0; khor_bitmap_next_run(bm, &pos, &run);)
		for (uint64_t i = 0; i < run.count; i++)
			note_block(b, run.phys + (i << bm->block_shift), bm->order);
	sinks_bitmap(&b->sinks, bm);
	return 0;
}

static int walk(uint64_t root, bool spans, struct blocks *b,
		struct khor_walk_result *res)
{
	struct khor_mem_info info = { .phys_end = ARENA + NPAGES * PAGE, .kind = "sim" };
	struct khor_walk_ops ops = { .run = on_run,
				     .bitmap = spans ? on_bitmap : NULL };
	struct khor_map map = { .format = KHOR_FMT_RADIX, .root = root };
	struct khor_mem *m;
	int rc;

	khor_geom_init(&map.geom, 12);
	memset(b, 0, sizeof(*b));
	sinks_init(&b->sinks);
	if (khor_mem_create(&sim_ops, NULL, &info, &m))
		return -999;
	rc = khor_walk(m, &map, NULL, &ops, b, res);
	khor_mem_destroy(m);
	khor_ranges_flush(&b->sinks.listed);
	khor_ranges_flush(&b->sinks.counted);
	return rc;
}

/* Placed blocks and stretches, to keep a tree free of overlaps. */
static uint64_t placed_lo[400], placed_hi[400];
static unsigned int nplaced;

static bool place(bool disjoint, uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; disjoint && i < nplaced; i++)
		if (lo < placed_hi[i] && placed_lo[i] < hi)
			return false;
	if (nplaced < 400) {
		placed_lo[nplaced] = lo;
		placed_hi[nplaced++] = hi;
	}
	return true;
}

/*
 * A random tree around one GiB-aligned window: dense stretches of order-0
 * pages (crossing leaves), and scattered blocks of orders 0-12 whose keys
 * share those leaves' neighbourhoods. @disjoint: no two blocks overlap.
 */
static uint64_t random_tree(bool disjoint)
{
	uint64_t root = new_tree();
	uint64_t win = (1 + below(8)) << 30;

	nplaced = 0;
	for (int i = 0, n = (int)below(5); i < n; i++) {
		uint64_t start = win + below(1 << 16) * PAGE, len = below(70000);

		if (!place(disjoint, start, start + len * PAGE))
			continue;
		for (uint64_t p = 0; p < len; p++)
			if (below(4))
				add(root, start + p * PAGE, 0);
	}
	for (int i = 0, n = (int)below(300); i < n && next_page < NPAGES - 8; i++) {
		unsigned int order = (unsigned int)below(13);
		uint64_t bytes = (uint64_t)PAGE << order;
		uint64_t pa = (win + below(1ULL << 29)) & ~(bytes - 1);

		if (place(disjoint, pa, pa + bytes))
			add(root, pa, order);
	}
	return root;
}

static void test_walks(void)
{
	unsigned int trees = 0, bad_rc = 0, bad_set = 0, bad_order = 0,
		     bad_seq = 0, bad_sinks = 0, bad_res = 0;
	uint64_t spans = 0, blocks = 0;

	for (int t = 0; t < 120; t++) {
		struct khor_walk_result ra, rb;
		static struct blocks a, b;
		bool disjoint = t % 2;
		uint64_t root;
		int rca, rcb;

		reset();
		root = random_tree(disjoint);
		rca = walk(root, false, &a, &ra);
		rcb = walk(root, true, &b, &rb);
		trees++;
		bad_rc += rca || rcb;
		bad_set += a.n != b.n || a.sum != b.sum || a.xsum != b.xsum;
		bad_order += b.descending || (disjoint && a.descending);
		bad_seq += disjoint && a.seq != b.seq;
		bad_res += ra.blocks != rb.blocks || ra.nodes != rb.nodes ||
			   rb.blocks != b.n;
		/* Run boundaries differ (a run may cross leaves), the rest not. */
		bad_sinks += a.sinks.log_n != b.sinks.log_n ||
			     a.sinks.log_hash != b.sinks.log_hash ||
			     !ranges_equal(&a.sinks.counted, &b.sinks.counted) ||
			     b.sinks.counted.count != b.sinks.log_n ||
			     memcmp(a.sinks.stats.blocks, b.sinks.stats.blocks,
				    sizeof(a.sinks.stats.blocks)) ||
			     a.sinks.stats.preserved_bytes != b.sinks.stats.preserved_bytes ||
			     a.sinks.stats.max_order != b.sinks.stats.max_order ||
			     !a.sinks.check.error.code != !b.sinks.check.error.code ||
			     (disjoint && a.sinks.check.error.code);
		spans += b.spans;
		blocks += b.n;
	}
	tap_ok(!bad_rc, "%u random trees walk cleanly both ways (%u fail)", trees, bad_rc);
	tap_ok(!bad_set, "spans hold exactly the blocks the runs hold (%u differ; %llu blocks in %llu spans)",
	       bad_set, (unsigned long long)blocks, (unsigned long long)spans);
	tap_ok(spans > 1000, "the span path is exercised (%llu spans)",
	       (unsigned long long)spans);
	tap_ok(!bad_order, "spans arrive ascending, split around other orders (%u not)", bad_order);
	tap_ok(!bad_seq, "without overlaps, the same block sequence (%u differ)", bad_seq);
	tap_ok(!bad_res, "walk results agree (%u differ)", bad_res);
	tap_ok(!bad_sinks, "ranges, stats and the overlap check agree (%u differ)", bad_sinks);
}

/* What the consumer is handed, callback by callback. */
static char cb_log[4096];
static size_t cb_len;

static int log_run(void *arg, const struct khor_run *run)
{
	(void)arg;
	cb_len += (size_t)snprintf(cb_log + cb_len, sizeof(cb_log) - cb_len,
				   "run 0x%llx %llu order %u\n",
				   (unsigned long long)run->phys,
				   (unsigned long long)run->count, run->order);
	return 0;
}

static int log_bitmap(void *arg, const struct khor_bitmap *bm)
{
	(void)arg;
	cb_len += (size_t)snprintf(cb_log + cb_len, sizeof(cb_log) - cb_len,
				   "bitmap 0x%llx [%llu, %llu) %llu order %u\n",
				   (unsigned long long)bm->base,
				   (unsigned long long)bm->from,
				   (unsigned long long)bm->to,
				   (unsigned long long)bm->count, bm->order);
	return 0;
}

/* Stop after the first span with a value of our own. */
static unsigned int stop_calls;

static int stop_bitmap(void *arg, const struct khor_bitmap *bm)
{
	(void)arg;
	(void)bm;
	stop_calls++;
	return 7;
}

static int walk_stopped(uint64_t root)
{
	struct khor_mem_info info = { .phys_end = ARENA + NPAGES * PAGE, .kind = "sim" };
	struct khor_walk_ops ops = { .run = log_run, .bitmap = stop_bitmap };
	struct khor_map map = { .format = KHOR_FMT_RADIX, .root = root };
	struct khor_walk_result res;
	struct khor_mem *m;
	int rc;

	khor_geom_init(&map.geom, 12);
	stop_calls = 0;
	if (khor_mem_create(&sim_ops, NULL, &info, &m))
		return -999;
	rc = khor_walk(m, &map, NULL, &ops, NULL, &res);
	khor_mem_destroy(m);
	return rc;
}

static const char *walk_log(uint64_t root)
{
	struct khor_mem_info info = { .phys_end = ARENA + NPAGES * PAGE, .kind = "sim" };
	struct khor_walk_ops ops = { .run = log_run, .bitmap = log_bitmap };
	struct khor_map map = { .format = KHOR_FMT_RADIX, .root = root };
	struct khor_walk_result res;
	struct khor_mem *m;

	khor_geom_init(&map.geom, 12);
	cb_len = 0;
	cb_log[0] = 0;
	if (khor_mem_create(&sim_ops, NULL, &info, &m))
		return "no memory source";
	if (khor_walk(m, &map, NULL, &ops, NULL, &res))
		snprintf(cb_log, sizeof(cb_log), "walk failed: %s", res.error.msg);
	khor_mem_destroy(m);
	return cb_log;
}

static void test_split(void)
{
	uint64_t root;

	/*
	 * Order-0 pages 0-63 and 100-110 of the leaf at 4 GiB, and an
	 * order-3 block at page 80 between them: the order-0 span goes in
	 * two pieces around it, cut at the order-3 block's address (and the
	 * order-3 span before the next order-0 page); every piece ends at
	 * its last block.
	 */
	reset();
	root = new_tree();
	for (uint64_t p = 0; p < 64; p++)
		add(root, 0x100000000ULL + p * PAGE, 0);
	for (uint64_t p = 100; p < 111; p++)
		add(root, 0x100000000ULL + p * PAGE, 0);
	add(root, 0x100000000ULL + 80 * PAGE, 3);
	tap_eq_str(walk_log(root),
		   "bitmap 0x100000000 [0, 64) 64 order 0\n"
		   "bitmap 0x100000000 [10, 11) 1 order 3\n"
		   "bitmap 0x100000000 [100, 111) 11 order 0\n",
		   "a span is cut where another order's block lies");
	{
		int rc = walk_stopped(root);

		tap_ok(rc == 7 && stop_calls == 1,
		       "a bitmap callback's non-zero value stops the walk and is returned (rc %d, %u calls)",
		       rc, stop_calls);
	}

	/* Blocks too large for a whole leaf in their key range go as runs. */
	reset();
	root = new_tree();
	add(root, 0x0, 38);
	add(root, 0x8000000000000ULL >> 12 << 12, 0);
	tap_eq_str(walk_log(root),
		   "run 0x0 1 order 38\n"
		   "bitmap 0x8000000000000 [0, 1) 1 order 0\n",
		   "order 38 (a key range smaller than a leaf) goes as a run");
}

/* Spans a caller builds by hand need not be what a walk guarantees. */
static void test_malformed(void)
{
	uint64_t w[2] = { 0xf0, 0x1 };
	struct khor_bitmap bms[] = {
		{ .words = w, .base = 0x100000, .from = 0, .to = 128, .count = 5,
		  .runs = 2, .order = 0, .block_shift = 12 },	/* bit @from clear */
		{ .words = w, .base = 0x100000, .from = 9, .to = 9, .count = 0,
		  .order = 0, .block_shift = 12 },		/* empty */
		{ .words = w, .base = 0, .from = 4, .to = 5, .count = 1,
		  .runs = 1, .order = 52, .block_shift = 64 },	/* 2^64 bytes */
		{ .words = w, .base = 0x100000, .from = 4, .to = 128, .count = 5,
		  .order = 0, .block_shift = 12 },		/* no runs counted */
	};
	unsigned int bad = 0;

	for (size_t i = 0; i < sizeof(bms) / sizeof(bms[0]); i++) {
		struct sinks a, b;

		sinks_init(&a);
		sinks_init(&b);
		sinks_bitmap(&a, &bms[i]);
		if (bms[i].block_shift < 64)
			ref_runs(&bms[i], sinks_run, &b);
		khor_ranges_flush(&a.listed);
		khor_ranges_flush(&b.listed);
		khor_ranges_flush(&a.counted);
		khor_ranges_flush(&b.counted);
		/* stats takes @count and @runs as given; compare the rest. */
		a.stats.runs = b.stats.runs;
		a.stats.blocks[bms[i].order] = b.stats.blocks[bms[i].order];
		a.stats.blocks_total = b.stats.blocks_total;
		a.stats.preserved_bytes = b.stats.preserved_bytes;
		a.stats.max_order = b.stats.max_order;
		if (sinks_differ(&a, &b)) {
			bad++;
			printf("#   span %zu: %s differ\n", i, sinks_differ(&a, &b));
		}
	}
	tap_ok(!bad, "hand-built spans that break the walk's promises go run by run (%u differ)",
	       bad);
}

int main(void)
{
	test_malformed();
	test_sinks();
	test_walks();
	test_split();
	return tap_done();
}
