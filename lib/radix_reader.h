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
 *
 * Contents, in this order: status and errors; the key codec; memory
 * sources, and the recording source behind --extract; the KHO FDT and its
 * sub-nodes; locating the FDT and the map (candidates, scan bounds,
 * symbols); walking; sinks; finding the block that holds an address;
 * decoded values and the blob decoders. Each structure is next to the
 * functions that take it.
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

/* ---------------------------------------------------------------------- */
/* Status and errors                                                      */
/* ---------------------------------------------------------------------- */

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
 * @levels: number of table levels above the leaves (5 for 4 KiB pages,
 *	4 for 16 KiB, 3 for 64 KiB)
 * @top_max_index: highest valid index in the root table (3 for 4 KiB
 *	pages: keys are order0 + 1 bits wide)
 *
 * Upstream (kho-v2, include/linux/kho/abi/kexec_handover.h @3f2ad90060f6)
 * derives these from PAGE_SHIFT in enum kho_radix_consts; the depth is
 * DIV_ROUND_UP(order0 - leaf_bits + 1, table_bits) + 1 levels including the
 * leaf (KHO_TREE_MAX_DEPTH; the + 1 is the order bit of an order-0 key).
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
 * @next_present: optional, bounds --scan to the memory present: the first
 *	range [*start, *end) of memory the source holds at or above @from;
 *	return 0, or -KHOR_ENOTFOUND when there is none. Without it a scan
 *	probes every page below the end of memory.
 */
struct khor_mem_ops {
	int (*read)(struct khor_mem *mem, void *priv, uint64_t phys, void *buf,
		    size_t len);
	void (*close)(void *priv);
	int (*next_present)(struct khor_mem *mem, void *priv, uint64_t from,
			    uint64_t *start, uint64_t *end);
};

/**
 * struct khor_mem_info - what a memory source knows about the dumped system
 * @page_size: page size of the dumped kernel, 0 if unknown
 * @phys_end: end of physical memory (exclusive) as the source knows it;
 *	reads at or above it are -KHOR_EFAULT
 * @osrelease: kernel release from VMCOREINFO, "" if unknown
 * @kind: "raw", "elf", "kdump", "kcore", or a caller's name
 * @vmcoreinfo: the raw VMCOREINFO text, NULL if none; owned by the source
 *	(carried into --extract output)
 * @live: the memory belongs to a running system (/proc/kcore) and may
 *	change while it is read; khor_walk() then checks that every metadata
 *	page it used is unchanged at the end of the walk (see khor_walk()).
 *	A caller's backend over live memory sets it.
 */
