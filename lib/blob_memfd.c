// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a LUO file's data handle points at, by the file handler's
 * compatible. Today: memfd.
 *
 * memfd-v2, from linux-source-7.2.13 include/linux/kho/abi/memfd.h and
 * mm/memfd_luo.c (packed, CPU byte order):
 *	struct memfd_luo_ser { u64 pos; u64 size; u32 seals; u32 flags;
 *		u64 nr_folios; struct kho_vmalloc folios; }		48 B
 * allocated with kho_alloc_preserve() (a preserved, page-aligned folio);
 * folios is a kho_vmalloc area holding nr_folios records
 *	struct memfd_luo_folio_ser { u64 pfn:52; u64 flags:12; u64 index; }
 * (16 B; GCC puts pfn in bits 0..51 of the first u64 on little-endian),
 * flags DIRTY = bit 0, UPTODATE = bit 1, index the folio's page offset in
 * the file. Each folio was preserved with kho_preserve_folio(), so the
 * memory map holds it as one block of the folio's order; the records do
 * not carry the order, so it is looked up in the map. A record with pfn
 * 0 is skipped by memfd_luo_retrieve_folios().
 *
 * memfd-v1 (KHO_ABI.md §5.5: 40 bytes, no seals or flags) is not
 * decoded: no released kernel is known here to have written it.
 */
#include <stdlib.h>
#include <string.h>

#include "blob_internal.h"

#define MEMFD_SER_SIZE 48
#define FOLIO_SIZE 16
#define FOLIO_DIRTY 0x1
#define FOLIO_UPTODATE 0x2

/* Where the memory map says the folio at @phys is: its order, or -1. */
static int folio_order(struct blob_ctx *c, uint64_t phys, const char *what,
		       struct khor_value *o)
{
	struct khor_find_result *res;
	int rc, order = -1;

	if (!c->opts.map)
		return -1;
	res = malloc(sizeof(*res));
	if (!res) {
		blob_problem(c, -KHOR_ENOMEM, false, 0, "out of memory");
		return -1;
	}
	rc = khor_find(c->mem, c->opts.map, phys, NULL, res);
	if (rc && !res->n) {
		blob_problem(c, rc == -KHOR_ENODATA ? rc : -KHOR_ECORRUPT, true,
			     phys, "%s 0x%llx: cannot look it up in the memory map: %s",
			     what, (unsigned long long)phys, res->error.msg);
	} else if (!res->n) {
		kv_bool(o, "preserved", false);
		blob_problem(c, -KHOR_ECORRUPT, true, phys,
			     "%s 0x%llx is not in the preserved-memory map",
			     what, (unsigned long long)phys);
	} else if (res->blocks[0].phys != phys) {
		kv_bool(o, "preserved", false);
		blob_problem(c, -KHOR_ECORRUPT, true, phys,
			     "%s 0x%llx is inside the preserved block 0x%llx of order %u, not a block of its own",
			     what, (unsigned long long)phys,
			     (unsigned long long)res->blocks[0].phys,
			     res->blocks[0].order);
	} else {
		order = (int)res->blocks[0].order;
	}
	free(res);
	return order;
}

/* The vmalloc'ed array of folio records, read through its blocks. */
static uint8_t *read_vmalloc(struct blob_ctx *c, const uint8_t desc[16],
			     struct khor_value *out, uint32_t area,
			     uint64_t bytes)
{
	uint64_t *blocks = NULL, nblocks = 0, done = 0, bsize;
	unsigned int order;
	uint8_t *buf;

	if (vmalloc_blocks_owned(c, desc, out, area, &blocks, &nblocks,
				 &order)) {
		free(blocks);
		return NULL;
	}
	bsize = c->page_size << order;
	if (nblocks > UINT64_MAX / bsize || nblocks * bsize < bytes) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "memfd folio array: %llu bytes do not fit its %llu blocks of order %u",
			     (unsigned long long)bytes,
			     (unsigned long long)nblocks, order);
		free(blocks);
		return NULL;
	}
	/* zeroed only for gcc -fanalyzer: the loop below fills every byte */
	buf = calloc(1, (size_t)bytes);
	if (!buf) {
		blob_problem(c, -KHOR_ENOMEM, false, 0, "out of memory");
		free(blocks);
		return NULL;
	}
	for (uint64_t i = 0; done < bytes; i++) {
		uint64_t n = bytes - done < bsize ? bytes - done : bsize;

		if (blob_read(c, "memfd folio array block", blocks[i], buf + done,
			      (size_t)n)) {
			free(buf);
			free(blocks);
			return NULL;
		}
		done += n;
	}
	free(blocks);
	return buf;
}

