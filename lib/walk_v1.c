// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kho-v1 chunk-list walker (512-byte and PAGE_SIZE bitmaps).
 *
 * Layout (KHO_ABI.md §2; TL kernel/kexec_handover.c @00c010e130e5 for 6.16,
 * @a4a508df2aa3 for 6.18): a singly linked list of one-page chunks
 * { u64 next; u32 order; u32 num_elms; { u64 phys_start; u64 bitmap; }
 * [(PAGE_SIZE - 16) / 16] }, written by kho_mem_serialize() walking the
 * orders xarray (orders ascend along the list; a new chunk starts at every
 * order and when one fills up) and, per order, the bitmaps xarray (so
 * phys_start ascends within an order). Bit b of a bitmap preserves the
 * block at phys_start + (b << (PAGE_SHIFT + order)).
 *
 * The walk has two passes. khor_walk_v1_cursors() follows the list once:
 * it bounds and cycle-checks it (every chunk goes through khor_walk_visit),
 * checks each header, notes per order the first and last chunk, and
 * collects the layout evidence that decides the bitmap size (which the ABI
 * does not record, see detect_size()). Then one cursor per order re-walks
 * that order's chunks through the node cache and scans its bitmaps with
 * word operations; walk.c merges the cursors into one ascending stream.
 * Memory stays O(orders): nothing is buffered but one chunk and one bitmap
 * per cursor.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk_internal.h"

/*
 * Highest physical address bit a block may reach. kho_preserve_phys()
 * (6.16) and kho_preserve_pages() (6.18) split a range into blocks of
 * order min(ctz(pfn), ilog2(end_pfn - pfn)), not capped at MAX_PAGE_ORDER,
 * and kho_preserve_folio() takes order-18 hugetlb folios, so the only bound
 * the writer respects is the physical address space: MAX_PHYSMEM_BITS is
 * 52 on x86_64 with 5-level paging (arch/x86/include/asm/sparsemem.h) and
 * the arm64 maximum (CONFIG_ARM64_PA_BITS_52). So the largest order is
 * 52 - PAGE_SHIFT (40 for 4 KiB pages), and every block must end at or
 * below 2^52.
 */
#define V1_PHYS_BITS 52

/* 6.16/6.17: struct kho_mem_phys_bits is DECLARE_BITMAP(preserve, 512 * 8). */
#define V1_SMALL_BITMAP 512

/*
 * A 4096-byte map read as 512 bytes is consistent, so no layout proves the
 * large size; but a 512-byte bitmap is a kmalloc-512 slab object, and only
 * one slot in 8 of a slab sits on a page boundary (KFENCE objects, the one
 * allocator that puts more there, are sampled one per interval, so only a
 * handful). At least this many bitmaps, three quarters of them page
 * aligned, would happen with 512-byte bitmaps with odds far below 2^-32.
 */
#define V1_STAT_MIN_BITMAPS 32

/* khor_walk_visit() tags: what a page is, and where the list holds it. */
#define TAG_CHUNK (UINT64_C(1) << 62)
#define TAG_BITMAP (UINT64_C(2) << 62)
#define TAG_KIND(t) ((t) >> 62)
#define TAG_CHUNK_IDX(t) ((t) & ((UINT64_C(1) << 62) - 1))
#define TAG_BM_CHUNK(t) (((t) & ((UINT64_C(1) << 62) - 1)) >> 16)
#define TAG_BM_ENTRY(t) ((unsigned int)((t) & 0xffff))

static uint64_t chunk_tag(uint64_t idx)
{
	return TAG_CHUNK | idx;
}

static uint64_t bitmap_tag(uint64_t chunk_idx, unsigned int entry)
{
	return TAG_BITMAP | chunk_idx << 16 | entry;
}

/* Names a visited page from its tag, for walk.c's torn-read messages. */
static void v1_describe(uint64_t tag, char *buf, size_t len)
{
	if (TAG_KIND(tag) == TAG_KIND(TAG_CHUNK))
		snprintf(buf, len, "chunk %llu",
			 (unsigned long long)TAG_CHUNK_IDX(tag));
	else
		snprintf(buf, len, "bitmap of entry %u of chunk %llu",
			 TAG_BM_ENTRY(tag),
			 (unsigned long long)TAG_BM_CHUNK(tag));
}

