// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khor_walk(): runs per-order cursors of the map's walker and merges them
 * into one ascending stream; owns limits, the visited set, the node cache,
 * the classification of problems (corrupt vs. not in the dump) and, for
 * live memory, the torn-read check.
 *
 * Torn reads. On a live system the kernel preserves and
 * unpreserves while we walk, so a walk may follow a pointer written after
 * the table holding it was read, or miss a bit set meanwhile, and print a
 * tree that never existed. For a live source (khor_mem_info.live) the walk
 * is a double collect: every metadata page is hashed when first read; a
 * page read again (another order's cursor, a cache miss) must hash the
 * same; and when the walk is over, every page is read once more and
 * compared. If none changed, each page held the contents we used over the
 * whole interval from its first read to its final read, and all those
 * intervals contain the moment between the last first read and the first
 * final read: the output is exactly the map as it was at that moment. If
 * one changed, the walk says so (-KHOR_ECHANGED, "changed while being
 * read"). A page changed and changed back between the two reads (ABA) is
 * not seen; a page read torn is, unless the tear equals the final contents,
 * which are then the true ones.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memsrc.h"
#include "walk_internal.h"

void khor_walk_problem(struct khor_walk_ctx *w, int code, int level,
		       uint64_t phys, const char *fmt, ...)
{
	struct khor_error *slot;
	va_list ap;

	w->problems++;
	slot = code == -KHOR_ENODATA ? &w->first_nodata :
	       code == -KHOR_ECHANGED ? &w->first_changed : &w->first_corrupt;
	if (slot->code)
		return;
	va_start(ap, fmt);
	khor_verr_at(slot, code, level, phys, true, fmt, ap);
	va_end(ap);
}

/* splitmix64 finalizer: physical addresses are page aligned, spread them. */
static size_t visited_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return (size_t)x;
}

static int visited_grow(struct khor_visited *v, bool live)
{
	size_t nsize = v->mask ? (v->mask + 1) * 2 : 1024;
	uint64_t *keys = calloc(nsize, sizeof(*keys));
	uint64_t *tags = calloc(nsize, sizeof(*tags));
	uint64_t *sums = live ? calloc(nsize, sizeof(*sums)) : NULL;
	uint32_t *lens = live ? calloc(nsize, sizeof(*lens)) : NULL;

	if (!keys || !tags || (live && (!sums || !lens))) {
		free(keys);
		free(tags);
		free(sums);
		free(lens);
		return -KHOR_ENOMEM;
	}
	for (size_t i = 0; v->mask && i <= v->mask; i++) {
		size_t j;

		if (!v->keys[i])
			continue;
		for (j = visited_hash(v->keys[i]) & (nsize - 1); keys[j];
		     j = (j + 1) & (nsize - 1))
			;
		keys[j] = v->keys[i];
		tags[j] = v->tags[i];
		if (live) {
			sums[j] = v->sums[i];
			lens[j] = v->lens[i];
		}
	}
	free(v->keys);
	free(v->tags);
	free(v->sums);
	free(v->lens);
	v->keys = keys;
	v->tags = tags;
	v->sums = sums;
	v->lens = lens;
	v->mask = nsize - 1;
	return 0;
}

/* Slot of @phys in the visited set, or SIZE_MAX. */
static size_t visited_find(const struct khor_visited *v, uint64_t phys)
{
	uint64_t key = phys + 1;

	if (!v->mask)
		return SIZE_MAX;
	for (size_t i = visited_hash(key) & v->mask; v->keys[i];
	     i = (i + 1) & v->mask)
		if (v->keys[i] == key)
			return i;
	return SIZE_MAX;
}

/*
 * Content hash for the torn-read check: FNV-1a over 64-bit words (and the
 * tail), never 0 (0 marks "not read"). A collision hides a change with odds
 * of 2^-64 per page.
 */
static uint64_t content_sum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ len, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * UINT64_C(0x100000001b3);
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * UINT64_C(0x100000001b3);
	return h ? h : 1;
}

static void describe_page(const struct khor_walk_ctx *w, size_t slot,
			  char *buf, size_t len)
{
	if (w->describe)
		w->describe(w->visited.tags[slot], buf, len);
	else if (w->visited.lens[slot] == w->page_size)
		snprintf(buf, len, "metadata page");
	else
		snprintf(buf, len, "%u-byte metadata object",
			 w->visited.lens[slot]);
}

static void changed_problem(struct khor_walk_ctx *w, size_t slot,
			    const char *extra)
{
	uint64_t phys = w->visited.keys[slot] - 1;
	int level = -1;
	char what[64];

	describe_page(w, slot, what, sizeof(what));
	if (w->map->format == KHOR_FMT_RADIX)
		level = (int)(w->visited.tags[slot] >> 56);
	khor_walk_problem(w, -KHOR_ECHANGED, level, phys,
			  "%s at 0x%llx: changed while being read%s (the map is live: the output may mix two states of it)",
			  what, (unsigned long long)phys, extra);
}

