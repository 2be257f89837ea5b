// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tools as functions (tools/tool_env.h), run many times in one process
 * as the crash extension runs them: each run starts from its arguments
 * alone, nothing of an earlier run (options, -j, a failed write, an error
 * message, getopt's position) leaks into the next, and a caller's output
 * stream is never closed. Expected outputs are the documented formats
 * (DESIGN.md §3a), written out here.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "tool_env.h"

static char vmcore[4096], fdt_phys[64], prog[] = "kho";

/* Run @tool with @args (NULL-terminated) into fresh buffers. */
static int run(int (*tool)(const struct tool_env *, int, char **),
	       FILE *out, char *obuf, size_t olen, char *ebuf, size_t elen,
	       const char *const *args)
{
	struct tool_env env = { .prog = "kho" };
	char *argv[32];
	FILE *err = tmpfile();
	FILE *o = out ? out : tmpfile();
	int argc = 0, status;
	size_t n;

	argv[argc++] = prog;
	for (; *args && argc < 31; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	env.out = o;
	env.err = err;
	status = tool(&env, argc, argv);
	if (!out) {
		rewind(o);
		n = fread(obuf, 1, olen - 1, o);
		obuf[n] = 0;
		fclose(o);
	}
	rewind(err);
	n = fread(ebuf, 1, elen - 1, err);
	ebuf[n] = 0;
	fclose(err);
	return status;
}

#define RUN(tool, ...) \
	run(tool, NULL, out, sizeof(out), err, sizeof(err), \
	    (const char *const[]){ __VA_ARGS__, NULL })

int main(void)
{
	static char out[1 << 20], err[4096], first[1 << 20];
	const char *src = getenv("KHO_SRC");
	FILE *f, *full;
	int rc;

	if (!src) {
		printf("Bail out! KHO_SRC is not set\n");
		return 1;
	}
	snprintf(vmcore, sizeof(vmcore), "%s/tests/fixtures/upstream-v2/vmcore.elf", src);
	snprintf(first, sizeof(first), "%s/tests/fixtures/upstream-v2/fdt_phys.txt", src);
	f = fopen(first, "r");
	if (!f || !fgets(fdt_phys, sizeof(fdt_phys), f)) {
		printf("Bail out! cannot read %s\n", first);
		return 1;
	}
	fclose(f);
	fdt_phys[strcspn(fdt_phys, "\n")] = 0;

	rc = RUN(khowalk_run, "--vmcore", vmcore, "--fdt-phys", fdt_phys, "map",
		 "--color=never");
	strcpy(first, out);
	tap_ok(rc == 0 && !err[0], "map: exit 0, nothing on stderr");
	rc = RUN(khowalk_run, "--vmcore", vmcore, "--fdt-phys", fdt_phys, "map",
		 "--width", "8", "--color=never");
	tap_ok(rc == 0 && strcmp(out, first), "map --width 8 draws another picture");
	rc = RUN(khowalk_run, "--vmcore", vmcore, "--fdt-phys", fdt_phys, "map",
		 "--color=never");
	tap_ok(rc == 0 && !strcmp(out, first), "map again: the earlier --width is forgotten");

	rc = RUN(khowalk_run, "-j", "--bogus");
	tap_eq_u64(rc, 2, "-j --bogus: exit 2");
	tap_eq_str(out, "{\"format_version\":1,\"error\":{\"message\":\"unknown option '--bogus'\"}}\n",
		   "-j --bogus: the JSON error document");
	tap_eq_str(err, "kho: unknown option '--bogus'\nTry 'kho --help' for more information.\n",
		   "-j --bogus: the message and the --help line");
	rc = RUN(khowalk_run, "key", "decode", "0x80000000001");
	tap_ok(rc == 0 && !strcmp(out, "0x200000 9\n") && !err[0],
	       "the next run is text again, with no error carried over");

	optind = 7;
	rc = RUN(khowalk_run, "key", "encode", "0x1000", "0");
	tap_ok(rc == 0 && !strcmp(out, "0x10000000000001\n"),
	       "getopt's position left by a caller does not matter");

	full = fopen("/dev/full", "w");
	if (!full) {
		printf("Bail out! cannot open /dev/full\n");
		return 1;
	}
	rc = run(khowalk_run, full, out, sizeof(out), err, sizeof(err),
		 (const char *const[]){ "--vmcore", vmcore, "--fdt-phys", fdt_phys,
					"stats", NULL });
	tap_eq_u64(rc, 1, "stats into /dev/full: exit 1");
	tap_eq_str(err, "kho: cannot write the output: No space left on device\n",
		   "stats into /dev/full: the message");
	tap_ok(fclose(full) == 0, "the run left the caller's stream open (closing it is the caller's job)");
	rc = RUN(khowalk_run, "--vmcore", vmcore, "--fdt-phys", fdt_phys, "check");
	tap_ok(rc == 0 && !strcmp(out, "ok: 2486 blocks in 1514 ranges, 731 metadata pages\n") && !err[0],
	       "the next run writes and succeeds");

	rc = RUN(khodump_run, "--vmcore", vmcore, "--fdt-phys", fdt_phys);
	strcpy(first, out);
	tap_ok(rc == 0 && strstr(first, "compatible \"kho-v2\""), "khodump: exit 0, the FDT decoded");
	rc = RUN(khodump_run, "-j", "--vmcore", vmcore, "--fdt-phys", fdt_phys, "--no-summary");
	tap_ok(rc == 0 && out[0] == '{', "khodump -j --no-summary: a JSON document");
	rc = RUN(khodump_run, "--vmcore", vmcore, "--fdt-phys", fdt_phys);
	tap_ok(rc == 0 && !strcmp(out, first), "khodump again: the same output as the first run");
	return tap_done();
}
