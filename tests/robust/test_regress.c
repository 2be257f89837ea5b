// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Regression tests for what fuzzing found (TESTING.md, "Findings"). Each
 * input is also in fuzz/corpus/<target>/, which CI replays.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <libfdt.h>

#include "../tap.h"
#include "radix_reader.h"

/* F1: an empty raw image was accepted; at the top of memory it moved the end. */
static void test_empty_raw_image(void)
{
	char dir[] = "/tmp/khoregress.XXXXXX", empty[64], full[64];
	struct khor_raw_image img[2];
	struct khor_error err;
	struct khor_mem *m = NULL;
	char page[4096] = { 0 };
	int fd, rc;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	snprintf(full, sizeof(full), "%s/full", dir);
	fd = open(empty, O_CREAT | O_WRONLY, 0600);
	close(fd);
	fd = open(full, O_CREAT | O_WRONLY, 0600);
	if (write(fd, page, sizeof(page)) != sizeof(page))
		tap_ok(0, "write");
	close(fd);

	img[0] = (struct khor_raw_image){ .path = full, .phys = 0x1000 };
	img[1] = (struct khor_raw_image){ .path = empty, .phys = 0x2000 };
	khor_error_clear(&err);
	rc = khor_mem_open_raw(img, 2, &err, &m);
	tap_ok(rc == -KHOR_EINVAL, "an empty raw image is refused (rc %d)", rc);
	{
		char want[128];

		snprintf(want, sizeof(want), "raw image '%s' is empty", empty);
		tap_eq_str(err.msg, want, "with its name");
	}
	khor_mem_destroy(m);

	/* A single empty image at 0 made the end of memory "unknown". */
	img[0] = (struct khor_raw_image){ .path = empty, .phys = 0 };
	m = NULL;
	rc = khor_mem_open_raw(img, 1, &err, &m);
	tap_ok(rc == -KHOR_EINVAL && !m, "an empty image at 0 is refused too");
	khor_mem_destroy(m);

	unlink(empty);
	unlink(full);
	rmdir(dir);
}

/* F2: libfdt 1.6.1's fdt_check_full() crashed on a version-8 header. */
static void test_fdt_old_version(void)
{
	/* fuzz/corpus/fdt/crash-fdt-version-8, header only: the rest is moot */
	static const uint8_t blob[64] __attribute__((aligned(8))) = {
		0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x40, /* totalsize 64 */
		0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x40,
		0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x08, /* version 8 */
		0x00, 0x00, 0x00, 0x00,
	};
	struct khor_fdt_info info;
	struct khor_error err;
	int rc;

	khor_error_clear(&err);
	rc = khor_fdt_decode(blob, sizeof(blob), 0, &info, &err);
	tap_ok(rc == -KHOR_ECORRUPT, "an FDT of version 8 is refused as corrupt (rc %d)", rc);
	tap_eq_str(err.msg,
		   "FDT version 8 (last compatible 0) is not supported: KHO writes version 17",
		   "message says which version");
	/* The sub-node reader must not hand it to libfdt either. */
	{
		struct khor_fdt_info vinfo = { .version = 3, .format = KHOR_FMT_RADIX,
					       .subnode_prop = "preserved-data" };
		struct khor_subnode sub;

		rc = khor_fdt_subnode(blob, sizeof(blob), &vinfo, 0, &sub);
		tap_ok(rc == -KHOR_ECORRUPT, "khor_fdt_subnode refuses it too (rc %d)", rc);
	}
}

static int no_read(struct khor_mem *m, void *priv, uint64_t phys, void *buf,
		   size_t len)
{
	(void)priv;
	(void)buf;
	(void)len;
	khor_mem_set_errmsg(m, "0x%llx is not here", (unsigned long long)phys);
	return -KHOR_ENODATA;
}

/*
 * F3: kho-v1 with 16 KiB pages and a forced 4096-byte bitmap returned
 * -KHOR_EINVAL under the message of the unreadable first chunk.
 */
