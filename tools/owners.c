// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khowalk owners: every preserved block attributed to what holds it
 * (lib/owners.c does the attribution), and khodump's summary of it.
 *
 * Output, text: while the map is walked, one line per unattributed range
 * ("unattributed 0x<start>-0x<end> <bytes>"), or with --blocks one line
 * per block ("0x<phys> <order> <owner path>[ partial][ offset 0x<off>]");
 * then the owner tree with blocks, bytes and ranges per owner, the
 * totals, why unattributed blocks exist, and the problems. JSON: the same
 * as documented in khowalk(1).
 */
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "owners.h"

/* Problems kept for the report after the walk; more are counted. */
#define MAX_PROBLEMS 1000
/* khodump lists this many unattributed ranges; the rest are counted. */
#define SUMMARY_RANGES 16

struct owners_run {
	struct common_opts *o;
	struct khor_owners *own;
	struct json *j;
	struct lines out;
	bool blocks;
	bool summary;		/* khodump: indented, fewer ranges */
	uint64_t max_list;	/* unattributed ranges listed, 0: all */
	struct khor_owner_problem *probs;
	uint64_t nprobs;
	char path[1024];
};

static const char *problem_kind(enum khor_owner_problem_kind k)
{
	switch (k) {
	case KHOR_OWNER_OVERLAP:
		return "overlap";
	case KHOR_OWNER_NOT_PRESERVED:
		return "not-preserved";
	default:
		return "decode";
	}
}

static int on_block(void *arg, const struct khor_owned_block *b)
{
	struct owners_run *r = arg;

	if (r->out.err || out_failed(r->o))
		return -KHOR_ESTOP;
	if (r->j) {
		json_open(r->j, NULL, '{');
		json_hex(r->j, "phys", b->phys);
		json_uint(r->j, "order", b->order);
		json_uint(r->j, "owner", b->owner);
		if (b->partial)
			json_bool(r->j, "partial", true);
		if (b->detail != KHOR_NO_DETAIL)
			json_hex(r->j, "offset", b->detail);
		json_close(r->j, '}');
		return 0;
	}
	lines_hex(&r->out, b->phys);
	lines_char(&r->out, ' ');
	lines_dec(&r->out, b->order);
	lines_char(&r->out, ' ');
	for (const char *p = khor_owners_path(r->own, b->owner, r->path,
					      sizeof(r->path)); *p; p++)
		lines_char(&r->out, *p);
	if (b->partial)
		for (const char *p = " partial"; *p; p++)
			lines_char(&r->out, *p);
	if (b->detail != KHOR_NO_DETAIL) {
		for (const char *p = " offset "; *p; p++)
			lines_char(&r->out, *p);
		lines_hex(&r->out, b->detail);
	}
	lines_char(&r->out, '\n');
	return 0;
}

static int on_unattributed(void *arg, uint64_t start, uint64_t end)
{
	struct owners_run *r = arg;

	if (r->out.err || out_failed(r->o))
		return -KHOR_ESTOP;
	if (r->j) {
		json_open(r->j, NULL, '{');
		json_hex(r->j, "start", start);
		json_hex(r->j, "end", end);
		json_close(r->j, '}');
		return 0;
	}
	/* "unattributed 0x%llx-0x%llx %llu\n" */
	for (const char *p = r->summary ? "  unattributed " : "unattributed ";
	     *p; p++)
		lines_char(&r->out, *p);
	lines_hex(&r->out, start);
	lines_char(&r->out, '-');
	lines_hex(&r->out, end);
	lines_char(&r->out, ' ');
	lines_dec(&r->out, end - start);
	lines_char(&r->out, '\n');
	return 0;
}

static int on_problem(void *arg, const struct khor_owner_problem *p)
{
	struct owners_run *r = arg;

	if (r->nprobs < MAX_PROBLEMS) {
		if (!r->probs) {
			r->probs = calloc(MAX_PROBLEMS, sizeof(*r->probs));
			if (!r->probs)
				return -KHOR_ENOMEM;
		}
		r->probs[r->nprobs] = *p;
	}
	r->nprobs++;
	return 0;
}

