// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the kho-v4 LUO decoders (luo-v5 struct luo_ser, sessions
 * and files in linked blocks, FLB entries, memfd-v2 with its kho_vmalloc
 * folio array and the folio orders looked up in a radix map) and
 * khor_blocks_walk() itself.
 *
 * Input: an 8-byte header, then a memory image at physical 0x100000.
 *   byte 0     bit 0: a radix map is given (folio orders); bit 1:
 *              max_items 8; bit 2: incoming (the blob is
 *              reported as released);
 *              bit 3: a 16 KiB page size
 *   bytes 1-3  the luo_ser's offset in the image
 *   bytes 4-7  the map root's offset in the image
 * Oracles beyond the sanitizers: documented statuses only, the error
 * record agrees, a chain walk never passes more entries than its blocks
 * can hold nor more blocks than the kernel's limit, and the value tree
 * is bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix_reader.h"

#define HDR 8
#define BASE 0x100000ULL

struct img {
	const uint8_t *data;
	size_t len;
};

static int img_read(struct khor_mem *m, void *priv, uint64_t phys, void *buf,
		    size_t len)
{
	const struct img *im = priv;

	if (phys < BASE || phys - BASE > im->len ||
	    len > im->len - (phys - BASE)) {
		khor_mem_set_errmsg(m, "0x%llx is not in the dump",
				    (unsigned long long)phys);
		return phys >= BASE + (64ULL << 20) ? -KHOR_EFAULT :
		       -KHOR_ENODATA;
	}
	memcpy(buf, im->data + (phys - BASE), len);
	return 0;
}

static const struct khor_mem_ops img_ops = { .read = img_read };

static uint64_t count_values(const struct khor_value *v, unsigned int depth)
{
	uint64_t n = 0;

	if (depth > 64)
		abort();
	for (; v; v = v->next)
		n += 1 + count_values(v->child, depth + 1);
	return n;
}

struct counter {
	uint64_t last_block, blocks, entries;
};

static int count_entry(void *arg, uint64_t block_phys, uint64_t block,
		       uint64_t index, const void *entry)
{
	struct counter *c = arg;

	(void)block_phys;
	(void)entry;
	if (index != c->entries++)
		abort();
	if (block + 1 > c->blocks)
		c->blocks = block + 1;
	return 0;
}

static void check_status(int rc, const struct khor_error *err)
{
	switch (-rc) {
	case KHOR_OK:
		break;
	case KHOR_ECORRUPT:
	case KHOR_ENODATA:
	case KHOR_EFORMAT:
	case KHOR_ENOMEM:
	case KHOR_EIO:
	case KHOR_ELIMIT:
		/* the status is the worst problem, the record the first */
		if (!err->code || !err->msg[0])
			abort();
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khor_mem_info info = { .page_size = 4096, .kind = "fuzz" };
	struct khor_blob_opts opts = { 0 };
	struct khor_subnode sub = { .name = "LUO" };
	struct khor_blocks_result res;
	struct khor_value *out = NULL;
	struct counter cnt = { 0 };
	struct khor_error err;
	struct khor_map map = { .format = KHOR_FMT_RADIX };
	struct khor_mem *mem;
	struct img im;
	uint64_t ps, off, head;
	int rc;

	if (size < HDR + 32)
		return 0;
	im.data = data + HDR;
	im.len = size - HDR;
	ps = data[0] & 8 ? 16384 : 4096;
	info.page_size = ps;
	info.phys_end = BASE + (64ULL << 20);
	if (khor_mem_create(&img_ops, &im, &info, &mem))
		return 0;
	off = (data[1] | data[2] << 8 | (uint64_t)data[3] << 16) % im.len;
	if (data[0] & 1) {
		uint64_t root = data[4] | data[5] << 8 |
				(uint64_t)data[6] << 16 | (uint64_t)data[7] << 24;

		khor_geom_init(&map.geom, ps == 4096 ? 12 : 14);
		map.root = BASE + (root % im.len & ~(ps - 1));
		opts.map = &map;
	}
	opts.page_size = ps;
	opts.max_items = data[0] & 2 ? 8 : 0;
	opts.incoming = data[0] & 4;
	sub.has_phys = true;
	sub.phys = BASE + off;
	sub.has_size = true;
	sub.size = im.len - off < 64 ? im.len - off : 32;

	khor_error_clear(&err);
	rc = khor_blob_decode(mem, &sub, NULL, 0, &opts, &out, &err);
	check_status(rc, &err);
	if (out && count_values(out, 0) > 64 * 4096 * 8)
		abort();
	khor_value_free(out);

	/* The chain primitive on its own, from the first u64 of the image. */
	memcpy(&head, im.data, 8);
	for (size_t esz = 16; esz <= 80; esz += 64) {
		memset(&cnt, 0, sizeof(cnt));
		khor_error_clear(&err);
		rc = khor_blocks_walk(mem, head, ps, esz, 0, count_entry, &cnt,
				      &res, &err);
		if (rc && rc != -KHOR_ECORRUPT && rc != -KHOR_ENODATA &&
		    rc != -KHOR_ENOMEM)
			abort();
		if (rc && err.code != rc)
			abort();
		if (res.blocks > KHOR_BLOCKS_MAX || cnt.blocks > res.blocks ||
		    res.entries != cnt.entries ||
		    res.entries > res.blocks * ((ps - 16) / esz))
			abort();
	}
	khor_mem_destroy(mem);
	return 0;
}
