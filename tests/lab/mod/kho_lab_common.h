/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both lab modules need: seeded randomness, and a minimal sequential
 * FDT writer (neither Debian's 6.12 nor upstream 7.2 exports libfdt to
 * modules). Static inline functions, one copy per module that includes it.
 */
#ifndef KHO_LAB_COMMON_H
#define KHO_LAB_COMMON_H

#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>

/* ---- seeded randomness (splitmix64), the state is the module's ---- */

static inline u64 rng_next(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline unsigned long rng_below(u64 *state, unsigned long n)
{
	return n ? rng_next(state) % n : 0;
}

/* ---- the FDT writer ---- */

#define FDT_MAGIC_VAL		0xd00dfeed
#define FDT_BEGIN_NODE_TOK	0x1
#define FDT_END_NODE_TOK	0x2
#define FDT_PROP_TOK		0x3
#define FDT_END_TOK		0x9
#define FDT_HDR_SIZE		40
/* The header, then one empty memory reservation entry, as fdt_create(). */
#define FDT_STRUCT_OFF		(FDT_HDR_SIZE + 16)

struct fdt_writer {
	u8 *buf;
	u32 size;
	u32 pos;		/* end of the structure block so far */
	char strings[256];
	u32 strings_len;
	int err;
};

static inline void fdtw_put(struct fdt_writer *w, const void *data, u32 len)
{
	u32 padded = ALIGN(len, 4);

	if (w->err || w->pos + padded > w->size) {
		w->err = -ENOSPC;
		return;
	}
	memcpy(w->buf + w->pos, data, len);
	memset(w->buf + w->pos + len, 0, padded - len);
	w->pos += padded;
}

static inline void fdtw_u32(struct fdt_writer *w, u32 v)
{
	__be32 be = cpu_to_be32(v);

	fdtw_put(w, &be, sizeof(be));
}

static inline void fdtw_begin(struct fdt_writer *w, void *buf, u32 size)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->size = size;
	w->pos = FDT_STRUCT_OFF;
	memset(buf, 0, size);
}

static inline void fdtw_begin_node(struct fdt_writer *w, const char *name)
{
	fdtw_u32(w, FDT_BEGIN_NODE_TOK);
	fdtw_put(w, name, strlen(name) + 1);
}

static inline void fdtw_end_node(struct fdt_writer *w)
{
	fdtw_u32(w, FDT_END_NODE_TOK);
}

static inline u32 fdtw_string(struct fdt_writer *w, const char *s)
{
	u32 len = strlen(s) + 1, off = 0;

	while (off < w->strings_len) {
		if (!strcmp(w->strings + off, s))
			return off;
		off += strlen(w->strings + off) + 1;
	}
	if (w->strings_len + len > sizeof(w->strings)) {
		w->err = -ENOSPC;
		return 0;
	}
	memcpy(w->strings + w->strings_len, s, len);
	w->strings_len += len;
	return off;
}

static inline void fdtw_prop(struct fdt_writer *w, const char *name,
		      const void *val, u32 len)
{
	u32 nameoff = fdtw_string(w, name);

	fdtw_u32(w, FDT_PROP_TOK);
	fdtw_u32(w, len);
	fdtw_u32(w, nameoff);
	fdtw_put(w, val, len);
}

static inline void fdtw_prop_string(struct fdt_writer *w, const char *name,
			     const char *s)
{
	fdtw_prop(w, name, s, strlen(s) + 1);
}

/*
 * KHO stores its u64 properties in CPU byte order, not FDT big-endian:
 * upstream passes &u64 straight to fdt_property() (KHO_ABI.md §1.1).
 */
static inline void fdtw_prop_u64(struct fdt_writer *w, const char *name, u64 v)
{
	fdtw_prop(w, name, &v, sizeof(v));
}

static inline int fdtw_finish(struct fdt_writer *w)
{
	__be32 *hdr = (__be32 *)w->buf;
	u32 strings_off;

	fdtw_u32(w, FDT_END_TOK);
	strings_off = w->pos;
	if (!w->err && strings_off + w->strings_len > w->size)
		w->err = -ENOSPC;
	if (w->err)
		return w->err;
	memcpy(w->buf + strings_off, w->strings, w->strings_len);
	hdr[0] = cpu_to_be32(FDT_MAGIC_VAL);
	hdr[1] = cpu_to_be32(strings_off + w->strings_len);	/* totalsize */
	hdr[2] = cpu_to_be32(FDT_STRUCT_OFF);			/* off_dt_struct */
	hdr[3] = cpu_to_be32(strings_off);			/* off_dt_strings */
	hdr[4] = cpu_to_be32(FDT_HDR_SIZE);			/* off_mem_rsvmap */
	hdr[5] = cpu_to_be32(17);				/* version */
	hdr[6] = cpu_to_be32(16);				/* last_comp_version */
	hdr[7] = 0;						/* boot_cpuid_phys */
	hdr[8] = cpu_to_be32(w->strings_len);			/* size_dt_strings */
	hdr[9] = cpu_to_be32(strings_off - FDT_STRUCT_OFF);	/* size_dt_struct */
	return 0;
}

static inline u32 fdt_totalsize_of(const void *fdt)
{
	return be32_to_cpu(((const __be32 *)fdt)[1]);
}

#endif /* KHO_LAB_COMMON_H */
