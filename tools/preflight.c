// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khodump preflight - before a KHO kexec: would the target kernel take
 * over this state? Four checks, each "ok", "FAILED" with its reasons, or
 * "not checked: <why>" when this source cannot answer it (a check that
 * cannot run never makes the verdict no-go):
 *
 *  map          the preserved-memory map walks without error and no block
 *               overlaps another (khowalk check);
 *  blobs        the root FDT's page and every page of every sub-node's
 *               blob (blob-size bytes, else the extent its decoder read)
 *               are blocks of the map, and no blob decodes as corrupt;
 *  compatibles  every string the target must recognise to take the state
 *               over - the root compatible (kho-vN), every sub-node name
 *               (kho_retrieve_subtree() looks blobs up by name) and every
 *               compatible inside the blobs (luo-v5, memfd-v2,
 *               memblock-v1, kho-test-v1, ...) - is in the target's data,
 *               and where it was found is printed;
 *  scratch      what kexec_file_load places for the target fits the
 *               scratch areas (the rule is in scratch_fit()).
 *
 * Verdict: go (exit 0) or no-go (exit 1) with every reason; trouble (an
 * unreadable image, no KHO FDT) is 2 or more (DESIGN §3a).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kimage.h"
#include "preflight.h"

#define MAX_REASONS 64
#define MAX_STRINGS 128
#define MAX_QUERIES 130
#define MAX_SEGMENTS 2

/* kexec-bzimage64.c (7.2): MIN_KERNEL_LOAD_ADDR, MIN_INITRD_LOAD_ADDR. */
#define MIN_KERNEL_LOAD 0x100000ULL
#define MIN_INITRD_LOAD 0x1000000ULL
#define SEG_PAGE 4096ULL

enum ck_status { CK_OK, CK_FAIL, CK_SKIP };

static const char *const ck_names[] = { "map", "blobs", "compatibles", "scratch" };
enum { CK_MAP, CK_BLOBS, CK_COMPAT, CK_SCRATCH, CK_N };

struct check {
	enum ck_status status;
	char detail[700];
};

/* A page range that must be preserved, and how far the walk covered it. */
struct query {
	char what[160];
	uint64_t start, end;	/* page aligned */
	uint64_t cursor;	/* covered up to here */
	bool gap;		/* [cursor, ...) is not preserved */
};

/* A string the target must know. */
struct used {
	char s[128];
	char use[160];
	bool found;
	int image;		/* -1 target, else the module's index */
	struct kimage_hit hit;
};

struct segment {
	const char *name;
	uint64_t size, align, min;
	bool placed;
	unsigned int area;
	uint64_t at;
};

struct pf {
	struct common_opts *o;
	const struct preflight_opts *p;
	struct kimage target;
	struct kimage modules[PREFLIGHT_MAX_MODULES];
	uint64_t initrd_size;
	struct khor_located *loc;
	struct khor_mem *mem;
	uint64_t page_size;
	struct check ck[CK_N];
	char *reasons[MAX_REASONS];
	unsigned int nreasons;
	/* map walk */
	struct khor_check chk;
	struct khor_ranges ranges;
	uint64_t nranges;
	struct khor_walk_result res;
	struct query q[MAX_QUERIES];
	unsigned int nq;
	/* compatibles */
	struct used u[MAX_STRINGS];
	unsigned int nu;
	unsigned int nmissing;
	/* scratch */
	struct khor_scratch_area areas[MAX_SCRATCH];
	unsigned int nareas;
	char areas_from[200];
	struct segment seg[MAX_SEGMENTS];
	unsigned int nseg;
};

__attribute__((format(printf, 3, 4)))
static void reason(struct pf *f, int ck, const char *fmt, ...)
{
	char buf[700];
	va_list ap;
	int n;

	if (f->nreasons == MAX_REASONS)
		return;
	n = snprintf(buf, sizeof(buf), "%s: ", ck_names[ck]);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	f->reasons[f->nreasons] = strdup(buf);
	if (f->reasons[f->nreasons])
		f->nreasons++;
}

