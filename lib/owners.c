// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Owners: who holds each preserved block.
 *
 * The blob decoders (lib/blob*.c) already follow every pointer a KHO
 * client hands over; given an owner sink they also say, for each range
 * they read, which structure it belongs to (a claim). Here the claims are
 * collected into an owner tree, sorted once, and merged with the
 * ascending block stream of khor_walk() in one pass: a block is
 * attributed to the most specific owner whose claims touch it, claims of
 * unrelated owners on one block are an overlap, a claimed range that no
 * block covers is "claimed but not preserved", and blocks nobody claims
 * stream out as unattributed ranges, where leaks show up.
 *
 * Memory: the claims (40 bytes each) and the owner nodes, both bounded by
 * khor_owners_opts.max_claims; nothing grows with the size of the map.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_internal.h"

/* Decode problems kept for the report; more are counted. */
#define MAX_DECODE_PROBLEMS 64
#define MAX_SUBNODES 4096

struct claim {
	uint64_t start;
	uint64_t end;
	uint64_t detail;
	uint64_t cursor;	/* preserved up to here, as the blocks went by */
	uint32_t owner;
};

struct owner_node {
	struct khor_owner pub;
	uint64_t last_end;	/* end of the last block attributed to it */
};

struct owners_sink {
	struct khor_owners *o;
};

struct khor_owners {
	struct owners_sink sink;
	uint64_t page_size;
	bool incoming;
	struct owner_node *nodes;
	uint32_t n;
	uint32_t cap;
	struct claim *claims;
	uint64_t nclaims;
	uint64_t cap_claims;
	uint64_t max_claims;
	bool nomem;
	bool limit;
	bool luo_unserialized;
	bool no_fdt;
	char unknown[512];
	struct khor_owner_problem *dprobs;
	uint64_t ndprobs;	/* all of them; at most MAX_DECODE_PROBLEMS kept */
	int decode_status;	/* the worst blob status */

	/* The merge (khor_owners_walk()). */
	const struct khor_owners_ops *ops;
	void *arg;
	struct khor_owners_result *res;
	uint64_t next;		/* first claim not yet active */
	uint64_t *active;	/* indices of claims that may touch blocks */
	uint64_t nactive;
	bool walked;
	uint64_t list_max;	/* unattributed ranges handed over, 0: all */
	uint64_t listed;
	struct khor_ranges ur;	/* the unattributed blocks, coalesced */
	int emit_rc;
};

