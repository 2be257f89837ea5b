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
 *
 * With measure=1 the module preserves nothing at load and offers instead
 * (kernel-patch/v7 measurements; times in CPU cycles, get_cycles(): the
 * lab guest's only clocksource is refined-jiffies, 4 ms a tick, since
 * tinyconfig has no HPET or ACPI PM timer to calibrate the TSC against,
 * while TCG's TSC runs at the host's constant rate):
 *  keys    (write "N") preserve keys 0 .. N-1 of its fixed key set and
 *          keep them ("0": unpreserve those); key i is a block of order
 *          i % 10 at offset 1 << order in chunk (i / 10) % LAB_POOL_CHUNKS
 *          of a pool of order-10 allocations spread over the guest's RAM
 *          (lowest address first), so keys never overlap
 *  churn   (write "N") preserve keys 0 .. N-1, then unpreserve them
 *  range   (write "NR REPS") REPS times kho_preserve_pages() and
 *          kho_unpreserve_pages() of the NR - 1 pages from page 1 of the
 *          contiguous 1 GiB (NR = 262144 pages) allocated at load, so the
 *          range is unaligned and split into blocks of orders 0 .. 17
 *  vmalloc (write "NR REPS") REPS times kho_preserve_vmalloc() and
 *          kho_unpreserve_vmalloc() of a vmalloc() area of NR pages,
 *          allocated on first use and kept; the result also says how many
 *          runs of physically consecutive pages the area has
 *  result  the last command's result, "name value" lines; "keys" adds
 *          "chunk I 0xPHYS" for each pool chunk
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/timex.h>
#include <linux/log2.h>
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

static bool measure;
module_param(measure, bool, 0444);
MODULE_PARM_DESC(measure, "preserve nothing at load; offer the measurement files");

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


/* ---- measure=1: metadata after churn, time of a range ---- */

#define LAB_POOL_CHUNKS	128		/* order-10 chunks: 512 MiB */
#define LAB_POOL_ORDER	10
#define LAB_KEY_ORDERS	10
#define LAB_MAX_KEYS	(LAB_POOL_CHUNKS * LAB_KEY_ORDERS)

static struct page *pool[LAB_POOL_CHUNKS];
static unsigned long keys_kept;
static struct page *range_area;
static unsigned long range_area_pages;
static void *vm_area;
static unsigned long vm_area_pages;
static char result_text[8192];
static struct debugfs_blob_wrapper result_blob = { .data = result_text };
static DEFINE_MUTEX(measure_lock);

static void lab_key(unsigned long i, unsigned long *pfn, unsigned int *order)
{
	*order = i % LAB_KEY_ORDERS;
	*pfn = page_to_pfn(pool[(i / LAB_KEY_ORDERS) % LAB_POOL_CHUNKS]) +
	       (1UL << *order);
}

/* Preserve keys [from, to); on failure unpreserve what this call added. */
static int lab_keys_add(unsigned long from, unsigned long to)
{
	unsigned long i, pfn;
	unsigned int order;
	int err;

	for (i = from; i < to; i++) {
		lab_key(i, &pfn, &order);
		err = kho_preserve_pages(pfn_to_page(pfn), 1UL << order);
		if (err) {
			while (i-- > from) {
				lab_key(i, &pfn, &order);
				kho_unpreserve_pages(pfn_to_page(pfn), 1UL << order);
			}
			return err;
		}
	}
	return 0;
}

static void lab_keys_del(unsigned long from, unsigned long to)
{
	unsigned long i, pfn;
	unsigned int order;

	for (i = from; i < to; i++) {
		lab_key(i, &pfn, &order);
		kho_unpreserve_pages(pfn_to_page(pfn), 1UL << order);
	}
}

