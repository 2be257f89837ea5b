/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tools as functions, for callers that run them in their own process:
 * the crash extension (crash/kho.c) runs `kho walk` as khowalk and `kho fdt`
 * as khodump, so both print exactly the same. Kept apart from common.h so
 * that a caller needs nothing else of the tools (crash's defs.h defines
 * many short names).
 */
#ifndef KHOTOOLS_TOOL_ENV_H
#define KHOTOOLS_TOOL_ENV_H

#include <stdio.h>

#include "radix_reader.h"

/*
 * struct tool_env - where a tool runs: its output streams, the name in its
 * messages, and a memory source the caller made (used instead of --raw,
 * --vmcore or --kcore, which are then refused, and never destroyed by the
 * tool). NULL members keep the defaults: stdout, stderr, the tool's name,
 * the source options.
 */
struct tool_env {
	FILE *out;
	FILE *err;
	const char *prog;
	struct khor_mem *mem;
};

/*
 * khowalk_run(), khodump_run() - the tools' bodies: parse @argv with
 * getopt_long (from the start: they reset getopt's state themselves;
 * argv[0] is not used) and run. @env may be NULL. Every run starts from
 * nothing but @env and @argv, so a caller may run them any number of
 * times. Results go to @env->out (default stdout, which the run then
 * closes); a failed write makes the run fail (exit 1, with a message),
 * and with -j even a run that fails early prints one JSON document.
 * Return the exit status (DESIGN.md §3a).
 */
int khowalk_run(const struct tool_env *env, int argc, char **argv);
int khodump_run(const struct tool_env *env, int argc, char **argv);

#endif /* KHOTOOLS_TOOL_ENV_H */
