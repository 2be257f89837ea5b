/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libkhoradix - read Linux Kexec HandOver (KHO) preserved-memory maps.
 *
 * Installed as <khotools/radix_reader.h>. Every exported name starts with
 * khor_ / KHOR_. Functions return 0 or a negative KHOR_E* code; detail is in
 * a struct khor_error filled by the call, or in khor_mem_errmsg(). The library
 * never prints, exits or longjmps, and everything it reads from memory is
 * treated as untrusted.
 *
 * Data flow: a memory source (struct khor_mem) -> locate the KHO FDT
 * (khor_locate) -> the FDT names the map format and its root
 * (struct khor_map) -> khor_walk() reports runs of preserved blocks in
 * ascending physical address -> sinks (ranges, stats, check) consume them.
 */
#ifndef KHOTOOLS_RADIX_READER_H
#define KHOTOOLS_RADIX_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(KHOR_BUILDING_LIBRARY)
#define KHOR_API __attribute__((visibility("default")))
#else
#define KHOR_API
#endif

/**
 * enum khor_status - error codes (returned negated)
 * @KHOR_OK: success
 * @KHOR_ENOMEM: an allocation failed; nothing to do but report it
 * @KHOR_EINVAL: an argument is invalid (unaligned address, bad order, ...)
 * @KHOR_EIO: an input file cannot be opened or read; see the message
 * @KHOR_EFAULT: the address lies outside the physical memory the source
 *	describes; a pointer read from the structure that leads here is corrupt
 * @KHOR_ENODATA: the address is inside physical memory but its page is not in
 *	the dump (filtered, excluded, cut out); the result is incomplete, not
 *	corrupt
 * @KHOR_ECORRUPT: the structure is inconsistent (cycle, bad pointer, bad
 *	index, bad FDT property); partial results are still valid
 * @KHOR_EFORMAT: the input is of a format or version this library does not
 *	decode (unknown compatible, not an FDT, ...)
 * @KHOR_ELIMIT: a work limit stopped the walk; raise it to go further
 * @KHOR_ENOTFOUND: nothing to decode was found (no KHO FDT located)
 * @KHOR_ECHANGED: memory changed while it was being read (live torn read)
 * @KHOR_ESTOP: a caller's callback asked the walk to stop
 */
enum khor_status {
	KHOR_OK = 0,
	KHOR_ENOMEM,
	KHOR_EINVAL,
	KHOR_EIO,
	KHOR_EFAULT,
	KHOR_ENODATA,
	KHOR_ECORRUPT,
	KHOR_EFORMAT,
	KHOR_ELIMIT,
	KHOR_ENOTFOUND,
	KHOR_ECHANGED,
	KHOR_ESTOP,
	KHOR_NSTATUS
};

/**
 * khor_strerror() - short description of a status code
 * @err: a KHOR_E* code, negated or not
 *
 * Return: a static string, never NULL.
 */
KHOR_API const char *khor_strerror(int err);

/**
 * struct khor_error - the first problem a call met, with its location
 * @code: negative KHOR_E* code, 0 if none
 * @phys: physical address the problem is about, valid if @has_phys
 * @has_phys: @phys is meaningful
 * @level: tree level (5..1 tables, 0 leaf) or -1 when not a tree node
 * @count: number of problems seen (only the first is described)
 * @msg: one line, no trailing newline, e.g.
 *	"level 3 table at 0x40203000: entry 7 points to 0x40201000, a table
 *	already seen at level 5 (cycle)"
 */
struct khor_error {
	int code;
	uint64_t phys;
	bool has_phys;
	int level;
	uint64_t count;
	char msg[512];
};

/** khor_error_clear() - reset @err to "no error" */
KHOR_API void khor_error_clear(struct khor_error *err);

/* ---------------------------------------------------------------------- */
/* Key codec (kho-v2 radix tree), pure functions                          */
/* ---------------------------------------------------------------------- */

