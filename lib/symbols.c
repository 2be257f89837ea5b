// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kho_out / kho_in from kernel symbols (KHO_ABI.md §6): no VMCOREINFO
 * entry for KHO exists upstream, so a vmcore without a hint needs the
 * kernel's symbols. Sources: an ELF vmlinux's symbol table, a System.map,
 * or SYMBOL(name)= lines in VMCOREINFO. DWARF is not used: the layouts
 * differ by version, so we read the few candidate fields every known
 * layout has and let validation (lib/scan.c) decide:
 *  - kho_out.fdt is a direct-map VA at offset 0 (kho-v2+: TL
 *    kernel/liveupdate/kexec_handover.c @019fc3687237; 6.19 likewise).
 *    6.16-6.18 kept a struct page * there, which is not followed.
 *  - kho_in.fdt_phys is a PA at offset 0 (6.19, v2) or 8 (6.16, after a
 *    struct dentry *).
 * On a running kernel /proc/kallsyms is a fourth source: it names the
 * relocated (KASLR) addresses, so KERNELOFFSET is not added to them.
 * x86_64 only: kernel-image VA -> PA is va + KERNELOFFSET -
 * __START_KERNEL_map + phys_base (both from VMCOREINFO when present, else
 * 0; /proc/kcore carries VMCOREINFO too), and direct-map VA -> PA
 * subtracts page_offset_base (read from memory when the symbol is known,
 * else 0xffff888000000000). A wrong translation reads a page that is not
 * a KHO FDT, which the validation of lib/scan.c rejects.
 * arm64, recognised by NUMBER(kimage_voffset) in VMCOREINFO (written by
 * arch/arm64/kernel/vmcore_info.c, with NUMBER(PHYS_OFFSET) and
 * NUMBER(TCR_EL1_T1SZ), all in hex): kernel-image VA -> PA subtracts
 * kimage_voffset; the linear map starts at PAGE_OFFSET = -2^(64 - T1SZ)
 * (the VA size the kernel runs with, not the configured VA_BITS) and maps
 * PHYS_OFFSET there. Without VMCOREINFO arm64 has no default layout: the
 * symbols are not used and the caller scans.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define START_KERNEL_MAP 0xffffffff80000000ULL
#define DEFAULT_PAGE_OFFSET 0xffff888000000000ULL
#define SYM_HIDDEN 1		/* kallsyms hides the address (kptr_restrict) */

