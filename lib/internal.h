/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private helpers shared by the library's source files. */
#ifndef KHOTOOLS_INTERNAL_H
#define KHOTOOLS_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include "radix_reader.h"

#define KHOR_HIDDEN __attribute__((visibility("hidden")))

/*
 * Set @err (if not NULL) to code @code (negative) with a formatted message,
 * and return @code, so callers can write `return khor_err(err, ...)`.
 * @level is -1 and @phys absent unless given through khor_err_at().
 */
KHOR_HIDDEN int khor_err(struct khor_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
KHOR_HIDDEN int khor_err_at(struct khor_error *err, int code, int level,
			    uint64_t phys, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
KHOR_HIDDEN int khor_verr_at(struct khor_error *err, int code, int level,
			     uint64_t phys, bool has_phys, const char *fmt,
			     va_list ap) __attribute__((format(printf, 6, 0)));

/* Little-endian loads: the ABI is little-endian on every KHO architecture we decode. */
static inline uint64_t khor_le64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
	       (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 |
	       (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
	       (uint64_t)b[7] << 56;
}

static inline uint32_t khor_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline unsigned int khor_fls64(uint64_t x)
{
	return x ? 64 - (unsigned int)__builtin_clzll(x) : 0;
}

/*
 * lib/blob_kexec_meta.c: the "kexec-metadata" blob (struct
 * kho_kexec_metadata, KHOR_KEXEC_META_SIZE bytes in version 1). Its
 * kexec_count, or -1 if @buf is too short or of another version; the scan
 * tells a received KHO FDT from an outgoing one by it.
 */
#define KHOR_KEXEC_META_SIZE 73
KHOR_HIDDEN int64_t khor_kexec_meta_count(const uint8_t *buf, size_t len);

/*
 * lib/scan.c, for khor_locate(): scan memory for KHO FDTs, or check the
 * addresses symbols gave; fill loc->cands, choose one (loc->fdt_phys and
 * loc->why), or fail with -KHOR_ENOTFOUND / -KHOR_ELIMIT. With @incoming,
 * choose what the previous kernel handed over, whose map is not walked.
 */
KHOR_HIDDEN int khor_scan(struct khor_mem *mem, const struct khor_scan_opts *o,
			  uint64_t page_size, bool incoming,
			  struct khor_located *loc, struct khor_error *err);
KHOR_HIDDEN int khor_choose_among(struct khor_mem *mem, const uint64_t *phys,
				  unsigned int n, uint64_t page_size,
				  uint64_t max_nodes, bool incoming,
				  struct khor_located *loc,
				  struct khor_error *err);

/*
 * lib/symbols.c, for khor_locate(): physical addresses where kho_out or
 * kho_in (@incoming) may say the FDT is, from the symbol sources; *@how_ret
 * describes the source. Returns the number found (0 if none).
 */
KHOR_HIDDEN unsigned int khor_symbol_fdt_addrs(const struct khor_symbols *syms,
					       struct khor_mem *mem, bool incoming,
					       uint64_t *phys, unsigned int max,
					       char *how, size_t howlen);

/*
 * The ELF note khor_extract_write() adds and khor_mem_open_dump() reads:
 * name "KHOTOOLS", type 1, descriptor two little-endian u64: the end of
 * physical memory of the original source and its page size (0: unknown).
 */
#define KHOR_NOTE_NAME "KHOTOOLS"
#define KHOR_NOTE_TYPE 1
#define KHOR_NOTE_DESCSZ 16

/*
 * Word-wise bitmap scans (bitmap.c), over host-order u64 words.
 *
 * First run of set bits of @bm (host-order u64 words) in bit range
 * [@from, @to): true with [*start, *end), false if none.
 */
KHOR_HIDDEN bool khor_bitmap_find_run(const uint64_t *bm, uint64_t from,
				      uint64_t to, uint64_t *start,
				      uint64_t *end);

/* First set bit of @bm in [@from, @to): true with *bit. */
KHOR_HIDDEN bool khor_bitmap_find_set(const uint64_t *bm, uint64_t from,
				      uint64_t to, uint64_t *bit);
/*
 * Set bits of @bm in [@from, @to) in *count, runs of them in *runs (a run
 * cut at @from counts) and the bit after the last set one in *last (@from
 * if none), in one pass.
 */
KHOR_HIDDEN void khor_bitmap_count_runs(const uint64_t *bm, uint64_t from,
					uint64_t to, uint64_t *count,
					uint64_t *runs, uint64_t *last);
/* Last run of set bits of @bm in [@from, @to): true with [*start, *end). */
KHOR_HIDDEN bool khor_bitmap_last_run(const uint64_t *bm, uint64_t from,
				      uint64_t to, uint64_t *start,
				      uint64_t *end);

#endif /* KHOTOOLS_INTERNAL_H */
