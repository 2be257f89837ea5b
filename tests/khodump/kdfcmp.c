// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdfcmp - check an --extract output with libkdumpfile alone (no lib/):
 *   kdfcmp ORIGINAL EXTRACT
 * Opens both with libkdumpfile (machine physical addresses), and reads
 * every page of every PT_LOAD of EXTRACT from both; all must be equal.
 * Prints "N pages equal". Exit 0 if so, 1 otherwise.
 */
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

static kdump_ctx_t *open_dump(const char *path)
{
	kdump_ctx_t *ctx = kdump_new();
	int fd = open(path, O_RDONLY);
	const char *arch;

	if (!ctx || fd < 0 || kdump_open_fd(ctx, fd) != KDUMP_OK) {
		fprintf(stderr, "kdfcmp: cannot open '%s'%s%s\n", path,
			ctx ? ": " : "", ctx ? kdump_get_err(ctx) : "");
		exit(1);
	}
	if (kdump_get_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK)
		kdump_set_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, KDUMP_ARCH_X86_64);
	return ctx;
}

int main(int argc, char **argv)
{
	kdump_ctx_t *a, *b;
	Elf64_Ehdr eh;
	uint64_t n = 0;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: kdfcmp ORIGINAL EXTRACT\n");
		return 2;
	}
	a = open_dump(argv[1]);
	b = open_dump(argv[2]);
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		return 1;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != sizeof(ph))
			return 1;
		if (ph.p_type != PT_LOAD)
			continue;
		for (uint64_t p = ph.p_paddr; p < ph.p_paddr + ph.p_filesz; p += 4096) {
			static uint8_t x[4096], y[4096];
			size_t lx = 4096, ly = 4096;

			if (kdump_read(a, KDUMP_MACHPHYSADDR, p, x, &lx) != KDUMP_OK ||
			    kdump_read(b, KDUMP_MACHPHYSADDR, p, y, &ly) != KDUMP_OK ||
			    lx != 4096 || ly != 4096 || memcmp(x, y, 4096)) {
				fprintf(stderr, "kdfcmp: page 0x%" PRIx64 " differs or does not read\n", p);
				return 1;
			}
			n++;
		}
	}
	close(fd);
	kdump_free(a);
	kdump_free(b);
	printf("%" PRIu64 " pages equal\n", n);
	return 0;
}
