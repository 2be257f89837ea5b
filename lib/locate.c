// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Locate the KHO FDT (file, debugfs, physical address) and derive the map
 * to walk from it. Shared by every tool and the crash extension.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "internal.h"

#define DEFAULT_DEBUGFS "/sys/kernel/debug/kho"

static int page_shift_of(uint64_t page_size, unsigned int *shift,
			 struct khor_error *err)
{
	unsigned int s;

	for (s = 12; s <= 16; s++)
		if ((UINT64_C(1) << s) == page_size) {
			*shift = s;
			return 0;
		}
	return khor_err(err, -KHOR_EINVAL,
			"unsupported page size %llu (expected 4096 to 65536)",
			(unsigned long long)page_size);
}

static int read_fdt_file(const char *path, struct khor_located *loc,
			 struct khor_error *err)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return khor_err(err, -KHOR_EIO, "cannot open '%s': %s", path,
				strerror(errno));
	n = fread(loc->fdt, 1, sizeof(loc->fdt), f);
	if (ferror(f)) {
		fclose(f);
		return khor_err(err, -KHOR_EIO, "cannot read '%s': %s", path,
				strerror(errno));
	}
	fclose(f);
	loc->fdt_len = n;
	return 0;
}

static int read_fdt_phys(struct khor_mem *mem, uint64_t phys,
			 struct khor_located *loc, struct khor_error *err)
{
	uint32_t total;
	int rc;

	if (!mem)
		return khor_err(err, -KHOR_EINVAL,
				"--fdt-phys needs a memory source");
	rc = khor_mem_read(mem, phys, loc->fdt, sizeof(struct fdt_header));
	if (rc)
		return khor_err_at(err, rc == -KHOR_ENODATA ? rc : -KHOR_EIO, -1,
				   phys, "cannot read the FDT at 0x%llx: %s",
				   (unsigned long long)phys, khor_mem_errmsg(mem));
	if (fdt_magic(loc->fdt) != FDT_MAGIC)
		return khor_err_at(err, -KHOR_EFORMAT, -1, phys,
				   "no FDT at 0x%llx (magic 0x%08x)",
				   (unsigned long long)phys, fdt_magic(loc->fdt));
	total = fdt_totalsize(loc->fdt);
	if (total < sizeof(struct fdt_header) || total > sizeof(loc->fdt))
		return khor_err_at(err, -KHOR_ECORRUPT, -1, phys,
				   "FDT at 0x%llx: totalsize %u is implausible (at most %zu)",
				   (unsigned long long)phys, total, sizeof(loc->fdt));
	rc = khor_mem_read(mem, phys, loc->fdt, total);
	if (rc)
		return khor_err_at(err, rc == -KHOR_ENODATA ? rc : -KHOR_ECORRUPT,
				   -1, phys, "cannot read the FDT at 0x%llx (%u bytes): %s",
				   (unsigned long long)phys, total,
				   khor_mem_errmsg(mem));
	loc->fdt_len = total;
	loc->fdt_phys = phys;
	loc->have_fdt_phys = true;
	return 0;
}

static bool have_symbols(const struct khor_symbols *s)
{
	return s && (s->vmlinux || s->system_map || s->use_vmcoreinfo ||
		     s->kallsyms);
}

static int locate_by_symbols(struct khor_mem *mem,
			     const struct khor_locate_opts *opts,
			     const struct khor_symbols *syms, uint64_t page_size,
			     struct khor_located *ret, struct khor_error *err)
{
	uint64_t addrs[2];
	char how[256];
	unsigned int n;
	int rc;

	n = khor_symbol_fdt_addrs(syms, mem, opts->incoming, addrs, 2, how,
				  sizeof(how));
	if (!n)
		return khor_err(err, -KHOR_ENOTFOUND, "%s", how);
	rc = khor_choose_among(mem, addrs, n, page_size,
			       opts->scan_opts.max_nodes, opts->incoming, ret,
			       err);
	if (rc) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return khor_err(err, rc, "%s: %s", how, msg);
	}
	rc = read_fdt_phys(mem, ret->fdt_phys, ret, err);
	snprintf(ret->how, sizeof(ret->how), "%s: 0x%llx, %s", how,
		 (unsigned long long)ret->fdt_phys, ret->why);
	return rc;
}

/* lib/scan.c: every KHO FDT in memory, validated; one chosen. */
static int locate_by_scan(struct khor_mem *mem,
			  const struct khor_locate_opts *opts, uint64_t page_size,
			  struct khor_located *ret, struct khor_error *err)
{
	int rc = khor_scan(mem, &opts->scan_opts, page_size, opts->incoming,
			   ret, err);

	if (!rc)
		rc = read_fdt_phys(mem, ret->fdt_phys, ret, err);
	snprintf(ret->how, sizeof(ret->how), "--scan: 0x%llx, %s",
		 (unsigned long long)ret->fdt_phys, ret->why);
	return rc;
}

/* A debugfs FDT file is usable as it is when it holds the whole FDT. */
static bool fdt_file_complete(const struct khor_located *loc, char *why,
			      size_t len, const char *path)
{
	uint32_t total;

	if (loc->fdt_len < sizeof(struct fdt_header) ||
	    fdt_magic(loc->fdt) != FDT_MAGIC) {
		snprintf(why, len, "'%.200s' holds no FDT", path);
		return false;
	}
	total = fdt_totalsize(loc->fdt);
	if (total > loc->fdt_len) {
		/*
		 * Upstream sizes the debugfs blob when KHO initialises
		 * (fs_initcall); sub-nodes added later (LUO, memblock,
		 * test_kho) make the FDT outgrow it.
		 */
		snprintf(why, len, "'%.200s' shows %zu of the FDT's %u bytes", path,
			 loc->fdt_len, total);
		return false;
	}
	return true;
}

