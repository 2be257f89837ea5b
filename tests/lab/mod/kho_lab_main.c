// SPDX-License-Identifier: GPL-2.0
/*
 * kho_lab - the KHO radix tree of kernel-patch/ on a real kernel, for the
 * khotools QEMU lab (tests/lab/README.md).
 *
 * Debian's 6.12 kernel has no Kexec HandOver, so this module plays its
 * part: from a seed it allocates and preserves a random set of real pages
 * (folios of every order up to MAX_PAGE_ORDER, and page ranges split into
 * aligned blocks the way kho_preserve_pages() splits them), builds a
 * "kho-v2" root FDT in a page of its own that is preserved like upstream's
 * kho_alloc_preserve() page, adds a "memblock" sub-FDT, and publishes both
 * at the upstream debugfs paths:
 *
 *   /sys/kernel/debug/kho/out/fdt
 *   /sys/kernel/debug/kho/out/sub_fdts/memblock
 *   /sys/kernel/debug/kho/out/scratch_phys, out/scratch_len
 *
 * What it allocated is recorded independently of the tree and published
 * as text in /sys/kernel/debug/kho_lab/truth (format: tests/lab/README.md).
 * Writing "leaf" or "table" to /sys/kernel/debug/kho_lab/flip afterwards
 * flips one bit of the tree so that the lab can prove that a wrong map is
 * caught; "undo" flips it back.
 *
 * For khotrace it also stands in for the KHO API with upstream's exact
 * signatures (kho_preserve_folio() & co., over this module's tree) and
 * runs a churn workload with known ground truth from two call sites
 * (kho_lab/churn, kho_lab/churn_truth), and a preserve/unpreserve loop
 * that measures operations per second (kho_lab/bench).
 *
 * For the torn-read detection of the tools, "start" to kho_lab/torn
 * starts a thread that keeps removing and re-adding the recorded blocks
 * while the tools read the tree through /proc/kcore; "stop" leaves the
 * tree as recorded again (kho_lab/torn_changes counts the changes).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kho_radix_tree.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <trace/events/kho_radix.h>

#include "kho_lab_common.h"

static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the random set of preserved pages");

static bool populate = true;
module_param(populate, bool, 0444);
MODULE_PARM_DESC(populate, "preserve the random set of folios at load");

static uint nr_ranges = 4;
module_param(nr_ranges, uint, 0444);
MODULE_PARM_DESC(nr_ranges, "number of page ranges preserved as split blocks");

#define KHO_LAB_MAX_ORDER	MAX_PAGE_ORDER
#define KHO_LAB_MAX_FOLIOS	256
#define KHO_LAB_MAX_RANGES	16
#define KHO_LAB_NR_SCRATCH	3
#define KHO_LAB_SCRATCH_ORDER	6
#define KHO_LAB_RANGE_ORDER	MAX_PAGE_ORDER
#define KHO_LAB_MAX_BLOCKS	(KHO_LAB_MAX_FOLIOS + 2 + \
				 KHO_LAB_MAX_RANGES * 2 * (KHO_LAB_RANGE_ORDER + 1))
#define KHO_LAB_GFP		(GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

struct kho_lab_block {
	u64 phys;
	unsigned int order;
};

struct kho_lab_range {
	struct page *page;	/* order KHO_LAB_RANGE_ORDER allocation */
	unsigned long pfn;	/* preserved part: [pfn, pfn + nr_pages) */
	unsigned long nr_pages;
};

static struct kho_radix_tree tree;
static struct folio *folios[KHO_LAB_MAX_FOLIOS];
static unsigned int nr_folios;
static struct kho_lab_range ranges[KHO_LAB_MAX_RANGES];
static unsigned int nr_done_ranges;
static struct page *scratch[KHO_LAB_NR_SCRATCH];
static struct folio *fdt_folio, *sub_folio;

static struct kho_lab_block *blocks;
static unsigned int nr_blocks;

static char *truth_text;
static char *scratch_phys_text, *scratch_len_text;
static struct debugfs_blob_wrapper fdt_blob, sub_blob, truth_blob;
static struct debugfs_blob_wrapper scratch_phys_blob, scratch_len_blob;
static char kwalk_text[96];
static struct debugfs_blob_wrapper kwalk_blob;
static char flipped_text[128];
static struct debugfs_blob_wrapper flipped_blob;
static struct dentry *kho_dir, *lab_dir;

/* ---- seeded randomness (kho_lab_common.h) ---- */

static u64 rng_state;

/* ---- ground truth, recorded apart from the tree ---- */

static int kho_lab_record(u64 phys, unsigned int order)
{
	if (nr_blocks >= KHO_LAB_MAX_BLOCKS)
		return -ENOSPC;
	blocks[nr_blocks].phys = phys;
	blocks[nr_blocks].order = order;
	nr_blocks++;
	return 0;
}

/*
 * The split of kho_preserve_pages() (kernel/liveupdate/kexec_handover.c):
 * order = min(ctz(pfn), ilog2(end - pfn)), in address order. Written out
 * here on purpose rather than taken from kho_radix_add_range(), which the
 * lab checks against it.
 */
static int kho_lab_record_range(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages;
	int err;

	while (pfn < end) {
		unsigned int order = min_t(unsigned int, __ffs(pfn),
					   ilog2(end - pfn));

		err = kho_lab_record(PFN_PHYS(pfn), order);
		if (err)
			return err;
		pfn += 1UL << order;
	}
	return 0;
}

static int kho_lab_block_cmp(const void *a, const void *b)
{
	const struct kho_lab_block *x = a, *y = b;

	if (x->phys != y->phys)
		return x->phys < y->phys ? -1 : 1;
	return (int)x->order - (int)y->order;
}

/* ---- preserving ---- */

/* Allocate a folio and preserve it, as kho_preserve_folio() would. */
static struct folio *kho_lab_preserve_folio(unsigned int order, gfp_t gfp)
{
	struct folio *folio = folio_alloc(gfp, order);
	int err;

	if (!folio)
		return NULL;
	err = kho_radix_add_page(&tree, folio_pfn(folio), order);
	if (!err)
		err = kho_lab_record(PFN_PHYS(folio_pfn(folio)), order);
	if (err) {
		pr_err("cannot preserve an order-%u folio: %d\n", order, err);
		folio_put(folio);
		return ERR_PTR(err);
	}
	return folio;
}