uint32_t owner_new(struct blob_ctx *c, uint32_t parent, const char *kind,
		   const char *fmt, ...)
{
	struct khor_owners *o = c->own ? c->own->o : NULL;
	struct owner_node *n;
	char name[160];
	va_list ap;

	if (!o || o->nomem || o->limit)
		return 0;
	if (o->n >= o->max_claims) {
		o->limit = true;
		return 0;
	}
	if (o->n == o->cap) {
		uint32_t ncap = o->cap ? o->cap * 2 : 64;
		struct owner_node *nn = realloc(o->nodes, ncap * sizeof(*nn));

		if (!nn) {
			o->nomem = true;
			return 0;
		}
		o->nodes = nn;
		o->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	n = &o->nodes[o->n];
	memset(n, 0, sizeof(*n));
	n->pub.name = strdup(name);
	if (!n->pub.name) {
		o->nomem = true;
		return 0;
	}
	n->pub.id = ++o->n;
	n->pub.parent = parent <= o->n ? parent : 0;
	n->pub.depth = n->pub.parent ? o->nodes[parent - 1].pub.depth + 1 : 0;
	n->pub.kind = kind;
	return n->pub.id;
}

void owner_claim(struct blob_ctx *c, uint32_t owner, uint64_t phys,
		 uint64_t len, uint64_t detail)
{
	struct khor_owners *o = c->own ? c->own->o : NULL;
	struct claim *cl;

	if (!o || !owner || !len || o->nomem)
		return;
	if (o->nclaims >= o->max_claims) {
		o->limit = true;
		return;
	}
	if (o->nclaims == o->cap_claims) {
		uint64_t ncap = o->cap_claims ? o->cap_claims * 2 : 256;
		struct claim *nc;

		if (ncap > o->max_claims)
			ncap = o->max_claims;
		nc = realloc(o->claims, (size_t)ncap * sizeof(*nc));
		if (!nc) {
			o->nomem = true;
			return;
		}
		o->claims = nc;
		o->cap_claims = ncap;
	}
	cl = &o->claims[o->nclaims++];
	cl->start = phys;
	/* A range that wraps is cut at the top of the address space. */
	cl->end = phys + len < phys ? UINT64_MAX : phys + len;
	cl->detail = detail;
	cl->cursor = phys;
	cl->owner = owner;
	o->nodes[owner - 1].pub.claims++;
	o->nodes[owner - 1].pub.claimed_bytes += cl->end - cl->start;
}

void owner_luo_unserialized(struct blob_ctx *c)
{
	if (c->own)
		c->own->o->luo_unserialized = true;
}

static void note_decode_problem(struct khor_owners *o, uint32_t owner,
				const char *blob, const struct khor_value *p)
{
	const struct khor_value *msg = khor_value_get(p, "message");
	const struct khor_value *phys = khor_value_get(p, "phys");
	struct khor_owner_problem *d;

	if (o->ndprobs++ >= MAX_DECODE_PROBLEMS)
		return;
	if (!o->dprobs) {
		o->dprobs = calloc(MAX_DECODE_PROBLEMS, sizeof(*o->dprobs));
		if (!o->dprobs) {
			o->nomem = true;
			return;
		}
	}
	d = &o->dprobs[o->ndprobs - 1];
	d->kind = KHOR_OWNER_DECODE;
	d->owner = owner;
	d->start = d->end = phys ? phys->u : 0;
	snprintf(d->msg, sizeof(d->msg), "blob \"%s\": %s", blob,
		 msg && msg->s ? msg->s : "?");
}

static void note_unknown(struct khor_owners *o, const char *name,
			 const struct khor_value *v)
{
	const struct khor_value *fmt = khor_value_get(v, "format");
	const struct khor_value *compat = khor_value_get(v, "compatible");
	size_t len = strlen(o->unknown);

	snprintf(o->unknown + len, sizeof(o->unknown) - len, "%s%s (%s%s%s)",
		 len ? ", " : "", name, fmt && fmt->s ? fmt->s : "?",
		 compat && compat->s ? " " : "",
		 compat && compat->s ? compat->s : "");
}

int khor_owners_create(struct khor_mem *mem, const struct khor_located *loc,
		       const struct khor_owners_opts *opts,
		       struct khor_owners **ret, struct khor_error *err)
{
	struct owners_sink *sink;
	struct khor_owners *o;
	struct blob_ctx root = { 0 };
	struct khor_blob_opts bo = { 0 };
	uint32_t fdt_owner;

	if (!loc)
		return khor_err(err, -KHOR_EINVAL, "owners: nothing located");
	o = calloc(1, sizeof(*o));
	if (!o)
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	sink = &o->sink;
	sink->o = o;
	o->page_size = opts && opts->page_size ? opts->page_size : 4096;
	o->incoming = opts && opts->incoming;
	o->max_claims = opts && opts->max_claims ? opts->max_claims :
			KHOR_OWNERS_MAX_CLAIMS;
	o->list_max = opts ? opts->list_unattributed : 0;
	root.own = sink;
	/* A map given by its root alone: nothing says who holds what. */
	o->no_fdt = !loc->have_fdt;
	if (o->no_fdt) {
		*ret = o;
		return 0;
	}

	fdt_owner = owner_new(&root, 0, "kho-fdt", "KHO FDT");
	if (loc->have_fdt_phys)
		owner_claim(&root, fdt_owner, loc->fdt_phys, loc->fdt_len,
			    KHOR_NO_DETAIL);

	bo.page_size = o->page_size;
	bo.max_items = o->max_claims;
	bo.incoming = o->incoming;
	if (loc->map.root && !loc->map_released)
		bo.map = &loc->map;
	for (unsigned int i = 0; i < MAX_SUBNODES && !o->nomem; i++) {
		struct khor_subnode sub;
		struct khor_value *v = NULL;
		struct khor_error berr;
		const struct khor_value *probs;
		uint32_t id;
		int rc;

		rc = khor_fdt_subnode(loc->fdt, loc->fdt_len, &loc->info, i, &sub);
		if (rc == -KHOR_ENOTFOUND)
			break;
		if (rc) {
			khor_owners_destroy(o);
			return khor_err(err, rc, "KHO FDT: cannot read sub-node %u",
					i);
		}
		id = owner_new(&root, 0, "blob", "blob \"%s\"", sub.name);
		khor_error_clear(&berr);
		rc = blob_decode_owned(mem, &sub, &bo, sink, id, &v, &berr);
		if (rc && (rc == -KHOR_ECORRUPT || !o->decode_status))
			o->decode_status = rc;
		if (rc == -KHOR_ENOMEM || !v) {
			khor_value_free(v);
			o->nomem = true;
			break;
		}
		probs = khor_value_get(v, "problems");
		for (const struct khor_value *p = probs ? probs->child : NULL; p;
		     p = p->next)
			note_decode_problem(o, id, sub.name, p);
		if (!khor_value_get(v, "decoder") && !khor_value_get(v, "released"))
			note_unknown(o, sub.name, v);
		khor_value_free(v);
	}
	if (o->nomem) {
		khor_owners_destroy(o);
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	}
	*ret = o;
	if (o->limit && !o->decode_status)
		o->decode_status = -KHOR_ELIMIT;
	if (o->limit)
		return khor_err(err, -KHOR_ELIMIT,
				"more than %llu claims (owners, folios, blocks): the rest is not attributed",
				(unsigned long long)o->max_claims);
	return 0;
}

uint32_t khor_owners_count(const struct khor_owners *o)
{
	return o ? o->n : 0;
}

const struct khor_owner *khor_owners_get(const struct khor_owners *o,
					 uint32_t id)
{
	if (!o || !id || id > o->n)
		return NULL;
	return &o->nodes[id - 1].pub;
}

const char *khor_owners_path(const struct khor_owners *o, uint32_t id,
			     char *buf, size_t len)
{
	const struct khor_owner *chain[64];
	unsigned int n = 0;
	size_t at = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!id) {
		snprintf(buf, len, "unattributed");
		return buf;
	}
	for (const struct khor_owner *w = khor_owners_get(o, id); w && n < 64;
	     w = khor_owners_get(o, w->parent))
		chain[n++] = w;
	while (n--) {
		int k = snprintf(buf + at, len - at, "%s%s", at ? " / " : "",
				 chain[n]->name);

		if (k < 0 || (size_t)k >= len - at)
			break;
		at += (size_t)k;
	}
	return buf;
}

