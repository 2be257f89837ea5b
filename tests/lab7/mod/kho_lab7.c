// SPDX-License-Identifier: GPL-2.0
/*
 * kho_lab7: the upstream 7.x lab module. It preserves a seeded random set
 * of memory through the real exported KHO API of the running kernel (no
 * tree of its own), hands two blobs over with kho_add_subtree(), and
 * publishes in debugfs exactly which blocks it preserved, so the tools can
 * be checked against ground truth on the kernel our users run.
 *
 * What it preserves, from the seed:
 *  - folios of orders 0-6 with kho_preserve_folio();
 *  - an unaligned page range inside an order-9 allocation with
 *    kho_preserve_pages(), which splits it into naturally aligned blocks
 *    (order = min(ctz(pfn), ilog2(pages left)); one NUMA node here);
 *  - a vmalloc area with kho_preserve_vmalloc() (each page, and the
 *    chunk pages that list them);
 *  - "kho_lab": an FDT blob from kho_alloc_preserve() (written by the
 *    module: 7.2 exports no libfdt to modules) naming its folios, range
 *    and vmalloc descriptor;
 *  - "kho_lab_raw": a raw blob of three pages from kho_alloc_preserve()
 *    (an order-2 folio) holding the struct kho_vmalloc descriptor;
 *  - one "leaked" folio, preserved and referenced by nothing;
 *  - folios preserved and unpreserved again, leaving cleared bits.
 *
 * debugfs kho_lab7/:
 *  truth   "0x<phys> <order> <what>" for every block it preserved, sorted
 *  leaked  "0x<phys> <order>" of the leaked folio
 *  loop    (write "N") N times kho_preserve_folio + kho_unpreserve_folio
 *          of one folio of its own; loop_done counts the pairs done
 *  leak_loop        (write "N") N new folios of orders 0-2 preserved;
 *                   each fourth stays preserved (a leak: nothing refers
 *                   to it), the others are unpreserved and freed
 *  leak_loop_truth  "0x<phys> <order>" of every folio leak_loop kept,
 *                   sorted (for khowalk owners and diff, tests/lab7/owners.t)
 *  gap_raw (write "1") hand "kho_lab_raw" over with its middle page not
 *          preserved (the order-2 folio unpreserved, its first and third
 *          pages preserved again one by one): a state `khodump preflight`
 *          must call no-go. truth still lists the blob as first preserved
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kho_lab_common.h"

static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the random set of preserved memory");

#define LAB_MAX_FOLIOS	48
#define LAB_MAX_BLOCKS	512
#define LAB_VM_PAGES	5
#define LAB_RAW_SIZE	(3 * PAGE_SIZE)
#define LAB_RAW_MAGIC	0x003762616c6f686bULL	/* "kholab7" in memory */

struct lab_block {
	u64 phys;
	unsigned int order;
	const char *what;
};

struct lab_raw {
	u64 magic;
	u64 seed;
	struct kho_vmalloc vm;
};

static struct folio *folios[LAB_MAX_FOLIOS];
static unsigned int nr_folios;
static struct page *range_base;
static unsigned long range_pfn, range_pages;
static void *vm_area;
static void *fdt_blob, *raw_blob;
static struct folio *leak_folio, *loop_folio;
static struct lab_block blocks[LAB_MAX_BLOCKS];
static unsigned int nr_blocks;
static char *truth_text, leak_text[48];
static struct debugfs_blob_wrapper truth_blob, leak_blob;
static struct dentry *lab_dir;
static DEFINE_MUTEX(loop_lock);
static u64 loop_done;

#define LAB_MAX_LEAKS	256
static struct lab_block leaks[LAB_MAX_LEAKS];
static unsigned int nr_leaks;
static char leaks_text[LAB_MAX_LEAKS * 32];
static struct debugfs_blob_wrapper leaks_blob;
static u64 rng_state;


static void lab_record(u64 phys, unsigned int order, const char *what)
{
	if (WARN_ON(nr_blocks >= LAB_MAX_BLOCKS))
		return;
	blocks[nr_blocks].phys = phys;
	blocks[nr_blocks].order = order;
	blocks[nr_blocks].what = what;
	nr_blocks++;
}

