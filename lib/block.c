// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kho-v4 linked blocks: a chain of one-page blocks, each starting with
 * { u64 next; u64 count; } (packed, CPU byte order) and followed by count
 * entries of a size the client chose. next is the physical address of the
 * next block, 0 ends the chain.
 *
 * Facts from linux-source-7.2.13: include/linux/kho/abi/block.h (struct
 * kho_block_header_ser, KHO_BLOCK_SIZE = PAGE_SIZE); kernel/liveupdate/
 * kho_block.c (KHO_MAX_BLOCKS = 10000; kho_block_set_restore() refuses a
 * cyclic chain, a chain longer than that, and a block whose count is 0 or
 * above (PAGE_SIZE - 16) / entry_size); include/linux/kho_block.h
 * (count_per_block). Blocks come from kho_alloc_preserve(KHO_BLOCK_SIZE),
 * so each is page aligned.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define BLOCK_HDR 16

/* Blocks already followed, for the cycle check: open addressing. */
struct seen {
	uint64_t *slot;
	uint64_t *index;	/* position in the chain of each slot */
	size_t mask;
	size_t used;
};

static size_t seen_hash(uint64_t pa, size_t mask)
{
	return (size_t)((pa >> 12) * UINT64_C(0x9e3779b97f4a7c15) >> 32) & mask;
}

/* -1: out of memory; 0: new, noted; 1: seen, *where_ret set. */
static int seen_add(struct seen *s, uint64_t pa, uint64_t pos,
		    uint64_t *where_ret)
{
	size_t i;

	if (!s->mask || (s->used + 1) * 2 > s->mask + 1) {
		size_t nsize = s->mask ? (s->mask + 1) * 2 : 64;
		uint64_t *ns = calloc(nsize, sizeof(*ns));
		uint64_t *ni = calloc(nsize, sizeof(*ni));

		if (!ns || !ni) {
			free(ns);
			free(ni);
			return -1;
		}
		for (i = 0; s->mask && i <= s->mask; i++) {
			size_t j;

			if (!s->slot[i])
				continue;
			for (j = seen_hash(s->slot[i], nsize - 1); ns[j];
			     j = (j + 1) & (nsize - 1))
				;
			ns[j] = s->slot[i];
			ni[j] = s->index[i];
		}
		free(s->slot);
		free(s->index);
		s->slot = ns;
		s->index = ni;
		s->mask = nsize - 1;
	}
	for (i = seen_hash(pa, s->mask); s->slot[i]; i = (i + 1) & s->mask) {
		if (s->slot[i] == pa) {
			*where_ret = s->index[i];
			return 1;
		}
	}
	s->slot[i] = pa;
	s->index[i] = pos;
	s->used++;
	return 0;
}

int khor_blocks_walk(struct khor_mem *mem, uint64_t head, uint64_t page_size,
		     size_t entry_size, uint64_t max_blocks,
		     khor_block_entry_fn fn, void *arg,
		     struct khor_blocks_result *res, struct khor_error *err)
{
	struct seen seen = { 0 };
	uint64_t per_block, pa, prev = 0, n = 0, entries = 0;
	uint8_t *page = NULL;
	int rc = 0;

	if (res)
		memset(res, 0, sizeof(*res));
	if (!mem || !fn || page_size < 4096 || (page_size & (page_size - 1)) ||
	    !entry_size || entry_size > page_size - BLOCK_HDR)
		return khor_err(err, -KHOR_EINVAL,
				"linked blocks: bad page size %llu or entry size %zu",
				(unsigned long long)page_size, entry_size);
	if (!max_blocks)
		max_blocks = KHOR_BLOCKS_MAX;
	per_block = (page_size - BLOCK_HDR) / entry_size;
	if (!head)
		return 0;
	page = malloc((size_t)page_size);
	if (!page)
		return khor_err(err, -KHOR_ENOMEM, "out of memory");

	for (pa = head; pa; n++) {
		uint64_t where, count, next;
		int r;

		if (pa & (page_size - 1)) {
			if (n)
				rc = khor_err_at(err, -KHOR_ECORRUPT, -1, prev,
						 "linked block %llu at 0x%llx: next 0x%llx is not page-aligned",
						 (unsigned long long)(n - 1),
						 (unsigned long long)prev,
						 (unsigned long long)pa);
			else
				rc = khor_err_at(err, -KHOR_ECORRUPT, -1, pa,
						 "linked blocks: first block 0x%llx is not page-aligned",
						 (unsigned long long)pa);
			break;
		}
		if (n >= max_blocks) {
			rc = khor_err_at(err, -KHOR_ECORRUPT, -1, prev,
					 "linked block %llu at 0x%llx: the chain goes on past %llu blocks (the kernel's limit is %d)",
					 (unsigned long long)(n - 1),
					 (unsigned long long)prev,
					 (unsigned long long)max_blocks,
					 KHOR_BLOCKS_MAX);
			break;
		}
		r = seen_add(&seen, pa, n, &where);
		if (r < 0) {
			rc = khor_err(err, -KHOR_ENOMEM, "out of memory");
			break;
		}
		if (r) {
			rc = khor_err_at(err, -KHOR_ECORRUPT, -1, prev,
					 "linked block %llu at 0x%llx: next 0x%llx is block %llu of this chain (a cycle)",
					 (unsigned long long)(n - 1),
					 (unsigned long long)prev,
					 (unsigned long long)pa,
					 (unsigned long long)where);
			break;
		}
		r = khor_mem_read(mem, pa, page, (size_t)page_size);
		if (r) {
			const char *why = r == -KHOR_EFAULT ?
				"points outside memory" : "not in the dump";

			if (n)
				rc = khor_err_at(err, r == -KHOR_EFAULT ?
						 -KHOR_ECORRUPT : r, -1, pa,
						 "linked block %llu at 0x%llx: next 0x%llx %s: %s",
						 (unsigned long long)(n - 1),
						 (unsigned long long)prev,
						 (unsigned long long)pa, why,
						 khor_mem_errmsg(mem));
			else
				rc = khor_err_at(err, r == -KHOR_EFAULT ?
						 -KHOR_ECORRUPT : r, -1, pa,
						 "linked block 0 at 0x%llx: %s: %s",
						 (unsigned long long)pa, why,
						 khor_mem_errmsg(mem));
			break;
		}
		count = khor_le64(page + 8);
		next = khor_le64(page);
		if (!count || count > per_block) {
			rc = khor_err_at(err, -KHOR_ECORRUPT, -1, pa,
					 "linked block %llu at 0x%llx: count %llu is not in 1..%llu (%zu-byte entries in a %llu-byte block)",
					 (unsigned long long)n,
					 (unsigned long long)pa,
					 (unsigned long long)count,
					 (unsigned long long)per_block, entry_size,
					 (unsigned long long)page_size);
			break;
		}
		if (res) {
			res->blocks = n + 1;
			res->last = pa;
		}
		for (uint64_t i = 0; i < count; i++) {
			r = fn(arg, pa, n, entries,
			       page + BLOCK_HDR + i * entry_size);
			entries++;
			if (res)
				res->entries = entries;
			if (r) {
				rc = r < 0 ? r : -KHOR_ESTOP;
				goto out;
			}
		}
		prev = pa;
		pa = next;
	}
out:
	free(seen.slot);
	free(seen.index);
	free(page);
	return rc;
}
