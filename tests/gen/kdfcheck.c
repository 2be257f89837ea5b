// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdfcheck - check a vmcore written by mkkhoimg with libkdumpfile alone.
 *
 *   kdfcheck [--info] [--dumped N] [--nodata PHYS]... DUMP [RAW@PHYS]...
 *
 * Opens DUMP (ELF or kdump-compressed) the way our library's memory source
 * does (libkdumpfile, machine physical addresses) and, for every page of
 * every raw image, reads the same address from the dump: a page that reads
 * must equal the raw bytes; a page that is not in the dump must be all
 * zero in the raw image (the raw image spans the whole arena, the dumps
 * only the written pages). --dumped N requires exactly N pages to read;
 * --nodata PHYS requires that address to fail with KDUMP_ERR_NODATA (an
 * omitted page). --info prints what libkdumpfile derived from the file:
 * format, arch.name (not forced: mkkhoimg's kdump header must yield it),
 * page size, max_pfn, VMCOREINFO OSRELEASE.
 *
 * Exit 0 if every check passed, 1 otherwise, 2 on usage errors. It does
 * not link anything from lib/, so it can judge the generator's dumps
 * independently of the code under test.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elf.h>
#include <libkdumpfile/kdumpfile.h>

#define MAX_NODATA 1024
#define PAGE 4096

static const char *prog = "kdfcheck";

static int check_raw(kdump_ctx_t *ctx, const char *arg, uint64_t *nread)
{
	char *path = strdup(arg), *at;
	uint64_t base, nzero_missing = 0, bad = 0;
	unsigned char raw[PAGE], dump[PAGE];
	struct stat st;
	int fd;

	if (!path) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	at = strrchr(path, '@');
	if (!at) {
		fprintf(stderr, "%s: '%s': want FILE@PHYS\n", prog, arg);
		free(path);
		return 1;
	}
	*at = '\0';
	base = strtoull(at + 1, NULL, 0);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", prog, path,
			strerror(errno));
		free(path);
		return 1;
	}
	for (uint64_t off = 0; off + PAGE <= (uint64_t)st.st_size;
	     off += PAGE) {
		size_t len = PAGE;
		kdump_status s;
		bool zero = true;

		if (pread(fd, raw, PAGE, (off_t)off) != PAGE) {
			fprintf(stderr, "%s: cannot read '%s'\n", prog, path);
			bad++;
			break;
		}
		for (size_t i = 0; i < PAGE && zero; i++)
			zero = !raw[i];
		s = kdump_read(ctx, KDUMP_MACHPHYSADDR, base + off, dump, &len);
		if (s == KDUMP_OK && len == PAGE) {
			(*nread)++;
			if (memcmp(raw, dump, PAGE)) {
				fprintf(stderr, "%s: 0x%" PRIx64 ": dump and raw "
					"image differ\n", prog, base + off);
				bad++;
			}
		} else if (s == KDUMP_ERR_NODATA) {
			if (!zero) {
				fprintf(stderr, "%s: 0x%" PRIx64 ": written page "
					"missing from the dump\n", prog,
					base + off);
				nzero_missing++;
			}
		} else {
			fprintf(stderr, "%s: 0x%" PRIx64 ": read failed: %s\n",
				prog, base + off, kdump_get_err(ctx));
			bad++;
		}
		if (bad + nzero_missing > 20)
			break;
	}
	close(fd);
	free(path);
	return bad || nzero_missing;
}

/*
 * Pages in an ELF dump, from its PT_LOADs. Counting successful reads does
 * not work for ELF: libkdumpfile 0.5.1 (elfdump.c find_closest_load)
 * treats a LOAD that starts within one page above the address as covering
 * it and zero-fills the gap, so the page just below every PT_LOAD reads as
 * zeros with KDUMP_OK instead of KDUMP_ERR_NODATA. Returns -1 if @fd is
 * not an ELF64 file.
 */
