// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * floor - the cost of simply reading a kho-v2 tree: read the ELF vmcore's
 * PT_LOAD data sequentially into memory with large reads, then walk the
 * tree in memory (no validation beyond what keeps it from crashing) and
 *
 *   scan     count blocks per order and coalesced ranges with word
 *            popcounts (what `khowalk stats`/`check` must at least do);
 *   ranges   also enumerate every run and print `0x<start>-0x<end> <bytes>`
 *            lines with a hand-written formatter and large writes (what
 *            `khowalk ranges` must at least do).
 *
 * It does not merge orders: for trees of one order (dense, random, 1g) its
 * output is identical to khowalk's; for mixed orders it prints each
 * order's ranges in key order (the same number of lines, within the few
 * that join across orders). Independent of lib/ (DESIGN.md §4).
 *
 * usage: floor scan|ranges VMCORE ROOT
 */
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE		4096u
#define WORDS		512u

struct load {
	uint64_t pa, size, off;
};

static uint8_t *img;
static uint64_t img_size;
static struct load *loads;
static size_t nloads;
static bool print;

/* Results. */
static uint64_t blocks[64], nranges, last_end = UINT64_MAX, leaves, tables;

/* Output: a 1 MiB buffer flushed with write(2). */
static char obuf[1 << 20];
static size_t olen;

static void die(const char *msg)
{
	fprintf(stderr, "floor: %s\n", msg);
	exit(1);
}

static void flush_out(void)
{
	size_t done = 0;

	while (done < olen) {
		ssize_t n = write(1, obuf + done, olen - done);

		if (n <= 0)
			die("write failed");
		done += (size_t)n;
	}
	olen = 0;
}

static char *put_hex(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1;

	*p++ = '0';
	*p++ = 'x';
	for (int i = n - 1; i >= 0; i--)
		p[i] = digits[v & 15], v >>= 4;
	return p + n;
}

static char *put_dec(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10), v /= 10;
	while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static uint64_t r_start, r_end;
static bool r_open;

static void emit(void)
{
	char *p;

	if (olen > sizeof(obuf) - 64)
		flush_out();
	p = obuf + olen;
	p = put_hex(p, r_start);
	*p++ = '-';
	p = put_hex(p, r_end);
	*p++ = ' ';
	p = put_dec(p, r_end - r_start);
	*p++ = '\n';
	olen = (size_t)(p - obuf);
}

static void add_run(uint64_t pa, uint64_t end)
{
	if (r_open && pa == r_end) {
		r_end = end;
		return;
	}
	if (r_open)
		emit();
	r_open = true;
	r_start = pa;
	r_end = end;
}

static const uint64_t *page_at(uint64_t pa)
{
	size_t lo = 0, hi = nloads;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pa < loads[mid].pa)
			hi = mid;
		else if (pa - loads[mid].pa >= loads[mid].size)
			lo = mid + 1;
		else if (pa - loads[mid].pa + PAGE > loads[mid].size ||
			 loads[mid].off + (pa - loads[mid].pa) + PAGE > img_size)
			return NULL;
		else
			return (const uint64_t *)(img + loads[mid].off + (pa - loads[mid].pa));
	}
	return NULL;
}

static void leaf(const uint64_t *bm, uint64_t base)
{
	unsigned int order = 53 - (64 - (unsigned int)__builtin_clzll(base | 1ull << 15));
	unsigned int shift = 12 + order;
	uint64_t bsize = (uint64_t)PAGE << order;
	uint64_t pa0 = base << shift;	/* the order bit drops off at bit 64 */
	uint64_t carry, n = 0, starts = 0;

	leaves++;
	/* A run continues from the previous leaf if it ended at our first block. */
	carry = last_end == pa0;
	for (unsigned int i = 0; i < WORDS; i++) {
		uint64_t w = bm[i];

		n += (uint64_t)__builtin_popcountll(w);
		starts += (uint64_t)__builtin_popcountll(w & ~(w << 1 | carry));
		carry = w >> 63;
		if (print && w) {
			uint64_t pa = pa0 + (uint64_t)i * 64 * bsize;

			while (w) {
				unsigned int s = (unsigned int)__builtin_ctzll(w);
				uint64_t rest = ~(w >> s);
				unsigned int len = rest ? (unsigned int)__builtin_ctzll(rest) : 64 - s;

				add_run(pa + s * bsize, pa + (s + len) * bsize);
				w = s + len >= 64 ? 0 : w & ~((1ull << (s + len)) - 1);
			}
		}
	}
	blocks[order] += n;
	nranges += starts;
	if (carry)
		last_end = pa0 + 32768 * bsize;
	else
		last_end = UINT64_MAX;
}

static void walk(uint64_t pa, unsigned int level, uint64_t base)
{
	const uint64_t *t = page_at(pa);

	if (!t)
		die("tree page not in the dump");
	if (!level) {
		leaf(t, base);
		return;
	}
	tables++;
	for (unsigned int i = 0; i < WORDS; i++)
		if (t[i])
			walk(t[i], level - 1, base | (uint64_t)i << (15 + 9 * (level - 1)));
}

static int cmp_load(const void *a, const void *b)
{
	const struct load *x = a, *y = b;

	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

static void read_image(const char *path)
{
	const Elf64_Ehdr *eh;
	struct stat st;
	uint64_t done = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		die("cannot open the vmcore");
	img_size = (uint64_t)st.st_size;
	img = malloc(img_size);
	if (!img)
		die("out of memory");
	/* Sequential, 8 MiB at a time: the floor of getting the bytes in. */
	while (done < img_size) {
		size_t want = img_size - done > (8u << 20) ? 8u << 20 : img_size - done;
		ssize_t n = read(fd, img + done, want);

		if (n <= 0)
			die("read failed");
		done += (uint64_t)n;
	}
	close(fd);
	eh = (const Elf64_Ehdr *)img;
	if (img_size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > img_size)
		die("not an ELF64 vmcore");
	loads = calloc(eh->e_phnum, sizeof(*loads));
	if (!loads)
		die("out of memory");
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff) + i;

		if (ph->p_type == PT_LOAD)
			loads[nloads++] = (struct load){ ph->p_paddr, ph->p_filesz, ph->p_offset };
	}
	qsort(loads, nloads, sizeof(*loads), cmp_load);
}

int main(int argc, char **argv)
{
	uint64_t total = 0;

	if (argc != 4 || (strcmp(argv[1], "scan") && strcmp(argv[1], "ranges"))) {
		fprintf(stderr, "usage: floor scan|ranges VMCORE ROOT\n");
		return 2;
	}
	print = !strcmp(argv[1], "ranges");
	read_image(argv[2]);
	walk(strtoull(argv[3], NULL, 0), 5, 0);
	if (print) {
		if (r_open)
			emit();
		flush_out();
		return 0;
	}
	for (unsigned int o = 0; o < 64; o++)
		total += blocks[o];
	printf("blocks=%" PRIu64 " ranges=%" PRIu64 " leaves=%" PRIu64 " tables=%" PRIu64 "\n",
	       total, nranges, leaves, tables);
	return 0;
}