/*
 * Live sources: note what a page read from memory holds, or, if it was
 * read before, check that it still holds that.
 */
static void note_contents(struct khor_walk_ctx *w, uint64_t phys,
			  const void *buf, size_t len)
{
	struct khor_visited *v = &w->visited;
	size_t slot = visited_find(v, phys);
	uint64_t sum;

	if (slot == SIZE_MAX || len > UINT32_MAX)
		return;
	sum = content_sum(buf, len);
	if (v->sums[slot] && v->lens[slot] == len && v->sums[slot] != sum)
		changed_problem(w, slot, "");
	v->sums[slot] = sum;
	v->lens[slot] = (uint32_t)len;
}

/*
 * Live sources, at the end of a walk: read every page used once more. The
 * problem reported is the lowest changed address, so that the message does
 * not depend on the hash table's layout; all are counted.
 */
static int verify_live(struct khor_walk_ctx *w)
{
	struct khor_visited *v = &w->visited;
	size_t first = SIZE_MAX, nchanged = 0;
	const char *why = "";
	char reason[300];
	uint8_t *buf;

	if (!v->mask)
		return 0;
	buf = malloc(w->page_size);
	if (!buf)
		return -KHOR_ENOMEM;
	for (size_t i = 0; i <= v->mask; i++) {
		uint64_t phys = v->keys[i] - 1;
		bool changed;
		int rc;

		if (!v->keys[i] || !v->sums[i] || v->lens[i] > w->page_size)
			continue;
		w->res->verified++;
		rc = khor_mem_read(w->mem, phys, buf, v->lens[i]);
		changed = rc || content_sum(buf, v->lens[i]) != v->sums[i];
		if (!changed)
			continue;
		nchanged++;
		if (first == SIZE_MAX || phys < v->keys[first] - 1) {
			first = i;
			if (rc) {
				snprintf(reason, sizeof(reason),
					 " (it cannot be read again: %s)",
					 khor_mem_errmsg(w->mem));
				why = reason;
			} else {
				why = "";
			}
		}
	}
	free(buf);
	if (first != SIZE_MAX) {
		changed_problem(w, first, why);
		w->problems += nchanged - 1;
	}
	return 0;
}

int khor_walk_visit(struct khor_walk_ctx *w, uint64_t phys, uint64_t tag,
		    uint64_t *prev_tag)
{
	struct khor_visited *v = &w->visited;
	uint64_t key = phys + 1;
	size_t i;
	int rc;

	if (!v->mask || (v->used + 1) * 2 > v->mask + 1) {
		rc = visited_grow(v, w->live);
		if (rc)
			return rc;
	}
	for (i = visited_hash(key) & v->mask; v->keys[i]; i = (i + 1) & v->mask) {
		if (v->keys[i] != key)
			continue;
		if (v->tags[i] == tag)
			return 1;
		*prev_tag = v->tags[i];
		return -1;
	}
	if (v->used >= w->max_nodes) {
		w->fatal = -KHOR_ELIMIT;
		khor_err_at(&w->first_corrupt, -KHOR_ELIMIT, -1, phys,
			    "walk stopped after %llu metadata pages (limit; raise it with --max-nodes)",
			    (unsigned long long)v->used);
		return -KHOR_ELIMIT;
	}
	v->keys[i] = key;
	v->tags[i] = tag;
	v->used++;
	w->res->nodes = v->used;
	return 0;
}

int khor_walk_read_node(struct khor_walk_ctx *w, uint64_t phys, void *buf,
			size_t len, int level, const char *what,
			const char *from)
{
	size_t slot = (size_t)(phys / w->page_size) % KHOR_NODE_CACHE;
	bool cacheable = len <= w->page_size;
	int rc;

	w->res->node_reads++;
	if (cacheable && w->cache_data && w->cache_len[slot] == len &&
	    w->cache_phys[slot] == phys) {
		memcpy(buf, w->cache_data + slot * w->page_size, len);
		return 0;
	}
	rc = khor_mem_read(w->mem, phys, buf, len);
	if (!rc && w->live)
		note_contents(w, phys, buf, len);
	if (rc == -KHOR_ENODATA) {
		khor_walk_problem(w, rc, level, phys, "%s at 0x%llx%s%s%s: not in the dump (%s)",
				  what, (unsigned long long)phys,
				  from ? " (" : "", from ? from : "", from ? ")" : "",
				  khor_mem_errmsg(w->mem));
		return 1;
	}
	if (rc) {
		/* A pointer outside memory or into a truncated file: corrupt. */
		khor_walk_problem(w, -KHOR_ECORRUPT, level, phys,
				  "%s at 0x%llx%s%s%s: cannot be read: %s", what,
				  (unsigned long long)phys, from ? " (" : "",
				  from ? from : "", from ? ")" : "",
				  khor_mem_errmsg(w->mem));
		return 1;
	}
	if (cacheable) {
		if (!w->cache_data)
			w->cache_data = malloc(KHOR_NODE_CACHE * w->page_size);
		if (w->cache_data) {
			memcpy(w->cache_data + slot * w->page_size, buf, len);
			w->cache_phys[slot] = phys;
			w->cache_len[slot] = len;
		}
	}
	return 0;
}

