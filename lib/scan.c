// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Find KHO FDTs in memory when nothing says where they are: vmcores carry
 * no VMCOREINFO entry for KHO (KHO_ABI.md §6). A bounded scan looks at the
 * first bytes of every present page (one sequential pass over the dump,
 * khor_mem_heads()) for an FDT whose root compatible starts with "kho-v",
 * and validates each one by walking its map. Several
 * can match (an in and an out FDT, stale or user-space copies of one);
 * the choice and its reason are reported, never silent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "internal.h"
#include "memsrc.h"

#define DEFAULT_MAX_PAGES (1ULL << 26)
#define DEFAULT_CHECK_NODES 65536

struct check_walk {
	uint64_t fdt_phys;
	uint64_t page_size;
	bool found;
};

static int check_run(void *arg, const struct khor_run *run)
{
	struct check_walk *cw = arg;
	uint64_t bs = cw->page_size << run->order;

	if (cw->fdt_phys >= run->phys &&
	    (cw->fdt_phys - run->phys) / bs < run->count)
		cw->found = true;
	return 0;
}

/*
 * kexec_count of the FDT's "kexec-metadata" sub-blob, or -1. A second
 * kernel holds two KHO FDTs: the one it received (count N) and the one it
 * will hand over (count N + 1).
 */
static int64_t fdt_kexec_count(struct khor_mem *mem, const void *fdt,
			       const char *prop)
{
	int node = fdt_subnode_offset(fdt, 0, "kexec-metadata"), len;
	const void *val;
	uint8_t meta[KHOR_KEXEC_META_SIZE];
	uint64_t pa;
	bool paused;
	int rc;

	if (node < 0 || !prop)
		return -1;
	val = fdt_getprop(fdt, node, prop, &len);
	if (!val || len != 8)
		return -1;
	memcpy(&pa, val, 8);
	paused = khor_mem_record_pause(mem, false);
	rc = khor_mem_read(mem, pa, meta, sizeof(meta));
	khor_mem_record_pause(mem, paused);
	return rc ? -1 : khor_kexec_meta_count(meta, sizeof(meta));
}

/*
 * The FDT part of a candidate: header, "kho-v" compatible, root decode and
 * kexec_count. 1 with @cand's verdict set when it is a candidate that
 * cannot be valid; 0 when its map is to be validated; <0 when it is no KHO
 * FDT at all.
 */
static int cand_read_fdt(struct khor_mem *mem, uint64_t phys, uint8_t *buf,
			 size_t size, struct khor_candidate *cand,
			 struct khor_fdt_info *info)
{
	struct khor_error err;
	const char *compat;
	uint32_t total;
	int clen;
	int rc;

	memset(cand, 0, sizeof(*cand));
	cand->phys = phys;
	cand->kexec_count = -1;
	rc = khor_mem_read(mem, phys, buf, sizeof(struct fdt_header));
	if (rc)
		return rc;
	if (fdt_magic(buf) != FDT_MAGIC)
		return -KHOR_EFORMAT;
	total = fdt_totalsize(buf);
	if (total < sizeof(struct fdt_header) || total > size)
		return -KHOR_EFORMAT;
	rc = khor_mem_read(mem, phys, buf, total);
	if (rc)
		return rc;
	/* Only FDTs whose root compatible starts with "kho-v" are candidates. */
	if (fdt_check_header(buf))
		return -KHOR_EFORMAT;
	compat = fdt_getprop(buf, 0, "compatible", &clen);
	if (!compat || clen < 6 || compat[clen - 1] || strncmp(compat, "kho-v", 5))
		return -KHOR_EFORMAT;
	snprintf(cand->compatible, sizeof(cand->compatible), "%s", compat);
	khor_error_clear(&err);
	rc = khor_fdt_decode(buf, total, 0, info, &err);
	if (rc) {
		/* Unknown version, bad FDT: a candidate, but not a valid one. */
		snprintf(cand->verdict, sizeof(cand->verdict), "rejected: %s",
			 err.msg);
		return 1;
	}
	cand->kexec_count = fdt_kexec_count(mem, buf, info->subnode_prop);
	cand->mem_map = info->mem_map;
	if (!info->has_mem_map) {
		snprintf(cand->verdict, sizeof(cand->verdict),
			 "rejected: no preserved-memory-map");
		return 1;
	}
	return 0;
}

/* The map part: walk it (bounded) and note whether it holds the FDT page. */
static void cand_validate_map(struct khor_mem *mem, uint64_t page_size,
			      uint64_t max_nodes, const struct khor_fdt_info *info,
			      struct khor_candidate *cand)
{
	struct khor_walk_ops ops = { .run = check_run };
	struct khor_walk_limits lim = {
		.max_nodes = max_nodes ? max_nodes : DEFAULT_CHECK_NODES,
	};
	struct check_walk cw = { .fdt_phys = cand->phys, .page_size = page_size };
	struct khor_walk_result res;
	struct khor_map map;
	unsigned int shift;
	int rc;

