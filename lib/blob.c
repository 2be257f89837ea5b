// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a KHO sub-node hands over: read the blob within its extent, tell
 * its format, print FDTs as trees and hand known compatibles to their
 * decoders (lib/blob_*.c). Unknown blobs get a short hex preview.
 *
 * Extent (KHO_ABI.md §1.1, §4.1): kho-v3+ sub-nodes carry "blob-size"
 * (KHO_SUB_TREE_SIZE_PROP_NAME, read by kernel/liveupdate/
 * kexec_handover_debugfs.c @062dd306d99c); before that a sub-node's blob
 * was always an FDT and debugfs used fdt_totalsize(). Without blob-size we
 * read the page the address is in and, for an FDT, its totalsize.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "blob_internal.h"

#define DEFAULT_PREVIEW 64
#define DEFAULT_MAX_ITEMS 4096
#define DEFAULT_MAX_FDT (1u << 20)
/* Largest blob-size we read whole; larger blobs are decoded from a prefix. */
#define MAX_BLOB_READ (16u << 20)
#define MAX_FDT_DEPTH 64

void blob_problem(struct blob_ctx *c, int code, bool has_phys, uint64_t phys,
		  const char *fmt, ...)
{
	struct khor_value *p;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->problems)
		c->problems = kv_list(c->root, "problems");
	p = kv_obj(c->problems, NULL);
	kv_str(p, "message", msg);
	if (has_phys)
		kv_hex(p, "phys", phys);
	if (c->err && !c->err->code) {
		if (has_phys)
			khor_err_at(c->err, code, -1, phys, "%s", msg);
		else
			khor_err(c->err, code, "%s", msg);
		c->err->count = 1;
	} else if (c->err) {
		c->err->count++;
	}
	if (code == -KHOR_ECORRUPT || !c->status)
		c->status = code;
}

static int read_checked(struct blob_ctx *c, const char *what, uint64_t phys,
			void *buf, size_t len)
{
	int rc;

	if (!c->mem) {
		blob_problem(c, -KHOR_ENODATA, true, phys,
			     "%s at 0x%llx: no memory source to read it from",
			     what, (unsigned long long)phys);
		return -KHOR_ENODATA;
	}
	rc = khor_mem_read(c->mem, phys, buf, len);
	if (!rc)
		return 0;
	if (rc == -KHOR_EFAULT)
		blob_problem(c, -KHOR_ECORRUPT, true, phys,
			     "%s at 0x%llx: points outside memory: %s", what,
			     (unsigned long long)phys, khor_mem_errmsg(c->mem));
	else
		blob_problem(c, rc == -KHOR_ENODATA ? rc : -KHOR_EIO, true, phys,
			     "%s at 0x%llx: not in the dump (%s)", what,
			     (unsigned long long)phys, khor_mem_errmsg(c->mem));
	return rc == -KHOR_EFAULT ? -KHOR_ECORRUPT : rc;
}

/*
 * What a blob points to is not followed in the kernel that received it:
 * each owner restores its structures at boot (kho_restore_vmalloc() frees
 * the chunk pages, LUO its linked blocks, memfd its folio array), so their
 * pages may hold anything by now. The blob itself is read.
 */
int blob_read(struct blob_ctx *c, const char *what, uint64_t phys, void *buf,
	      size_t len)
{
	if (c->opts.incoming) {
		if (!c->not_followed) {
			c->not_followed = true;
			kv_str(c->root, "not_followed",
			       "incoming: what the blob points to belongs to its owner in this kernel, which restores it at boot and may have freed it");
		}
		return -KHOR_ESTOP;
	}
	return read_checked(c, what, phys, buf, len);
}

int fdt_prop_u64(const void *fdt, int node, const char *name, uint64_t *v)
{
	int len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return -KHOR_ENOTFOUND;
	if (len != 8)
		return -KHOR_ECORRUPT;
	/* CPU byte order: fdt_property(fdt, name, &u64, sizeof(u64)). */
	*v = khor_le64(p);
	return 0;
}

int fdt_prop_u32(const void *fdt, int node, const char *name, uint32_t *v)
{
	int len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return -KHOR_ENOTFOUND;
	if (len != 4)
		return -KHOR_ECORRUPT;
	*v = khor_le32(p);
	return 0;
}

/* A property value that reads as one or more printable C strings. */
static bool is_strings(const char *p, int len)
{
	if (len < 1 || p[len - 1] != '\0' || p[0] == '\0')
		return false;
	for (int i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\0') {
			if (i + 1 < len && p[i + 1] == '\0')
				return false;
			continue;
		}
		if (ch < 0x20 || ch > 0x7e)
			return false;
	}
	return true;
}

static int tree_props(const void *fdt, int node, struct khor_value *obj,
		      struct khor_error *err)
{
	struct khor_value *props = kv_list(obj, "properties");
	int off;

