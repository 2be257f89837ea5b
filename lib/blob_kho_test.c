// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "kho_test" sub-node of lib/test_kho.c (CONFIG_TEST_KEXEC_HANDOVER).
 *
 * Verified in TL lib/test_kho.c @136114e0abf0 (kho_test_prepare_fdt(),
 * kho_test_restore_data()): root compatible "kho-test-v1", "magic" u32
 * 0x4b484f21 ("KHO!"); node /data with "nr_folios" (unsigned int),
 * "folios_info" (a raw struct kho_vmalloc, 16 bytes) and "csum" (__wsum,
 * 4 bytes). All are fdt_property(fdt, name, &var, sizeof(var)): CPU byte
 * order. The vmalloc'ed array holds nr_folios phys_addr_t entries
 * "virt_to_phys(folio_address(folio)) | order": order = entry & ~PAGE_MASK,
 * phys = entry & PAGE_MASK.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "blob_internal.h"

#define KHO_TEST_MAGIC 0x4b484f21u

static void list_folios(struct blob_ctx *c, struct khor_value *out,
			const uint64_t *blocks, uint64_t nblocks,
			unsigned int order, uint32_t nr)
{
	uint64_t block_bytes = c->page_size << order, total = 0;
	uint64_t per_page = c->page_size / 8;
	struct khor_value *folios = kv_list(out, "folios");
	uint8_t *page = malloc((size_t)c->page_size);
	uint32_t folios_owner = 0;
	uint64_t i = 0;

	if (!page) {
		blob_problem(c, -KHOR_ENOMEM, false, 0, "out of memory");
		return;
	}
	if ((uint64_t)nr * 8 > nblocks * block_bytes) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "kho_test: %u folios do not fit the %llu-byte folios_info area",
			     nr, (unsigned long long)(nblocks * block_bytes));
		nr = (uint32_t)(nblocks * block_bytes / 8);
	}
	while (i < nr) {
		uint64_t off = i * 8, pa;

		pa = blocks[off / block_bytes] + (off % block_bytes);
		if (blob_read(c, "folios_info page", pa, page,
			      (size_t)c->page_size))
			break;
		for (uint64_t k = 0; k < per_page && i < nr; k++, i++) {
			uint64_t e = khor_le64(page + 8 * k);
			uint64_t phys = e & ~(c->page_size - 1);
			unsigned int o = (unsigned int)(e & (c->page_size - 1));
			struct khor_value *f;

			if (o >= 64 - 12) {
				blob_problem(c, -KHOR_ECORRUPT, true, pa + 8 * k,
					     "kho_test folio %llu: order %u is impossible",
					     (unsigned long long)i, o);
				continue;
			}
			total += c->page_size << o;
			if (c->own && !folios_owner)
				folios_owner = owner_new(c, c->owner,
							 "kho-test-folios",
							 "folios");
			owner_claim(c, folios_owner, phys, c->page_size << o,
				    KHOR_NO_DETAIL);
			if (i >= c->opts.max_items)
				continue;
			f = kv_obj(folios, NULL);
			kv_hex(f, "phys", phys);
			kv_uint(f, "order", o);
		}
	}
	kv_uint(out, "folio_bytes", total);
	free(page);
}

void blob_kho_test(struct blob_ctx *c, const void *fdt, struct khor_value *out)
{
	const uint8_t *vm;
	uint32_t magic, nr, csum;
	uint64_t *blocks = NULL, nblocks = 0;
	unsigned int order = 0;
	int node, len;

	if (fdt_prop_u32(fdt, 0, "magic", &magic)) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "kho_test: 'magic' missing or not 4 bytes");
		return;
	}
	kv_hex(out, "magic", magic);
	if (magic != KHO_TEST_MAGIC) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "kho_test: magic 0x%08x, expected 0x%08x", magic,
			     KHO_TEST_MAGIC);
		return;
	}
	node = fdt_path_offset(fdt, "/data");
	if (node < 0 || fdt_prop_u32(fdt, node, "nr_folios", &nr) ||
	    fdt_prop_u32(fdt, node, "csum", &csum)) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "kho_test: /data lacks 'nr_folios' or 'csum' (4 bytes each)");
		return;
	}
	kv_uint(out, "nr_folios", nr);
	kv_hex(out, "csum", csum);
	vm = fdt_getprop(fdt, node, "folios_info", &len);
	if (!vm || len != 16) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "kho_test: 'folios_info' missing or not a 16-byte kho_vmalloc");
		return;
	}
	if ((vmalloc_blocks_owned(c, vm, kv_obj(out, "folios_info"),
				  c->own ? owner_new(c, c->owner, "vmalloc",
						     "folios_info") : 0,
				  &blocks, &nblocks, &order) == 0 || nblocks) &&
	    !c->not_followed)
		list_folios(c, out, blocks, nblocks, order, nr);
	free(blocks);
}