__attribute__((format(printf, 4, 5)))
static void set_check(struct pf *f, int ck, enum ck_status st, const char *fmt, ...)
{
	va_list ap;

	f->ck[ck].status = st;
	va_start(ap, fmt);
	vsnprintf(f->ck[ck].detail, sizeof(f->ck[ck].detail), fmt, ap);
	va_end(ap);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* ---- the map and the blobs' pages ---- */

static void add_query(struct pf *f, uint64_t phys, uint64_t len, const char *what)
{
	struct query *q;

	if (f->nq == MAX_QUERIES)
		return;
	q = &f->q[f->nq++];
	snprintf(q->what, sizeof(q->what), "%s", what);
	q->start = phys & ~(f->page_size - 1);
	q->end = align_up(phys + (len ? len : 1), f->page_size);
	q->cursor = q->start;
}

/* Ranges arrive ascending and disjoint: a query's cursor only moves up. */
static int on_range(void *arg, uint64_t start, uint64_t end)
{
	struct pf *f = arg;

	f->nranges++;
	for (unsigned int i = 0; i < f->nq; i++) {
		struct query *q = &f->q[i];

		if (q->gap || q->cursor >= q->end || end <= q->cursor)
			continue;
		if (start > q->cursor)
			q->gap = true;
		else
			q->cursor = end < q->end ? end : q->end;
	}
	return 0;
}

static int on_run(void *arg, const struct khor_run *run)
{
	struct pf *f = arg;

	khor_check_add_run(&f->chk, run);
	return khor_ranges_add(&f->ranges, run);
}

static void check_map_and_blobs(struct pf *f, const char *nomem)
{
	struct khor_walk_ops ops = { .run = on_run };
	const struct khor_located *loc = f->loc;
	struct khor_map map = loc->map;
	bool blobs_failed = f->ck[CK_BLOBS].status == CK_FAIL;
	unsigned int bad = 0;
	uint64_t pages = 0;
	int rc;

	if (!f->mem) {
		set_check(f, CK_MAP, CK_SKIP, "no memory source (%s): the map cannot be walked",
			  nomem);
		if (!blobs_failed)
			set_check(f, CK_BLOBS, CK_SKIP, "no memory source: the map cannot be walked");
		return;
	}
	if (loc->map_released) {
		set_check(f, CK_MAP, CK_SKIP, "the incoming map was %s", MAP_RELEASED);
		if (!blobs_failed)
			set_check(f, CK_BLOBS, CK_SKIP, "the map is not walked (released)");
		return;
	}
	if (map.format == KHOR_FMT_V1 && !map.root) {
		set_check(f, CK_MAP, CK_SKIP, "kho-v1 map not finalized yet (preserved-memory-map "
			  "is 0): the kernel writes it at finalize");
		if (!blobs_failed)
			set_check(f, CK_BLOBS, CK_SKIP, "no map yet (kho-v1 before finalize)");
		return;
	}
	khor_check_init(&f->chk, f->page_size);
	khor_ranges_init(&f->ranges, f->page_size, on_range, f);
	map.v1_bitmap_size = f->o->v1_bitmap_size;
	rc = khor_walk(f->mem, &map, &f->o->limits, &ops, f, &f->res);
	if (!rc || rc == -KHOR_ECORRUPT || rc == -KHOR_ENODATA) {
		int frc = khor_ranges_flush(&f->ranges);

		if (frc && !rc)
			rc = frc;
	}
	if (rc == -KHOR_ECORRUPT || (!rc && f->chk.error.code)) {
		const struct khor_error *e = rc ? &f->res.error : &f->chk.error;

		set_check(f, CK_MAP, CK_FAIL, "the map does not validate: %s", e->msg);
		reason(f, CK_MAP, "the map does not validate: %s", e->msg);
	} else if (rc) {
		set_check(f, CK_MAP, CK_SKIP, "%s", f->res.error.code ? f->res.error.msg :
			  khor_strerror(rc));
	} else {
		set_check(f, CK_MAP, CK_OK, "%llu blocks in %llu ranges, %llu metadata pages, "
			  "no block overlaps another", (unsigned long long)f->res.blocks,
			  (unsigned long long)f->nranges, (unsigned long long)f->res.nodes);
	}
	if (rc) {
		if (!blobs_failed)
			set_check(f, CK_BLOBS, CK_SKIP, "the map walk did not finish: which "
				  "pages are preserved is not known");
		return;
	}
	for (unsigned int i = 0; i < f->nq; i++) {
		struct query *q = &f->q[i];

		pages += (q->end - q->start) / f->page_size;
		if (!q->gap && q->cursor >= q->end)
			continue;
		bad++;
		reason(f, CK_BLOBS, "%s: page 0x%llx is not preserved (%s 0x%llx-0x%llx, "
		       "%llu pages)", q->what, (unsigned long long)q->cursor, q->what,
		       (unsigned long long)q->start, (unsigned long long)q->end,
		       (unsigned long long)((q->end - q->start) / f->page_size));
	}
	if (bad || blobs_failed)
		set_check(f, CK_BLOBS, CK_FAIL, "%u of %u extents not wholly preserved%s", bad,
			  f->nq, blobs_failed ? ", and a blob is corrupt" : "");
	else
		set_check(f, CK_BLOBS, CK_OK, "%u extents (%s%u sub-blobs), %llu pages, all "
			  "preserved", f->nq, loc->have_fdt_phys ? "the FDT page and " : "",
			  f->nq - (loc->have_fdt_phys ? 1 : 0), (unsigned long long)pages);
}

/* ---- strings in use ---- */

static void use_string(struct pf *f, const char *s, const char *use)
{
	if (!s[0])
		return;
	for (unsigned int i = 0; i < f->nu; i++)
		if (!strcmp(f->u[i].s, s))
			return;
	if (f->nu == MAX_STRINGS)
		return;
	snprintf(f->u[f->nu].s, sizeof(f->u[0].s), "%s", s);
	snprintf(f->u[f->nu].use, sizeof(f->u[0].use), "%s", use);
	f->nu++;
}

/* FDT "compatible" may list several strings, joined with '\n' by the decoder. */
static void use_list(struct pf *f, const char *s, const char *sub)
{
	char use[160];

	snprintf(use, sizeof(use), "compatible in %s", sub);
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		char one[128];

		snprintf(one, sizeof(one), "%.*s", (int)(nl ? nl - s : (long)strlen(s)), s);
		use_string(f, one, use);
		s = nl ? nl + 1 : NULL;
	}
}

