// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * readfloor - what reading a whole dump costs, the floor a scan of it is
 * measured against (bench/README.md, "Scan"):
 *
 *   readfloor read FILE    read the file front to back in 1 MiB reads,
 *                          as cat(1) does (an ELF vmcore is its pages)
 *   readfloor kdump FILE   read a kdump-compressed file front to back and
 *                          inflate every dumped page (zlib, or stored),
 *                          as any reader of all its pages must
 *
 * Prints the bytes read (and pages) so the benchmark can check it did the
 * work. No validation beyond what keeps it from crashing: it is a floor,
 * not a reader. Independent of lib/.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#define CHUNK (1u << 20)

static void die(const char *what, const char *path)
{
	fprintf(stderr, "readfloor: %s '%s': %s\n", what, path,
		errno ? strerror(errno) : "bad file");
	exit(1);
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static int floor_read(const char *path)
{
	int fd = open(path, O_RDONLY);
	uint8_t *buf = malloc(CHUNK);
	uint64_t total = 0, sum = 0;
	ssize_t n;

	if (fd < 0 || !buf)
		die("cannot open", path);
	while ((n = read(fd, buf, CHUNK)) > 0) {
		total += (uint64_t)n;
		sum += buf[0];		/* touch what was read */
	}
	if (n < 0)
		die("cannot read", path);
	printf("bytes=%" PRIu64 " sum=%" PRIu64 "\n", total, sum);
	close(fd);
	free(buf);
	return 0;
}

/*
 * The layout as makedumpfile writes it (64-bit disk_dump_header): block
 * size at 428, sub-header blocks at 432, bitmap blocks at 436; the second
 * half of the bitmaps lists the dumped pages, whose 24-byte descriptors
 * {offset, size, flags, page_flags} follow in frame order.
 */
static int floor_kdump(const char *path)
{
	int fd = open(path, O_RDONLY);
	uint8_t h[464], *bm, *pds, *data, *out;
	uint64_t block, bmlen, pdoff, n = 0, done = 0, doff = 0, dlen = 0;
	uint64_t inflated = 0, sum = 0;
	z_stream zs;

	if (fd < 0 || pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h, "KDUMP   ", 8))
		die("not a kdump-compressed file:", path);
	block = le(h + 428, 4);
	if (block < 4096 || block > 65536)
		die("bad block size in", path);
	bmlen = le(h + 436, 4) / 2 * block;
	pdoff = (1 + le(h + 432, 4)) * block + 2 * bmlen;
	bm = malloc(bmlen);
	pds = malloc(CHUNK / 24 * 24);
	data = malloc(CHUNK + block);
	out = malloc(block);
	memset(&zs, 0, sizeof(zs));
	if (!bm || !pds || !data || !out || inflateInit(&zs) != Z_OK)
		die("out of memory for", path);
	if (pread(fd, bm, bmlen, (off_t)((1 + le(h + 432, 4)) * block + bmlen)) !=
	    (ssize_t)bmlen)
		die("cannot read the bitmap of", path);
	for (uint64_t i = 0; i < bmlen; i++)
		n += (uint64_t)__builtin_popcount(bm[i]);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (done < n) {
		uint64_t m = n - done < CHUNK / 24 ? n - done : CHUNK / 24;

		if (pread(fd, pds, m * 24, (off_t)(pdoff + done * 24)) != (ssize_t)(m * 24))
			die("cannot read the page descriptors of", path);
		for (uint64_t j = 0; j < m; j++) {
			uint64_t off = le(pds + 24 * j, 8), size = le(pds + 24 * j + 8, 4);
			uint64_t flags = le(pds + 24 * j + 12, 4);
			const uint8_t *p;

			if (size > block)
				die("page larger than a block in", path);
			if (off < doff || off + size > doff + dlen) {
				ssize_t got = pread(fd, data, CHUNK, (off_t)off);

				if (got < (ssize_t)size)
					die("cannot read the pages of", path);
				doff = off;
				dlen = (uint64_t)got;
			}
			p = data + (off - doff);
			if (flags & 0x1) {	/* zlib */
				inflateReset(&zs);
				zs.next_in = (uint8_t *)p;
				zs.avail_in = (uInt)size;
				zs.next_out = out;
				zs.avail_out = (uInt)block;
				if (inflate(&zs, Z_FINISH) != Z_STREAM_END)
					die("bad zlib page in", path);
				p = out;
				inflated++;
			} else if (flags) {
				die("not zlib-compressed:", path);
			}
			sum += p[0];
		}
		done += m;
	}
	printf("pages=%" PRIu64 " inflated=%" PRIu64 " sum=%" PRIu64 "\n", n,
	       inflated, sum);
	inflateEnd(&zs);
	free(bm);
	free(pds);
	free(data);
	free(out);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "read"))
		return floor_read(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "kdump"))
		return floor_kdump(argv[2]);
	fprintf(stderr, "usage: readfloor read|kdump FILE\n");
	return 2;
}
