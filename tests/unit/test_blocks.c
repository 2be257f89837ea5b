// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khor_blocks_walk() against chains written here from the ABI text
 * (include/linux/kho/abi/block.h, kernel/liveupdate/kho_block.c in
 * linux-source-7.2.13): { u64 next; u64 count; } then entries, one page per
 * block, at most 10000 blocks. Memory is synthesized page by page, so a
 * chain of any length costs nothing, and every read is counted: the work
 * is bounded by the chain, not by what a corrupt header claims.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radix_reader.h"
#include "../tap.h"

#define BASE 0x100000000ULL

/* Block k of a synthetic chain lives at BASE + k * ps. */
struct synth {
	uint64_t ps;
	uint64_t nblocks;	/* chain length (the last block's next is 0) */
	uint64_t count;		/* entries per block */
	uint64_t loop_to;	/* if non-zero: the last block's next */
	uint64_t bad_block;	/* block whose header is replaced ... */
	uint64_t bad_next, bad_count;	/* ... by these (if bad_block) */
	uint64_t reads;
};

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int synth_read(struct khor_mem *m, void *priv, uint64_t phys,
		      void *buf, size_t len)
{
	struct synth *s = priv;
	uint64_t k;
	uint8_t *b = buf;

	s->reads++;
	if (phys < BASE || (phys - BASE) % s->ps || len != s->ps ||
	    (phys - BASE) / s->ps >= s->nblocks) {
		khor_mem_set_errmsg(m, "0x%llx is not in the dump",
				    (unsigned long long)phys);
		return phys >= (UINT64_C(1) << 46) ? -KHOR_EFAULT : -KHOR_ENODATA;
	}
	k = (phys - BASE) / s->ps;
	memset(b, 0, len);
	put64(b, k + 1 < s->nblocks ? phys + s->ps : s->loop_to);
	put64(b + 8, s->count);
	if (s->bad_block && k == s->bad_block) {
		put64(b, s->bad_next);
		put64(b + 8, s->bad_count);
	}
	/* entry i of block k: its u64 is k << 16 | i */
	for (uint64_t i = 0; i < s->count && 16 + (i + 1) * 64 <= len; i++)
		put64(b + 16 + i * 64, k << 16 | i);
	return 0;
}

static const struct khor_mem_ops synth_ops = { .read = synth_read };

struct seen {
	uint64_t n, bad;
};

static int on_entry(void *arg, uint64_t block_phys, uint64_t block,
		    uint64_t index, const void *entry)
{
	struct seen *s = arg;
	const uint8_t *e = entry;
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)e[i] << (8 * i);
	if (index != s->n || v >> 16 != block || block_phys < BASE ||
	    (block_phys - BASE) % 4096)
		s->bad++;
	s->n++;
	return 0;
}

static int run(struct synth *s, uint64_t max, struct khor_blocks_result *r,
	       struct khor_error *e, struct seen *seen)
{
	struct khor_mem_info info = { .page_size = s->ps, .kind = "synth",
				      .phys_end = UINT64_C(1) << 46 };
	struct khor_mem *mem;
	int rc;

	memset(seen, 0, sizeof(*seen));
	khor_error_clear(e);
	s->reads = 0;
	if (khor_mem_create(&synth_ops, s, &info, &mem))
		return -KHOR_ENOMEM;
	rc = khor_blocks_walk(mem, BASE, s->ps, 64, max, on_entry, seen, r, e);
	khor_mem_destroy(mem);
	return rc;
}

