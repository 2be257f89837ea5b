// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one mapping from library statuses to exit statuses (tools/common.c),
 * for every status the library has, and the verdict conventions DESIGN.md
 * §3a gives `khowalk diff` (diff(1)) and `khodump preflight`. The expected
 * values are DESIGN §3a's table, written out here by hand.
 */
#include "../tap.h"
#include "common.h"

int main(void)
{
	static const struct { int code; int status; } plain[] = {
		{ KHOR_OK, 0 },
		{ KHOR_ENOMEM, 1 },
		{ KHOR_EINVAL, 1 },
		{ KHOR_EIO, 1 },		/* cannot read an input */
		{ KHOR_EFAULT, 1 },
		{ KHOR_ENODATA, 4 },		/* not in the dump */
		{ KHOR_ECORRUPT, 3 },
		{ KHOR_EFORMAT, 1 },		/* unknown format */
		{ KHOR_ELIMIT, 1 },
		{ KHOR_ENOTFOUND, 1 },
		{ KHOR_ECHANGED, 4 },		/* live memory changed: incomplete */
		{ KHOR_ESTOP, 1 },
	};

	tap_ok(sizeof(plain) / sizeof(plain[0]) == KHOR_NSTATUS,
	       "every library status is in the table");
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		tap_eq_u64(exit_for(-plain[i].code), plain[i].status, "%s: exit %d",
			   khor_strerror(plain[i].code), plain[i].status);

	/* diff(1): 0 same, 1 different, 2 or more trouble. */
	tap_eq_u64(exit_diff(0, false), 0, "diff: same is 0");
	tap_eq_u64(exit_diff(0, true), 1, "diff: different is 1");
	tap_eq_u64(exit_diff(-KHOR_EIO, false), 5, "diff: an unreadable input is trouble, not 'different'");
	tap_eq_u64(exit_diff(-KHOR_ECORRUPT, true), 3, "diff: corrupt is 3");
	tap_eq_u64(exit_diff(-KHOR_ENODATA, false), 4, "diff: incomplete is 4");
	tap_eq_u64(exit_diff(-KHOR_ECHANGED, false), 4, "diff: changed while read is 4");
	/* preflight: 0 go, 1 no-go, 2 or more trouble. */
	tap_eq_u64(exit_preflight(0, true), 0, "preflight: go is 0");
	tap_eq_u64(exit_preflight(0, false), 1, "preflight: no-go is 1");
	tap_eq_u64(exit_preflight(-KHOR_EIO, true), 5, "preflight: an unreadable input is trouble, not no-go");
	tap_eq_u64(exit_preflight(-KHOR_ECORRUPT, true), 3, "preflight: corrupt is 3");
	/* Statuses the tools give themselves keep their meaning. */
	tap_eq_u64(exit_as(EXITS_VERDICT, EXIT_USAGE), 2, "verdict convention: usage stays 2");
	tap_eq_u64(exit_as(EXITS_VERDICT, EXIT_FAIL), 5, "verdict convention: a failure is 5");
	tap_eq_u64(exit_as(EXITS_PLAIN, EXIT_FAIL), 1, "plain convention: a failure is 1");
	tap_eq_u64(exit_as(EXITS_VERDICT, EXIT_OK), 0, "verdict convention: 0 stays 0");
	return tap_done();
}
