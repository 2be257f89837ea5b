// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the raw-image memory source (khor_mem_open_raw and reads
 * through memsrc.c), against a reference model written here.
 *
 * Input: byte 0 = number of images (1..4, low 2 bits + 1); per image 8
 * bytes of physical address and 2 bytes of length; byte = number of reads
 * (low 4 bits); per read 8 bytes of address and 2 of length; the rest is
 * the images' contents, back to back (short images are padded with 0).
 * The images are memfds opened by their /proc/self/fd path.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_mem.h"

#define MAX_IMG 4
#define MAX_READS 16

struct model_img {
	uint64_t phys;
	uint64_t len;
	const uint8_t *data;
};

/* Expected status of a read, and its bytes (EFAULT before ENODATA). */
static int model_read(const struct model_img *img, size_t n, uint64_t end,
		      uint64_t phys, uint64_t len, uint8_t *out)
{
	if (phys + len < phys || phys + len > end)
		return -KHOR_EFAULT;
	for (uint64_t i = 0; i < len; i++) {
		uint64_t a = phys + i;
		size_t k;

		for (k = 0; k < n; k++)
			if (a >= img[k].phys && a - img[k].phys < img[k].len)
				break;
		if (k == n)
			return -KHOR_ENODATA;
		out[i] = img[k].data[a - img[k].phys];
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khor_raw_image images[MAX_IMG];
	struct model_img img[MAX_IMG];
	uint8_t *pool = NULL, got[65536], want[65536];
	char paths[MAX_IMG][64];
	int fds[MAX_IMG], rc;
	size_t n, nreads, pos, off = 0;
	uint64_t rphys[MAX_READS], rlen[MAX_READS], end = 0;
	bool bad = false;
	struct khor_error err;
	struct khor_mem *m = NULL;

	if (size < 1)
		return -1;
	n = (data[0] & 3) + 1;
	pos = 1;
	if (size < pos + n * 10 + 1)
		return -1;
	for (size_t i = 0; i < n; i++, pos += 10) {
		img[i].phys = fuzz_le(data + pos, 8);
		img[i].len = fuzz_le(data + pos + 8, 2);
	}
	nreads = data[pos++] & 15;
	if (size < pos + nreads * 10)
		return -1;
	for (size_t i = 0; i < nreads; i++, pos += 10) {
		rphys[i] = fuzz_le(data + pos, 8);
		rlen[i] = fuzz_le(data + pos + 8, 2);
	}
	/* contents: the rest of the input, zero padded */
	pool = calloc(1, (size_t)n * 65536);
	if (!pool)
		return 0;
	memcpy(pool, data + pos, size - pos < n * 65536 ? size - pos : n * 65536);

	for (size_t i = 0; i < n; i++) {
		img[i].data = pool + off;
		off += img[i].len;
		fds[i] = memfd_create("khoraw", MFD_CLOEXEC);
		if (fds[i] < 0 || write(fds[i], img[i].data, img[i].len) !=
				  (ssize_t)img[i].len)
			abort();
		snprintf(paths[i], sizeof(paths[i]), "/proc/self/fd/%d", fds[i]);
		images[i].path = paths[i];
		images[i].phys = img[i].phys;
		/* empty, wrapping around, or overlapping another: refused */
		if (!img[i].len || img[i].phys + img[i].len <= img[i].phys)
			bad = true;
		for (size_t k = 0; k < i; k++)
			if (img[i].phys < img[k].phys + img[k].len &&
			    img[k].phys < img[i].phys + img[i].len)
				bad = true;
		if (img[i].phys + img[i].len > end)
			end = img[i].phys + img[i].len;
	}

	khor_error_clear(&err);
	rc = khor_mem_open_raw(images, n, &err, &m);
	if (rc != (bad ? -KHOR_EINVAL : 0)) {
		fprintf(stderr, "open: got %d, model %d (%s)\n", rc,
			bad ? -KHOR_EINVAL : 0, err.msg);
		abort();
	}
	if (rc) {
		if (err.code != rc || !err.msg[0])
			abort();
		goto out;
	}
	/* The end of physical memory is the end of the highest image. */
	if (khor_mem_get_info(m)->phys_end != end)
		abort();
	for (size_t i = 0; i < nreads; i++) {
		int want_rc = model_read(img, n, end, rphys[i], rlen[i], want);
		int got_rc = khor_mem_read(m, rphys[i], got, rlen[i]);

		if (got_rc != want_rc) {
			fprintf(stderr, "read 0x%llx+%llu: got %d, model %d (%s)\n",
				(unsigned long long)rphys[i],
				(unsigned long long)rlen[i], got_rc, want_rc,
				khor_mem_errmsg(m));
			abort();
		}
		if (!got_rc && memcmp(got, want, rlen[i]))
			abort();
		if (got_rc && !khor_mem_errmsg(m)[0])
			abort();
	}
	khor_mem_destroy(m);
out:
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	free(pool);
	return 0;
}