int khor_walk_report_node(struct khor_walk_ctx *w, const struct khor_node *node)
{
	int rc;

	if (!w->ops || !w->ops->node)
		return 0;
	rc = w->ops->node(w->arg, node);
	if (rc)
		w->fatal = rc;
	return rc;
}

/*
 * ops->progress: every KHOR_PROGRESS_NODES metadata pages, between runs.
 * @end is the end of the last block reported (0 if it wrapped).
 */
static int report_progress(struct khor_walk_ctx *w, uint64_t blocks,
			   unsigned int order, uint64_t end,
			   struct khor_walk_progress *p, uint64_t *next)
{
	unsigned int shift = w->map->geom.page_shift + order;

	p->blocks += blocks;
	if (shift < 64)
		p->bytes += blocks << shift;
	if (end > p->phys)
		p->phys = end;
	if (w->res->nodes < *next)
		return 0;
	*next = w->res->nodes + KHOR_PROGRESS_NODES;
	p->nodes = w->res->nodes;
	return w->ops->progress(w->arg, p);
}

struct merge {
	struct khor_walk_ctx *w;
	struct khor_cursor *cur[KHOR_MAX_ORDERS];
	struct khor_head head[KHOR_MAX_ORDERS];
	size_t live;
	struct khor_walk_progress prog;
	uint64_t next_progress;
};

/* Ask cursor @i for its next head; drop it at its end. */
static int merge_advance(struct merge *m, size_t i)
{
	int rc = m->cur[i]->next(m->cur[i], &m->head[i]);

	if (rc < 0)
		return rc;
	if (m->w->fatal)
		return m->w->fatal;
	if (rc == 0) {
		m->live--;
		m->cur[i] = m->cur[m->live];
		m->head[i] = m->head[m->live];
	}
	return 0;
}

/* Head @a comes before head @b: lower address, or the larger block first. */
static bool head_before(const struct khor_head *a, const struct khor_head *b)
{
	return a->run.phys < b->run.phys ||
	       (a->run.phys == b->run.phys && a->run.order > b->run.order);
}

static int deliver_run(struct merge *m, const struct khor_run *run)
{
	struct khor_walk_ctx *w = m->w;
	unsigned int shift = w->map->geom.page_shift + run->order;
	int rc;

	w->res->runs++;
	w->res->blocks += run->count;
	if (w->ops && w->ops->run) {
		rc = w->ops->run(w->arg, run);
		if (rc)
			return rc;
	}
	if (w->ops && w->ops->progress)
		return report_progress(w, run->count, run->order,
				       shift < 64 ? run->phys + (run->count << shift) : 0,
				       &m->prog, &m->next_progress);
	return 0;
}

/*
 * Hand over the blocks of span @h that come before every other head
 * (@other, NULL if none), as one khor_bitmap; leave @h at its next set
 * bit, or set *@used_up. Returns 0 or the callbacks' non-zero value (any
 * value stops the walk, as for runs).
 */
static int deliver_span(struct merge *m, struct khor_head *h,
			const struct khor_head *other, bool *used_up)
{
	struct khor_walk_ctx *w = m->w;
	unsigned int shift = w->map->geom.page_shift + h->run.order;
	struct khor_bitmap bm = {
		.words = h->words, .base = h->base, .from = h->pos, .to = h->to,
		.order = h->run.order, .block_shift = shift,
	};
	uint64_t s, end;
	int rc;

	if (other) {
		/* Bits below lim are blocks below the other head's address. */
		uint64_t d = other->run.phys - h->base;
		uint64_t lim = (d >> shift) + !!(d & ((UINT64_C(1) << shift) - 1));

		if (lim <= h->pos)
			lim = h->pos + 1;	/* equal addresses, ours larger */
		if (lim < bm.to)
			bm.to = lim;
	}
	/* The span given ends at its last block, so sinks find it at once. */
	end = bm.to;
	khor_bitmap_count_runs(bm.words, bm.from, end, &bm.count, &bm.runs,
			       &bm.to);
	w->res->runs++;
	w->res->blocks += bm.count;
	rc = w->ops->bitmap(w->arg, &bm);
	if (rc)
		return rc;
	if (w->ops->progress) {
		rc = report_progress(w, bm.count, bm.order,
				     h->base + (bm.to << shift),
				     &m->prog, &m->next_progress);
		if (rc)
			return rc;
	}
	*used_up = end == h->to || !khor_bitmap_find_set(h->words, end, h->to, &s);
	if (*used_up)
		return 0;
	h->pos = s;
	h->run.phys = h->base + (s << shift);
	return 0;
}