const char *khor_owners_unattributed_reason(const struct khor_owners *o)
{
	if (o && o->no_fdt)
		return "no KHO FDT (a map given by its root): nothing says who holds what";
	if (o && o->luo_unserialized)
		return "LUO has not serialized its sessions (luo_ser's sessions_pa is 0 until liveupdate_reboot()): its session and file blocks, memfd descriptors and folios are preserved but nothing reachable refers to them yet";
	if (o && o->incoming)
		return "incoming: blobs' pointers are not followed in the kernel that received them (their owners restore and may free what they point to)";
	return "referenced by nothing decoded";
}

const char *khor_owners_unknown_blobs(const struct khor_owners *o)
{
	return o ? o->unknown : "";
}

void khor_owners_destroy(struct khor_owners *o)
{
	if (!o)
		return;
	for (uint32_t i = 0; i < o->n; i++)
		free((char *)o->nodes[i].pub.name);
	free(o->nodes);
	free(o->claims);
	free(o->dprobs);
	free(o->active);
	free(o);
}

/* ---------------------------------------------------------------------- */
/* The merge                                                              */
/* ---------------------------------------------------------------------- */

static int cmp_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return x->owner < y->owner ? -1 : x->owner > y->owner;
}

static bool is_ancestor_or_self(const struct khor_owners *o, uint32_t a,
				uint32_t b)
{
	for (unsigned int hops = 0; b && hops < 64; hops++) {
		if (a == b)
			return true;
		b = o->nodes[b - 1].pub.parent;
	}
	return false;
}

static int problem(struct khor_owners *o, enum khor_owner_problem_kind kind,
		   uint64_t start, uint64_t end, uint32_t owner, uint32_t other)
{
	struct khor_owner_problem p = { .kind = kind, .start = start,
					.end = end, .owner = owner,
					.other = other };
	char a[200], b[200];

	khor_owners_path(o, owner, a, sizeof(a));
	if (kind == KHOR_OWNER_OVERLAP) {
		o->res->overlaps++;
		khor_owners_path(o, other, b, sizeof(b));
		snprintf(p.msg, sizeof(p.msg),
			 "block 0x%llx-0x%llx: claimed by %s and by %s, unrelated owners",
			 (unsigned long long)start, (unsigned long long)end, a, b);
	} else {
		o->res->not_preserved++;
		snprintf(p.msg, sizeof(p.msg),
			 "0x%llx-0x%llx: claimed by %s but not preserved",
			 (unsigned long long)start, (unsigned long long)end, a);
	}
	return o->ops->problem ? o->ops->problem(o->arg, &p) : 0;
}

