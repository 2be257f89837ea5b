// SPDX-License-Identifier: GPL-2.0-or-later
/* kho-v1 chunk-list walker: placeholder until the v1 issue lands. */
#include "walk_internal.h"

int khor_walk_v1_cursors(struct khor_walk_ctx *w, struct khor_cursor **cur,
			 size_t *n)
{
	(void)cur;
	*n = 0;
	khor_walk_problem(w, -KHOR_EFORMAT, -1, w->map->root,
			  "kho-v1 maps are not supported yet");
	return -KHOR_EFORMAT;
}