static int kho_lab_add_folios(void)
{
	unsigned int order, i, n;
	struct folio *tmp[4];

	/* Every order at least once, low orders more often. */
	for (order = 0; order <= KHO_LAB_MAX_ORDER; order++) {
		n = 1 + rng_below(&rng_state, order <= 3 ? 12 : order <= 7 ? 5 : 3);
		for (i = 0; i < n && nr_folios < KHO_LAB_MAX_FOLIOS; i++) {
			struct folio *folio;

			folio = kho_lab_preserve_folio(order, KHO_LAB_GFP);
			if (IS_ERR(folio))
				return PTR_ERR(folio);
			if (!folio) {
				/* Not preserved, so not recorded: say so. */
				pr_warn("order-%u folio %u of %u: no memory\n",
					order, i + 1, n);
				continue;
			}
			folios[nr_folios++] = folio;
		}
	}

	/*
	 * Preserve a few more and take them back: their bits are cleared but
	 * their leaves stay, as in a client that unpreserves.
	 */
	n = 1 + rng_below(&rng_state, ARRAY_SIZE(tmp));
	for (i = 0; i < n; i++) {
		order = rng_below(&rng_state, 6);
		tmp[i] = folio_alloc(KHO_LAB_GFP, order);
		if (!tmp[i])
			continue;
		if (kho_radix_add_page(&tree, folio_pfn(tmp[i]), order)) {
			folio_put(tmp[i]);
			tmp[i] = NULL;
		}
	}
	for (i = 0; i < n; i++) {
		if (!tmp[i])
			continue;
		kho_radix_del_page(&tree, folio_pfn(tmp[i]), folio_order(tmp[i]));
		folio_put(tmp[i]);
	}
	return 0;
}

/*
 * A range of pages at a random offset inside an allocation of
 * KHO_LAB_RANGE_ORDER, so that its split has rising and falling parts.
 */
static int kho_lab_add_ranges(void)
{
	unsigned long span = 1UL << KHO_LAB_RANGE_ORDER;
	unsigned int i;
	int err;

	for (i = 0; i < min_t(uint, nr_ranges, KHO_LAB_MAX_RANGES); i++) {
		struct kho_lab_range *r = &ranges[nr_done_ranges];
		unsigned long off;

		r->page = alloc_pages(KHO_LAB_GFP, KHO_LAB_RANGE_ORDER);
		if (!r->page) {
			pr_warn("range %u: no memory\n", i);
			continue;
		}
		off = rng_below(&rng_state, span);
		r->pfn = page_to_pfn(r->page) + off;
		r->nr_pages = 1 + rng_below(&rng_state, span - off);
		err = kho_radix_add_range(&tree, r->pfn, r->nr_pages);
		if (!err)
			err = kho_lab_record_range(r->pfn, r->nr_pages);
		if (err) {
			pr_err("cannot preserve range %u: %d\n", i, err);
			__free_pages(r->page, KHO_LAB_RANGE_ORDER);
			r->page = NULL;
			return err;
		}
		nr_done_ranges++;
	}
	return 0;
}

/* ---- the FDTs, with tests/lab/mod/kho_lab_common.h ---- */

/* The memblock sub-FDT, as reserve_mem hands over a region. */
static int kho_lab_build_sub_fdt(void)
{
	const struct kho_lab_range *r = &ranges[0];
	struct fdt_writer w;

	fdtw_begin(&w, folio_address(sub_folio), PAGE_SIZE);
	fdtw_begin_node(&w, "");
	fdtw_prop_string(&w, "compatible", "memblock-v1");
	if (nr_done_ranges) {
		fdtw_begin_node(&w, "kho_lab");
		fdtw_prop_string(&w, "compatible", "reserve-mem-v1");
		fdtw_prop_u64(&w, "start", PFN_PHYS(r->pfn));
		fdtw_prop_u64(&w, "size", PFN_PHYS(r->nr_pages));
		fdtw_end_node(&w);
	}
	fdtw_end_node(&w);
	return fdtw_finish(&w);
}

/* The root KHO FDT of kho_out_fdt_setup() plus one kho_add_subtree(). */
static int kho_lab_build_root_fdt(void)
{
	struct fdt_writer w;

	fdtw_begin(&w, folio_address(fdt_folio), PAGE_SIZE);
	fdtw_begin_node(&w, "");
	fdtw_prop_string(&w, "compatible", "kho-v2");
	fdtw_prop_u64(&w, "preserved-memory-map", virt_to_phys(tree.root));
	fdtw_begin_node(&w, "memblock");
	fdtw_prop_u64(&w, "preserved-data",
		      PFN_PHYS(folio_pfn(sub_folio)));
	fdtw_end_node(&w);
	fdtw_end_node(&w);
	return fdtw_finish(&w);
}

/* ---- the kernel's own walk, against the record ---- */

static unsigned int kwalk_seen, kwalk_bad;

static int kho_lab_kwalk_cb(phys_addr_t phys, unsigned int order)
{
	struct kho_lab_block key = { .phys = phys, .order = order };

	kwalk_seen++;
	if (!bsearch(&key, blocks, nr_blocks, sizeof(*blocks),
		     kho_lab_block_cmp))
		kwalk_bad++;
	return 0;
}

static void kho_lab_kwalk(void)
{
	int err = kho_radix_walk_tree(&tree, kho_lab_kwalk_cb);

	if (!err && !kwalk_bad && kwalk_seen == nr_blocks)
		snprintf(kwalk_text, sizeof(kwalk_text), "ok %u\n", kwalk_seen);
	else
		snprintf(kwalk_text, sizeof(kwalk_text),
			 "mismatch err=%d seen=%u unknown=%u recorded=%u\n",
			 err, kwalk_seen, kwalk_bad, nr_blocks);
	kwalk_blob.data = kwalk_text;
	kwalk_blob.size = strlen(kwalk_text);
}

/* ---- text files ---- */

