// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "memblock" sub-node: reserve_mem= regions handed over.
 *
 * Verified in TL include/linux/kho/abi/memblock.h @c17ee635fd3a: root
 * compatible "memblock-v1"; one child per region, named after it, with
 * compatible "reserve-mem-v1", "start" and "size" (u64). The writer,
 * mm/memblock.c prepare_kho_fdt() (as merged with "memblock: add KHO
 * support for reserve_mem", Mike Rapoport, and unchanged through the
 * kho_preserve_pages rework seen on the kexec list), does
 *	fdt_property(fdt, "start", &map->start, sizeof(map->start));
 * so both values are raw phys_addr_t in CPU byte order, not FDT
 * big-endian: the doc's `<0xc06b 0x4000000>` is dtc showing those bytes.
 */
#include <string.h>

#include <libfdt.h>

#include "blob_internal.h"

void blob_memblock(struct blob_ctx *c, const void *fdt, struct khor_value *out)
{
	struct khor_value *regions = kv_list(out, "regions");
	uint64_t n = 0;
	int node;

	fdt_for_each_subnode(node, fdt, 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		struct khor_value *r;
		uint64_t start, size;
		int rs, rz;

		if (++n > c->opts.max_items) {
			blob_problem(c, -KHOR_ECORRUPT, false, 0,
				     "memblock: more than %llu regions",
				     (unsigned long long)c->opts.max_items);
			break;
		}
		r = kv_obj(regions, NULL);
		kv_str(r, "name", name ? name : "?");
		if (fdt_node_check_compatible(fdt, node, "reserve-mem-v1")) {
			kv_str(r, "note", "not reserve-mem-v1: not decoded");
			continue;
		}
		rs = fdt_prop_u64(fdt, node, "start", &start);
		rz = fdt_prop_u64(fdt, node, "size", &size);
		if (rs || rz) {
			blob_problem(c, -KHOR_ECORRUPT, false, 0,
				     "memblock region '%s': %s",
				     name ? name : "?",
				     (rs == -KHOR_ENOTFOUND || rz == -KHOR_ENOTFOUND) ?
				     "'start' or 'size' missing" :
				     "'start' or 'size' is not 8 bytes");
			continue;
		}
		kv_hex(r, "start", start);
		kv_hex(r, "size", size);
		if (start + size < start)
			blob_problem(c, -KHOR_ECORRUPT, true, start,
				     "memblock region '%s': start + size overflows",
				     name ? name : "?");
		else
			kv_hex(r, "end", start + size);
		/* mm/memblock.c (7.2) preserves each region with kho_preserve_pages(). */
		if (start + size >= start && size)
			owner_claim(c, owner_new(c, c->owner, "reserve-mem",
						 "reserve_mem \"%s\"",
						 name ? name : "?"),
				    start, size, KHOR_NO_DETAIL);
	}
}