static void print_owner_json(struct owners_run *r, const struct khor_owner *w)
{
	json_open(r->j, NULL, '{');
	json_uint(r->j, "id", w->id);
	json_uint(r->j, "parent", w->parent);
	json_str(r->j, "kind", w->kind);
	json_str(r->j, "name", w->name);
	json_str(r->j, "path", khor_owners_path(r->own, w->id, r->path,
						  sizeof(r->path)));
	json_uint(r->j, "claims", w->claims);
	json_uint(r->j, "claimed_bytes", w->claimed_bytes);
	json_uint(r->j, "blocks", w->blocks);
	json_uint(r->j, "bytes", w->bytes);
	json_uint(r->j, "ranges", w->ranges);
	json_uint(r->j, "partial", w->partial);
	json_close(r->j, '}');
}

/* The tree in id order: a child always comes after its parent. */
static void print_tree(struct owners_run *r, const char *indent)
{
	FILE *f = r->o->out;
	uint32_t n = khor_owners_count(r->own);

	if (r->j) {
		json_open(r->j, "owners", '[');
		for (uint32_t id = 1; id <= n; id++)
			print_owner_json(r, khor_owners_get(r->own, id));
		json_close(r->j, ']');
		return;
	}
	fprintf(f, "%s%-52s %7s %12s %6s %7s\n", indent, "OWNER", "BLOCKS",
		"BYTES", "RANGES", "PARTIAL");
	for (uint32_t id = 1; id <= n; id++) {
		const struct khor_owner *w = khor_owners_get(r->own, id);
		char name[160];

		snprintf(name, sizeof(name), "%*s%s", (int)(2 * w->depth), "",
			 w->name);
		fprintf(f, "%s%-52s %7llu %12llu %6llu %7llu\n", indent, name,
			(unsigned long long)w->blocks,
			(unsigned long long)w->bytes,
			(unsigned long long)w->ranges,
			(unsigned long long)w->partial);
	}
}

static void print_problems(struct owners_run *r, const char *indent)
{
	uint64_t shown = r->nprobs < MAX_PROBLEMS ? r->nprobs : MAX_PROBLEMS;

	if (r->j) {
		json_open(r->j, "problems", '[');
		for (uint64_t i = 0; i < shown; i++) {
			const struct khor_owner_problem *p = &r->probs[i];

			json_open(r->j, NULL, '{');
			json_str(r->j, "kind", problem_kind(p->kind));
			json_hex(r->j, "start", p->start);
			json_hex(r->j, "end", p->end);
			json_uint(r->j, "owner", p->owner);
			if (p->kind == KHOR_OWNER_OVERLAP)
				json_uint(r->j, "other", p->other);
			json_str(r->j, "message", p->msg);
			json_close(r->j, '}');
		}
		json_close(r->j, ']');
		json_uint(r->j, "problem_count", r->nprobs);
		return;
	}
	for (uint64_t i = 0; i < shown; i++)
		fprintf(r->o->out, "%sproblem: %s: %s\n", indent,
			problem_kind(r->probs[i].kind), r->probs[i].msg);
	if (r->nprobs > shown)
		fprintf(r->o->out, "%sproblem: %llu more not listed\n", indent,
			(unsigned long long)(r->nprobs - shown));
}

