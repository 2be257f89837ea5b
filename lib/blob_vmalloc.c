// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kho_vmalloc descriptors and their chunk lists (kho_preserve_vmalloc()).
 *
 * Verified in TL include/linux/kho/abi/kexec_handover.h @c17ee635fd3a:
 *	struct kho_vmalloc {			16 bytes, natural alignment
 *		union { u64 phys; ptr } first;	offset 0, PA of the first chunk
 *		unsigned int total_pages;	offset 8
 *		unsigned short flags;		offset 12
 *		unsigned short order;		offset 14
 *	};
 *	struct kho_vmalloc_chunk {		one page (static_assert)
 *		struct kho_vmalloc_hdr { u64 next; } hdr;	PA, 0 ends
 *		u64 phys[(PAGE_SIZE - 8) / 8];	zero terminated
 *	};
 * Flags (kernel/liveupdate/kexec_handover.c, later kho_vmalloc.c):
 * KHO_VMALLOC_ALLOC 0x1, KHO_VMALLOC_HUGE_VMAP 0x2. Each phys[] entry is a
 * block of 1 << order pages; chunk pages are preserved (order 0) by
 * new_vmalloc_chunk(). Values are CPU byte order.
 */
#include <stdlib.h>
#include <string.h>

#include "blob_internal.h"

#define VM_FLAG_ALLOC 0x1
#define VM_FLAG_HUGE_VMAP 0x2

struct vm_desc {
	uint64_t first;
	uint32_t total_pages;
	uint16_t flags;
	uint16_t order;
};

static struct vm_desc vm_parse(const uint8_t d[16])
{
	struct vm_desc v = {
		.first = khor_le64(d),
		.total_pages = khor_le32(d + 8),
		.flags = (uint16_t)(d[12] | d[13] << 8),
		.order = (uint16_t)(d[14] | d[15] << 8),
	};

	return v;
}

/*
 * Chunk pages already followed: a list that comes back to one is a loop.
 * Open addressing over page addresses (never 0: 0 ends the list).
 */
struct chunk_set {
	uint64_t *slot;
	size_t mask;
	size_t used;
};

/* 1 if @pa was seen, 0 if it is new (now noted), -KHOR_ENOMEM. */
static int chunk_set_add(struct chunk_set *s, uint64_t pa)
{
	size_t i;

	if (!s->mask || (s->used + 1) * 2 > s->mask + 1) {
		size_t nsize = s->mask ? (s->mask + 1) * 2 : 64;
		uint64_t *ns = calloc(nsize, sizeof(*ns));

		if (!ns)
			return -KHOR_ENOMEM;
		for (i = 0; s->mask && i <= s->mask; i++) {
			size_t j;

			if (!s->slot[i])
				continue;
			for (j = (s->slot[i] >> 12) & (nsize - 1); ns[j];
			     j = (j + 1) & (nsize - 1))
				;
			ns[j] = s->slot[i];
		}
		free(s->slot);
		s->slot = ns;
		s->mask = nsize - 1;
	}
	for (i = (pa >> 12) & s->mask; s->slot[i]; i = (i + 1) & s->mask)
		if (s->slot[i] == pa)
			return 1;
	s->slot[i] = pa;
	s->used++;
	return 0;
}

/*
 * Follow the chunk list of @desc: describe it under @out and return the
 * block addresses in order (at most what total_pages needs), so callers
 * can read the vmalloc'ed contents. Returns 0 or the worst problem.
 *
 * total_pages is untrusted: the block array grows with the entries
 * actually read, never to what total_pages claims, and a chunk met twice
 * ends the list, so memory and work are bounded by the chunks the dump
 * holds (fuzz/blob.c found a calloc of 32 GiB: TESTING.md, F4).
 */
int vmalloc_blocks(struct blob_ctx *c, const uint8_t desc[16],
		   struct khor_value *out, uint64_t **blocks_ret,
		   uint64_t *nblocks_ret, unsigned int *order_ret)
{
	return vmalloc_blocks_owned(c, desc, out, 0, blocks_ret, nblocks_ret,
				    order_ret);
}

/*
 * Owners: the chunk pages and the data blocks are told apart (a "chunks"
 * and a "data" node under @area), so that a leak of one kind shows.
 */
