// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khowalk diff OLD NEW: what changed between two KHO states.
 *
 * Each operand is a vmcore (ELF or kdump), a raw image FILE@PHYS, or '-'
 * for the live system. A dump is scanned for its KHO FDT (the outgoing
 * one, or with --in / --old-in / --new-in the one the previous kernel
 * handed over). Compared: the root FDT (compatible, map root, bytes), each
 * sub-node (added, removed, moved, resized, its blob's bytes; a blob the
 * receiving kernel released is named as such), and the preserved blocks
 * with their owners (lib/owners.c): blocks added and removed, the ranges
 * they form, and per-owner deltas.
 *
 * The two maps are walked at once, each in ascending order: the old one
 * in a thread that hands its blocks over through a bounded ring, the new
 * one in the caller, merging as they go. Memory: the ring and each side's
 * claims, never the trees.
 *
 * Exit status as diff(1): 0 same, 1 different, 2 or more trouble (usage
 * 2, an unreadable operand 5, corrupt 3, pages not in a dump 4).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "owners.h"

#define RING 16384
/* Blocks handed over at a time: one lock and wakeup per batch. */
#define BATCH 1024
#define MAX_BLOB_CMP (16u << 20)
#define MAX_SUBS 256

struct blk {
	uint64_t phys;
	uint32_t owner;
	unsigned int order;
};

struct side {
	const char *spec;
	bool incoming;
	struct common_opts *o;
	struct khor_mem *mem;
	struct khor_located *loc;
	struct khor_owners *own;
	struct khor_owners_result res;
	int rc;
	bool walkable;
};

/* The old side's blocks, from its walking thread to the merge. */
struct ring {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct blk b[RING];
	unsigned int head;
	unsigned int count;
	bool done;
	bool stop;		/* the consumer gave up: end the walk */
	struct blk batch[BATCH];	/* the walking thread's, not yet handed over */
	unsigned int nbatch;
};

struct differ {
	struct common_opts *o;
	struct json *j;
	struct side old, new;
	struct ring ring;
	bool differ;
	uint64_t added, removed, added_bytes, removed_bytes;
	uint64_t added_ranges, removed_ranges;
	uint64_t add_end, rem_end;	/* end of the last added/removed block */
	bool have_add, have_rem;
	bool have_cur;
	struct blk cur;		/* the old block the merge looks at */
	struct blk taken[BATCH];	/* old blocks taken from the ring */
	unsigned int ntaken;
	unsigned int next_taken;
	char path[1024];
};

static int open_side(struct differ *d, struct side *s)
{
	struct common_opts *o = d->o;
	struct khor_locate_opts lo = o->loc;
	struct khor_error err;
	const char *at = strrchr(s->spec, '@');
	uint64_t phys;
	int rc;

	khor_error_clear(&err);
	s->o = o;
	if (!strcmp(s->spec, "-")) {
		/* Live: the system's own state, located as the tools do. */
		rc = khor_mem_open_dump(o->kcore ? o->kcore : "/proc/kcore",
					&err, &s->mem);
	} else if (at && at != s->spec && parse_u64(at + 1, &phys)) {
		struct khor_raw_image img;
		char *path = strndup(s->spec, (size_t)(at - s->spec));

		if (!path) {
			errmsg(o, "out of memory");
			return -KHOR_ENOMEM;
		}
		img.path = path;
		img.phys = phys;
		rc = khor_mem_open_raw(&img, 1, &err, &s->mem);
		free(path);
		if (!o->loc.have_fdt_phys && !o->loc.have_root)
			lo.scan = true;
	} else {
		rc = khor_mem_open_dump(s->spec, &err, &s->mem);
		/* A dump carries no pointer to the FDT: scan, unless told. */
		if (!o->loc.have_fdt_phys && !o->loc.have_root && !o->loc.fdt_file)
			lo.scan = true;
	}
	if (rc) {
		errmsg(o, "%s", err.msg);
		return rc;
	}
	lo.incoming = s->incoming;
	s->loc = malloc(sizeof(*s->loc));
	if (!s->loc) {
		errmsg(o, "out of memory");
		return -KHOR_ENOMEM;
	}
	rc = khor_locate(s->mem, &lo, s->loc, &err);
	if (rc) {
		errmsg(o, "'%s': %s", s->spec, err.msg);
		return rc;
	}
	if (s->loc->note[0])
		infomsg(o, "'%s': %s", s->spec, s->loc->note);
	s->loc->map.v1_bitmap_size = o->v1_bitmap_size;
	s->walkable = s->loc->map.root && !s->loc->map_released;
	return 0;
}