static void test_v1_forced_size(void)
{
	static const struct khor_mem_ops ops = { .read = no_read };
	struct khor_mem_info info = { .phys_end = 0x30, .kind = "test" };
	struct khor_map map = { .format = KHOR_FMT_V1, .root = 0x3fc000,
				.v1_bitmap_size = 4096 };
	struct khor_walk_result res;
	struct khor_mem *m;
	int rc;

	khor_geom_init(&map.geom, 14);
	if (khor_mem_create(&ops, NULL, &info, &m)) {
		tap_ok(0, "khor_mem_create");
		return;
	}
	rc = khor_walk(m, &map, NULL, NULL, NULL, &res);
	tap_ok(rc == -KHOR_EINVAL && res.error.code == rc,
	       "a bitmap size that fits neither layout is the error returned (rc %d, error %d)",
	       rc, res.error.code);
	tap_eq_str(res.error.msg,
		   "kho-v1 bitmap size 4096 is neither 512 nor the page size 16384",
		   "and the error described");
	tap_ok(res.node_reads == 0, "nothing was read");
	khor_mem_destroy(m);
}

/* ---- F4: kho_vmalloc total_pages drove a calloc of up to 32 GiB ---- */

struct img {
	uint8_t *data;
	uint64_t base, len;
};

static int img_read(struct khor_mem *m, void *priv, uint64_t phys, void *buf,
		    size_t len)
{
	const struct img *im = priv;

	if (phys < im->base || phys + len > im->base + im->len) {
		khor_mem_set_errmsg(m, "0x%llx is not in the dump",
				    (unsigned long long)phys);
		return -KHOR_ENODATA;
	}
	memcpy(buf, im->data + (phys - im->base), len);
	return 0;
}

/* A kho-test-v1 sub-FDT whose folios_info claims @total pages from @first. */
static size_t kho_test_fdt(void *buf, size_t len, uint64_t first, uint32_t total)
{
	uint8_t vm[16] = { 0 };
	uint32_t le;

	for (int i = 0; i < 8; i++)
		vm[i] = (uint8_t)(first >> (8 * i));
	for (int i = 0; i < 4; i++)
		vm[8 + i] = (uint8_t)(total >> (8 * i));
	fdt_create(buf, (int)len);
	fdt_finish_reservemap(buf);
	fdt_begin_node(buf, "");
	fdt_property_string(buf, "compatible", "kho-test-v1");
	le = 0x4b484f21;	/* "KHO!" in CPU (little-endian) order */
	fdt_property(buf, "magic", &le, 4);
	fdt_begin_node(buf, "data");
	le = 1;
	fdt_property(buf, "nr_folios", &le, 4);
	fdt_property(buf, "csum", &le, 4);
	fdt_property(buf, "folios_info", vm, sizeof(vm));
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_finish(buf);
	return fdt_totalsize(buf);
}

