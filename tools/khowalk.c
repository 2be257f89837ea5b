// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khowalk - walk a Kexec HandOver preserved-memory map: list preserved
 * blocks or ranges, print statistics, check consistency, and encode or
 * decode radix keys. Options and output formats follow DESIGN.md §3a.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "lines.h"
#include "map.h"
#include "owners.h"

enum cmd { CMD_PAGES, CMD_RANGES, CMD_STATS, CMD_CHECK, CMD_MAP };

static const char *const cmd_names[] = {
	[CMD_PAGES] = "pages", [CMD_RANGES] = "ranges",
	[CMD_STATS] = "stats", [CMD_CHECK] = "check",
	[CMD_MAP] = "map",
};

enum {
	OPT_SVG = OPT_TOOL_BASE,
	OPT_WIDTH,
	OPT_SCALE,
	OPT_COLOR,
	OPT_BLOCKS,
	OPT_OLD_IN,
	OPT_NEW_IN,
	OPT_MAX_LIST,
};

/* Options beyond the shared ones. */
struct walk_opts {
	struct map_opts map;	/* `map` (tools/map.h) */
	const char *map_opt;	/* one given, checked against the command */
	bool blocks;		/* owners --blocks */
	bool old_in;		/* diff --old-in */
	bool new_in;		/* diff --new-in */
	uint64_t max_list;	/* owners --max-list */
	bool have_max_list;
};

struct walk_state {
	struct common_opts *o;
	struct map_opts *map_opts;
	enum cmd cmd;
	struct json j;
	uint64_t page_size;
	struct khor_ranges ranges;
	struct khor_stats stats;
	struct khor_check check;
	struct map *map;
	struct progress prog;
	struct lines out;	/* text listings (pages, ranges) */
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [OPTIONS] [pages|ranges|stats|check|map]\n"
		"       %s [OPTIONS] key decode KEY\n"
		"       %s [OPTIONS] key encode PHYS ORDER\n"
		"       %s [OPTIONS] find PHYS\n"
		"       %s [OPTIONS] owners [--blocks]\n"
		"       %s [OPTIONS] diff [--old-in|--new-in] OLD NEW\n"
		"\n"
		"Walk a Kexec HandOver (KHO) preserved-memory map.\n"
		"  pages    one line per preserved block: 0x<phys> <order> (default)\n"
		"  ranges   coalesced ranges: 0x<start>-0x<end> <bytes>\n"
		"  stats    blocks per order, nodes per level, metadata cost\n"
		"  check    validate the map; exit 3 if it is corrupt\n"
		"  map      physical memory as a picture: a text strip, or SVG\n"
		"  find     the preserved block (any order) that holds PHYS\n"
		"  owners   who holds each preserved block; the rest as unattributed\n"
		"           ranges (--blocks: one line per block with its owner)\n"
		"  diff     what changed from OLD to NEW (a vmcore, FILE@PHYS or '-'\n"
		"           for this system): FDT, blobs, blocks, owners; exit 0 same,\n"
		"           1 different, 2 or more trouble. --old-in/--new-in: that\n"
		"           operand's incoming state (--in: both)\n"
		"  key      radix key codec\n"
		"\n"
		"Map (khowalk(1), MAP LAYOUT):\n"
		"      --svg FILE           draw SVG into FILE ('-': standard output)\n"
		"      --width N            cells (pixels) per row (SVG 1024, text: the\n"
		"                           terminal's width, else 64)\n"
		"      --scale BYTES        bytes per cell, e.g. 64K (default: fit the page)\n"
		"      --color[=WHEN]       colour the text strip: auto, always, never\n"
		"\n"
		"Owners and diff (khowalk(1), OWNERS AND DIFF):\n"
		"      --blocks             owners: one line per block with its owner\n"
		"      --max-list N         owners: list N unattributed ranges, count the\n"
		"                           rest (default 1000; 0: all)\n"
		"      --old-in             diff: OLD's incoming state (what its kernel received)\n"
		"      --new-in             diff: NEW's incoming state\n"
		"\n%s", prog, prog, prog, prog, prog, prog, COMMON_OPTIONS_HELP);
}