/**
 * struct khor_geom - radix-tree geometry derived from the page size
 * @page_shift: log2 of the page size of the kernel that wrote the tree
 * @order0: position of the order bit for order 0 (64 - page_shift); also
 *	the highest order a key can encode
 * @table_bits: index bits per table level (page_shift - 3)
 * @leaf_bits: key bits resolved by a leaf bitmap (page_shift + 3)
 * @levels: number of table levels above the leaves (5 for 4 KiB pages)
 * @top_max_index: highest valid index in the root table (3 for 4 KiB
 *	pages: keys are order0 + 1 bits wide)
 *
 * Upstream (kho-v2, include/linux/kho/abi/kexec_handover.h @3f2ad90060f6)
 * derives these from PAGE_SHIFT in enum kho_radix_consts; the depth is
 * DIV_ROUND_UP(order0 - leaf_bits, table_bits) + 1 levels including the leaf.
 */
struct khor_geom {
	unsigned int page_shift;
	unsigned int order0;
	unsigned int table_bits;
	unsigned int leaf_bits;
	unsigned int levels;
	uint64_t top_max_index;
};

/**
 * khor_geom_init() - compute the geometry for a page size
 * @geom: filled on success
 * @page_shift: 12 to 16
 *
 * Return: 0, or -KHOR_EINVAL for an unsupported page shift.
 */
KHOR_API int khor_geom_init(struct khor_geom *geom, unsigned int page_shift);

/**
 * khor_key_encode() - radix key of a preserved block
 * @geom: tree geometry
 * @phys: physical address, aligned to PAGE_SIZE << @order
 * @order: block order, at most @geom->order0
 * @key_ret: the key, set only on success
 *
 * key = 1 << (order0 - order) | phys >> (page_shift + order).
 *
 * Return: 0, or -KHOR_EINVAL if @phys is not aligned or @order too large.
 */
KHOR_API int khor_key_encode(const struct khor_geom *geom, uint64_t phys,
			     unsigned int order, uint64_t *key_ret);

/**
 * khor_key_decode() - preserved block of a radix key
 * @geom: tree geometry
 * @key: non-zero key below 2^(order0 + 1)
 * @phys_ret: physical address, set only on success
 * @order_ret: block order, set only on success
 *
 * order = order0 + 1 - fls64(key); phys = key << (page_shift + order), the
 * order bit falling off the top.
 *
 * Return: 0, or -KHOR_EINVAL for 0 or a key wider than the geometry allows.
 */
KHOR_API int khor_key_decode(const struct khor_geom *geom, uint64_t key,
			     uint64_t *phys_ret, unsigned int *order_ret);

/**
 * khor_key_index() - index of a key at one tree level
 * @geom: tree geometry
 * @key: radix key
 * @level: 0 for the bit within the leaf, 1..@geom->levels for tables
 *
 * Return: the index (bit number at level 0, table slot above).
 */
KHOR_API uint64_t khor_key_index(const struct khor_geom *geom, uint64_t key,
				 unsigned int level);

/* ---------------------------------------------------------------------- */
/* Memory sources                                                         */
/* ---------------------------------------------------------------------- */

struct khor_mem;

/**
 * struct khor_mem_ops - a physical memory backend
 * @read: copy @len bytes at physical @phys into @buf; return 0, or
 *	-KHOR_EFAULT (outside physical memory), -KHOR_ENODATA (not in the
 *	dump), -KHOR_EIO (read error). May set a message with
 *	khor_mem_set_errmsg().
 * @close: release @priv (may be NULL)
 */
struct khor_mem_ops {
	int (*read)(struct khor_mem *mem, void *priv, uint64_t phys, void *buf,
		    size_t len);
	void (*close)(void *priv);
};

/**
 * struct khor_mem_info - what a memory source knows about the dumped system
 * @page_size: page size of the dumped kernel, 0 if unknown
 * @phys_end: end of physical memory (exclusive) as the source knows it;
 *	reads at or above it are -KHOR_EFAULT
 * @osrelease: kernel release from VMCOREINFO, "" if unknown
 * @kind: "raw", "elf", "kdump", "kcore", or a caller's name
 */
struct khor_mem_info {
	uint64_t page_size;
	uint64_t phys_end;
	char osrelease[65];
	char kind[16];
};