struct v1_order {
	unsigned int order;
	uint64_t first_phys;	/* first chunk of this order */
	uint64_t first_idx;	/* its position in the list */
	uint64_t last_idx;	/* position of the last chunk of this order */
};

struct v1_detect {
	uint64_t entries;	/* entries with a plausible bitmap pointer */
	uint64_t page_aligned;	/* ... whose bitmap is page aligned */
	bool proof;		/* some entry only fits 512-byte bitmaps */
	uint64_t proof_chunk;
	char proof_msg[192];
	bool have_prev;		/* previous entry of the current order */
	uint64_t prev_ps;
};

struct v1_list {
	struct v1_order ord[KHOR_MAX_ORDERS];
	size_t nord;
	struct v1_detect det;
};

/* Geometry shared by both passes. */
struct v1_geom {
	unsigned int page_shift;
	uint32_t capacity;	/* entries per chunk: (PAGE_SIZE - 16) / 16 */
	unsigned int max_order;
};

static void v1_geom_init(struct v1_geom *g, const struct khor_walk_ctx *w)
{
	g->page_shift = w->map->geom.page_shift;
	g->capacity = (uint32_t)((w->page_size - 16) / 16);
	g->max_order = V1_PHYS_BITS - g->page_shift;
}

static unsigned int log2_u64(uint64_t x)
{
	return khor_fls64(x) - 1;
}

/* log2 of the bytes an order-@order bitmap of @size bytes covers. */
static unsigned int cover_shift(const struct v1_geom *g, unsigned int size,
				unsigned int order)
{
	return log2_u64((uint64_t)size * 8) + g->page_shift + order;
}

static bool aligned_to(uint64_t x, unsigned int shift)
{
	return shift >= 64 ? x == 0 : (x & ((UINT64_C(1) << shift) - 1)) == 0;
}

/* "0x8000000", or "2^64" where the coverage does not fit in a u64. */
static const char *pow2_str(char *buf, size_t len, unsigned int shift)
{
	if (shift < 64)
		snprintf(buf, len, "0x%llx", (unsigned long long)1 << shift);
	else
		snprintf(buf, len, "2^%u", shift);
	return buf;
}

/* ---------------------------------------------------------------------- */
/* Pass 1: the chunk list                                                 */
/* ---------------------------------------------------------------------- */

/* Collect the evidence one entry gives about the bitmap size. */
static void detect_entry(const struct khor_walk_ctx *w, const struct v1_geom *g,
			 struct v1_detect *d, uint64_t chunk_idx,
			 uint64_t chunk, unsigned int order, uint32_t e,
			 uint64_t ps, uint64_t bm)
{
	unsigned int small = cover_shift(g, V1_SMALL_BITMAP, order);
	unsigned int large = cover_shift(g, (unsigned int)w->page_size, order);
	char cov[24];

	/* Not even 512-byte aligned: corrupt under both sizes, no evidence. */
	if (!bm || (bm & (V1_SMALL_BITMAP - 1)))
		return;
	d->entries++;
	if (!(bm & (w->page_size - 1)))
		d->page_aligned++;
	else if (!d->proof) {
		/* 6.18 bitmaps come from get_zeroed_page(). */
		d->proof = true;
		d->proof_chunk = chunk;
		snprintf(d->proof_msg, sizeof(d->proof_msg),
			 "chunk %llu at 0x%llx entry %u: bitmap 0x%llx is not page aligned",
			 (unsigned long long)chunk_idx, (unsigned long long)chunk,
			 e, (unsigned long long)bm);
	}
	if (!d->proof && aligned_to(ps, small) && !aligned_to(ps, large)) {
		/* phys_start = (xa_index * PRESERVE_BITS) << (order + PAGE_SHIFT). */
		d->proof = true;
		d->proof_chunk = chunk;
		snprintf(d->proof_msg, sizeof(d->proof_msg),
			 "chunk %llu at 0x%llx entry %u: phys_start 0x%llx is not a multiple of %s",
			 (unsigned long long)chunk_idx, (unsigned long long)chunk,
			 e, (unsigned long long)ps,
			 pow2_str(cov, sizeof(cov), large));
	}
	if (!d->proof && d->have_prev && ps > d->prev_ps && large < 64 &&
	    ps - d->prev_ps < UINT64_C(1) << large) {
		/* Larger bitmaps of one order would overlap. */
		d->proof = true;
		d->proof_chunk = chunk;
		snprintf(d->proof_msg, sizeof(d->proof_msg),
			 "chunk %llu at 0x%llx entry %u: order-%u phys_start 0x%llx is less than %s above the previous 0x%llx",
			 (unsigned long long)chunk_idx, (unsigned long long)chunk,
			 e, order, (unsigned long long)ps,
			 pow2_str(cov, sizeof(cov), large),
			 (unsigned long long)d->prev_ps);
	}
	d->have_prev = true;
	d->prev_ps = ps;
}

