// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkbenchtree - write large synthetic kho-v2 radix trees as ELF vmcores that
 * hold only the tree pages, for the reader benchmarks (bench/README.md).
 *
 * Independent of lib/ (DESIGN.md §4): key encoding, tree layout and the
 * ELF core come from the tests' own writer, tests/gen/khoimg.[ch], written
 * from KHO_ABI.md §1 (key = 1 << (52 - order) | pa >> (12 + order); tables
 * of 512 child PAs, levels 5..1; leaves of 32768 bits).
 * tests/gen/mkkhoimg is the spec-driven writer for small trees; this one
 * fills leaves a word at a time so that 2^28 blocks take a second.
 *
 * Workloads (N = --size bytes of preserved memory, from PRESERVED_BASE):
 *   dense    N/4K order-0 pages, contiguous
 *   random   order-0 pages over [base, base + 2N), each with probability 1/2
 *   mixed    blocks of orders 0-10 over [base, base + 2N), each kept with
 *            probability 1/2, until N bytes are preserved
 *   1g       N/1G order-18 folios chosen at random among 2N/1G slots
 * Layouts: contiguous (tree pages in allocation order, one PT_LOAD) or
 * scattered (tree pages at random frames of a span 8x their number, one
 * PT_LOAD each).
 *
 * Prints one line of key=value facts (root, blocks, ranges, nodes, ...)
 * that the benchmark uses to check every reader's answer.
 */
#include <elf.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/gen/khoimg.h"

#define PAGE		4096u
#define WORDS		512u			/* u64 per page */
#define LEAF_BITS	15u
#define META_BASE	0x40000000ull		/* 1 GiB: where tree pages live */
#define META_SPAN	0xfc0000000ull		/* up to 64 GiB */
#define PRESERVED_BASE	0x1000000000ull		/* 64 GiB: preserved memory */
#define MAX_NODES	(1u << 22)		/* 16 GiB of tree pages */

/*
 * While the tree is built, a table's words hold its children's node index
 * + 1 (the pages move when scattered); write_elf() turns them into PAs.
 */
struct node {
	uint64_t pa;
	uint64_t *w;		/* the page as u64 words (host = LE) */
	bool table;
};

static struct node *nodes;
static uint32_t nnodes;
static uint64_t rng_state;
static uint64_t nblocks, nranges, preserved, last_end = UINT64_MAX;
static uint64_t per_order[64];

const char *kig_prog = "mkbenchtree";

/* Errors: "mkbenchtree: message", exit status 1 (tests/gen/khoimg.c). */
#define die(msg) kig_die("%s", msg)

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t new_node(bool table)
{
	struct node *n;

	if (nnodes >= MAX_NODES)
		die("too many tree pages");
	n = &nodes[nnodes];
	n->w = calloc(WORDS, 8);
	n->table = table;
	if (!n->w)
		die("out of memory");
	n->pa = META_BASE + (uint64_t)nnodes * PAGE;
	if (n->pa + PAGE > META_BASE + META_SPAN)
		die("tree does not fit the metadata span");
	return nnodes++;
}

/* The encoder's view of the nodes (tests/gen/khoimg.h): ref = index + 1. */
static uint8_t *tree_page(void *ctx, uint64_t ref)
{
	(void)ctx;
	return (uint8_t *)nodes[ref - 1].w;
}

static uint64_t tree_alloc(void *ctx, unsigned int level)
{
	(void)ctx;
	return new_node(level > 0) + 1;
}

static const struct kig_tree_ops tree_ops = { tree_page, tree_alloc };
static const struct kig_geom geom = KIG_GEOM_4K;

/* The leaf holding @key, created with its path if missing. */
static uint64_t *leaf_of(uint64_t key)
{
	return (uint64_t *)kig_tree_node(&geom, &tree_ops, NULL, 1, key, 0, true);
}