/* The split of kho_preserve_pages() in 7.2, computed independently. */
static void lab_record_pages(unsigned long pfn, unsigned long nr,
			     const char *what)
{
	unsigned long end = pfn + nr;

	while (pfn < end) {
		unsigned int order = min_t(unsigned int, __ffs(pfn),
					   ilog2(end - pfn));

		lab_record(PFN_PHYS(pfn), order, what);
		pfn += 1UL << order;
	}
}

static int lab_cmp(const void *a, const void *b)
{
	const struct lab_block *x = a, *y = b;

	if (x->phys != y->phys)
		return x->phys < y->phys ? -1 : 1;
	return 0;
}

static struct folio *lab_preserve_folio(unsigned int order, const char *what)
{
	struct folio *folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, order);

	if (!folio)
		return NULL;
	if (kho_preserve_folio(folio)) {
		folio_put(folio);
		return NULL;
	}
	lab_record(PFN_PHYS(folio_pfn(folio)), order, what);
	return folio;
}

static int lab_add_folios(void)
{
	unsigned int order, i, n;

	for (order = 0; order <= 6; order++) {
		n = 1 + rng_below(&rng_state, order < 3 ? 6 : 3);
		for (i = 0; i < n && nr_folios < LAB_MAX_FOLIOS; i++) {
			struct folio *f = lab_preserve_folio(order, "folio");

			if (!f)
				return -ENOMEM;
			folios[nr_folios++] = f;
		}
	}
	return 0;
}

/* Preserved and unpreserved again: cleared bits in live leaves. */
static int lab_add_and_remove(void)
{
	unsigned int i, n = 1 + rng_below(&rng_state, 3);

	for (i = 0; i < n; i++) {
		struct folio *f = folio_alloc(GFP_KERNEL, rng_below(&rng_state, 4));
		int err;

		if (!f)
			return -ENOMEM;
		err = kho_preserve_folio(f);
		if (!err)
			kho_unpreserve_folio(f);
		folio_put(f);
		if (err)
			return err;
	}
	return 0;
}

static int lab_add_range(void)
{
	int err;

	range_base = alloc_pages(GFP_KERNEL | __GFP_ZERO, 9);
	if (!range_base)
		return -ENOMEM;
	range_pfn = page_to_pfn(range_base) + 1 + rng_below(&rng_state, 200);
	range_pages = 1 + rng_below(&rng_state, 300);
	err = kho_preserve_pages(pfn_to_page(range_pfn), range_pages);
	if (err)
		return err;
	lab_record_pages(range_pfn, range_pages, "range");
	return 0;
}

static int lab_add_vmalloc(struct kho_vmalloc *vm)
{
	const struct kho_vmalloc_chunk *chunk;
	unsigned int i;
	u64 next;
	int err;

	vm_area = vmalloc(LAB_VM_PAGES * PAGE_SIZE);
	if (!vm_area)
		return -ENOMEM;
	for (i = 0; i < LAB_VM_PAGES; i++)
		memset(vm_area + i * PAGE_SIZE, 0xa0 + i, PAGE_SIZE);
	err = kho_preserve_vmalloc(vm_area, vm);
	if (err)
		return err;
	for (i = 0; i < LAB_VM_PAGES; i++)
		lab_record(page_to_phys(vmalloc_to_page(vm_area + i * PAGE_SIZE)),
			   0, "vmalloc-data");
	for (next = vm->first.phys; next; next = chunk->hdr.next.phys) {
		chunk = phys_to_virt(next);
		lab_record(next, 0, "vmalloc-chunk");
	}
	return 0;
}

/*
 * "kho_lab": compatible "kho-lab-v1"; "folios" = (phys, order) u64 pairs;
 * "range" = (phys, pages); "vmalloc" = the raw blob's physical address
 * (the descriptor lives there).
 */
