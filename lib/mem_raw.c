// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Raw memory images: files holding physical memory from a given address
 * (FILE@PHYS). Holes between images are "not in the dump"; the end of the
 * highest image is the end of physical memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "memsrc.h"

struct raw_image {
	int fd;
	uint64_t phys;
	uint64_t size;
	char *path;
};

struct raw_mem {
	size_t n;
	struct raw_image img[];
};

static int raw_cmp(const void *a, const void *b)
{
	const struct raw_image *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

static const struct raw_image *raw_find(const struct raw_mem *raw, uint64_t phys)
{
	size_t lo = 0, hi = raw->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct raw_image *im = &raw->img[mid];

		if (phys < im->phys)
			hi = mid;
		else if (phys - im->phys >= im->size)
			lo = mid + 1;
		else
			return im;
	}
	return NULL;
}

static int raw_read(struct khor_mem *mem, void *priv, uint64_t phys, void *buf,
		    size_t len)
{
	struct raw_mem *raw = priv;
	uint8_t *out = buf;

	while (len) {
		const struct raw_image *im = raw_find(raw, phys);
		uint64_t off, chunk;
		ssize_t got;

		if (!im) {
			khor_mem_set_errmsg(mem, "0x%llx is not in any raw image",
					    (unsigned long long)phys);
			return -KHOR_ENODATA;
		}
		off = phys - im->phys;
		chunk = im->size - off;
		if (chunk > len)
			chunk = len;
		do
			got = pread(im->fd, out, chunk, (off_t)off);
		while (got < 0 && errno == EINTR);
		if (got < 0 || (uint64_t)got != chunk) {
			khor_mem_set_errmsg(mem, "cannot read '%s' at offset 0x%llx: %s",
					    im->path, (unsigned long long)off,
					    got < 0 ? strerror(errno) : "short read");
			return -KHOR_EIO;
		}
		out += chunk;
		phys += chunk;
		len -= chunk;
	}
	return 0;
}

static void raw_close(void *priv)
{
	struct raw_mem *raw = priv;

	for (size_t i = 0; i < raw->n; i++) {
		if (raw->img[i].fd >= 0)
			close(raw->img[i].fd);
		free(raw->img[i].path);
	}
	free(raw);
}

static int raw_next_present(struct khor_mem *mem, void *priv, uint64_t from,
			    uint64_t *start, uint64_t *end)
{
	struct raw_mem *raw = priv;

	(void)mem;
	for (size_t i = 0; i < raw->n; i++) {
		const struct raw_image *im = &raw->img[i];

		if (im->phys + im->size <= from || !im->size)
			continue;
		*start = im->phys > from ? im->phys : from;
		*end = im->phys + im->size;
		return 0;
	}
	return -KHOR_ENOTFOUND;
}

static const struct khor_mem_ops raw_ops = {
	.read = raw_read,
	.close = raw_close,
	.next_present = raw_next_present,
};

int khor_mem_open_raw(const struct khor_raw_image *images, size_t n,
		      struct khor_error *err, struct khor_mem **ret)
{
	struct khor_mem_info info = { .kind = "raw" };
	struct raw_mem *raw;
	int rc;

	if (!n)
		return khor_err(err, -KHOR_EINVAL, "no raw image given");
	raw = calloc(1, sizeof(*raw) + n * sizeof(raw->img[0]));
	if (!raw)
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		raw->img[i].fd = -1;
	raw->n = n;
	for (size_t i = 0; i < n; i++) {
		struct raw_image *im = &raw->img[i];
		struct stat st;

		im->phys = images[i].phys;
		im->path = strdup(images[i].path);
		if (!im->path) {
			rc = khor_err(err, -KHOR_ENOMEM, "out of memory");
			goto out_free;
		}
		im->fd = open(im->path, O_RDONLY | O_CLOEXEC);
		if (im->fd < 0 || fstat(im->fd, &st) < 0) {
			rc = khor_err(err, -KHOR_EIO, "cannot open '%s': %s",
				      im->path, strerror(errno));
			goto out_free;
		}
		im->size = (uint64_t)st.st_size;
		/*
		 * An empty image holds no memory, and at the top it would move
		 * the end of memory (at 0: make it "unknown"). Found by
		 * fuzz/raw.c (fuzz/corpus/raw/crash-empty-image).
		 */
		if (!im->size) {
			rc = khor_err(err, -KHOR_EINVAL, "raw image '%s' is empty",
				      im->path);
			goto out_free;
		}
		if (im->phys + im->size < im->phys) {
			rc = khor_err(err, -KHOR_EINVAL,
				      "raw image '%s' at 0x%llx wraps around the address space",
				      im->path, (unsigned long long)im->phys);
			goto out_free;
		}
	}
	qsort(raw->img, n, sizeof(raw->img[0]), raw_cmp);
	for (size_t i = 0; i + 1 < n; i++) {
		if (raw->img[i].phys + raw->img[i].size > raw->img[i + 1].phys) {
			rc = khor_err(err, -KHOR_EINVAL,
				      "raw images '%s' and '%s' overlap",
				      raw->img[i].path, raw->img[i + 1].path);
			goto out_free;
		}
	}
	info.phys_end = raw->img[n - 1].phys + raw->img[n - 1].size;
	rc = khor_mem_create(&raw_ops, raw, &info, ret);
	if (rc) {
		khor_err(err, rc, "out of memory");
		goto out_free;
	}
	return 0;

out_free:
	raw_close(raw);
	return rc;
}