/**
 * khor_mem_create() - wrap a caller's backend (e.g. crash's readmem)
 * @ops: backend operations, must outlive the source
 * @priv: passed to @ops
 * @info: initial description; copied
 * @ret: the new source, set only on success
 *
 * Return: 0 or -KHOR_ENOMEM.
 */
KHOR_API int khor_mem_create(const struct khor_mem_ops *ops, void *priv,
			     const struct khor_mem_info *info,
			     struct khor_mem **ret);

/**
 * struct khor_raw_image - one raw memory image file and where it sits
 * @path: file name
 * @phys: physical address of the file's first byte
 */
struct khor_raw_image {
	const char *path;
	uint64_t phys;
};

/**
 * khor_mem_open_raw() - physical memory from raw image files
 * @images: one or more images; holes between them read as "not in dump"
 * @n: number of images
 * @err: filled on failure
 * @ret: the new source, set only on success
 *
 * Reads beyond the end of the highest image are -KHOR_EFAULT.
 *
 * Return: 0, -KHOR_EIO, -KHOR_EINVAL (overlapping images) or -KHOR_ENOMEM.
 */
KHOR_API int khor_mem_open_raw(const struct khor_raw_image *images, size_t n,
			       struct khor_error *err, struct khor_mem **ret);

/**
 * khor_mem_open_dump() - physical memory from a vmcore or /proc/kcore
 * @path: ELF vmcore, kdump-compressed vmcore, or /proc/kcore
 * @err: filled on failure
 * @ret: the new source, set only on success
 *
 * Uses libkdumpfile with machine physical addresses, which works without
 * VMCOREINFO.
 *
 * Return: 0, -KHOR_EIO, -KHOR_EFORMAT or -KHOR_ENOMEM.
 */
KHOR_API int khor_mem_open_dump(const char *path, struct khor_error *err,
				struct khor_mem **ret);

/**
 * khor_mem_read() - read physical memory
 * @mem: source
 * @phys: physical address
 * @buf: destination
 * @len: bytes to read
 *
 * Return: 0, -KHOR_EFAULT, -KHOR_ENODATA or -KHOR_EIO; the reason is in
 * khor_mem_errmsg().
 */
KHOR_API int khor_mem_read(struct khor_mem *mem, uint64_t phys, void *buf,
			   size_t len);

/** khor_mem_get_info() - the source's description of the dumped system */
KHOR_API const struct khor_mem_info *khor_mem_get_info(const struct khor_mem *mem);

/** khor_mem_errmsg() - message of the last failed read, "" if none */
KHOR_API const char *khor_mem_errmsg(const struct khor_mem *mem);