/*
 * Follow the list once. Returns 0 (problems recorded, the list cut where
 * it could not be trusted) or a fatal code.
 */
static int v1_scan_list(struct khor_walk_ctx *w, const struct v1_geom *g,
			struct v1_list *l, uint8_t *buf)
{
	uint64_t phys = w->map->root, prev_phys = 0, idx = 0, prev_tag;
	bool have_order = false;
	unsigned int last_order = 0;
	char what[48], from[64];
	int rc;

	if (phys & (w->page_size - 1)) {
		khor_walk_problem(w, -KHOR_ECORRUPT, -1, phys,
				  "kho-v1 map: first chunk 0x%llx is not page aligned",
				  (unsigned long long)phys);
		return 0;
	}
	for (; phys; idx++) {
		struct khor_node node = {
			.kind = KHOR_NODE_CHUNK, .phys = phys,
			.size = (uint32_t)w->page_size, .capacity = g->capacity,
		};
		uint64_t next;
		uint32_t order, nelms;
		bool ok = true;

		rc = khor_walk_visit(w, phys, chunk_tag(idx), &prev_tag);
		if (rc < -1)
			return rc;
		if (rc) {
			/* Only chunks are visited in this pass. */
			khor_walk_problem(w, -KHOR_ECORRUPT, -1, prev_phys,
					  "chunk %llu at 0x%llx: next 0x%llx is chunk %llu of the list (cycle)",
					  (unsigned long long)idx - 1,
					  (unsigned long long)prev_phys,
					  (unsigned long long)phys,
					  (unsigned long long)(rc < 0 ? TAG_CHUNK_IDX(prev_tag) : idx));
			return 0;
		}
		snprintf(what, sizeof(what), "chunk %llu", (unsigned long long)idx);
		if (idx)
			snprintf(from, sizeof(from), "next of chunk %llu at 0x%llx",
				 (unsigned long long)idx - 1,
				 (unsigned long long)prev_phys);
		else
			snprintf(from, sizeof(from), "preserved-memory-map");
		rc = khor_walk_read_node(w, phys, buf, w->page_size, -1, what, from);
		if (rc)
			return rc > 0 ? 0 : rc;
		next = khor_le64(buf);
		order = khor_le32(buf + 8);
		nelms = khor_le32(buf + 12);

		node.level = (int)order;
		node.used = nelms < g->capacity ? nelms : g->capacity;
		rc = khor_walk_report_node(w, &node);
		if (rc)
			return rc;

		if (order > g->max_order) {
			khor_walk_problem(w, -KHOR_ECORRUPT, -1, phys,
					  "chunk %llu at 0x%llx: order %u is above %u, the largest a %u-bit physical address space holds; its entries are skipped",
					  (unsigned long long)idx,
					  (unsigned long long)phys, order,
					  g->max_order, V1_PHYS_BITS);
			ok = false;
		} else if (nelms > g->capacity) {
			khor_walk_problem(w, -KHOR_ECORRUPT, -1, phys,
					  "chunk %llu at 0x%llx: num_elms %u is above the capacity of %u entries; its entries are skipped",
					  (unsigned long long)idx,
					  (unsigned long long)phys, nelms,
					  g->capacity);
			ok = false;
		} else if (have_order && order < last_order) {
			/* kho_mem_serialize() walks the orders xarray in index order. */
			khor_walk_problem(w, -KHOR_ECORRUPT, -1, phys,
					  "chunk %llu at 0x%llx: order %u follows order %u (orders ascend along the list); its entries are skipped",
					  (unsigned long long)idx,
					  (unsigned long long)phys, order,
					  last_order);
			ok = false;
		}
		if (ok) {
			struct v1_order *o = l->nord ? &l->ord[l->nord - 1] : NULL;

			if (!o || o->order != order) {
				o = &l->ord[l->nord++];
				o->order = order;
				o->first_phys = phys;
				o->first_idx = idx;
				l->det.have_prev = false;
			}
			o->last_idx = idx;
			have_order = true;
			last_order = order;
			for (uint32_t e = 0; e < nelms; e++)
				detect_entry(w, g, &l->det, idx, phys, order, e,
					     khor_le64(buf + 16 + 16 * (size_t)e),
					     khor_le64(buf + 24 + 16 * (size_t)e));
		}
		if (next & (w->page_size - 1)) {
			khor_walk_problem(w, -KHOR_ECORRUPT, -1, phys,
					  "chunk %llu at 0x%llx: next 0x%llx is not page aligned",
					  (unsigned long long)idx,
					  (unsigned long long)phys,
					  (unsigned long long)next);
			return 0;
		}
		prev_phys = phys;
		phys = next;
	}
	return 0;
}

