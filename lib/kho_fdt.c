// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The root KHO FDT, decoded with libfdt.
 *
 * Dispatch (DESIGN §3): the number after "kho-v" selects the layout:
 * 1 = chunk list (kernel/kexec_handover.c, 6.16..7.0), 2..4 = radix tree
 * (kho-v2: commit 3f2ad90060f6; kho-v3 adds "blob-size"; kho-v4 LUO linked
 * blocks). Anything after the number is a suffix, reported and ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "internal.h"

#define KHO_MAX_KNOWN_VERSION 4

const char *khor_format_name(enum khor_format fmt)
{
	switch (fmt) {
	case KHOR_FMT_V1:
		return "kho-v1";
	case KHOR_FMT_RADIX:
		return "radix";
	default:
		return "unknown";
	}
}

static int parse_compatible(const char *compat, unsigned int force,
			    struct khor_fdt_info *info, struct khor_error *err)
{
	const char *p;
	unsigned long v = 0;

	if (strncmp(compat, "kho-v", 5) != 0 || compat[5] < '0' || compat[5] > '9')
		return khor_err(err, -KHOR_EFORMAT,
				"root compatible '%s' is not a KHO FDT (expected 'kho-v<N>')",
				compat);
	for (p = compat + 5; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 1000000)
			break;
	}
	info->version = (unsigned int)v;
	snprintf(info->suffix, sizeof(info->suffix), "%s", p);
	if (force)
		v = force;
	if (v == 1) {
		info->format = KHOR_FMT_V1;
		info->subnode_prop = "fdt";
	} else if (v >= 2 && v <= KHO_MAX_KNOWN_VERSION) {
		info->format = KHOR_FMT_RADIX;
		info->subnode_prop = "preserved-data";
	} else {
		return khor_err(err, -KHOR_EFORMAT,
				"unknown KHO version '%s' (this build decodes kho-v1 to kho-v%d; force a format to try)",
				compat, KHO_MAX_KNOWN_VERSION);
	}
	return 0;
}

static int fdt_decode_aligned(const void *blob, size_t len,
			      unsigned int force_version,
			      struct khor_fdt_info *info, struct khor_error *err)
{
	struct khor_fdt_info out;
	const void *prop;
	int plen, rc, node;

	memset(&out, 0, sizeof(out));
	if (len < sizeof(struct fdt_header))
		return khor_err(err, -KHOR_EFORMAT,
				"FDT too short (%zu bytes)", len);
	if (fdt_magic(blob) != FDT_MAGIC)
		return khor_err(err, -KHOR_EFORMAT,
				"not an FDT (magic 0x%08x)", fdt_magic(blob));
	/* totalsize is the FDT's own word for its size; a file may be longer or stale. */
	out.totalsize = fdt_totalsize(blob);
	if (out.totalsize > len || out.totalsize < sizeof(struct fdt_header))
		return khor_err(err, -KHOR_ECORRUPT,
				"FDT totalsize %u does not fit the %zu bytes available",
				out.totalsize, len);
	/*
	 * KHO FDTs are written with libfdt's sequential-write API, which
	 * makes version 17 (last compatible 16). Older layouts lack fields
	 * libfdt's checker relies on: libfdt 1.6.1's fdt_check_full()
	 * dereferences NULL on a version-8 header (found by fuzz/fdt.c;
	 * fuzz/corpus/fdt/crash-fdt-version-8).
	 */
	if (fdt_version(blob) < 17 || fdt_last_comp_version(blob) > 17)
		return khor_err(err, -KHOR_ECORRUPT,
				"FDT version %u (last compatible %u) is not supported: KHO writes version 17",
				fdt_version(blob), fdt_last_comp_version(blob));
	rc = fdt_check_full(blob, out.totalsize);
	if (rc)
		return khor_err(err, -KHOR_ECORRUPT, "bad FDT: %s",
				fdt_strerror(rc));
	prop = fdt_getprop(blob, 0, "compatible", &plen);
	if (!prop || plen < 1 || ((const char *)prop)[plen - 1] != '\0')
		return khor_err(err, -KHOR_EFORMAT,
				"FDT root has no compatible string");
	snprintf(out.compatible, sizeof(out.compatible), "%s", (const char *)prop);
	rc = parse_compatible(prop, force_version, &out, err);
	if (rc)
		return rc;

	prop = fdt_getprop(blob, 0, "preserved-memory-map", &plen);
	if (prop) {
		if (plen != 8)
			return khor_err(err, -KHOR_ECORRUPT,
					"property 'preserved-memory-map' has %d bytes, expected 8",
					plen);
		/* CPU byte order of the writer (fdt_property(fdt, name, &u64, 8)). */
		out.mem_map = khor_le64(prop);
		out.has_mem_map = true;
	}
	for (node = fdt_first_subnode(blob, 0); node >= 0;
	     node = fdt_next_subnode(blob, node))
		out.nsubnodes++;
	*info = out;
	return 0;
}

