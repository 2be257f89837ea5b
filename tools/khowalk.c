// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khowalk - walk a Kexec HandOver preserved-memory map: list preserved
 * blocks or ranges, print statistics, check consistency, and encode or
 * decode radix keys. Options and output formats follow DESIGN.md §3a.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum cmd { CMD_PAGES, CMD_RANGES, CMD_STATS, CMD_CHECK };

static const char *const cmd_names[] = {
	[CMD_PAGES] = "pages", [CMD_RANGES] = "ranges",
	[CMD_STATS] = "stats", [CMD_CHECK] = "check",
};

struct walk_state {
	struct common_opts *o;
	enum cmd cmd;
	struct json j;
	uint64_t page_size;
	struct khor_ranges ranges;
	uint64_t nranges;
	struct khor_stats stats;
	struct khor_check check;
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [OPTIONS] [pages|ranges|stats|check]\n"
		"       %s [OPTIONS] key decode KEY\n"
		"       %s [OPTIONS] key encode PHYS ORDER\n"
		"\n"
		"Walk a Kexec HandOver (KHO) preserved-memory map.\n"
		"  pages    one line per preserved block: 0x<phys> <order> (default)\n"
		"  ranges   coalesced ranges: 0x<start>-0x<end> <bytes>\n"
		"  stats    blocks per order, nodes per level, metadata cost\n"
		"  check    validate the map; exit 3 if it is corrupt\n"
		"  key      radix key codec\n"
		"\n%s", prog, prog, prog, COMMON_OPTIONS_HELP);
}

static int on_range(void *arg, uint64_t start, uint64_t end)
{
	struct walk_state *s = arg;

	s->nranges++;
	if (s->cmd != CMD_RANGES)
		return 0;
	if (s->o->json) {
		json_open(&s->j, NULL, '{');
		json_hex(&s->j, "start", start);
		json_hex(&s->j, "end", end);
		json_close(&s->j, '}');
	} else {
		printf("0x%llx-0x%llx %llu\n", (unsigned long long)start,
		       (unsigned long long)end,
		       (unsigned long long)(end - start));
	}
	return 0;
}

static int on_run(void *arg, const struct khor_run *run)
{
	struct walk_state *s = arg;
	uint64_t bs = s->page_size << run->order;

	if (s->cmd == CMD_PAGES) {
		for (uint64_t i = 0; i < run->count; i++) {
			uint64_t phys = run->phys + i * bs;

			if (s->o->json) {
				json_open(&s->j, NULL, '{');
				json_hex(&s->j, "phys", phys);
				json_uint(&s->j, "order", run->order);
				json_close(&s->j, '}');
			} else {
				printf("0x%llx %u\n", (unsigned long long)phys,
				       run->order);
			}
		}
		return 0;
	}
	khor_stats_add_run(&s->stats, run);
	khor_check_add_run(&s->check, run);
	return khor_ranges_add(&s->ranges, run);
}