	if (!info->mem_map) {
		/* kho-v1 before finalize (6.19) legitimately has no map yet. */
		cand->valid = info->format == KHOR_FMT_V1;
		snprintf(cand->verdict, sizeof(cand->verdict), "%s",
			 cand->valid ? "map not finalized (preserved-memory-map is 0)" :
			 "rejected: preserved-memory-map is 0");
		return;
	}
	for (shift = 12; (UINT64_C(1) << shift) < page_size && shift < 16; shift++)
		;
	memset(&map, 0, sizeof(map));
	khor_geom_init(&map.geom, shift);
	map.format = info->format;
	map.root = info->mem_map;
	rc = khor_walk(mem, &map, &lim, &ops, &cw, &res);
	cand->fdt_preserved = cw.found;
	if (!rc || rc == -KHOR_ELIMIT) {
		cand->valid = true;
		snprintf(cand->verdict, sizeof(cand->verdict),
			 "map %s (%llu blocks, %llu metadata pages%s)%s",
			 rc ? "valid as far as checked" : "valid",
			 (unsigned long long)res.blocks,
			 (unsigned long long)res.nodes,
			 rc ? ", walk limit reached" : "",
			 info->format == KHOR_FMT_RADIX ?
			 (cw.found ? "; FDT page preserved in it" :
			  "; FDT page not preserved in it") : "");
	} else {
		snprintf(cand->verdict, sizeof(cand->verdict), "rejected: %s: %s",
			 rc == -KHOR_ENODATA ? "map incomplete" : "map invalid",
			 res.error.code ? res.error.msg : khor_strerror(rc));
	}
}

int khor_candidate_check(struct khor_mem *mem, uint64_t phys,
			 uint64_t page_size, uint64_t max_nodes,
			 struct khor_candidate *cand)
{
	uint8_t *buf = malloc(KHOR_FDT_MAX);
	struct khor_fdt_info info;
	int rc;

	if (!buf)
		return -KHOR_ENOMEM;
	rc = cand_read_fdt(mem, phys, buf, KHOR_FDT_MAX, cand, &info);
	if (!rc)
		cand_validate_map(mem, page_size, max_nodes, &info, cand);
	free(buf);
	return rc < 0 ? rc : 0;
}

/*
 * A second kernel's memory holds the FDT it received beside the one it
 * will hand over; kexec-metadata's count tells them apart. The received
 * one's map is not walked: this kernel released its pages at boot.
 */
static void mark_incoming(struct khor_located *loc)
{
	int64_t max = -1;

	for (unsigned int i = 0; i < loc->ncands; i++)
		if (loc->cands[i].kexec_count > max)
			max = loc->cands[i].kexec_count;
	for (unsigned int i = 0; i < loc->ncands; i++) {
		struct khor_candidate *c = &loc->cands[i];

		if (c->kexec_count < 0 || c->kexec_count >= max)
			continue;
		c->incoming = true;
		c->valid = false;
		c->fdt_preserved = false;
		snprintf(c->verdict, sizeof(c->verdict),
			 "incoming (kexec_count %lld, below %lld): what the previous kernel handed over; its map was released by this kernel, not walked",
			 (long long)c->kexec_count, (long long)max);
	}
}

/* Rank for choosing: valid and self-consistent first. */
static int cand_rank(const struct khor_candidate *c)
{
	if (!c->valid)
		return 0;
	return c->fdt_preserved ? 2 : 1;
}

static int choose(struct khor_located *loc, bool incoming,
		  struct khor_error *err, const char *what)
{
	int best = -1, rank = 0, ties = 0;

	for (unsigned int i = 0; i < loc->ncands; i++) {
		int r = incoming ? loc->cands[i].incoming :
			cand_rank(&loc->cands[i]);

		if (r > rank) {
			rank = r;
			best = (int)i;
			ties = 0;
		} else if (r && r == rank) {
			ties++;
		}
	}
	if (best < 0 && incoming)
		return khor_err(err, -KHOR_ENOTFOUND,
				"%s: %u KHO FDT candidates, none of them incoming (what a kernel that booted through KHO received: at kho_in, or beside its own FDT with a lower kexec_count)",
				what, loc->ncands);
	if (best < 0)
		return khor_err(err, -KHOR_ENOTFOUND,
				loc->ncands ? "%s: %u KHO FDT candidates, none valid" :
				"%s: no KHO FDT found", what, loc->ncands);
	if (incoming && ties)
		snprintf(loc->why, sizeof(loc->why),
			 "lowest of %d incoming candidates (ambiguous: choose with --fdt-phys)",
			 ties + 1);
	else if (incoming)
		snprintf(loc->why, sizeof(loc->why), "the incoming one%s",
			 loc->cands[best].kexec_count >= 0 ? " (lower kexec_count)" : "");
	else if (loc->ncands == 1)
		snprintf(loc->why, sizeof(loc->why), "the only KHO FDT found");
	else if (ties)
		snprintf(loc->why, sizeof(loc->why),
			 "lowest of %d equally valid candidates (ambiguous: choose with --fdt-phys)",
			 ties + 1);
	else
		snprintf(loc->why, sizeof(loc->why), "%s",
			 rank == 2 ? "the only one whose map validates and preserves its own FDT page" :
			 "the only one whose map validates");
	loc->fdt_phys = loc->cands[best].phys;
	loc->have_fdt_phys = true;
	return 0;
}

