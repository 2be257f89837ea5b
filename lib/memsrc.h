/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The memory source object, private to the library. */
#ifndef KHOTOOLS_MEMSRC_H
#define KHOTOOLS_MEMSRC_H

#include "radix_reader.h"

/* The first bytes of a page a scan looks at: the FDT magic. */
#define KHOR_HEAD_LEN 4

/* Called by a heads pass for each page: non-zero stops the pass. */
typedef int (*khor_head_fn)(void *arg, uint64_t phys, const uint8_t *head);

struct khor_mem {
	const struct khor_mem_ops *ops;
	void *priv;
	struct khor_mem_info info;
	char errmsg[256];
	/*
	 * Optional: a backend's own heads pass (see khor_mem_heads()), for
	 * sources that can hand over page heads faster than reads through
	 * @ops. Returns like khor_mem_heads(), or 1 when it cannot serve
	 * this request (the generic pass then runs).
	 */
	int (*heads)(struct khor_mem *mem, uint64_t from, uint64_t to,
		     uint64_t page_size, khor_head_fn fn, void *arg);
};

/*
 * khor_mem_heads() - the first KHOR_HEAD_LEN bytes of every page the
 * source holds whose start is in [@from, @to) (@from page aligned), in
 * ascending order, each passed to @fn with its address. Pages whose head
 * cannot be read are left out, as a probe read of them would fail. The
 * source is read in large sequential pieces into one reused buffer, so
 * a scan costs about a sequential read of the dump, with bounded memory.
 * Returns 0, or the first non-zero value of @fn, or -KHOR_ENOMEM.
 * Reads are not recorded by a recording source (khor_mem_record_pause()).
 */
__attribute__((visibility("hidden")))
int khor_mem_heads(struct khor_mem *mem, uint64_t from, uint64_t to,
		   uint64_t page_size, khor_head_fn fn, void *arg);

/* The size of the pieces heads passes read: bounds their memory. */
#define KHOR_HEADS_CHUNK (1u << 20)

/*
 * khor_mem_next_present() - the first present range at or above @from
 * (through the backend's next_present op, or [from, phys_end) if it has
 * none). Returns 0 or -KHOR_ENOTFOUND.
 */
__attribute__((visibility("hidden")))
int khor_mem_next_present(struct khor_mem *mem, uint64_t from,
			  uint64_t *start, uint64_t *end);

/*
 * khor_mem_record_pause() - while paused, a recorder passes reads through
 * without noting them (a scan's probes are not "pages decoding needs").
 * A no-op for other sources. Returns the previous state.
 */
__attribute__((visibility("hidden")))
bool khor_mem_record_pause(struct khor_mem *mem, bool pause);

/*
 * khor_mem_open_elf() - ELF vmcores without libkdumpfile (mem_elf.c).
 * Returns 0 with *@ret set, a negative code with @err set, or 1 if the
 * file is not one it handles (khor_mem_open_dump() then uses libkdumpfile).
 */
__attribute__((visibility("hidden")))
int khor_mem_open_elf(const char *path, struct khor_error *err,
		      struct khor_mem **ret);

#endif /* KHOTOOLS_MEMSRC_H */
