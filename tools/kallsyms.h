/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A symbol table from /proc/kallsyms, for naming kernel stack frames.
 * khotrace's: the other tools read symbols through the library.
 */
#ifndef KHOTOOLS_KALLSYMS_H
#define KHOTOOLS_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	char *name;
	char *mod;	/* NULL: vmlinux */
	bool text;
};

struct ksyms {
	struct ksym *syms;	/* ascending address */
	size_t n;
	bool have_addrs;	/* kptr_restrict hides them from non-root */
};

/* Read @path (/proc/kallsyms); 0, or a negative errno with @ks empty. */
int ksyms_load(struct ksyms *ks, const char *path);
void ksyms_free(struct ksyms *ks);

/* The text symbol containing @addr, or NULL (none near: JIT code). */
const struct ksym *ksyms_find(const struct ksyms *ks, uint64_t addr);

/* "name+0xoff [mod]", or "0x<addr>" when no symbol contains it. */
void ksyms_format(const struct ksyms *ks, uint64_t addr, char *buf, size_t len);

#endif