/* `ranges` only: the other commands count ranges (khor_ranges.count). */
static int on_range(void *arg, uint64_t start, uint64_t end)
{
	struct walk_state *s = arg;

	/* Nothing more can be delivered: stop (finish_run() says why). */
	if (s->out.err || (s->o->json && out_failed(s->o)))
		return -KHOR_ESTOP;
	if (s->o->json) {
		json_open(&s->j, NULL, '{');
		json_hex(&s->j, "start", start);
		json_hex(&s->j, "end", end);
		json_close(&s->j, '}');
	} else {
		/* "0x%llx-0x%llx %llu\n" */
		lines_hex(&s->out, start);
		lines_char(&s->out, '-');
		lines_hex(&s->out, end);
		lines_char(&s->out, ' ');
		lines_dec(&s->out, end - start);
		lines_char(&s->out, '\n');
	}
	return 0;
}

static int on_run(void *arg, const struct khor_run *run)
{
	struct walk_state *s = arg;
	uint64_t bs = s->page_size << run->order;

	if (s->cmd == CMD_PAGES) {
		if (s->out.err || (s->o->json && out_failed(s->o)))
			return -KHOR_ESTOP;
		for (uint64_t i = 0; i < run->count; i++) {
			uint64_t phys = run->phys + i * bs;

			if (s->o->json) {
				json_open(&s->j, NULL, '{');
				json_hex(&s->j, "phys", phys);
				json_uint(&s->j, "order", run->order);
				json_close(&s->j, '}');
			} else {
				/* "0x%llx %u\n" */
				lines_hex(&s->out, phys);
				lines_char(&s->out, ' ');
				lines_dec(&s->out, run->order);
				lines_char(&s->out, '\n');
			}
		}
		return 0;
	}
	if (s->map && map_add_run(s->map, run))
		return -KHOR_ENOMEM;
	khor_stats_add_run(&s->stats, run);
	khor_check_add_run(&s->check, run);
	return khor_ranges_add(&s->ranges, run);
}

/*
 * stats, check, ranges: bitmap spans, counted a word at a time (a random
 * order-0 leaf holds one run per two blocks, so runs would cost twice the
 * calls of the blocks they hold).
 */
static int on_bitmap(void *arg, const struct khor_bitmap *bm)
{
	struct walk_state *s = arg;

	khor_stats_add_bitmap(&s->stats, bm);
	khor_check_add_bitmap(&s->check, bm);
	return khor_ranges_add_bitmap(&s->ranges, bm);
}

static int on_node(void *arg, const struct khor_node *node)
{
	struct walk_state *s = arg;

	khor_stats_add_node(&s->stats, node);
	if (s->map && map_add_node(s->map, node->phys, node->size))
		return -KHOR_ENOMEM;
	return 0;
}

static int on_progress(void *arg, const struct khor_walk_progress *p)
{
	struct walk_state *s = arg;

	return progress_update(&s->prog, p);
}