/*
 * Every "compatible" in a decoded blob: a member of that name (the blob's
 * own, a LUO file's handler) or a property of a device-tree node.
 */
static void collect_compatibles(struct pf *f, const struct khor_value *v, const char *sub)
{
	for (const struct khor_value *c = v ? v->child : NULL; c; c = c->next) {
		if (c->type == KHOR_V_STR && c->key && !strcmp(c->key, "compatible"))
			use_list(f, c->s, sub);
		if (c->kind && !strcmp(c->kind, "fdt-node")) {
			const struct khor_value *props = khor_value_get(c, "properties");

			for (const struct khor_value *p = props ? props->child : NULL; p; p = p->next) {
				const struct khor_value *n = khor_value_get(p, "name");
				const struct khor_value *str = khor_value_get(p, "string");

				if (n && n->s && !strcmp(n->s, "compatible") && str)
					use_list(f, str->s, sub);
			}
		}
		if (c->child)
			collect_compatibles(f, c, sub);
	}
}

static const char *module_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static void check_compatibles(struct pf *f)
{
	if (!f->target.searchable) {
		set_check(f, CK_COMPAT, CK_SKIP, "%s", f->target.why);
		return;
	}
	for (unsigned int i = 0; i < f->nu; i++) {
		struct used *u = &f->u[i];

		u->image = -1;
		u->found = kimage_find(&f->target, u->s, &u->hit);
		for (unsigned int m = 0; !u->found && m < f->p->nmodules; m++) {
			if (!f->modules[m].searchable)
				continue;
			u->found = kimage_find(&f->modules[m], u->s, &u->hit);
			if (u->found)
				u->image = (int)m;
		}
		if (!u->found) {
			f->nmissing++;
			reason(f, CK_COMPAT, "\"%s\" (%s) is not in the target", u->s, u->use);
		}
	}
	if (f->nmissing)
		set_check(f, CK_COMPAT, CK_FAIL, "%u of %u strings in use are not in the target",
			  f->nmissing, f->nu);
	else
		set_check(f, CK_COMPAT, CK_OK, "%u strings in use, each found in the target", f->nu);
}