static int kho_lab_build_texts(void)
{
	unsigned int count[KHO_LAB_MAX_ORDER + 1] = { 0 };
	size_t cap = 1024 + (size_t)nr_blocks * 96;
	const struct kho_lab_range *r0 = &ranges[0];
	u64 start, end;
	size_t len = 0;
	unsigned int i;
	char *t;

	truth_text = kvmalloc(cap, GFP_KERNEL);
	scratch_phys_text = kzalloc(KHO_LAB_NR_SCRATCH * 24, GFP_KERNEL);
	scratch_len_text = kzalloc(KHO_LAB_NR_SCRATCH * 24, GFP_KERNEL);
	if (!truth_text || !scratch_phys_text || !scratch_len_text)
		return -ENOMEM;
	t = truth_text;

#define OUT(...) (len += scnprintf(t + len, cap - len, __VA_ARGS__))
	OUT("kho-lab-truth 1\n");
	OUT("seed %lu\n", seed);
	OUT("fdt 0x%llx\n", (u64)PFN_PHYS(folio_pfn(fdt_folio)));
	OUT("map 0x%llx\n", (u64)virt_to_phys(tree.root));
	OUT("sub memblock 0x%llx %u\n", (u64)PFN_PHYS(folio_pfn(sub_folio)),
	    fdt_totalsize_of(folio_address(sub_folio)));
	if (nr_done_ranges)
		OUT("reserve-mem kho_lab 0x%llx %llu\n", (u64)PFN_PHYS(r0->pfn),
		    (u64)PFN_PHYS(r0->nr_pages));
	for (i = 0; i < KHO_LAB_NR_SCRATCH; i++)
		OUT("scratch 0x%llx 0x%lx\n", (u64)page_to_phys(scratch[i]),
		    PAGE_SIZE << KHO_LAB_SCRATCH_ORDER);
	OUT("blocks %u\n", nr_blocks);
	for (i = 0; i < nr_blocks; i++)
		count[blocks[i].order]++;
	for (i = 0; i <= KHO_LAB_MAX_ORDER; i++)
		if (count[i])
			OUT("order %u %u\n", i, count[i]);
	for (i = 0; i < nr_blocks; i++)
		OUT("block 0x%llx %u\n", blocks[i].phys, blocks[i].order);
	/* Coalesce adjacent blocks of any order, as khowalk ranges does. */
	for (i = 0; i < nr_blocks; i++) {
		start = blocks[i].phys;
		end = start + (PAGE_SIZE << blocks[i].order);
		while (i + 1 < nr_blocks && blocks[i + 1].phys == end) {
			i++;
			end += PAGE_SIZE << blocks[i].order;
		}
		OUT("range 0x%llx-0x%llx %llu\n", start, end, end - start);
	}
	OUT("end\n");
#undef OUT
	if (len >= cap - 1)
		return -ENOSPC;
	truth_blob.data = truth_text;
	truth_blob.size = len;

	for (i = 0; i < KHO_LAB_NR_SCRATCH; i++) {
		size_t n = strlen(scratch_phys_text), m = strlen(scratch_len_text);

		scnprintf(scratch_phys_text + n, KHO_LAB_NR_SCRATCH * 24 - n,
			  "0x%llx\n", (u64)page_to_phys(scratch[i]));
		scnprintf(scratch_len_text + m, KHO_LAB_NR_SCRATCH * 24 - m,
			  "0x%lx\n", PAGE_SIZE << KHO_LAB_SCRATCH_ORDER);
	}
	scratch_phys_blob.data = scratch_phys_text;
	scratch_phys_blob.size = strlen(scratch_phys_text);
	scratch_len_blob.data = scratch_len_text;
	scratch_len_blob.size = strlen(scratch_len_text);
	return 0;
}

/* ---- flipping one bit of the published tree ---- */

enum kho_lab_flip { FLIP_NONE, FLIP_LEAF, FLIP_TABLE };

static enum kho_lab_flip flip_state;
/* The torn-read thread runs (kho_lab/torn); under tree.lock, like flips. */
static bool torn_running;
static u64 *flip_word;
static u64 flip_mask;
static const struct kho_lab_block *flip_block;

/*
 * The entry of the level-1 table and the leaf word of @b, found through
 * the layout of <linux/kho/abi/radix_tree.h>.
 */
static void kho_lab_locate(const struct kho_lab_block *b, u64 **entry,
			   u64 **word, u64 *bit)
{
	u64 key = kho_radix_encode_key(b->phys, b->order);
	struct kho_radix_node *node = tree.root;
	struct kho_radix_leaf *leaf;
	unsigned int level, idx, shift;

	for (level = KHO_TREE_MAX_DEPTH - 1; level >= 1; level--) {
		shift = KHO_BITMAP_SIZE_LOG2 + (level - 1) * KHO_TABLE_SIZE_LOG2;
		idx = (key >> shift) & ((1U << KHO_TABLE_SIZE_LOG2) - 1);
		*entry = &node->table[idx];
		node = phys_to_virt(node->table[idx]);
	}
	leaf = (struct kho_radix_leaf *)node;
	idx = key & ((1U << KHO_BITMAP_SIZE_LOG2) - 1);
	*word = (u64 *)&leaf->bitmap[idx / 64];
	*bit = 1ULL << (idx % 64);
}

/*
 * What was written to one of kho_lab's control files, NUL-terminated in
 * @buf of @size bytes. Returns it without surrounding whitespace, or an
 * ERR_PTR if it does not fit or cannot be read.
 */
static char *kho_lab_user_cmd(char *buf, size_t size,
			      const char __user *ubuf, size_t count)
{
	if (count >= size)
		return ERR_PTR(-EINVAL);
	if (copy_from_user(buf, ubuf, count))
		return ERR_PTR(-EFAULT);
	buf[count] = '\0';
	return strim(buf);
}

static ssize_t kho_lab_flip_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[16], *cmd;
	u64 *entry, *word, bit;
	u64 pick = seed ^ 0x6b686f2d6c6162ULL;	/* "kho-lab" */

	cmd = kho_lab_user_cmd(buf, sizeof(buf), ubuf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);

	mutex_lock(&tree.lock);
	if (torn_running) {
		/* Its re-adds would undo a leaf flip or follow a bad pointer. */
		mutex_unlock(&tree.lock);
		return -EBUSY;
	}
	if (flip_state != FLIP_NONE) {
		*flip_word ^= flip_mask;
		flip_state = FLIP_NONE;
		flipped_text[0] = 0;
	}
	if (!strcmp(cmd, "undo"))
		goto out;
	if (!nr_blocks)
		goto inval;

	/* A block picked by the seed; never the root FDT page. */
	flip_block = &blocks[(pick * 2654435761ULL) % nr_blocks];
	if (flip_block->phys == PFN_PHYS(folio_pfn(fdt_folio)))
		flip_block = &blocks[(flip_block - blocks + 1) % nr_blocks];
	kho_lab_locate(flip_block, &entry, &word, &bit);
	if (!strcmp(cmd, "leaf")) {
		/* The block's bit: the block silently drops out of the map. */
		flip_word = word;
		flip_mask = bit;
		flip_state = FLIP_LEAF;
		snprintf(flipped_text, sizeof(flipped_text),
			 "leaf 0x%llx %u\n", flip_block->phys, flip_block->order);
	} else if (!strcmp(cmd, "table")) {
		/* Bit 3 of the level-1 entry: the leaf pointer is unaligned. */
		flip_word = entry;
		flip_mask = 1ULL << 3;
		flip_state = FLIP_TABLE;
		snprintf(flipped_text, sizeof(flipped_text),
			 "table 0x%llx %lu 0x%llx\n",
			 (u64)virt_to_phys(entry) & PAGE_MASK,
			 offset_in_page(entry) / sizeof(*entry),
			 *entry ^ flip_mask);
	} else {
		goto inval;
	}
	*flip_word ^= flip_mask;
	pr_info("flipped: %s", flipped_text);
