// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The upstream lab's handover workload, a static program for the guest.
 *
 *   lab7-handover luo SEED KERNEL INITRD CMDLINE
 *       create LUO sessions through /dev/liveupdate, preserve memfds of
 *       known sizes and contents in them, print the ground truth, and,
 *       holding every fd open, kexec into KERNEL with a KHO handover
 *       (kexec_file_load + reboot(RB_KEXEC), as selftests/kho does)
 *   lab7-handover kexec KERNEL INITRD CMDLINE
 *       the same kexec without LUO
 *   lab7-handover preserve SEED
 *       the LUO sessions and memfds of "luo", then exit: closing the fds
 *       unpreserves them (for khotrace; no kexec)
 *   lab7-handover hold SEED
 *       the same, then "held" on stderr, and hold every fd open until a
 *       signal ends the program (LUO's state preserved but not serialized,
 *       for khowalk owners: tests/lab7/owners.t)
 *   lab7-handover check SEED
 *       in the second kernel: retrieve every session and memfd by name
 *       and token and compare sizes and contents with the ground truth
 *   lab7-handover memfd-time MIB REPS
 *       REPS times: a session with one memfd of MIB MiB (every page
 *       allocated), the time LIVEUPDATE_SESSION_PRESERVE_FD takes and the
 *       time closing the session takes (it unpreserves), CLOCK_MONOTONIC
 *       ns: "memfd_preserve_ns N" and "memfd_unpreserve_ns N" lines
 *
 * Ground truth lines (stdout):
 *   session NAME
 *   memfd NAME 0xTOKEN SIZE PAGES
 *   folio 0xTOKEN 0xPHYS INDEX      (each page of the memfd, from pagemap)
 *
 * The sessions, tokens, sizes and contents are the same on every
 * architecture (sizes count 4 KiB units); PAGES, the folio lines and their
 * indices are in the running kernel's pages (4, 16 or 64 KiB).
 *
 * The ioctl ABI is include/uapi/linux/liveupdate.h of Linux 7.2 (bookworm's
 * headers predate it, so the structures are declared here from that file).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LU_TYPE 0xBA
#define LU_NAME_LEN 64
#define LU_CREATE_SESSION _IO(LU_TYPE, 0x00)
#define LU_RETRIEVE_SESSION _IO(LU_TYPE, 0x01)
#define LU_PRESERVE_FD _IO(LU_TYPE, 0x40)
#define LU_RETRIEVE_FD _IO(LU_TYPE, 0x41)

struct lu_session {
	uint32_t size;
	int32_t fd;
	uint8_t name[LU_NAME_LEN];
};

struct lu_fd {
	uint32_t size;
	int32_t fd;
	uint64_t token __attribute__((aligned(8)));
};

#define NR_SESSIONS 2
#define FILES_PER_SESSION 2

static void die(const char *what)
{
	fprintf(stderr, "lab7-handover: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void session_name(char *buf, unsigned int s)
{
	snprintf(buf, LU_NAME_LEN, "lab-vm-%u", s + 1);
}

static uint64_t file_token(unsigned long seed, unsigned int s, unsigned int f)
{
	return 0x1000 + 0x100 * s + f + (seed & 0xff) * 0x10000;
}

/* Sizes from the seed; the last page of some files is partly used. */
static size_t file_size(unsigned long seed, unsigned int s, unsigned int f)
{
	unsigned int pages = 1 + (seed * 7 + s * 5 + f * 3) % 6;

	return (size_t)pages * 4096 - ((s + f) % 2 ? 100 : 0);
}

static unsigned char content(unsigned long seed, uint64_t token, size_t off)
{
	return (unsigned char)(seed + token * 31 + off / 4096 * 7 + off % 251);
}

static int make_memfd(unsigned long seed, uint64_t token, size_t size)
{
	unsigned char buf[4096];
	size_t off = 0;
	int fd = memfd_create("lab7", 0);

	if (fd < 0)
		die("memfd_create");
	while (off < size) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = content(seed, token, off + i);
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			die("pwrite memfd");
		off += n;
	}
	return fd;
}

static size_t page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);

	if (n < 4096 || (n & (n - 1)))
		die("sysconf(_SC_PAGESIZE)");
	return (size_t)n;
}

/* The physical page behind each page of the memfd, from pagemap. */
static void print_folios(int fd, uint64_t token, size_t size)
{
	size_t pg = page_size();
	size_t pages = (size + pg - 1) / pg;
	unsigned char *map;
	int pm;

	map = mmap(NULL, pages * pg, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap memfd");
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0)
		die("open pagemap");
	for (size_t i = 0; i < pages; i++) {
		volatile unsigned char touch = map[i * pg];
		uint64_t e;
		off_t at = (off_t)((uintptr_t)(map + i * pg) / pg * 8);

		(void)touch;
		if (pread(pm, &e, 8, at) != 8)
			die("read pagemap");
		if (!(e >> 63))
			die("memfd page not present");
		printf("folio 0x%" PRIx64 " 0x%" PRIx64 " %zu\n", token,
		       (e & ((UINT64_C(1) << 55) - 1)) * pg, i);
	}
	close(pm);
	munmap(map, pages * pg);
}