/*
 * Merge the cursors' ascending streams. There are at most one cursor per
 * order (64), and in practice a dozen are live, so a linear minimum is as
 * fast as a heap and simpler. A run goes out whole (in a valid map no
 * other block lies inside it); a span goes out up to the next other head.
 */
static int merge_runs(struct khor_walk_ctx *w, struct khor_cursor **cur, size_t n)
{
	struct merge m = { .w = w, .next_progress = KHOR_PROGRESS_NODES };
	int rc;

	for (size_t i = 0; i < n; i++) {
		m.cur[m.live] = cur[i];
		m.live++;
		rc = merge_advance(&m, m.live - 1);
		if (rc)
			return rc;
	}
	while (m.live) {
		size_t min = 0, second = SIZE_MAX;
		bool used_up = true;

		for (size_t i = 1; i < m.live; i++) {
			if (head_before(&m.head[i], &m.head[min])) {
				second = min;
				min = i;
			} else if (second == SIZE_MAX ||
				   head_before(&m.head[i], &m.head[second])) {
				second = i;
			}
		}
		if (m.head[min].words)
			rc = deliver_span(&m, &m.head[min],
					  second == SIZE_MAX ? NULL : &m.head[second],
					  &used_up);
		else
			rc = deliver_run(&m, &m.head[min].run);
		if (rc)
			return rc;
		if (!used_up)
			continue;
		rc = merge_advance(&m, min);
		if (rc)
			return rc;
	}
	return 0;
}

int khor_walk(struct khor_mem *mem, const struct khor_map *map,
	      const struct khor_walk_limits *limits,
	      const struct khor_walk_ops *ops, void *arg,
	      struct khor_walk_result *res)
{
	struct khor_cursor *cur[KHOR_MAX_ORDERS];
	struct khor_walk_ctx w;
	size_t n = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	khor_error_clear(&res->error);
	memset(&w, 0, sizeof(w));
	w.mem = mem;
	w.map = map;
	w.page_size = UINT64_C(1) << map->geom.page_shift;
	w.max_nodes = limits && limits->max_nodes ? limits->max_nodes :
		      KHOR_DEFAULT_MAX_NODES;
	w.ops = ops;
	w.arg = arg;
	w.res = res;
	w.live = khor_mem_get_info(mem)->live;
	w.spans = ops && ops->bitmap;
	khor_error_clear(&w.first_corrupt);
	khor_error_clear(&w.first_nodata);
	khor_error_clear(&w.first_changed);

	switch (map->format) {
	case KHOR_FMT_RADIX:
		rc = khor_walk_v2_cursors(&w, cur, &n);
		break;
	case KHOR_FMT_V1:
		rc = khor_walk_v1_cursors(&w, cur, &n);
		break;
	default:
		rc = khor_err(&res->error, -KHOR_EFORMAT,
			      "no walker for map format '%s'",
			      khor_format_name(map->format));
		goto out;
	}
	if (!rc)
		rc = merge_runs(&w, cur, n);
	for (size_t i = 0; i < n; i++)
		cur[i]->destroy(cur[i]);
	if (!rc && w.live)
		rc = verify_live(&w);

	if (rc == -KHOR_ENOMEM)
		khor_err(&w.first_corrupt, rc, "out of memory");
	if (!rc && w.first_changed.code) {
		/* Corruption seen in a changing map may be the change itself. */
		res->error = w.first_changed;
		rc = -KHOR_ECHANGED;
	} else if (w.first_corrupt.code) {
		res->error = w.first_corrupt;
		if (!rc)
			rc = -KHOR_ECORRUPT;
	} else if (w.first_nodata.code) {
		res->error = w.first_nodata;
		if (!rc)
			rc = -KHOR_ENODATA;
	}
	res->error.count = w.problems ? w.problems : (res->error.code != 0);
out:
	free(w.visited.keys);
	free(w.visited.tags);
	free(w.visited.sums);
	free(w.visited.lens);
	free(w.cache_data);
	return rc;
}