static u32 lab_build_fdt(void)
{
	struct fdt_writer w;
	u64 *pairs;
	unsigned int i;
	int err;

	pairs = kcalloc(2 * nr_folios, sizeof(*pairs), GFP_KERNEL);
	if (!pairs)
		return 0;
	for (i = 0; i < nr_folios; i++) {
		pairs[2 * i] = PFN_PHYS(folio_pfn(folios[i]));
		pairs[2 * i + 1] = folio_order(folios[i]);
	}
	fdtw_begin(&w, fdt_blob, PAGE_SIZE);
	fdtw_begin_node(&w, "");
	fdtw_prop_string(&w, "compatible", "kho-lab-v1");
	fdtw_prop(&w, "folios", pairs, 2 * nr_folios * sizeof(*pairs));
	fdtw_prop_u64(&w, "range-start", PFN_PHYS(range_pfn));
	fdtw_prop_u64(&w, "range-pages", range_pages);
	fdtw_prop_u64(&w, "vmalloc", virt_to_phys(raw_blob));
	fdtw_end_node(&w);
	err = fdtw_finish(&w);
	kfree(pairs);
	return err ? 0 : fdt_totalsize_of(fdt_blob);
}

static int lab_build_truth(void)
{
	size_t cap = 64 + (size_t)nr_blocks * 48, len = 0;
	unsigned int i;

	sort(blocks, nr_blocks, sizeof(*blocks), lab_cmp, NULL);
	truth_text = kvmalloc(cap, GFP_KERNEL);
	if (!truth_text)
		return -ENOMEM;
	for (i = 0; i < nr_blocks; i++)
		len += scnprintf(truth_text + len, cap - len, "0x%llx %u %s\n",
				 blocks[i].phys, blocks[i].order,
				 blocks[i].what);
	truth_blob.data = truth_text;
	truth_blob.size = len;
	snprintf(leak_text, sizeof(leak_text), "0x%llx %u\n",
		 PFN_PHYS(folio_pfn(leak_folio)), folio_order(leak_folio));
	leak_blob.data = leak_text;
	leak_blob.size = strlen(leak_text);
	return 0;
}

static ssize_t lab_loop_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	unsigned long n, i;
	int err;

	err = kstrtoul_from_user(ubuf, count, 0, &n);
	if (err)
		return err;
	if (n > 1000000)
		return -EINVAL;
	mutex_lock(&loop_lock);
	for (i = 0; i < n; i++) {
		err = kho_preserve_folio(loop_folio);
		if (err)
			break;
		kho_unpreserve_folio(loop_folio);
		loop_done++;
	}
	mutex_unlock(&loop_lock);
	return err ? err : count;
}

static const struct file_operations lab_loop_fops = {
	.owner = THIS_MODULE,
	.write = lab_loop_write,
};

/* One folio of leak_loop: preserved, and kept (leaked) or given back. */
static int lab_leak_one(bool keep)
{
	struct folio *folio;
	int err;

	folio = folio_alloc(GFP_KERNEL, rng_below(&rng_state, 3));
	if (!folio)
		return -ENOMEM;
	err = kho_preserve_folio(folio);
	if (err) {
		folio_put(folio);
		return err;
	}
	if (!keep) {
		kho_unpreserve_folio(folio);
		folio_put(folio);
		return 0;
	}
	leaks[nr_leaks].phys = PFN_PHYS(folio_pfn(folio));
	leaks[nr_leaks].order = folio_order(folio);
	leaks[nr_leaks].what = "leak-loop";
	nr_leaks++;
	return 0;
}

static void lab_leaks_text(void)
{
	size_t len = 0;
	unsigned int i;

	sort(leaks, nr_leaks, sizeof(*leaks), lab_cmp, NULL);
	for (i = 0; i < nr_leaks; i++)
		len += scnprintf(leaks_text + len, sizeof(leaks_text) - len,
				 "0x%llx %u\n", leaks[i].phys, leaks[i].order);
	leaks_blob.data = leaks_text;
	leaks_blob.size = len;
}

static ssize_t lab_leak_loop_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	unsigned long n, i;
	int err;

	err = kstrtoul_from_user(ubuf, count, 0, &n);
	if (err)
		return err;
	mutex_lock(&loop_lock);
	if (n > LAB_MAX_LEAKS * 4 - 4 * nr_leaks) {
		mutex_unlock(&loop_lock);
		return -EINVAL;
	}
	for (i = 0; i < n && !err; i++)
		err = lab_leak_one(i % 4 == 3);
	lab_leaks_text();
	mutex_unlock(&loop_lock);
	return err ? err : count;
}