/* A claim no later block can touch: what of it no block covered. */
static int retire(struct khor_owners *o, struct claim *c)
{
	if (c->cursor < c->end)
		return problem(o, KHOR_OWNER_NOT_PRESERVED,
			       c->cursor > c->start ? c->cursor : c->start,
			       c->end, c->owner, 0);
	return 0;
}

/*
 * The unattributed stream is a khor_ranges sink: listed through
 * ops.unattributed up to the limit, then only counted (its emit is
 * dropped, and spans are counted a word at a time).
 */
static int emit_unattributed(void *arg, uint64_t start, uint64_t end)
{
	struct khor_owners *o = arg;
	int rc = 0;

	if (o->ops->unattributed)
		rc = o->ops->unattributed(o->arg, start, end);
	if (o->list_max && ++o->listed >= o->list_max)
		o->ur.emit = NULL;
	return rc;
}

static int unattributed_run(struct khor_owners *o, const struct khor_run *run)
{
	o->res->unattributed_blocks += run->count;
	o->res->unattributed_bytes += run->count * (o->page_size << run->order);
	return khor_ranges_add(&o->ur, run);
}

/* Retire active claims that end at or before @b. */
static int retire_before(struct khor_owners *o, uint64_t b)
{
	uint64_t k = 0;
	int rc = 0;

	for (uint64_t i = 0; i < o->nactive; i++) {
		struct claim *c = &o->claims[o->active[i]];

		if (c->end <= b) {
			if (!rc)
				rc = retire(o, c);
		} else {
			o->active[k++] = o->active[i];
		}
	}
	o->nactive = k;
	return rc;
}

/* Bytes of [b, e) covered by the active claims of @owner's line. */
static bool covered(struct khor_owners *o, uint32_t owner, uint64_t b,
		    uint64_t e)
{
	uint64_t at = b;
	bool moved = true;

	/* The active set is small (nesting depth): sweep until no progress. */
	while (at < e && moved) {
		moved = false;
		for (uint64_t i = 0; i < o->nactive; i++) {
			const struct claim *c = &o->claims[o->active[i]];

			if (c->start <= at && c->end > at &&
			    is_ancestor_or_self(o, c->owner, owner)) {
				at = c->end;
				moved = true;
			}
		}
	}
	return at >= e;
}

static int one_block(struct khor_owners *o, uint64_t b, unsigned int order)
{
	uint64_t size = o->page_size << order, e = b + size;
	struct khor_owned_block ob = { .phys = b, .order = order,
				       .detail = KHOR_NO_DETAIL };
	const struct claim *best = NULL;
	uint32_t other = 0;
	int rc;

	/* Each claim becomes active once: @active has room for all. */
	while (o->next < o->nclaims && o->claims[o->next].start < e)
		o->active[o->nactive++] = o->next++;
	rc = retire_before(o, b);
	if (rc)
		return rc;
	for (uint64_t i = 0; i < o->nactive; i++) {
		const struct claim *c = &o->claims[o->active[i]];

		if (!best || o->nodes[c->owner - 1].pub.depth >
			     o->nodes[best->owner - 1].pub.depth)
			best = c;
	}
	if (!best) {
		struct khor_run one = { .phys = b, .count = 1, .order = order };

		if (o->ops->block) {
			rc = o->ops->block(o->arg, &ob);
			if (rc)
				return rc;
		}
		return unattributed_run(o, &one);
	}
	for (uint64_t i = 0; i < o->nactive; i++) {
		struct claim *c = &o->claims[o->active[i]];

		if (!other && !is_ancestor_or_self(o, c->owner, best->owner))
			other = c->owner;
		if (b > c->cursor && !rc)
			rc = problem(o, KHOR_OWNER_NOT_PRESERVED, c->cursor,
				     b < c->end ? b : c->end, c->owner, 0);
		if (e > c->cursor)
			c->cursor = e;
	}
	if (rc)
		return rc;
	if (other) {
		rc = problem(o, KHOR_OWNER_OVERLAP, b, e, best->owner, other);
		if (rc)
			return rc;
	}
	ob.owner = best->owner;
	ob.detail = best->detail;
	ob.partial = !covered(o, best->owner, b, e);
	{
		struct owner_node *n = &o->nodes[best->owner - 1];

		n->pub.blocks++;
		n->pub.bytes += size;
		if (!n->pub.ranges || n->last_end != b)
			n->pub.ranges++;
		n->last_end = e;
		if (ob.partial) {
			n->pub.partial++;
			o->res->partial++;
		}
	}
	o->res->attributed_blocks++;
	o->res->attributed_bytes += size;
	return o->ops->block ? o->ops->block(o->arg, &ob) : 0;
}