static void lab_result(const char *fmt, ...)
{
	size_t len = strlen(result_text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(result_text + len, sizeof(result_text) - len, fmt, ap);
	va_end(ap);
	result_blob.size = strlen(result_text);
}

static int lab_page_cmp(const void *a, const void *b)
{
	unsigned long x = page_to_pfn(*(struct page * const *)a);
	unsigned long y = page_to_pfn(*(struct page * const *)b);

	return x < y ? -1 : x > y;
}

/*
 * The pool: LAB_POOL_CHUNKS order-10 chunks spread evenly over the memory
 * the allocator could give (up to LAB_POOL_TRY chunks are taken, sorted by
 * address, every k-th kept, the rest freed), so that keys land in leaves
 * across the guest's RAM as a long-running host's preservations would.
 */
#define LAB_POOL_TRY	640

static int lab_pool_alloc(void)
{
	struct page **all;
	unsigned int i, n = 0, step;

	all = kcalloc(LAB_POOL_TRY, sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	while (n < LAB_POOL_TRY) {
		all[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY,
				     LAB_POOL_ORDER);
		if (!all[n])
			break;
		n++;
	}
	if (n < LAB_POOL_CHUNKS) {
		while (n)
			__free_pages(all[--n], LAB_POOL_ORDER);
		kfree(all);
		return -ENOMEM;
	}
	sort(all, n, sizeof(*all), lab_page_cmp, NULL);
	step = n / LAB_POOL_CHUNKS;
	for (i = 0; i < n; i++) {
		if (i % step == 0 && i / step < LAB_POOL_CHUNKS)
			pool[i / step] = all[i];
		else
			__free_pages(all[i], LAB_POOL_ORDER);
	}
	kfree(all);
	pr_info("kho_lab7: pool of %u chunks from 0x%llx to 0x%llx (1 in %u of %u)\n",
		LAB_POOL_CHUNKS, (u64)PFN_PHYS(page_to_pfn(pool[0])),
		(u64)PFN_PHYS(page_to_pfn(pool[LAB_POOL_CHUNKS - 1])), step, n);
	return 0;
}

static int lab_measure_range(unsigned long nr, unsigned long reps)
{
	unsigned long r;
	u64 t0, t1, t2;
	int err;

	/* The area allocated at load (LAB_RANGE_PAGES), or none. */
	if (!range_area)
		return -ENOMEM;
	if (nr != range_area_pages || reps > 1000)
		return -EINVAL;
	lab_result("range_phys 0x%llx\nrange_pages %lu\n",
		   (u64)PFN_PHYS(page_to_pfn(range_area) + 1), nr - 1);
	for (r = 0; r < reps; r++) {
		t0 = get_cycles();
		err = kho_preserve_pages(range_area + 1, nr - 1);
		t1 = get_cycles();
		if (err)
			return err;
		kho_unpreserve_pages(range_area + 1, nr - 1);
		t2 = get_cycles();
		lab_result("range_preserve_cycles %llu\nrange_unpreserve_cycles %llu\n",
			   t1 - t0, t2 - t1);
	}
	return 0;
}

static int lab_measure_vmalloc(unsigned long nr, unsigned long reps)
{
	struct kho_vmalloc pres;
	unsigned long i, runs = 0, prev = 0, pfn;
	unsigned long r;
	u64 t0, t1, t2;
	int err;

	if (!nr || nr > (1UL << (30 - PAGE_SHIFT)) || reps > 1000 ||
	    (vm_area && nr != vm_area_pages))
		return -EINVAL;
	if (!vm_area) {
		vm_area = vmalloc(nr << PAGE_SHIFT);
		if (!vm_area)
			return -ENOMEM;
		vm_area_pages = nr;
	}
	for (i = 0; i < nr; i++) {
		pfn = vmalloc_to_pfn(vm_area + (i << PAGE_SHIFT));
		if (!i || pfn != prev + 1)
			runs++;
		prev = pfn;
	}
	lab_result("vmalloc_pages %lu\nvmalloc_runs %lu\n", nr, runs);
	for (r = 0; r < reps; r++) {
		memset(&pres, 0, sizeof(pres));
		t0 = get_cycles();
		err = kho_preserve_vmalloc(vm_area, &pres);
		t1 = get_cycles();
		if (err)
			return err;
		kho_unpreserve_vmalloc(&pres);
		t2 = get_cycles();
		lab_result("vmalloc_preserve_cycles %llu\nvmalloc_unpreserve_cycles %llu\n",
			   t1 - t0, t2 - t1);
	}
	return 0;
}

static ssize_t lab_measure_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	const char *what = file->f_path.dentry->d_name.name;
	unsigned long a = 0, b = 0;
	char buf[64];
	u64 t0, t1, t2;
	int err = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	if (sscanf(buf, "%lu %lu", &a, &b) < 1)
		return -EINVAL;

	mutex_lock(&measure_lock);
	result_text[0] = 0;
	result_blob.size = 0;
	if (!strcmp(what, "keys")) {
		if (a > LAB_MAX_KEYS) {
			err = -EINVAL;
		} else if (a > keys_kept) {
			err = lab_keys_add(keys_kept, a);
			if (!err)
				keys_kept = a;
		} else {
			lab_keys_del(a, keys_kept);
			keys_kept = a;
		}
		lab_result("keys %lu\n", keys_kept);
		/* Where the pool is, to compare key sets across boots. */
		for (a = 0; a < LAB_POOL_CHUNKS; a++)
			lab_result("chunk %lu 0x%llx\n", a,
				   (u64)PFN_PHYS(page_to_pfn(pool[a])));
	} else if (!strcmp(what, "churn")) {
		if (a > LAB_MAX_KEYS || keys_kept) {
			err = -EINVAL;
		} else {
			t0 = get_cycles();
			err = lab_keys_add(0, a);
			t1 = get_cycles();
			if (!err)
				lab_keys_del(0, a);
			t2 = get_cycles();
			lab_result("churn_keys %lu\nchurn_preserve_cycles %llu\nchurn_unpreserve_cycles %llu\n",
				   a, t1 - t0, t2 - t1);
		}
	} else if (!strcmp(what, "range")) {
		err = lab_measure_range(a, b);
	} else if (!strcmp(what, "vmalloc")) {
		err = lab_measure_vmalloc(a, b);
	} else {
		err = -EINVAL;
	}
	mutex_unlock(&measure_lock);
	return err ? err : count;
}

static const struct file_operations lab_measure_fops = {
	.owner = THIS_MODULE,
	.write = lab_measure_write,
};

/* 1 GiB, a power of two: alloc_contig_pages() aligns its search to it. */
#define LAB_RANGE_PAGES	(1UL << (30 - PAGE_SHIFT))

static int lab_measure_init(void)
{
	int err;

	/*
	 * First, while a whole aligned GiB is still free: movable, so that
	 * ZONE_MOVABLE (movablecore= on the measure run's command line),
	 * which only ever holds movable pages, can give it.
	 */
	range_area = alloc_contig_pages(LAB_RANGE_PAGES,
					GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0, NULL);
	if (range_area)
		range_area_pages = LAB_RANGE_PAGES;
	err = lab_pool_alloc();
	if (err)
		return err;
	lab_dir = debugfs_create_dir("kho_lab7", NULL);
	debugfs_create_file("keys", 0200, lab_dir, NULL, &lab_measure_fops);
	debugfs_create_file("churn", 0200, lab_dir, NULL, &lab_measure_fops);
	debugfs_create_file("range", 0200, lab_dir, NULL, &lab_measure_fops);
	debugfs_create_file("vmalloc", 0200, lab_dir, NULL, &lab_measure_fops);
	debugfs_create_blob("result", 0444, lab_dir, &result_blob);
	pr_info("kho_lab7: measure mode, %u pool chunks of order %u\n",
		LAB_POOL_CHUNKS, LAB_POOL_ORDER);
	return 0;
}

static int __init kho_lab7_init(void)
{
	struct lab_raw *raw;
	u32 fdt_size;
	int err;

	if (!kho_is_enabled())
		return -EOPNOTSUPP;
	if (measure)
		return lab_measure_init();
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