/* "payload offset 0x9640a3 (.rodata+0x1640a3)" and the like. */
static void where(const struct pf *f, const struct used *u, char *buf, size_t len)
{
	const struct kimage *ki = u->image < 0 ? &f->target : &f->modules[u->image];
	const char *what = ki->kind == KIMAGE_BZIMAGE ? "payload offset" : "file offset";
	int n = 0;

	if (u->image >= 0)
		n = snprintf(buf, len, "module %s: ", module_name(ki->path));
	if (ki->kind == KIMAGE_BZIMAGE && !ki->payload_elf)
		snprintf(buf + n, len - (size_t)n, "%s 0x%llx", what,
			 (unsigned long long)u->hit.offset);
	else
		snprintf(buf + n, len - (size_t)n, "%s 0x%llx (%s+0x%llx)", what,
			 (unsigned long long)u->hit.offset, u->hit.region->name,
			 (unsigned long long)u->hit.region_offset);
}

/* ---- scratch ---- */

/*
 * The rule, from what the kernel does (7.2): kexec_file_load() of a
 * bzImage places the kernel as a segment of PAGE_ALIGN(init_size) bytes
 * at a kernel_alignment boundary, at or above pref_address (1 MiB if that
 * is lower), and the initrd as a segment of its size at or above 16 MiB
 * (arch/x86/kernel/kexec-bzimage64.c); for a KHO kexec,
 * kho_locate_mem_hole() offers only the scratch areas, so each segment
 * must lie inside one area, and segments do not overlap
 * (kernel/liveupdate/kexec_handover.c). The boot parameters and purgatory
 * (a few pages) are not counted. Placement here: largest segment first,
 * lowest address that fits.
 */
#define SCRATCH_RULE "each segment kexec_file_load places for a bzImage - the kernel, " \
	"PAGE_ALIGN(init_size) bytes at a kernel_alignment boundary at or above " \
	"pref_address (at least 1 MiB), and the initrd at or above 16 MiB - lies inside one " \
	"scratch area without overlapping another (kho_locate_mem_hole() offers a KHO " \
	"kexec only the scratch areas); boot parameters and purgatory are not counted"

struct freeiv {
	uint64_t start, end;
	unsigned int area;
};

static void scratch_fit(struct pf *f)
{
	struct freeiv fr[MAX_SCRATCH + MAX_SEGMENTS];
	unsigned int nfr = 0, order[MAX_SEGMENTS], nbad = 0;
	uint64_t largest = 0;
	unsigned int li = 0;

	for (unsigned int i = 0; i < f->nareas && nfr < MAX_SCRATCH; i++) {
		fr[nfr++] = (struct freeiv){ f->areas[i].phys, f->areas[i].phys + f->areas[i].size, i };
		if (f->areas[i].size > largest) {
			largest = f->areas[i].size;
			li = i;
		}
	}
	for (unsigned int i = 0; i < f->nseg; i++)
		order[i] = i;
	if (f->nseg == 2 && f->seg[1].size > f->seg[0].size) {
		order[0] = 1;
		order[1] = 0;
	}
	for (unsigned int k = 0; k < f->nseg; k++) {
		struct segment *s = &f->seg[order[k]];

		unsigned int best = nfr;

		for (unsigned int i = 0; i < nfr; i++) {
			uint64_t a = fr[i].start > s->min ? fr[i].start : s->min;

			a = align_up(a, s->align);
			if (a < fr[i].start || a > fr[i].end || fr[i].end - a < s->size)
				continue;
			if (!s->placed || a < s->at) {
				s->placed = true;
				s->at = a;
				best = i;
			}
		}
		if (s->placed) {
			s->area = fr[best].area;
			/* what is left of the interval: before and after */
			if (s->at + s->size < fr[best].end && nfr < MAX_SCRATCH + MAX_SEGMENTS)
				fr[nfr++] = (struct freeiv){ s->at + s->size, fr[best].end,
							     fr[best].area };
			fr[best].end = s->at;
		} else {
			nbad++;
			reason(f, CK_SCRATCH, "the %s (%llu bytes, at a 0x%llx boundary at or above "
			       "0x%llx) fits in no free part of a scratch area (largest area: "
			       "%llu bytes at 0x%llx)", s->name, (unsigned long long)s->size,
			       (unsigned long long)s->align, (unsigned long long)s->min,
			       (unsigned long long)largest,
			       (unsigned long long)(f->nareas ? f->areas[li].phys : 0));
		}
	}
	if (nbad)
		set_check(f, CK_SCRATCH, CK_FAIL, "%u of %u segments fit no scratch area", nbad,
			  f->nseg);
}

static bool have_symbols(const struct common_opts *o)
{
	return o->syms.vmlinux || o->syms.system_map || o->syms.use_vmcoreinfo;
}

