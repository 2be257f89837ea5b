// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Find KHO FDTs in memory when nothing says where they are: vmcores carry
 * no VMCOREINFO entry for KHO (KHO_ABI.md §6). A bounded scan looks at the
 * first bytes of every present page for an FDT whose root compatible
 * starts with "kho-v", and validates each one by walking its map. Several
 * can match (an in and an out FDT, stale or user-space copies of one);
 * the choice and its reason are reported, never silent.
 */
#include <stdio.h>
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

int khor_candidate_check(struct khor_mem *mem, uint64_t phys,
			 uint64_t page_size, uint64_t max_nodes,
			 struct khor_candidate *cand)
{
	static uint8_t buf[KHOR_FDT_MAX] __attribute__((aligned(8)));
	struct khor_walk_ops ops = { .run = check_run };
	struct khor_walk_limits lim = {
		.max_nodes = max_nodes ? max_nodes : DEFAULT_CHECK_NODES,
	};
	struct check_walk cw = { .fdt_phys = phys, .page_size = page_size };
	struct khor_walk_result res;
	struct khor_fdt_info info;
	struct khor_error err;
	struct khor_map map;
	const char *compat;
	uint32_t total;
	int clen;
	unsigned int shift;
	int rc;

	memset(cand, 0, sizeof(*cand));
	cand->phys = phys;
	rc = khor_mem_read(mem, phys, buf, sizeof(struct fdt_header));
	if (rc)
		return rc;
	if (fdt_magic(buf) != FDT_MAGIC)
		return -KHOR_EFORMAT;
	total = fdt_totalsize(buf);
	if (total < sizeof(struct fdt_header) || total > sizeof(buf))
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
	rc = khor_fdt_decode(buf, total, 0, &info, &err);
	if (rc) {
		/* Unknown version, bad FDT: a candidate, but not a valid one. */
		snprintf(cand->verdict, sizeof(cand->verdict), "rejected: %s",
			 err.msg);
		return 0;
	}
	cand->mem_map = info.mem_map;
	if (!info.has_mem_map) {
		snprintf(cand->verdict, sizeof(cand->verdict),
			 "rejected: no preserved-memory-map");
		return 0;
	}
	if (!info.mem_map) {
		/* kho-v1 before finalize (6.19) legitimately has no map yet. */
		cand->valid = info.format == KHOR_FMT_V1;
		snprintf(cand->verdict, sizeof(cand->verdict), "%s",
			 cand->valid ? "map not finalized (preserved-memory-map is 0)" :
			 "rejected: preserved-memory-map is 0");
		return 0;
	}
	for (shift = 12; (UINT64_C(1) << shift) < page_size && shift < 16; shift++)
		;
	memset(&map, 0, sizeof(map));
	khor_geom_init(&map.geom, shift);
	map.format = info.format;
	map.root = info.mem_map;
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
			 info.format == KHOR_FMT_RADIX ?
			 (cw.found ? "; FDT page preserved in it" :
			  "; FDT page not preserved in it") : "");
	} else {
		snprintf(cand->verdict, sizeof(cand->verdict), "rejected: %s: %s",
			 rc == -KHOR_ENODATA ? "map incomplete" : "map invalid",
			 res.error.code ? res.error.msg : khor_strerror(rc));
	}
	return 0;
}

/* Rank for choosing: valid and self-consistent first. */
static int cand_rank(const struct khor_candidate *c)
{
	if (!c->valid)
		return 0;
	return c->fdt_preserved ? 2 : 1;
}

static int choose(struct khor_located *loc, struct khor_error *err,
		  const char *what)
{
	int best = -1, rank = 0, ties = 0;

	for (unsigned int i = 0; i < loc->ncands; i++) {
		int r = cand_rank(&loc->cands[i]);

		if (r > rank) {
			rank = r;
			best = (int)i;
			ties = 0;
		} else if (r && r == rank) {
			ties++;
		}
	}
	if (best < 0)
		return khor_err(err, -KHOR_ENOTFOUND,
				loc->ncands ? "%s: %u KHO FDT candidates, none valid" :
				"%s: no KHO FDT found", what, loc->ncands);
	if (loc->ncands == 1)
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

static void add_cand(struct khor_located *loc, const struct khor_candidate *c,
		     unsigned int *seen)
{
	(*seen)++;
	for (unsigned int i = 0; i < loc->ncands; i++)
		if (loc->cands[i].phys == c->phys)
			return;
	if (loc->ncands < KHOR_MAX_CANDIDATES)
		loc->cands[loc->ncands++] = *c;
}

int khor_scan(struct khor_mem *mem, const struct khor_scan_opts *o,
	      uint64_t page_size, struct khor_located *loc,
	      struct khor_error *err)
{
	uint64_t max_pages = o->max_pages ? o->max_pages : DEFAULT_MAX_PAGES;
	uint64_t end = o->end ? o->end : UINT64_MAX, probed = 0;
	uint64_t from = (o->start + page_size - 1) & ~(page_size - 1);
	uint64_t rstart, rend;
	unsigned int seen = 0;
	bool paused;

	while (from < end && !khor_mem_next_present(mem, from, &rstart, &rend)) {
		uint64_t p = (rstart + page_size - 1) & ~(page_size - 1);

		for (; p < rend && p < end; p += page_size) {
			struct khor_candidate c;
			uint8_t magic[4];
			int rc;

			if (++probed > max_pages)
				return khor_err(err, -KHOR_ELIMIT,
						"--scan stopped after %llu pages (limit)",
						(unsigned long long)max_pages);
			/* Probes are not pages decoding needs: do not record them. */
			paused = khor_mem_record_pause(mem, true);
			rc = khor_mem_read(mem, p, magic, 4);
			khor_mem_record_pause(mem, paused);
			if (rc || fdt_magic(magic) != FDT_MAGIC)
				continue;
			if (khor_candidate_check(mem, p, page_size, o->max_nodes, &c))
				continue;
			add_cand(loc, &c, &seen);
		}
		if (rend <= from)
			break;
		from = rend;
	}
	if (seen > loc->ncands)
		snprintf(loc->why, sizeof(loc->why),
			 "%u candidates, only the first %d kept", seen,
			 KHOR_MAX_CANDIDATES);
	return choose(loc, err, "--scan");
}

int khor_choose_among(struct khor_mem *mem, const uint64_t *phys, unsigned int n,
		      uint64_t page_size, uint64_t max_nodes,
		      struct khor_located *loc, struct khor_error *err)
{
	unsigned int seen = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct khor_candidate c;

		if (!khor_candidate_check(mem, phys[i], page_size, max_nodes, &c))
			add_cand(loc, &c, &seen);
	}
	return choose(loc, err, "symbols");
}