/* Account for blocks given in ascending address order. */
static void account(uint64_t pa, unsigned int order, uint64_t count)
{
	uint64_t bytes = (uint64_t)PAGE << order;

	if (pa != last_end)
		nranges++;
	last_end = pa + count * bytes;
	nblocks += count;
	per_order[order] += count;
	preserved += count * bytes;
}

static void add_block(uint64_t pa, unsigned int order)
{
	kig_tree_set(&geom, &tree_ops, NULL, 1, pa, order, true);
	account(pa, order, 1);
}

/*
 * Order-0 pages [base, base + span) a leaf at a time, each word from
 * @word_fn; ranges and blocks are counted from the words.
 */
static void fill_order0(uint64_t base, uint64_t span, bool random)
{
	uint64_t pages = span / PAGE;

	for (uint64_t p = 0; p < pages; p += 1u << LEAF_BITS) {
		uint64_t *leaf = leaf_of(kig_key(&geom, base + p * PAGE, 0));

		for (unsigned int i = 0; i < WORDS && p + i * 64ull < pages; i++) {
			uint64_t w = random ? rng() : ~0ull;
			uint64_t pa = base + (p + i * 64ull) * PAGE;

			leaf[i] = w;
			/* Runs inside the word, in ascending address order. */
			while (w) {
				unsigned int s = (unsigned int)__builtin_ctzll(w);
				uint64_t rest = ~(w >> s);
				unsigned int len = rest ? (unsigned int)__builtin_ctzll(rest) : 64 - s;

				account(pa + (uint64_t)s * PAGE, 0, len);
				w = len + s >= 64 ? 0 : w & ~((1ull << (s + len)) - 1);
			}
		}
	}
}

static void gen_mixed(uint64_t target)
{
	static const unsigned int pick[] = { 0, 0, 0, 0, 1, 2, 3, 4, 5, 9, 9, 10 };
	uint64_t pfn = PRESERVED_BASE / PAGE;

	while (preserved < target) {
		unsigned int o = pick[rng() % (sizeof(pick) / sizeof(pick[0]))];

		pfn = (pfn + (1ull << o) - 1) & ~((1ull << o) - 1);
		if (rng() & 1)
			add_block(pfn * PAGE, o);
		pfn += 1ull << o;
	}
}

static void gen_1g(uint64_t target)
{
	uint64_t want = target >> 30, slots = want * 2;

	/* Knuth's selection sampling: exactly @want of @slots, ascending. */
	for (uint64_t i = 0; i < slots && want; i++) {
		if (rng() % (slots - i) < want) {
			add_block(PRESERVED_BASE + (i << 30), 18);
			want--;
		}
	}
}

/* Scattered layout: move the pages to distinct random frames, 8x spread. */
static void scatter(void)
{
	uint64_t span = (uint64_t)nnodes * 8;
	uint8_t *used;

	if (span * PAGE > META_SPAN)
		span = META_SPAN / PAGE;
	used = calloc(span, 1);
	if (!used)
		die("out of memory");
	for (uint32_t i = 0; i < nnodes; i++) {
		uint64_t f;

		do
			f = rng() % span;
		while (used[f]);
		used[f] = 1;
		nodes[i].pa = META_BASE + f * PAGE;
	}
	free(used);
}

