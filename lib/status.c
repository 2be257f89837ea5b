// SPDX-License-Identifier: GPL-2.0-or-later
/* Status codes and error records. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const status_text[KHOR_NSTATUS] = {
	[KHOR_OK] = "success",
	[KHOR_ENOMEM] = "out of memory",
	[KHOR_EINVAL] = "invalid argument",
	[KHOR_EIO] = "input/output error",
	[KHOR_EFAULT] = "address outside physical memory",
	[KHOR_ENODATA] = "page not in the dump",
	[KHOR_ECORRUPT] = "corrupt structure",
	[KHOR_EFORMAT] = "unsupported format",
	[KHOR_ELIMIT] = "work limit reached",
	[KHOR_ENOTFOUND] = "not found",
	[KHOR_ECHANGED] = "memory changed while being read",
	[KHOR_ESTOP] = "stopped by caller",
};

const char *khor_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= KHOR_NSTATUS)
		return "unknown error";
	return status_text[err];
}

void khor_error_clear(struct khor_error *err)
{
	memset(err, 0, sizeof(*err));
	err->level = -1;
}

int khor_verr_at(struct khor_error *err, int code, int level, uint64_t phys,
		 bool has_phys, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	err->level = level;
	err->phys = phys;
	err->has_phys = has_phys;
	err->count = 1;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int khor_err(struct khor_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	khor_verr_at(err, code, -1, 0, false, fmt, ap);
	va_end(ap);
	return code;
}

int khor_err_at(struct khor_error *err, int code, int level, uint64_t phys,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	khor_verr_at(err, code, level, phys, true, fmt, ap);
	va_end(ap);
	return code;
}