out:
	flipped_blob.size = strlen(flipped_text);
	mutex_unlock(&tree.lock);
	return count;
inval:
	flipped_blob.size = strlen(flipped_text);
	mutex_unlock(&tree.lock);
	return -EINVAL;
}

static const struct file_operations kho_lab_flip_fops = {
	.owner = THIS_MODULE,
	.write = kho_lab_flip_write,
	.llseek = noop_llseek,
};

/*
 * ---- the KHO API, with upstream's signatures ----
 *
 * Debian's 6.12 has no KHO, so nothing collides with these names. The
 * signatures are upstream's in the radix-tree era (torvalds/linux
 * kernel/liveupdate/kexec_handover.c @019fc3687237), and so are the
 * bodies, over this module's tree: blocks of kho_preserve_pages() split as
 * order = min(ctz(pfn), ilog2(end - pfn)), each through
 * kho_radix_add_page(); kho_preserve_vmalloc() preserves a chunk page and
 * each run of pages through kho_preserve_pages(), and its unpreserve goes
 * through the internal __kho_unpreserve(). They are noinline so that the
 * lab's probes see every call (upstream's callers are in other files).
 */
struct kho_vmalloc_chunk;

/* include/linux/kho/abi/kexec_handover.h (vmalloc part) */
struct kho_vmalloc {
	union {
		phys_addr_t phys;
		struct kho_vmalloc_chunk *ptr;
	} first;
	unsigned int total_pages;
	unsigned short flags;
	unsigned short order;
};

#define KHO_LAB_VMALLOC_SIZE	((PAGE_SIZE - sizeof(phys_addr_t)) / sizeof(phys_addr_t))

struct kho_vmalloc_chunk {
	phys_addr_t next;
	phys_addr_t phys[KHO_LAB_VMALLOC_SIZE];
};

int kho_preserve_folio(struct folio *folio);
void kho_unpreserve_folio(struct folio *folio);
int kho_preserve_pages(struct page *page, unsigned long nr_pages);
void kho_unpreserve_pages(struct page *page, unsigned long nr_pages);
int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation);
void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation);

noinline int kho_preserve_folio(struct folio *folio)
{
	return kho_radix_add_page(&tree, folio_pfn(folio), folio_order(folio));
}

noinline void kho_unpreserve_folio(struct folio *folio)
{
	kho_radix_del_page(&tree, folio_pfn(folio), folio_order(folio));
}

static void __kho_unpreserve(unsigned long pfn, unsigned long end_pfn)
{
	while (pfn < end_pfn) {
		unsigned int order = min_t(unsigned int, __ffs(pfn), ilog2(end_pfn - pfn));

		kho_radix_del_page(&tree, pfn, order);
		pfn += 1UL << order;
	}
}

noinline int kho_preserve_pages(struct page *page, unsigned long nr_pages)
{
	const unsigned long start_pfn = page_to_pfn(page);
	const unsigned long end_pfn = start_pfn + nr_pages;
	unsigned long pfn = start_pfn;
	int err = 0;

	while (pfn < end_pfn) {
		unsigned int order = min_t(unsigned int, __ffs(pfn), ilog2(end_pfn - pfn));

		err = kho_radix_add_page(&tree, pfn, order);
		if (err) {
			__kho_unpreserve(start_pfn, pfn);
			break;
		}
		pfn += 1UL << order;
	}
	return err;
}

noinline void kho_unpreserve_pages(struct page *page, unsigned long nr_pages)
{
	const unsigned long start_pfn = page_to_pfn(page);

	__kho_unpreserve(start_pfn, start_pfn + nr_pages);
}

/*
 * find_vm_area() is not exported by 6.12, so the stand-in learns the
 * size of a vmalloc area from the one place that allocates them here.
 */
static void *kho_lab_vm_ptr;
static unsigned int kho_lab_vm_pages;

noinline int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation)
{
	struct kho_vmalloc_chunk *chunk;
	unsigned int i, idx = 0;
	int err;

	if (!is_vmalloc_addr(ptr) || ptr != kho_lab_vm_ptr ||
	    kho_lab_vm_pages > KHO_LAB_VMALLOC_SIZE)
		return -EINVAL;
	chunk = (struct kho_vmalloc_chunk *)get_zeroed_page(GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	err = kho_preserve_pages(virt_to_page(chunk), 1);
	if (err) {
		free_page((unsigned long)chunk);
		return err;
	}
	preservation->first.phys = virt_to_phys(chunk);
	for (i = 0; i < kho_lab_vm_pages; i++) {
		struct page *page = vmalloc_to_page(ptr + i * PAGE_SIZE);

		err = kho_preserve_pages(page, 1);
		if (err) {
			kho_unpreserve_vmalloc(preservation);
			return err;
		}
		chunk->phys[idx++] = page_to_phys(page);
	}
	preservation->total_pages = kho_lab_vm_pages;
	preservation->flags = 0x1;	/* KHO_VMALLOC_ALLOC */
	preservation->order = 0;
	return 0;
}

noinline void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation)
{
	struct kho_vmalloc_chunk *chunk = phys_to_virt(preservation->first.phys);
	unsigned long pfn = PHYS_PFN(preservation->first.phys);
	unsigned int i;

	if (!preservation->first.phys)
		return;
	__kho_unpreserve(pfn, pfn + 1);
	for (i = 0; i < KHO_LAB_VMALLOC_SIZE && chunk->phys[i]; i++) {
		pfn = PHYS_PFN(chunk->phys[i]);
		__kho_unpreserve(pfn, pfn + (1UL << preservation->order));
	}
	free_page((unsigned long)chunk);
	preservation->first.phys = 0;
}