struct khor_mem_info {
	uint64_t page_size;
	uint64_t phys_end;
	char osrelease[65];
	char kind[16];
	const char *vmcoreinfo;
	bool live;
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
/* Recording memory source and --extract                                  */
/* ---------------------------------------------------------------------- */

/**
 * khor_mem_record_create() - a source that notes every page read through it
 * @inner: the source to read from; must outlive the recorder, which does
 *	not close it
 * @ret: the recorder, set only on success
 *
 * Successful reads are recorded at 4 KiB granularity; failed reads are
 * not (they stay "not in the dump" or "outside memory" in an extract).
 *
 * Return: 0 or -KHOR_ENOMEM.
 */
KHOR_API int khor_mem_record_create(struct khor_mem *inner,
				    struct khor_mem **ret);

/**
 * khor_mem_record_pages() - the pages a recorder saw, ascending
 * @rec: a source from khor_mem_record_create()
 * @pages_ret: set to an array owned by @rec (valid until the next read or
 *	khor_mem_destroy())
 * @n_ret: number of pages
 *
 * Return: 0, -KHOR_EINVAL if @rec is not a recorder, -KHOR_ENOMEM.
 */
KHOR_API int khor_mem_record_pages(struct khor_mem *rec,
				   const uint64_t **pages_ret, size_t *n_ret);

/** khor_mem_record_add() - record a page range as if it had been read */
KHOR_API int khor_mem_record_add(struct khor_mem *rec, uint64_t phys,
				 uint64_t len);

/** Granularity of recording and extraction. */
#define KHOR_EXTRACT_PAGE 4096

/**
 * khor_extract_write() - write an ELF vmcore holding only some pages
 * @src: where the pages' bytes come from
 * @pages: page addresses (multiples of KHOR_EXTRACT_PAGE), ascending
 * @n: number of pages
 * @path: output file (created or truncated)
 * @err: filled on failure
 *
 * The output is an ELF64 x86_64 ET_CORE file: one PT_LOAD per run of
 * consecutive pages (p_paddr = phys, p_vaddr = 0xffff888000000000 + phys),
 * the source's raw VMCOREINFO as a "VMCOREINFO" note when it has one, and
 * a "KHOTOOLS" note (type 1, two u64: end of physical memory, page size or
 * 0) that khor_mem_open_dump() reads back, so addresses beyond the end of
 * memory and pages not in the dump are told apart exactly as in @src.
 *
 * Return: 0, -KHOR_EIO, -KHOR_ENODATA (a page cannot be read from @src),
 * -KHOR_ENOMEM.
 */
KHOR_API int khor_extract_write(struct khor_mem *src, const uint64_t *pages,
				size_t n, const char *path,
				struct khor_error *err);

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
/* Sub-nodes of the root KHO FDT                                          */
/* ---------------------------------------------------------------------- */

/**
 * struct khor_subnode - one client sub-node of the root KHO FDT
 * @name: node name (kho_add_subtree()'s name), truncated to fit
 * @addr_prop: "fdt" (kho-v1) or "preserved-data" (v2+), the property found;
 *	NULL if neither is present
 * @has_phys: @phys is valid
 * @phys: physical address of the client blob (CPU byte order u64)
 * @has_size: @size is valid ("blob-size", kho-v3 and later)
 * @size: blob size in bytes
 * @problem: "" or what is wrong with the node (wrong property length, the
 *	other version's property name, a nested node, ...)
 */
struct khor_subnode {
	char name[128];
	const char *addr_prop;
	bool has_phys;
	uint64_t phys;
	bool has_size;
	uint64_t size;
	char problem[160];
};

/**
 * khor_fdt_subnode() - the @index-th sub-node of the root KHO FDT
 * @fdt: the root FDT (as in struct khor_located), already decoded
 * @len: bytes at @fdt
 * @info: its decoded root (for the version's property names)
 * @index: 0-based
 * @sub: filled on success
 *
 * Return: 0, -KHOR_ENOTFOUND past the last sub-node, -KHOR_ECORRUPT if
 * the FDT cannot be parsed.
 */
KHOR_API int khor_fdt_subnode(const void *fdt, size_t len,
			      const struct khor_fdt_info *info,
			      unsigned int index, struct khor_subnode *sub);

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

#define KHOR_MAX_CANDIDATES 16

/**
 * struct khor_candidate - a page holding a KHO FDT, found by scan or symbol
 * @phys: where
 * @compatible: its root compatible
 * @mem_map: its preserved-memory-map
 * @valid: its map validated (see @verdict)
 * @fdt_preserved: the FDT page is a block of its own map (upstream
 *	preserves the root FDT page in kho-v2+; stale or user-space copies
 *	are not)
 * @kexec_count: kexec_count of its "kexec-metadata" sub-blob (the
 *	kexec boots since the last cold boot, counting the one it is handed
 *	to), or -1 if it has none
 * @incoming: among the candidates of one memory, this one has a lower
 *	@kexec_count than another: it is what the previous kernel handed
 *	over, not what this kernel will hand over
 * @verdict: one line: why it was accepted or rejected
 */
struct khor_candidate {
	uint64_t phys;
	char compatible[64];
	uint64_t mem_map;
	bool valid;
	bool fdt_preserved;
	int64_t kexec_count;
	bool incoming;
	char verdict[640];
};

/**
 * khor_candidate_check() - validate a candidate KHO FDT in memory
 * @mem: memory source
 * @phys: address of the FDT
 * @page_size: map page size
 * @max_nodes: bound on the validation walk (0: 65536)
 * @cand: filled (also when the answer is "invalid")
 *
 * Return: 0 if @phys holds a KHO FDT at all (then @cand->valid says whether
 * its map validated), else a negative status (not an FDT, unreadable).
 */
KHOR_API int khor_candidate_check(struct khor_mem *mem, uint64_t phys,
				  uint64_t page_size, uint64_t max_nodes,
				  struct khor_candidate *cand);

/**
 * struct khor_scan_opts - bounds of a scan
 * @start: lowest physical address scanned
 * @end: end of the scan (0: end of memory)
 * @max_pages: most pages looked at (0: 1 << 26, 256 GiB of 4 KiB pages)
 * @max_nodes: metadata pages each candidate's validation walk may read
 *	(0: 65536)
 */
struct khor_scan_opts {
	uint64_t start;
	uint64_t end;
	uint64_t max_pages;
	uint64_t max_nodes;
};

/**
 * struct khor_symbols - where symbol values come from
 * @vmlinux: an ELF vmlinux with a symbol table (NULL: none)
 * @system_map: a System.map (NULL: none)
 * @use_vmcoreinfo: also take SYMBOL(name)= lines from the dump's
 *	VMCOREINFO
 * @kallsyms: a running kernel's /proc/kallsyms (NULL: none); tried first.
 *	Its addresses are relocated (KASLR), the others' are link-time
 */
struct khor_symbols {
	const char *vmlinux;
	const char *system_map;
	bool use_vmcoreinfo;
	const char *kallsyms;
};

/**
 * khor_symbol_lookup() - the link-time address of a kernel symbol
 * @syms: sources, tried in order vmlinux, System.map, VMCOREINFO
 * @mem: the dump (for VMCOREINFO; may be NULL)
 * @name: symbol name
 * @addr_ret: the unrelocated address, set only on success
 * @from_ret: static string naming the source, set only on success
 *
 * Return: 0, -KHOR_ENOTFOUND, -KHOR_EIO (a file cannot be read).
 */
KHOR_API int khor_symbol_lookup(const struct khor_symbols *syms,
				struct khor_mem *mem, const char *name,
				uint64_t *addr_ret, const char **from_ret);

/**
 * struct khor_scratch_area - one KHO scratch area (struct kho_scratch:
 * phys_addr_t addr, size; 16 bytes on 64-bit)
 * @phys: start
 * @size: bytes
 */
struct khor_scratch_area {
	uint64_t phys;
	uint64_t size;
};

/**
 * khor_symbol_scratch() - the scratch areas a kernel will hand to the next
 * one, from its kho_scratch (a direct-map pointer to the array) and
 * kho_scratch_cnt (unsigned int) variables (global from 6.18, static
 * before: a System.map or vmlinux names them, kallsyms only with
 * CONFIG_KALLSYMS_ALL)
 * @syms: symbol sources
 * @mem: the dump or live memory
 * @fdt_phys: where the outgoing KHO FDT is (NULL: unknown); when given,
 *	kho_out.fdt read through the same symbols must equal it, or the
 *	symbols are taken not to fit @mem and nothing is read
 * @areas: filled with up to @max areas
 * @max: room at @areas
 * @n_ret: areas the kernel has, set only on success (may exceed @max;
 *	then only @max are filled)
 * @err: why not, on failure ("symbol kho_scratch not found", a page not
 *	in the dump, a pointer outside the direct map, symbols that do not
 *	fit @mem)
 *
 * Return: 0, -KHOR_ENOTFOUND (no symbols, or symbols that do not fit),
 * -KHOR_ENODATA (not in the dump), -KHOR_ECORRUPT (a count above 1024 or a
 * bad pointer), -KHOR_EIO.
 */
KHOR_API int khor_symbol_scratch(const struct khor_symbols *syms,
				 struct khor_mem *mem,
				 const uint64_t *fdt_phys,
				 struct khor_scratch_area *areas,
				 unsigned int max, unsigned int *n_ret,
				 struct khor_error *err);

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
 * @symbols: symbol sources for kho_out/kho_in (NULL: none); used when no
 *	other location is given and a memory source is
 * @scan_opts: bounds of @scan
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
	const struct khor_symbols *symbols;
	struct khor_scan_opts scan_opts;
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
 * @cands: with --scan or symbols, every KHO FDT found, valid or not
 * @ncands: entries in @cands
 * @why: why the chosen candidate was picked ("" if there was no choice)
 * @note: how a live system's FDT was found when the default (debugfs
 *	out/fdt or in/fdt as it is) could not be used, and why; "" otherwise.
 *	Tools print it on stderr
 * @map_released: the FDT is the incoming one of a kernel that booted
 *	through KHO (@opts->incoming): that kernel released the map's pages
 *	when it set up its memory (KHO preserves the blocks, not the tree
 *	that lists them), so @map must not be walked. Only a dump taken at
 *	the handover holds it
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
	struct khor_candidate cands[KHOR_MAX_CANDIDATES];
	unsigned int ncands;
	char why[256];
	char note[512];
	bool map_released;
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

