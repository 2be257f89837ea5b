/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who holds each preserved block (khowalk owners, khodump's summary) and
 * what changed between two states (khowalk diff). */
#ifndef KHOTOOLS_OWNERS_H
#define KHOTOOLS_OWNERS_H

#include "common.h"

/*
 * khowalk owners [--blocks] [--max-list N]: @argc/@argv are what follows
 * "owners"; @max_list unattributed ranges are listed (0: all), the rest
 * counted.
 */
#define OWNERS_LIST_DEFAULT 1000
int cmd_owners(struct common_opts *o, bool blocks, uint64_t max_list,
	       int argc, char **argv);

/*
 * khodump's summary: one line per owner and the unattributed ranges (at
 * most a few listed), as text on o->out or as an "owners" member of @j.
 * Returns the library status of the attribution (0 if it went through).
 */
int owners_summary(struct common_opts *o, struct khor_mem *mem,
		   const struct khor_located *loc, struct json *j);

/*
 * khowalk diff OLD NEW (argv after "diff"); exit status as diff(1).
 * @in_old, @in_new: that operand's incoming state (--old-in, --new-in;
 * --in is both).
 */
int cmd_diff(struct common_opts *o, bool in_old, bool in_new, int argc,
	     char **argv);

#endif /* KHOTOOLS_OWNERS_H */