static void check_scratch(struct pf *f)
{
	const struct common_opts *o = f->o;
	const struct kimage *t = &f->target;
	bool live = !o->loc.fdt_file && (!f->mem || !o->have_source || o->loc.debugfs);
	char sz[32];

	if (t->kind != KIMAGE_BZIMAGE) {
		set_check(f, CK_SCRATCH, CK_SKIP, "the target is an ELF file: it has no setup "
			  "header (init_size), and kexec_file_load boots a bzImage");
		return;
	}
	if (!t->init_size) {
		set_check(f, CK_SCRATCH, CK_SKIP, "the bzImage's init_size is 0");
		return;
	}
	if (live) {
		struct scratch sc;

		read_scratch(o, &sc);
		if (sc.have) {
			for (unsigned int i = 0; i < sc.n; i++)
				f->areas[i] = (struct khor_scratch_area){ sc.phys[i], sc.len[i] };
			f->nareas = sc.n;
			snprintf(f->areas_from, sizeof(f->areas_from),
				 "debugfs %s/out/scratch_phys, scratch_len", debugfs_dir(o));
		}
	}
	if (!f->areas_from[0] && f->mem && have_symbols(o)) {
		struct khor_error err;
		unsigned int n = 0;
		int rc = khor_symbol_scratch(&o->syms, f->mem,
					     f->loc->have_fdt_phys ? &f->loc->fdt_phys : NULL,
					     f->areas, MAX_SCRATCH, &n, &err);

		if (rc) {
			set_check(f, CK_SCRATCH, CK_SKIP, "scratch areas from symbols: %s", err.msg);
			return;
		}
		f->nareas = n < MAX_SCRATCH ? n : MAX_SCRATCH;
		snprintf(f->areas_from, sizeof(f->areas_from),
			 "symbols kho_scratch, kho_scratch_cnt");
	}
	if (!f->areas_from[0]) {
		set_check(f, CK_SCRATCH, CK_SKIP, "no scratch areas: %s, and no symbols to read "
			  "kho_scratch/kho_scratch_cnt with (--vmlinux, --system-map, --symbols)",
			  live ? "debugfs out/scratch_phys and scratch_len cannot be read" :
			  "not a live system (debugfs out/scratch_*)");
		return;
	}
	f->seg[f->nseg++] = (struct segment){
		.name = "kernel",
		.size = align_up(t->init_size, SEG_PAGE),
		.align = t->kernel_alignment && !(t->kernel_alignment & (t->kernel_alignment - 1)) ?
			 t->kernel_alignment : SEG_PAGE,
		.min = t->pref_address < MIN_KERNEL_LOAD ? MIN_KERNEL_LOAD : t->pref_address,
	};
	/* An empty initrd is no segment: kexec_file_load() loads none. */
	if (f->p->initrd && f->initrd_size)
		f->seg[f->nseg++] = (struct segment){
			.name = "initrd", .size = align_up(f->initrd_size, SEG_PAGE),
			.align = SEG_PAGE, .min = MIN_INITRD_LOAD,
		};
	if (!f->nareas) {
		set_check(f, CK_SCRATCH, CK_FAIL, "the kernel has no scratch areas (KHO off?)");
		reason(f, CK_SCRATCH, "no scratch areas: a KHO kexec has nowhere to load the target");
		return;
	}
	scratch_fit(f);
	if (f->ck[CK_SCRATCH].status != CK_FAIL)
		set_check(f, CK_SCRATCH, CK_OK, "the kernel (%s)%s fit%s the scratch areas",
			  human_bytes(sz, sizeof(sz), f->seg[0].size),
			  f->nseg > 1 ? " and the initrd" : "", f->nseg > 1 ? "" : "s");
}

/* ---- gathering the state ---- */

