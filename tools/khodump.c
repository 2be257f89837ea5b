// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khodump - what did this kernel hand over, or what is it about to hand
 * over? The root KHO FDT, every sub-node and what its blob holds, and a
 * summary of preserved memory; live (debugfs + /proc/kcore) or from a
 * vmcore. --extract writes a small vmcore with just the pages all that
 * needed. Options, exit codes and JSON rules: DESIGN.md §3a; output
 * formats: man/khodump.1.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "owners.h"
#include "preflight.h"

#define MAX_QUERIES 256
#define FDT_BYTES_SHOWN 32

enum {
	OPT_EXTRACT = OPT_TOOL_BASE,
	OPT_NO_SUMMARY,
	OPT_PREVIEW,
	OPT_OWNERS,
	OPT_TARGET,
	OPT_INITRD,
	OPT_MODULE,
};

struct dump_opts {
	struct common_opts *o;
	const char *extract;
	bool no_summary;
	bool owners;		/* --owners: who holds the preserved blocks */
	size_t preview;
	struct preflight_opts pf;
};

/* A physical address we want to know is preserved (FDT page, blobs). */
struct query {
	uint64_t phys;
	int state;		/* -1 unknown, 0 no, 1 yes */
};

struct summary {
	bool done;
	bool v1_unfinalized;
	bool released;		/* the incoming map, released by its kernel */
	int rc;
	struct khor_walk_result res;
	struct khor_stats stats;
	struct khor_ranges ranges;
	uint64_t nranges;
	struct query *q;	/* sorted by phys */
	size_t nq, qi;
	/* find the debugfs FDT among order-0 blocks (--extract only) */
	struct khor_mem *inner;
	const struct khor_located *loc;
	bool find_fdt;
	bool fdt_found;
	uint64_t fdt_found_phys;
	uint8_t *pagebuf;
	struct progress prog;
};

struct sub_result {
	struct khor_subnode sub;
	struct khor_value *blob;
	int rc;
	bool from_file;
	int preserved;		/* -1 unknown */
};

__attribute__((format(printf, 3, 4)))
static void set_err(struct khor_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	khor_error_clear(e);
	e->code = code;
	e->count = 1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* The worst outcome so far: corruption outranks missing data. */
struct outcome {
	int rc;
	struct khor_error first;
};

static void outcome_add(struct outcome *oc, int rc, const struct khor_error *err)
{
	uint64_t n = err && err->code && err->count ? err->count : 1;

	if (!rc)
		return;
	if (!oc->first.code) {
		if (err && err->code)
			oc->first = *err;
		else
			set_err(&oc->first, rc, "%s", khor_strerror(rc));
		oc->first.count = n;
	} else {
		oc->first.count += n;
	}
	if (!oc->rc || rc == -KHOR_ECORRUPT)
		oc->rc = rc;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [OPTIONS]\n"
		"\n"
		"Show what a kernel hands over through Kexec HandOver (KHO): the root\n"
		"FDT, every sub-node and its decoded blob, and a summary of preserved\n"
		"memory.\n"
		"      --extract FILE       also write a small ELF vmcore holding only the\n"
		"                           pages this run read\n"
		"      --no-summary         do not walk the preserved-memory map\n"
		"      --preview N          hex bytes shown of unknown blobs (default 64)\n"
		"      --owners             also say who holds the preserved blocks (the\n"
		"                           summary of khowalk owners)\n"
		"\n"
		"       %s [OPTIONS] preflight --target IMAGE [--initrd FILE] [--module KO]...\n"
		"\n"
		"Would a KHO kexec into IMAGE (a bzImage or a vmlinux) work from this\n"
		"state? go (exit 0) or no-go (exit 1) with every reason; 2 or more: trouble.\n"
		"      --target IMAGE       the kernel the kexec would boot\n"
		"      --initrd FILE        the initrd it would load (counted in the scratch check)\n"
		"      --module KO          a module the target will load: its strings count\n"
		"                           as the target's (repeatable)\n"
		"\n%s", prog, prog, COMMON_OPTIONS_HELP);
}

/* ---- summary walk ---- */

