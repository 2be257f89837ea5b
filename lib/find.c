// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Is a physical address inside a preserved block, and which one?
 *
 * One bit at order o covers the whole PAGE_SIZE << o block (KHO_ABI.md
 * §1.5), so asking "is the page at PA preserved" with an order-0 lookup
 * misses every page of a larger block but its first. For every order the
 * candidate block is PA & ~((PAGE_SIZE << o) - 1):
 *  - radix (kho-v2+): encode its key and descend the tables to the leaf
 *    bit, reading one u64 per level (6 small reads per order, 318 for the
 *    53 orders of 4 KiB pages, whatever the size of the tree);
 *  - kho-v1: the chunk list has no index, so walk it (khor_walk(), which
 *    also settles the bitmap size) and stop at the first run that starts
 *    above PA, since runs arrive in ascending address.
 * A valid map has at most one such block; more is an overlap (corrupt).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Stop code of the kho-v1 callback; never returned to the caller. */
#define FIND_PAST 1

static void add_block(struct khor_find_result *res, uint64_t phys,
		      unsigned int order)
{
	if (res->n < KHOR_MAX_ORDERS) {
		res->blocks[res->n].phys = phys;
		res->blocks[res->n].order = order;
		res->blocks[res->n].count = 1;
		res->n++;
	}
}

/* The first problem is described; later ones are only counted. */
__attribute__((format(printf, 5, 6)))
static void problem(struct khor_find_result *res, int code, int level,
		    uint64_t phys, const char *fmt, ...)
{
	va_list ap;

	if (res->error.code) {
		res->error.count++;
		/* Corruption outranks missing data in the return code. */
		if (code == -KHOR_ECORRUPT)
			res->error.code = code;
		return;
	}
	va_start(ap, fmt);
	khor_verr_at(&res->error, code, level, phys, true, fmt, ap);
	va_end(ap);
	res->error.count = 1;
}

static void what_node(char *buf, size_t len, unsigned int level,
		      unsigned int top)
{
	if (!level)
		snprintf(buf, len, "leaf");
	else
		snprintf(buf, len, "level %u table%s", level,
			 level == top ? " (root)" : "");
}

/* Read the u64 at index @i of the node at @node; 0 or a problem noted. */
static int read_entry(struct khor_mem *mem, uint64_t node, uint64_t i,
		      unsigned int level, unsigned int top,
		      struct khor_find_result *res, uint64_t *v)
{
	uint8_t b[8];
	char what[32];
	int rc;

	res->reads++;
	rc = khor_mem_read(mem, node + i * 8, b, sizeof(b));
	if (!rc) {
		*v = khor_le64(b);
		return 0;
	}
	what_node(what, sizeof(what), level, top);
	if (rc == -KHOR_ENODATA)
		problem(res, rc, (int)level, node, "%s at 0x%llx: not in the dump (%s)",
			what, (unsigned long long)node, khor_mem_errmsg(mem));
	else
		problem(res, -KHOR_ECORRUPT, (int)level, node,
			"%s at 0x%llx: cannot be read: %s", what,
			(unsigned long long)node, khor_mem_errmsg(mem));
	return rc;
}