static void gather(struct pf *f, const char *nomem)
{
	const struct khor_located *loc = f->loc;
	struct khor_blob_opts bo = { .page_size = f->page_size };
	bool corrupt = false;

	use_string(f, loc->info.compatible, "KHO FDT compatible");
	if (loc->have_fdt_phys)
		add_query(f, loc->fdt_phys, loc->info.totalsize, "the root FDT");
	if (loc->map.root && !loc->map_released)
		bo.map = &loc->map;
	bo.incoming = loc->map_released;
	for (unsigned int i = 0; i < loc->info.nsubnodes; i++) {
		struct khor_subnode sub;
		struct khor_value *blob = NULL;
		const struct khor_value *bytes;
		struct khor_error err;
		void *data = NULL;
		size_t len = 0;
		char name[160];
		int rc;

		if (khor_fdt_subnode(loc->fdt, loc->fdt_len, &loc->info, i, &sub))
			break;
		use_string(f, sub.name, "sub-node name");
		snprintf(name, sizeof(name), "sub-node '%s'", sub.name);
		if (sub.problem[0] || !sub.has_phys) {
			corrupt = true;
			reason(f, CK_BLOBS, "%s: %s", name, sub.problem[0] ? sub.problem :
			       "no blob address");
			continue;
		}
		if (!f->mem) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s/sub_fdts/%s", debugfs_dir(f->o),
				 f->o->loc.incoming ? "in" : "out", sub.name);
			data = khodump_read_file(path, 16u << 20, &len);
		}
		khor_error_clear(&err);
		rc = khor_blob_decode(f->mem, &sub, data, len, &bo, &blob, &err);
		free(data);
		if (rc == -KHOR_ECORRUPT) {
			corrupt = true;
			reason(f, CK_BLOBS, "%s: %s", name, err.msg);
		}
		collect_compatibles(f, blob, sub.name);
		bytes = blob ? khor_value_get(blob, "bytes") : NULL;
		add_query(f, sub.phys, sub.has_size ? sub.size : bytes ? bytes->u : f->page_size,
			  name);
		khor_value_free(blob);
	}
	if (corrupt)
		set_check(f, CK_BLOBS, CK_FAIL, "a sub-node or its blob is corrupt");
	check_map_and_blobs(f, nomem);
}

/* ---- output ---- */

static const char *status_word(enum ck_status s)
{
	return s == CK_OK ? "ok" : s == CK_FAIL ? "FAILED" : "not checked";
}

static const char *status_json(enum ck_status s)
{
	return s == CK_OK ? "ok" : s == CK_FAIL ? "failed" : "not-checked";
}

static void text_target(FILE *out, const struct kimage *t)
{
	if (t->kind == KIMAGE_ELF) {
		fprintf(out, "target:      %s: ELF, %u data sections searched\n", t->path,
			t->nregions);
		return;
	}
	fprintf(out, "target:      %s: bzImage, boot protocol %u.%02u, init_size 0x%x, "
		"kernel_alignment 0x%x\n", t->path, (unsigned int)t->protocol >> 8,
		(unsigned int)t->protocol & 0xffu, t->init_size, t->kernel_alignment);
	fprintf(out, "payload:     %s at 0x%llx, %llu bytes", t->compressor,
		(unsigned long long)t->payload_offset, (unsigned long long)t->payload_length);
	if (t->searchable)
		fprintf(out, ", %llu bytes decompressed%s", (unsigned long long)t->payload_size,
			t->payload_elf ? " (ELF)" : "");
	fputc('\n', out);
}

static void text_check(FILE *out, const struct pf *f, int c)
{
	char label[16];

	snprintf(label, sizeof(label), "%s:", ck_names[c]);
	fprintf(out, "%-12s %s: %s\n", label, status_word(f->ck[c].status), f->ck[c].detail);
}

