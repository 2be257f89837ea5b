/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the blob decoders (lib/blob*.c, lib/value.c): building value
 * trees, and bounded reads of the memory a blob points to.
 */
#ifndef KHOTOOLS_BLOB_INTERNAL_H
#define KHOTOOLS_BLOB_INTERNAL_H

#include <stdarg.h>

#include "internal.h"

/*
 * Value builders. Each appends to @parent (an object: @key names the
 * member; a list: @key is NULL) and returns the new value. On allocation
 * failure they return NULL and mark the tree, so khor_blob_decode() can
 * report -KHOR_ENOMEM; every builder accepts a NULL @parent and does
 * nothing, so decoders need not check each call.
 */
KHOR_HIDDEN struct khor_value *kv_root(void);
KHOR_HIDDEN bool kv_nomem(const struct khor_value *root);
KHOR_HIDDEN struct khor_value *kv_obj(struct khor_value *parent, const char *key);
KHOR_HIDDEN struct khor_value *kv_list(struct khor_value *parent, const char *key);
KHOR_HIDDEN struct khor_value *kv_str(struct khor_value *parent, const char *key,
				      const char *s);
/* A string from a fixed-size field that need not be NUL-terminated. */
KHOR_HIDDEN struct khor_value *kv_strn(struct khor_value *parent, const char *key,
				       const char *s, size_t max);
KHOR_HIDDEN struct khor_value *kv_hex(struct khor_value *parent, const char *key,
				      uint64_t v);
KHOR_HIDDEN struct khor_value *kv_uint(struct khor_value *parent, const char *key,
				       uint64_t v);
KHOR_HIDDEN struct khor_value *kv_bool(struct khor_value *parent, const char *key,
				       bool v);
KHOR_HIDDEN struct khor_value *kv_bytes(struct khor_value *parent, const char *key,
					const void *buf, size_t n, uint64_t total);

/* Context shared by one khor_blob_decode() call. */
struct blob_ctx {
	struct khor_mem *mem;
	uint64_t page_size;
	struct khor_blob_opts opts;
	struct khor_error *err;
	int status;		/* worst problem so far: 0, ENODATA, ECORRUPT */
	struct khor_value *root;	/* the blob's object */
	struct khor_value *problems;	/* "problems" list, made on first use */
	bool not_followed;	/* incoming: a pointer was not followed */
	uint64_t blocks_left;	/* linked-block reads this blob may still do */
	/*
	 * khor_owners_create() (lib/owners.c): where decoders put what they
	 * find as claims (a range, the owner that holds it). NULL when only
	 * decoding; the hooks below then do nothing.
	 */
	struct owners_sink *own;
	uint32_t owner;		/* the blob's own owner node */
	uint64_t blob_phys;	/* where the blob is (0: a debugfs file) */
};

/*
 * Owner hooks (lib/owners_sink.c). owner_new() adds a node under @parent
 * and returns its id (0 without a sink or on failure, which the sink
 * remembers); owner_claim() says @owner holds [@phys, @phys + @len), with
 * @detail (a file offset) unless it is KHOR_NO_DETAIL. Decoders call them
 * as they follow pointers, so a claim is made only for what was read.
 */
KHOR_HIDDEN uint32_t owner_new(struct blob_ctx *c, uint32_t parent,
			       const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
KHOR_HIDDEN void owner_claim(struct blob_ctx *c, uint32_t owner, uint64_t phys,
			     uint64_t len, uint64_t detail);
/* LUO's luo_ser has sessions_pa 0: its blocks are not reachable yet. */
KHOR_HIDDEN void owner_luo_unserialized(struct blob_ctx *c);

/*
 * khor_blob_decode() with an owner sink: the blob's extent is claimed by
 * @owner, and what decoders follow by nodes under it.
 */
KHOR_HIDDEN int blob_decode_owned(struct khor_mem *mem,
				  const struct khor_subnode *sub,
				  const struct khor_blob_opts *opts,
				  struct owners_sink *own, uint32_t owner,
				  struct khor_value **out,
				  struct khor_error *err);

/*
 * Record a problem: an entry {"message", "phys"?} in the blob's "problems"
 * list, the first one in ctx->err, and the worst code in ctx->status
 * (corruption outranks missing data).
 */
KHOR_HIDDEN void blob_problem(struct blob_ctx *c, int code, bool has_phys,
			      uint64_t phys, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Read @len bytes at @phys that a blob points to. @what names the object
 * for messages. Needs a memory source; a failure is recorded with
 * blob_problem() and returned. With opts.incoming nothing is read and
 * -KHOR_ESTOP returned (no problem: see blob.c).
 */
KHOR_HIDDEN int blob_read(struct blob_ctx *c, const char *what, uint64_t phys,
			  void *buf, size_t len);

/* FDT property helpers: a CPU-order u64/u32 property of exactly that size. */
KHOR_HIDDEN int fdt_prop_u64(const void *fdt, int node, const char *name,
			     uint64_t *v);
KHOR_HIDDEN int fdt_prop_u32(const void *fdt, int node, const char *name,
			     uint32_t *v);

/*
 * Follow a kho_vmalloc descriptor's chunk list: describe it under @out and
 * return (malloc'd, caller frees) the block addresses in order, so the
 * vmalloc'ed contents can be read. Returns 0 or the worst problem so far.
 */
KHOR_HIDDEN int vmalloc_blocks(struct blob_ctx *c, const uint8_t desc[16],
			       struct khor_value *out, uint64_t **blocks_ret,
			       uint64_t *nblocks_ret, unsigned int *order_ret);
/* The same, claiming its chunk pages and data blocks for @area (owners). */
KHOR_HIDDEN int vmalloc_blocks_owned(struct blob_ctx *c, const uint8_t desc[16],
				     struct khor_value *out, uint32_t area,
				     uint64_t **blocks_ret, uint64_t *nblocks_ret,
				     unsigned int *order_ret);

/* kho_vmalloc descriptor (16 bytes) and its chunk list, under @parent. */
KHOR_HIDDEN void blob_vmalloc(struct blob_ctx *c, struct khor_value *parent,
			      const uint8_t desc[16], bool list_pages);

/* The decoders, by format; each appends to @out. */
KHOR_HIDDEN void blob_luo(struct blob_ctx *c, const void *fdt,
			  struct khor_value *out);
KHOR_HIDDEN void blob_memblock(struct blob_ctx *c, const void *fdt,
			       struct khor_value *out);
KHOR_HIDDEN void blob_kho_test(struct blob_ctx *c, const void *fdt,
			       struct khor_value *out);
/* The raw "LUO" blob of kho-v4 (struct luo_ser), by its compatible. */
KHOR_HIDDEN void blob_luo_raw(struct blob_ctx *c, const uint8_t *buf,
			      size_t len, struct khor_value *out);
/*
 * A LUO file's data, decoded by its handler compatible, under @file;
 * what it points to is claimed under @owner (owners).
 */
KHOR_HIDDEN void blob_luo_file_data(struct blob_ctx *c, const char *compat,
				    uint64_t data, struct khor_value *file,
				    uint32_t owner);
KHOR_HIDDEN void blob_kexec_metadata(struct blob_ctx *c, const uint8_t *buf,
				     size_t len, struct khor_value *out);

#endif /* KHOTOOLS_BLOB_INTERNAL_H */
