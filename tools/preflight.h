/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `khodump preflight`: would a KHO kexec into a given kernel image work
 * from this state? (tools/preflight.c; man/khodump.1, PREFLIGHT)
 */
#ifndef KHOTOOLS_PREFLIGHT_H
#define KHOTOOLS_PREFLIGHT_H

#include "common.h"

#define PREFLIGHT_MAX_MODULES 16

struct preflight_opts {
	const char *target;
	const char *initrd;
	const char *modules[PREFLIGHT_MAX_MODULES];
	unsigned int nmodules;
};

/* The run: 0 go, 1 no-go, 2 or more trouble (exit_preflight()). */
int preflight_run(struct common_opts *o, const struct preflight_opts *p);

/*
 * From khodump.c, shared with the preflight: the memory source khodump
 * uses (@reason says why there is none when *@inner is NULL; -1 after a
 * message if a named source cannot be opened), and a debugfs file's bytes
 * (at most @max; NULL if it cannot be read).
 */
int khodump_open_memory(struct common_opts *o, struct khor_mem **inner,
			char *reason, size_t len);
void *khodump_read_file(const char *path, size_t max, size_t *len);

#endif /* KHOTOOLS_PREFLIGHT_H */
