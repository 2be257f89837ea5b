/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TAP output for the harnesses (kernel-patch/harness/harness.c and
 * kernel-patch/v7/harness/harness7.c): ok() prints one numbered result,
 * diag() a comment; tests_failed decides the exit status. One translation
 * unit per program includes it.
 */
#ifndef KHO_HARNESS_TAP_H
#define KHO_HARNESS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tests_run, tests_failed;

static inline __attribute__((format(printf, 2, 3)))
void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests_run++;
	if (!cond)
		tests_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline __attribute__((format(printf, 1, 2)))
void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#endif