/*
 * ---- churn workload for khotrace, with its ground truth ----
 *
 * Writing "run KA KB CYCLES" to kho_lab/churn:
 *  - kho_lab_churn_site_a(): KA folios of orders 0, 1, 2, ... through
 *    kho_preserve_folio()/kho_unpreserve_folio();
 *  - kho_lab_churn_site_b(): KB page ranges of 3 pages at an order-2
 *    aligned pfn, through kho_preserve_pages()/kho_unpreserve_pages(),
 *    i.e. two keys each (order 1 + order 0);
 *  each key is preserved, then CYCLES times unpreserved and preserved
 *  again, then unpreserved: CYCLES + 1 preserves and unpreserves and
 *  CYCLES re-preserves per key;
 *  - kho_lab_vmalloc_step(): one 3-page vmalloc area preserved and
 *    unpreserved (4 keys: the chunk page and 3 pages, one cycle);
 *  - kho_lab_anomalies(): one unpreserve of a key never preserved (the
 *    buddy of a preserved page, so its leaf exists), one double preserve
 *    and one double unpreserve of another page.
 * kho_lab/churn_truth then holds every key, the expected totals, and the
 * nodes the tree allocated, counted by a probe on kho_radix_node_alloc.
 */
#define KHO_LAB_CHURN_MAX	64

enum { CK_A, CK_B, CK_VM, CK_ANOM };
static const char *const ck_names[] = { "a", "b", "vmalloc", "anom" };

struct kho_lab_ckey {
	u64 key;
	unsigned int order;
	unsigned int site;
};

static struct kho_lab_ckey ckeys[2 * KHO_LAB_CHURN_MAX * 2 + 16];
static unsigned int nr_ckeys;
static u64 churn_anom[3];	/* unknown, double preserve, double unpreserve */
static unsigned long churn_nodes[KHO_TREE_MAX_DEPTH];
static char *churn_text;
static struct debugfs_blob_wrapper churn_blob;
static DEFINE_MUTEX(churn_lock);

static void kho_lab_ckey_add(unsigned long pfn, unsigned int order, unsigned int site)
{
	if (nr_ckeys >= ARRAY_SIZE(ckeys))
		return;
	ckeys[nr_ckeys].key = kho_radix_encode_key(PFN_PHYS(pfn), order);
	ckeys[nr_ckeys].order = order;
	ckeys[nr_ckeys].site = site;
	nr_ckeys++;
}

static void kho_lab_node_probe(void *data, unsigned long pfn, unsigned int order,
			       u64 key, unsigned int level)
{
	if (level < ARRAY_SIZE(churn_nodes))
		churn_nodes[level]++;
}

static noinline int kho_lab_churn_site_a(struct folio **f, unsigned int n,
					 unsigned int cycles)
{
	unsigned int i, c;
	int err;

	for (i = 0; i < n; i++) {
		err = kho_preserve_folio(f[i]);
		if (err)
			return err;
	}
	for (c = 0; c < cycles; c++) {
		for (i = 0; i < n; i++) {
			kho_unpreserve_folio(f[i]);
			err = kho_preserve_folio(f[i]);
			if (err)
				return err;
		}
	}
	for (i = 0; i < n; i++)
		kho_unpreserve_folio(f[i]);
	return 0;
}

static noinline int kho_lab_churn_site_b(struct page **p, unsigned int n,
					 unsigned int cycles)
{
	unsigned int i, c;
	int err;

	for (i = 0; i < n; i++) {
		err = kho_preserve_pages(p[i], 3);
		if (err)
			return err;
	}
	for (c = 0; c < cycles; c++) {
		for (i = 0; i < n; i++) {
			kho_unpreserve_pages(p[i], 3);
			err = kho_preserve_pages(p[i], 3);
			if (err)
				return err;
		}
	}
	for (i = 0; i < n; i++)
		kho_unpreserve_pages(p[i], 3);
	return 0;
}

static noinline int kho_lab_vmalloc_step(void)
{
	struct kho_vmalloc pres = { };
	unsigned int i;
	void *ptr;
	int err;

	kho_lab_vm_pages = 3;
	ptr = vmalloc(kho_lab_vm_pages * PAGE_SIZE);
	if (!ptr)
		return -ENOMEM;
	kho_lab_vm_ptr = ptr;
	err = kho_preserve_vmalloc(ptr, &pres);
	if (!err) {
		struct kho_vmalloc_chunk *chunk = phys_to_virt(pres.first.phys);

		kho_lab_ckey_add(PHYS_PFN(pres.first.phys), 0, CK_VM);
		for (i = 0; i < pres.total_pages; i++)
			kho_lab_ckey_add(PHYS_PFN(chunk->phys[i]), 0, CK_VM);
		kho_unpreserve_vmalloc(&pres);
	}
	kho_lab_vm_ptr = NULL;
	vfree(ptr);
	return err;
}

static noinline int kho_lab_anomalies(void)
{
	struct page *pair, *q;
	int err;

	pair = alloc_pages(GFP_KERNEL, 1);
	q = alloc_page(GFP_KERNEL);
	if (!pair || !q) {
		if (pair)
			__free_pages(pair, 1);
		if (q)
			__free_page(q);
		return -ENOMEM;
	}
	split_page(pair, 1);

	/* The buddy's leaf exists once the first page is preserved. */
	err = kho_preserve_folio(page_folio(pair));
	if (!err) {
		kho_unpreserve_folio(page_folio(pair + 1));	/* never preserved */
		kho_unpreserve_folio(page_folio(pair));
		kho_lab_ckey_add(page_to_pfn(pair), 0, CK_ANOM);
		kho_lab_ckey_add(page_to_pfn(pair + 1), 0, CK_ANOM);
		churn_anom[0] = kho_radix_encode_key(page_to_phys(pair + 1), 0);
	}
	if (!err)
		err = kho_preserve_folio(page_folio(q));
	if (!err) {
		err = kho_preserve_folio(page_folio(q));	/* already preserved */
		kho_unpreserve_folio(page_folio(q));
		kho_unpreserve_folio(page_folio(q));		/* already unpreserved */
		kho_lab_ckey_add(page_to_pfn(q), 0, CK_ANOM);
		churn_anom[1] = churn_anom[2] = kho_radix_encode_key(page_to_phys(q), 0);
	}
	__free_page(pair);
	__free_page(pair + 1);
	__free_page(q);
	return err;
}