#define KHOR_MAX_ORDERS 64
#define KHOR_MAX_LEVELS 8

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
 * struct khor_bitmap - blocks of one order as a span of a bitmap
 * @words: the bitmap, host-order 64-bit words; bit i stands for the block
 *	at @base + (i << @block_shift)
 * @base: physical address of the block of bit 0
 * @from: first bit of the span; it is set
 * @to: end of the span (exclusive); bits outside [@from, @to) are not
 *	part of it, whatever they hold. A walk ends a span at its last block
 * @count: set bits in [@from, @to), the blocks of the span (at least 1)
 * @runs: runs of consecutive set bits in [@from, @to) (at least 1); the
 *	sinks use @count and @runs as given
 * @order: order of every block
 * @block_shift: log2 of the size of a block: the page shift + @order
 *
 * A walk hands one over (khor_walk_ops.bitmap) instead of the runs it
 * holds, so that a consumer can count blocks and runs a word at a time
 * (a random order-0 leaf holds one run per two blocks). The
 * blocks of a span are ascending and no other block reported by the same
 * walk starts between the first and the last of them. @words is valid
 * only during the callback.
 */
struct khor_bitmap {
	const uint64_t *words;
	uint64_t base;
	uint64_t from;
	uint64_t to;
	uint64_t count;
	uint64_t runs;
	unsigned int order;
	unsigned int block_shift;
};

/**
 * khor_bitmap_next_run() - the first run of a bitmap span at or after a bit
 * @bm: the span
 * @pos: in: first bit to look at; out: the bit after the run found
 * @run: the run found
 *
 * For a consumer that needs runs (a listing): ``for (pos = bm->from;
 * khor_bitmap_next_run(bm, &pos, &run);)`` visits the span's runs in order.
 *
 * Return: true with @run filled, false if no bit in [@pos, @bm->to) is set.
 */
KHOR_API bool khor_bitmap_next_run(const struct khor_bitmap *bm, uint64_t *pos,
				   struct khor_run *run);

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
 * struct khor_walk_progress - how far a walk has got, for progress displays
 * @nodes: distinct metadata pages read so far
 * @blocks: blocks reported so far
 * @bytes: bytes those blocks cover
 * @phys: every block below this address has been reported (runs arrive
 *	ascending, so it is the end of the last run reported)
 *
 * The total is not known before the walk ends; a display can relate @phys
 * to the end of physical memory (khor_mem_info.phys_end).
 */
struct khor_walk_progress {
	uint64_t nodes;
	uint64_t blocks;
	uint64_t bytes;
	uint64_t phys;
};

/** Metadata pages read between two calls of khor_walk_ops.progress. */
#define KHOR_PROGRESS_NODES 256

