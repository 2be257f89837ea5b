/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harnesses' reference set of radix keys: open addressing in a power
 * of two of slots, kept at most half full, backward-shift deletion (no
 * tombstones), so membership is exact however long a run goes. Key 0 is
 * the empty slot: every radix key has its order bit set. One translation
 * unit per program includes it; rng_next() is sim_mem.h's.
 */
#ifndef KHO_HARNESS_KSET_H
#define KHO_HARNESS_KSET_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim_mem.h"

struct kset {
	uint64_t *slot;
	size_t cap;	/* power of two */
	size_t n;
};

static inline void kset_init(struct kset *s, size_t cap)
{
	s->slot = calloc(cap, sizeof(*s->slot));
	if (!s->slot)
		abort();
	s->cap = cap;
	s->n = 0;
}

static inline void kset_free(struct kset *s)
{
	free(s->slot);
	s->slot = NULL;
}

static inline size_t kset_hash(const struct kset *s, uint64_t k)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 20) & (s->cap - 1);
}

static inline int kset_has(const struct kset *s, uint64_t k)
{
	size_t i = kset_hash(s, k);

	while (s->slot[i]) {
		if (s->slot[i] == k)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	return 0;
}

static inline void kset_add(struct kset *s, uint64_t k)
{
	size_t i = kset_hash(s, k);

	while (s->slot[i]) {
		if (s->slot[i] == k)
			return;
		i = (i + 1) & (s->cap - 1);
	}
	if (s->n + 1 > s->cap / 2) {
		fprintf(stderr, "harness: reference set full\n");
		abort();
	}
	s->slot[i] = k;
	s->n++;
}

static inline void kset_del(struct kset *s, uint64_t k)
{
	size_t i = kset_hash(s, k), j;

	while (s->slot[i] != k) {
		if (!s->slot[i])
			return;
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = 0;
	s->n--;
	/* Move later members of the cluster back into the hole. */
	for (j = (i + 1) & (s->cap - 1); s->slot[j]; j = (j + 1) & (s->cap - 1)) {
		size_t h = kset_hash(s, s->slot[j]);

		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			s->slot[i] = s->slot[j];
			s->slot[j] = 0;
			i = j;
		}
	}
}

/* A member chosen from a random slot on (the set must not be empty). */
static inline uint64_t kset_any(const struct kset *s, uint64_t *rng)
{
	size_t i = rng_next(rng) & (s->cap - 1);

	while (!s->slot[i])
		i = (i + 1) & (s->cap - 1);
	return s->slot[i];
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted copy of the members (s->n of them); caller frees. */
static inline uint64_t *kset_sorted(const struct kset *s)
{
	uint64_t *v = malloc((s->n + 1) * sizeof(*v));
	size_t i, n = 0;

	if (!v)
		abort();
	for (i = 0; i < s->cap; i++)
		if (s->slot[i])
			v[n++] = s->slot[i];
	qsort(v, n, sizeof(*v), cmp_u64);
	return v;
}

#endif