static int on_node(void *arg, const struct khor_node *node)
{
	struct walk_state *s = arg;

	khor_stats_add_node(&s->stats, node);
	return 0;
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

	printf("format:      %s (%s)\n",
	       loc->have_fdt ? loc->info.compatible : "--root",
	       v1 ? "chunk list" : "radix tree");
	printf("page size:   %llu\n", (unsigned long long)s->page_size);
	printf("blocks:      %llu in %llu ranges\n",
	       (unsigned long long)st->blocks_total,
	       (unsigned long long)s->nranges);
	printf("preserved:   %llu bytes\n",
	       (unsigned long long)st->preserved_bytes);
	printf("order      blocks            bytes\n");
	for (unsigned int i = 0; i < KHOR_MAX_ORDERS; i++)
		if (st->blocks[i])
			printf("%5u %11llu %16llu\n", i,
			       (unsigned long long)st->blocks[i],
			       (unsigned long long)(st->blocks[i] *
						    (s->page_size << i)));
	if (v1) {
		if (res->v1_bitmap_size)
			printf("bitmap size: %u bytes (%s)\n",
			       res->v1_bitmap_size, res->v1_evidence);
		else
			printf("bitmap size: unknown (no map walked)\n");
		printf("chunks:      %llu\n", (unsigned long long)st->nodes[1]);
		printf("bitmaps:     %llu (%llu empty, fill %.2f%%)\n",
		       (unsigned long long)st->leaves,
		       (unsigned long long)st->empty_leaves,
		       100.0 * ratio(st->leaf_bits_set, st->leaf_bits_total));
	} else {
		printf("level       nodes\n");
		for (int l = KHOR_MAX_LEVELS - 1; l >= 1; l--)
			if (st->nodes[l])
				printf("%5d %11llu\n", l,
				       (unsigned long long)st->nodes[l]);
		printf("%5d %11llu leaves (%llu empty, fill %.2f%%)\n", 0,
		       (unsigned long long)st->nodes[0],
		       (unsigned long long)st->empty_leaves,
		       100.0 * ratio(st->leaf_bits_set, st->leaf_bits_total));
	}
	printf("metadata:    %llu bytes, %.4f%% of preserved\n",
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
	json_uint(j, "ranges", s->nranges);
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
static void print_key(const struct common_opts *o, uint64_t key, uint64_t phys,
		      unsigned int order, bool decoded)
{
	struct json j;

	if (!o->json) {
		if (decoded)
			printf("0x%llx %u\n", (unsigned long long)phys, order);
		else
			printf("0x%llx\n", (unsigned long long)key);
		return;
	}
	json_begin(&j, stdout, o->pretty);
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
	int status = exit_for(rc);

	if (rc == -KHOR_ESTOP || (rc && !err->code))
		status = EXIT_FAIL;
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
			json_uint(&s->j, "ranges", s->nranges);
			json_uint(&s->j, "nodes", res->nodes);
		}
		json_error(&s->j, err);
		json_end(&s->j);
	} else if (s->cmd == CMD_STATS) {
		print_stats_text(s, loc, res);
	} else if (s->cmd == CMD_CHECK && status == EXIT_OK) {
		printf("ok: %llu blocks in %llu ranges, %llu metadata pages\n",
		       (unsigned long long)res->blocks,
		       (unsigned long long)s->nranges,
		       (unsigned long long)res->nodes);
	}
	fflush(stdout);
	if (err->code) {
		errmsg(s->o, "%s", err->msg);
		if (err->count > 1)
			errmsg(s->o, "%llu problems in all; the first is shown",
			       (unsigned long long)err->count);
	} else if (rc) {
		errmsg(s->o, "walk failed: %s", khor_strerror(rc));
	}
	return status;
}

