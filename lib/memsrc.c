// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one physical-memory interface every walker reads through. Backends
 * (raw images, libkdumpfile, crash's readmem) supply a read op; this file
 * adds the checks every backend would otherwise repeat: overflow of
 * phys + len, and reads beyond the end of physical memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "memsrc.h"

int khor_mem_create(const struct khor_mem_ops *ops, void *priv,
		    const struct khor_mem_info *info, struct khor_mem **ret)
{
	struct khor_mem *mem = calloc(1, sizeof(*mem));

	if (!mem)
		return -KHOR_ENOMEM;
	mem->ops = ops;
	mem->priv = priv;
	if (info)
		mem->info = *info;
	if (!mem->info.phys_end)
		mem->info.phys_end = UINT64_MAX;
	*ret = mem;
	return 0;
}

int khor_mem_read(struct khor_mem *mem, uint64_t phys, void *buf, size_t len)
{
	mem->errmsg[0] = '\0';
	if (phys + len < phys || phys + len > mem->info.phys_end) {
		khor_mem_set_errmsg(mem,
				    "0x%llx is beyond the end of physical memory (0x%llx)",
				    (unsigned long long)phys,
				    (unsigned long long)mem->info.phys_end);
		return -KHOR_EFAULT;
	}
	if (!len)
		return 0;
	return mem->ops->read(mem, mem->priv, phys, buf, len);
}

int khor_mem_next_present(struct khor_mem *mem, uint64_t from,
			  uint64_t *start, uint64_t *end)
{
	uint64_t s, e;
	int rc;

	if (from >= mem->info.phys_end)
		return -KHOR_ENOTFOUND;
	if (!mem->ops->next_present) {
		*start = from;
		*end = mem->info.phys_end;
		return 0;
	}
	rc = mem->ops->next_present(mem, mem->priv, from, &s, &e);
	if (rc)
		return rc;
	if (s < from)
		s = from;
	if (e > mem->info.phys_end)
		e = mem->info.phys_end;
	if (s >= e)
		return -KHOR_ENOTFOUND;
	*start = s;
	*end = e;
	return 0;
}

const struct khor_mem_info *khor_mem_get_info(const struct khor_mem *mem)
{
	return &mem->info;
}

const char *khor_mem_errmsg(const struct khor_mem *mem)
{
	return mem->errmsg;
}

void khor_mem_set_errmsg(struct khor_mem *mem, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mem->errmsg, sizeof(mem->errmsg), fmt, ap);
	va_end(ap);
}

void khor_mem_destroy(struct khor_mem *mem)
{
	if (!mem)
		return;
	if (mem->ops->close)
		mem->ops->close(mem->priv);
	free(mem);
}
