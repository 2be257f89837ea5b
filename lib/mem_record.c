// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A memory source that notes every page read through it: --extract keeps
 * exactly the pages decoding needed (DESIGN §4: small dumps cut down to the
 * KHO-relevant pages by our own extract feature).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "memsrc.h"

struct record {
	struct khor_mem *inner;
	uint64_t *pages;
	size_t n, cap;
	size_t sorted;		/* pages[0..sorted) are sorted and unique */
	bool paused;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void record_compact(struct record *r)
{
	size_t j = 0;

	if (r->sorted == r->n)
		return;
	qsort(r->pages, r->n, sizeof(r->pages[0]), cmp_u64);
	for (size_t i = 0; i < r->n; i++)
		if (!j || r->pages[j - 1] != r->pages[i])
			r->pages[j++] = r->pages[i];
	r->n = r->sorted = j;
}

static int record_range(struct record *r, uint64_t phys, uint64_t len)
{
	uint64_t first = phys / KHOR_EXTRACT_PAGE;
	uint64_t last = (phys + len - 1) / KHOR_EXTRACT_PAGE;

	if (!len)
		return 0;
	for (uint64_t p = first; p <= last; p++) {
		/* Most reads repeat the page just read (tree walks, headers). */
		if (r->n && r->pages[r->n - 1] == p * KHOR_EXTRACT_PAGE)
			continue;
		if (r->n == r->cap) {
			size_t ncap;
			uint64_t *np;

			record_compact(r);
			ncap = r->cap ? r->cap * 2 : 1024;
			if (r->n < r->cap / 2)
				ncap = r->cap;	/* compaction made room */
			np = ncap == r->cap ? r->pages :
			     realloc(r->pages, ncap * sizeof(*np));
			if (!np)
				return -KHOR_ENOMEM;
			r->pages = np;
			r->cap = ncap;
		}
		r->pages[r->n++] = p * KHOR_EXTRACT_PAGE;
	}
	return 0;
}

static int record_read(struct khor_mem *mem, void *priv, uint64_t phys,
		       void *buf, size_t len)
{
	struct record *r = priv;
	int rc = khor_mem_read(r->inner, phys, buf, len);

	if (rc) {
		khor_mem_set_errmsg(mem, "%s", khor_mem_errmsg(r->inner));
		return rc;
	}
	if (!r->paused && record_range(r, phys, len)) {
		khor_mem_set_errmsg(mem, "out of memory recording pages");
		return -KHOR_EIO;
	}
	return 0;
}

static int record_next_present(struct khor_mem *mem, void *priv, uint64_t from,
			       uint64_t *start, uint64_t *end)
{
	struct record *r = priv;

	(void)mem;
	return khor_mem_next_present(r->inner, from, start, end);
}

/* The inner source's own heads pass, if it has one: a scan under --extract. */
static int record_heads(struct khor_mem *mem, uint64_t from, uint64_t to,
			uint64_t page_size, khor_head_fn fn, void *arg)
{
	struct record *r = mem->priv;

	return r->inner->heads ? khor_mem_heads(r->inner, from, to, page_size,
						fn, arg) : 1;
}

static void record_close(void *priv)
{
	struct record *r = priv;

	free(r->pages);
	free(r);
}

static const struct khor_mem_ops record_ops = {
	.read = record_read,
	.close = record_close,
	.next_present = record_next_present,
};

int khor_mem_record_create(struct khor_mem *inner, struct khor_mem **ret)
{
	struct record *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -KHOR_ENOMEM;
	r->inner = inner;
	rc = khor_mem_create(&record_ops, r, khor_mem_get_info(inner), ret);
	if (rc)
		free(r);
	else
		(*ret)->heads = record_heads;
	return rc;
}

int khor_mem_record_pages(struct khor_mem *rec, const uint64_t **pages_ret,
			  size_t *n_ret)
{
	struct record *r;

	if (rec->ops != &record_ops)
		return -KHOR_EINVAL;
	r = rec->priv;
	record_compact(r);
	*pages_ret = r->pages;
	*n_ret = r->n;
	return 0;
}

int khor_mem_record_add(struct khor_mem *rec, uint64_t phys, uint64_t len)
{
	if (rec->ops != &record_ops)
		return -KHOR_EINVAL;
	if (phys + len < phys)
		return -KHOR_EINVAL;
	return record_range(rec->priv, phys, len);
}

bool khor_mem_record_pause(struct khor_mem *mem, bool pause)
{
	struct record *r;
	bool was;

	if (!mem || mem->ops != &record_ops)
		return false;
	r = mem->priv;
	was = r->paused;
	r->paused = pause;
	return was;
}