/* ---- the FDT and its sub-nodes ---- */

static void say(struct differ *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct differ *d, const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (d->j)
		json_str(d->j, NULL, line);
	else
		fprintf(d->o->out, "%s\n", line);
}

static int subnodes(const struct side *s, struct khor_subnode *subs,
		    unsigned int *n)
{
	*n = 0;
	for (unsigned int i = 0; i < MAX_SUBS; i++) {
		int rc = khor_fdt_subnode(s->loc->fdt, s->loc->fdt_len,
					  &s->loc->info, i, &subs[i]);

		if (rc == -KHOR_ENOTFOUND)
			return 0;
		if (rc)
			return rc;
		(*n)++;
	}
	return 0;
}

/* Released by the kernel that received it (khor_blob_decode() knows which). */
static bool released(struct side *s, const struct khor_subnode *sub)
{
	struct khor_blob_opts bo = { .incoming = true };
	struct khor_value *v = NULL;
	struct khor_error err;
	bool r;

	if (!s->incoming)
		return false;
	khor_error_clear(&err);
	bo.page_size = UINT64_C(1) << s->loc->map.geom.page_shift;
	khor_blob_decode(NULL, sub, "", 0, &bo, &v, &err);
	r = v && khor_value_get(v, "released");
	khor_value_free(v);
	return r;
}

/* 1 if the blobs' bytes differ, 0 if not, negative if unreadable. */
static int blob_bytes_differ(struct differ *d, const struct khor_subnode *a,
			     const struct khor_subnode *b)
{
	uint64_t len = a->has_size ? a->size : 4096;
	uint8_t *x, *y;
	int rc;

	if (len > MAX_BLOB_CMP)
		len = MAX_BLOB_CMP;
	x = malloc(len ? len : 1);
	y = malloc(len ? len : 1);
	if (!x || !y) {
		free(x);
		free(y);
		return -KHOR_ENOMEM;
	}
	rc = khor_mem_read(d->old.mem, a->phys, x, len);
	if (!rc)
		rc = khor_mem_read(d->new.mem, b->phys, y, len);
	if (!rc)
		rc = memcmp(x, y, len) ? 1 : 0;
	free(x);
	free(y);
	return rc;
}