static void print_totals(struct owners_run *r, const struct khor_owners_result *res,
			 const char *indent)
{
	const char *unknown = khor_owners_unknown_blobs(r->own);
	const char *why = khor_owners_unattributed_reason(r->own);

	if (r->j) {
		json_open(r->j, "unattributed", '{');
		json_uint(r->j, "blocks", res->unattributed_blocks);
		json_uint(r->j, "bytes", res->unattributed_bytes);
		json_uint(r->j, "ranges", res->unattributed_ranges);
		json_str(r->j, "reason", why);
		json_close(r->j, '}');
		json_open(r->j, "totals", '{');
		json_uint(r->j, "blocks", res->walk.blocks);
		json_uint(r->j, "attributed_blocks", res->attributed_blocks);
		json_uint(r->j, "attributed_bytes", res->attributed_bytes);
		json_uint(r->j, "partial", res->partial);
		json_uint(r->j, "overlaps", res->overlaps);
		json_uint(r->j, "not_preserved", res->not_preserved);
		json_uint(r->j, "decode_problems", res->decode_problems);
		json_close(r->j, '}');
		if (unknown[0])
			json_str(r->j, "unknown_blobs", unknown);
		return;
	}
	fprintf(r->o->out,
		"%stotal: %llu blocks; %llu attributed (%llu bytes, %llu partly); %llu unattributed (%llu bytes) in %llu ranges\n",
		indent, (unsigned long long)res->walk.blocks,
		(unsigned long long)res->attributed_blocks,
		(unsigned long long)res->attributed_bytes,
		(unsigned long long)res->partial,
		(unsigned long long)res->unattributed_blocks,
		(unsigned long long)res->unattributed_bytes,
		(unsigned long long)res->unattributed_ranges);
	if (res->unattributed_blocks)
		fprintf(r->o->out, "%sunattributed: %s\n", indent, why);
	if (unknown[0])
		fprintf(r->o->out,
			"%snote: no decoder knows %s: what they point to is unattributed\n",
			indent, unknown);
	fprintf(r->o->out,
		"%sproblems: %llu overlaps, %llu claimed but not preserved, %llu in decoding\n",
		indent, (unsigned long long)res->overlaps,
		(unsigned long long)res->not_preserved,
		(unsigned long long)res->decode_problems);
}

/*
 * Exit status: the walk's; then a problem of the attribution is a corrupt
 * structure (3), a decoder that missed pages incomplete (4).
 */
static int owners_status(const struct owners_run *r,
			 const struct khor_owners_result *res, int rc)
{
	const struct khor_error *e = &res->walk.error;

	if (rc) {
		if (e->code)
			errmsg(r->o, "%s", e->msg);
		else
			errmsg(r->o, "owners: %s", khor_strerror(rc));
		return exit_for(rc);
	}
	if (r->nprobs) {
		errmsg(r->o, "%s", r->probs ? r->probs[0].msg : "problems found");
		if (r->nprobs > 1)
			infomsg(r->o, "%llu problems in all; the first is shown",
				(unsigned long long)r->nprobs);
	}
	if (res->overlaps || res->not_preserved)
		return EXIT_CORRUPT;
	if (res->decode_status)
		return exit_for(res->decode_status == -KHOR_ELIMIT ?
				-KHOR_ECORRUPT : res->decode_status);
	return EXIT_OK;
}

/* Locate, decode the blobs into claims, and walk: the shared part. */
static int attribute(struct owners_run *r, struct khor_mem *mem,
		     const struct khor_located *loc,
		     struct khor_owners_result *res)
{
	struct khor_owners_ops ops = {
		.block = r->blocks ? on_block : NULL,
		.unattributed = r->blocks ? NULL : on_unattributed,
		.problem = on_problem,
	};
	struct khor_owners_opts oo = {
		.page_size = UINT64_C(1) << loc->map.geom.page_shift,
		.incoming = r->o->loc.incoming,
		.list_unattributed = r->max_list,
	};
	struct khor_error err;
	int rc;

	khor_error_clear(&err);
	rc = khor_owners_create(mem, loc, &oo, &r->own, &err);
	if (rc && rc != -KHOR_ELIMIT) {
		memset(res, 0, sizeof(*res));
		res->walk.error = err;
		return rc;
	}
	return khor_owners_walk(r->own, mem, &loc->map, &r->o->limits, &ops, r,
				res);
}