/* Major and minor of a release string such as "6.17.3-arch1"; false if none. */
static bool parse_release(const char *rel, unsigned int *major,
			  unsigned int *minor)
{
	return rel && sscanf(rel, "%u.%u", major, minor) == 2;
}

/*
 * Choose the bitmap size. The compatible string stayed "kho-v1" when "kho:
 * increase metadata bitmap size to PAGE_SIZE" (jedix/linux-maple 85b9957f73e9,
 * Fixes: fc33e4b44b27, Cc: stable) went into 6.18, so decide from, in turn:
 * the caller; layout that only 512-byte bitmaps explain (a bitmap off a
 * page boundary, a phys_start or a phys_start step finer than a PAGE_SIZE
 * bitmap covers); layout that 512-byte slab bitmaps would explain only by
 * an absurd accident (V1_STAT_MIN_BITMAPS); the release of the kernel that
 * wrote the map (VMCOREINFO); and failing all that, PAGE_SIZE, the size of
 * every kernel since 6.18. The evidence string starts with the kind of
 * reason: "caller", "layout", "release", "ambiguous", or "none" when the
 * list has no bitmap to read.
 */
static int detect_size(struct khor_walk_ctx *w, const struct v1_list *l,
		       unsigned int *size_ret)
{
	const struct v1_detect *d = &l->det;
	struct khor_walk_result *res = w->res;
	const char *rel = w->mem ? khor_mem_get_info(w->mem)->osrelease : "";
	unsigned int large = (unsigned int)w->page_size, major = 0, minor = 0;
	bool have_rel, rel_large;
	bool strong_large = d->page_aligned >= V1_STAT_MIN_BITMAPS &&
			    d->page_aligned * 4 >= d->entries * 3;
	char stat[96];

	snprintf(stat, sizeof(stat),
		 "%llu of %llu bitmaps are page aligned, where 512-byte slab bitmaps are 1 in 8",
		 (unsigned long long)d->page_aligned,
		 (unsigned long long)d->entries);
	if (w->map->v1_bitmap_size) {
		unsigned int forced = w->map->v1_bitmap_size;

		if (forced != V1_SMALL_BITMAP && forced != large) {
			khor_walk_problem(w, -KHOR_EINVAL, -1, w->map->root,
					  "kho-v1 bitmap size %u is neither %u nor the page size %u",
					  forced, V1_SMALL_BITMAP, large);
			return -KHOR_EINVAL;
		}
		*size_ret = forced;
		if (forced == large && d->proof && !strong_large) {
			/*
			 * Read that way, the map is inconsistent, and the
			 * PAGE_SIZE reads of its slab bitmaps would decode
			 * the slab neighbours as blocks: decode nothing
			 * rather than invent blocks (*size_ret 0: no walk).
			 */
			khor_walk_problem(w, -KHOR_ECORRUPT, -1, d->proof_chunk,
					  "kho-v1 bitmap size %u was given, but the layout proves %u-byte bitmaps (%s); nothing decoded",
					  forced, V1_SMALL_BITMAP, d->proof_msg);
			snprintf(res->v1_evidence, sizeof(res->v1_evidence),
				 "caller: %u given; contradicted by the layout: %s",
				 forced, d->proof_msg);
			*size_ret = 0;
			res->v1_bitmap_size = forced;
		} else if (forced == V1_SMALL_BITMAP && strong_large && !d->proof) {
			snprintf(res->v1_evidence, sizeof(res->v1_evidence),
				 "caller: %u given; warning: the layout suggests %u (%s)",
				 forced, large, stat);
		} else {
			snprintf(res->v1_evidence, sizeof(res->v1_evidence),
				 "caller: %u given", forced);
		}
		return 0;
	}
	if (!d->entries) {
		*size_ret = large;
		snprintf(res->v1_evidence, sizeof(res->v1_evidence),
			 "none: no bitmap to read, so the size does not matter (%u assumed)",
			 large);
		return 0;
	}
	have_rel = parse_release(rel, &major, &minor) &&
		   (major > 6 || (major == 6 && minor >= 16));
	rel_large = major > 6 || (major == 6 && minor >= 18);
	if (d->proof && !strong_large) {
		*size_ret = V1_SMALL_BITMAP;
		snprintf(res->v1_evidence, sizeof(res->v1_evidence), "layout: %s%s%.40s",
			 d->proof_msg, have_rel && rel_large ? "; despite Linux " : "",
			 have_rel && rel_large ? rel : "");
		return 0;
	}
	if (strong_large) {
		/* A pre-6.18 release here is a stable kernel with the fix. */
		*size_ret = large;
		snprintf(res->v1_evidence, sizeof(res->v1_evidence),
			 "layout: %s%s%s%s", stat,
			 d->proof ? "; entries that contradict it are reported" : "",
			 have_rel && !rel_large ? "; so Linux " : "",
			 have_rel && !rel_large ? rel : "");
		if (have_rel && !rel_large)
			strncat(res->v1_evidence, " has the stable fix",
				sizeof(res->v1_evidence) - strlen(res->v1_evidence) - 1);
		return 0;
	}
	if (have_rel) {
		if (rel_large) {
			*size_ret = large;
			snprintf(res->v1_evidence, sizeof(res->v1_evidence),
				 "release: the map was written by Linux %s (6.18 or later)",
				 rel);
		} else {
			*size_ret = V1_SMALL_BITMAP;
			snprintf(res->v1_evidence, sizeof(res->v1_evidence),
				 "release: the map was written by Linux %s (before 6.18); warning: a stable update with the PAGE_SIZE-bitmap fix writes %u",
				 rel, large);
		}
		return 0;
	}
	*size_ret = large;
	snprintf(res->v1_evidence, sizeof(res->v1_evidence),
		 "ambiguous: no layout proof in %llu bitmap%s, and %s%.64s%s; assumed %u, the size since 6.18",
		 (unsigned long long)d->entries, d->entries == 1 ? "" : "s",
		 !*rel ? "no kernel release" : major ? "Linux " : "an unknown release '",
		 rel, !*rel ? "" : major ? " predates kho-v1" : "'", large);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Pass 2: one cursor per order                                           */
/* ---------------------------------------------------------------------- */

struct v1_cursor {
	struct khor_cursor c;
	struct khor_walk_ctx *w;
	struct v1_geom g;
	unsigned int order;
	unsigned int bm_size;
	unsigned int block_shift;	/* page_shift + order */
	unsigned int cover;		/* log2 of what one bitmap covers */
	/* chunk list position */
	uint64_t chunk_phys, chunk_idx, last_idx;
	bool started, done;
	uint32_t nelms, entry;
	uint8_t *chunk;
	/* ascending check: first address the next entry may start at */
	bool have_floor;
	uint64_t floor, floor_ps;
	/* current bitmap */
	uint64_t *bm;
	bool in_bm;
	uint64_t bm_pos, bm_end, bm_base;
	/* run being joined across bitmap boundaries */
	bool pending;
	uint64_t pend_phys, pend_count;
};

/*
 * The list is re-read through the cache; it can only differ from what pass
 * 1 saw if memory changed under the walk (a live source).
 */
static void v1_changed(struct v1_cursor *v, const char *why)
{
	khor_walk_problem(v->w, -KHOR_ECHANGED, -1, v->chunk_phys,
			  "chunk %llu at 0x%llx: %s since the list was first read (the map is live: the output may mix two states of it)",
			  (unsigned long long)v->chunk_idx,
			  (unsigned long long)v->chunk_phys, why);
	v->done = true;
}

/* Load the next chunk of this order. Returns 0 (loaded or done) or fatal. */
static int v1_next_chunk(struct v1_cursor *v)
{
	struct khor_walk_ctx *w = v->w;
	uint64_t prev_tag;
	char what[48];
	int rc;

	for (;;) {
		if (v->started) {
			uint64_t next = khor_le64(v->chunk);

			if (v->chunk_idx >= v->last_idx) {
				v->done = true;
				return 0;
			}
			if (!next || (next & (w->page_size - 1))) {
				v1_changed(v, "the next pointer changed");
				return 0;
			}
			v->chunk_phys = next;
			v->chunk_idx++;
		}
		v->started = true;
		rc = khor_walk_visit(w, v->chunk_phys, chunk_tag(v->chunk_idx),
				     &prev_tag);
		if (rc < -1)
			return rc;
		if (rc != 1) {
			v1_changed(v, "the list leads elsewhere");
			return 0;
		}
		snprintf(what, sizeof(what), "chunk %llu",
			 (unsigned long long)v->chunk_idx);
		rc = khor_walk_read_node(w, v->chunk_phys, v->chunk, w->page_size,
					 -1, what, NULL);
		if (rc) {
			v->done = true;
			return rc > 0 ? 0 : rc;
		}
		/* Chunks pass 1 rejected (reported there) lie between ours: skip. */
		if (khor_le32(v->chunk + 8) != v->order ||
		    khor_le32(v->chunk + 12) > v->g.capacity)
			continue;
		v->nelms = khor_le32(v->chunk + 12);
		v->entry = 0;
		return 0;
	}
}

static void v1_bad_entry(struct v1_cursor *v, uint32_t e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record a problem with entry @e of the current chunk, at the chunk. */
static void v1_bad_entry(struct v1_cursor *v, uint32_t e, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	khor_walk_problem(v->w, -KHOR_ECORRUPT, -1, v->chunk_phys,
			  "chunk %llu at 0x%llx: entry %u: %s",
			  (unsigned long long)v->chunk_idx,
			  (unsigned long long)v->chunk_phys, e, detail);
}

/* Validate entry @e, read its bitmap and start scanning it. */
static int v1_enter(struct v1_cursor *v, uint32_t e)
{
	struct khor_walk_ctx *w = v->w;
	uint64_t ps = khor_le64(v->chunk + 16 + 16 * (size_t)e);
	uint64_t bm = khor_le64(v->chunk + 24 + 16 * (size_t)e);
	uint64_t prev_tag, words = v->bm_size / 8, used = 0, limit;
	char what[48], from[64], cov[24];
	int rc, seen;

	if (!aligned_to(ps, v->cover)) {
		v1_bad_entry(v, e, "phys_start 0x%llx is not a multiple of %s, what a %u-byte order-%u bitmap covers",
			     (unsigned long long)ps,
			     pow2_str(cov, sizeof(cov), v->cover), v->bm_size,
			     v->order);
		return 0;
	}
	if (ps >> V1_PHYS_BITS) {
		v1_bad_entry(v, e, "phys_start 0x%llx is beyond the %u-bit physical address space",
			     (unsigned long long)ps, V1_PHYS_BITS);
		return 0;
	}
	if (v->have_floor && ps < v->floor) {
		v1_bad_entry(v, e, "phys_start 0x%llx does not ascend (the previous order-%u bitmap starts at 0x%llx)",
			     (unsigned long long)ps, v->order,
			     (unsigned long long)v->floor_ps);
		return 0;
	}
	if (!bm) {
		v1_bad_entry(v, e, "bitmap pointer is 0");
		return 0;
	}
	/* kmalloc(512) is 512-byte aligned since 59bb47985c1d (v5.4). */
	if (bm & (v->bm_size - 1)) {
		v1_bad_entry(v, e, "bitmap 0x%llx is not %u-byte aligned, as a %u-byte bitmap is",
			     (unsigned long long)bm, v->bm_size, v->bm_size);
		return 0;
	}
	seen = khor_walk_visit(w, bm, bitmap_tag(v->chunk_idx, e), &prev_tag);
	if (seen < -1)
		return seen;
	if (seen < 0) {
		if (TAG_KIND(prev_tag) == TAG_KIND(TAG_CHUNK))
			v1_bad_entry(v, e, "bitmap 0x%llx is chunk %llu of the list",
				     (unsigned long long)bm,
				     (unsigned long long)TAG_CHUNK_IDX(prev_tag));
		else
			khor_walk_problem(w, -KHOR_ECORRUPT, -1, v->chunk_phys,
					  "chunk %llu at 0x%llx: entry %u: bitmap 0x%llx is also entry %u of chunk %llu (shared bitmap)",
					  (unsigned long long)v->chunk_idx,
					  (unsigned long long)v->chunk_phys, e,
					  (unsigned long long)bm,
					  TAG_BM_ENTRY(prev_tag),
					  (unsigned long long)TAG_BM_CHUNK(prev_tag));
		return 0;
	}
	/* The entry is accepted: later ones must start above its coverage. */
	v->have_floor = true;
	v->floor_ps = ps;
	v->floor = v->cover >= 64 ? UINT64_MAX : ps + (UINT64_C(1) << v->cover);

	snprintf(what, sizeof(what), "order-%u bitmap", v->order);
	snprintf(from, sizeof(from), "entry %u of chunk %llu at 0x%llx", e,
		 (unsigned long long)v->chunk_idx,
		 (unsigned long long)v->chunk_phys);
	/* Exactly the bitmap: after a 512-byte slab object comes another object. */
	rc = khor_walk_read_node(w, bm, v->bm, v->bm_size, -1, what, from);
	if (rc)
		return rc > 0 ? 0 : rc;
	for (uint64_t i = 0; i < words; i++) {
		v->bm[i] = khor_le64(&v->bm[i]);
		used += (uint64_t)__builtin_popcountll(v->bm[i]);
	}
	if (!seen) {
		struct khor_node node = {
			.kind = KHOR_NODE_BITMAP, .level = (int)v->order,
			.phys = bm, .size = v->bm_size, .used = used,
			.capacity = (uint64_t)v->bm_size * 8,
		};

		rc = khor_walk_report_node(w, &node);
		if (rc)
			return rc;
	}

	/* Bits whose block would end above 2^52 cannot be preserved memory. */
	limit = (uint64_t)v->bm_size * 8;
	if (v->cover > V1_PHYS_BITS) {
		uint64_t fit = ((UINT64_C(1) << V1_PHYS_BITS) - ps) >> v->block_shift;
		uint64_t s, x;

		if (fit < limit) {
			if (khor_bitmap_find_run(v->bm, fit, limit, &s, &x))
				v1_bad_entry(v, e, "order-%u bitmap 0x%llx: bit %llu is beyond the %u-bit physical address space",
					     v->order, (unsigned long long)bm,
					     (unsigned long long)s, V1_PHYS_BITS);
			limit = fit;
		}
	}
	v->in_bm = true;
	v->bm_base = ps;
	v->bm_pos = 0;
	v->bm_end = limit;
	return 0;
}

/* Load the next bitmap of this order: 1, 0 at the end, or fatal. */
static int v1_next_bitmap(struct v1_cursor *v)
{
	while (!v->w->fatal && !v->in_bm) {
		int rc;

		if (v->done)
			return 0;
		if (!v->started || v->entry >= v->nelms) {
			rc = v1_next_chunk(v);
			if (rc)
				return rc;
			continue;
		}
		rc = v1_enter(v, v->entry++);
		if (rc)
			return rc < 0 ? rc : -KHOR_ESTOP;
	}
	return v->w->fatal ? v->w->fatal : 1;
}

/* Next run of set bits of this order: 1, 0 at the end, or fatal. */
static int v1_next_bits(struct v1_cursor *v, uint64_t *phys, uint64_t *count)
{
	for (;;) {
		uint64_t s, e;
		int rc = v1_next_bitmap(v);

		if (rc <= 0)
			return rc;
		if (khor_bitmap_find_run(v->bm, v->bm_pos, v->bm_end, &s, &e)) {
			v->bm_pos = e;
			*phys = v->bm_base + (s << v->block_shift);
			*count = e - s;
			return 1;
		}
		v->in_bm = false;
	}
}

/* Span mode (walk.c takes bitmaps): the next bitmap with a bit set. */
static int v1_next_span(struct v1_cursor *v, struct khor_head *h)
{
	for (;;) {
		int rc = v1_next_bitmap(v);

		if (rc <= 0)
			return rc;
		v->in_bm = false;
		/* bm_end keeps every block below 2^52 (v1_enter): no wrap. */
		if (khor_head_span(h, v->bm, v->bm_base, v->bm_pos, v->bm_end,
				   v->order, v->block_shift))
			return 1;
	}
}

static int v1_next(struct khor_cursor *c, struct khor_head *h)
{
	struct v1_cursor *v = (struct v1_cursor *)c;
	struct khor_run *run = &h->run;
	uint64_t phys = 0, count = 0;
	int rc;

	if (v->w->spans)
		return v1_next_span(v, h);
	h->words = NULL;
	for (;;) {
		rc = v1_next_bits(v, &phys, &count);
		if (rc < 0)
			return rc;
		if (rc == 0 && !v->pending)
			return 0;
		/* Join runs that continue across a bitmap boundary. */
		if (rc && v->pending &&
		    phys == v->pend_phys + (v->pend_count << v->block_shift)) {
			v->pend_count += count;
			continue;
		}
		if (v->pending) {
			run->phys = v->pend_phys;
			run->count = v->pend_count;
			run->order = v->order;
		}
		if (rc == 0) {
			v->pending = false;
			return 1;
		}
		if (!v->pending) {
			v->pending = true;
			v->pend_phys = phys;
			v->pend_count = count;
			continue;
		}
		v->pend_phys = phys;
		v->pend_count = count;
		return 1;
	}
}

static void v1_destroy(struct khor_cursor *c)
{
	struct v1_cursor *v = (struct v1_cursor *)c;

	free(v->chunk);
	free(v->bm);
	free(v);
}

int khor_walk_v1_cursors(struct khor_walk_ctx *w, struct khor_cursor **cur,
			 size_t *n)
{
	struct v1_geom g;
	struct v1_list *l;
	unsigned int size = 0;
	uint8_t *buf;
	int rc;

	*n = 0;
	w->describe = v1_describe;
	v1_geom_init(&g, w);
	if (!w->map->root) {
		/* kho-v1 before finalize: nothing to walk (the tools say so). */
		snprintf(w->res->v1_evidence, sizeof(w->res->v1_evidence),
			 "no map (preserved-memory-map is 0)");
		return 0;
	}
	/*
	 * A bad size is the caller's error: say so before reading anything,
	 * so that it is the error reported (fuzz/walk_v1.c found a forced
	 * 4096 with 16 KiB pages returned as EINVAL under the message of an
	 * earlier unreadable chunk).
	 */
	if (w->map->v1_bitmap_size &&
	    w->map->v1_bitmap_size != V1_SMALL_BITMAP &&
	    w->map->v1_bitmap_size != w->page_size) {
		khor_walk_problem(w, -KHOR_EINVAL, -1, w->map->root,
				  "kho-v1 bitmap size %u is neither %u nor the page size %u",
				  w->map->v1_bitmap_size, V1_SMALL_BITMAP,
				  (unsigned int)w->page_size);
		return -KHOR_EINVAL;
	}
	l = calloc(1, sizeof(*l));
	buf = malloc(w->page_size);
	if (!l || !buf) {
		rc = -KHOR_ENOMEM;
		goto out;
	}
	rc = v1_scan_list(w, &g, l, buf);
	if (!rc)
		rc = w->fatal;
	if (!rc)
		rc = detect_size(w, l, &size);
	if (rc || !size)
		goto out;
	w->res->v1_bitmap_size = size;

	for (size_t i = 0; i < l->nord; i++) {
		struct v1_cursor *v = calloc(1, sizeof(*v));

		if (v) {
			v->chunk = malloc(w->page_size);
			v->bm = malloc(size);
		}
		if (!v || !v->chunk || !v->bm) {
			if (v)
				v1_destroy(&v->c);
			rc = -KHOR_ENOMEM;
			break;
		}
		v->c.next = v1_next;
		v->c.destroy = v1_destroy;
		v->w = w;
		v->g = g;
		v->order = l->ord[i].order;
		v->bm_size = size;
		v->block_shift = g.page_shift + v->order;
		v->cover = cover_shift(&g, size, v->order);
		v->chunk_phys = l->ord[i].first_phys;
		v->chunk_idx = l->ord[i].first_idx;
		v->last_idx = l->ord[i].last_idx;
		cur[(*n)++] = &v->c;
	}
out:
	free(l);
	free(buf);
	return rc;
}