	fdt_for_each_property_offset(off, fdt, node) {
		const char *name;
		int len;
		const char *val = fdt_getprop_by_offset(fdt, off, &name, &len);
		struct khor_value *p;

		if (!val || !name)
			continue;
		/*
		 * libfdt 1.6.1's fdt_check_full() accepts a property length
		 * of 0xfffffffe (its offset arithmetic wraps), and then
		 * fdt_getprop_by_offset() returns data with a length of -2
		 * (found by fuzz/blob.c: TESTING.md, F5).
		 */
		if (len < 0)
			return khor_err(err, -KHOR_ECORRUPT,
					"bad FDT: property at offset %d has length 0x%x",
					off, (unsigned int)len);
		p = kv_obj(props, NULL);
		kv_str(p, "name", name);
		kv_bytes(p, "value", val, (size_t)len, (uint64_t)len);
		if (is_strings(val, len)) {
			/* Several strings are shown joined by NULs' stand-in. */
			char *s = malloc((size_t)len);

			if (s) {
				memcpy(s, val, (size_t)len);
				for (int i = 0; i < len - 1; i++)
					if (!s[i])
						s[i] = '\n';
				kv_str(p, "string", s);
				free(s);
			}
		} else if (len == 8) {
			kv_hex(p, "u64", khor_le64(val));
		}
	}
	return 0;
}

static int fdt_tree_aligned(const void *fdt, uint64_t max_nodes,
			    struct khor_value *root, struct khor_error *err)
{
	struct khor_value *stack[MAX_FDT_DEPTH + 1];
	int node, depth = 0;
	uint64_t n = 0;

	for (node = 0; node >= 0; node = fdt_next_node(fdt, node, &depth)) {
		struct khor_value *parent, *obj;
		const char *name;

		if (depth < 0)
			break;
		if (depth > MAX_FDT_DEPTH)
			return khor_err(err, -KHOR_ECORRUPT,
					"FDT nested deeper than %d nodes",
					MAX_FDT_DEPTH);
		if (++n > max_nodes)
			return khor_err(err, -KHOR_ELIMIT,
					"FDT has more than %llu nodes",
					(unsigned long long)max_nodes);
		if (depth) {
			struct khor_value *up = stack[depth - 1];
			struct khor_value *kids = (struct khor_value *)
				khor_value_get(up, "children");

			parent = kids ? kids : kv_list(up, "children");
			obj = kv_obj(parent, NULL);
		} else {
			obj = root;
		}
		if (!obj)
			return khor_err(err, -KHOR_ENOMEM, "out of memory");
		obj->kind = "fdt-node";
		name = fdt_get_name(fdt, node, NULL);
		kv_str(obj, "name", depth ? (name ? name : "?") : "/");
		if (tree_props(fdt, node, obj, err))
			return err ? err->code : -KHOR_ECORRUPT;
		stack[depth] = obj;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return khor_err(err, -KHOR_ECORRUPT, "bad FDT: %s",
				fdt_strerror(node));
	return 0;
}

/* An 8-byte aligned copy of an FDT, checked; NULL with @err set otherwise. */
static void *fdt_checked_copy(const void *blob, size_t len,
			      struct khor_error *err)
{
	uint32_t total;
	void *copy;
	int rc;