static void text_all(struct pf *f, bool go)
{
	FILE *out = f->o->out;
	const struct khor_located *loc = f->loc;
	char w[300];

	text_target(out, &f->target);
	for (unsigned int m = 0; m < f->p->nmodules; m++)
		fprintf(out, "module:      %s: %u data sections searched\n", f->p->modules[m],
			f->modules[m].nregions);
	fprintf(out, "state:       %s, %u sub-nodes; %s\n", loc->info.compatible,
		loc->info.nsubnodes, loc->how);
	text_check(out, f, CK_MAP);
	text_check(out, f, CK_BLOBS);
	text_check(out, f, CK_COMPAT);
	for (unsigned int i = 0; f->ck[CK_COMPAT].status != CK_SKIP && i < f->nu; i++) {
		const struct used *u = &f->u[i];
		char q[140];

		snprintf(q, sizeof(q), "\"%s\"", u->s);
		if (u->found)
			where(f, u, w, sizeof(w));
		fprintf(out, "  %-18s %s: %s\n", q, u->use, u->found ? w : "NOT FOUND");
	}
	text_check(out, f, CK_SCRATCH);
	if (f->areas_from[0]) {
		fprintf(out, "  rule: %s\n", SCRATCH_RULE);
		for (unsigned int i = 0; i < f->nareas; i++)
			fprintf(out, "  area 0x%llx-0x%llx %llu bytes (%s)\n",
				(unsigned long long)f->areas[i].phys,
				(unsigned long long)(f->areas[i].phys + f->areas[i].size),
				(unsigned long long)f->areas[i].size, f->areas_from);
		for (unsigned int i = 0; i < f->nseg; i++) {
			const struct segment *s = &f->seg[i];

			fprintf(out, "  %s: %llu bytes, at a 0x%llx boundary at or above 0x%llx",
				s->name, (unsigned long long)s->size, (unsigned long long)s->align,
				(unsigned long long)s->min);
			if (s->placed)
				fprintf(out, ": fits at 0x%llx\n", (unsigned long long)s->at);
			else
				fputs(": fits nowhere\n", out);
		}
		if (!f->p->initrd)
			fputs("  initrd: none given (--initrd)\n", out);
		else if (!f->initrd_size)
			fputs("  initrd: empty, not loaded\n", out);
	}
	fprintf(out, "verdict:     %s\n", go ? "go" : "no-go");
	for (unsigned int i = 0; i < f->nreasons; i++)
		fprintf(out, "  %s\n", f->reasons[i]);
}