/* After the walk: the FDT page and scratch areas, then the picture. */
static int draw_map(struct walk_state *s, struct khor_mem *mem,
		    const struct khor_located *loc,
		    const struct khor_walk_result *res)
{
	struct common_opts *o = s->o;
	char title[512], bytes[32], err[256];
	struct scratch sc;
	int rc = 0;

	if (loc->have_fdt_phys) {
		uint64_t len = loc->info.totalsize ? loc->info.totalsize : 1;

		len = (len + s->page_size - 1) / s->page_size * s->page_size;
		rc = map_add_fdt(s->map, loc->fdt_phys, len);
	}
	/* Scratch areas are known only from debugfs (live, or a copy). */
	if (!o->loc.fdt_file && (!o->have_source || o->loc.debugfs)) {
		read_scratch(o, &sc);
		for (unsigned int i = 0; !rc && i < sc.n; i++)
			rc = map_add_scratch(s->map, sc.phys[i], sc.len[i]);
	}
	if (rc) {
		errmsg(o, "out of memory");
		return EXIT_FAIL;
	}
	snprintf(title, sizeof(title),
		 "%s: %llu blocks in %llu ranges, %s preserved, %llu metadata pages",
		 loc->have_fdt ? loc->info.compatible : "--root",
		 (unsigned long long)s->stats.blocks_total,
		 (unsigned long long)s->ranges.count,
		 human_bytes(bytes, sizeof(bytes), s->stats.preserved_bytes),
		 (unsigned long long)res->nodes);
	s->map_opts->out = o->out;
	if (map_render(s->map, s->map_opts, khor_mem_get_info(mem)->phys_end,
		       title, err, sizeof(err))) {
		errmsg(o, "%s", err);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static void print_stats_text(const struct walk_state *s,
			     const struct khor_located *loc,
			     const struct khor_walk_result *res)
{
	const struct khor_stats *st = &s->stats;
	bool v1 = loc->map.format == KHOR_FMT_V1;
	FILE *outf = s->o->out;

	fprintf(outf, "format:      %s (%s)\n",
	       loc->have_fdt ? loc->info.compatible : "--root",
	       v1 ? "chunk list" : "radix tree");
	fprintf(outf, "page size:   %llu\n", (unsigned long long)s->page_size);
	fprintf(outf, "blocks:      %llu in %llu ranges\n",
	       (unsigned long long)st->blocks_total,
	       (unsigned long long)s->ranges.count);
	fprintf(outf, "preserved:   %llu bytes\n",
	       (unsigned long long)st->preserved_bytes);
	fprintf(outf, "order      blocks            bytes\n");
	for (unsigned int i = 0; i < KHOR_MAX_ORDERS; i++)
		if (st->blocks[i])
			fprintf(outf, "%5u %11llu %16llu\n", i,
			       (unsigned long long)st->blocks[i],
			       (unsigned long long)(st->blocks[i] *
						    (s->page_size << i)));
	if (v1) {
		if (res->v1_bitmap_size)
			fprintf(outf, "bitmap size: %u bytes (%s)\n",
			       res->v1_bitmap_size, res->v1_evidence);
		else
			fprintf(outf, "bitmap size: unknown (no map walked)\n");
		fprintf(outf, "chunks:      %llu\n", (unsigned long long)st->nodes[1]);
		fprintf(outf, "bitmaps:     %llu (%llu empty, fill %.2f%%)\n",
		       (unsigned long long)st->leaves,
		       (unsigned long long)st->empty_leaves,
		       100.0 * ratio(st->leaf_bits_set, st->leaf_bits_total));
	} else {
		fprintf(outf, "level       nodes\n");
		for (int l = KHOR_MAX_LEVELS - 1; l >= 1; l--)
			if (st->nodes[l])
				fprintf(outf, "%5d %11llu\n", l,
				       (unsigned long long)st->nodes[l]);
		fprintf(outf, "%5d %11llu leaves (%llu empty, fill %.2f%%)\n", 0,
		       (unsigned long long)st->nodes[0],
		       (unsigned long long)st->empty_leaves,
		       100.0 * ratio(st->leaf_bits_set, st->leaf_bits_total));
	}
	fprintf(outf, "metadata:    %llu bytes, %.4f%% of preserved\n",
	       (unsigned long long)st->metadata_bytes,
	       100.0 * ratio(st->metadata_bytes, st->preserved_bytes));
}

static void print_stats_json(struct walk_state *s,
			     const struct khor_located *loc,
			     const struct khor_walk_result *res)
{
	const struct khor_stats *st = &s->stats;
	struct json *j = &s->j;

	json_str(j, "format", khor_format_name(loc->map.format));
	if (loc->have_fdt)
		json_str(j, "compatible", loc->info.compatible);
	json_uint(j, "page_size", s->page_size);
	json_uint(j, "blocks", st->blocks_total);
	json_uint(j, "ranges", s->ranges.count);
	json_uint(j, "preserved_bytes", st->preserved_bytes);
	json_open(j, "orders", '[');
	for (unsigned int i = 0; i < KHOR_MAX_ORDERS; i++) {
		if (!st->blocks[i])
			continue;
		json_open(j, NULL, '{');
		json_uint(j, "order", i);
		json_uint(j, "blocks", st->blocks[i]);
		json_uint(j, "bytes", st->blocks[i] * (s->page_size << i));
		json_close(j, '}');
	}
	json_close(j, ']');
	if (loc->map.format == KHOR_FMT_V1) {
		/* kho-v1 has chunks and bitmaps, not levels (sink.c: [1], [0]). */
		json_uint(j, "v1_bitmap_size", res->v1_bitmap_size);
		json_str(j, "v1_evidence", res->v1_evidence);
		json_uint(j, "chunks", st->nodes[1]);
		json_uint(j, "bitmaps", st->nodes[0]);
	} else {
		json_open(j, "levels", '[');
		for (int l = KHOR_MAX_LEVELS - 1; l >= 0; l--) {
			if (!st->nodes[l])
				continue;
			json_open(j, NULL, '{');
			json_int(j, "level", l);
			json_uint(j, "nodes", st->nodes[l]);
			json_close(j, '}');
		}
		json_close(j, ']');
	}
	json_uint(j, "leaves", st->leaves);
	json_uint(j, "empty_leaves", st->empty_leaves);
	json_double(j, "leaf_fill", ratio(st->leaf_bits_set, st->leaf_bits_total));
	json_uint(j, "metadata_bytes", st->metadata_bytes);
	json_double(j, "metadata_ratio", ratio(st->metadata_bytes, st->preserved_bytes));
}

/* One key and its block, as text (@decoded: the block, else the key) or JSON. */
static void print_key(struct common_opts *o, uint64_t key, uint64_t phys,
		      unsigned int order, bool decoded)
{
	FILE *outf = o->out;
	struct json j;

	if (!o->json) {
		if (decoded)
			fprintf(outf, "0x%llx %u\n", (unsigned long long)phys, order);
		else
			fprintf(outf, "0x%llx\n", (unsigned long long)key);
		return;
	}
	json_doc(&j, o);
	json_hex(&j, "key", key);
	json_hex(&j, "phys", phys);
	json_uint(&j, "order", order);
	json_end(&j);
}

static int cmd_key(struct common_opts *o, int argc, char **argv)
{
	uint64_t page_size = o->loc.page_size ? o->loc.page_size : 4096;
	unsigned int shift = (unsigned int)__builtin_ctzll(page_size);
	struct khor_geom g;
	uint64_t phys, order64, key;
	unsigned int order;

	khor_geom_init(&g, shift);
	if (argc == 2 && !strcmp(argv[0], "decode")) {
		if (!parse_u64(argv[1], &key)) {
			errmsg(o, "invalid key '%s'", argv[1]);
			return EXIT_USAGE;
		}
		if (khor_key_decode(&g, key, &phys, &order)) {
			errmsg(o, "invalid key 0x%llx (must be non-zero and below 2^%u)",
			       (unsigned long long)key, g.order0 + 1);
			return EXIT_FAIL;
		}
		print_key(o, key, phys, order, true);
		return EXIT_OK;
	}
	if (argc == 3 && !strcmp(argv[0], "encode")) {
		if (!parse_u64(argv[1], &phys) || !parse_u64(argv[2], &order64)) {
			errmsg(o, "invalid arguments to 'key encode' (PHYS ORDER)");
			return EXIT_USAGE;
		}
		if (order64 > g.order0 ||
		    khor_key_encode(&g, phys, (unsigned int)order64, &key)) {
			errmsg(o, "cannot encode 0x%llx order %llu: %s",
			       (unsigned long long)phys, (unsigned long long)order64,
			       order64 > g.order0 ? "order too large" :
			       "address not aligned to the order");
			return EXIT_FAIL;
		}
		print_key(o, key, phys, (unsigned int)order64, false);
		return EXIT_OK;
	}
	errmsg(o, "usage: key decode KEY | key encode PHYS ORDER");
	return EXIT_USAGE;
}

static int report(struct walk_state *s, const struct khor_located *loc,
		  int rc, const struct khor_walk_result *res)
{
	const struct khor_error *err = &res->error;
	struct khor_error other;
	int status = exit_for(rc);

	/* The output is gone: no trailer, no message but finish_run()'s. */
	if (s->out.err && !s->o->out_errno)
		s->o->out_errno = s->out.err;
	if (s->out.err || out_failed(s->o))
		return EXIT_FAIL;
	if (rc && !err->code) {
		/* A callback's failure (out of memory): the walk saw no problem. */
		khor_error_clear(&other);
		other.code = rc;
		other.count = 1;
		snprintf(other.msg, sizeof(other.msg), "walk failed: %s",
			 khor_strerror(rc));
		err = &other;
	}
	if (s->cmd == CMD_CHECK && s->check.error.code && status == EXIT_OK) {
		err = &s->check.error;
		status = EXIT_CORRUPT;
	}
	if (s->o->json) {
		if (s->cmd == CMD_STATS)
			print_stats_json(s, loc, res);
		if (s->cmd == CMD_CHECK) {
			json_bool(&s->j, "ok", status == EXIT_OK);
			json_uint(&s->j, "blocks", res->blocks);
			json_uint(&s->j, "ranges", s->ranges.count);
			json_uint(&s->j, "nodes", res->nodes);
		}
		json_error(&s->j, err);
		json_end(&s->j);
	} else if (s->cmd == CMD_STATS) {
		print_stats_text(s, loc, res);
	} else if (s->cmd == CMD_CHECK && status == EXIT_OK) {
		fprintf(s->o->out, "ok: %llu blocks in %llu ranges, %llu metadata pages\n",
		       (unsigned long long)res->blocks,
		       (unsigned long long)s->ranges.count,
		       (unsigned long long)res->nodes);
	}
	if (out_flush(s->o) || out_failed(s->o))
		return EXIT_FAIL;
	if (err->code) {
		errmsg(s->o, "%s", err->msg);
		if (err->count > 1)
			infomsg(s->o, "%llu problems in all; the first is shown",
				(unsigned long long)err->count);
	}
	return status;
}

/*
 * Open the source and locate the map: the start of every command that
 * reads memory. Returns 0, or the exit status with the message given.
 */
static int locate_map(struct common_opts *o, struct khor_mem **mem,
		      struct khor_located **loc_ret)
{
	struct khor_located *loc;
	struct khor_error err;
	int rc;

	khor_error_clear(&err);
	/* Large (a copy of the FDT): not on the stack. */
	loc = malloc(sizeof(*loc));
	if (!loc) {
		errmsg(o, "out of memory");
		return EXIT_FAIL;
	}
	rc = open_source(o, mem);
	if (rc) {
		free(loc);
		return EXIT_FAIL;
	}
	rc = khor_locate(*mem, &o->loc, loc, &err);
	if (rc) {
		errmsg(o, "%s", err.msg);
		close_source(o, *mem);
		free(loc);
		return exit_for(rc);
	}
	rc = located_usable(o, loc);
	if (rc) {
		close_source(o, *mem);
		free(loc);
		return rc;
	}
	loc->map.v1_bitmap_size = o->v1_bitmap_size;
	*loc_ret = loc;
	return 0;
}

static int walk_located(struct walk_state *s, struct khor_mem *mem,
			const struct khor_located *locp);

static int do_walk(struct common_opts *o, enum cmd cmd, struct map_opts *mo)
{
	struct walk_state s = { .o = o, .map_opts = mo, .cmd = cmd };
	struct khor_located *loc;
	struct khor_mem *mem = NULL;
	int status;

	status = locate_map(o, &mem, &loc);
	if (status)
		return status;
	status = walk_located(&s, mem, loc);
	close_source(o, mem);
	free(loc);
	return status;
}

static int walk_located(struct walk_state *s, struct khor_mem *mem,
			const struct khor_located *loc)
{
	struct khor_walk_ops ops = { .run = on_run, .node = on_node };
	struct common_opts *o = s->o;
	enum cmd cmd = s->cmd;
	struct khor_walk_result res;
	int rc;

	s->page_size = UINT64_C(1) << loc->map.geom.page_shift;
	if (o->verbose)
		infomsg(o, "map from %s: %s%s%s, %s root 0x%llx",
		        loc->how, loc->have_fdt ? "compatible '" : "",
		        loc->have_fdt ? loc->info.compatible : "no FDT",
		        loc->have_fdt ? "'" : "",
		        khor_format_name(loc->map.format),
		        (unsigned long long)loc->map.root);
	if (o->json) {
		json_doc(&s->j, o);
		if (cmd == CMD_PAGES || cmd == CMD_RANGES)
			json_open(&s->j, cmd_names[cmd], '[');
	}
	lines_init(&s->out, o->out);
	khor_ranges_init(&s->ranges, s->page_size,
			 cmd == CMD_RANGES ? on_range : NULL, s);
	khor_stats_init(&s->stats, s->page_size);
	khor_check_init(&s->check, s->page_size);

	if (loc->have_fdt && loc->map.root == 0) {
		/*
		 * kho-v1 before finalize: the FDT exists but the map does not
		 * yet. For kho-v2+ a 0 map means the successor will not revive
		 * anything (kho_populate() treats it as "no KHO").
		 */
		const char *note = loc->map.format == KHOR_FMT_V1 ?
			"kho-v1 map not finalized (preserved-memory-map is 0)" :
			"no preserved-memory map (preserved-memory-map is 0)";

		memset(&res, 0, sizeof(res));
		khor_error_clear(&res.error);
		if (o->json) {
			if (cmd == CMD_PAGES || cmd == CMD_RANGES)
				json_close(&s->j, ']');
			json_str(&s->j, "note", note);
		}
		rc = report(s, loc, 0, &res);
		infomsg(o, "note: %s: nothing to walk", note);
		return rc;
	}

	if (cmd == CMD_PAGES)
		ops.node = NULL;
	if (cmd == CMD_STATS || cmd == CMD_CHECK || cmd == CMD_RANGES)
		ops.bitmap = on_bitmap;
	if (cmd == CMD_MAP) {
		s->map = map_new(s->page_size);
		if (!s->map) {
			errmsg(o, "out of memory");
			return EXIT_FAIL;
		}
	}
	ops.progress = on_progress;
	progress_start(&s->prog, o, mem);
	rc = khor_walk(mem, &loc->map, &o->limits, &ops, s, &res);
	progress_end(&s->prog);
	if (o->verbose) {
		/* The work done, for users and for tests/robust (bounded work). */
		infomsg(o, "%llu metadata pages read, %llu reads",
		        (unsigned long long)res.nodes,
		        (unsigned long long)res.node_reads);
		if (res.verified)
			infomsg(o, "live memory: %llu metadata pages read again to check that the map did not change",
			        (unsigned long long)res.verified);
	}
	if (loc->map.format == KHOR_FMT_V1 && res.v1_bitmap_size) {
		/*
		 * The bitmap size is not in the kho-v1 ABI; a guess must not
		 * pass silently, since a wrong one decodes a valid-looking
		 * subset of the map.
		 */
		if (o->verbose)
			infomsg(o, "kho-v1 bitmap size %u: %s",
			        res.v1_bitmap_size, res.v1_evidence);
		else if (!strncmp(res.v1_evidence, "ambiguous", 9) ||
			 strstr(res.v1_evidence, "warning:"))
			infomsg(o, "note: kho-v1 bitmap size %u: %s (give --v1-bitmap-size to choose)",
			        res.v1_bitmap_size, res.v1_evidence);
	}
	if (!rc || rc == -KHOR_ECORRUPT || rc == -KHOR_ENODATA ||
	    rc == -KHOR_ECHANGED) {
		int frc = khor_ranges_flush(&s->ranges);

		if (frc && !rc)
			rc = frc;
	}
	lines_flush(&s->out);
	if (o->json && (cmd == CMD_PAGES || cmd == CMD_RANGES))
		json_close(&s->j, ']');
	if (cmd == CMD_MAP && rc != -KHOR_ENOMEM && draw_map(s, mem, loc, &res)) {
		map_free(s->map);
		return EXIT_FAIL;
	}
	map_free(s->map);
	return report(s, loc, rc, &res);
}

static int run(struct common_opts *o, int argc, char **argv);

/* "4096", "0x1000", "64K", "2M", "1G" (binary units). */
static bool parse_size(const char *arg, uint64_t *v)
{
	size_t n = strlen(arg);
	unsigned int shift = 0;
	char num[64];

	if (n && n < sizeof(num) && strchr("kKmMgG", arg[n - 1])) {
		shift = strchr("kK", arg[n - 1]) ? 10 : strchr("mM", arg[n - 1]) ? 20 : 30;
		memcpy(num, arg, n - 1);
		num[n - 1] = 0;
		arg = num;
	}
	if (!parse_u64(arg, v) || *v > (UINT64_MAX >> shift))
		return false;
	*v <<= shift;
	return true;
}

static int parse_map_opt(struct common_opts *o, struct walk_opts *w, int opt,
			 const char *arg)
{
	struct map_opts *mo = &w->map;
	uint64_t v;

	switch (opt) {
	case OPT_SVG:
		w->map_opt = "--svg";
		mo->svg = arg;
		return 0;
	case OPT_WIDTH:
		w->map_opt = "--width";
		if (!parse_u64(arg, &v) || v < 1 || v > 4096) {
			errmsg(o, "invalid --width '%s' (1 to 4096)", arg);
			return -1;
		}
		mo->width = (unsigned int)v;
		return 0;
	case OPT_SCALE:
		w->map_opt = "--scale";
		if (!parse_size(arg, &v) || !v) {
			errmsg(o, "invalid --scale '%s' (bytes per cell, e.g. 4096 or 64K)", arg);
			return -1;
		}
		mo->scale = v;
		return 0;
	default:
		w->map_opt = "--color";
		if (!arg || !strcmp(arg, "always")) {
			mo->color = 1;
		} else if (!strcmp(arg, "never")) {
			mo->color = 0;
		} else if (!strcmp(arg, "auto")) {
			mo->color = -1;
		} else {
			errmsg(o, "invalid --color '%s' (auto, always or never)", arg);
			return -1;
		}
		return 0;
	}
}

/*
 * find PHYS: the preserved block that holds PHYS, of any order (a bit at
 * order o covers PAGE_SIZE << o bytes, so sub-pages of a large block are
 * found too). Radix maps are looked up by key, kho-v1 walked up to PHYS.
 */
static int cmd_find(struct common_opts *o, int argc, char **argv)
{
	struct khor_find_result res;
	struct khor_located *loc;
	struct khor_mem *mem = NULL;
	FILE *outf = o->out;
	uint64_t phys, ps;
	struct json j;
	int rc, status;

	if (argc != 1 || !parse_u64(argv[0], &phys)) {
		errmsg(o, "usage: find PHYS");
		return EXIT_USAGE;
	}
	status = locate_map(o, &mem, &loc);
	if (status)
		return status;
	ps = UINT64_C(1) << loc->map.geom.page_shift;
	if (o->verbose)
		infomsg(o, "map from %s", loc->how);
	rc = khor_find(mem, &loc->map, phys, &o->limits, &res);
	close_source(o, mem);
	free(loc);
	if (o->json) {
		json_doc(&j, o);
		json_hex(&j, "phys", phys);
		json_bool(&j, "preserved", res.n > 0);
		json_open(&j, "blocks", '[');
		for (unsigned int i = 0; i < res.n; i++) {
			json_open(&j, NULL, '{');
			json_hex(&j, "phys", res.blocks[i].phys);
			json_uint(&j, "order", res.blocks[i].order);
			json_hex(&j, "end", res.blocks[i].phys + (ps << res.blocks[i].order));
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_error(&j, &res.error);
		json_end(&j);
	} else {
		for (unsigned int i = 0; i < res.n; i++)
			fprintf(outf, "0x%llx in 0x%llx %u (0x%llx-0x%llx)\n",
				(unsigned long long)phys,
				(unsigned long long)res.blocks[i].phys,
				res.blocks[i].order,
				(unsigned long long)res.blocks[i].phys,
				(unsigned long long)(res.blocks[i].phys +
						     (ps << res.blocks[i].order)));
		/* A missing page on some order's path leaves "no" unproven. */
		if (!res.n && !rc)
			fprintf(outf, "0x%llx not preserved\n", (unsigned long long)phys);
	}
	if (out_flush(o) || out_failed(o))
		return EXIT_FAIL;
	if (o->verbose)
		infomsg(o, "%llu metadata reads", (unsigned long long)res.reads);
	if (res.error.code) {
		errmsg(o, "%s", res.error.msg);
		if (res.error.count > 1)
			infomsg(o, "%llu problems in all; the first is shown",
				(unsigned long long)res.error.count);
	} else if (rc) {
		errmsg(o, "find failed: %s", khor_strerror(rc));
	}
	return exit_for(rc);
}

int khowalk_run(const struct tool_env *env, int argc, char **argv)
{
	return tool_run("khowalk", env, run, argc, argv);
}

/* Built without main() into the crash extension (mk/crash.mk). */
#ifndef KHO_TOOL_NO_MAIN
int main(int argc, char **argv)
{
	return tool_main(khowalk_run, argc, argv);
}
#endif

static const struct option longopts[] = {
	COMMON_LONG_OPTIONS,
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "blocks", no_argument, NULL, OPT_BLOCKS },
	{ "old-in", no_argument, NULL, OPT_OLD_IN },
	{ "new-in", no_argument, NULL, OPT_NEW_IN },
	{ "max-list", required_argument, NULL, OPT_MAX_LIST },
	{ NULL, 0, NULL, 0 },
};

static int run(struct common_opts *o, int argc, char **argv)
{
	struct walk_opts w = { .map = { .color = -1 } };
	const char *sub;
	int opt, status;

	while ((opt = tool_getopt(o, argc, argv, longopts, "khowalk", usage,
				  &status)) != -1) {
		switch (opt) {
		case OPT_BLOCKS:
			w.blocks = true;
			break;
		case OPT_OLD_IN:
			w.old_in = true;
			break;
		case OPT_NEW_IN:
			w.new_in = true;
			break;
		case OPT_MAX_LIST:
			if (!parse_u64(optarg, &w.max_list)) {
				errmsg(o, "invalid --max-list '%s'", optarg);
				return EXIT_USAGE;
			}
			w.have_max_list = true;
			break;
		case OPT_SVG:
		case OPT_WIDTH:
		case OPT_SCALE:
		case OPT_COLOR:
			if (parse_map_opt(o, &w, opt, optarg))
				return EXIT_USAGE;
			break;
		default:
			return option_error(o, longopts, '?', argc, argv);
		}
	}
	if (status >= 0)
		return status;
	sub = optind < argc ? argv[optind++] : "pages";
	if ((w.blocks || w.have_max_list) && strcmp(sub, "owners")) {
		errmsg(o, "%s is an option of 'owners'",
		       w.blocks ? "--blocks" : "--max-list");
		return EXIT_USAGE;
	}
	if ((w.old_in || w.new_in) && strcmp(sub, "diff")) {
		errmsg(o, "--old-in and --new-in are options of 'diff'");
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "diff")) {
		if (w.map_opt) {
			errmsg(o, "%s is an option of 'map'", w.map_opt);
			return EXIT_USAGE;
		}
		return cmd_diff(o, w.old_in, w.new_in, argc - optind,
				argv + optind);
	}
	if (!strcmp(sub, "owners")) {
		if (w.map_opt) {
			errmsg(o, "%s is an option of 'map'", w.map_opt);
			return EXIT_USAGE;
		}
		return cmd_owners(o, w.blocks, w.have_max_list ? w.max_list :
				  OWNERS_LIST_DEFAULT, argc - optind,
				  argv + optind);
	}
	if (!strcmp(sub, "key"))
		return cmd_key(o, argc - optind, argv + optind);
	if (!strcmp(sub, "find"))
		return cmd_find(o, argc - optind, argv + optind);
	for (unsigned int c = 0; c < sizeof(cmd_names) / sizeof(cmd_names[0]); c++) {
		if (strcmp(sub, cmd_names[c]))
			continue;
		if (optind != argc) {
			errmsg(o, "unexpected argument '%s'", argv[optind]);
			return EXIT_USAGE;
		}
		if (w.map_opt && c != CMD_MAP) {
			errmsg(o, "%s is an option of 'map'", w.map_opt);
			return EXIT_USAGE;
		}
		if (c == CMD_MAP && o->json) {
			errmsg(o, "'map' draws a picture (text or --svg); for data use 'ranges -j'");
			return EXIT_USAGE;
		}
		return do_walk(o, (enum cmd)c, &w.map);
	}
	errmsg(o, "unknown command '%s' (pages, ranges, stats, check, map, find, key, owners, diff)", sub);
	return EXIT_USAGE;
}