/**
 * struct khor_walk_ops - callbacks of khor_walk(); any may be NULL
 * @run: a run of blocks; runs arrive in ascending physical address
 *	(runs of different orders are merged; with a valid map they never
 *	overlap). Return 0 to continue; anything else stops the walk and is
 *	returned by khor_walk().
 * @node: a metadata page, once per distinct page, when first read
 * @progress: called after a run is reported whenever another
 *	KHOR_PROGRESS_NODES metadata pages have been read since the last
 *	call, so it costs one comparison per run; a walk of fewer pages
 *	never calls it. It must be cheap (no I/O on every call: a display
 *	should rate-limit itself). Return 0 to continue; anything else stops
 *	the walk like @run. Added at the end of the structure: callers that
 *	zero-initialize it are unaffected.
 * @bitmap: if set, blocks the map stores in bitmaps (radix
 *	leaves, kho-v1 bitmaps) may arrive as bitmap spans instead of runs,
 *	in the same ascending stream: a span is handed over whole when no
 *	block of another order lies between its first and last block, and in
 *	pieces otherwise. The sinks take spans (khor_ranges_add_bitmap(),
 *	khor_stats_add_bitmap(), khor_check_add_bitmap()) with results equal
 *	to those of the runs the span holds. Return as @run. NULL: runs only.
 */
