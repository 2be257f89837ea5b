// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ELF vmcores, kdump-compressed vmcores and /proc/kcore through
 * libkdumpfile. Reads use machine physical addresses (KDUMP_MACHPHYSADDR),
 * which need no VMCOREINFO and no address translation: this is what makes
 * dumps without a VMCOREINFO note decodable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

#include "internal.h"
#include "memsrc.h"

struct kdump_mem {
	kdump_ctx_t *ctx;
	int fd;
};

static int kdump_mem_read(struct khor_mem *mem, void *priv, uint64_t phys,
			  void *buf, size_t len)
{
	struct kdump_mem *km = priv;
	size_t got = len;
	kdump_status st;

	st = kdump_read(km->ctx, KDUMP_MACHPHYSADDR, phys, buf, &got);
	if (st == KDUMP_OK && got == len)
		return 0;
	khor_mem_set_errmsg(mem, "%s", kdump_get_err(km->ctx));
	if (st == KDUMP_ERR_NODATA || st == KDUMP_OK)
		return -KHOR_ENODATA;
	return -KHOR_EIO;
}

static void kdump_mem_close(void *priv)
{
	struct kdump_mem *km = priv;

	if (km->ctx)
		kdump_free(km->ctx);
	if (km->fd >= 0)
		close(km->fd);
	free(km);
}

static const struct khor_mem_ops kdump_mem_ops = {
	.read = kdump_mem_read,
	.close = kdump_mem_close,
};

static void kdump_fill_info(kdump_ctx_t *ctx, const char *path,
			    struct khor_mem_info *info)
{
	const char *s;
	kdump_num_t num;

	if (kdump_get_string_attr(ctx, KDUMP_ATTR_FILE_FORMAT, &s) == KDUMP_OK) {
		if (!strcmp(path, "/proc/kcore"))
			s = "kcore";
		else if (!strcmp(s, "diskdump") || !strcmp(s, "kdump"))
			s = "kdump";
		else if (!strncmp(s, "elf", 3))
			s = "elf";
		strncpy(info->kind, s, sizeof(info->kind) - 1);
	}
	/*
	 * The page size of the dumped kernel is only known from VMCOREINFO
	 * (or a kdump header); libkdumpfile falls back to the architecture's
	 * default otherwise, so accept it only with VMCOREINFO present.
	 */
	if (kdump_get_string_attr(ctx, "linux.vmcoreinfo.lines.PAGESIZE", &s) == KDUMP_OK)
		info->page_size = strtoull(s, NULL, 10);
	else if (strcmp(info->kind, "kdump") == 0 &&
		 kdump_get_number_attr(ctx, KDUMP_ATTR_PAGE_SIZE, &num) == KDUMP_OK)
		info->page_size = num;
	if (kdump_get_string_attr(ctx, "linux.vmcoreinfo.lines.OSRELEASE", &s) == KDUMP_OK)
		strncpy(info->osrelease, s, sizeof(info->osrelease) - 1);
	/* max_pfn is the end of the highest page the dump describes. */
	if (kdump_get_number_attr(ctx, "max_pfn", &num) == KDUMP_OK) {
		kdump_num_t psz;

		if (kdump_get_number_attr(ctx, KDUMP_ATTR_PAGE_SIZE, &psz) == KDUMP_OK &&
		    psz && num < UINT64_MAX / psz)
			info->phys_end = num * psz;
	}
}

int khor_mem_open_dump(const char *path, struct khor_error *err,
		       struct khor_mem **ret)
{
	struct khor_mem_info info = { 0 };
	struct kdump_mem *km;
	const char *arch;
	kdump_status st;
	int rc;

	km = calloc(1, sizeof(*km));
	if (!km)
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	km->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (km->fd < 0) {
		rc = khor_err(err, -KHOR_EIO, "cannot open '%s': %s", path,
			      strerror(errno));
		goto out_free;
	}
	km->ctx = kdump_new();
	if (!km->ctx) {
		rc = khor_err(err, -KHOR_ENOMEM, "out of memory");
		goto out_free;
	}
	st = kdump_open_fd(km->ctx, km->fd);
	if (st != KDUMP_OK) {
		rc = khor_err(err, st == KDUMP_ERR_SYSTEM ? -KHOR_EIO : -KHOR_EFORMAT,
			      "cannot open '%s' as a dump: %s", path,
			      kdump_get_err(km->ctx));
		goto out_free;
	}
	/*
	 * libkdumpfile 0.5.1 does not derive the architecture of QEMU's
	 * diskdumps (QEMU_LAB.md §5); physical reads need it set.
	 */
	if (kdump_get_string_attr(km->ctx, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK)
		kdump_set_string_attr(km->ctx, KDUMP_ATTR_ARCH_NAME, KDUMP_ARCH_X86_64);
	kdump_fill_info(km->ctx, path, &info);
	rc = khor_mem_create(&kdump_mem_ops, km, &info, ret);
	if (rc) {
		khor_err(err, rc, "out of memory");
		goto out_free;
	}
	return 0;

out_free:
	kdump_mem_close(km);
	return rc;
}