static int cmp_query(const void *a, const void *b)
{
	const struct query *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

static int on_range(void *arg, uint64_t start, uint64_t end)
{
	struct summary *s = arg;

	s->nranges++;
	while (s->qi < s->nq && s->q[s->qi].phys < end) {
		s->q[s->qi].state = s->q[s->qi].phys >= start;
		s->qi++;
	}
	return 0;
}

static int on_run(void *arg, const struct khor_run *run)
{
	struct summary *s = arg;

	khor_stats_add_run(&s->stats, run);
	if (s->find_fdt && !s->fdt_found && run->order == 0) {
		for (uint64_t i = 0; i < run->count && !s->fdt_found; i++) {
			uint64_t pa = run->phys + i * s->stats.page_size;

			if (!khor_mem_read(s->inner, pa, s->pagebuf, s->loc->info.totalsize) &&
			    !memcmp(s->pagebuf, s->loc->fdt, s->loc->info.totalsize)) {
				s->fdt_found = true;
				s->fdt_found_phys = pa;
			}
		}
	}
	return khor_ranges_add(&s->ranges, run);
}

static int on_node(void *arg, const struct khor_node *node)
{
	khor_stats_add_node(&((struct summary *)arg)->stats, node);
	return 0;
}

static int on_progress(void *arg, const struct khor_walk_progress *p)
{
	struct summary *s = arg;

	return progress_update(&s->prog, p);
}

static void run_summary(struct dump_opts *d, struct khor_mem *mem,
			struct khor_mem *inner, const struct khor_located *loc,
			struct summary *s, struct outcome *oc)
{
	struct khor_walk_ops ops = { .run = on_run, .node = on_node,
				     .progress = on_progress };
	struct khor_map map = loc->map;
	uint64_t ps = UINT64_C(1) << map.geom.page_shift;
	int rc;

	khor_stats_init(&s->stats, ps);
	khor_ranges_init(&s->ranges, ps, on_range, s);
	qsort(s->q, s->nq, sizeof(s->q[0]), cmp_query);
	s->done = true;
	if (map.format == KHOR_FMT_V1 && !map.root) {
		s->v1_unfinalized = true;
		return;
	}
	s->inner = inner;
	s->loc = loc;
	s->find_fdt = d->extract && !loc->have_fdt_phys && loc->have_fdt;
	if (s->find_fdt)
		s->pagebuf = malloc(loc->fdt_len ? loc->fdt_len : 1);
	if (!s->pagebuf)
		s->find_fdt = false;
	map.v1_bitmap_size = d->o->v1_bitmap_size;
	progress_start(&s->prog, d->o, mem);
	rc = khor_walk(mem, &map, &d->o->limits, &ops, s, &s->res);
	progress_end(&s->prog);
	if (!rc || rc == -KHOR_ECORRUPT || rc == -KHOR_ENODATA) {
		int frc = khor_ranges_flush(&s->ranges);

		if (frc && !rc)
			rc = frc;
	}
	for (; s->qi < s->nq; s->qi++)
		s->q[s->qi].state = rc ? -1 : 0;
	s->rc = rc;
	if (rc)
		outcome_add(oc, rc == -KHOR_ELIMIT ? -KHOR_ELIMIT : rc, &s->res.error);
	free(s->pagebuf);
	s->pagebuf = NULL;
}

static int query_state(const struct summary *s, uint64_t phys)
{
	for (size_t i = 0; i < s->nq; i++)
		if (s->q[i].phys == phys)
			return s->q[i].state;
	return -1;
}

/* ---- debugfs files ---- */

void *khodump_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, max, f);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* ---- text rendering ---- */