static void compare_fdts(struct differ *d)
{
	struct khor_located *a = d->old.loc, *b = d->new.loc;
	struct khor_subnode *sa = NULL, *sb = NULL;
	unsigned int na = 0, nb = 0;

	if (d->j)
		json_open(d->j, "fdt", '[');
	if (!a->have_fdt || !b->have_fdt) {
		/* --root: maps without FDTs; only blocks can be compared. */
		if (a->have_fdt != b->have_fdt) {
			say(d, "fdt: only %s has a KHO FDT", a->have_fdt ? "OLD" : "NEW");
			d->differ = true;
		}
		goto out;
	}
	sa = calloc(MAX_SUBS, sizeof(*sa));
	sb = calloc(MAX_SUBS, sizeof(*sb));
	if (!sa || !sb) {
		say(d, "fdt: sub-nodes not compared: out of memory");
		d->differ = true;
		goto out;
	}
	if (strcmp(a->info.compatible, b->info.compatible)) {
		say(d, "fdt: compatible \"%s\" -> \"%s\"", a->info.compatible,
		    b->info.compatible);
		d->differ = true;
	}
	if (a->map.root != b->map.root) {
		say(d, "fdt: preserved-memory-map 0x%llx -> 0x%llx",
		    (unsigned long long)a->map.root,
		    (unsigned long long)b->map.root);
		d->differ = true;
	}
	if (a->fdt_len != b->fdt_len || memcmp(a->fdt, b->fdt, a->fdt_len)) {
		say(d, "fdt: bytes differ (%zu -> %zu bytes)", a->fdt_len,
		    b->fdt_len);
		d->differ = true;
	}
	subnodes(&d->old, sa, &na);
	subnodes(&d->new, sb, &nb);
	for (unsigned int i = 0; i < na; i++) {
		const struct khor_subnode *m = NULL;

		for (unsigned int k = 0; k < nb && !m; k++)
			if (!strcmp(sa[i].name, sb[k].name))
				m = &sb[k];
		if (!m) {
			say(d, "blob \"%s\": removed (0x%llx, %llu bytes)", sa[i].name,
			    (unsigned long long)sa[i].phys,
			    (unsigned long long)sa[i].size);
			d->differ = true;
			continue;
		}
		if (sa[i].phys != m->phys || sa[i].size != m->size) {
			say(d, "blob \"%s\": 0x%llx %llu bytes -> 0x%llx %llu bytes",
			    sa[i].name, (unsigned long long)sa[i].phys,
			    (unsigned long long)sa[i].size,
			    (unsigned long long)m->phys,
			    (unsigned long long)m->size);
			d->differ = true;
			continue;
		}
		if (released(&d->old, &sa[i]) || released(&d->new, m)) {
			say(d, "blob \"%s\": released by the kernel that received it; not compared",
			    sa[i].name);
			continue;
		}
		switch (blob_bytes_differ(d, &sa[i], m)) {
		case 0:
			break;
		case 1:
			say(d, "blob \"%s\": bytes differ", sa[i].name);
			d->differ = true;
			break;
		default:
			say(d, "blob \"%s\": cannot read both copies; not compared",
			    sa[i].name);
		}
	}
	for (unsigned int k = 0; k < nb; k++) {
		bool found = false;

		for (unsigned int i = 0; i < na && !found; i++)
			found = !strcmp(sa[i].name, sb[k].name);
		if (!found) {
			say(d, "blob \"%s\": added (0x%llx, %llu bytes)", sb[k].name,
			    (unsigned long long)sb[k].phys,
			    (unsigned long long)sb[k].size);
			d->differ = true;
		}
	}
out:
	if (d->j)
		json_close(d->j, ']');
	free(sa);
	free(sb);
}

/* ---- blocks: two ascending walks merged ---- */

/* Hand the walking thread's batch over; false if the merge gave up. */
static bool push_batch(struct ring *r)
{
	bool stop;

	pthread_mutex_lock(&r->lock);
	while (RING - r->count < r->nbatch && !r->stop)
		pthread_cond_wait(&r->cond, &r->lock);
	stop = r->stop;
	for (unsigned int i = 0; !stop && i < r->nbatch; i++)
		r->b[(r->head + r->count++) % RING] = r->batch[i];
	r->nbatch = 0;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return !stop;
}

static int old_block(void *arg, const struct khor_owned_block *b)
{
	struct ring *r = arg;
	struct blk *x = &r->batch[r->nbatch++];

	x->phys = b->phys;
	x->order = b->order;
	x->owner = b->owner;
	if (r->nbatch == BATCH && !push_batch(r))
		return -KHOR_ESTOP;
	return 0;
}

