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

/*
 * The pages starting in [s, e) of a present range ending at @rend, in pieces of KHOR_HEADS_CHUNK bytes; a piece
 * that does not read whole (a hole, a truncated dump) is probed page by
 * page, as a scan did before it read in pieces.
 */
static int heads_range(struct khor_mem *mem, uint64_t s, uint64_t e,
		       uint64_t rend, uint64_t ps, uint8_t *buf, khor_head_fn fn,
		       void *arg)
{
	uint64_t per = KHOR_HEADS_CHUNK / ps ? KHOR_HEADS_CHUNK / ps : 1;

	for (uint64_t p = s; p < e;) {
		uint64_t n = (e - p + ps - 1) / ps;
		bool whole, paused;
		int rc;

		if (n > per)
			n = per;
		paused = khor_mem_record_pause(mem, true);
		whole = ps <= KHOR_HEADS_CHUNK && p + n * ps <= rend &&
			!khor_mem_read(mem, p, buf, n * ps);
		khor_mem_record_pause(mem, paused);
		for (uint64_t k = 0; k < n; k++, p += ps) {
			uint8_t head[KHOR_HEAD_LEN];
			const uint8_t *h = buf + k * ps;

			if (!whole) {
				paused = khor_mem_record_pause(mem, true);
				rc = khor_mem_read(mem, p, head, sizeof(head));
				khor_mem_record_pause(mem, paused);
				if (rc)
					continue;
				h = head;
			}
			rc = fn(arg, p, h);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int khor_mem_heads(struct khor_mem *mem, uint64_t from, uint64_t to,
		   uint64_t page_size, khor_head_fn fn, void *arg)
{
	uint64_t rstart, rend;
	uint8_t *buf;
	int rc = 1;

	if (mem->heads)
		rc = mem->heads(mem, from, to, page_size, fn, arg);
	if (rc != 1)
		return rc;
	buf = malloc(KHOR_HEADS_CHUNK);
	if (!buf)
		return -KHOR_ENOMEM;
	rc = 0;
	while (!rc && from < to &&
	       !khor_mem_next_present(mem, from, &rstart, &rend)) {
		uint64_t p = (rstart + page_size - 1) & ~(page_size - 1);

		if (p < rstart)
			break;		/* rounding wrapped at the top */
		rc = heads_range(mem, p, rend < to ? rend : to, rend, page_size,
				 buf, fn, arg);
		if (rend <= from)
			break;
		from = rend;
	}
	free(buf);
	return rc;
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
