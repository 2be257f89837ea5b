// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Torn reads: a walk over live memory that changes while it is
 * read must say so (-KHOR_ECHANGED, "changed while being read") instead of
 * returning a tree that never existed. The memory source here changes the
 * simulated memory at chosen points of the read sequence: after a page's
 * n-th read, or in the middle of one read (a tear). Everything is
 * deterministic: the walk's read order is a function of the tree.
 */
#include "../tap.h"
#include "sim.h"

/* ---- a live memory source that mutates between (and during) reads ---- */

struct trigger {
	uint64_t phys;		/* after the nth read of this page ... */
	unsigned int nth;
	void (*fn)(void);	/* ... run this before the next read */
	unsigned int seen;
	int armed, fired;
};

static struct trigger trig[2];
static uint64_t tear_phys;	/* tear the first read of this page */
static void (*tear_fn)(void);
static int torn;
static unsigned int reads_of[NPAGES];
static int live = 1;

static int live_read(struct khor_mem *m, void *priv, uint64_t phys, void *buf,
		     size_t len)
{
	uint64_t idx = (phys - ARENA) / PAGE;

	(void)priv;
	for (int i = 0; i < 2; i++)
		if (trig[i].armed && !trig[i].fired) {
			trig[i].fired = 1;
			trig[i].fn();
		}
	if (phys < ARENA || idx >= NPAGES || !present[idx] ||
	    phys % PAGE + len > PAGE) {
		khor_mem_set_errmsg(m, "page 0x%llx missing",
				    (unsigned long long)(phys & ~0xfffULL));
		return -KHOR_ENODATA;
	}
	if (phys == tear_phys && tear_fn && !torn) {
		/* The kernel writes while the page is half copied. */
		memcpy(buf, &mem[idx][phys % PAGE], len / 2);
		tear_fn();
		memcpy((uint8_t *)buf + len / 2, &mem[idx][phys % PAGE + len / 2],
		       len - len / 2);
		torn = 1;
	} else {
		memcpy(buf, &mem[idx][phys % PAGE], len);
	}
	reads_of[idx]++;
	for (int i = 0; i < 2; i++)
		if (trig[i].fn && phys == trig[i].phys && ++trig[i].seen == trig[i].nth)
			trig[i].armed = 1;
	return 0;
}

static const struct khor_mem_ops live_ops = { .read = live_read };

static struct collect out;
static struct khor_walk_result res;

static void clear_hooks(void)
{
	memset(trig, 0, sizeof(trig));
	memset(reads_of, 0, sizeof(reads_of));
	tear_phys = 0;
	tear_fn = NULL;
	torn = 0;
	live = 1;
}

static int walk(uint64_t root)
{
	struct khor_mem_info info = { .phys_end = END, .kind = "sim",
				      .live = live };
	struct khor_walk_ops ops = { .run = collect_run };
	struct khor_map map = { .format = KHOR_FMT_RADIX, .root = root };
	struct khor_mem *m;
	int rc;

	khor_geom_init(&map.geom, 12);
	memset(&out, 0, sizeof(out));
	if (khor_mem_create(&live_ops, NULL, &info, &m))
		return -999;
	rc = khor_walk(m, &map, NULL, &ops, &out, &res);
	khor_mem_destroy(m);
	return rc;
}

static const char *changed_msg(const char *what, uint64_t phys)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "%s at 0x%llx: changed while being read (the map is live: the output may mix two states of it)",
		 what, (unsigned long long)phys);
	return buf;
}

/* ---- the scenarios ---- */

static uint64_t root, leaf0, l4, l3_11;

/* (0x1000, 0) and (0x200000, 9): 11 nodes, root at ARENA. */
static void small_tree(void)
{
	reset();
	root = alloc_page();
	add(root, 0x1000, 0);
	add(root, 0x200000, 9);
	leaf0 = node_on_path(root, key_of(0x1000, 0), 0);
}

static void set_bit_0x2000(void)
{
	add(root, 0x2000, 0);
}

static void test_clean(void)
{
	int all_twice = 1;

	clear_hooks();
	small_tree();
	tap_ok(walk(root) == 0, "live walk of an unchanging map succeeds");
	tap_eq_str(out.text, "0x1000 0\n0x200000 9\n", "and decodes it");
	tap_ok(res.nodes == 11 && res.verified == 11,
	       "every one of the 11 nodes is read again at the end (%llu, %llu)",
	       (unsigned long long)res.nodes, (unsigned long long)res.verified);
	for (unsigned int i = 0; i < next_page; i++)
		all_twice &= reads_of[i] >= 2;
	tap_ok(all_twice, "each node page was read from memory at least twice");
}

static void test_leaf_changes(void)
{
	int rc;

	clear_hooks();
	small_tree();
	trig[0] = (struct trigger){ .phys = leaf0, .nth = 1, .fn = set_bit_0x2000 };
	tap_ok(walk(root) == -KHOR_ECHANGED,
	       "a bit set in a leaf after it was read: ECHANGED");
	tap_eq_str(res.error.msg, changed_msg("leaf", leaf0), "message names the leaf");
	tap_ok(res.error.level == 0 && res.error.phys == leaf0 && res.error.count == 1,
	       "error level 0 at the leaf, one problem");
	tap_eq_str(out.text, "0x1000 0\n0x200000 9\n",
		   "the blocks reported are the map before the change");

	/* The same change in a dump is not looked for: a dump cannot change. */
	clear_hooks();
	small_tree();
	live = 0;
	trig[0] = (struct trigger){ .phys = leaf0, .nth = 1, .fn = set_bit_0x2000 };
	rc = walk(root);
	tap_ok(rc == 0 && res.verified == 0,
	       "not live: no second read, no check (rc %d, %llu verified)", rc,
	       (unsigned long long)res.verified);
}