static void json_all(struct pf *f, bool go)
{
	const struct kimage *t = &f->target;
	const struct khor_located *loc = f->loc;
	struct json j;

	json_doc(&j, f->o);
	json_open(&j, "target", '{');
	json_str(&j, "path", t->path);
	json_str(&j, "kind", t->kind == KIMAGE_BZIMAGE ? "bzImage" : "elf");
	if (t->kind == KIMAGE_BZIMAGE) {
		json_hex(&j, "protocol", t->protocol);
		json_hex(&j, "init_size", t->init_size);
		json_hex(&j, "kernel_alignment", t->kernel_alignment);
		json_hex(&j, "pref_address", t->pref_address);
		json_str(&j, "compressor", t->compressor);
		json_hex(&j, "payload_offset", t->payload_offset);
		json_uint(&j, "payload_length", t->payload_length);
		if (t->searchable) {
			json_uint(&j, "payload_size", t->payload_size);
			json_bool(&j, "payload_elf", t->payload_elf);
		}
	}
	json_bool(&j, "searchable", t->searchable);
	json_close(&j, '}');
	json_open(&j, "modules", '[');
	for (unsigned int m = 0; m < f->p->nmodules; m++)
		json_str(&j, NULL, f->p->modules[m]);
	json_close(&j, ']');
	json_open(&j, "state", '{');
	json_str(&j, "compatible", loc->info.compatible);
	json_str(&j, "how", loc->how);
	if (loc->have_fdt_phys)
		json_hex(&j, "fdt_phys", loc->fdt_phys);
	json_uint(&j, "subnodes", loc->info.nsubnodes);
	json_close(&j, '}');
	json_open(&j, "checks", '[');
	for (int c = 0; c < CK_N; c++) {
		json_open(&j, NULL, '{');
		json_str(&j, "name", ck_names[c]);
		json_str(&j, "status", status_json(f->ck[c].status));
		json_str(&j, "detail", f->ck[c].detail);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_open(&j, "strings", '[');
	for (unsigned int i = 0; f->ck[CK_COMPAT].status != CK_SKIP && i < f->nu; i++) {
		const struct used *u = &f->u[i];

		json_open(&j, NULL, '{');
		json_str(&j, "string", u->s);
		json_str(&j, "used_as", u->use);
		json_bool(&j, "found", u->found);
		if (u->found) {
			const struct kimage *ki = u->image < 0 ? t : &f->modules[u->image];

			json_str(&j, "image", ki->path);
			json_str(&j, "offset_in", ki->kind == KIMAGE_BZIMAGE ? "payload" : "file");
			json_hex(&j, "offset", u->hit.offset);
			if (ki->kind == KIMAGE_ELF || ki->payload_elf) {
				json_str(&j, "section", u->hit.region->name);
				json_hex(&j, "section_offset", u->hit.region_offset);
			}
		}
		json_close(&j, '}');
	}
	json_close(&j, ']');
	if (f->areas_from[0]) {
		json_open(&j, "scratch", '{');
		json_str(&j, "rule", SCRATCH_RULE);
		json_str(&j, "areas_from", f->areas_from);
		json_open(&j, "areas", '[');
		for (unsigned int i = 0; i < f->nareas; i++) {
			json_open(&j, NULL, '{');
			json_hex(&j, "phys", f->areas[i].phys);
			json_hex(&j, "size", f->areas[i].size);
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_open(&j, "segments", '[');
		for (unsigned int i = 0; i < f->nseg; i++) {
			const struct segment *s = &f->seg[i];

			json_open(&j, NULL, '{');
			json_str(&j, "name", s->name);
			json_uint(&j, "size", s->size);
			json_hex(&j, "align", s->align);
			json_hex(&j, "min", s->min);
			json_bool(&j, "fits", s->placed);
			if (s->placed) {
				json_hex(&j, "at", s->at);
				json_hex(&j, "area", f->areas[s->area].phys);
			}
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_close(&j, '}');
	}
	json_str(&j, "verdict", go ? "go" : "no-go");
	json_open(&j, "reasons", '[');
	for (unsigned int i = 0; i < f->nreasons; i++)
		json_str(&j, NULL, f->reasons[i]);
	json_close(&j, ']');
	json_end(&j);
}

/* ---- the run ---- */

static int open_image(struct pf *f, struct kimage *ki, const char *path)
{
	char err[400];

	if (!kimage_open(ki, path, err, sizeof(err)))
		return 0;
	errmsg(f->o, "%s", err);
	return -1;
}

int preflight_run(struct common_opts *o, const struct preflight_opts *p)
{
	struct pf *f = calloc(1, sizeof(*f));
	struct khor_mem *mem = NULL;
	struct khor_error err;
	char nomem[600] = "";
	int status = EXIT_TROUBLE;
	unsigned int nopen = 0;
	bool go;
	int rc;

	if (!f) {
		errmsg(o, "out of memory");
		return EXIT_TROUBLE;
	}
	f->o = o;
	f->p = p;
	f->target.fd = -1;
	khor_error_clear(&err);
	if (open_image(f, &f->target, p->target))
		goto out;
	for (; nopen < p->nmodules; nopen++) {
		if (open_image(f, &f->modules[nopen], p->modules[nopen])) {
			nopen++;
			goto out;
		}
		if (f->modules[nopen].kind != KIMAGE_ELF) {
			errmsg(o, "'%s': a module is an ELF file", p->modules[nopen]);
			nopen++;
			goto out;
		}
	}
	if (p->initrd) {
		struct stat st;

		errno = 0;
		if (stat(p->initrd, &st) || !S_ISREG(st.st_mode)) {
			errmsg(o, "cannot read '%s': %s", p->initrd,
			       errno ? strerror(errno) : "not a regular file");
			goto out;
		}
		f->initrd_size = (uint64_t)st.st_size;
	}
	if (khodump_open_memory(o, &mem, nomem, sizeof(nomem)))
		goto out;
	f->mem = mem;
	f->loc = malloc(sizeof(*f->loc));
	if (!f->loc) {
		errmsg(o, "out of memory");
		goto out;
	}
	rc = khor_locate(mem, &o->loc, f->loc, &err);
	if (rc) {
		errmsg(o, "%s", err.msg);
		status = exit_preflight(rc, false);
		goto out;
	}
	if (!f->loc->have_fdt) {
		errmsg(o, "preflight checks the KHO FDT: give --fdt, --fdt-phys, --scan, "
		       "symbols or debugfs, not --root");
		status = EXIT_USAGE;
		goto out;
	}
	if (f->loc->note[0])
		infomsg(o, "%s", f->loc->note);
	f->page_size = UINT64_C(1) << f->loc->map.geom.page_shift;

	gather(f, nomem);
	check_compatibles(f);
	check_scratch(f);

	go = true;
	for (int c = 0; c < CK_N; c++)
		go &= f->ck[c].status != CK_FAIL;
	if (o->json)
		json_all(f, go);
	else
		text_all(f, go);
	status = exit_preflight(0, go);
out:
	for (unsigned int i = 0; i < f->nreasons; i++)
		free(f->reasons[i]);
	for (unsigned int m = 0; m < nopen; m++)
		kimage_close(&f->modules[m]);
	kimage_close(&f->target);
	close_source(o, mem);
	free(f->loc);
	free(f);
	return status;
}