static void indent(FILE *outf, int n)
{
	for (int i = 0; i < n; i++)
		fputs("  ", outf);
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_bytes(FILE *outf, const uint8_t *b, size_t n, uint64_t total,
		      size_t max)
{
	for (size_t i = 0; i < n && i < max; i++)
		fprintf(outf, "%s%02x", i ? " " : "", b[i]);
	if (total > n || n > max)
		fprintf(outf, "%s...", n ? " " : "");
}

static void put_scalar(FILE *outf, const struct khor_value *v)
{
	switch (v->type) {
	case KHOR_V_STR:
		put_str(outf, v->s);
		break;
	case KHOR_V_HEX:
		fprintf(outf, "0x%llx", (unsigned long long)v->u);
		break;
	case KHOR_V_UINT:
		fprintf(outf, "%llu", (unsigned long long)v->u);
		break;
	case KHOR_V_BOOL:
		fputs(v->u ? "yes" : "no", outf);
		break;
	case KHOR_V_BYTES:
		fprintf(outf, "(%llu bytes) ", (unsigned long long)v->u);
		put_bytes(outf, v->bytes, v->nbytes, v->u, 64);
		break;
	default:
		break;
	}
}

/* A device-tree node, dts style; u64 values are shown as CPU-order. */
static void render_fdt_node(FILE *outf, const struct khor_value *n, int ind)
{
	const struct khor_value *name = khor_value_get(n, "name");
	const struct khor_value *props = khor_value_get(n, "properties");
	const struct khor_value *kids = khor_value_get(n, "children");

	indent(outf, ind);
	fprintf(outf, "%s {\n", name && name->s ? name->s : "?");
	for (const struct khor_value *p = props ? props->child : NULL; p; p = p->next) {
		const struct khor_value *pn = khor_value_get(p, "name");
		const struct khor_value *val = khor_value_get(p, "value");
		const struct khor_value *str = khor_value_get(p, "string");
		const struct khor_value *u64 = khor_value_get(p, "u64");

		indent(outf, ind + 1);
		fputs(pn && pn->s ? pn->s : "?", outf);
		if (str) {
			const char *s = str->s;

			fputs(" = ", outf);
			/* Several strings were joined with '\n' by the decoder. */
			while (s) {
				const char *nl = strchr(s, '\n');
				char *one = strndup(s, nl ? (size_t)(nl - s) : strlen(s));

				if (one)
					put_str(outf, one);
				free(one);
				s = nl ? nl + 1 : NULL;
				if (s)
					fputs(", ", outf);
			}
			fputs(";\n", outf);
		} else if (val && val->nbytes) {
			fputs(" = [", outf);
			put_bytes(outf, val->bytes, val->nbytes, val->u, FDT_BYTES_SHOWN);
			fputs("];", outf);
			if (u64)
				fprintf(outf, " // u64 0x%llx", (unsigned long long)u64->u);
			fputc('\n', outf);
		} else {
			fputs(";\n", outf);
		}
	}
	for (const struct khor_value *k = kids ? kids->child : NULL; k; k = k->next)
		render_fdt_node(outf, k, ind + 1);
	indent(outf, ind);
	fputs("};\n", outf);
}

static void render_value(FILE *outf, const struct khor_value *v, int ind);

static bool is_scalar(const struct khor_value *v)
{
	return v->type != KHOR_V_OBJECT && v->type != KHOR_V_LIST;
}

static void render_member(FILE *outf, const struct khor_value *m, int ind)
{
	indent(outf, ind);
	if (m->key)
		fprintf(outf, "%s:", m->key);
	if (is_scalar(m)) {
		fputc(' ', outf);
		put_scalar(outf, m);
		fputc('\n', outf);
	} else if (m->kind && !strcmp(m->kind, "fdt-node")) {
		fputc('\n', outf);
		render_fdt_node(outf, m, ind + 1);
	} else if (!m->child) {
		fputs(m->type == KHOR_V_LIST ? " none\n" : "\n", outf);
	} else {
		fputc('\n', outf);
		render_value(outf, m, ind + 1);
	}
}

/* A "row" object on one line: scalars as key: value, string lists as a|b. */
static void render_row(FILE *outf, const struct khor_value *o)
{
	const char *sep = "";

	for (const struct khor_value *m = o->child; m; m = m->next) {
		fprintf(outf, "%s%s: ", sep, m->key ? m->key : "");
		sep = ", ";
		if (is_scalar(m)) {
			put_scalar(outf, m);
			continue;
		}
		for (const struct khor_value *i = m->child; i; i = i->next) {
			if (i->type == KHOR_V_STR)
				fputs(i->s, outf);
			else if (is_scalar(i))
				put_scalar(outf, i);
			if (i->next)
				fputc('|', outf);
		}
	}
	fputc('\n', outf);
}

static void render_value(FILE *outf, const struct khor_value *v, int ind)
{
	for (const struct khor_value *c = v->child; c; c = c->next) {
		if (v->type == KHOR_V_OBJECT) {
			render_member(outf, c, ind);
			continue;
		}
		/* list item */
		indent(outf, ind);
		fputs("- ", outf);
		if (is_scalar(c)) {
			put_scalar(outf, c);
			fputc('\n', outf);
		} else if (c->kind && !strcmp(c->kind, "fdt-node")) {
			fputc('\n', outf);
			render_fdt_node(outf, c, ind + 1);
		} else if (c->kind && !strcmp(c->kind, "row") && c->child) {
			render_row(outf, c);
		} else if (c->type == KHOR_V_OBJECT && c->child) {
			/* first member on the dash's line, the rest aligned */
			const struct khor_value *first = c->child;

			fprintf(outf, "%s:", first->key ? first->key : "");
			if (is_scalar(first)) {
				fputc(' ', outf);
				put_scalar(outf, first);
				fputc('\n', outf);
			} else {
				fputc('\n', outf);
				render_value(outf, first, ind + 2);
			}
			for (const struct khor_value *m = first->next; m; m = m->next)
				render_member(outf, m, ind + 1);
		} else {
			fputs("{}\n", outf);
		}
	}
}

/* ---- JSON rendering ---- */

static void json_value(struct json *j, const char *key, const struct khor_value *v)
{
	switch (v->type) {
	case KHOR_V_OBJECT:
		json_open(j, key, '{');
		for (const struct khor_value *c = v->child; c; c = c->next)
			json_value(j, c->key, c);
		json_close(j, '}');
		break;
	case KHOR_V_LIST:
		json_open(j, key, '[');
		for (const struct khor_value *c = v->child; c; c = c->next)
			json_value(j, NULL, c);
		json_close(j, ']');
		break;
	case KHOR_V_STR:
		json_str(j, key, v->s);
		break;
	case KHOR_V_HEX:
		json_hex(j, key, v->u);
		break;
	case KHOR_V_UINT:
		json_uint(j, key, v->u);
		break;
	case KHOR_V_BOOL:
		json_bool(j, key, v->u);
		break;
	case KHOR_V_BYTES: {
		char *hex = malloc(v->nbytes * 2 + 1);

		if (!hex)
			break;
		for (size_t i = 0; i < v->nbytes; i++)
			sprintf(hex + 2 * i, "%02x", v->bytes[i]);
		hex[2 * v->nbytes] = '\0';
		json_str(j, key, hex);
		free(hex);
		break;
	}
	}
}

/* ---- the report ---- */

struct report {
	struct dump_opts *d;
	const struct khor_mem_info *mi;
	uint64_t page_size;
	const char *page_size_from;
	const struct khor_located *loc;
	struct khor_value *tree;
	struct sub_result *subs;
	unsigned int nsubs;
	struct summary *sum;
	struct scratch *scratch;
	const char *nomem_reason;
	struct khor_mem *mem;	/* --owners */
};

static const char *fmt_long(enum khor_format f)
{
	return f == KHOR_FMT_V1 ? "chunk list" : f == KHOR_FMT_RADIX ?
	       "radix tree" : "unknown";
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void text_candidates(FILE *outf, const struct khor_located *loc)
{
	for (unsigned int i = 0; i < loc->ncands; i++) {
		const struct khor_candidate *c = &loc->cands[i];

		fprintf(outf, "  candidate 0x%llx %s%s: %s\n", (unsigned long long)c->phys,
		       c->compatible,
		       loc->have_fdt_phys && loc->fdt_phys == c->phys ? " (chosen)" : "",
		       c->verdict);
	}
}

static void text_summary(FILE *outf, const struct report *r)
{
	const struct summary *s = r->sum;
	const struct khor_stats *st = &s->stats;
	bool v1 = r->loc->map.format == KHOR_FMT_V1;

	fprintf(outf, "summary:\n");
	if (s->released) {
		fprintf(outf, "  map: %s\n", MAP_RELEASED);
		return;
	}
	if (s->v1_unfinalized) {
		fprintf(outf, "  map: not finalized (kho-v1, preserved-memory-map is 0): nothing preserved yet\n");
		return;
	}
	fprintf(outf, "  blocks:    %llu in %llu ranges, %llu bytes\n",
	       (unsigned long long)st->blocks_total,
	       (unsigned long long)s->nranges,
	       (unsigned long long)st->preserved_bytes);
	fprintf(outf, "  order      blocks            bytes\n");
	for (unsigned int i = 0; i < KHOR_MAX_ORDERS; i++)
		if (st->blocks[i])
			fprintf(outf, "  %5u %11llu %16llu\n", i,
			       (unsigned long long)st->blocks[i],
			       (unsigned long long)(st->blocks[i] * (st->page_size << i)));
	if (v1)
		fprintf(outf, "  metadata:  %llu chunks, %llu bitmaps",
		       (unsigned long long)st->nodes[1],
		       (unsigned long long)st->leaves);
	else
		fprintf(outf, "  metadata:  %llu tables, %llu leaves",
		       (unsigned long long)(s->res.nodes - st->leaves),
		       (unsigned long long)st->leaves);
	fprintf(outf, ", %llu bytes (%.4f%% of preserved)\n",
	       (unsigned long long)st->metadata_bytes,
	       100.0 * ratio(st->metadata_bytes, st->preserved_bytes));
	if (r->loc->have_fdt_phys) {
		int p = query_state(s, r->loc->fdt_phys);

		fprintf(outf, "  FDT page:  0x%llx %s\n", (unsigned long long)r->loc->fdt_phys,
		       p > 0 ? "preserved" : p == 0 ? "NOT preserved" : "unknown");
	} else if (s->fdt_found) {
		fprintf(outf, "  FDT page:  0x%llx preserved (found among order-0 blocks)\n",
		       (unsigned long long)s->fdt_found_phys);
	}
	if (s->rc)
		fprintf(outf, "  walk:      stopped early: %s\n", s->res.error.msg);
}

static void text_report(FILE *outf, const struct report *r)
{
	const struct khor_located *loc = r->loc;
	const struct khor_fdt_info *in = &loc->info;

	if (r->mi)
		fprintf(outf, "source:      %s, memory ends at 0x%llx, page size %llu (%s)%s%s\n",
		       r->mi->kind, (unsigned long long)r->mi->phys_end,
		       (unsigned long long)r->page_size, r->page_size_from,
		       r->mi->osrelease[0] ? ", release " : "", r->mi->osrelease);
	else
		fprintf(outf, "source:      none: %s\n", r->nomem_reason);
	fprintf(outf, "located:     %s\n", loc->how);
	text_candidates(outf, loc);
	fprintf(outf, "KHO FDT:     %u bytes, compatible ", in->totalsize);
	put_str(outf, in->compatible);
	fprintf(outf, " (version %u%s%s, %s)\n", in->version,
	       in->suffix[0] ? ", suffix " : "", in->suffix,
	       fmt_long(in->format));
	if (loc->have_fdt_phys)
		fprintf(outf, "FDT at:      0x%llx\n", (unsigned long long)loc->fdt_phys);
	fprintf(outf, "memory map:  0x%llx%s\n", (unsigned long long)in->mem_map,
	       in->format == KHOR_FMT_V1 && !in->mem_map ? " (not finalized)" : "");
	if (r->tree)
		render_fdt_node(outf, r->tree, 0);
	fprintf(outf, "sub-nodes:   %u\n", r->nsubs);
	for (unsigned int i = 0; i < r->nsubs; i++) {
		const struct sub_result *sr = &r->subs[i];

		fprintf(outf, "sub-node ");
		put_str(outf, sr->sub.name);
		fprintf(outf, ":\n");
		if (sr->sub.has_phys)
			fprintf(outf, "  %s: 0x%llx\n", sr->sub.addr_prop,
			       (unsigned long long)sr->sub.phys);
		if (sr->sub.has_size)
			fprintf(outf, "  blob-size: %llu\n", (unsigned long long)sr->sub.size);
		if (sr->sub.problem[0])
			fprintf(outf, "  problem: %s\n", sr->sub.problem);
		if (sr->preserved >= 0)
			fprintf(outf, "  preserved: %s\n", sr->preserved ? "yes" : "NO");
		if (sr->from_file)
			fprintf(outf, "  read from: debugfs sub_fdts/%s\n", sr->sub.name);
		if (sr->blob)
			render_value(outf, sr->blob, 1);
	}
	if (r->sum->done)
		text_summary(outf, r);
	if (r->scratch->have) {
		fprintf(outf, "scratch:     %u areas (debugfs)\n", r->scratch->n);
		for (unsigned int i = 0; i < r->scratch->n; i++)
			fprintf(outf, "  0x%llx-0x%llx %llu\n",
			       (unsigned long long)r->scratch->phys[i],
			       (unsigned long long)(r->scratch->phys[i] + r->scratch->len[i]),
			       (unsigned long long)r->scratch->len[i]);
	}
	if (r->d->owners && r->mem && r->sum->done) {
		fflush(outf);
		owners_summary(r->d->o, r->mem, r->loc, NULL);
	}
}

static void json_report(const struct report *r, const struct outcome *oc)
{
	const struct khor_located *loc = r->loc;
	const struct khor_fdt_info *in = &loc->info;
	const struct summary *s = r->sum;
	struct json j;

	json_doc(&j, r->d->o);
	if (r->mi) {
		json_open(&j, "source", '{');
		json_str(&j, "kind", r->mi->kind);
		json_hex(&j, "phys_end", r->mi->phys_end);
		json_uint(&j, "page_size", r->page_size);
		json_str(&j, "page_size_from", r->page_size_from);
		if (r->mi->osrelease[0])
			json_str(&j, "osrelease", r->mi->osrelease);
		json_close(&j, '}');
	}
	json_open(&j, "located", '{');
	json_str(&j, "how", loc->how);
	if (loc->have_fdt_phys)
		json_hex(&j, "fdt_phys", loc->fdt_phys);
	if (loc->why[0])
		json_str(&j, "why", loc->why);
	if (loc->ncands) {
		json_open(&j, "candidates", '[');
		for (unsigned int i = 0; i < loc->ncands; i++) {
			const struct khor_candidate *c = &loc->cands[i];

			json_open(&j, NULL, '{');
			json_hex(&j, "phys", c->phys);
			json_str(&j, "compatible", c->compatible);
			json_hex(&j, "mem_map", c->mem_map);
			json_bool(&j, "valid", c->valid);
			json_bool(&j, "fdt_preserved", c->fdt_preserved);
			json_bool(&j, "chosen", loc->have_fdt_phys && loc->fdt_phys == c->phys);
			json_str(&j, "verdict", c->verdict);
			json_close(&j, '}');
		}
		json_close(&j, ']');
	}
	json_close(&j, '}');
	if (loc->have_fdt) {
		json_open(&j, "fdt", '{');
		json_str(&j, "compatible", in->compatible);
		json_uint(&j, "version", in->version);
		json_str(&j, "suffix", in->suffix);
		json_str(&j, "format", khor_format_name(in->format));
		json_uint(&j, "totalsize", in->totalsize);
		json_hex(&j, "preserved_memory_map", in->mem_map);
		json_str(&j, "subnode_property", in->subnode_prop ? in->subnode_prop : "");
		if (r->tree)
			json_value(&j, "tree", r->tree);
		json_close(&j, '}');
		json_open(&j, "subnodes", '[');
		for (unsigned int i = 0; i < r->nsubs; i++) {
			const struct sub_result *sr = &r->subs[i];

			json_open(&j, NULL, '{');
			json_str(&j, "name", sr->sub.name);
			if (sr->sub.addr_prop)
				json_str(&j, "address_property", sr->sub.addr_prop);
			if (sr->sub.has_phys)
				json_hex(&j, "phys", sr->sub.phys);
			if (sr->sub.has_size)
				json_uint(&j, "blob_size", sr->sub.size);
			if (sr->sub.problem[0])
				json_str(&j, "problem", sr->sub.problem);
			if (sr->preserved >= 0)
				json_bool(&j, "preserved", sr->preserved);
			json_bool(&j, "from_debugfs", sr->from_file);
			if (sr->blob)
				json_value(&j, "blob", sr->blob);
			json_close(&j, '}');
		}
		json_close(&j, ']');
	}
	if (s->done) {
		const struct khor_stats *st = &s->stats;

		json_open(&j, "summary", '{');
		json_uint(&j, "page_size", st->page_size);
		json_bool(&j, "map_released", s->released);
		json_bool(&j, "finalized", !s->v1_unfinalized);
		json_uint(&j, "blocks", st->blocks_total);
		json_uint(&j, "ranges", s->nranges);
		json_uint(&j, "preserved_bytes", st->preserved_bytes);
		json_open(&j, "orders", '[');
		for (unsigned int i = 0; i < KHOR_MAX_ORDERS; i++) {
			if (!st->blocks[i])
				continue;
			json_open(&j, NULL, '{');
			json_uint(&j, "order", i);
			json_uint(&j, "blocks", st->blocks[i]);
			json_uint(&j, "bytes", st->blocks[i] * (st->page_size << i));
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_uint(&j, "metadata_pages", s->res.nodes);
		json_uint(&j, "metadata_bytes", st->metadata_bytes);
		json_uint(&j, "leaves", st->leaves);
		if (loc->have_fdt_phys && query_state(s, loc->fdt_phys) >= 0)
			json_bool(&j, "fdt_page_preserved", query_state(s, loc->fdt_phys) > 0);
		json_close(&j, '}');
	}
	if (r->scratch->have) {
		json_open(&j, "scratch", '[');
		for (unsigned int i = 0; i < r->scratch->n; i++) {
			json_open(&j, NULL, '{');
			json_hex(&j, "phys", r->scratch->phys[i]);
			json_hex(&j, "size", r->scratch->len[i]);
			json_close(&j, '}');
		}
		json_close(&j, ']');
	}
	if (r->d->owners && r->mem && r->sum->done)
		owners_summary(r->d->o, r->mem, loc, &j);
	json_error(&j, &oc->first);
	json_end(&j);
}

/* ---- extract ---- */

static int do_extract(struct dump_opts *d, struct khor_mem *rec,
		      struct khor_mem *inner)
{
	struct common_opts *o = d->o;
	struct khor_mem *out = NULL;
	const uint64_t *pages;
	struct khor_error err;
	uint8_t *a = NULL, *b = NULL;
	size_t n, runs = 0;
	int rc;

	khor_error_clear(&err);
	if (khor_mem_record_pages(rec, &pages, &n)) {
		errmsg(o, "extract: out of memory");
		return EXIT_FAIL;
	}
	rc = khor_extract_write(inner, pages, n, d->extract, &err);
	if (rc) {
		errmsg(o, "%s", err.msg);
		return EXIT_FAIL;
	}
	/* Prove it: every page decoding read must come back identical. */
	rc = khor_mem_open_dump(d->extract, &err, &out);
	if (rc) {
		errmsg(o, "extract: cannot reopen '%s': %s", d->extract, err.msg);
		return EXIT_FAIL;
	}
	a = malloc(KHOR_EXTRACT_PAGE);
	b = malloc(KHOR_EXTRACT_PAGE);
	for (size_t i = 0; a && b && i < n; i++) {
		runs += !i || pages[i] != pages[i - 1] + KHOR_EXTRACT_PAGE;
		if (khor_mem_read(inner, pages[i], a, KHOR_EXTRACT_PAGE) ||
		    khor_mem_read(out, pages[i], b, KHOR_EXTRACT_PAGE) ||
		    memcmp(a, b, KHOR_EXTRACT_PAGE)) {
			errmsg(o, "extract: page 0x%llx does not read back from '%s'",
			       (unsigned long long)pages[i], d->extract);
			rc = -KHOR_EIO;
			break;
		}
	}
	if (!a || !b) {
		errmsg(o, "extract: out of memory");
		rc = -KHOR_ENOMEM;
	}
	if (!rc && khor_mem_get_info(out)->phys_end != khor_mem_get_info(inner)->phys_end) {
		errmsg(o, "extract: '%s' does not keep the end of memory", d->extract);
		rc = -KHOR_EIO;
	}
	free(a);
	free(b);
	khor_mem_destroy(out);
	if (rc)
		return EXIT_FAIL;
	if (o->verbose)
		infomsg(o, "extract: wrote '%s': %zu pages in %zu runs, all read back identical",
		        d->extract, n, runs);
	return EXIT_OK;
}

/* ---- main flow ---- */

static bool needs_memory(const struct common_opts *o)
{
	return o->loc.have_fdt_phys || o->loc.scan || o->loc.have_root ||
	       o->loc.symbols;
}

/*
 * A memory source: the one named, or live /proc/kcore when the FDT comes
 * from the live debugfs. A copied debugfs tree (--debugfs) or an FDT file
 * is decoded without memory unless a source is given: the running
 * system's memory is not what that FDT describes.
 */
int khodump_open_memory(struct common_opts *o, struct khor_mem **inner,
			char *reason, size_t len)
{
	struct khor_error err;
	int rc;

	*inner = NULL;
	khor_error_clear(&err);
	if (!o->have_source && !needs_memory(o) && (o->loc.fdt_file || o->loc.debugfs)) {
		snprintf(reason, len, "no memory source given");
		return 0;
	}
	if (o->have_source)
		return open_source(o, inner) ? -1 : 0;
	rc = khor_mem_open_dump("/proc/kcore", &err, inner);
	if (rc && needs_memory(o)) {
		errmsg(o, "%s", err.msg);
		return -1;
	}
	if (rc) {
		snprintf(reason, len, "%s", err.msg);
		*inner = NULL;
	}
	return 0;
}

static int run_dump(struct dump_opts *d)
{
	struct common_opts *o = d->o;
	struct khor_located *loc;
	struct khor_mem *mem = NULL, *inner = NULL;
	struct sub_result *subs = NULL;
	struct summary sum = { 0 };
	struct scratch scratch = { 0 };
	struct report r = { .d = d, .sum = &sum, .scratch = &scratch };
	struct outcome oc = { 0 };
	struct khor_blob_opts bo = { 0 };
	struct khor_error err;
	char reason[600] = "";
	unsigned int nsubs = 0;
	bool lost;
	int rc, status;

	khor_error_clear(&err);
	khor_error_clear(&oc.first);
	/* Large (a copy of the FDT): not on the stack. */
	loc = malloc(sizeof(*loc));
	if (!loc) {
		errmsg(o, "out of memory");
		return EXIT_FAIL;
	}
	r.loc = loc;
	if (khodump_open_memory(o, &inner, reason, sizeof(reason))) {
		free(loc);
		return EXIT_FAIL;
	}
	mem = inner;
	if (d->extract) {
		if (!inner) {
			errmsg(o, "--extract needs a memory source (%s)", reason);
			free(loc);
			return EXIT_USAGE;
		}
		if (khor_mem_record_create(inner, &mem)) {
			errmsg(o, "out of memory");
			close_source(o, inner);
			free(loc);
			return EXIT_FAIL;
		}
	}

	rc = khor_locate(mem, &o->loc, loc, &err);
	if (rc) {
		errmsg(o, "%s", err.msg);
		for (unsigned int i = 0; i < loc->ncands; i++)
			infomsg(o, "candidate 0x%llx %s: %s",
			        (unsigned long long)loc->cands[i].phys,
			        loc->cands[i].compatible, loc->cands[i].verdict);
		status = exit_for(rc);
		goto out;
	}
	if (!loc->have_fdt) {
		errmsg(o, "khodump decodes the KHO FDT: give --fdt, --fdt-phys, --scan, "
		       "symbols or debugfs, not --root (khowalk walks a bare map)");
		status = EXIT_USAGE;
		goto out;
	}
	if (o->verbose)
		infomsg(o, "FDT from %s", loc->how);
	if (loc->note[0])
		infomsg(o, "%s", loc->note);
	bo.incoming = loc->map_released;

	r.mi = mem ? khor_mem_get_info(mem) : NULL;
	r.mem = mem;
	r.page_size = UINT64_C(1) << loc->map.geom.page_shift;
	r.page_size_from = o->loc.page_size ? "option" :
			   r.mi && r.mi->page_size ? "dump" : "default";
	r.nomem_reason = reason;

	if (khor_fdt_tree(loc->fdt, loc->fdt_len, 0, &r.tree, &err))
		outcome_add(&oc, err.code, &err);

	/* Sub-nodes and their blobs. */
	bo.page_size = r.page_size;
	bo.preview = d->preview;
	if (loc->map.root && !loc->map_released)
		bo.map = &loc->map;
	subs = calloc(loc->info.nsubnodes ? loc->info.nsubnodes : 1, sizeof(*subs));
	if (!subs) {
		errmsg(o, "out of memory");
		status = EXIT_FAIL;
		goto out;
	}
	for (unsigned int i = 0; i < loc->info.nsubnodes; i++) {
		struct sub_result *sr = &subs[nsubs];
		void *data = NULL;
		size_t len = 0;

		if (khor_fdt_subnode(loc->fdt, loc->fdt_len, &loc->info, i, &sr->sub))
			break;
		nsubs++;
		sr->preserved = -1;
		if (sr->sub.problem[0]) {
			struct khor_error e;

			set_err(&e, -KHOR_ECORRUPT, "sub-node '%s': %s",
				     sr->sub.name, sr->sub.problem);
			outcome_add(&oc, -KHOR_ECORRUPT, &e);
		}
		if (!mem) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s/sub_fdts/%s",
				 debugfs_dir(o), o->loc.incoming ? "in" : "out",
				 sr->sub.name);
			data = khodump_read_file(path, 16u << 20, &len);
			sr->from_file = data != NULL;
			if (!data && !sr->sub.has_phys)
				continue;
		}
		khor_error_clear(&err);
		sr->rc = khor_blob_decode(mem, &sr->sub, data, len, &bo,
					  &sr->blob, &err);
		if (sr->rc) {
			struct khor_error e = err;

			set_err(&e, err.code, "sub-node '%s': %s",
				     sr->sub.name, err.msg);
			e.count = err.count;
			outcome_add(&oc, sr->rc, &e);
		}
		free(data);
	}
	r.subs = subs;
	r.nsubs = nsubs;

	/* Summary: walk the map; note whether the FDT page and blobs are in it. */
	if (mem && !d->no_summary && loc->map_released) {
		sum.done = true;
		sum.released = true;
		khor_stats_init(&sum.stats, r.page_size);
	} else if (mem && !d->no_summary && loc->map.root != 0) {
		sum.q = calloc(nsubs + 1, sizeof(*sum.q));
		if (sum.q) {
			if (loc->have_fdt_phys)
				sum.q[sum.nq++] = (struct query){ loc->fdt_phys, -1 };
			for (unsigned int i = 0; i < nsubs; i++)
				if (subs[i].sub.has_phys)
					sum.q[sum.nq++] = (struct query){ subs[i].sub.phys, -1 };
		}
		run_summary(d, mem, inner, loc, &sum, &oc);
		for (unsigned int i = 0; i < nsubs; i++)
			if (subs[i].sub.has_phys)
				subs[i].preserved = query_state(&sum, subs[i].sub.phys);
		if (sum.fdt_found && d->extract)
			khor_mem_record_add(mem, sum.fdt_found_phys, loc->info.totalsize);
	} else if (mem && !d->no_summary) {
		sum.done = true;
		sum.v1_unfinalized = loc->map.format == KHOR_FMT_V1;
		khor_stats_init(&sum.stats, r.page_size);
	}
	if (!o->loc.fdt_file && (!mem || !o->have_source || o->loc.debugfs))
		read_scratch(o, &scratch);

	if (o->json)
		json_report(&r, &oc);
	else
		text_report(o->out, &r);

	status = exit_for(oc.rc);
	/* The report is gone: no message but finish_run()'s. */
	lost = out_flush(o) || out_failed(o);
	if (lost) {
		status = EXIT_FAIL;
	} else if (oc.first.code) {
		errmsg(o, "%s", oc.first.msg);
		if (oc.first.count > 1)
			infomsg(o, "%llu problems in all; the first is shown",
				(unsigned long long)oc.first.count);
	}
	if (!mem && !lost)
		infomsg(o, "note: %s: blobs from debugfs files only, no summary",
			reason);
	if (d->extract) {
		int xs = do_extract(d, mem, inner);

		if (xs && status == EXIT_OK)
			status = xs;
	}
out:
	for (unsigned int i = 0; i < nsubs; i++)
		khor_value_free(subs[i].blob);
	free(subs);
	free(sum.q);
	khor_value_free(r.tree);
	if (mem != inner)
		khor_mem_destroy(mem);
	close_source(o, inner);
	free(loc);
	return status;
}

static const struct option longopts[] = {
	COMMON_LONG_OPTIONS,
	{ "extract", required_argument, NULL, OPT_EXTRACT },
	{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
	{ "preview", required_argument, NULL, OPT_PREVIEW },
	{ "owners", no_argument, NULL, OPT_OWNERS },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "module", required_argument, NULL, OPT_MODULE },
	{ NULL, 0, NULL, 0 },
};

static int run(struct common_opts *o, int argc, char **argv)
{
	struct dump_opts d = { .o = o };
	uint64_t v;
	int opt, status;

	while ((opt = tool_getopt(o, argc, argv, longopts, "khodump", usage,
				  &status)) != -1) {
		switch (opt) {
		case OPT_EXTRACT:
			d.extract = optarg;
			break;
		case OPT_NO_SUMMARY:
			d.no_summary = true;
			break;
		case OPT_OWNERS:
			d.owners = true;
			break;
		case OPT_PREVIEW:
			if (!parse_u64(optarg, &v) || !v || v > 4096) {
				errmsg(o, "invalid --preview '%s' (1 to 4096)", optarg);
				return EXIT_USAGE;
			}
			d.preview = (size_t)v;
			break;
		case OPT_TARGET:
			d.pf.target = optarg;
			break;
		case OPT_INITRD:
			d.pf.initrd = optarg;
			break;
		case OPT_MODULE:
			if (d.pf.nmodules == PREFLIGHT_MAX_MODULES) {
				errmsg(o, "at most %d --module", PREFLIGHT_MAX_MODULES);
				return EXIT_USAGE;
			}
			d.pf.modules[d.pf.nmodules++] = optarg;
			break;
		default:
			return option_error(o, longopts, '?', argc, argv);
		}
	}
	if (status >= 0)
		return status;
	if (optind < argc && !strcmp(argv[optind], "preflight")) {
		/* A verdict: 0 go, 1 no-go, trouble above (DESIGN §3a). */
		o->exits = EXITS_VERDICT;
		optind++;
		if (optind != argc) {
			errmsg(o, "unexpected argument '%s'", argv[optind]);
			return EXIT_USAGE;
		}
		if (!d.pf.target) {
			errmsg(o, "preflight needs --target IMAGE");
			return EXIT_USAGE;
		}
		if (d.extract || d.no_summary || d.preview) {
			errmsg(o, "preflight takes no %s", d.extract ? "--extract" :
			       d.no_summary ? "--no-summary" : "--preview");
			return EXIT_USAGE;
		}
		return preflight_run(o, &d.pf);
	}
	if (optind != argc) {
		errmsg(o, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (d.pf.target || d.pf.initrd || d.pf.nmodules) {
		errmsg(o, "%s belongs to the preflight subcommand",
		       d.pf.target ? "--target" : d.pf.initrd ? "--initrd" : "--module");
		return EXIT_USAGE;
	}
	return run_dump(&d);
}

int khodump_run(const struct tool_env *env, int argc, char **argv)
{
	return tool_run("khodump", env, run, argc, argv);
}

/* Built without main() into the crash extension (mk/crash.mk). */
#ifndef KHO_TOOL_NO_MAIN
int main(int argc, char **argv)
{
	return tool_main(khodump_run, argc, argv);
}
#endif
