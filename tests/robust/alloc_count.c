// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A counting allocator for the corruption catalogue's "bounded memory"
 * assertions, without LD_PRELOAD: khowalk's objects and libkhoradix.a are
 * linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * (and strdup/strndup, which allocate inside libc), so every allocation our
 * code makes goes through here; libc's and shared libraries' own (libfdt,
 * libkdumpfile, stdio) do not. Sizes come from malloc_usable_size(), so
 * no header is needed and a pointer from elsewhere can be freed safely.
 *
 * At exit, if KHO_ALLOC_REPORT names a file, it receives
 * "peak_bytes N\ntotal_bytes N\nallocations N\n".
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static size_t live_bytes, peak_bytes, total_bytes, allocations;

static void *note(void *p)
{
	size_t n;

	if (!p)
		return p;
	n = malloc_usable_size(p);
	live_bytes += n;
	total_bytes += n;
	allocations++;
	if (live_bytes > peak_bytes)
		peak_bytes = live_bytes;
	return p;
}

static void unnote(void *p)
{
	size_t n;

	if (!p)
		return;
	n = malloc_usable_size(p);
	live_bytes = n > live_bytes ? 0 : live_bytes - n;
}

void *__wrap_malloc(size_t size)
{
	return note(__real_malloc(size));
}

void *__wrap_calloc(size_t n, size_t size)
{
	return note(__real_calloc(n, size));
}

void *__wrap_realloc(void *p, size_t size)
{
	void *q;

	unnote(p);
	q = __real_realloc(p, size);
	if (!q && p && size) {
		note(p);	/* the old block is still there */
		return NULL;
	}
	return note(q);
}

void __wrap_free(void *p)
{
	unnote(p);
	__real_free(p);
}

char *__wrap_strdup(const char *s)
{
	return note(__real_strdup(s));
}

char *__wrap_strndup(const char *s, size_t n)
{
	return note(__real_strndup(s, n));
}

__attribute__((destructor)) static void alloc_report(void)
{
	const char *path = getenv("KHO_ALLOC_REPORT");
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "peak_bytes %zu\ntotal_bytes %zu\nallocations %zu\n",
		peak_bytes, total_bytes, allocations);
	fclose(f);
}