int vmalloc_blocks_owned(struct blob_ctx *c, const uint8_t desc[16],
			 struct khor_value *out, uint32_t area,
			 uint64_t **blocks_ret, uint64_t *nblocks_ret,
			 unsigned int *order_ret)
{
	uint32_t chunks_owner = 0, data_owner = 0;
	struct vm_desc v = vm_parse(desc);
	uint64_t per_chunk = (c->page_size - 8) / 8;
	int rc;
	uint64_t want, nblocks = 0, nchunks = 0, max_chunks, chunk, cap = 0;
	struct chunk_set seen = { 0 };
	struct khor_value *chunks;
	uint64_t *blocks = NULL;
	uint8_t *page = NULL;
	int status = 0;

	kv_hex(out, "first", v.first);
	kv_uint(out, "total_pages", v.total_pages);
	kv_hex(out, "flags", v.flags);
	if (v.flags) {
		struct khor_value *names = kv_list(out, "flag_names");

		if (v.flags & VM_FLAG_ALLOC)
			kv_str(names, NULL, "ALLOC");
		if (v.flags & VM_FLAG_HUGE_VMAP)
			kv_str(names, NULL, "HUGE_VMAP");
		if (v.flags & ~(VM_FLAG_ALLOC | VM_FLAG_HUGE_VMAP))
			kv_str(names, NULL, "unknown");
	}
	kv_uint(out, "order", v.order);
	*blocks_ret = NULL;
	*nblocks_ret = 0;
	*order_ret = v.order;
	if (v.order >= 64 - 12) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "kho_vmalloc: order %u is impossible", v.order);
		return c->status;
	}
	/* Blocks needed for total_pages; the list may hold no more. */
	want = ((uint64_t)v.total_pages + (1ULL << v.order) - 1) >> v.order;
	max_chunks = want / per_chunk + 1;
	if (want) {
		page = malloc((size_t)c->page_size);
		if (!page) {
			blob_problem(c, -KHOR_ENOMEM, false, 0, "out of memory");
			return -KHOR_ENOMEM;
		}
	}
	chunks = kv_list(out, "chunks");
	for (chunk = v.first; chunk && nblocks < want; ) {
		uint64_t i, next;

		if (chunk & (c->page_size - 1)) {
			blob_problem(c, -KHOR_ECORRUPT, true, chunk,
				     "kho_vmalloc chunk 0x%llx is not page-aligned",
				     (unsigned long long)chunk);
			break;
		}
		rc = chunk_set_add(&seen, chunk);
		if (rc < 0)
			goto nomem;
		if (rc) {
			blob_problem(c, -KHOR_ECORRUPT, true, chunk,
				     "kho_vmalloc: chunk 0x%llx is already in the list (a loop)",
				     (unsigned long long)chunk);
			break;
		}
		if (++nchunks > max_chunks) {
			blob_problem(c, -KHOR_ECORRUPT, true, chunk,
				     "kho_vmalloc: more chunks than %u pages need (a loop?)",
				     v.total_pages);
			break;
		}
		if (blob_read(c, "kho_vmalloc chunk", chunk, page,
			      (size_t)c->page_size))
			break;
		kv_hex(chunks, NULL, chunk);
		if (area && !chunks_owner)
			chunks_owner = owner_new(c, area, "vmalloc-chunks",
						 "chunks");
		owner_claim(c, chunks_owner, chunk, c->page_size,
			    KHOR_NO_DETAIL);
		next = khor_le64(page);
		for (i = 0; i < per_chunk && nblocks < want; i++) {
			uint64_t pa = khor_le64(page + 8 + 8 * i);

			if (!pa)
				break;
			if (pa & ((c->page_size << v.order) - 1)) {
				blob_problem(c, -KHOR_ECORRUPT, true, chunk,
					     "kho_vmalloc chunk 0x%llx entry %llu: 0x%llx is not aligned to order %u",
					     (unsigned long long)chunk,
					     (unsigned long long)i,
					     (unsigned long long)pa, v.order);
				goto out;
			}
			if (nblocks == cap) {
				uint64_t ncap = cap ? cap * 2 : per_chunk;
				uint64_t *nb;

				if (ncap > want)
					ncap = want;
				nb = realloc(blocks, (size_t)ncap * sizeof(*nb));
				if (!nb)
					goto nomem;
				blocks = nb;
				cap = ncap;
			}
			blocks[nblocks++] = pa;
		}
		if (i < per_chunk && nblocks < want)
			break;	/* zero terminator before total_pages */
		chunk = next;
	}
	if (!c->status && !c->not_followed && nblocks < want)
		blob_problem(c, -KHOR_ECORRUPT, true, v.first,
			     "kho_vmalloc: chunks list %llu blocks of order %u, total_pages %u needs %llu",
			     (unsigned long long)nblocks, v.order, v.total_pages,
			     (unsigned long long)want);
	goto out;
nomem:
	blob_problem(c, -KHOR_ENOMEM, false, 0, "out of memory");
out:
	if (area && nblocks)
		data_owner = owner_new(c, area, "vmalloc-data", "data");
	for (uint64_t i = 0; data_owner && i < nblocks; i++)
		owner_claim(c, data_owner, blocks[i], c->page_size << v.order,
			    KHOR_NO_DETAIL);
	kv_uint(out, "blocks", nblocks);
	free(seen.slot);
	free(page);
	status = c->status;
	*blocks_ret = blocks;
	*nblocks_ret = nblocks;
	return status;
}

void blob_vmalloc(struct blob_ctx *c, struct khor_value *parent,
		  const uint8_t desc[16], bool list_pages)
{
	uint64_t *blocks, n;
	unsigned int order;

	vmalloc_blocks(c, desc, parent, &blocks, &n, &order);
	if (list_pages) {
		struct khor_value *l = kv_list(parent, "block_list");

		for (uint64_t i = 0; i < n && i < c->opts.max_items; i++)
			kv_hex(l, NULL, blocks[i]);
	}
	free(blocks);
}
