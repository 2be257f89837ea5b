/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listings of millions of lines (khowalk pages and ranges on a large map):
 * numbers formatted by hand into a buffer written a block at a time, which
 * costs a few nanoseconds a line where fprintf costs over a hundred
 * (bench/README.md).
 */
#ifndef KHOTOOLS_LINES_H
#define KHOTOOLS_LINES_H

#include <stdint.h>
#include <stdio.h>

#define LINES_BUF 32768

struct lines {
	FILE *f;
	int err;		/* errno of the first failed write, or EIO */
	size_t len;
	char buf[LINES_BUF];
};

void lines_init(struct lines *l, FILE *f);
/* "0x" and @v in lower-case hex, as printf's "0x%llx". */
void lines_hex(struct lines *l, uint64_t v);
/* @v in decimal, as printf's "%llu". */
void lines_dec(struct lines *l, uint64_t v);
void lines_char(struct lines *l, char c);
/*
 * Write out what is buffered (before anything else writes to the file).
 * Returns 0, or -1 once a write has failed (@l->err says why).
 */
int lines_flush(struct lines *l);

#endif /* KHOTOOLS_LINES_H */
