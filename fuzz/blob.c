// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the sub-blob decoders (khor_blob_decode(): sub-FDT trees,
 * luo-v1, the raw luo-v5 of kho-v4 (fuzz/luo.c goes deeper), memblock-v1, kho-test-v1 with its kho_vmalloc chunks,
 * kexec-metadata, raw previews) and khor_fdt_tree().
 *
 * Input: a 12-byte header, then either the blob itself (as a debugfs
 * sub_fdts/<name> file is: nothing it points to can be followed) or a
 * memory image the blob lives in (so the decoders follow its pointers).
 *   byte 0     bits 0-2: sub-node name (kexec-metadata, LUO, memblock,
 *              kho_test, client, opaque...); bit 3: blob-size given;
 *              bit 4: memory image; bit 5: max_items 8 (limits reached)
 *   bytes 1-4  memory image: its first page number (base = N * 4096)
 *   bytes 5-8  memory image: the blob's offset in it
 *   bytes 9-11 blob-size
 * Oracles beyond the sanitizers: the status is one the API documents,
 * and agrees with the error record; the value tree is bounded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radix_reader.h"

#define HDR 12

struct img {
	const uint8_t *data;
	size_t len;
	uint64_t base;
};

static int img_read(struct khor_mem *m, void *priv, uint64_t phys, void *buf,
		    size_t len)
{
	const struct img *im = priv;

	if (phys < im->base || phys - im->base > im->len ||
	    len > im->len - (phys - im->base)) {
		khor_mem_set_errmsg(m, "0x%llx is not in the dump",
				    (unsigned long long)phys);
		return -KHOR_ENODATA;
	}
	memcpy(buf, im->data + (phys - im->base), len);
	return 0;
}

static const struct khor_mem_ops img_ops = { .read = img_read };

static uint64_t count_values(const struct khor_value *v, unsigned int depth)
{
	uint64_t n = 0;

	if (depth > 256)
		abort();	/* nesting must be bounded too */
	for (; v; v = v->next)
		n += 1 + count_values(v->child, depth + 1);
	return n;
}

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[8] = {
		"kexec-metadata", "LUO", "memblock", "kho_test", "client",
		"opaque", "kexec-metadata", "LUO",
	};
	struct khor_blob_opts opts = { 0 };
	struct khor_subnode sub;
	struct khor_value *out = NULL;
	struct khor_error err;
	struct khor_mem *m = NULL;
	struct img im;
	uint8_t flags;
	int rc;

	if (size < HDR || size > HDR + (1u << 18))
		return -1;
	flags = data[0];
	memset(&sub, 0, sizeof(sub));
	snprintf(sub.name, sizeof(sub.name), "%s", names[flags & 7]);
	sub.addr_prop = "preserved-data";
	sub.has_size = flags & 8;
	sub.size = le(data + 9, 3);
	if (flags & 32)
		opts.max_items = 8;
	im.data = data + HDR;
	im.len = size - HDR;
	im.base = le(data + 1, 4) * 4096;

	khor_error_clear(&err);
	if (flags & 16) {
		struct khor_mem_info info = {
			.phys_end = im.base + im.len + 1, .kind = "fuzz",
		};

		if (khor_mem_create(&img_ops, &im, &info, &m))
			return 0;
		sub.has_phys = true;
		sub.phys = im.base + le(data + 5, 4);
		rc = khor_blob_decode(m, &sub, NULL, 0, &opts, &out, &err);
	} else {
		rc = khor_blob_decode(NULL, &sub, im.data, im.len, &opts, &out,
				      &err);
	}
	if (rc != 0 && rc != -KHOR_ECORRUPT && rc != -KHOR_ENODATA &&
	    rc != -KHOR_EFAULT && rc != -KHOR_ENOMEM &&
	    rc != -KHOR_EFORMAT && rc != -KHOR_ELIMIT) {
		fprintf(stderr, "blob: status %d\n", rc);
		abort();
	}
	if (rc && (!err.code || !err.msg[0]))
		abort();
	if (rc != -KHOR_ENOMEM && !out)
		abort();
	if (out && count_values(out, 0) > 1000000)
		abort();
	khor_value_free(out);
	khor_mem_destroy(m);

	/* The generic tree view of the same bytes. */
	out = NULL;
	khor_error_clear(&err);
	rc = khor_fdt_tree(im.data, im.len, flags & 32 ? 8 : 0, &out, &err);
	if (rc && (!err.code || !err.msg[0]))
		abort();
	if (out && count_values(out, 0) > 1000000)
		abort();
	khor_value_free(out);
	return 0;
}
