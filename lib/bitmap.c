// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Word-wise scanning of the bitmaps both map layouts store blocks in, and
 * of the bitmap spans a walk hands to its consumers: blocks,
 * runs and the last run are counted a word at a time, never a bit.
 */
#include "internal.h"

/* Bits [0, n) of a word; n in 1..64. */
static uint64_t low_bits(uint64_t n)
{
	return n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
}

/* Word @i of @bm with the bits outside [@from, @to) cleared. */
static uint64_t span_word(const uint64_t *bm, uint64_t i, uint64_t from,
			  uint64_t to)
{
	uint64_t w = bm[i];

	if (i == from / 64)
		w &= ~UINT64_C(0) << (from % 64);
	if (i == (to - 1) / 64)
		w &= low_bits((to - 1) % 64 + 1);
	return w;
}

bool khor_bitmap_find_set(const uint64_t *bm, uint64_t from, uint64_t to,
			  uint64_t *bit)
{
	for (uint64_t i = from; i < to; i = (i | 63) + 1) {
		uint64_t word = bm[i / 64] >> (i % 64);

		if (word) {
			i += (uint64_t)__builtin_ctzll(word);
			if (i >= to)
				return false;
			*bit = i;
			return true;
		}
	}
	return false;
}

bool khor_bitmap_find_run(const uint64_t *bm, uint64_t from, uint64_t to,
			  uint64_t *start, uint64_t *end)
{
	uint64_t i, word;

	if (!khor_bitmap_find_set(bm, from, to, start))
		return false;
	for (i = *start; i < to;) {
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

void khor_bitmap_count_runs(const uint64_t *bm, uint64_t from, uint64_t to,
			    uint64_t *count, uint64_t *runs, uint64_t *last)
{
	uint64_t n = 0, r = 0, carry = 0, lastw = 0, lasti = 0;

	for (uint64_t i = from / 64; from < to && i <= (to - 1) / 64; i++) {
		uint64_t w = span_word(bm, i, from, to);

		/* Empty and full words are most words of sparse and dense leaves. */
		if (!w) {
			carry = 0;
			continue;
		}
		lastw = w;
		lasti = i;
		if (w == ~UINT64_C(0)) {
			n += 64;
			r += !carry;
			carry = 1;
			continue;
		}
		n += (uint64_t)__builtin_popcountll(w);
		/* A run starts at a set bit whose lower neighbour is clear. */
		r += (uint64_t)__builtin_popcountll(w & ~(w << 1 | carry));
		carry = w >> 63;
	}
	*count = n;
	*runs = r;
	*last = lastw ? lasti * 64 + 64 - (uint64_t)__builtin_clzll(lastw) : from;
}

bool khor_bitmap_last_run(const uint64_t *bm, uint64_t from, uint64_t to,
			  uint64_t *start, uint64_t *end)
{
	uint64_t i, w = 0, last;

	if (from >= to)
		return false;
	for (i = (to - 1) / 64 + 1; i-- > from / 64;) {
		w = span_word(bm, i, from, to);
		if (w)
			break;
	}
	if (!w)
		return false;
	last = i * 64 + 63 - (uint64_t)__builtin_clzll(w);
	*end = last + 1;
	/* The run starts above the highest clear bit below it (or at @from). */
	for (w = ~w & low_bits(last % 64 + 1);; w = ~span_word(bm, i, from, to)) {
		if (w) {
			*start = i * 64 + 64 - (uint64_t)__builtin_clzll(w);
			return true;
		}
		if (i == from / 64)
			break;
		i--;
	}
	*start = from;
	return true;
}

bool khor_bitmap_next_run(const struct khor_bitmap *bm, uint64_t *pos,
			  struct khor_run *run)
{
	uint64_t s, e;

	if (*pos < bm->from)
		*pos = bm->from;
	if (bm->block_shift >= 64 ||
	    !khor_bitmap_find_run(bm->words, *pos, bm->to, &s, &e))
		return false;
	*pos = e;
	run->phys = bm->base + (s << bm->block_shift);
	run->count = e - s;
	run->order = bm->order;
	return true;
}
