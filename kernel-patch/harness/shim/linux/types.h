/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libc headers include the UAPI <linux/types.h>; keep its __u32 and co. */
#include_next <linux/types.h>
#include "../kernel_shim.h"