static int kho_lab_churn_truth(unsigned int ka, unsigned int kb, unsigned int cycles,
			       unsigned long preserves, unsigned long unpreserves)
{
	size_t cap = 1024 + nr_ckeys * 64, len = 0;
	unsigned long total = 0;
	unsigned int i;
	char *t;

	kvfree(churn_text);
	churn_text = t = kvmalloc(cap, GFP_KERNEL);
	churn_blob.data = t;
	churn_blob.size = 0;
	if (!t)
		return -ENOMEM;
#define OUT(...) (len += scnprintf(t + len, cap - len, __VA_ARGS__))
	OUT("kho-lab-churn 1\n");
	OUT("cycles %u\n", cycles);
	OUT("site a kho_lab_churn_site_a keys %u\n", ka);
	OUT("site b kho_lab_churn_site_b keys %u\n", 2 * kb);
	for (i = 0; i < nr_ckeys; i++)
		OUT("key %s 0x%llx %u\n", ck_names[ckeys[i].site], ckeys[i].key,
		    ckeys[i].order);
	OUT("anomaly unpreserve-unknown 0x%llx\n", churn_anom[0]);
	OUT("anomaly double-preserve 0x%llx\n", churn_anom[1]);
	OUT("anomaly double-unpreserve 0x%llx\n", churn_anom[2]);
	OUT("preserves %lu\n", preserves);
	OUT("unpreserves %lu\n", unpreserves);
	for (i = 0; i < ARRAY_SIZE(churn_nodes); i++) {
		if (churn_nodes[i])
			OUT("nodes %u %lu\n", i, churn_nodes[i]);
		total += churn_nodes[i];
	}
	OUT("nodes_total %lu\n", total);
	OUT("end\n");
#undef OUT
	churn_blob.size = len;
	return len >= cap - 1 ? -ENOSPC : 0;
}

static int kho_lab_churn(unsigned int ka, unsigned int kb, unsigned int cycles)
{
	struct folio *f[KHO_LAB_CHURN_MAX] = { };
	struct page *p[KHO_LAB_CHURN_MAX] = { };
	unsigned long preserves, unpreserves;
	unsigned int i;
	int err = -ENOMEM;

	if (ka > KHO_LAB_CHURN_MAX || kb > KHO_LAB_CHURN_MAX || cycles > 100000)
		return -EINVAL;
	/*
	 * Free the nodes earlier runs left empty, so that this run's node
	 * allocations (khotrace's growth view) are its own.
	 */
	kho_radix_trim(&tree);
	nr_ckeys = 0;
	memset(churn_anom, 0, sizeof(churn_anom));
	memset(churn_nodes, 0, sizeof(churn_nodes));
	for (i = 0; i < ka; i++) {
		f[i] = folio_alloc(GFP_KERNEL, i % 3);
		if (!f[i])
			goto out;
		kho_lab_ckey_add(folio_pfn(f[i]), i % 3, CK_A);
	}
	for (i = 0; i < kb; i++) {
		unsigned long pfn;

		p[i] = alloc_pages(GFP_KERNEL, 2);
		if (!p[i])
			goto out;
		pfn = page_to_pfn(p[i]);
		kho_lab_ckey_add(pfn, 1, CK_B);		/* the split of 3 pages */
		kho_lab_ckey_add(pfn + 2, 0, CK_B);
	}

	err = register_trace_kho_radix_node_alloc(kho_lab_node_probe, NULL);
	if (err)
		goto out;
	err = kho_lab_churn_site_a(f, ka, cycles);
	if (!err)
		err = kho_lab_churn_site_b(p, kb, cycles);
	if (!err)
		err = kho_lab_vmalloc_step();
	if (!err)
		err = kho_lab_anomalies();
	unregister_trace_kho_radix_node_alloc(kho_lab_node_probe, NULL);
	tracepoint_synchronize_unregister();
	if (err)
		goto out;

	/* Per churned key cycles + 1 of each; vmalloc 4 keys once;
	 * anomalies: pair 1 + 0 / 2, q 2 / 2. */
	preserves = (unsigned long)(ka + 2 * kb) * (cycles + 1) + 4 + 1 + 2;
	unpreserves = (unsigned long)(ka + 2 * kb) * (cycles + 1) + 4 + 2 + 2;
	err = kho_lab_churn_truth(ka, kb, cycles, preserves, unpreserves);
out:
	for (i = 0; i < KHO_LAB_CHURN_MAX; i++) {
		if (f[i])
			folio_put(f[i]);
		if (p[i])
			__free_pages(p[i], 2);
	}
	if (err)
		pr_err("churn workload failed: %d\n", err);
	return err;
}

static ssize_t kho_lab_churn_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	unsigned int ka, kb, cycles;
	char buf[64], *cmd;
	int err;

	cmd = kho_lab_user_cmd(buf, sizeof(buf), ubuf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	/* As written, from its first byte: "run KA KB CYCLES". */
	if (sscanf(buf, "run %u %u %u", &ka, &kb, &cycles) != 3)
		return -EINVAL;
	mutex_lock(&churn_lock);
	err = kho_lab_churn(ka, kb, cycles);
	mutex_unlock(&churn_lock);
	return err ? err : count;
}

static const struct file_operations kho_lab_churn_fops = {
	.owner = THIS_MODULE,
	.write = kho_lab_churn_write,
	.llseek = noop_llseek,
};

/*
 * ---- bench: preserve operations per second ----
 * "N" to kho_lab/bench: N times kho_preserve_folio() + kho_unpreserve_folio()
 * over 64 order-0 folios; kho_lab/bench_result: "ops N ns T" (ops counts
 * the preserves).
 */
static char bench_text[64];
static struct debugfs_blob_wrapper bench_blob;

static noinline int kho_lab_bench_loop(struct folio **f, unsigned int nf,
				       unsigned long n)
{
	unsigned long i;
	int err;

	for (i = 0; i < n; i++) {
		err = kho_preserve_folio(f[i % nf]);
		if (err)
			return err;
		kho_unpreserve_folio(f[i % nf]);
		if (!(i & 255))
			cond_resched();
	}
	return 0;
}

static ssize_t kho_lab_bench_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct folio *f[64] = { };
	unsigned long n;
	unsigned int i;
	char buf[32], *cmd;
	u64 t0, t1;
	int err = -ENOMEM;

	cmd = kho_lab_user_cmd(buf, sizeof(buf), ubuf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	if (kstrtoul(cmd, 0, &n) || !n || n > 100000000UL)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		f[i] = folio_alloc(GFP_KERNEL, 0);
		if (!f[i])
			goto out;
	}
	mutex_lock(&churn_lock);
	t0 = ktime_get_ns();
	err = kho_lab_bench_loop(f, ARRAY_SIZE(f), n);
	t1 = ktime_get_ns();
	mutex_unlock(&churn_lock);
	snprintf(bench_text, sizeof(bench_text), "ops %lu ns %llu\n", n, t1 - t0);
	bench_blob.size = strlen(bench_text);
