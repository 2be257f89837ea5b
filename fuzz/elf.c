// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the ELF vmcore reader (lib/mem_elf.c, which also reads our
 * own --extract output) and, round trip, the extract writer
 * (lib/extract.c). The input is an ELF file (a memfd, opened by its
 * /proc/self/fd path). If the reader accepts it:
 *   - reads spread over [0, end of memory) return 0, -KHOR_ENODATA or
 *     -KHOR_EIO, each failure with a message; reads at the end are
 *     -KHOR_EFAULT;
 *   - the pages that read back are extracted to a second memfd, which
 *     khor_mem_open_dump() must accept, with the same end of memory (our
 *     KHOTOOLS note) and the same bytes for every extracted page, and "not
 *     in the dump" for the others.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../lib/memsrc.h"
#include "fuzz_mem.h"

#define PROBES 16
#define PG KHOR_EXTRACT_PAGE

static int memfd_path(const void *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("khoelf", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t a[PROBES][PG], b[PG];
	uint64_t pages[PROBES], end;
	char path[64], xpath[64];
	struct khor_error err;
	struct khor_mem *m = NULL, *x = NULL;
	size_t n = 0;
	int fd, xfd, rc;

	if (size > (1u << 20))
		return -1;
	fd = memfd_path(data, size, path, sizeof(path));
	khor_error_clear(&err);
	rc = khor_mem_open_elf(path, &err, &m);
	if (rc) {
		if (rc < 0 && (err.code != rc || !err.msg[0]))
			abort();
		close(fd);
		return 0;
	}
	/*
	 * Accepted as ELF: open it again the way the tools do, which also
	 * parses our KHOTOOLS note (ELF files the reader refuses would go to
	 * libkdumpfile there, which is not ours to fuzz).
	 */
	khor_mem_destroy(m);
	m = NULL;
	rc = khor_mem_open_dump(path, &err, &m);
	if (rc) {
		fprintf(stderr, "accepted as ELF, then refused: %d %s\n", rc, err.msg);
		abort();
	}
	end = khor_mem_get_info(m)->phys_end;
	if (!end)
		abort();
	if (end >= PG && khor_mem_read(m, end - 1, b, 2) != -KHOR_EFAULT)
		abort();

	for (unsigned int i = 0; i < PROBES; i++) {
		uint64_t p = (end / PG / PROBES * i) * PG;

		if (p + PG > end || (n && pages[n - 1] >= p))
			continue;
		rc = khor_mem_read(m, p, a[n], PG);
		if (rc == 0) {
			pages[n++] = p;
		} else if ((rc != -KHOR_ENODATA && rc != -KHOR_EIO) ||
			   !khor_mem_errmsg(m)[0]) {
			fprintf(stderr, "read 0x%llx: %d '%s'\n",
				(unsigned long long)p, rc, khor_mem_errmsg(m));
			abort();
		}
	}

	/* Round trip through an extract. */
	xfd = memfd_path(NULL, 0, xpath, sizeof(xpath));
	khor_error_clear(&err);
	rc = khor_extract_write(m, pages, n, xpath, &err);
	if (rc) {
		if (rc != -KHOR_ENOMEM)
			fprintf(stderr, "extract: %d %s\n", rc, err.msg), abort();
		goto out;
	}
	rc = khor_mem_open_dump(xpath, &err, &x);
	if (rc) {
		fprintf(stderr, "extract not readable: %d %s\n", rc, err.msg);
		abort();
	}
	if (khor_mem_get_info(x)->phys_end != end) {
		fprintf(stderr, "extract: end 0x%llx, source 0x%llx\n",
			(unsigned long long)khor_mem_get_info(x)->phys_end,
			(unsigned long long)end);
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (khor_mem_read(x, pages[i], b, PG) || memcmp(a[i], b, PG)) {
			fprintf(stderr, "extract: page 0x%llx differs\n",
				(unsigned long long)pages[i]);
			abort();
		}
		/* the page after an extracted one, unless extracted too */
		if (pages[i] + 2 * PG <= end &&
		    (i + 1 == n || pages[i + 1] != pages[i] + PG) &&
		    khor_mem_read(x, pages[i] + PG, b, PG) != -KHOR_ENODATA) {
			fprintf(stderr, "extract: page 0x%llx should be missing\n",
				(unsigned long long)(pages[i] + PG));
			abort();
		}
	}
out:
	khor_mem_destroy(x);
	khor_mem_destroy(m);
	close(xfd);
	close(fd);
	return 0;
}
