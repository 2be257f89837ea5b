/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libc headers include the UAPI <linux/errno.h>: only that one. */
#include_next <linux/errno.h>
