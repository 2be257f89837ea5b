// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The progress line and the size formatter of tools/common.c (issue 11),
 * exactly; and when the display is enabled. progress.t runs the tools on
 * a terminal.
 */
#include <unistd.h>

#include "../tap.h"
#include "common.h"

static void size_is(uint64_t n, const char *want)
{
	char buf[32];

	tap_eq_str(human_bytes(buf, sizeof(buf), n), want, "human_bytes(%llu)",
		   (unsigned long long)n);
}

int main(void)
{
	struct khor_walk_progress wp = {
		.nodes = 4096, .blocks = 123456, .bytes = 3ULL << 30,
		.phys = 0x400000000,
	};
	struct common_opts o;
	struct progress p;
	char line[256];

	size_is(0, "0 B");
	size_is(1023, "1023 B");
	size_is(1024, "1 KiB");
	size_is(1536, "1.5 KiB");
	size_is(51ULL << 20, "51 MiB");
	size_is(3662909440ULL, "3.4 GiB");
	size_is(4ULL << 40, "4 TiB");
	size_is(UINT64_MAX, "16.0 EiB");

	progress_format(line, sizeof(line), "khowalk", &wp, 0x1000000000);
	tap_eq_str(line, "khowalk: 4096 metadata pages, 123456 blocks (3 GiB), at 0x400000000 of 0x1000000000 (25%)",
		   "progress line with the end of memory");
	progress_format(line, sizeof(line), "khowalk", &wp, 0);
	tap_eq_str(line, "khowalk: 4096 metadata pages, 123456 blocks (3 GiB), at 0x400000000",
		   "progress line, end of memory unknown");
	progress_format(line, sizeof(line), "khodump", &wp, 0x100000000);
	tap_eq_str(line, "khodump: 4096 metadata pages, 123456 blocks (3 GiB), at 0x400000000",
		   "no percentage past an end of memory that is only the dump's");

	/* stderr is not a terminal here (prove captures it) */
	common_init(&o, "khowalk");
	progress_start(&p, &o, NULL);
	tap_ok(!p.enabled || isatty(STDERR_FILENO), "--progress auto is off when stderr is not a terminal");
	o.progress = PROGRESS_NEVER;
	progress_start(&p, &o, NULL);
	progress_update(&p, &wp);
	progress_end(&p);
	tap_ok(!p.enabled && !p.shown, "--progress never shows nothing");
	o.progress = PROGRESS_ALWAYS;
	progress_start(&p, &o, NULL);
	tap_ok(p.enabled, "--progress always is on");
	return tap_done();
}
