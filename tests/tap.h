/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal TAP producer for C tests: silent but for the TAP lines. */
#ifndef KHOTOOLS_TAP_H
#define KHOTOOLS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3)))
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

#define tap_eq_u64(a, b, ...)                                                  \
	do {                                                                   \
		unsigned long long _a = (a), _b = (b);                         \
		if (!tap_ok(_a == _b, __VA_ARGS__))                            \
			printf("#   got 0x%llx, expected 0x%llx\n", _a, _b);   \
	} while (0)

#define tap_eq_str(a, b, ...)                                                  \
	do {                                                                   \
		const char *_a = (a), *_b = (b);                               \
		if (!tap_ok(strcmp(_a, _b) == 0, __VA_ARGS__))                 \
			printf("#   got      '%s'\n#   expected '%s'\n", _a, _b); \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* KHOTOOLS_TAP_H */