static void *old_walker(void *arg)
{
	struct differ *d = arg;
	struct khor_owners_ops ops = { .block = old_block };
	struct side *s = &d->old;

	s->rc = khor_owners_walk(s->own, s->mem, &s->loc->map, &d->o->limits,
				 &ops, &d->ring, &s->res);
	if (d->ring.nbatch)
		push_batch(&d->ring);
	pthread_mutex_lock(&d->ring.lock);
	d->ring.done = true;
	pthread_cond_broadcast(&d->ring.cond);
	pthread_mutex_unlock(&d->ring.lock);
	return NULL;
}

/* The next old block, or false at the end of the old walk. */
static bool next_old(struct differ *d)
{
	struct ring *r = &d->ring;

	if (d->next_taken < d->ntaken) {
		d->cur = d->taken[d->next_taken++];
		return true;
	}
	pthread_mutex_lock(&r->lock);
	while (!r->count && !r->done)
		pthread_cond_wait(&r->cond, &r->lock);
	d->ntaken = r->count < BATCH ? r->count : BATCH;
	for (unsigned int i = 0; i < d->ntaken; i++) {
		d->taken[i] = r->b[r->head];
		r->head = (r->head + 1) % RING;
	}
	r->count -= d->ntaken;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	d->next_taken = 0;
	if (!d->ntaken)
		return false;
	d->cur = d->taken[d->next_taken++];
	return true;
}

static int change(struct differ *d, char sign, const struct side *s,
		  uint64_t phys, unsigned int order, uint32_t owner)
{
	uint64_t size = (UINT64_C(1) << s->loc->map.geom.page_shift) << order;

	d->differ = true;
	if (sign == '+') {
		d->added++;
		d->added_bytes += size;
		if (!d->have_add || d->add_end != phys)
			d->added_ranges++;
		d->have_add = true;
		d->add_end = phys + size;
	} else {
		d->removed++;
		d->removed_bytes += size;
		if (!d->have_rem || d->rem_end != phys)
			d->removed_ranges++;
		d->have_rem = true;
		d->rem_end = phys + size;
	}
	khor_owners_path(s->own, owner, d->path, sizeof(d->path));
	if (d->j) {
		json_open(d->j, NULL, '{');
		json_str(d->j, "change", sign == '+' ? "added" : "removed");
		json_hex(d->j, "phys", phys);
		json_uint(d->j, "order", order);
		json_str(d->j, "owner", d->path);
		json_close(d->j, '}');
	} else {
		fprintf(d->o->out, "%c 0x%llx %u %s\n", sign,
			(unsigned long long)phys, order, d->path);
	}
	return ferror(d->o->out) ? -KHOR_EIO : 0;
}

static int new_block(void *arg, const struct khor_owned_block *b)
{
	struct differ *d = arg;
	int rc;

	for (;;) {
		if (!d->have_cur && !(d->have_cur = next_old(d)))
			return change(d, '+', &d->new, b->phys, b->order, b->owner);
		if (d->cur.phys < b->phys) {
			rc = change(d, '-', &d->old, d->cur.phys, d->cur.order,
				    d->cur.owner);
			d->have_cur = false;
			if (rc)
				return rc;
			continue;
		}
		if (d->cur.phys > b->phys)
			return change(d, '+', &d->new, b->phys, b->order, b->owner);
		d->have_cur = false;
		if (d->cur.order == b->order)
			return 0;
		rc = change(d, '-', &d->old, d->cur.phys, d->cur.order,
			    d->cur.owner);
		return rc ? rc : change(d, '+', &d->new, b->phys, b->order,
					b->owner);
	}
}

static int make_owners(struct differ *d, struct side *s)
{
	struct khor_owners_opts oo = {
		.page_size = UINT64_C(1) << s->loc->map.geom.page_shift,
		.incoming = s->incoming,
	};
	struct khor_error err;
	int rc;

	khor_error_clear(&err);
	rc = khor_owners_create(s->mem, s->loc, &oo, &s->own, &err);
	if (rc && rc != -KHOR_ELIMIT) {
		errmsg(d->o, "'%s': %s", s->spec, err.msg);
		return rc;
	}
	return 0;
}