int main(void)
{
	struct khor_blocks_result r;
	struct khor_error e;
	struct seen seen;
	char want[256];
	int rc;

	/* A sound chain: 3 full blocks of 63 64-byte entries at 4 KiB. */
	struct synth s = { .ps = 4096, .nblocks = 3, .count = 63 };

	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == 0 && r.blocks == 3 && r.entries == 189 && seen.n == 189 &&
	       !seen.bad, "3 full blocks: 189 entries in chain order");
	tap_eq_u64(s.reads, 3, "one read per block");

	/* 16 KiB blocks hold (16384 - 16) / 64 = 255 entries. */
	s = (struct synth){ .ps = 16384, .nblocks = 2, .count = 255 };
	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == 0 && r.entries == 510, "16 KiB blocks: 255 entries each");
	s.count = 256;
	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == -KHOR_ECORRUPT && seen.n == 0,
	       "16 KiB: count 256 is above the page, nothing passed on");
	tap_eq_str(e.msg, "linked block 0 at 0x100000000: count 256 is not in 1..255 (64-byte entries in a 16384-byte block)",
		   "count above the page: exact message");

	/* A cycle back to block 1 of 5. */
	s = (struct synth){ .ps = 4096, .nblocks = 5, .count = 1,
			    .loop_to = BASE + 4096 };
	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == -KHOR_ECORRUPT && r.blocks == 5 && seen.n == 5,
	       "cycle: stops after the 5 blocks, their entries passed on");
	tap_eq_str(e.msg, "linked block 4 at 0x100004000: next 0x100001000 is block 1 of this chain (a cycle)",
		   "cycle: exact message");
	tap_ok(e.has_phys && e.phys == BASE + 4 * 4096, "cycle: error at block 4");
	tap_eq_u64(s.reads, 5, "cycle: 5 reads");

	/* Count 0 is refused, as kho_block_set_restore() does. */
	s = (struct synth){ .ps = 4096, .nblocks = 2, .count = 1,
			    .bad_block = 1, .bad_next = 0, .bad_count = 0 };
	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == -KHOR_ECORRUPT && seen.n == 1, "count 0 refused");

	/* Wild and unaligned next pointers. */
	s = (struct synth){ .ps = 4096, .nblocks = 3, .count = 2,
			    .bad_block = 1, .bad_next = UINT64_C(1) << 50,
			    .bad_count = 2 };
	rc = run(&s, 0, &r, &e, &seen);
	snprintf(want, sizeof(want),
		 "linked block 1 at 0x100001000: next 0x4000000000000 points outside memory: 0x4000000000000 is beyond the end of physical memory (0x400000000000)");
	tap_ok(rc == -KHOR_ECORRUPT && seen.n == 4, "wild next: corrupt, 2 blocks passed on");
	tap_eq_str(e.msg, want, "wild next: exact message");
	s.bad_next = BASE + 2 * 4096 + 8;
	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == -KHOR_ECORRUPT, "unaligned next: corrupt");
	tap_eq_str(e.msg, "linked block 1 at 0x100001000: next 0x100002008 is not page-aligned",
		   "unaligned next: exact message");

	/* A block missing from the dump is incomplete, not corrupt. */
	s = (struct synth){ .ps = 4096, .nblocks = 2, .count = 1,
			    .bad_block = 1, .bad_next = BASE + 8192 * 4,
			    .bad_count = 1 };
	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == -KHOR_ENODATA && seen.n == 2, "next not in the dump: ENODATA");

	/* The kernel's limit: 10000 blocks are fine, 10001 are corrupt. */
	s = (struct synth){ .ps = 4096, .nblocks = 10000, .count = 1 };
	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == 0 && r.blocks == 10000, "10000 blocks: accepted");
	s.nblocks = 1000000;
	rc = run(&s, 0, &r, &e, &seen);
	tap_ok(rc == -KHOR_ECORRUPT && r.blocks == 10000,
	       "a million-block chain stops at the kernel's 10000");
	tap_eq_u64(s.reads, 10000, "and reads 10000 pages, no more");
	tap_eq_str(e.msg, "linked block 9999 at 0x10270f000: the chain goes on past 10000 blocks (the kernel's limit is 10000)",
		   "limit: exact message");
	rc = run(&s, 16, &r, &e, &seen);
	tap_ok(rc == -KHOR_ECORRUPT && s.reads == 16, "a caller's lower limit bounds the reads");

	/* Head 0 is an empty chain; bad arguments are EINVAL. */
	{
		struct khor_mem_info info = { .page_size = 4096 };
		struct khor_mem *mem;

		khor_mem_create(&synth_ops, &s, &info, &mem);
		tap_ok(khor_blocks_walk(mem, 0, 4096, 64, 0, on_entry, &seen,
					&r, &e) == 0 && r.blocks == 0,
		       "head 0: empty chain");
		tap_ok(khor_blocks_walk(mem, BASE, 4096, 4096, 0, on_entry,
					&seen, &r, &e) == -KHOR_EINVAL,
		       "an entry larger than a block is refused");
		khor_mem_destroy(mem);
	}
	return tap_done();
}
