// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel patch's ABI header compiled at the PAGE_SHIFT given on the
 * command line (-DPAGE_SHIFT=N): prints the constants it derives, so a
 * test can hold them against upstream's KHO_TREE_MAX_DEPTH at 4, 16 and
 * 64 KiB pages (the rest of the harness is built for 4 KiB pages only).
 */
#include <stdio.h>

#include <linux/kho/abi/radix_tree.h>

int main(void)
{
	printf("page_shift %d order0 %d table %d bitmap %d depth %d\n",
	       PAGE_SHIFT, KHO_ORDER_0_LOG2, KHO_TABLE_SIZE_LOG2,
	       KHO_BITMAP_SIZE_LOG2, KHO_TREE_MAX_DEPTH);
	return 0;
}
