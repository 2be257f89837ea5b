// SPDX-License-Identifier: GPL-2.0-or-later
/* Word-wise scanning of the bitmaps both map layouts store blocks in. */
#include "walk_internal.h"

bool khor_bitmap_find_run(const uint64_t *bm, uint64_t from, uint64_t to,
			  uint64_t *start, uint64_t *end)
{
	uint64_t i = from, word;

	while (i < to) {
		word = bm[i / 64] >> (i % 64);
		if (word) {
			i += (uint64_t)__builtin_ctzll(word);
			break;
		}
		i = (i | 63) + 1;
	}
	if (i >= to)
		return false;
	*start = i;
	while (i < to) {
		/* Bits shifted in from the top are 0, so word == 0 means all set. */
		word = ~bm[i / 64] >> (i % 64);
		if (word) {
			i += (uint64_t)__builtin_ctzll(word);
			break;
		}
		i = (i | 63) + 1;
	}
	*end = i < to ? i : to;
	return true;
}