static int compare_blocks(struct differ *d)
{
	struct khor_owners_ops ops = { .block = new_block };
	pthread_t t;
	int rc;

	if (make_owners(d, &d->old) || make_owners(d, &d->new))
		return -KHOR_ENOMEM;
	pthread_mutex_init(&d->ring.lock, NULL);
	pthread_cond_init(&d->ring.cond, NULL);
	if (pthread_create(&t, NULL, old_walker, d)) {
		errmsg(d->o, "cannot start a thread");
		return -KHOR_ENOMEM;
	}
	if (d->j)
		json_open(d->j, "blocks", '[');
	d->new.rc = khor_owners_walk(d->new.own, d->new.mem, &d->new.loc->map,
				     &d->o->limits, &ops, d, &d->new.res);
	rc = d->new.rc;
	/* What the old walk has left was removed. */
	while (!rc && (d->have_cur || (d->have_cur = next_old(d)))) {
		rc = change(d, '-', &d->old, d->cur.phys, d->cur.order,
			    d->cur.owner);
		d->have_cur = false;
	}
	pthread_mutex_lock(&d->ring.lock);
	d->ring.stop = true;
	pthread_cond_broadcast(&d->ring.cond);
	pthread_mutex_unlock(&d->ring.lock);
	pthread_join(t, NULL);
	pthread_mutex_destroy(&d->ring.lock);
	pthread_cond_destroy(&d->ring.cond);
	if (d->j)
		json_close(d->j, ']');
	if (!rc && d->old.rc && d->old.rc != -KHOR_ESTOP)
		rc = d->old.rc;
	return rc;
}

/* Owners matched by path; one line per owner whose totals changed. */
static void owner_deltas(struct differ *d)
{
	struct khor_owners *a = d->old.own, *b = d->new.own;
	uint32_t na = khor_owners_count(a), nb = khor_owners_count(b);
	char pa[1024], pb[1024];
	bool *seen = calloc(nb + 1, sizeof(*seen));

	if (d->j)
		json_open(d->j, "owners", '[');
	for (uint32_t i = 1; i <= na + nb; i++) {
		const struct khor_owner *x = i <= na ? khor_owners_get(a, i) : NULL;
		const struct khor_owner *y = NULL;

		if (x) {
			khor_owners_path(a, i, pa, sizeof(pa));
			for (uint32_t k = 1; k <= nb && !y; k++) {
				if (seen && seen[k])
					continue;
				if (!strcmp(pa, khor_owners_path(b, k, pb, sizeof(pb)))) {
					y = khor_owners_get(b, k);
					if (seen)
						seen[k] = true;
				}
			}
		} else {
			uint32_t k = i - na;

			if (!seen || seen[k])
				continue;
			y = khor_owners_get(b, k);
			khor_owners_path(b, k, pa, sizeof(pa));
		}
		if (x && y && x->blocks == y->blocks && x->bytes == y->bytes)
			continue;
		/* A node that holds nothing itself (a session, a file). */
		if (!(x ? x->blocks : 0) && !(y ? y->blocks : 0))
			continue;
		if (d->j) {
			json_open(d->j, NULL, '{');
			json_str(d->j, "owner", pa);
			json_uint(d->j, "old_blocks", x ? x->blocks : 0);
			json_uint(d->j, "new_blocks", y ? y->blocks : 0);
			json_uint(d->j, "old_bytes", x ? x->bytes : 0);
			json_uint(d->j, "new_bytes", y ? y->bytes : 0);
			json_close(d->j, '}');
		} else {
			fprintf(d->o->out, "owner %s: %s%llu blocks %llu bytes -> %s%llu blocks %llu bytes\n",
				pa, x ? "" : "(new) ",
				(unsigned long long)(x ? x->blocks : 0),
				(unsigned long long)(x ? x->bytes : 0),
				y ? "" : "(gone) ",
				(unsigned long long)(y ? y->blocks : 0),
				(unsigned long long)(y ? y->bytes : 0));
		}
		d->differ = true;
	}
	if (d->j)
		json_close(d->j, ']');
	free(seen);
}