int khor_fdt_decode(const void *blob, size_t len, unsigned int force_version,
		    struct khor_fdt_info *info, struct khor_error *err)
{
	void *copy;
	int rc;

	/* libfdt refuses blobs that are not 8-byte aligned (FDT_ERR_ALIGNMENT). */
	if (!((uintptr_t)blob & 7))
		return fdt_decode_aligned(blob, len, force_version, info, err);
	copy = malloc(len ? len : 1);
	if (!copy)
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	memcpy(copy, blob, len);
	rc = fdt_decode_aligned(copy, len, force_version, info, err);
	free(copy);
	return rc;
}

/*
 * Sub-nodes (khodump). Each client's node carries the blob's
 * address as a CPU-order u64: "fdt" in kho-v1 (KHO_FDT_SUB_TREE_PROP_NAME,
 * TL include/linux/kho/abi/kexec_handover.h @c17ee635fd3a), and
 * "preserved-data" from kho-v2 (@3f2ad90060f6); kho-v3 adds "blob-size"
 * (kexec_handover_debugfs.c @062dd306d99c). A node with the other
 * version's name is decoded but reported.
 */
static void subnode_props(const void *fdt, int node,
			  const struct khor_fdt_info *info,
			  struct khor_subnode *sub)
{
	static const char *const names[] = { "preserved-data", "fdt" };
	const void *p;
	int len;

	for (unsigned int i = 0; i < 2 && !sub->addr_prop; i++) {
		p = fdt_getprop(fdt, node, names[i], &len);
		if (!p)
			continue;
		sub->addr_prop = names[i];
		if (len != 8) {
			snprintf(sub->problem, sizeof(sub->problem),
				 "property '%s' has %d bytes, expected 8",
				 names[i], len);
			continue;
		}
		sub->phys = khor_le64(p);
		sub->has_phys = true;
		if (info && info->subnode_prop &&
		    strcmp(info->subnode_prop, names[i]))
			snprintf(sub->problem, sizeof(sub->problem),
				 "uses '%s', but %s sub-nodes use '%s'",
				 names[i], info->compatible, info->subnode_prop);
	}
	if (!sub->addr_prop)
		snprintf(sub->problem, sizeof(sub->problem),
			 "no '%s' property",
			 info && info->subnode_prop ? info->subnode_prop :
			 "preserved-data");
	p = fdt_getprop(fdt, node, "blob-size", &len);
	if (p && len == 8) {
		sub->size = khor_le64(p);
		sub->has_size = true;
	} else if (p && !sub->problem[0]) {
		snprintf(sub->problem, sizeof(sub->problem),
			 "property 'blob-size' has %d bytes, expected 8", len);
	}
	if (!sub->problem[0] && fdt_first_subnode(fdt, node) >= 0)
		snprintf(sub->problem, sizeof(sub->problem),
			 "has nested nodes (not part of the KHO ABI)");
}

static int subnode_aligned(const void *fdt, const struct khor_fdt_info *info,
			   unsigned int index, struct khor_subnode *sub)
{
	unsigned int i = 0;
	int node;

	fdt_for_each_subnode(node, fdt, 0) {
		const char *name;

		if (i++ != index)
			continue;
		memset(sub, 0, sizeof(*sub));
		name = fdt_get_name(fdt, node, NULL);
		snprintf(sub->name, sizeof(sub->name), "%s", name ? name : "");
		subnode_props(fdt, node, info, sub);
		return 0;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return -KHOR_ECORRUPT;
	return -KHOR_ENOTFOUND;
}

int khor_fdt_subnode(const void *fdt, size_t len,
		     const struct khor_fdt_info *info, unsigned int index,
		     struct khor_subnode *sub)
{
	void *copy = NULL;
	int rc;

	/* The version check of fdt_decode_aligned(): see finding F2 there. */
	if (len < sizeof(struct fdt_header) || fdt_magic(fdt) != FDT_MAGIC ||
	    fdt_totalsize(fdt) > len || fdt_version(fdt) < 17 ||
	    fdt_last_comp_version(fdt) > 17)
		return -KHOR_ECORRUPT;
	/* libfdt refuses blobs that are not 8-byte aligned. */
	if ((uintptr_t)fdt & 7) {
		copy = malloc(len);
		if (!copy)
			return -KHOR_ENOMEM;
		memcpy(copy, fdt, len);
		fdt = copy;
	}
	if (fdt_check_full(fdt, fdt_totalsize(fdt)))
		rc = -KHOR_ECORRUPT;
	else
		rc = subnode_aligned(fdt, info, index, sub);
	free(copy);
	return rc;
}