/* No claim can touch [start, end): the blocks in it are nobody's. */
static bool untouched(struct khor_owners *o, uint64_t start, uint64_t end)
{
	if (o->ops->block)
		return false;
	if (retire_before(o, start))
		return false;	/* reported by one_block() on the slow path */
	return !o->nactive &&
	       (o->next >= o->nclaims || o->claims[o->next].start >= end);
}

static int on_run(void *arg, const struct khor_run *run)
{
	struct khor_owners *o = arg;
	uint64_t bs = o->page_size << run->order;
	uint64_t end = run->phys + run->count * bs;
	int rc;

	if (untouched(o, run->phys, end))
		return unattributed_run(o, run);
	for (uint64_t i = 0; i < run->count; i++) {
		rc = one_block(o, run->phys + i * bs, run->order);
		if (rc)
			return rc;
	}
	return 0;
}

static int on_bitmap(void *arg, const struct khor_bitmap *bm)
{
	struct khor_owners *o = arg;
	uint64_t first = bm->base + (bm->from << bm->block_shift);
	uint64_t last = bm->base + (bm->to << bm->block_shift);
	struct khor_run run;
	uint64_t pos = bm->from;
	int rc;

	/* Nobody's: the sinks take the span whole (counted by the word). */
	if (untouched(o, first, last)) {
		o->res->unattributed_blocks += bm->count;
		o->res->unattributed_bytes += bm->count << bm->block_shift;
		return khor_ranges_add_bitmap(&o->ur, bm);
	}
	while (khor_bitmap_next_run(bm, &pos, &run)) {
		rc = on_run(o, &run);
		if (rc)
			return rc;
	}
	return 0;
}

int khor_owners_walk(struct khor_owners *o, struct khor_mem *mem,
		     const struct khor_map *map,
		     const struct khor_walk_limits *limits,
		     const struct khor_owners_ops *ops, void *arg,
		     struct khor_owners_result *res)
{
	static const struct khor_owners_ops none;
	struct khor_walk_ops wops = { .run = on_run, .bitmap = on_bitmap };
	int rc, frc = 0;

	memset(res, 0, sizeof(*res));
	khor_error_clear(&res->walk.error);
	if (o->walked)
		return khor_err(&res->walk.error, -KHOR_EINVAL,
				"owners: the claims were merged once already");
	o->walked = true;
	o->ops = ops ? ops : &none;
	o->arg = arg;
	o->res = res;
	res->decode_problems = o->ndprobs;
	res->decode_status = o->decode_status;
	for (uint64_t i = 0; i < o->ndprobs && i < MAX_DECODE_PROBLEMS; i++) {
		if (o->ops->problem) {
			rc = o->ops->problem(arg, &o->dprobs[i]);
			if (rc)
				return rc;
		}
	}
	khor_ranges_init(&o->ur, o->page_size, emit_unattributed, o);
	/*
	 * No map (kho-v1 before finalize, or a 0 that tells the next kernel
	 * to revive nothing): no block to attribute, and no claim can be
	 * called "not preserved" for it.
	 */
	if (!map->root)
		return 0;
	if (o->nclaims) {
		qsort(o->claims, (size_t)o->nclaims, sizeof(*o->claims),
		      cmp_claim);
		o->active = malloc((size_t)o->nclaims * sizeof(*o->active));
		if (!o->active)
			return khor_err(&res->walk.error, -KHOR_ENOMEM,
					"out of memory");
	}
	rc = khor_walk(mem, map, limits, &wops, o, &res->walk);
	if (!rc || rc == -KHOR_ECORRUPT || rc == -KHOR_ENODATA ||
	    rc == -KHOR_ECHANGED)
		frc = khor_ranges_flush(&o->ur);
	res->unattributed_ranges = o->ur.count;
	/*
	 * Claims left over were preserved by no block the walk saw; a walk
	 * that stopped early or skipped pages proves nothing about them.
	 */
	if (!rc) {
		for (uint64_t i = 0; i < o->nactive && !frc; i++)
			frc = retire(o, &o->claims[o->active[i]]);
		for (; o->next < o->nclaims && !frc; o->next++)
			frc = retire(o, &o->claims[o->next]);
	}
	return rc ? rc : frc;
}
