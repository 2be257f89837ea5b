// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The progress line and the size formatter of tools/common.c, exactly;
 * when the display is enabled; and when a line is due, on a clock of the
 * test's own (the delay of PROGRESS_DELAY_MS, the rate limit of
 * PROGRESS_EVERY_MS), so that no check depends on the machine's speed.
 * progress.t runs the tools on a terminal.
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

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* What the progress display wrote to @f since the last call. */
static const char *written(FILE *f)
{
	static char buf[4096];
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	rewind(f);
	if (ftruncate(fileno(f), 0))
		buf[0] = 0;
	return buf;
}

/* One line as progress_update() shows it, for @nodes metadata pages. */
static const char *shown(unsigned int nodes)
{
	static char buf[512];
	struct khor_walk_progress wp = { .nodes = nodes, .blocks = 1, .bytes = 4096, .phys = 0x1000 };
	char line[256];

	progress_format(line, sizeof(line), "khowalk", &wp, 0);
	snprintf(buf, sizeof(buf), "\r%s\033[K", line);
	return buf;
}

static void clocked(struct common_opts *o)
{
	struct khor_walk_progress wp = { .blocks = 1, .bytes = 4096, .phys = 0x1000 };
	struct progress p;
	FILE *err = tmpfile();

	o->err = err;
	o->progress = PROGRESS_AUTO;
	fake_now = 1000;
	progress_start(&p, o, NULL);
	p.enabled = true;	/* as on a terminal */
	p.now_ms = fake_clock;
	p.start_ms = fake_now;
	wp.nodes = 256;
	fake_now = 1000 + PROGRESS_DELAY_MS - 1;
	progress_update(&p, &wp);
	tap_eq_str(written(err), "", "auto: nothing before %d ms", PROGRESS_DELAY_MS);
	wp.nodes = 512;
	fake_now = 1000 + PROGRESS_DELAY_MS;
	progress_update(&p, &wp);
	tap_eq_str(written(err), shown(512), "auto: a line once the walk has taken %d ms",
		   PROGRESS_DELAY_MS);
	wp.nodes = 768;
	fake_now += PROGRESS_EVERY_MS - 1;
	progress_update(&p, &wp);
	tap_eq_str(written(err), "", "no other line within %d ms", PROGRESS_EVERY_MS);
	wp.nodes = 1024;
	fake_now += 1;
	progress_update(&p, &wp);
	tap_eq_str(written(err), shown(1024), "the next line after %d ms", PROGRESS_EVERY_MS);
	progress_end(&p);
	tap_eq_str(written(err), "\r\033[K", "the end erases the line");
	progress_end(&p);
	tap_eq_str(written(err), "", "... once");

	o->progress = PROGRESS_ALWAYS;
	fake_now = 5000;
	progress_start(&p, o, NULL);
	p.now_ms = fake_clock;
	p.start_ms = fake_now;
	wp.nodes = 256;
	progress_update(&p, &wp);
	tap_eq_str(written(err), shown(256), "always: a line at once");
	progress_end(&p);
	fclose(err);
	o->err = stderr;
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
	clocked(&o);
	return tap_done();
}