/*
 * A running kernel with no location given: debugfs when its file holds
 * the whole FDT; else the FDT itself through the live memory source, at
 * the address kho_out.fdt / kho_in.fdt_phys hold (/proc/kallsyms); else a
 * bounded scan. @ret->note says which and why.
 */
static int locate_live(struct khor_mem *mem, const struct khor_locate_opts *opts,
		       uint64_t page_size, struct khor_located *ret,
		       struct khor_error *err)
{
	const struct khor_symbols syms = { .kallsyms = "/proc/kallsyms" };
	char path[512], why[300], symwhy[sizeof(err->msg)];
	int rc;

	snprintf(path, sizeof(path), "%s/%s/fdt", DEFAULT_DEBUGFS,
		 opts->incoming ? "in" : "out");
	rc = read_fdt_file(path, ret, err);
	if (!rc && fdt_file_complete(ret, why, sizeof(why), path)) {
		snprintf(ret->how, sizeof(ret->how), "debugfs %s", path);
		return 0;
	}
	if (rc)
		snprintf(why, sizeof(why), "%.280s", err ? err->msg : path);
	/*
	 * Upstream creates out/fdt only on a kernel that did not itself
	 * boot through KHO (kho_init() returns early after setting up in/).
	 * No other symbol source was given (khor_locate() would have used
	 * it): the running kernel's own.
	 */
	if (err)
		khor_error_clear(err);
	rc = locate_by_symbols(mem, opts, &syms, page_size, ret, err);
	if (!rc) {
		snprintf(ret->note, sizeof(ret->note),
			 "the KHO FDT at 0x%llx, read from memory: %s; %.300s",
			 (unsigned long long)ret->fdt_phys,
			 opts->incoming ? "kho_in.fdt_phys" : "kho_out.fdt", why);
		return 0;
	}
	snprintf(symwhy, sizeof(symwhy), "%s", err ? err->msg : "");
	if (err)
		khor_error_clear(err);
	memset(ret->cands, 0, sizeof(ret->cands));
	ret->ncands = 0;
	rc = locate_by_scan(mem, opts, page_size, ret, err);
	if (rc) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		return khor_err(err, rc, "no KHO FDT on this system: %s; %s; %s",
				why, symwhy, msg);
	}
	snprintf(ret->note, sizeof(ret->note),
		 "the KHO FDT at 0x%llx, found by a scan of memory (%.100s): %.200s; %.150s",
		 (unsigned long long)ret->fdt_phys, ret->why, why, symwhy);
	return 0;
}

int khor_locate(struct khor_mem *mem, const struct khor_locate_opts *opts,
		struct khor_located *ret, struct khor_error *err)
{
	const struct khor_mem_info *mi = mem ? khor_mem_get_info(mem) : NULL;
	uint64_t page_size = opts->page_size;
	unsigned int shift;
	char path[512];
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (!page_size && mi && mi->page_size)
		page_size = mi->page_size;
	if (!page_size)
		page_size = 4096;
	rc = page_shift_of(page_size, &shift, err);
	if (rc)
		return rc;
	khor_geom_init(&ret->map.geom, shift);

	if (opts->have_root) {
		ret->map.format = opts->root_format ? opts->root_format :
				  KHOR_FMT_RADIX;
		ret->map.root = opts->root;
		snprintf(ret->how, sizeof(ret->how), "--root 0x%llx",
			 (unsigned long long)opts->root);
		return 0;
	}
	if (opts->fdt_file) {
		rc = read_fdt_file(opts->fdt_file, ret, err);
		snprintf(ret->how, sizeof(ret->how), "file %s", opts->fdt_file);
	} else if (opts->have_fdt_phys) {
		rc = read_fdt_phys(mem, opts->fdt_phys, ret, err);
		snprintf(ret->how, sizeof(ret->how), "--fdt-phys 0x%llx",
			 (unsigned long long)opts->fdt_phys);
	} else if (opts->scan) {
		if (!mem)
			return khor_err(err, -KHOR_EINVAL, "--scan needs a memory source");
		rc = locate_by_scan(mem, opts, page_size, ret, err);
	} else if (mem && have_symbols(opts->symbols)) {
		rc = locate_by_symbols(mem, opts, opts->symbols, page_size, ret,
				       err);
	} else if (mem && mi->live && !opts->debugfs) {
		rc = locate_live(mem, opts, page_size, ret, err);
	} else {
		snprintf(path, sizeof(path), "%s/%s/fdt",
			 opts->debugfs ? opts->debugfs : DEFAULT_DEBUGFS,
			 opts->incoming ? "in" : "out");
		rc = read_fdt_file(path, ret, err);
		snprintf(ret->how, sizeof(ret->how), "debugfs %s", path);
	}
	if (rc)
		return rc;
	ret->have_fdt = true;
	rc = khor_fdt_decode(ret->fdt, ret->fdt_len, opts->force_version,
			     &ret->info, err);
	if (rc) {
		if (err && ret->have_fdt_phys) {
			err->has_phys = true;
			err->phys = ret->fdt_phys;
		}
		return rc;
	}
	if (!ret->info.has_mem_map)
		return khor_err(err, -KHOR_ECORRUPT,
				"KHO FDT (%s) has no 'preserved-memory-map' property",
				ret->how);
	ret->map.format = ret->info.format;
	ret->map.root = ret->info.mem_map;
	/*
	 * What the previous kernel handed over: its tree pages were never
	 * preserved, and this kernel freed them once it had read the map
	 * (kho_mem_retrieve() in kernel/liveupdate/kexec_handover.c, 7.2).
	 */
	ret->map_released = opts->incoming;
	return 0;
}