static const struct file_operations lab_leak_loop_fops = {
	.owner = THIS_MODULE,
	.write = lab_leak_loop_write,
};

static bool raw_gapped;

static ssize_t lab_gap_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct page *page = virt_to_page(raw_blob);
	unsigned long v;
	int err;

	err = kstrtoul_from_user(ubuf, count, 0, &v);
	if (err)
		return err;
	if (v != 1)
		return -EINVAL;
	mutex_lock(&loop_lock);
	if (raw_gapped) {
		mutex_unlock(&loop_lock);
		return -EALREADY;
	}
	kho_unpreserve_folio(virt_to_folio(raw_blob));
	err = kho_preserve_pages(page, 1);
	if (!err)
		err = kho_preserve_pages(page + 2, 1);
	if (!err) {
		raw_gapped = true;
		pr_info("kho_lab7: kho_lab_raw page 0x%llx no longer preserved\n",
			PFN_PHYS(page_to_pfn(page + 1)));
	}
	mutex_unlock(&loop_lock);
	return err ? err : count;
}

static const struct file_operations lab_gap_fops = {
	.owner = THIS_MODULE,
	.write = lab_gap_write,
};

static int __init kho_lab7_init(void)
{
	struct lab_raw *raw;
	u32 fdt_size;
	int err;

	if (!kho_is_enabled())
		return -EOPNOTSUPP;
	rng_state = seed;

	err = lab_add_folios();
	if (!err)
		err = lab_add_and_remove();
	if (!err)
		err = lab_add_range();
	if (err)
		return err;

	raw_blob = kho_alloc_preserve(LAB_RAW_SIZE);
	if (IS_ERR(raw_blob))
		return PTR_ERR(raw_blob);
	lab_record(virt_to_phys(raw_blob), get_order(LAB_RAW_SIZE), "blob-raw");
	raw = raw_blob;
	raw->magic = LAB_RAW_MAGIC;
	raw->seed = seed;
	err = lab_add_vmalloc(&raw->vm);
	if (err)
		return err;

	fdt_blob = kho_alloc_preserve(PAGE_SIZE);
	if (IS_ERR(fdt_blob))
		return PTR_ERR(fdt_blob);
	lab_record(virt_to_phys(fdt_blob), 0, "blob-fdt");
	fdt_size = lab_build_fdt();
	if (!fdt_size)
		return -ENOSPC;

	leak_folio = lab_preserve_folio(rng_below(&rng_state, 3), "leaked");
	loop_folio = folio_alloc(GFP_KERNEL, 0);
	if (!leak_folio || !loop_folio)
		return -ENOMEM;

	err = kho_add_subtree("kho_lab", fdt_blob, fdt_size);
	if (!err)
		err = kho_add_subtree("kho_lab_raw", raw_blob, LAB_RAW_SIZE);
	if (!err)
		err = lab_build_truth();
	if (err)
		return err;

	lab_dir = debugfs_create_dir("kho_lab7", NULL);
	debugfs_create_blob("truth", 0444, lab_dir, &truth_blob);
	debugfs_create_blob("leaked", 0444, lab_dir, &leak_blob);
	debugfs_create_file("loop", 0200, lab_dir, NULL, &lab_loop_fops);
	debugfs_create_file("gap_raw", 0200, lab_dir, NULL, &lab_gap_fops);
	debugfs_create_u64("loop_done", 0444, lab_dir, &loop_done);
	debugfs_create_file("leak_loop", 0200, lab_dir, NULL,
			    &lab_leak_loop_fops);
	debugfs_create_blob("leak_loop_truth", 0444, lab_dir, &leaks_blob);
	pr_info("kho_lab7: seed %lu: %u blocks preserved\n", seed, nr_blocks);
	return 0;
}

/*
 * No exit: what the module handed over must stay preserved until the
 * kexec, and its memory must stay allocated (a failed init leaks on
 * purpose for the same reason: the lab guest is thrown away).
 */
module_init(kho_lab7_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("khotools upstream 7.x lab: preserves a seeded set through the KHO API");
