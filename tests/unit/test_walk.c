// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kho-v2 walker against trees built by hand in a simulated memory, and
 * one test per corruption class with its exact message. The tree builder
 * here has its own key arithmetic (it does not call the library's codec),
 * so a shared mistake cannot hide.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"

#define SIM_NPAGES 512
#define SIM_ARENA 0x40000000ULL
#include "sim_tree.h"

/* ---- walking ---- */

struct collect {
	char text[1 << 16];
	size_t len;
	uint64_t runs;
	uint64_t nodes[8];
};

static int on_run(void *arg, const struct khor_run *run)
{
	struct collect *c = arg;

	c->runs++;
	for (uint64_t i = 0; i < run->count && c->len < sizeof(c->text) - 64; i++)
		c->len += (size_t)snprintf(c->text + c->len, sizeof(c->text) - c->len,
					   "0x%llx %u\n",
					   (unsigned long long)(run->phys +
								i * ((uint64_t)PAGE << run->order)),
					   run->order);
	return 0;
}

static int on_node(void *arg, const struct khor_node *n)
{
	struct collect *c = arg;

	c->nodes[n->level]++;
	return 0;
}

static struct collect out;
static struct khor_walk_result res;

static int walk(uint64_t root, uint64_t phys_end, uint64_t max_nodes)
{
	struct khor_mem_info info = { .phys_end = phys_end, .kind = "sim" };
	struct khor_walk_ops ops = { .run = on_run, .node = on_node };
	struct khor_walk_limits lim = { .max_nodes = max_nodes };
	struct khor_map map = { .format = KHOR_FMT_RADIX, .root = root };
	struct khor_mem *m;
	int rc;

	khor_geom_init(&map.geom, 12);
	memset(&out, 0, sizeof(out));
	if (khor_mem_create(&sim_ops, NULL, &info, &m))
		return -999;
	reads = 0;
	rc = khor_walk(m, &map, &lim, &ops, &out, &res);
	khor_mem_destroy(m);
	return rc;
}

#define END (ARENA + NPAGES * PAGE)

static void test_golden(void)
{
	static const struct { uint64_t pa; unsigned int order; } g[] = {
		{ 0x1000, 0 }, { 0x200000, 9 }, { 0x40000000, 18 },
		{ 0x123456000, 0 }, { 0x8000, 3 },
	};
	uint64_t root;
	int rc;

	for (size_t i = 0; i < 5; i++) {
		char want[64];

		reset();
		root = new_tree();
		add(root, g[i].pa, g[i].order);
		rc = walk(root, END, 0);
		snprintf(want, sizeof(want), "0x%llx %u\n",
			 (unsigned long long)g[i].pa, g[i].order);
		tap_ok(rc == 0, "golden tree %zu walks cleanly (rc %d)", i, rc);
		tap_eq_str(out.text, want, "golden tree %zu decodes", i);
		tap_ok(res.nodes == 6 && out.nodes[0] == 1 && out.nodes[5] == 1,
		       "golden tree %zu: 6 nodes, one per level", i);
	}

	/* All five in one tree: ascending physical address, orders merged. */
	reset();
	root = new_tree();
	for (size_t i = 0; i < 5; i++)
		add(root, g[i].pa, g[i].order);
	rc = walk(root, END, 0);
	tap_ok(rc == 0, "combined golden tree walks cleanly");
	tap_eq_str(out.text,
		   "0x1000 0\n0x8000 3\n0x200000 9\n0x40000000 18\n0x123456000 0\n",
		   "combined golden tree in ascending physical order");
}

static void test_runs(void)
{
	uint64_t root;
	int rc;

	/* 40000 consecutive order-0 pages cross a leaf boundary (32768 keys). */
	reset();
	root = new_tree();
	for (uint64_t p = 0; p < 40000; p++)
		add(root, 0x100000000ULL + p * PAGE, 0);
	add(root, 0x100000000ULL + 40000 * PAGE, 1);	/* adjacent, other order */
	rc = walk(root, END, 0);
	tap_ok(rc == 0 && res.blocks == 40001, "40001 blocks (rc %d)", rc);
	tap_ok(res.runs == 2, "consecutive blocks across a leaf boundary are one run (%llu runs)",
	       (unsigned long long)res.runs);

	/* Empty leaves and empty tables are valid. */
	reset();
	root = new_tree();
	add(root, 0x5000, 0);
	page_at(node_on_path(root, key_of(0x5000, 0), 0))[0] = 0;
	add(root, 0x400000, 2);
	rc = walk(root, END, 0);
	tap_ok(rc == 0, "a tree with an empty leaf is valid");
	tap_eq_str(out.text, "0x400000 2\n", "empty leaf contributes nothing");
}

static void test_corrupt(void)
{
	uint64_t root, l4, l3, *t;
	int rc;

	/* Self-loop: a level 4 table entry points at itself. */
	reset();
	root = new_tree();
	add(root, 0x200000, 9);
	l4 = page_at(root)[0];
	page_at(l4)[7] = l4;
	rc = walk(root, END, 0);
	tap_ok(rc == -KHOR_ECORRUPT, "self-loop is corrupt");
	tap_eq_str(res.error.msg,
		   "level 4 table at 0x40001000: entry 7 points to 0x40001000, already reached as a level 4 table (self-loop)",
		   "self-loop message");
	tap_eq_str(out.text, "0x200000 9\n", "partial result survives a self-loop");

	/* Cycle: a level 2 table points back at the root. */
	reset();
	root = new_tree();
	add(root, 0x200000, 9);
	l4 = page_at(root)[0];
	l3 = page_at(l4)[2];
	page_at(page_at(l3)[0])[5] = root;
	rc = walk(root, END, 0);
	tap_ok(rc == -KHOR_ECORRUPT, "cycle is corrupt");
	tap_eq_str(res.error.msg,
		   "level 2 table at 0x40003000: entry 5 points to 0x40000000, already reached as a level 5 table (cycle)",
		   "cycle message");
	tap_ok(res.error.level == 2 && res.error.phys == 0x40003000,
	       "cycle error names level 2 and the table's address");

	/* Shared subtree, at every level: work must stay linear. */
	reset();
	root = new_tree();
	add(root, 0x200000, 9);
	t = page_at(root);
	for (unsigned int l = 4, i; l >= 1; l--) {
		uint64_t node = node_on_path(root, key_of(0x200000, 9), l);
		uint64_t child = page_at(node)[idx_of(key_of(0x200000, 9), l)];

		for (i = 100; i < 512; i++)
			page_at(node)[i] = child;
	}
	(void)t;
	rc = walk(root, END, 0);
	tap_ok(rc == -KHOR_ECORRUPT, "shared subtrees are corrupt");
	tap_ok(strstr(res.error.msg, "(shared subtree)") != NULL,
	       "shared subtree message: %s", res.error.msg);
	tap_ok(res.nodes == 6 && res.node_reads < 200,
	       "shared subtrees: %llu distinct nodes, %llu node reads (linear)",
	       (unsigned long long)res.nodes, (unsigned long long)res.node_reads);
	tap_ok(res.error.count == 4 * 412, "every shared pointer is counted (%llu)",
	       (unsigned long long)res.error.count);

	/* Unaligned pointer. */
	reset();
	root = new_tree();
	add(root, 0x1000, 0);
	page_at(root)[1] = 0x40000123;
	rc = walk(root, END, 0);
	tap_ok(rc == -KHOR_ECORRUPT, "unaligned pointer is corrupt");
	tap_eq_str(res.error.msg,
		   "level 5 table at 0x40000000: entry 1 points to 0x40000123, not page aligned",
		   "unaligned pointer message");
	tap_eq_str(out.text, "0x1000 0\n", "the rest of the tree is still walked");

	/* Pointer outside physical memory. */
	reset();
	root = new_tree();
	add(root, 0x1000, 0);
	page_at(root)[0] = 0x7fff00000000ULL;
	rc = walk(root, END, 0);
	tap_ok(rc == -KHOR_ECORRUPT, "pointer outside memory is corrupt");
	tap_eq_str(res.error.msg,
		   "level 4 table at 0x7fff00000000 (entry 0 of the level 5 table at 0x40000000): cannot be read: 0x7fff00000000 is beyond the end of physical memory (0x40200000)",
		   "outside-memory message");

	/* Level 5 index above 3. */
	reset();
	root = new_tree();
	add(root, 0x1000, 0);
	page_at(root)[4] = alloc_page();
	rc = walk(root, END, 0);
	tap_ok(rc == -KHOR_ECORRUPT, "level-5 index 4 is corrupt");
	tap_eq_str(res.error.msg,
		   "level 5 table at 0x40000000: entry 4 is 0x40006000, but keys are 53 bits wide (entries above 3 cannot be used)",
		   "level-5 index message");
	tap_eq_str(out.text, "0x1000 0\n", "valid part still decoded");

	/* Key 0 set in the all-zero-path leaf. */
	reset();
	root = new_tree();
	add(root, 0x8000, 3);
	page_at(node_on_path(root, 1, 0))[0] |= 1;
	rc = walk(root, END, 0);
	tap_ok(rc == -KHOR_ECORRUPT && strstr(res.error.msg, "key 0 encodes no block"),
	       "bit for key 0 is corrupt: %s", res.error.msg);

	/* A page missing from the dump: incomplete, not corrupt. */
	reset();
	root = new_tree();
	add(root, 0x1000, 0);
	add(root, 0x200000, 9);
	present[(page_at(root)[2] - ARENA) / PAGE] = 0;
	rc = walk(root, END, 0);
	tap_ok(rc == -KHOR_ENODATA, "missing page is ENODATA (rc %d)", rc);
	tap_eq_str(res.error.msg,
		   "level 4 table at 0x40001000 (entry 2 of the level 5 table at 0x40000000): not in the dump (page 0x40001000 missing)",
		   "missing page message");
	tap_eq_str(out.text, "0x200000 9\n", "missing subtree skipped, rest decoded");

	/* Missing root. */
	rc = walk(0x40100000, END, 0);
	tap_ok(rc == -KHOR_ENODATA, "missing root is ENODATA");

	/* Unaligned root. */
	rc = walk(0x40000010, END, 0);
	tap_ok(rc == -KHOR_ECORRUPT, "unaligned root is corrupt");
	tap_eq_str(res.error.msg, "radix root 0x40000010 is not a page-aligned address",
		   "unaligned root message");

	/* Node limit. */
	reset();
	root = new_tree();
	add(root, 0x1000, 0);
	add(root, 0x200000, 9);
	rc = walk(root, END, 5);
	tap_ok(rc == -KHOR_ELIMIT, "node limit stops the walk (rc %d)", rc);
	tap_eq_str(res.error.msg,
		   "walk stopped after 5 metadata pages (limit; raise it with --max-nodes)",
		   "limit message");
}

int main(void)
{
	test_golden();
	test_runs();
	test_corrupt();
	return tap_done();
}
