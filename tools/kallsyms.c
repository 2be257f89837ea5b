// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/kallsyms as a sorted table: enough to name the frames of the
 * kernel stacks khotrace collects, modules included.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int ksyms_load(struct ksyms *ks, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 0;

	memset(ks, 0, sizeof(*ks));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char type, name[256], mod[128] = "";
		unsigned long long addr;
		int n = sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, mod);
		struct ksym *k;

		if (n < 3)
			continue;
		if (ks->n == cap) {
			cap = cap ? cap * 2 : 65536;
			k = realloc(ks->syms, cap * sizeof(*k));
			if (!k)
				goto nomem;
			ks->syms = k;
		}
		k = &ks->syms[ks->n];
		k->name = strdup(name);
		k->mod = n == 4 ? strdup(mod) : NULL;
		if (!k->name || (n == 4 && !k->mod)) {
			free(k->name);
			free(k->mod);
			goto nomem;
		}
		k->addr = addr;
		k->text = type == 't' || type == 'T' || type == 'W' || type == 'w';
		ks->n++;
		if (addr)
			ks->have_addrs = true;
	}
	fclose(f);
	/* qsort()'s base must not be NULL, even for 0 elements (make analyze). */
	if (ks->n)
		qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
	return 0;
nomem:
	fclose(f);
	ksyms_free(ks);
	return -ENOMEM;
}

void ksyms_free(struct ksyms *ks)
{
	for (size_t i = 0; i < ks->n; i++) {
		free(ks->syms[i].name);
		free(ks->syms[i].mod);
	}
	free(ks->syms);
	memset(ks, 0, sizeof(*ks));
}

const struct ksym *ksyms_find(const struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi = ks->n;

	if (!ks->have_addrs)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0) {
		const struct ksym *k = &ks->syms[--lo];

		/* Far from any symbol: JIT code, a trampoline, not a function. */
		if (addr - k->addr > (1 << 16))
			break;
		if (k->text)
			return k;
	}
	return NULL;
}

void ksyms_format(const struct ksyms *ks, uint64_t addr, char *buf, size_t len)
{
	const struct ksym *k = ksyms_find(ks, addr);

	if (!k)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (k->mod)
		snprintf(buf, len, "%s+0x%llx [%s]", k->name,
			 (unsigned long long)(addr - k->addr), k->mod);
	else
		snprintf(buf, len, "%s+0x%llx", k->name, (unsigned long long)(addr - k->addr));
}
