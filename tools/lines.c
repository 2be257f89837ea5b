// SPDX-License-Identifier: GPL-2.0-or-later
/* Hand-formatted, block-buffered output lines (lines.h). */
#include <errno.h>

#include "lines.h"

/* Room every item fits in: "0x" + 16 hex digits, or 20 decimal digits. */
#define ITEM_MAX 24

void lines_init(struct lines *l, FILE *f)
{
	l->f = f;
	l->err = 0;
	l->len = 0;
}

int lines_flush(struct lines *l)
{
	errno = 0;
	if (l->len && fwrite(l->buf, 1, l->len, l->f) != l->len && !l->err)
		l->err = errno ? errno : EIO;
	l->len = 0;
	return l->err ? -1 : 0;
}

static char *room(struct lines *l)
{
	if (l->len > sizeof(l->buf) - ITEM_MAX)
		(void)lines_flush(l);
	return l->buf + l->len;
}

void lines_hex(struct lines *l, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char *p = room(l);
	unsigned int n = (64 - (unsigned int)__builtin_clzll(v | 1) + 3) / 4;

	p[0] = '0';
	p[1] = 'x';
	for (unsigned int i = n; i; i--, v >>= 4)
		p[1 + i] = digits[v & 15];
	l->len += 2 + n;
}

void lines_dec(struct lines *l, uint64_t v)
{
	char tmp[20], *p = room(l);
	unsigned int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (unsigned int i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	l->len += n;
}

void lines_char(struct lines *l, char c)
{
	*room(l) = c;
	l->len++;
}