static int64_t elf_loaded_pages(int fd)
{
	Elf64_Ehdr eh;
	int64_t n = 0;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff +
			  (uint64_t)i * sizeof(ph))) != sizeof(ph))
			return -1;
		if (ph.p_type == PT_LOAD)
			n += (int64_t)(ph.p_filesz / PAGE);
	}
	return n;
}

static void print_info(kdump_ctx_t *ctx)
{
	const char *s;
	kdump_num_t n;

	if (kdump_get_string_attr(ctx, "file.format", &s) == KDUMP_OK)
		printf("file.format: %s\n", s);
	printf("arch.name: %s\n",
	       kdump_get_string_attr(ctx, "arch.name", &s) == KDUMP_OK ? s :
	       "(unset)");
	if (kdump_get_number_attr(ctx, "arch.page_size", &n) == KDUMP_OK)
		printf("arch.page_size: %" KDUMP_PRIuNUM "\n", n);
	if (kdump_get_number_attr(ctx, "max_pfn", &n) == KDUMP_OK)
		printf("max_pfn: 0x%" KDUMP_PRIxNUM "\n", n);
	printf("vmcoreinfo.OSRELEASE: %s\n",
	       kdump_get_string_attr(ctx, "linux.vmcoreinfo.lines.OSRELEASE",
				     &s) == KDUMP_OK ? s : "(none)");
	printf("vmcoreinfo.PAGESIZE: %s\n",
	       kdump_get_string_attr(ctx, "linux.vmcoreinfo.lines.PAGESIZE",
				     &s) == KDUMP_OK ? s : "(none)");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "info", no_argument, NULL, 'i' },
		{ "dumped", required_argument, NULL, 'd' },
		{ "nodata", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t nodata[MAX_NODATA], nread = 0, want_dumped = 0;
	unsigned int nnodata = 0;
	bool info = false, check_dumped = false;
	kdump_ctx_t *ctx;
	int opt, fd, bad = 0;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'i':
			info = true;
			break;
		case 'd':
			want_dumped = strtoull(optarg, NULL, 0);
			check_dumped = true;
			break;
		case 'n':
			if (nnodata >= MAX_NODATA) {
				fprintf(stderr, "%s: too many --nodata\n", prog);
				return 2;
			}
			nodata[nnodata++] = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [--info] [--dumped N] "
				"[--nodata PHYS]... DUMP [RAW@PHYS]...\n", prog);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no dump given\n", prog);
		return 2;
	}
	fd = open(argv[optind], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", prog, argv[optind],
			strerror(errno));
		return 1;
	}
	ctx = kdump_new();
	if (!ctx) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (kdump_open_fd(ctx, fd) != KDUMP_OK) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", prog,
			argv[optind], kdump_get_err(ctx));
		kdump_free(ctx);
		close(fd);
		return 1;
	}
	if (info)
		print_info(ctx);
	for (int i = optind + 1; i < argc; i++)
		bad |= check_raw(ctx, argv[i], &nread);
	if (check_dumped) {
		int64_t ne = elf_loaded_pages(fd);
		uint64_t have = ne >= 0 ? (uint64_t)ne : nread;

		if (have != want_dumped) {
			fprintf(stderr, "%s: %" PRIu64 " pages %s, expected %"
				PRIu64 "\n", prog, have,
				ne >= 0 ? "in PT_LOADs" : "read", want_dumped);
			bad = 1;
		}
	}
	for (unsigned int i = 0; i < nnodata; i++) {
		unsigned char b[8];
		size_t len = sizeof(b);
		kdump_status s = kdump_read(ctx, KDUMP_MACHPHYSADDR, nodata[i],
					    b, &len);

		if (s != KDUMP_ERR_NODATA) {
			fprintf(stderr, "%s: 0x%" PRIx64 ": expected no data, "
				"got status %d\n", prog, nodata[i], (int)s);
			bad = 1;
		}
	}
	if (info)
		printf("pages_read: %" PRIu64 "\n", nread);
	kdump_free(ctx);
	close(fd);
	return bad;
}