/** khor_mem_set_errmsg() - for backends: set the message of a failed read */
KHOR_API void khor_mem_set_errmsg(struct khor_mem *mem, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** khor_mem_destroy() - close a source; NULL is a no-op */
KHOR_API void khor_mem_destroy(struct khor_mem *mem);

/* ---------------------------------------------------------------------- */
/* KHO FDT                                                                */
/* ---------------------------------------------------------------------- */

/**
 * enum khor_format - layout of the preserved-memory map
 * @KHOR_FMT_UNKNOWN: not known
 * @KHOR_FMT_V1: kho-v1 linked list of chunks of per-order bitmaps
 * @KHOR_FMT_RADIX: kho-v2 and later radix tree
 */
enum khor_format {
	KHOR_FMT_UNKNOWN = 0,
	KHOR_FMT_V1,
	KHOR_FMT_RADIX,
};

/** khor_format_name() - "kho-v1", "radix" or "unknown" */
KHOR_API const char *khor_format_name(enum khor_format fmt);

/**
 * struct khor_fdt_info - what the root KHO FDT says
 * @compatible: root compatible string
 * @version: the number after "kho-v"
 * @suffix: anything after the number (reported, ignored for dispatch)
 * @format: memory map layout the version implies
 * @has_mem_map: @mem_map was present
 * @mem_map: preserved-memory-map value (root node, or first v1 chunk);
 *	0 means "not finalized" for kho-v1
 * @totalsize: FDT header totalsize
 * @subnode_prop: "fdt" (v1) or "preserved-data" (v2+)
 * @nsubnodes: number of sub-nodes under the root
 */
struct khor_fdt_info {
	char compatible[64];
	unsigned int version;
	char suffix[32];
	enum khor_format format;
	bool has_mem_map;
	uint64_t mem_map;
	uint32_t totalsize;
	const char *subnode_prop;
	unsigned int nsubnodes;
};

/**
 * khor_fdt_decode() - decode the root of a KHO FDT
 * @blob: the FDT bytes
 * @len: bytes available at @blob; the header's totalsize must fit
 * @force_version: decode as this kho-vN (0: refuse unknown versions)
 * @info: filled on success
 * @err: filled on failure
 *
 * u64 properties are in the CPU byte order of the writing kernel
 * (little-endian on x86_64), not FDT big-endian: upstream writes them with
 * fdt_property(fdt, name, &u64, 8).
 *
 * Return: 0, -KHOR_EFORMAT (not an FDT, not "kho-v*", unknown version) or
 * -KHOR_ECORRUPT (bad header, property of the wrong length).
 */
KHOR_API int khor_fdt_decode(const void *blob, size_t len,
			     unsigned int force_version,
			     struct khor_fdt_info *info,
			     struct khor_error *err);

/* ---------------------------------------------------------------------- */
/* Locating the KHO FDT and the map                                       */
/* ---------------------------------------------------------------------- */

/** Largest root FDT we accept: upstream creates it in one page. */
#define KHOR_FDT_MAX 65536

/**
 * struct khor_map - a preserved-memory map to walk
 * @format: layout
 * @root: radix root node, or first v1 chunk
 * @geom: radix geometry (page size)
 * @v1_bitmap_size: 512 or 4096 for kho-v1; 0 to detect from the layout
 */
struct khor_map {
	enum khor_format format;
	uint64_t root;
	struct khor_geom geom;
	unsigned int v1_bitmap_size;
};

/**
 * struct khor_locate_opts - where to find the KHO FDT or the map
 * @fdt_file: read the FDT from this file
 * @fdt_phys: read the FDT from this physical address (if @have_fdt_phys)
 * @have_fdt_phys: @fdt_phys is set
 * @root: walk a map at this physical address, no FDT (if @have_root)
 * @have_root: @root is set
 * @root_format: layout of @root (default radix)
 * @debugfs: debugfs KHO directory (default /sys/kernel/debug/kho)
 * @incoming: use in/ (what the previous kernel handed over), not out/
 * @scan: scan memory for a KHO FDT
 * @page_size: page size if the source cannot say (0: 4096)
 * @force_version: decode an unknown kho-vN as this version (0: refuse)
 */
struct khor_locate_opts {
	const char *fdt_file;
	uint64_t fdt_phys;
	bool have_fdt_phys;
	uint64_t root;
	bool have_root;
	enum khor_format root_format;
	const char *debugfs;
	bool incoming;
	bool scan;
	uint64_t page_size;
	unsigned int force_version;
};

/**
 * struct khor_located - result of khor_locate()
 * @how: how it was found, e.g. "debugfs /sys/kernel/debug/kho/out/fdt"
 * @have_fdt: an FDT was found (false with --root)
 * @fdt_phys: physical address of the FDT, if @have_fdt_phys
 * @have_fdt_phys: @fdt_phys is known
 * @fdt: copy of the FDT (totalsize bytes), 8-byte aligned as libfdt needs
 * @fdt_len: bytes in @fdt
 * @info: decoded FDT root
 * @map: the map to walk; map.root == 0 means there is none (v1 before
 *	finalize)
 */
struct khor_located {
	char how[600];
	bool have_fdt;
	uint64_t fdt_phys;
	bool have_fdt_phys;
	uint8_t fdt[KHOR_FDT_MAX] __attribute__((aligned(8)));
	size_t fdt_len;
	struct khor_fdt_info info;
	struct khor_map map;
};

/**
 * khor_locate() - find the KHO FDT and the preserved-memory map
 * @mem: memory source (may be NULL with @opts->fdt_file or debugfs, for
 *	FDT-only decoding)
 * @opts: where to look; with nothing set, the live debugfs file
 * @ret: filled on success
 * @err: filled on failure
 *
 * Return: 0, -KHOR_EIO, -KHOR_EFORMAT, -KHOR_ECORRUPT, -KHOR_ENOTFOUND or
 * a read error.
 */
KHOR_API int khor_locate(struct khor_mem *mem,
			 const struct khor_locate_opts *opts,
			 struct khor_located *ret, struct khor_error *err);

/* ---------------------------------------------------------------------- */
/* Walking                                                                */
/* ---------------------------------------------------------------------- */

/**
 * struct khor_run - @count consecutive blocks of one order
 * @phys: physical address of the first block
 * @count: number of blocks, at least 1
 * @order: order of every block; a block is page_size << order bytes
 *
 * The blocks are [phys + i * (page_size << order)) for i < count.
 */
struct khor_run {
	uint64_t phys;
	uint64_t count;
	unsigned int order;
};

/**
 * enum khor_node_kind - kind of metadata page
 * @KHOR_NODE_TABLE: radix table (levels 1..5)
 * @KHOR_NODE_LEAF: radix leaf bitmap (level 0)
 * @KHOR_NODE_CHUNK: kho-v1 chunk
 * @KHOR_NODE_BITMAP: kho-v1 bitmap
 */
enum khor_node_kind {
	KHOR_NODE_TABLE,
	KHOR_NODE_LEAF,
	KHOR_NODE_CHUNK,
	KHOR_NODE_BITMAP,
};

/**
 * struct khor_node - one metadata object, reported once per walk
 * @kind: what it is
 * @level: radix level (tables levels..1, leaf 0); v1: the order
 * @phys: physical address
 * @size: bytes it occupies
 * @used: set bits (leaf, bitmap) or used entries (table, chunk)
 * @capacity: bits or entries it can hold
 */
struct khor_node {
	enum khor_node_kind kind;
	int level;
	uint64_t phys;
	uint32_t size;
	uint64_t used;
	uint64_t capacity;
};

/**
 * struct khor_walk_ops - callbacks of khor_walk(); either may be NULL
 * @run: a run of blocks; runs arrive in ascending physical address
 *	(runs of different orders are merged; with a valid map they never
 *	overlap). Return 0 to continue; anything else stops the walk and is
 *	returned by khor_walk().
 * @node: a metadata page, once per distinct page, when first read
 */
struct khor_walk_ops {
	int (*run)(void *arg, const struct khor_run *run);
	int (*node)(void *arg, const struct khor_node *node);
};

/**
 * struct khor_walk_limits - bounds on the work of one walk
 * @max_nodes: metadata pages read (tables, leaves, chunks, bitmaps);
 *	0 means the default, KHOR_DEFAULT_MAX_NODES
 */
struct khor_walk_limits {
	uint64_t max_nodes;
};

#define KHOR_DEFAULT_MAX_NODES (1ULL << 24)

/**
 * struct khor_walk_result - what a walk did
 * @nodes: distinct metadata pages read
 * @node_reads: metadata page reads, including repeats by other order cursors
 * @runs: runs reported
 * @blocks: blocks reported
 * @v1_bitmap_size: kho-v1: the bitmap size used
 * @v1_evidence: kho-v1: why that size was chosen
 * @error: first problem met (corruption, missing page, limit), and how many
 */
struct khor_walk_result {
	uint64_t nodes;
	uint64_t node_reads;
	uint64_t runs;
	uint64_t blocks;
	unsigned int v1_bitmap_size;
	char v1_evidence[256];
	struct khor_error error;
};

/**
 * khor_walk() - report every preserved block of a map, ascending
 * @mem: memory source
 * @map: map to walk
 * @limits: work bounds (NULL for defaults)
 * @ops: callbacks
 * @arg: passed to callbacks
 * @res: filled in all cases (partial counts and the first error)
 *
 * Every pointer is checked before it is followed (alignment, readable, not
 * seen elsewhere in the structure, index within the key width). A bad
 * pointer is reported and skipped, so the walk goes on and returns as much
 * as can be trusted; a missing page is skipped the same way.
 *
 * Return: 0; -KHOR_ECORRUPT if the structure is corrupt; -KHOR_ENODATA if
 * pages were missing and nothing was corrupt; -KHOR_ELIMIT; -KHOR_ENOMEM;
 * or a callback's non-zero value. In every case @res->error says more.
 */
KHOR_API int khor_walk(struct khor_mem *mem, const struct khor_map *map,
		       const struct khor_walk_limits *limits,
		       const struct khor_walk_ops *ops, void *arg,
		       struct khor_walk_result *res);

/* ---------------------------------------------------------------------- */
/* Sinks                                                                  */
/* ---------------------------------------------------------------------- */

/**
 * struct khor_ranges - coalesces runs into maximal [start, end) ranges
 * @emit: called for each finished range; non-zero stops (returned by
 *	khor_ranges_add/flush)
 * @arg: passed to @emit
 * @page_size: page size of the map
 * @open: a range is being built
 * @start: its start
 * @end: its end (exclusive)
 */
struct khor_ranges {
	int (*emit)(void *arg, uint64_t start, uint64_t end);
	void *arg;
	uint64_t page_size;
	bool open;
	uint64_t start;
	uint64_t end;
};

KHOR_API void khor_ranges_init(struct khor_ranges *r, uint64_t page_size,
			       int (*emit)(void *arg, uint64_t start,
					   uint64_t end),
			       void *arg);
KHOR_API int khor_ranges_add(struct khor_ranges *r, const struct khor_run *run);
KHOR_API int khor_ranges_flush(struct khor_ranges *r);

#define KHOR_MAX_ORDERS 64
#define KHOR_MAX_LEVELS 8

/**
 * struct khor_stats - totals of a walk
 * @page_size: page size of the map
 * @blocks: blocks per order
 * @runs: runs reported
 * @preserved_bytes: bytes covered by preserved blocks
 * @nodes: radix nodes per level (0 = leaves) or, for kho-v1, [0] bitmaps
 *	and [1] chunks
 * @metadata_bytes: bytes of metadata pages (tables, leaves, chunks, bitmaps)
 * @leaves: leaves or bitmaps seen
 * @empty_leaves: leaves or bitmaps with no bit set
 * @leaf_bits_set: bits set over all leaves/bitmaps
 * @leaf_bits_total: capacity of all leaves/bitmaps
 * @max_order: highest order seen (valid if @blocks_total)
 * @blocks_total: all blocks
 */
struct khor_stats {
	uint64_t page_size;
	uint64_t blocks[KHOR_MAX_ORDERS];
	uint64_t runs;
	uint64_t preserved_bytes;
	uint64_t nodes[KHOR_MAX_LEVELS];
	uint64_t metadata_bytes;
	uint64_t leaves;
	uint64_t empty_leaves;
	uint64_t leaf_bits_set;
	uint64_t leaf_bits_total;
	unsigned int max_order;
	uint64_t blocks_total;
};

KHOR_API void khor_stats_init(struct khor_stats *s, uint64_t page_size);
KHOR_API void khor_stats_add_run(struct khor_stats *s,
				 const struct khor_run *run);
KHOR_API void khor_stats_add_node(struct khor_stats *s,
				  const struct khor_node *node);

/**
 * struct khor_check - semantic checks over the ascending run stream
 * @page_size: page size of the map
 * @have_prev: a block has been seen
 * @prev_phys: start of the last block seen
 * @prev_end: end of the furthest block seen
 * @prev_order: order of the block ending at @prev_end
 * @error: first problem found (overlapping blocks), with a count
 */
struct khor_check {
	uint64_t page_size;
	bool have_prev;
	uint64_t prev_phys;
	uint64_t prev_end;
	unsigned int prev_order;
	struct khor_error error;
};

KHOR_API void khor_check_init(struct khor_check *c, uint64_t page_size);
/** khor_check_add_run() - returns 0; problems accumulate in @c->error */
KHOR_API int khor_check_add_run(struct khor_check *c,
				const struct khor_run *run);

#ifdef __cplusplus
}
#endif

#endif /* KHOTOOLS_RADIX_READER_H */