/* What a gathering pass keeps of each candidate for the validation pass. */
struct gathered {
	struct khor_fdt_info info[KHOR_MAX_CANDIDATES];
	bool check_map[KHOR_MAX_CANDIDATES];
	unsigned int seen;
};

static int gather(struct khor_mem *mem, uint64_t phys, uint8_t *buf,
		  struct khor_located *loc, struct gathered *g)
{
	struct khor_candidate c;
	struct khor_fdt_info info = { 0 };
	int rc = cand_read_fdt(mem, phys, buf, KHOR_FDT_MAX, &c, &info);

	if (rc < 0)
		return rc;
	g->seen++;
	for (unsigned int i = 0; i < loc->ncands; i++)
		if (loc->cands[i].phys == c.phys)
			return 0;
	if (loc->ncands < KHOR_MAX_CANDIDATES) {
		g->info[loc->ncands] = info;
		g->check_map[loc->ncands] = rc == 0;
		loc->cands[loc->ncands++] = c;
	}
	return 0;
}

static void validate(struct khor_mem *mem, uint64_t page_size,
		     uint64_t max_nodes, struct khor_located *loc,
		     const struct gathered *g)
{
	mark_incoming(loc);
	for (unsigned int i = 0; i < loc->ncands; i++)
		if (g->check_map[i] && !loc->cands[i].incoming)
			cand_validate_map(mem, page_size, max_nodes, &g->info[i],
					  &loc->cands[i]);
}

/* What the heads pass hands each page to. */
struct scan_pass {
	struct khor_mem *mem;
	struct khor_located *loc;
	struct gathered *g;
	uint8_t *buf;
	uint64_t probed, max_pages;
};

static int scan_page(void *arg, uint64_t phys, const uint8_t *head)
{
	struct scan_pass *sp = arg;
	fdt32_t magic;

	if (++sp->probed > sp->max_pages)
		return -KHOR_ELIMIT;
	memcpy(&magic, head, sizeof(magic));	/* @head may be unaligned */
	if (fdt32_to_cpu(magic) == FDT_MAGIC)
		gather(sp->mem, phys, sp->buf, sp->loc, sp->g);
	return 0;
}

int khor_scan(struct khor_mem *mem, const struct khor_scan_opts *o,
	      uint64_t page_size, bool incoming, struct khor_located *loc,
	      struct khor_error *err)
{
	uint64_t end = o->end ? o->end : UINT64_MAX;
	uint64_t from = (o->start + page_size - 1) & ~(page_size - 1);
	struct scan_pass sp = {
		.mem = mem, .loc = loc,
		.max_pages = o->max_pages ? o->max_pages : DEFAULT_MAX_PAGES,
	};
	int rc = 0;

	sp.g = calloc(1, sizeof(*sp.g));
	sp.buf = malloc(KHOR_FDT_MAX);
	if (!sp.g || !sp.buf) {
		rc = khor_err(err, -KHOR_ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * One pass over the heads of every present page, read in large
	 * pieces: a scan costs about a sequential read of the dump.
	 */
	if (from >= o->start)
		rc = khor_mem_heads(mem, from, end, page_size, scan_page, &sp);
	if (rc == -KHOR_ELIMIT) {
		rc = khor_err(err, -KHOR_ELIMIT,
			      "--scan stopped after %llu pages (limit)",
			      (unsigned long long)sp.max_pages);
		goto out;
	}
	if (rc) {
		rc = khor_err(err, rc, "out of memory");
		goto out;
	}
	validate(mem, page_size, o->max_nodes, loc, sp.g);
	if (sp.g->seen > loc->ncands)
		snprintf(loc->why, sizeof(loc->why),
			 "%u candidates, only the first %d kept", sp.g->seen,
			 KHOR_MAX_CANDIDATES);
	rc = choose(loc, incoming, err, "--scan");
out:
	free(sp.g);
	free(sp.buf);
	return rc;
}

int khor_choose_among(struct khor_mem *mem, const uint64_t *phys, unsigned int n,
		      uint64_t page_size, uint64_t max_nodes, bool incoming,
		      struct khor_located *loc, struct khor_error *err)
{
	struct gathered *g = calloc(1, sizeof(*g));
	uint8_t *buf = malloc(KHOR_FDT_MAX);
	int rc;

	if (!g || !buf) {
		free(g);
		free(buf);
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	}
	for (unsigned int i = 0; i < n; i++)
		gather(mem, phys[i], buf, loc, g);
	if (incoming) {
		/* kho_in names what the previous kernel handed over. */
		for (unsigned int i = 0; i < loc->ncands; i++) {
			struct khor_candidate *c = &loc->cands[i];

			if (!g->check_map[i])
				continue;
			c->incoming = true;
			snprintf(c->verdict, sizeof(c->verdict),
				 "incoming: what the previous kernel handed over; its map was released by this kernel, not walked");
		}
	} else {
		validate(mem, page_size, max_nodes, loc, g);
	}
	free(g);
	free(buf);
	rc = choose(loc, incoming, err, "symbols");
	return rc;
}