static void test_vmalloc_bounds(void)
{
	static const struct khor_mem_ops ops = { .read = img_read };
	static uint8_t mem[3 * 4096] __attribute__((aligned(8)));
	struct khor_mem_info info = { .phys_end = 0x10000, .kind = "test" };
	struct khor_subnode sub = { .name = "kho_test", .has_phys = true,
				    .phys = 0x1000 };
	struct img im = { .data = mem, .base = 0x1000, .len = sizeof(mem) };
	const struct khor_value *v;
	struct khor_value *out = NULL;
	struct khor_error err;
	struct khor_mem *m;
	int rc;

	/* The FDT at 0x1000; one chunk at 0x2000 whose next is itself. */
	kho_test_fdt(mem, 4096, 0x2000, 0xffffffff);
	mem[4096 + 1] = 0x20;			/* next = 0x2000 */
	for (unsigned int i = 0; i < 511; i++) {	/* a full chunk */
		uint64_t pa = 0x100000 + (uint64_t)i * 4096;

		for (int b = 0; b < 8; b++)
			mem[4096 + 8 + 8 * i + b] = (uint8_t)(pa >> (8 * b));
	}
	if (khor_mem_create(&ops, &im, &info, &m)) {
		tap_ok(0, "khor_mem_create");
		return;
	}
	khor_error_clear(&err);
	rc = khor_blob_decode(m, &sub, NULL, 0, NULL, &out, &err);
	tap_ok(rc == -KHOR_ECORRUPT,
	       "a kho_vmalloc claiming 2^32 pages over a looping chunk list is corrupt (rc %d)",
	       rc);
	tap_eq_str(err.msg, "kho_vmalloc: chunk 0x2000 is already in the list (a loop)",
		   "the loop is named");
	v = khor_value_get(khor_value_get(khor_value_get(out, "decoded"),
					  "folios_info"), "blocks");
	tap_ok(v && v->u == 511,
	       "the block list holds what the one chunk holds, not 2^32 entries (%llu)",
	       v ? (unsigned long long)v->u : 0ULL);
	khor_value_free(out);
	khor_mem_destroy(m);

	/* The fuzzer's input, as a debugfs file: nothing to follow. */
	{
		const char *src = getenv("KHO_SRC");
		char path[512];
		uint8_t buf[4096];
		size_t n = 0;
		FILE *f;

		snprintf(path, sizeof(path), "%s/fuzz/corpus/blob/crash-vmalloc-total-pages",
			 src ? src : ".");
		f = fopen(path, "rb");
		if (f) {
			n = fread(buf, 1, sizeof(buf), f);
			fclose(f);
		}
		tap_ok(n > 12, "read %s", path);
		memset(&sub, 0, sizeof(sub));
		snprintf(sub.name, sizeof(sub.name), "kho_test");
		out = NULL;
		rc = khor_blob_decode(NULL, &sub, buf + 12, n > 12 ? n - 12 : 0,
				      NULL, &out, &err);
		tap_ok(rc == -KHOR_ECORRUPT || rc == -KHOR_ENODATA,
		       "the fuzzer's input decodes without a huge allocation (rc %d)", rc);
		khor_value_free(out);
	}
}

/* Bytes of a corpus input after its fuzz header, or 0. */
static size_t corpus_input(const char *name, size_t hdr, uint8_t *buf,
			   size_t len)
{
	const char *src = getenv("KHO_SRC");
	char path[512];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fuzz/corpus/%s", src ? src : ".", name);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, len, f);
	fclose(f);
	if (n <= hdr)
		return 0;
	memmove(buf, buf + hdr, n - hdr);
	return n - hdr;
}

/*
 * F5: libfdt accepts a property length of 0xfffffffe and hands it back as
 * -2; the tree view used it as a size_t.
 */
static void test_fdt_negative_length(void)
{
	static uint8_t buf[8192] __attribute__((aligned(8)));
	struct khor_value *out = NULL;
	struct khor_error err;
	size_t n = corpus_input("blob/crash-fdt-prop-len-negative", 12, buf,
				sizeof(buf));
	int rc;

	tap_ok(n > 0, "corpus input blob/crash-fdt-prop-len-negative");
	khor_error_clear(&err);
	rc = khor_fdt_tree(buf, n, 0, &out, &err);
	tap_ok(rc == -KHOR_ECORRUPT, "a property of length -2 is corrupt (rc %d)", rc);
	tap_eq_str(err.msg, "bad FDT: property at offset 76 has length 0xfffffffe",
		   "and named");
	khor_value_free(out);
}

/* F6: the F2 crash again, through a sub-FDT (khor_blob_decode()). */
static void test_subfdt_old_version(void)
{
	static uint8_t buf[1 << 18] __attribute__((aligned(8)));
	struct khor_subnode sub = { .name = "client" };
	struct khor_value *out = NULL;
	struct khor_error err;
	size_t n = corpus_input("blob/crash-subfdt-version", 12, buf, sizeof(buf));
	int rc;

	tap_ok(n > 0, "corpus input blob/crash-subfdt-version");
	khor_error_clear(&err);
	rc = khor_blob_decode(NULL, &sub, buf, n, NULL, &out, &err);
	tap_ok(rc == -KHOR_ECORRUPT, "a sub-FDT of an old version is corrupt (rc %d)", rc);
	tap_ok(strstr(err.msg, "is not supported: KHO writes version 17") != NULL,
	       "and says so: %s", err.msg);
	khor_value_free(out);
}

int main(void)
{
	test_empty_raw_image();
	test_fdt_old_version();
	test_v1_forced_size();
	test_vmalloc_bounds();
	test_fdt_negative_length();
	test_subfdt_old_version();
	return tap_done();
}
