/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The memory source object, private to the library. */
#ifndef KHOTOOLS_MEMSRC_H
#define KHOTOOLS_MEMSRC_H

#include "radix_reader.h"

struct khor_mem {
	const struct khor_mem_ops *ops;
	void *priv;
	struct khor_mem_info info;
	char errmsg[256];
};

#endif /* KHOTOOLS_MEMSRC_H */