static void memfd_v2(struct blob_ctx *c, uint64_t pa, struct khor_value *m,
		     uint32_t file_owner)
{
	uint8_t ser[MEMFD_SER_SIZE], *recs;
	uint64_t nr, size, pages = 0, bytes;
	struct khor_value *list;
	uint32_t owner = 0, folios_owner = 0;

	kv_hex(m, "phys", pa);
	if (!pa || (pa & (c->page_size - 1))) {
		blob_problem(c, -KHOR_ECORRUPT, true, pa,
			     "memfd: data 0x%llx is not a page (kho_alloc_preserve() gives whole pages)",
			     (unsigned long long)pa);
		return;
	}
	if (blob_read(c, "memfd_luo_ser", pa, ser, sizeof(ser)))
		return;
	if (file_owner) {
		owner = owner_new(c, file_owner, "memfd", "memfd_luo_ser");
		owner_claim(c, owner, pa, MEMFD_SER_SIZE, KHOR_NO_DETAIL);
	}
	size = khor_le64(ser + 8);
	nr = khor_le64(ser + 24);
	kv_uint(m, "size", size);
	kv_uint(m, "pos", khor_le64(ser));
	kv_hex(m, "seals", khor_le32(ser + 16));
	kv_hex(m, "flags", khor_le32(ser + 20));
	kv_uint(m, "nr_folios", nr);
	if (!nr)
		return;
	/*
	 * A file of size bytes cannot need more folios than pages; the array
	 * must also fit the vmalloc area the descriptor describes, which
	 * read_vmalloc() checks against the chunks actually present.
	 */
	if (nr > (size + c->page_size - 1) / c->page_size + 1 ||
	    nr > UINT64_MAX / FOLIO_SIZE) {
		blob_problem(c, -KHOR_ECORRUPT, true, pa,
			     "memfd at 0x%llx: %llu folios for a file of %llu bytes",
			     (unsigned long long)pa, (unsigned long long)nr,
			     (unsigned long long)size);
		return;
	}
	bytes = nr * FOLIO_SIZE;
	recs = read_vmalloc(c, ser + 32, kv_obj(m, "folio_array"),
			    owner ? owner_new(c, owner, "vmalloc",
					      "folio array") : 0, bytes);
	if (!recs)
		return;
	if (owner)
		folios_owner = owner_new(c, owner, "memfd-folios", "folios");
	list = kv_list(m, "folios");
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t w = khor_le64(recs + i * FOLIO_SIZE);
		uint64_t index = khor_le64(recs + i * FOLIO_SIZE + 8);
		uint64_t pfn = w & ((UINT64_C(1) << 52) - 1);
		unsigned int flags = (unsigned int)(w >> 52);
		uint64_t phys = pfn * c->page_size;
		struct khor_value *o;
		int order;

		/* Owners need every folio: the listing stops at max_items. */
		if (i >= c->opts.max_items && !folios_owner)
			break;
		o = i < c->opts.max_items ? kv_obj(list, NULL) : NULL;
		if (o)
			o->kind = "row";
		kv_hex(o, "phys", phys);
		order = pfn ? folio_order(c, phys, "memfd folio", o) : -1;
		if (order >= 0) {
			kv_uint(o, "order", (unsigned int)order);
			pages += UINT64_C(1) << order;
		}
		/*
		 * The record says nothing of the order: a folio the map does
		 * not hold as a block of its own is claimed as its first page.
		 */
		if (pfn)
			owner_claim(c, folios_owner, phys,
				    c->page_size << (order >= 0 ? order : 0),
				    index * c->page_size);
		kv_hex(o, "offset", index * c->page_size);
		kv_uint(o, "index", index);
		kv_hex(o, "flags", flags);
		if (flags) {
			struct khor_value *names = kv_list(o, "flag_names");

			if (flags & FOLIO_DIRTY)
				kv_str(names, NULL, "DIRTY");
			if (flags & FOLIO_UPTODATE)
				kv_str(names, NULL, "UPTODATE");
			if (flags & ~(FOLIO_DIRTY | FOLIO_UPTODATE))
				kv_str(names, NULL, "unknown");
		}
		if (!pfn)
			kv_str(o, "note", "pfn 0: skipped by the next kernel");
	}
	if (c->opts.map)
		kv_uint(m, "pages", pages);
	free(recs);
}

void blob_luo_file_data(struct blob_ctx *c, const char *compat, uint64_t data,
			struct khor_value *file, uint32_t owner)
{
	if (!compat)
		return;
	if (!strcmp(compat, "memfd-v2")) {
		memfd_v2(c, data, kv_obj(file, "memfd"), owner);
	} else if (!strncmp(compat, "memfd-v", 7)) {
		blob_problem(c, -KHOR_EFORMAT, true, data,
			     "LUO file \"%s\": version not supported (this decodes memfd-v2)",
			     compat);
	}
}