	if (len < sizeof(struct fdt_header) || fdt_magic(blob) != FDT_MAGIC) {
		khor_err(err, -KHOR_EFORMAT, "not an FDT");
		return NULL;
	}
	total = fdt_totalsize(blob);
	if (total > len || total < sizeof(struct fdt_header)) {
		khor_err(err, -KHOR_ECORRUPT,
			 "FDT totalsize %u does not fit the %zu bytes available",
			 total, len);
		return NULL;
	}
	/*
	 * libfdt 1.6.1's fdt_check_full() dereferences NULL on old layouts
	 * (TESTING.md, F2; found again here by fuzz/blob.c, F6). Sub-FDTs are
	 * written with the sequential-write API too: version 17.
	 */
	if (fdt_version(blob) < 17 || fdt_last_comp_version(blob) > 17) {
		khor_err(err, -KHOR_ECORRUPT,
			 "FDT version %u (last compatible %u) is not supported: KHO writes version 17",
			 fdt_version(blob), fdt_last_comp_version(blob));
		return NULL;
	}
	copy = malloc(total);
	if (!copy) {
		khor_err(err, -KHOR_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(copy, blob, total);
	rc = fdt_check_full(copy, total);
	if (rc) {
		khor_err(err, -KHOR_ECORRUPT, "bad FDT: %s", fdt_strerror(rc));
		free(copy);
		return NULL;
	}
	return copy;
}

int khor_fdt_tree(const void *fdt, size_t len, uint64_t max_nodes,
		  struct khor_value **out, struct khor_error *err)
{
	struct khor_value *root;
	void *copy = fdt_checked_copy(fdt, len, err);
	int rc;

	if (!copy)
		return err ? err->code : -KHOR_EFORMAT;
	root = kv_root();
	if (!root) {
		free(copy);
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	}
	rc = fdt_tree_aligned(copy, max_nodes ? max_nodes : DEFAULT_MAX_ITEMS,
			      root, err);
	if (!rc && kv_nomem(root))
		rc = khor_err(err, -KHOR_ENOMEM, "out of memory");
	free(copy);
	if (rc) {
		khor_value_free(root);
		return rc;
	}
	*out = root;
	return 0;
}

static const struct {
	const char *compatible;
	void (*decode)(struct blob_ctx *c, const void *fdt,
		       struct khor_value *out);
} fdt_decoders[] = {
	{ "luo-v1", blob_luo },
	{ "memblock-v1", blob_memblock },
	{ "kho-test-v1", blob_kho_test },
};

static void decode_fdt_blob(struct blob_ctx *c, const uint8_t *buf, size_t len)
{
	struct khor_value *tree;
	struct khor_error ferr;
	const char *compat;
	void *fdt;
	int plen;

	khor_error_clear(&ferr);
	kv_str(c->root, "format", "fdt");
	fdt = fdt_checked_copy(buf, len, &ferr);
	if (!fdt) {
		blob_problem(c, ferr.code == -KHOR_ENOMEM ? ferr.code :
			     -KHOR_ECORRUPT, false, 0, "sub-FDT: %s", ferr.msg);
		return;
	}
	compat = fdt_getprop(fdt, 0, "compatible", &plen);
	if (compat && plen > 0 && compat[plen - 1] == '\0')
		kv_str(c->root, "compatible", compat);
	else
		compat = NULL;
	tree = kv_obj(c->root, "tree");
	if (tree) {
		int rc = fdt_tree_aligned(fdt, c->opts.max_items, tree, &ferr);

		if (rc)
			blob_problem(c, rc == -KHOR_ELIMIT ? -KHOR_ECORRUPT : rc,
				     false, 0, "sub-FDT: %s", ferr.msg);
	}
	for (size_t i = 0; compat && i < sizeof(fdt_decoders) / sizeof(fdt_decoders[0]); i++) {
		if (strcmp(compat, fdt_decoders[i].compatible))
			continue;
		kv_str(c->root, "decoder", fdt_decoders[i].compatible);
		fdt_decoders[i].decode(c, fdt, kv_obj(c->root, "decoded"));
		compat = NULL;
		break;
	}
	/*
	 * luo-v2, an FDT pointing at a luo_ser, only existed in postings of
	 * the linked-block series (blob_luo_v5.c): known, not decoded.
	 */
	if (compat && !strncmp(compat, "luo-v", 5))
		blob_problem(c, -KHOR_EFORMAT, false, 0,
			     "LUO: version \"%s\" is not supported (this decodes luo-v1 and luo-v5%s)",
			     compat, strcmp(compat, "luo-v2") ? "" :
			     "; it never shipped in a released kernel");
	free(fdt);
}

/*
 * Blobs that the kernel receiving them frees at boot, once read: in that
 * kernel their pages are ordinary memory again, so decoding them would
 * read whatever is there now.
 */
static const struct {
	const char *name;
	const char *why;
} released_at_boot[] = {
	/* kernel/liveupdate/luo_core.c (7.2): kho_restore_free(luo_ser) */
	{ "LUO", "by this kernel: LUO frees the incoming luo_ser (and its session blocks) in liveupdate_early_init(), an early_initcall" },
};

static int decode_blob(struct blob_ctx *cp, const struct khor_subnode *sub,
		       const void *data, size_t data_len,
		       const struct khor_blob_opts *opts,
		       struct khor_value **out, struct khor_error *err);

int khor_blob_decode(struct khor_mem *mem, const struct khor_subnode *sub,
		     const void *data, size_t data_len,
		     const struct khor_blob_opts *opts,
		     struct khor_value **out, struct khor_error *err)
{
	struct blob_ctx c = { .mem = mem, .err = err };

	return decode_blob(&c, sub, data, data_len, opts, out, err);
}

int blob_decode_owned(struct khor_mem *mem, const struct khor_subnode *sub,
		      const struct khor_blob_opts *opts,
		      struct owners_sink *own, uint32_t owner,
		      struct khor_value **out, struct khor_error *err)
{
	struct blob_ctx c = { .mem = mem, .err = err, .own = own,
			      .owner = owner };

	return decode_blob(&c, sub, NULL, 0, opts, out, err);
}

static int decode_blob(struct blob_ctx *cp, const struct khor_subnode *sub,
		       const void *data, size_t data_len,
		       const struct khor_blob_opts *opts,
		       struct khor_value **out, struct khor_error *err)
{
	struct blob_ctx c = *cp;
	uint8_t *buf = NULL;
	size_t len = 0;
	const char *extent;

	if (opts)
		c.opts = *opts;
	if (!c.opts.page_size)
		c.opts.page_size = 4096;
	if (!c.opts.preview)
		c.opts.preview = DEFAULT_PREVIEW;
	if (!c.opts.max_items)
		c.opts.max_items = DEFAULT_MAX_ITEMS;
	if (!c.opts.max_fdt)
		c.opts.max_fdt = DEFAULT_MAX_FDT;
	c.page_size = c.opts.page_size;
	c.root = kv_root();
	if (!c.root)
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	*out = c.root;

	for (size_t i = 0; c.opts.incoming &&
	     i < sizeof(released_at_boot) / sizeof(released_at_boot[0]); i++) {
		if (strcmp(sub->name, released_at_boot[i].name))
			continue;
		kv_str(c.root, "released", released_at_boot[i].why);
		goto done;
	}
	if (data) {
		/* debugfs sub_fdts/<name>: the file is the blob. */
		len = data_len;
		if (sub->has_size && sub->size < len)
			len = (size_t)sub->size;
		buf = malloc(len ? len : 1);
		if (!buf)
			goto nomem;
		memcpy(buf, data, len);
		extent = "debugfs file";
	} else if (!sub->has_phys) {
		blob_problem(&c, -KHOR_ECORRUPT, false, 0,
			     "sub-node has no blob address");
		goto done;
	} else if (sub->has_size) {
		len = sub->size > MAX_BLOB_READ ? MAX_BLOB_READ : (size_t)sub->size;
		extent = sub->size > MAX_BLOB_READ ? "blob-size (prefix)" :
			 "blob-size";
		buf = malloc(len ? len : 1);
		if (!buf)
			goto nomem;
		if (len && read_checked(&c, "blob", sub->phys, buf, len))
			goto done;
	} else {
		uint64_t in_page = c.page_size - (sub->phys & (c.page_size - 1));

		/* No size: the page it claims, or an FDT's own totalsize. */
		len = (size_t)in_page;
		extent = "page";
		buf = malloc(len);
		if (!buf)
			goto nomem;
		if (read_checked(&c, "blob", sub->phys, buf, len))
			goto done;
		if (len >= sizeof(struct fdt_header) && fdt_magic(buf) == FDT_MAGIC) {
			uint64_t total = fdt_totalsize(buf);

			extent = "fdt totalsize";
			if (total > c.opts.max_fdt) {
				blob_problem(&c, -KHOR_ECORRUPT, true, sub->phys,
					     "sub-FDT totalsize %llu is larger than %llu bytes",
					     (unsigned long long)total,
					     (unsigned long long)c.opts.max_fdt);
				total = len;
			}
			if (total > len) {
				uint8_t *nb = realloc(buf, (size_t)total);

				if (!nb)
					goto nomem;
				buf = nb;
				if (read_checked(&c, "blob", sub->phys + len,
					      buf + len, (size_t)total - len))
					goto done;
			}
			if (total >= sizeof(struct fdt_header))
				len = (size_t)total;
		}
	}
	kv_uint(c.root, "bytes", len);
	kv_str(c.root, "extent", extent);
	/* The blob's own bytes, as far as its extent says (owners). */
	if (!data && len) {
		c.blob_phys = sub->phys;
		owner_claim(&c, c.owner, sub->phys, len, KHOR_NO_DETAIL);
	}

	if (len >= sizeof(struct fdt_header) && fdt_magic(buf) == FDT_MAGIC) {
		decode_fdt_blob(&c, buf, len);
	} else if (!strcmp(sub->name, "LUO")) {
		kv_str(c.root, "format", "luo");
		kv_str(c.root, "decoder", "luo");
		blob_luo_raw(&c, buf, len, kv_obj(c.root, "decoded"));
	} else if (!strcmp(sub->name, "kexec-metadata")) {
		kv_str(c.root, "format", "kexec-metadata");
		kv_str(c.root, "decoder", "kexec-metadata");
		blob_kexec_metadata(&c, buf, len, kv_obj(c.root, "decoded"));
	} else {
		kv_str(c.root, "format", "raw");
		kv_bytes(c.root, "preview", buf,
			 len < c.opts.preview ? len : c.opts.preview, len);
	}
done:
	free(buf);
	if (kv_nomem(c.root))
		return khor_err(err, -KHOR_ENOMEM, "out of memory");
	return c.status;
nomem:
	free(buf);
	return khor_err(err, -KHOR_ENOMEM, "out of memory");
}