static int do_walk(struct common_opts *o, enum cmd cmd)
{
	static struct khor_located loc;
	struct khor_walk_ops ops = { .run = on_run, .node = on_node };
	struct khor_walk_result res;
	struct walk_state s = { .o = o, .cmd = cmd };
	struct khor_mem *mem = NULL;
	struct khor_error err;
	int rc, status;

	khor_error_clear(&err);
	rc = open_source(o, &mem);
	if (rc)
		return EXIT_FAIL;
	rc = khor_locate(mem, &o->loc, &loc, &err);
	if (rc) {
		errmsg(o, "%s", err.msg);
		khor_mem_destroy(mem);
		return rc == -KHOR_ECORRUPT ? EXIT_CORRUPT :
		       rc == -KHOR_ENODATA ? EXIT_INCOMPLETE : EXIT_FAIL;
	}
	loc.map.v1_bitmap_size = o->v1_bitmap_size;
	s.page_size = UINT64_C(1) << loc.map.geom.page_shift;
	if (o->verbose)
		errmsg(o, "map from %s: %s%s%s, %s root 0x%llx",
		       loc.how, loc.have_fdt ? "compatible '" : "",
		       loc.have_fdt ? loc.info.compatible : "no FDT",
		       loc.have_fdt ? "'" : "",
		       khor_format_name(loc.map.format),
		       (unsigned long long)loc.map.root);
	if (o->json) {
		json_begin(&s.j, stdout, o->pretty);
		if (cmd == CMD_PAGES || cmd == CMD_RANGES)
			json_open(&s.j, cmd_names[cmd], '[');
	}
	khor_ranges_init(&s.ranges, s.page_size, on_range, &s);
	khor_stats_init(&s.stats, s.page_size);
	khor_check_init(&s.check, s.page_size);

	if (loc.have_fdt && loc.map.root == 0) {
		/*
		 * kho-v1 before finalize: the FDT exists but the map does not
		 * yet. For kho-v2+ a 0 map means the successor will not revive
		 * anything (kho_populate() treats it as "no KHO").
		 */
		const char *note = loc.map.format == KHOR_FMT_V1 ?
			"kho-v1 map not finalized (preserved-memory-map is 0)" :
			"no preserved-memory map (preserved-memory-map is 0)";

		memset(&res, 0, sizeof(res));
		khor_error_clear(&res.error);
		if (o->json) {
			if (cmd == CMD_PAGES || cmd == CMD_RANGES)
				json_close(&s.j, ']');
			json_str(&s.j, "note", note);
		}
		status = report(&s, &loc, 0, &res);
		errmsg(o, "note: %s: nothing to walk", note);
		khor_mem_destroy(mem);
		return status;
	}

	if (cmd == CMD_PAGES)
		ops.node = NULL;
	rc = khor_walk(mem, &loc.map, &o->limits, &ops, &s, &res);
	if (o->verbose) {
		/* The work done, for users and for tests/robust (bounded work). */
		errmsg(o, "%llu metadata pages read, %llu reads",
		       (unsigned long long)res.nodes,
		       (unsigned long long)res.node_reads);
		if (res.verified)
			errmsg(o, "live memory: %llu metadata pages read again to check that the map did not change",
			       (unsigned long long)res.verified);
	}
	if (loc.map.format == KHOR_FMT_V1 && res.v1_bitmap_size) {
		/*
		 * The bitmap size is not in the kho-v1 ABI; a guess must not
		 * pass silently, since a wrong one decodes a valid-looking
		 * subset of the map.
		 */
		if (o->verbose)
			errmsg(o, "kho-v1 bitmap size %u: %s",
			       res.v1_bitmap_size, res.v1_evidence);
		else if (!strncmp(res.v1_evidence, "ambiguous", 9) ||
			 strstr(res.v1_evidence, "warning:"))
			errmsg(o, "note: kho-v1 bitmap size %u: %s (give --v1-bitmap-size to choose)",
			       res.v1_bitmap_size, res.v1_evidence);
	}
	if (!rc || rc == -KHOR_ECORRUPT || rc == -KHOR_ENODATA ||
	    rc == -KHOR_ECHANGED) {
		int frc = khor_ranges_flush(&s.ranges);

		if (frc && !rc)
			rc = frc;
	}
	if (o->json && (cmd == CMD_PAGES || cmd == CMD_RANGES))
		json_close(&s.j, ']');
	status = report(&s, &loc, rc, &res);
	khor_mem_destroy(mem);
	return status;
}

static int run(struct common_opts *o, int argc, char **argv);

int main(int argc, char **argv)
{
	struct common_opts o;
	int status;

	status = run(&o, argc, argv);
	common_fini(&o);
	return status;
}

static int run(struct common_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	static char outbuf[1 << 16];
	const char *sub;
	int opt, rc;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	common_init(o, "khowalk");
	while ((opt = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout, o->prog);
			return EXIT_OK;
		case 'V':
			printf("khowalk %s\n", KHOTOOLS_VERSION);
			return EXIT_OK;
		case '?':
			usage(stderr, o->prog);
			return EXIT_USAGE;
		default:
			rc = common_parse_opt(o, opt, optarg);
			if (rc < 0)
				return EXIT_USAGE;
			if (rc == 0) {
				usage(stderr, o->prog);
				return EXIT_USAGE;
			}
		}
	}
	sub = optind < argc ? argv[optind++] : "pages";
	if (!strcmp(sub, "key"))
		return cmd_key(o, argc - optind, argv + optind);
	for (unsigned int c = 0; c < sizeof(cmd_names) / sizeof(cmd_names[0]); c++) {
		if (strcmp(sub, cmd_names[c]))
			continue;
		if (optind != argc) {
			errmsg(o, "unexpected argument '%s'", argv[optind]);
			return EXIT_USAGE;
		}
		return do_walk(o, (enum cmd)c);
	}
	errmsg(o, "unknown command '%s' (pages, ranges, stats, check, key)", sub);
	return EXIT_USAGE;
}