out:
	for (i = 0; i < ARRAY_SIZE(f); i++)
		if (f[i])
			folio_put(f[i]);
	return err ? err : count;
}

static const struct file_operations kho_lab_bench_fops = {
	.owner = THIS_MODULE,
	.write = kho_lab_bench_write,
	.llseek = noop_llseek,
};

/*
 * ---- a live map for the tools' torn-read detection ----
 *
 * "start" to kho_lab/torn starts kho_lab_torn_fn(), which until "stop"
 * loops over the recorded blocks but the root FDT page, in an order
 * shuffled by the seeded rng: remove the block, sleep 20-50 us, add it
 * again. Every 16th iteration it also adds the order-0 key of a page of
 * its own (not a block) and removes it on the next, as a client that
 * preserves memory elsewhere would. Each change takes churn_lock (and,
 * inside kho_radix_*_page(), tree.lock) alone, never across the sleep,
 * so readers of /proc/kcore, who take no lock, see the tree move.
 * "stop" leaves every block preserved and the extra key cleared: the
 * ground truth holds again. kho_lab/torn_changes counts the changes of
 * the last run. "start" while running is -EBUSY, "stop" while stopped
 * -EINVAL; flips are refused while the thread runs, and it does not
 * start while a flip is in effect.
 */
static DEFINE_MUTEX(torn_lock);		/* start, stop and the state below */
static struct task_struct *torn_task;
static unsigned int *torn_order;	/* indices into blocks[] */
static unsigned int torn_nr;
static struct page *torn_extra;
static unsigned long torn_changes;
static int torn_err;

static int kho_lab_torn_change(unsigned long pfn, unsigned int order, bool add)
{
	int err = 0;

	mutex_lock(&churn_lock);
	if (add)
		err = kho_radix_add_page(&tree, pfn, order);
	else
		kho_radix_del_page(&tree, pfn, order);
	mutex_unlock(&churn_lock);
	if (!err)
		WRITE_ONCE(torn_changes, torn_changes + 1);
	return err;
}

static int kho_lab_torn_fn(void *data)
{
	unsigned long extra_pfn = page_to_pfn(torn_extra);
	bool extra = false;
	unsigned long i;
	int err = 0;

	for (i = 0; !kthread_should_stop(); i++) {
		const struct kho_lab_block *b = &blocks[torn_order[i % torn_nr]];
		unsigned long pfn = PHYS_PFN(b->phys);

		kho_lab_torn_change(pfn, b->order, false);
		usleep_range(20, 50);
		err = kho_lab_torn_change(pfn, b->order, true);
		if (err)
			break;
		if (extra) {
			kho_lab_torn_change(extra_pfn, 0, false);
			extra = false;
		} else if (i % 16 == 15) {
			err = kho_lab_torn_change(extra_pfn, 0, true);
			if (err)
				break;
			extra = true;
		}
	}
	if (extra)
		kho_lab_torn_change(extra_pfn, 0, false);
	if (err) {
		/* A block could not be added back: "stop" reports it. */
		pr_err("torn: cannot add a block again: %d\n", err);
		torn_err = err;
		while (!kthread_should_stop())
			schedule_timeout_interruptible(HZ / 10);
	}
	return 0;
}

/* Distance from @phys to the nearest recorded block. */
static u64 kho_lab_block_gap(u64 phys)
{
	u64 gap = U64_MAX, d;
	unsigned int i;

	for (i = 0; i < nr_blocks; i++) {
		u64 start = blocks[i].phys;
		u64 end = start + (PAGE_SIZE << blocks[i].order);

		d = phys < start ? start - phys : phys >= end ? phys - end : 0;
		gap = min(gap, d);
	}
	return gap;
}

/*
 * A page of the module's own for the extra key, so that it is real memory
 * and no block: of a few fresh pages, the one farthest from every block.
 */
static struct page *kho_lab_torn_far_page(void)
{
	struct page *cand[8] = { }, *best = NULL;
	u64 best_gap = 0, gap;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cand); i++) {
		cand[i] = alloc_page(GFP_KERNEL);
		if (!cand[i])
			continue;
		gap = kho_lab_block_gap(page_to_phys(cand[i]));
		if (!best || gap > best_gap) {
			best = cand[i];
			best_gap = gap;
		}
	}
	for (i = 0; i < ARRAY_SIZE(cand); i++)
		if (cand[i] && cand[i] != best)
			__free_page(cand[i]);
	return best;
}

static void kho_lab_torn_release(void)
{
	if (torn_extra)
		__free_page(torn_extra);
	torn_extra = NULL;
	kvfree(torn_order);
	torn_order = NULL;
}

static int kho_lab_torn_start(void)
{
	u64 fdt = PFN_PHYS(folio_pfn(fdt_folio));
	struct task_struct *task;
	unsigned int i, j, n = 0;
	int err = 0;

	if (torn_task)
		return -EBUSY;
	mutex_lock(&tree.lock);
	if (flip_state != FLIP_NONE)
		err = -EBUSY;
	else
		torn_running = true;
	mutex_unlock(&tree.lock);
	if (err)
		return err;

	err = -ENOMEM;
	torn_order = kvmalloc_array(nr_blocks, sizeof(*torn_order), GFP_KERNEL);
	torn_extra = kho_lab_torn_far_page();
	if (!torn_order || !torn_extra)
		goto fail;
	for (i = 0; i < nr_blocks; i++)
		if (blocks[i].phys != fdt)
			torn_order[n++] = i;
	err = -EINVAL;
	if (!n)
		goto fail;
	for (i = n - 1; i > 0; i--) {
		j = rng_below(&rng_state, i + 1);
		swap(torn_order[i], torn_order[j]);
	}
	torn_nr = n;
	torn_changes = 0;
	torn_err = 0;
	task = kthread_run(kho_lab_torn_fn, NULL, "kho_lab_torn");
	if (IS_ERR(task)) {
		err = PTR_ERR(task);
		goto fail;
	}
	torn_task = task;
	pr_info("torn: started over %u blocks, extra key at 0x%llx\n",
		n, (u64)page_to_phys(torn_extra));
	return 0;

fail:
	kho_lab_torn_release();
	mutex_lock(&tree.lock);
	torn_running = false;
	mutex_unlock(&tree.lock);
	return err;
}