int cmd_diff(struct common_opts *o, bool in_old, bool in_new, int argc,
	     char **argv)
{
	struct differ *d;
	struct json j;
	int rc = 0, status;

	if (argc != 2) {
		errmsg(o, "usage: diff OLD NEW (each a vmcore, FILE@PHYS or '-')");
		return EXIT_USAGE;
	}
	o->exits = EXITS_VERDICT;
	d = calloc(1, sizeof(*d));
	if (!d) {
		errmsg(o, "out of memory");
		return EXIT_TROUBLE;
	}
	d->o = o;
	d->old.spec = argv[0];
	d->new.spec = argv[1];
	d->old.incoming = o->loc.incoming || in_old;
	d->new.incoming = o->loc.incoming || in_new;
	rc = open_side(d, &d->old);
	if (!rc)
		rc = open_side(d, &d->new);
	if (rc)
		goto out;
	if (o->json) {
		json_doc(&j, o);
		d->j = &j;
		json_str(&j, "old", d->old.loc->how);
		json_str(&j, "new", d->new.loc->how);
	} else {
		fprintf(o->out, "--- %s: %s\n", d->old.spec, d->old.loc->how);
		fprintf(o->out, "+++ %s: %s\n", d->new.spec, d->new.loc->how);
	}
	compare_fdts(d);
	if (d->old.walkable && d->new.walkable) {
		rc = compare_blocks(d);
		if (!rc || rc == -KHOR_ECORRUPT || rc == -KHOR_ENODATA)
			owner_deltas(d);
		if (o->json) {
			json_open(&j, "summary", '{');
			json_uint(&j, "added", d->added);
			json_uint(&j, "added_bytes", d->added_bytes);
			json_uint(&j, "added_ranges", d->added_ranges);
			json_uint(&j, "removed", d->removed);
			json_uint(&j, "removed_bytes", d->removed_bytes);
			json_uint(&j, "removed_ranges", d->removed_ranges);
			json_close(&j, '}');
		} else {
			fprintf(o->out, "blocks: %llu added (%llu bytes in %llu ranges), %llu removed (%llu bytes in %llu ranges)\n",
				(unsigned long long)d->added,
				(unsigned long long)d->added_bytes,
				(unsigned long long)d->added_ranges,
				(unsigned long long)d->removed,
				(unsigned long long)d->removed_bytes,
				(unsigned long long)d->removed_ranges);
		}
	} else {
		const char *why = "released (the kernel that received it freed the tree's pages) or absent";

		if (o->json)
			json_str(&j, "note", "blocks not compared: a map is released or absent");
		else
			fprintf(o->out, "blocks: not compared: the map of %s: %s\n",
				d->old.walkable ? "NEW" : "OLD", why);
	}
	if (o->json) {
		json_bool(&j, "same", !d->differ);
		if (rc) {
			struct khor_error e;
			const struct khor_error *we = d->new.res.walk.error.code ?
				&d->new.res.walk.error : &d->old.res.walk.error;

			khor_error_clear(&e);
			json_error(&j, we->code ? we : &e);
		}
		json_end(&j);
	}
	if (rc) {
		const struct khor_error *we = d->new.res.walk.error.code ?
			&d->new.res.walk.error : &d->old.res.walk.error;

		errmsg(o, "%s", we->code ? we->msg : khor_strerror(rc));
	}
out:
	status = exit_diff(rc, d->differ);
	khor_owners_destroy(d->old.own);
	khor_owners_destroy(d->new.own);
	if (d->old.mem)
		khor_mem_destroy(d->old.mem);
	if (d->new.mem)
		khor_mem_destroy(d->new.mem);
	free(d->old.loc);
	free(d->new.loc);
	free(d);
	return status;
}