/* The value after "KEY=" at the start of a VMCOREINFO line. */
static bool vmci_value(const char *vmci, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = vmci; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);

		if (ll > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			size_t vl = ll - kl - 1;

			if (vl >= len)
				vl = len - 1;
			memcpy(out, p + kl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/*
 * A System.map or kallsyms file: "ADDR TYPE NAME" lines. kallsyms adds a
 * fourth "[module]" field for modules' symbols (skipped: a module may well
 * have a static kho_out of its own), and shows all-zero addresses when
 * kptr_restrict hides them from this user: SYM_HIDDEN.
 */
static int sym_text_file(const char *path, const char *name, uint64_t *addr)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int rc = -KHOR_ENOTFOUND;

	if (!f)
		return -KHOR_EIO;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char type, sym[256], mod[2];

		if (sscanf(line, "%llx %c %255s %1s", &a, &type, sym, mod) != 3 ||
		    strcmp(sym, name))
			continue;
		if (!a) {
			rc = SYM_HIDDEN;
			continue;
		}
		*addr = a;
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

/* ELF64 little-endian symbol table, read with plain stdio (no libelf). */
static int sym_vmlinux(const char *path, const char *name, uint64_t *addr)
{
	FILE *f = fopen(path, "rb");
	Elf64_Ehdr eh;
	Elf64_Shdr *sh = NULL;
	int rc = -KHOR_ENOTFOUND;

	if (!f)
		return -KHOR_EIO;
	if (fread(&eh, sizeof(eh), 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    !eh.e_shnum) {
		rc = -KHOR_EIO;
		goto out;
	}
	sh = calloc(eh.e_shnum, sizeof(*sh));
	if (!sh || fseeko(f, (off_t)eh.e_shoff, SEEK_SET) ||
	    fread(sh, sizeof(*sh), eh.e_shnum, f) != eh.e_shnum) {
		rc = -KHOR_EIO;
		goto out;
	}
	for (unsigned int i = 0; i < eh.e_shnum && rc; i++) {
		const Elf64_Shdr *st = &sh[i], *str;
		size_t nsyms, nl = strlen(name);
		char *buf;

		if (st->sh_type != SHT_SYMTAB || st->sh_link >= eh.e_shnum ||
		    st->sh_entsize != sizeof(Elf64_Sym))
			continue;
		str = &sh[st->sh_link];
		nsyms = st->sh_size / sizeof(Elf64_Sym);
		buf = malloc(nl + 1);
		if (!buf)
			break;
		for (size_t k = 0; k < nsyms; k++) {
			Elf64_Sym sym;

			if (fseeko(f, (off_t)(st->sh_offset + k * sizeof(sym)), SEEK_SET) ||
			    fread(&sym, sizeof(sym), 1, f) != 1)
				break;
			if (sym.st_name >= str->sh_size ||
			    str->sh_size - sym.st_name < nl + 1 ||
			    fseeko(f, (off_t)(str->sh_offset + sym.st_name), SEEK_SET) ||
			    fread(buf, 1, nl + 1, f) != nl + 1)
				continue;
			if (!memcmp(buf, name, nl + 1)) {
				*addr = sym.st_value;
				rc = 0;
				break;
			}
		}
		free(buf);
	}
out:
	free(sh);
	fclose(f);
	return rc;
}

static int sym_lookup(const struct khor_symbols *syms, struct khor_mem *mem,
		      const char *name, uint64_t *addr_ret,
		      const char **from_ret, bool *relocated)
{
	const char *vmci = mem ? khor_mem_get_info(mem)->vmcoreinfo : NULL;
	uint64_t a;
	int rc;

	*relocated = false;
	if (syms->kallsyms) {
		rc = sym_text_file(syms->kallsyms, name, &a);
		if (rc == -KHOR_EIO || rc == SYM_HIDDEN)
			return rc;
		if (!rc) {
			*addr_ret = a;
			*from_ret = "kallsyms";
			*relocated = true;
			return 0;
		}
	}
	if (syms->vmlinux) {
		rc = sym_vmlinux(syms->vmlinux, name, &a);
		if (rc == -KHOR_EIO)
			return rc;
		if (!rc) {
			*addr_ret = a;
			*from_ret = "vmlinux";
			return 0;
		}
	}
	if (syms->system_map) {
		rc = sym_text_file(syms->system_map, name, &a);
		if (rc == -KHOR_EIO)
			return rc;
		if (!rc) {
			*addr_ret = a;
			*from_ret = "System.map";
			return 0;
		}
	}
	if (syms->use_vmcoreinfo && vmci) {
		char key[300], val[64];
		char *end;

		snprintf(key, sizeof(key), "SYMBOL(%s)", name);
		if (vmci_value(vmci, key, val, sizeof(val))) {
			errno = 0;
			a = strtoull(val, &end, 16);
			if (!errno && end != val) {
				*addr_ret = a;
				*from_ret = "VMCOREINFO";
				return 0;
			}
		}
	}
	return -KHOR_ENOTFOUND;
}

int khor_symbol_lookup(const struct khor_symbols *syms, struct khor_mem *mem,
		       const char *name, uint64_t *addr_ret,
		       const char **from_ret)
{
	bool relocated;
	int rc = sym_lookup(syms, mem, name, addr_ret, from_ret, &relocated);

	return rc == SYM_HIDDEN ? -KHOR_ENOTFOUND : rc;
}

/* arm64's kernel-image and linear-map offsets, when VMCOREINFO has them. */
static bool arm64_layout(const char *vmci, uint64_t *voffset,
			 uint64_t *page_offset, uint64_t *phys_offset)
{
	char val[64];
	uint64_t t1sz;

	if (!vmci || !vmci_value(vmci, "NUMBER(kimage_voffset)", val, sizeof(val)))
		return false;
	*voffset = strtoull(val, NULL, 16);
	if (!vmci_value(vmci, "NUMBER(PHYS_OFFSET)", val, sizeof(val)))
		return false;
	*phys_offset = strtoull(val, NULL, 16);
	if (!vmci_value(vmci, "NUMBER(TCR_EL1_T1SZ)", val, sizeof(val)))
		return false;
	t1sz = strtoull(val, NULL, 16);
	if (t1sz < 12 || t1sz > 39)
		return false;
	*page_offset = ~((UINT64_C(1) << (64 - t1sz)) - 1);
	return true;
}

static bool kimage_pa(const char *vmci, uint64_t va, bool relocated,
		      uint64_t *pa)
{
	uint64_t off = 0, phys_base = 0, voffset, page_offset, phys_offset;
	char val[64];

	if (!relocated && vmci && vmci_value(vmci, "KERNELOFFSET", val, sizeof(val)))
		off = strtoull(val, NULL, 16);
	if (arm64_layout(vmci, &voffset, &page_offset, &phys_offset)) {
		if (va + off < voffset)
			return false;
		*pa = va + off - voffset;
		return true;
	}
	/* arch/x86/kernel/machine_kexec_64.c: VMCOREINFO_NUMBER(phys_base). */
	if (vmci && vmci_value(vmci, "NUMBER(phys_base)", val, sizeof(val)))
		phys_base = (uint64_t)strtoll(val, NULL, 10);
	if (va + off < START_KERNEL_MAP)
		return false;
	*pa = va + off - START_KERNEL_MAP + phys_base;
	return true;
}

/*
 * A direct-map (linear map) address's physical address: on arm64 from
 * VMCOREINFO's layout, on x86-64 from page_offset_base (KASLR moves it)
 * or its default.
 */
static bool direct_map_pa(const struct khor_symbols *syms, struct khor_mem *mem,
			  uint64_t va, uint64_t *pa)
{
	const char *vmci = khor_mem_get_info(mem)->vmcoreinfo, *from;
	uint64_t base = DEFAULT_PAGE_OFFSET, voffset, phys_offset, sva, spa;
	uint8_t buf[8];
	bool reloc;

	if (arm64_layout(vmci, &voffset, &base, &phys_offset)) {
		if (va < base)
			return false;
		*pa = va - base + phys_offset;
		return true;
	}
	if (!sym_lookup(syms, mem, "page_offset_base", &sva, &from, &reloc) &&
	    kimage_pa(vmci, sva, reloc, &spa) && !khor_mem_read(mem, spa, buf, 8) &&
	    khor_le64(buf))
		base = khor_le64(buf);
	if (va < base)
		return false;
	*pa = va - base;
	return true;
}

unsigned int khor_symbol_fdt_addrs(const struct khor_symbols *syms,
				   struct khor_mem *mem, bool incoming,
				   uint64_t *phys, unsigned int max, char *how,
				   size_t howlen)
{
	const char *vmci = khor_mem_get_info(mem)->vmcoreinfo;
	const char *sym = incoming ? "kho_in" : "kho_out", *from;
	uint64_t va, pa, fdt_pa;
	uint8_t buf[16];
	unsigned int n = 0;
	bool reloc;
	int rc;

	rc = sym_lookup(syms, mem, sym, &va, &from, &reloc);
	if (rc == SYM_HIDDEN) {
		snprintf(how, howlen, "symbol %s: %s hides its address (kptr_restrict)",
			 sym, syms->kallsyms);
		return 0;
	}
	if (rc || !kimage_pa(vmci, va, reloc, &pa)) {
		snprintf(how, howlen, "symbol %s not found", sym);
		return 0;
	}
	if (khor_mem_read(mem, pa, buf, sizeof(buf))) {
		snprintf(how, howlen, "symbol %s (%s) at 0x%llx: cannot read it: %s",
			 sym, from, (unsigned long long)pa, khor_mem_errmsg(mem));
		return 0;
	}
	if (incoming) {
		/* fdt_phys at 0 (6.19, kho-v2+) or 8 (6.16). */
		for (unsigned int off = 0; off <= 8 && n < max; off += 8)
			if (khor_le64(buf + off))
				phys[n++] = khor_le64(buf + off);
		snprintf(how, howlen, "symbol kho_in (%s) at 0x%llx: fdt_phys",
			 from, (unsigned long long)pa);
		return n;
	}
	va = khor_le64(buf);
	if (max && direct_map_pa(syms, mem, va, &fdt_pa))
		phys[n++] = fdt_pa;
	snprintf(how, howlen, "symbol kho_out (%s) at 0x%llx: fdt 0x%llx",
		 from, (unsigned long long)pa, (unsigned long long)va);
	return n;
}

/* A kernel-image variable's bytes: its symbol, translated and read. */
static int read_var(const struct khor_symbols *syms, struct khor_mem *mem,
		    const char *name, void *buf, size_t len,
		    struct khor_error *err)
{
	const char *vmci = khor_mem_get_info(mem)->vmcoreinfo, *from;
	uint64_t va, pa;
	bool reloc;
	int rc;

	rc = sym_lookup(syms, mem, name, &va, &from, &reloc);
	if (rc == SYM_HIDDEN)
		return khor_err(err, -KHOR_ENOTFOUND, "symbol %s: %s hides its address "
				"(kptr_restrict)", name, syms->kallsyms);
	if (rc == -KHOR_EIO)
		return khor_err(err, rc, "symbol %s: cannot read the symbol source", name);
	if (rc)
		return khor_err(err, -KHOR_ENOTFOUND, "symbol %s not found", name);
	if (!kimage_pa(vmci, va, reloc, &pa))
		return khor_err(err, -KHOR_ENOTFOUND, "symbol %s (%s) at 0x%llx is not "
				"in the kernel image", name, from, (unsigned long long)va);
	rc = khor_mem_read(mem, pa, buf, len);
	if (rc)
		return khor_err_at(err, rc, -1, pa, "%s (%s) at 0x%llx: %s", name, from,
				   (unsigned long long)pa, khor_mem_errmsg(mem));
	return 0;
}

/* kho_scratch_cnt is nodes_weight(N_MEMORY) + 2 (kernel/liveupdate/kexec_handover.c). */
#define MAX_SCRATCH_CNT 1024

int khor_symbol_scratch(const struct khor_symbols *syms, struct khor_mem *mem,
			const uint64_t *fdt_phys,
			struct khor_scratch_area *areas, unsigned int max,
			unsigned int *n_ret, struct khor_error *err)
{
	uint8_t ptr[8], cnt[4], ent[16];
	uint64_t va, pa, at;
	char how[256];
	uint32_t n;
	int rc;

	khor_error_clear(err);
	/*
	 * Two plain variables carry no check of their own: read at the wrong
	 * place (a KASLR boot whose dump has no KERNELOFFSET, a System.map of
	 * another build) they give wrong areas, not an error. kho_out.fdt,
	 * read through the same translation, must name the FDT already found.
	 */
	if (fdt_phys && (!khor_symbol_fdt_addrs(syms, mem, false, &at, 1, how,
						sizeof(how)) || at != *fdt_phys))
		return khor_err(err, -KHOR_ENOTFOUND, "the symbols do not fit this "
				"memory: %s, but the KHO FDT is at 0x%llx (a KASLR "
				"boot and no KERNELOFFSET in the dump?)", how,
				(unsigned long long)*fdt_phys);
	rc = read_var(syms, mem, "kho_scratch", ptr, sizeof(ptr), err);
	if (!rc)
		rc = read_var(syms, mem, "kho_scratch_cnt", cnt, sizeof(cnt), err);
	if (rc)
		return rc;
	n = khor_le32(cnt);
	va = khor_le64(ptr);
	if (n > MAX_SCRATCH_CNT)
		return khor_err(err, -KHOR_ECORRUPT, "kho_scratch_cnt is %u (at most %u)",
				n, MAX_SCRATCH_CNT);
	if (!n) {
		*n_ret = 0;
		return 0;
	}
	if (va & 15 || !direct_map_pa(syms, mem, va, &pa))
		return khor_err(err, -KHOR_ECORRUPT, "kho_scratch is 0x%llx: not an "
				"address in the direct map", (unsigned long long)va);
	for (uint32_t i = 0; i < n && i < max; i++) {
		rc = khor_mem_read(mem, pa + 16ULL * i, ent, sizeof(ent));
		if (rc)
			return khor_err_at(err, rc, -1, pa + 16ULL * i,
					   "kho_scratch[%u] at 0x%llx: %s", i,
					   (unsigned long long)(pa + 16ULL * i),
					   khor_mem_errmsg(mem));
		areas[i].phys = khor_le64(ent);
		areas[i].size = khor_le64(ent + 8);
	}
	*n_ret = n;
	return 0;
}