static int kho_lab_torn_stop(void)
{
	int err;

	if (!torn_task)
		return -EINVAL;
	kthread_stop(torn_task);
	torn_task = NULL;
	err = torn_err;
	kho_lab_torn_release();
	mutex_lock(&tree.lock);
	torn_running = false;
	mutex_unlock(&tree.lock);
	pr_info("torn: stopped after %lu changes\n", torn_changes);
	return err;
}

static ssize_t kho_lab_torn_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[16], *cmd;
	int err;

	cmd = kho_lab_user_cmd(buf, sizeof(buf), ubuf, count);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);
	mutex_lock(&torn_lock);
	if (!strcmp(cmd, "start"))
		err = kho_lab_torn_start();
	else if (!strcmp(cmd, "stop"))
		err = kho_lab_torn_stop();
	else
		err = -EINVAL;
	mutex_unlock(&torn_lock);
	return err ? err : count;
}

static const struct file_operations kho_lab_torn_fops = {
	.owner = THIS_MODULE,
	.write = kho_lab_torn_write,
	.llseek = noop_llseek,
};

/* ---- module ---- */

static void kho_lab_free(void)
{
	unsigned int i;

	debugfs_remove_recursive(lab_dir);
	/* No more writers: stop the thread before its blocks go. */
	mutex_lock(&torn_lock);
	kho_lab_torn_stop();
	mutex_unlock(&torn_lock);
	kvfree(churn_text);
	debugfs_remove_recursive(kho_dir);
	for (i = 0; i < nr_folios; i++)
		folio_put(folios[i]);
	for (i = 0; i < nr_done_ranges; i++)
		__free_pages(ranges[i].page, KHO_LAB_RANGE_ORDER);
	for (i = 0; i < KHO_LAB_NR_SCRATCH; i++)
		if (scratch[i])
			__free_pages(scratch[i], KHO_LAB_SCRATCH_ORDER);
	if (fdt_folio)
		folio_put(fdt_folio);
	if (sub_folio)
		folio_put(sub_folio);
	kho_radix_destroy_tree(&tree);
	kvfree(blocks);
	kvfree(truth_text);
	kfree(scratch_phys_text);
	kfree(scratch_len_text);
}

static void kho_lab_debugfs(void)
{
	struct dentry *out, *sub;

	kho_dir = debugfs_create_dir("kho", NULL);
	out = debugfs_create_dir("out", kho_dir);
	fdt_blob.data = folio_address(fdt_folio);
	fdt_blob.size = fdt_totalsize_of(fdt_blob.data);
	debugfs_create_blob("fdt", 0400, out, &fdt_blob);
	sub = debugfs_create_dir("sub_fdts", out);
	sub_blob.data = folio_address(sub_folio);
	sub_blob.size = fdt_totalsize_of(sub_blob.data);
	debugfs_create_blob("memblock", 0400, sub, &sub_blob);
	debugfs_create_blob("scratch_phys", 0400, out, &scratch_phys_blob);
	debugfs_create_blob("scratch_len", 0400, out, &scratch_len_blob);

	lab_dir = debugfs_create_dir("kho_lab", NULL);
	debugfs_create_blob("truth", 0400, lab_dir, &truth_blob);
	debugfs_create_blob("kernel_walk", 0400, lab_dir, &kwalk_blob);
	flipped_blob.data = flipped_text;
	debugfs_create_blob("flipped", 0400, lab_dir, &flipped_blob);
	debugfs_create_file("flip", 0200, lab_dir, NULL, &kho_lab_flip_fops);
	churn_blob.data = churn_text;
	debugfs_create_blob("churn_truth", 0400, lab_dir, &churn_blob);
	debugfs_create_file("churn", 0200, lab_dir, NULL, &kho_lab_churn_fops);
	bench_blob.data = bench_text;
	debugfs_create_blob("bench_result", 0400, lab_dir, &bench_blob);
	debugfs_create_file("bench", 0200, lab_dir, NULL, &kho_lab_bench_fops);
	debugfs_create_file("torn", 0200, lab_dir, NULL, &kho_lab_torn_fops);
	debugfs_create_ulong("torn_changes", 0400, lab_dir, &torn_changes);
}

static int __init kho_lab_init(void)
{
	unsigned int i;
	int err;

	rng_state = seed;
	blocks = kvcalloc(KHO_LAB_MAX_BLOCKS, sizeof(*blocks), GFP_KERNEL);
	if (!blocks)
		return -ENOMEM;
	err = kho_radix_init_tree(&tree);
	if (err)
		goto fail;

	/* kho_alloc_preserve(PAGE_SIZE) for the root FDT, then the client's. */
	fdt_folio = kho_lab_preserve_folio(0, GFP_KERNEL | __GFP_ZERO);
	sub_folio = kho_lab_preserve_folio(0, GFP_KERNEL | __GFP_ZERO);
	if (IS_ERR_OR_NULL(fdt_folio) || IS_ERR_OR_NULL(sub_folio)) {
		if (IS_ERR(fdt_folio))
			fdt_folio = NULL;
		if (IS_ERR(sub_folio))
			sub_folio = NULL;
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < KHO_LAB_NR_SCRATCH; i++) {
		scratch[i] = alloc_pages(KHO_LAB_GFP, KHO_LAB_SCRATCH_ORDER);
		if (!scratch[i]) {
			err = -ENOMEM;
			goto fail;
		}
	}

	err = populate ? kho_lab_add_folios() : 0;
	if (!err)
		err = kho_lab_add_ranges();
	if (err)
		goto fail;

	sort(blocks, nr_blocks, sizeof(*blocks), kho_lab_block_cmp, NULL);
	err = kho_lab_build_sub_fdt();
	if (!err)
		err = kho_lab_build_root_fdt();
	if (!err)
		err = kho_lab_build_texts();
	if (err)
		goto fail;
	kho_lab_kwalk();
	kho_lab_debugfs();
	pr_info("seed %lu: %u blocks, fdt at 0x%llx, kernel walk %s",
		seed, nr_blocks, (u64)PFN_PHYS(folio_pfn(fdt_folio)), kwalk_text);
	return 0;

fail:
	pr_err("setup failed: %d\n", err);
	kho_lab_free();
	return err;
}

static void __exit kho_lab_exit(void)
{
	kho_lab_free();
}

module_init(kho_lab_init);
module_exit(kho_lab_exit);

MODULE_DESCRIPTION("KHO radix tree lab: preserve a seeded random set of pages");
MODULE_LICENSE("GPL");