int cmd_owners(struct common_opts *o, bool blocks, uint64_t max_list,
	       int argc, char **argv)
{
	struct owners_run r = { .o = o, .blocks = blocks, .max_list = max_list };
	struct khor_owners_result res;
	struct khor_located *loc = NULL;
	struct khor_mem *mem = NULL;
	struct khor_error err;
	struct json j;
	int rc, status;

	if (argc) {
		errmsg(o, "unexpected argument '%s'", argv[0]);
		return EXIT_USAGE;
	}
	loc = malloc(sizeof(*loc));
	if (!loc) {
		errmsg(o, "out of memory");
		return EXIT_FAIL;
	}
	if (open_source(o, &mem)) {
		free(loc);
		return EXIT_FAIL;
	}
	khor_error_clear(&err);
	rc = khor_locate(mem, &o->loc, loc, &err);
	if (rc) {
		errmsg(o, "%s", err.msg);
		status = exit_for(rc);
		goto out;
	}
	status = located_usable(o, loc);
	if (status)
		goto out;
	loc->map.v1_bitmap_size = o->v1_bitmap_size;
	if (loc->have_fdt && !loc->map.root)
		infomsg(o, "note: %s: nothing to attribute",
			loc->map.format == KHOR_FMT_V1 ?
			"kho-v1 map not finalized (preserved-memory-map is 0)" :
			"no preserved-memory map (preserved-memory-map is 0)");
	if (o->json) {
		json_doc(&j, o);
		r.j = &j;
		json_open(&j, blocks ? "blocks" : "unattributed_ranges", '[');
	}
	lines_init(&r.out, o->out);
	rc = attribute(&r, mem, loc, &res);
	lines_flush(&r.out);
	if (r.out.err && !o->out_errno)
		o->out_errno = r.out.err;
	if (r.out.err || out_failed(o)) {
		status = EXIT_FAIL;
		goto out;
	}
	if (o->json)
		json_close(&j, ']');
	if (!o->json && !blocks && max_list &&
	    res.unattributed_ranges > max_list)
		fprintf(o->out, "unattributed: %llu more ranges not listed (--max-list 0 lists them all)\n",
			(unsigned long long)(res.unattributed_ranges - max_list));
	if (r.own) {
		print_tree(&r, "");
		print_totals(&r, &res, "");
	}
	print_problems(&r, "");
	if (o->json) {
		json_error(&j, &res.walk.error);
		json_end(&j);
	}
	if (out_flush(o) || out_failed(o)) {
		status = EXIT_FAIL;
		goto out;
	}
	status = owners_status(&r, &res, rc);
out:
	khor_owners_destroy(r.own);
	free(r.probs);
	close_source(o, mem);
	free(loc);
	return status;
}

int owners_summary(struct common_opts *o, struct khor_mem *mem,
		   const struct khor_located *loc, struct json *j)
{
	struct owners_run r = { .o = o, .j = j, .summary = true,
				.max_list = SUMMARY_RANGES };
	struct khor_owners_result res;
	int rc;

	if (!loc->have_fdt || !loc->map.root || loc->map_released)
		return 0;
	if (j) {
		json_open(j, "owners", '{');
		json_open(j, "unattributed_ranges", '[');
	} else {
		fprintf(o->out, "owners:\n");
		fflush(o->out);
	}
	lines_init(&r.out, o->out);
	rc = attribute(&r, mem, loc, &res);
	lines_flush(&r.out);
	if (j)
		json_close(j, ']');
	if (!j && res.unattributed_ranges > SUMMARY_RANGES)
		fprintf(o->out, "  unattributed: %llu more ranges (khowalk owners lists them)\n",
			(unsigned long long)(res.unattributed_ranges - SUMMARY_RANGES));
	if (r.own) {
		print_tree(&r, "  ");
		print_totals(&r, &res, "  ");
	}
	print_problems(&r, "  ");
	if (j)
		json_close(j, '}');
	khor_owners_destroy(r.own);
	free(r.probs);
	return rc;
}