static void find_radix(struct khor_mem *mem, const struct khor_map *map,
		       uint64_t phys, struct khor_find_result *res)
{
	const struct khor_geom *g = &map->geom;
	uint64_t page_mask = (UINT64_C(1) << g->page_shift) - 1;

	if (map->root & page_mask) {
		problem(res, -KHOR_ECORRUPT, (int)g->levels, map->root,
			"level %u table (root) at 0x%llx: not page aligned",
			g->levels, (unsigned long long)map->root);
		return;
	}
	for (unsigned int o = 0; o <= g->order0; o++) {
		unsigned int shift = g->page_shift + o;
		uint64_t base = shift < 64 ? phys & ~((UINT64_C(1) << shift) - 1) : 0;
		uint64_t key, node = map->root, v, bit;
		unsigned int l;

		if (khor_key_encode(g, base, o, &key))
			continue;
		for (l = g->levels; l >= 1; l--) {
			uint64_t i = khor_key_index(g, key, l);

			if (read_entry(mem, node, i, l, g->levels, res, &v) || !v)
				break;
			if (v & page_mask) {
				problem(res, -KHOR_ECORRUPT, (int)l, node,
					"level %u table at 0x%llx: entry %llu points to 0x%llx, not page aligned",
					l, (unsigned long long)node,
					(unsigned long long)i,
					(unsigned long long)v);
				break;
			}
			node = v;
		}
		if (l >= 1)
			continue;
		bit = khor_key_index(g, key, 0);
		if (read_entry(mem, node, bit / 64, 0, g->levels, res, &v))
			continue;
		if (v >> (bit % 64) & 1)
			add_block(res, base, o);
	}
}

struct v1_find {
	uint64_t phys;
	uint64_t page_size;
	struct khor_find_result *res;
};

static int v1_run(void *arg, const struct khor_run *run)
{
	struct v1_find *f = arg;
	unsigned int shift = (unsigned int)__builtin_ctzll(f->page_size) + run->order;
	uint64_t i;

	if (run->phys > f->phys)
		return FIND_PAST;
	if (shift >= 64) {
		add_block(f->res, run->phys, run->order);
		return 0;
	}
	i = (f->phys - run->phys) >> shift;
	if (i < run->count)
		add_block(f->res, run->phys + (i << shift), run->order);
	return 0;
}

static int find_v1(struct khor_mem *mem, const struct khor_map *map,
		   uint64_t phys, const struct khor_walk_limits *limits,
		   struct khor_find_result *res)
{
	struct v1_find f = {
		.phys = phys,
		.page_size = UINT64_C(1) << map->geom.page_shift,
		.res = res,
	};
	struct khor_walk_ops ops = { .run = v1_run };
	struct khor_walk_result wr;
	int rc;

	rc = khor_walk(mem, map, limits, &ops, &f, &wr);
	res->reads += wr.node_reads;
	res->v1_bitmap_size = wr.v1_bitmap_size;
	snprintf(res->v1_evidence, sizeof(res->v1_evidence), "%s", wr.v1_evidence);
	if (wr.error.code) {
		res->error = wr.error;
		return wr.error.code;
	}
	if (rc == FIND_PAST)
		return 0;
	return rc;
}

int khor_find(struct khor_mem *mem, const struct khor_map *map, uint64_t phys,
	      const struct khor_walk_limits *limits,
	      struct khor_find_result *res)
{
	int rc = 0;

	memset(res, 0, sizeof(*res));
	khor_error_clear(&res->error);
	res->phys = phys;
	if (!mem || !map)
		return khor_err(&res->error, -KHOR_EINVAL, "khor_find: no memory or map");
	if (!map->root)
		return 0;
	switch (map->format) {
	case KHOR_FMT_RADIX:
		find_radix(mem, map, phys, res);
		rc = res->error.code;
		break;
	case KHOR_FMT_V1:
		rc = find_v1(mem, map, phys, limits, res);
		break;
	default:
		return khor_err(&res->error, -KHOR_EFORMAT,
				"khor_find: unknown map format");
	}
	if (res->n > 1 && rc != -KHOR_ECORRUPT) {
		const struct khor_run *a = &res->blocks[0], *b = &res->blocks[1];
		uint64_t count = res->error.code ? res->error.count : 0;

		khor_err_at(&res->error, -KHOR_ECORRUPT, -1, phys,
			    "0x%llx is in %u preserved blocks (0x%llx order %u and 0x%llx order %u): they overlap",
			    (unsigned long long)phys, res->n,
			    (unsigned long long)a->phys, a->order,
			    (unsigned long long)b->phys, b->order);
		res->error.count = count + 1;
		rc = -KHOR_ECORRUPT;
	}
	return rc;
}