static void luo(unsigned long seed)
{
	int dev = open("/dev/liveupdate", O_RDWR);

	if (dev < 0)
		die("open /dev/liveupdate");
	for (unsigned int s = 0; s < NR_SESSIONS; s++) {
		struct lu_session cs = { .size = sizeof(cs) };

		session_name((char *)cs.name, s);
		if (ioctl(dev, LU_CREATE_SESSION, &cs) < 0)
			die("LIVEUPDATE_IOCTL_CREATE_SESSION");
		printf("session %s\n", (char *)cs.name);
		for (unsigned int f = 0; f < FILES_PER_SESSION; f++) {
			uint64_t token = file_token(seed, s, f);
			size_t size = file_size(seed, s, f);
			struct lu_fd pf = { .size = sizeof(pf), .token = token };

			pf.fd = make_memfd(seed, token, size);
			if (ioctl(cs.fd, LU_PRESERVE_FD, &pf) < 0)
				die("LIVEUPDATE_SESSION_PRESERVE_FD");
			printf("memfd %s 0x%" PRIx64 " %zu %zu\n", (char *)cs.name,
			       token, size, (size + page_size() - 1) / page_size());
			print_folios(pf.fd, token, size);
		}
		/* The session and memfd fds stay open across the kexec. */
	}
	printf("@@end luo 0\n");
	fflush(stdout);
}

static int check(unsigned long seed)
{
	int dev = open("/dev/liveupdate", O_RDWR), bad = 0;

	if (dev < 0)
		die("open /dev/liveupdate");
	for (unsigned int s = 0; s < NR_SESSIONS; s++) {
		struct lu_session rs = { .size = sizeof(rs) };

		session_name((char *)rs.name, s);
		if (ioctl(dev, LU_RETRIEVE_SESSION, &rs) < 0) {
			printf("session %s: not retrieved: %s\n", (char *)rs.name,
			       strerror(errno));
			bad++;
			continue;
		}
		for (unsigned int f = 0; f < FILES_PER_SESSION; f++) {
			struct lu_fd rf = { .size = sizeof(rf),
					    .token = file_token(seed, s, f) };
			size_t size = file_size(seed, s, f), same = 0;
			unsigned char c;
			off_t end;

			if (ioctl(rs.fd, LU_RETRIEVE_FD, &rf) < 0) {
				printf("memfd 0x%" PRIx64 ": not retrieved: %s\n",
				       rf.token, strerror(errno));
				bad++;
				continue;
			}
			end = lseek(rf.fd, 0, SEEK_END);
			for (size_t i = 0; i < size; i++)
				if (pread(rf.fd, &c, 1, i) == 1 &&
				    c == content(seed, rf.token, i))
					same++;
			printf("memfd %s 0x%" PRIx64 " size %lld content %s\n",
			       (char *)rs.name, rf.token, (long long)end,
			       same == size && end == (off_t)size ? "ok" : "differs");
			if (same != size || end != (off_t)size)
				bad++;
		}
	}
	return bad ? 1 : 0;
}

static void do_kexec(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd = open(kernel, O_RDONLY), ifd = open(initrd, O_RDONLY);

	if (kfd < 0 || ifd < 0)
		die("open kernel or initrd");
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, 0UL) < 0)
		die("kexec_file_load");
	sync();
	reboot(RB_KEXEC);
	die("reboot(RB_KEXEC)");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int memfd_time(unsigned long mib, unsigned long reps)
{
	int dev = open("/dev/liveupdate", O_RDWR);

	if (dev < 0)
		die("open /dev/liveupdate");
	for (unsigned long r = 0; r < reps; r++) {
		struct lu_session cs = { .size = sizeof(cs) };
		struct lu_fd pf = { .size = sizeof(pf), .token = 0x7000 + r };
		uint64_t t0, t1, t2;
		int fd = memfd_create("lab7-time", 0);

		if (fd < 0)
			die("memfd_create");
		if (fallocate(fd, 0, 0, (off_t)mib << 20) < 0)
			die("fallocate memfd");
		snprintf((char *)cs.name, LU_NAME_LEN, "lab-time-%lu", r);
		if (ioctl(dev, LU_CREATE_SESSION, &cs) < 0)
			die("LIVEUPDATE_IOCTL_CREATE_SESSION");
		pf.fd = fd;
		t0 = now_ns();
		if (ioctl(cs.fd, LU_PRESERVE_FD, &pf) < 0)
			die("LIVEUPDATE_SESSION_PRESERVE_FD");
		t1 = now_ns();
		close(cs.fd);
		t2 = now_ns();
		close(fd);
		printf("memfd_preserve_ns %" PRIu64 "\nmemfd_unpreserve_ns %" PRIu64 "\n",
		       t1 - t0, t2 - t1);
		fflush(stdout);
	}
	close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "memfd-time"))
		return memfd_time(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (argc == 6 && !strcmp(argv[1], "luo")) {
		luo(strtoul(argv[2], NULL, 0));
		do_kexec(argv[3], argv[4], argv[5]);
	} else if (argc == 3 && !strcmp(argv[1], "preserve")) {
		luo(strtoul(argv[2], NULL, 0));
		return 0;
	} else if (argc == 3 && !strcmp(argv[1], "hold")) {
		luo(strtoul(argv[2], NULL, 0));
		fflush(stdout);
		fprintf(stderr, "held\n");
		for (;;)
			pause();
	} else if (argc == 5 && !strcmp(argv[1], "kexec")) {
		do_kexec(argv[2], argv[3], argv[4]);
	} else if (argc == 3 && !strcmp(argv[1], "check")) {
		return check(strtoul(argv[2], NULL, 0));
	}
	fprintf(stderr, "usage: lab7-handover luo SEED KERNEL INITRD CMDLINE | "
		"kexec KERNEL INITRD CMDLINE | preserve SEED | hold SEED | "
		"check SEED | memfd-time MIB REPS\n");
	return 2;
}
