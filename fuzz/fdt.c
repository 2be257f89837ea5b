// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the root KHO FDT decoder (khor_fdt_decode, aligned and
 * unaligned; khor_fdt_subnode over every sub-node) and the locator
 * reading it from memory (khor_locate with
 * --fdt-phys over an image holding the input at physical 0x1000, and on a
 * "live" source whose FDT changes between reads).
 *
 * Oracles beyond the sanitizers: a failure always carries its code and a
 * message; a success describes an FDT that fits the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_mem.h"

#define FDT_PHYS 0x1000

static void check_decode(int rc, const struct khor_fdt_info *info,
			 const struct khor_error *err, size_t len)
{
	if (rc) {
		if (err->code != rc || !err->msg[0])
			abort();
		return;
	}
	if (info->totalsize > len || !memchr(info->compatible, 0,
					     sizeof(info->compatible)))
		abort();
	if (info->format != KHOR_FMT_V1 && info->format != KHOR_FMT_RADIX)
		abort();
}

static void locate(const uint8_t *data, size_t size, bool live)
{
	static struct khor_located loc;
	struct khor_locate_opts opts = {
		.have_fdt_phys = true, .fdt_phys = FDT_PHYS,
	};
	struct fuzz_mem f = { .missing = UINT64_MAX };
	struct khor_error err;
	struct khor_mem *m;
	uint8_t *img;
	int rc;

	img = calloc(1, FDT_PHYS + size);
	if (!img)
		return;
	memcpy(img + FDT_PHYS, data, size);
	m = fuzz_mem_open(&f, img, FDT_PHYS + size, 4096, live);
	free(img);
	if (!m)
		return;
	if (live) {
		/* change a byte of the FDT between the header and the body */
		f.mutate_at = 2;
		f.mutate_off = FDT_PHYS + (size ? data[0] % size : 0);
	}
	khor_error_clear(&err);
	rc = khor_locate(m, &opts, &loc, &err);
	if (rc) {
		if (err.code != rc || !err.msg[0])
			abort();
	} else {
		if (loc.fdt_len > size || loc.fdt_len != loc.info.totalsize ||
		    loc.map.root != loc.info.mem_map)
			abort();
	}
	fuzz_mem_close(&f, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khor_fdt_info info;
	struct khor_error err;
	uint8_t *odd;
	int rc;

	if (size > KHOR_FDT_MAX + 16)
		return -1;

	khor_error_clear(&err);
	rc = khor_fdt_decode(data, size, 0, &info, &err);
	check_decode(rc, &info, &err, size);

	/* The unaligned path copies; the result must not change. */
	odd = malloc(size + 1);
	if (odd) {
		struct khor_fdt_info info2;
		struct khor_error err2;
		int rc2;

		memcpy(odd + 1, data, size);
		khor_error_clear(&err2);
		rc2 = khor_fdt_decode(odd + 1, size, 0, &info2, &err2);
		if (rc2 != rc || strcmp(err.msg, err2.msg))
			abort();
		if (!rc && (strcmp(info.compatible, info2.compatible) ||
			    info.version != info2.version ||
			    info.format != info2.format ||
			    info.mem_map != info2.mem_map ||
			    info.has_mem_map != info2.has_mem_map ||
			    info.totalsize != info2.totalsize ||
			    info.nsubnodes != info2.nsubnodes))
			abort();
		free(odd);
	}

	/* The sub-nodes, as khodump lists them (also of undecodable FDTs). */
	if (rc) {
		memset(&info, 0, sizeof(info));
		info.version = 3;
		info.format = KHOR_FMT_RADIX;
		info.subnode_prop = "preserved-data";
	}
	for (unsigned int i = 0; i < 256; i++) {
		struct khor_subnode sub;
		int src = khor_fdt_subnode(data, size, &info, i, &sub);

		if (src == -KHOR_ENOTFOUND || src == -KHOR_ECORRUPT)
			break;
		if (src || !memchr(sub.name, 0, sizeof(sub.name)) ||
		    !memchr(sub.problem, 0, sizeof(sub.problem)))
			abort();
	}

	khor_error_clear(&err);
	rc = khor_fdt_decode(data, size, 3, &info, &err);
	check_decode(rc, &info, &err, size);

	locate(data, size, false);
	locate(data, size, true);
	return 0;
}