static int cmp_pa(const void *a, const void *b)
{
	const struct node *x = &nodes[*(const uint32_t *)a];
	const struct node *y = &nodes[*(const uint32_t *)b];

	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

/* Note "VMCOREINFO" as the kernel writes it, so readers learn the page size. */
static uint8_t *vmcoreinfo_note(size_t *len)
{
	/* The lines drgn insists on for a kernel core, with x86_64 values. */
	static const char text[] =
		"OSRELEASE=6.12.0-khobench\n"
		"PAGESIZE=4096\n"
		"SYMBOL(swapper_pg_dir)=ffffffff82a0c000\n"
		"NUMBER(phys_base)=0\n"
		"KERNELOFFSET=0\n"
		"NUMBER(pgtable_l5_enabled)=0\n";

	return kig_note("VMCOREINFO", 0, text, sizeof(text) - 1, len, NULL);
}

static void write_elf(const char *path, bool many_loads)
{
	uint32_t *order = malloc(sizeof(*order) * nnodes);
	struct kig_core core;
	size_t notesz;
	uint8_t *note = vmcoreinfo_note(&notesz);

	if (!order)
		die("out of memory");
	for (uint32_t i = 0; i < nnodes; i++)
		order[i] = i;
	qsort(order, nnodes, sizeof(*order), cmp_pa);
	/* One PT_LOAD per run of adjacent frames (per page when scattered). */
	kig_core_init(&core, PAGE, 0xffff888000000000ull, note, notesz, false);
	for (uint32_t i = 0; i < nnodes; i++)
		kig_core_load(&core, nodes[order[i]].pa, PAGE, !many_loads);
	if (kig_core_nloads(&core) + 1 >= PN_XNUM)
		die("too many PT_LOADs for a plain ELF header");
	kig_core_open(&core, path);
	for (uint32_t i = 0; i < nnodes; i++) {
		struct node *n = &nodes[order[i]];

		if (n->table)
			for (unsigned int k = 0; k < WORDS; k++)
				n->w[k] = n->w[k] ? nodes[n->w[k] - 1].pa : 0;
		kig_core_put(&core, n->w, PAGE);
	}
	kig_core_close(&core, 0);
	printf("loads=%zu ", kig_core_nloads(&core));
	free(order);
	free(note);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'T': v <<= 10; /* fall through */
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; break;
	case 0: break;
	default: die("bad size");
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *workload = "random", *out = NULL, *layout = "contiguous";
	uint64_t size = 1ull << 30, seed = 1;
	uint32_t leaves = 0;
	int opt;

	while ((opt = getopt(argc, argv, "w:s:l:S:o:")) != -1) {
		switch (opt) {
		case 'w': workload = optarg; break;
		case 's': size = parse_size(optarg); break;
		case 'l': layout = optarg; break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: mkbenchtree -w dense|random|mixed|1g -s SIZE[KMGT] [-l contiguous|scattered] [-S SEED] -o OUT.elf\n");
			return 2;
		}
	}
	if (!out || size < (1u << 30) || size % (1u << 30))
		die("need -o and a size that is a multiple of 1G");
	rng_state = seed;
	nodes = calloc(MAX_NODES, sizeof(*nodes));
	if (!nodes)
		die("out of memory");
	new_node(true);		/* root */

	if (!strcmp(workload, "dense"))
		fill_order0(PRESERVED_BASE, size, false);
	else if (!strcmp(workload, "random"))
		fill_order0(PRESERVED_BASE, 2 * size, true);
	else if (!strcmp(workload, "mixed"))
		gen_mixed(size);
	else if (!strcmp(workload, "1g"))
		gen_1g(size);
	else
		die("unknown workload");
	if (!strcmp(layout, "scattered"))
		scatter();
	else if (strcmp(layout, "contiguous"))
		die("unknown layout");
	for (uint32_t i = 0; i < nnodes; i++)
		leaves += !nodes[i].table;

	printf("root=0x%" PRIx64 " ", nodes[0].pa);
	write_elf(out, !strcmp(layout, "scattered"));
	printf("nodes=%u leaves=%u blocks=%" PRIu64 " ranges=%" PRIu64
	       " preserved=%" PRIu64 " orders=", nnodes, leaves, nblocks,
	       nranges, preserved);
	for (unsigned int o = 0, first = 1; o < 64; o++)
		if (per_order[o]) {
			printf("%s%u:%" PRIu64, first ? "" : ",", o, per_order[o]);
			first = 0;
		}
	printf("\n");
	return 0;
}