struct khor_walk_ops {
	int (*run)(void *arg, const struct khor_run *run);
	int (*node)(void *arg, const struct khor_node *node);
	int (*progress)(void *arg, const struct khor_walk_progress *p);
	int (*bitmap)(void *arg, const struct khor_bitmap *bm);
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
 * @runs: runs and bitmap spans reported (calls of @run and @bitmap)
 * @blocks: blocks reported
 * @verified: live memory: metadata pages read again at the end to check
 *	that the map did not change during the walk
 * @v1_bitmap_size: kho-v1: the bitmap size used
 * @v1_evidence: kho-v1: why that size was chosen; it starts with the kind
 *	of reason, "caller:", "layout:", "release:", "ambiguous:" (a guess)
 *	or "none:" (no bitmap to read), and contains "warning:" when the
 *	choice may be wrong
 * @error: first problem met (corruption, missing page, limit), and how many
 */
struct khor_walk_result {
	uint64_t nodes;
	uint64_t node_reads;
	uint64_t runs;
	uint64_t blocks;
	uint64_t verified;
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
 * Live memory (@mem's info.live): the map may change while it is walked.
 * Every metadata page is hashed when first read, compared whenever it is
 * read again, and read once more when the walk is over (a double collect).
 * If nothing changed, the runs reported are exactly the map as it stood
 * at one moment; if a page changed, the walk returns -KHOR_ECHANGED and
 * @res->error names the first changed page ("level 1 table at 0x...:
 * changed while being read ..."). The runs were already reported by then:
 * a caller that needs a consistent result buffers them and walks again.
 * A change that is undone before the final read is not seen.
 *
 * Return: 0; -KHOR_ECHANGED if live memory changed under the walk (this
 * takes precedence: corruption seen in a changing map may be the change);
 * -KHOR_ECORRUPT if the structure is corrupt; -KHOR_ENODATA if pages were
 * missing and nothing was corrupt; -KHOR_ELIMIT; -KHOR_ENOMEM; or a
 * callback's non-zero value. In every case @res->error says more.
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
 *	khor_ranges_add/flush). NULL: ranges are only counted, which for
 *	bitmap spans is done a word at a time
 * @arg: passed to @emit
 * @page_size: page size of the map
 * @open: a range is being built
 * @start: its start
 * @end: its end (exclusive)
 * @count: ranges finished so far (emitted or counted)
 */
struct khor_ranges {
	int (*emit)(void *arg, uint64_t start, uint64_t end);
	void *arg;
	uint64_t page_size;
	bool open;
	uint64_t start;
	uint64_t end;
	uint64_t count;
};

KHOR_API void khor_ranges_init(struct khor_ranges *r, uint64_t page_size,
			       int (*emit)(void *arg, uint64_t start,
					   uint64_t end),
			       void *arg);
KHOR_API int khor_ranges_add(struct khor_ranges *r, const struct khor_run *run);
/** khor_ranges_add_bitmap() - khor_ranges_add() for every run of @bm */
KHOR_API int khor_ranges_add_bitmap(struct khor_ranges *r,
				    const struct khor_bitmap *bm);
KHOR_API int khor_ranges_flush(struct khor_ranges *r);

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
/** khor_stats_add_bitmap() - khor_stats_add_run() for every run of @bm */
KHOR_API void khor_stats_add_bitmap(struct khor_stats *s,
				    const struct khor_bitmap *bm);
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
/** khor_check_add_bitmap() - khor_check_add_run() for every run of @bm */
KHOR_API int khor_check_add_bitmap(struct khor_check *c,
				   const struct khor_bitmap *bm);

/* ---------------------------------------------------------------------- */
/* Finding the block that holds an address (khowalk find, kho find)       */
/* ---------------------------------------------------------------------- */

/**
 * struct khor_find_result - the preserved blocks that contain an address
 * @phys: the address asked about
 * @n: blocks found: 0 (not preserved, if @error is clear), 1, or more when
 *	blocks overlap (the map is corrupt)
 * @blocks: the blocks (@count is 1), ascending order for radix maps,
 *	ascending address for kho-v1
 * @reads: metadata reads done (radix: one u64 each; kho-v1: pages)
 * @v1_bitmap_size: kho-v1: the bitmap size used by the walk
 * @v1_evidence: kho-v1: why (as struct khor_walk_result)
 * @error: the first problem (a page on a path not in the dump, a bad
 *	pointer, overlapping blocks) and how many
 */
struct khor_find_result {
	uint64_t phys;
	unsigned int n;
	struct khor_run blocks[KHOR_MAX_ORDERS];
	uint64_t reads;
	unsigned int v1_bitmap_size;
	char v1_evidence[256];
	struct khor_error error;
};

/**
 * khor_find() - is @phys inside a preserved block, and which one
 * @mem: memory source
 * @map: the map (from khor_locate())
 * @phys: any physical address, not necessarily page aligned
 * @limits: bounds of the kho-v1 walk (NULL: defaults); radix lookups read
 *	at most (levels + 1) u64 per order
 * @res: filled in every case
 *
 * A block of order o covers PAGE_SIZE << o bytes, so every order is asked
 * about the block that would hold @phys. Radix maps are looked up by key
 * (no walk); kho-v1 chunk lists are walked up to @phys.
 *
 * Return: 0 (the answer is @res->n, which is complete); -KHOR_ENODATA (a
 * page some order's lookup needed is not in the dump: blocks found are
 * real, a "not preserved" is not certain); -KHOR_ECORRUPT (a bad pointer
 * on a path, or overlapping blocks); -KHOR_ELIMIT, -KHOR_EFORMAT,
 * -KHOR_EINVAL, -KHOR_ENOMEM. @res->error says more.
 */
KHOR_API int khor_find(struct khor_mem *mem, const struct khor_map *map,
		       uint64_t phys, const struct khor_walk_limits *limits,
		       struct khor_find_result *res);

/* ---------------------------------------------------------------------- */
/* Decoded values: what blob decoders produce, for text and JSON renderers */
/* ---------------------------------------------------------------------- */

/**
 * enum khor_vtype - type of a decoded value
 * @KHOR_V_OBJECT: named members (@child list, each with a @key)
 * @KHOR_V_LIST: items (@child list, no keys)
 * @KHOR_V_STR: @s
 * @KHOR_V_HEX: @u, an address or opaque number (rendered 0x...)
 * @KHOR_V_UINT: @u, a count or size (rendered decimal)
 * @KHOR_V_BOOL: @u is 0 or 1
 * @KHOR_V_BYTES: @bytes (@nbytes shown), @u the full length it previews
 */
enum khor_vtype {
	KHOR_V_OBJECT,
	KHOR_V_LIST,
	KHOR_V_STR,
	KHOR_V_HEX,
	KHOR_V_UINT,
	KHOR_V_BOOL,
	KHOR_V_BYTES,
};

/**
 * struct khor_value - a node of a decoded-value tree
 * @type: what it holds
 * @key: member name inside an object, NULL inside a list
 * @kind: for objects, a hint for renderers: "fdt-node" (a device-tree
 *	node: members "name", "properties" (list of {"name", "value",
 *	optional "u64"/"string"}) and "children"), "row" (a list item
 *	of scalars and string lists that reads well on one line: a memfd
 *	folio, an FLB entry), or NULL
 * @child: first member or item
 * @next: next sibling
 * @u: numeric payload
 * @s: string payload (NUL-terminated, may hold any byte but NUL)
 * @bytes: byte payload
 * @nbytes: bytes in @bytes
 */
struct khor_value {
	enum khor_vtype type;
	char *key;
	const char *kind;
	struct khor_value *child;
	struct khor_value *next;
	uint64_t u;
	char *s;
	uint8_t *bytes;
	size_t nbytes;
};

/** khor_value_free() - free a value tree; NULL is a no-op */
KHOR_API void khor_value_free(struct khor_value *v);

/** khor_value_get() - member @key of object @obj, or NULL */
KHOR_API const struct khor_value *khor_value_get(const struct khor_value *obj,
						 const char *key);

/* ---------------------------------------------------------------------- */
/* Blob decoders                                                          */
/* ---------------------------------------------------------------------- */

/**
 * struct khor_blob_opts - bounds for blob decoding
 * @page_size: page size of the kernel that wrote the blob (0: 4096)
 * @preview: bytes of hex preview for blobs no decoder knows (0: 64)
 * @max_items: most array entries (sessions, files, chunk entries, FDT
 *	nodes) one decoder reports (0: 4096)
 * @max_fdt: largest sub-FDT read when no blob-size says (0: 1 MiB)
 * @incoming: the blob is one the previous kernel handed over, read in
 *	(a dump of) the kernel that received it: a blob that kernel frees
 *	at boot (LUO's) is reported as "released", not read
 * @map: the preserved-memory map, or NULL; decoders that hand over folios
 *	without their order (memfd) look each folio up in it
 */
struct khor_blob_opts {
	uint64_t page_size;
	size_t preview;
	uint64_t max_items;
	uint64_t max_fdt;
	bool incoming;
	const struct khor_map *map;
};

/**
 * khor_blob_decode() - decode the blob a KHO sub-node hands over
 * @mem: memory source; may be NULL if @data holds the blob (debugfs
 *	out/sub_fdts/<name>), then nothing the blob points to can be followed
 * @sub: the sub-node
 * @data: the blob's bytes if already read (NULL: read @sub->phys)
 * @data_len: bytes at @data
 * @opts: bounds (NULL for defaults)
 * @out: the decoded tree (an object), set in every case but allocation
 *	failure. Members: "format" ("fdt", "kexec-metadata" or "raw"),
 *	"bytes" (the extent read), "extent" (what bounded it), for FDTs
 *	"compatible" and "tree", for known formats "decoder" and "decoded",
 *	else "preview"; problems found are listed in "problems" (objects with
 *	"message" and, when known, "phys")
 * @err: the first problem, if any
 *
 * Formats (each verified against upstream's source; see the decoders):
 * sub-FDTs as a tree, and by compatible: "luo-v1" (sessions and files),
 * the raw "LUO" blob of kho-v4 by its compatible ("luo-v5": sessions and
 * files in linked blocks, FLB entries, memfd-v2 folios),
 * "memblock-v1" (reserve-mem-v1 regions), "kho-test-v1" (lib/test_kho.c,
 * with its kho_vmalloc chunk list); the "kexec-metadata" packed struct;
 * anything else a short hex preview. The blob's extent is its blob-size
 * (kho-v3+), else an FDT's totalsize (bounded by @opts->max_fdt), else the
 * page it starts in. Nothing is read past it, and every pointer inside is
 * checked before it is followed.
 *
 * Return: 0; -KHOR_ECORRUPT (something is inconsistent); -KHOR_ENODATA
 * (pages not in the dump); -KHOR_EFORMAT (a known name or compatible in a
 * version this library does not decode, e.g. luo-v4); -KHOR_ELIMIT (a
 * work bound stopped the decoding); -KHOR_EIO; -KHOR_ENOMEM. The worst
 * problem wins (corruption over the rest); @err describes the first.
 * Partial results are in @out.
 */
KHOR_API int khor_blob_decode(struct khor_mem *mem,
			      const struct khor_subnode *sub,
			      const void *data, size_t data_len,
			      const struct khor_blob_opts *opts,
			      struct khor_value **out, struct khor_error *err);

/**
 * khor_fdt_tree() - any FDT as a value tree of "fdt-node" objects
 * @fdt: the blob (need not be aligned)
 * @len: bytes available; the header's totalsize must fit
 * @max_nodes: stop after this many nodes (0: 4096)
 * @out: set on success
 * @err: filled on failure
 *
 * Property values are classified for display: printable NUL-terminated
 * strings get "string", 8-byte values also "u64" in CPU byte order (KHO's
 * convention), everything keeps its raw bytes in "value".
 *
 * Return: 0, -KHOR_EFORMAT (not an FDT), -KHOR_ECORRUPT, -KHOR_ENOMEM.
 */
KHOR_API int khor_fdt_tree(const void *fdt, size_t len, uint64_t max_nodes,
			   struct khor_value **out, struct khor_error *err);

/* ---------------------------------------------------------------------- */
/* kho-v4 linked blocks (LUO sessions and files)                          */
/* ---------------------------------------------------------------------- */

/* The kernel refuses longer chains (KHO_MAX_BLOCKS, kho_block.c, 7.2). */
#define KHOR_BLOCKS_MAX 10000

/**
 * typedef khor_block_entry_fn - called for each entry of a linked-block chain
 * @arg: the caller's
 * @block_phys: the block the entry is in
 * @block: its position in the chain (0 first)
 * @index: the entry's position in the whole chain (0 first)
 * @entry: the entry's bytes (entry_size of them), valid during the call
 *
 * Return: 0 to go on; a positive value stops the walk (-KHOR_ESTOP); a
 * negative KHOR_E* code stops it with that code.
 */
typedef int (*khor_block_entry_fn)(void *arg, uint64_t block_phys,
				   uint64_t block, uint64_t index,
				   const void *entry);

/**
 * struct khor_blocks_result - how far a chain walk got
 * @blocks: blocks read and found sound
 * @entries: entries handed to the callback
 * @last: address of the last sound block
 */
struct khor_blocks_result {
	uint64_t blocks;
	uint64_t entries;
	uint64_t last;
};

/**
 * khor_blocks_walk() - follow a chain of kho-v4 linked blocks
 * @mem: memory source
 * @head: physical address of the first block; 0 is an empty chain
 * @page_size: the writing kernel's page size (one block is one page)
 * @entry_size: bytes per entry, as the client defines it
 * @max_blocks: most blocks followed (0: KHOR_BLOCKS_MAX, the kernel's own)
 * @fn: called for every entry, block by block, in chain order
 * @arg: passed to @fn
 * @res: how far it got (may be NULL)
 * @err: the problem that stopped it
 *
 * Each block is one page: { u64 next; u64 count; } then count entries
 * (include/linux/kho/abi/block.h). Every block address is checked before
 * it is read: page alignment, the chain's length, a block met twice (a
 * cycle), and the count (1 to (page_size - 16) / entry_size, as
 * kho_block_set_restore() demands). The entries of a block are passed on
 * only after its header is found sound; the work is bounded by
 * @max_blocks pages. Messages name the block by its position and
 * address, e.g. "linked block 2 at 0x1234000: next 0x1232000 is block 0
 * of this chain (a cycle)".
 *
 * Return: 0; -KHOR_ECORRUPT; -KHOR_ENODATA (a block not in the dump);
 * -KHOR_EIO; -KHOR_ENOMEM; -KHOR_EINVAL (bad arguments); -KHOR_ESTOP or
 * @fn's negative code.
 */
KHOR_API int khor_blocks_walk(struct khor_mem *mem, uint64_t head,
			      uint64_t page_size, size_t entry_size,
			      uint64_t max_blocks, khor_block_entry_fn fn,
			      void *arg, struct khor_blocks_result *res,
			      struct khor_error *err);

/* ---------------------------------------------------------------------- */
/* Owners: who holds each preserved block (khowalk owners)                */
/* ---------------------------------------------------------------------- */

/** No file offset or other detail for a claim. */
#define KHOR_NO_DETAIL UINT64_MAX

/**
 * struct khor_owner - a node of the owner tree
 * @id: 1..n, its index + 1 in khor_owners_get()
 * @parent: the enclosing owner's id, 0 for a top-level one (the KHO FDT,
 *	each sub-blob)
 * @depth: 0 for top-level owners
 * @kind: what it is, a fixed word: "kho-fdt", "blob", "luo_ser",
 *	"luo-flb", "luo-blocks", "luo-session", "luo-file", "memfd",
 *	"vmalloc", "vmalloc-chunks", "vmalloc-data", "memfd-folios",
 *	"kho-test-folios", "reserve-mem"
 * @name: its name among its siblings, e.g. "blob \"LUO\"",
 *	"session \"vm-1\"", "file 0x11000 \"memfd-v2\"", "folios"
 * @claims: ranges it claimed
 * @claimed_bytes: bytes those ranges cover
 * @blocks: preserved blocks attributed to it (it is the most specific
 *	owner whose claims touch them)
 * @bytes: bytes of those blocks
 * @ranges: maximal runs of adjacent blocks among them
 * @partial: blocks its claims (and its ancestors') cover only in part: a
 *	73-byte struct in a preserved page attributes the page
 *
 * Owners form a tree: a child's claims lie inside what its ancestors
 * hold or beside it (the "LUO" blob's page is its luo_ser; a kho_vmalloc
 * area's data blocks are a memfd's folio array), so a block claimed by an
 * owner and its ancestor is the owner's, and only claims of unrelated
 * owners on one block are an overlap.
 */
struct khor_owner {
	uint32_t id;
	uint32_t parent;
	unsigned int depth;
	const char *kind;
	const char *name;
	uint64_t claims;
	uint64_t claimed_bytes;
	uint64_t blocks;
	uint64_t bytes;
	uint64_t ranges;
	uint64_t partial;
};

/**
 * struct khor_owned_block - one preserved block and who holds it
 * @phys: the block
 * @order: its order
 * @owner: the owner's id, 0 if unattributed
 * @partial: the owner's claims cover part of the block only
 * @detail: the claim's file offset (memfd folios), or KHOR_NO_DETAIL
 */
struct khor_owned_block {
	uint64_t phys;
	unsigned int order;
	uint32_t owner;
	bool partial;
	uint64_t detail;
};

/**
 * enum khor_owner_problem_kind - what is wrong with a claim
 * @KHOR_OWNER_OVERLAP: unrelated owners claim one preserved block
 * @KHOR_OWNER_NOT_PRESERVED: a claimed range is not (all) preserved
 * @KHOR_OWNER_DECODE: a decoder met a problem (the blob's message)
 */
enum khor_owner_problem_kind {
	KHOR_OWNER_OVERLAP,
	KHOR_OWNER_NOT_PRESERVED,
	KHOR_OWNER_DECODE,
};

/**
 * struct khor_owner_problem - one problem of the attribution
 * @kind: what
 * @start: the block (overlap) or the first byte claimed and not preserved
 * @end: end of that range (exclusive); for a decode problem both are the
 *	address the decoder named, or 0
 * @owner: the owner concerned
 * @other: overlap: the other owner; else 0
 * @msg: one line
 */
struct khor_owner_problem {
	enum khor_owner_problem_kind kind;
	uint64_t start;
	uint64_t end;
	uint32_t owner;
	uint32_t other;
	char msg[512];
};

/**
 * struct khor_owners_opts - bounds of khor_owners_create()
 * @page_size: the map's page size (0: 4096)
 * @incoming: the FDT is what the previous kernel handed over, read in the
 *	kernel that received it: blobs' pointers are not followed (see
 *	khor_blob_opts.incoming), so what they point to stays unattributed
 * @max_claims: most claims kept (0: KHOR_OWNERS_MAX_CLAIMS); more is
 *	-KHOR_ELIMIT
 * @list_unattributed: khor_owners_walk() hands over this many
 *	unattributed ranges and counts the rest (0: all of them). Counting
 *	takes a leaf a word at a time, so a map of anonymous blocks costs
 *	what khowalk check costs, not what listing 100 million ranges does
 */
struct khor_owners_opts {
	uint64_t page_size;
	bool incoming;
	uint64_t max_claims;
	uint64_t list_unattributed;
};

/*
 * 4 Mi claims of 40 bytes: 160 MiB at most, with the owner nodes (one per
 * session, file and memfd structure, about 100 bytes each, bounded by the
 * same number). Claims grow with the decoded structures (folios, blocks,
 * chunk pages), never with the map: a 1 TiB tree of anonymous blocks has
 * as many claims as its blobs point to.
 */
#define KHOR_OWNERS_MAX_CLAIMS (UINT64_C(1) << 22)

struct khor_owners;

/**
 * khor_owners_create() - decode every blob of a KHO FDT into claims
 * @mem: memory source
 * @loc: the located FDT (khor_locate())
 * @opts: bounds (NULL: defaults)
 * @ret: the owner tree and its claims, set whenever the return is not
 *	-KHOR_ENOMEM or -KHOR_EINVAL, also after decoding problems (they
 *	are reported as KHOR_OWNER_DECODE problems by khor_owners_walk())
 * @err: the first problem
 *
 * The KHO FDT page is claimed by the "KHO FDT" owner; each sub-node's
 * blob by "blob \"<name>\"" (within its blob-size, or its FDT's
 * totalsize); and what the decoders follow (khor_blob_decode()) by owners
 * below it: LUO's luo_ser, FLB page, session and file blocks, each
 * session and file, each memfd's memfd_luo_ser, folio array (kho_vmalloc
 * chunks and data) and folios with their file offsets; test_kho's
 * folios_info and folios; memblock's reserve_mem regions. A blob no
 * decoder knows claims its own bytes only.
 *
 * A map located by its root alone (no FDT) has no owners: every block is
 * unattributed, with that reason.
 *
 * Return: 0; -KHOR_ENOMEM; -KHOR_EINVAL (@loc is NULL); -KHOR_ELIMIT
 * (more claims than @opts->max_claims: the tree is kept up to there).
 */
KHOR_API int khor_owners_create(struct khor_mem *mem,
				const struct khor_located *loc,
				const struct khor_owners_opts *opts,
				struct khor_owners **ret,
				struct khor_error *err);

/** khor_owners_count() - owners in the tree (ids 1..count) */
KHOR_API uint32_t khor_owners_count(const struct khor_owners *o);

/** khor_owners_get() - owner @id (1..count), NULL otherwise */
KHOR_API const struct khor_owner *khor_owners_get(const struct khor_owners *o,
						  uint32_t id);

/**
 * khor_owners_path() - "blob \"LUO\" / luo_ser / session \"a\"" for @id
 * @o: the tree
 * @id: an owner, or 0 ("unattributed")
 * @buf: destination (truncated to fit, always terminated)
 * @len: its size
 *
 * Return: @buf.
 */
KHOR_API const char *khor_owners_path(const struct khor_owners *o, uint32_t id,
				      char *buf, size_t len);

/**
 * khor_owners_unattributed_reason() - why blocks nobody claims exist
 *
 * "LUO has not serialized its sessions ..." when the LUO blob's
 * sessions_pa is 0 (a first kernel before liveupdate_reboot(): LUO's
 * session and file blocks, memfd descriptors and folios are preserved but
 * nothing reachable points to them yet); "incoming: ..." when blobs'
 * pointers were not followed; else "referenced by nothing decoded".
 */
KHOR_API const char *khor_owners_unattributed_reason(const struct khor_owners *o);

/**
 * khor_owners_unknown_blobs() - sub-blobs no decoder knows, as one line
 *
 * "kho_lab (fdt kho-lab-v1), kho_lab_raw (raw)", or "" if none: what such
 * a blob points to is unattributed.
 */
KHOR_API const char *khor_owners_unknown_blobs(const struct khor_owners *o);

/**
 * struct khor_owners_ops - what khor_owners_walk() reports; any may be NULL
 * @block: every preserved block, ascending, with its owner (0: none)
 * @unattributed: each maximal range of blocks nobody claims, ascending (up
 *	to khor_owners_opts.list_unattributed of them)
 * @problem: overlaps, claimed ranges not preserved, decode problems
 *
 * A non-zero return stops the walk and is returned.
 */
struct khor_owners_ops {
	int (*block)(void *arg, const struct khor_owned_block *b);
	int (*unattributed)(void *arg, uint64_t start, uint64_t end);
	int (*problem)(void *arg, const struct khor_owner_problem *p);
};

/**
 * struct khor_owners_result - totals of khor_owners_walk()
 * @walk: the map walk's own result (blocks, nodes, its first error)
 * @attributed_blocks: blocks with an owner
 * @attributed_bytes: their bytes
 * @unattributed_blocks: blocks without
 * @unattributed_bytes: their bytes
 * @unattributed_ranges: maximal ranges of them
 * @partial: blocks attributed by a claim covering part of them
 * @overlaps: blocks claimed by unrelated owners
 * @not_preserved: claimed ranges (or parts) that are not preserved
 * @decode_problems: problems the decoders reported
 * @decode_status: the worst of them: 0, -KHOR_ENODATA (pages not in the
 *	dump), -KHOR_ECORRUPT, -KHOR_EFORMAT, -KHOR_ELIMIT (claims)
 */
struct khor_owners_result {
	struct khor_walk_result walk;
	uint64_t attributed_blocks;
	uint64_t attributed_bytes;
	uint64_t unattributed_blocks;
	uint64_t unattributed_bytes;
	uint64_t unattributed_ranges;
	uint64_t partial;
	uint64_t overlaps;
	uint64_t not_preserved;
	uint64_t decode_problems;
	int decode_status;
};

/**
 * khor_owners_walk() - attribute every block of a map, in one pass
 * @o: claims from khor_owners_create()
 * @mem: memory source
 * @map: the map
 * @limits: walk bounds (NULL: defaults)
 * @ops: callbacks
 * @arg: passed to them
 * @res: filled in every case
 *
 * The claims, sorted once, are merged with the ascending block stream of
 * khor_walk() (bitmap spans that no claim touches are taken a run at a
 * time): extra memory is the claims' and the owners' only. Per-owner
 * totals are in khor_owners_get() afterwards. Call it once per @o. A map
 * whose root is 0 (none yet) is not walked: no block, no problem.
 *
 * Return: as khor_walk(); a callback's non-zero value.
 */
KHOR_API int khor_owners_walk(struct khor_owners *o, struct khor_mem *mem,
			      const struct khor_map *map,
			      const struct khor_walk_limits *limits,
			      const struct khor_owners_ops *ops, void *arg,
			      struct khor_owners_result *res);

/** khor_owners_destroy() - free; NULL is a no-op */
KHOR_API void khor_owners_destroy(struct khor_owners *o);

#ifdef __cplusplus
}
#endif

#endif /* KHOTOOLS_RADIX_READER_H */
