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