static uint64_t scratch_l3(uint64_t pa, unsigned int order)
{
	uint64_t scratch = alloc_page();

	add(scratch, pa, order);
	return node_on_path(scratch, key_of(pa, order), 3);
}

static uint64_t new_l4;

static void root_gains_entry(void)
{
	page_at(root)[1] = new_l4;
}

static void test_root_changes(void)
{
	uint64_t scratch;

	clear_hooks();
	small_tree();
	/* an order-1 subtree, built but not linked yet */
	scratch = alloc_page();
	add(scratch, 0x600000, 1);
	new_l4 = page_at(scratch)[1];
	trig[0] = (struct trigger){ .phys = root, .nth = 1, .fn = root_gains_entry };
	tap_ok(walk(root) == -KHOR_ECHANGED, "the root gains an entry mid-walk: ECHANGED");
	tap_eq_str(res.error.msg, changed_msg("level 5 table", root),
		   "message names the root table");
	tap_ok(res.error.level == 5, "error level 5");
}

/*
 * A table read twice by the walk (evicted from the node cache between two
 * order cursors) changes between the reads and changes back before the
 * end: only the comparison of the second read with the first sees it, and
 * the output does mix two states.
 */
static void l4_gains_entry(void)
{
	page_at(l4)[idx_of(key_of(0x800000, 11), 4)] = l3_11;
}

static void l4_loses_entry(void)
{
	page_at(l4)[idx_of(key_of(0x800000, 11), 4)] = 0;
}

static void l4_self_loop(void)
{
	page_at(l4)[idx_of(key_of(0x800000, 11), 4)] = l4;
}

static void evicting_tree(void)
{
	reset();
	root = alloc_page();				/* page 0 */
	add(root, 0x200000, 9);			/* pages 1-5 */
	l4 = page_at(root)[0];
	sim_skip(59);
	add(root, 0x400000, 10);			/* pages 65-68 */
	sim_skip(31);
	l3_11 = scratch_l3(0x800000, 11);		/* pages 100-105 */
}

static void test_reread_changes(void)
{
	int rc;

	clear_hooks();
	evicting_tree();
	rc = walk(root);
	tap_ok(rc == 0 && reads_of[(l4 - ARENA) / PAGE] == 3,
	       "layout: the level 4 table is read twice by the walk, once to verify (rc %d, %u reads)",
	       rc, reads_of[(l4 - ARENA) / PAGE]);
	tap_eq_str(out.text, "0x200000 9\n0x400000 10\n", "layout decodes");

	clear_hooks();
	evicting_tree();
	trig[0] = (struct trigger){ .phys = l4, .nth = 1, .fn = l4_gains_entry };
	trig[1] = (struct trigger){ .phys = l4, .nth = 2, .fn = l4_loses_entry };
	tap_ok(walk(root) == -KHOR_ECHANGED,
	       "a table that changes and changes back between two reads: ECHANGED");
	tap_eq_str(res.error.msg, changed_msg("level 4 table", l4),
		   "message names the level 4 table");
	tap_eq_str(out.text, "0x200000 9\n0x400000 10\n0x800000 11\n",
		   "the output mixed two states, and was not passed off as one map");
	tap_ok(res.error.count == 2, "seen on the second read and on the final one (%llu)",
	       (unsigned long long)res.error.count);

	/* A change that looks like corruption is reported as a change. */
	clear_hooks();
	evicting_tree();
	trig[0] = (struct trigger){ .phys = l4, .nth = 1, .fn = l4_self_loop };
	tap_ok(walk(root) == -KHOR_ECHANGED,
	       "a self-loop that appears mid-walk: ECHANGED, not ECORRUPT");
	tap_eq_str(res.error.msg, changed_msg("level 4 table", l4),
		   "message names the change");
	tap_ok(res.error.count >= 2, "the self-loop is counted too (%llu problems)",
	       (unsigned long long)res.error.count);
}

/* Two bits set by the kernel, one in each half of a leaf being copied. */
static void tear_two_bits(void)
{
	add(root, 0x2000, 0);		/* word 0: already copied */
	add(root, 0x4000000, 0);		/* bit 16384: word 256 */
}

static void test_torn_read(void)
{
	clear_hooks();
	small_tree();
	tear_phys = leaf0;
	tear_fn = tear_two_bits;
	tap_ok(walk(root) == -KHOR_ECHANGED, "a leaf torn while copied: ECHANGED");
	tap_eq_str(out.text, "0x1000 0\n0x200000 9\n0x4000000 0\n",
		   "the torn copy holds the later bit without the earlier one");
	tap_eq_str(res.error.msg, changed_msg("leaf", leaf0), "message names the leaf");
}

static void test_missing_page(void)
{
	clear_hooks();
	small_tree();
	present[(leaf0 - ARENA) / PAGE] = 0;
	tap_ok(walk(root) == -KHOR_ENODATA,
	       "live, a page that cannot be read: ENODATA as for a dump");
	tap_ok(res.verified == 10 && res.nodes == 11, "the 10 pages read are verified (%llu)",
	       (unsigned long long)res.verified);
}

int main(void)
{
	test_clean();
	test_leaf_changes();
	test_root_changes();
	test_reread_changes();
	test_torn_read();
	test_missing_page();
	return tap_done();
}
