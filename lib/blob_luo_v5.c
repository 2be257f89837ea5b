// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "LUO" sub-node of kho-v4: a raw struct luo_ser, sessions and files in
 * linked blocks, and the FLB array.
 *
 * Facts from linux-source-7.2.13 (include/linux/kho/abi/luo.h, block.h,
 * include/uapi/linux/liveupdate.h, kernel/liveupdate/luo_{core,session,
 * file,flb}.c); all packed, CPU byte order:
 *	struct luo_ser { char compatible[ALIGN(sizeof("luo-v5"), 8)] (8);
 *		u64 liveupdate_num; u64 sessions_pa; u64 flbs_pa; }	32 B
 *	session: { char name[LIVEUPDATE_SESSION_NAME_LENGTH = 64];
 *		u64 files; u64 count; }					80 B
 *	file: { char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH = 48];
 *		u64 data; u64 token; }					64 B
 *	FLB: header { u64 pgcnt; u64 count; } then count x
 *		{ char name[48]; u64 data; u64 count; } (64 B) in pgcnt pages
 *		(LUO_FLB_PGCNT = 1 when written).
 * sessions_pa and each session's files are heads of linked-block chains
 * (lib/block.c). Lifetime: luo_ser is allocated at boot with sessions_pa 0;
 * luo_session_serialize() (the liveupdate_reboot() path) fills it in, and
 * leaves it 0 when there are no sessions. In the next kernel
 * luo_early_startup() (early_initcall) reads it and frees it
 * (kho_restore_free), so a running second kernel no longer holds it:
 * khor_blob_decode() reports an incoming "LUO" as released (blob.c) and
 * never gets here.
 * luo_file_deserialize() refuses a chain whose entries differ from the
 * session's file count.
 *
 * Which LUO layouts a kernel wrote, from the sources and the mailing list:
 * "luo-v1" (an FDT with "luo-session" and "luo-flb" nodes) is what
 * kernels before 7.2 wrote, decoded by blob_luo.c. The linked-block
 * series replaced it: its v2 posting ("liveupdate: centralize state
 * management into struct luo_ser", 2026-05-14) made it "luo-v2", an FDT
 * whose "luo-abi-header" points at a luo_ser without a compatible; the v6
 * posting (2026-06-03) dropped the FDT for the raw struct as "luo-v3",
 * later revisions said "luo-v4", and 7.2 merged it as "luo-v5". So
 * luo-v2 to luo-v4 never shipped in a released kernel. Only luo-v5 is
 * decoded here; the others are named and refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_internal.h"

#define LUO_SER_SIZE 32
#define LUO_COMPAT_LEN 8
#define SESSION_NAME_LEN 64
#define SESSION_SIZE (SESSION_NAME_LEN + 16)
#define FILE_COMPAT_LEN 48
#define FILE_SIZE 64
#define FLB_HDR 16
#define FLB_NAME_LEN 48
#define FLB_SIZE 64
/* The kernel writes one page; more than this is not an FLB header. */
#define FLB_MAX_PGCNT 16

/*
 * Every chain may be 10000 blocks long, and every session has one: bound
 * the whole blob's work too. No real handover comes near this.
 */
#define LUO_BLOCK_BUDGET (8 * KHOR_BLOCKS_MAX)

/* The most blocks the next chain may use, or 0 (reported) when spent. */
static uint64_t chain_budget(struct blob_ctx *c, const char *what)
{
	if (!c->blocks_left) {
		blob_problem(c, -KHOR_ELIMIT, false, 0,
			     "%s: not read, the blob's %d linked blocks are spent",
			     what, LUO_BLOCK_BUDGET);
		return 0;
	}
	return c->blocks_left < KHOR_BLOCKS_MAX ? c->blocks_left :
	       KHOR_BLOCKS_MAX;
}

struct chain_ctx {
	struct blob_ctx *c;
	struct khor_value *list;
	const char *what;
	uint32_t owner;		/* claims the chain's blocks (owners) */
	uint64_t last_block;	/* the block last claimed */
	uint32_t session_owner;	/* sessions: their parent; files: theirs */
};

/* The block an entry is in, claimed once (owners). */
static void claim_block(struct chain_ctx *x, uint64_t block_phys)
{
	if (!x->owner || block_phys == x->last_block)
		return;
	x->last_block = block_phys;
	owner_claim(x->c, x->owner, block_phys, x->c->page_size,
		    KHOR_NO_DETAIL);
}

static void chain_problem(struct blob_ctx *c, int rc, const char *what,
			  const struct khor_error *e)
{
	if (rc == -KHOR_ENOMEM) {
		blob_problem(c, rc, false, 0, "out of memory");
		return;
	}
	blob_problem(c, rc == -KHOR_EIO ? rc : rc == -KHOR_ENODATA ? rc :
		     -KHOR_ECORRUPT, e->has_phys, e->phys, "%s: %s", what,
		     e->msg);
}

static int file_entry(void *arg, uint64_t block_phys, uint64_t block,
		      uint64_t index, const void *entry)
{
	struct chain_ctx *x = arg;
	const uint8_t *f = entry;
	struct khor_value *o;

	(void)block;
	claim_block(x, block_phys);
	if (index >= x->c->opts.max_items)
		return 0;
	o = kv_obj(x->list, NULL);
	kv_strn(o, "compatible", (const char *)f, FILE_COMPAT_LEN);
	kv_hex(o, "token", khor_le64(f + FILE_COMPAT_LEN + 8));
	kv_hex(o, "data", khor_le64(f + FILE_COMPAT_LEN));
	return 0;
}

/* Decode each file's data by its handler's compatible. */
static void files_data(struct blob_ctx *c, struct khor_value *files,
		       uint32_t session_owner)
{
	for (struct khor_value *f = files ? files->child : NULL; f; f = f->next) {
		const struct khor_value *compat = khor_value_get(f, "compatible");
		const struct khor_value *data = khor_value_get(f, "data");
		const struct khor_value *token = khor_value_get(f, "token");
		uint32_t owner = 0;

		if (!compat || !data)
			continue;
		if (session_owner && token)
			owner = owner_new(c, session_owner, "luo-file",
					  "file 0x%llx \"%s\"",
					  (unsigned long long)token->u,
					  compat->s);
		blob_luo_file_data(c, compat->s, data->u, f, owner);
	}
}

static void session_files(struct blob_ctx *c, struct khor_value *s,
			  const char *name, uint64_t files, uint64_t count,
			  uint32_t session_owner)
{
	struct chain_ctx x = { .c = c };
	struct khor_blocks_result res;
	struct khor_error e;
	char what[128];
	uint64_t max;
	int rc;

	kv_hex(s, "files_phys", files);
	kv_uint(s, "file_count", count);
	if (!files) {
		if (count)
			blob_problem(c, -KHOR_ECORRUPT, false, 0,
				     "LUO session '%s': %llu files but no file blocks",
				     name, (unsigned long long)count);
		return;
	}
	x.list = kv_list(s, "files");
	if (session_owner)
		x.owner = owner_new(c, session_owner, "luo-blocks", "file blocks");
	snprintf(what, sizeof(what), "LUO session '%s' files", name);
	khor_error_clear(&e);
	max = chain_budget(c, what);
	if (!max)
		return;
	rc = khor_blocks_walk(c->mem, files, c->page_size, FILE_SIZE, max,
			      file_entry, &x, &res, &e);
	c->blocks_left -= res.blocks + (rc ? 1 : 0) < c->blocks_left ?
			  res.blocks + (rc ? 1 : 0) : c->blocks_left;
	kv_uint(s, "file_blocks", res.blocks);
	if (rc) {
		chain_problem(c, rc, what, &e);
	} else if (res.entries != count) {
		blob_problem(c, -KHOR_ECORRUPT, true, files,
			     "%s: the blocks hold %llu files, the session says %llu",
			     what, (unsigned long long)res.entries,
			     (unsigned long long)count);
	}
	files_data(c, x.list, session_owner);
}

static int session_entry(void *arg, uint64_t block_phys, uint64_t block,
			 uint64_t index, const void *entry)
{
	struct chain_ctx *x = arg;
	const uint8_t *p = entry;
	struct khor_value *s;
	char name[SESSION_NAME_LEN + 1];
	uint32_t owner = 0;

	(void)block;
	claim_block(x, block_phys);
	if (index >= x->c->opts.max_items)
		return 0;
	memcpy(name, p, SESSION_NAME_LEN);
	name[SESSION_NAME_LEN] = '\0';
	s = kv_obj(x->list, NULL);
	kv_strn(s, "name", (const char *)p, SESSION_NAME_LEN);
	if (x->session_owner)
		owner = owner_new(x->c, x->session_owner, "luo-session",
				  "session \"%s\"", name);
	session_files(x->c, s, name, khor_le64(p + SESSION_NAME_LEN),
		      khor_le64(p + SESSION_NAME_LEN + 8), owner);
	return 0;
}

static void luo_flbs(struct blob_ctx *c, struct khor_value *out, uint64_t pa,
		     uint32_t luo_owner)
{
	struct khor_value *flb = kv_obj(out, "flb"), *list;
	uint8_t hdr[FLB_HDR], *buf;
	uint64_t pgcnt, count, max;

	kv_hex(flb, "phys", pa);
	if (pa & (c->page_size - 1)) {
		blob_problem(c, -KHOR_ECORRUPT, true, pa,
			     "LUO FLB header 0x%llx is not page-aligned",
			     (unsigned long long)pa);
		return;
	}
	if (blob_read(c, "LUO FLB header", pa, hdr, sizeof(hdr)))
		return;
	pgcnt = khor_le64(hdr);
	count = khor_le64(hdr + 8);
	kv_uint(flb, "pgcnt", pgcnt);
	kv_uint(flb, "count", count);
	if (!pgcnt || pgcnt > FLB_MAX_PGCNT) {
		blob_problem(c, -KHOR_ECORRUPT, true, pa,
			     "LUO FLB header at 0x%llx: pgcnt %llu is not in 1..%d",
			     (unsigned long long)pa, (unsigned long long)pgcnt,
			     FLB_MAX_PGCNT);
		return;
	}
	if (luo_owner)
		owner_claim(c, owner_new(c, luo_owner, "luo-flb", "FLB"), pa,
			    pgcnt * c->page_size, KHOR_NO_DETAIL);
	max = (pgcnt * c->page_size - FLB_HDR) / FLB_SIZE;
	if (count > max) {
		blob_problem(c, -KHOR_ECORRUPT, true, pa,
			     "LUO FLB header at 0x%llx: %llu entries (at most %llu fit its %llu pages)",
			     (unsigned long long)pa, (unsigned long long)count,
			     (unsigned long long)max, (unsigned long long)pgcnt);
		return;
	}
	list = kv_list(flb, "entries");
	if (!count)
		return;
	buf = malloc((size_t)(count * FLB_SIZE));
	if (!buf) {
		blob_problem(c, -KHOR_ENOMEM, false, 0, "out of memory");
		return;
	}
	if (!blob_read(c, "LUO FLB entries", pa + FLB_HDR, buf,
		       (size_t)(count * FLB_SIZE))) {
		for (uint64_t i = 0; i < count && i < c->opts.max_items; i++) {
			const uint8_t *e = buf + i * FLB_SIZE;
			struct khor_value *o = kv_obj(list, NULL);

			if (o)
				o->kind = "row";
			kv_strn(o, "name", (const char *)e, FLB_NAME_LEN);
			kv_hex(o, "data", khor_le64(e + FLB_NAME_LEN));
			kv_uint(o, "count", khor_le64(e + FLB_NAME_LEN + 8));
		}
	}
	free(buf);
}

static void luo_v5(struct blob_ctx *c, const uint8_t *buf, size_t len,
		   struct khor_value *out)
{
	uint64_t sessions, flbs;
	struct chain_ctx x = { .c = c };
	struct khor_blocks_result res;
	struct khor_error e;
	uint32_t luo_owner = 0;
	int rc;

	if (len < LUO_SER_SIZE) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "LUO: luo-v5 blob of %zu bytes is shorter than struct luo_ser (%d bytes)",
			     len, LUO_SER_SIZE);
		return;
	}
	sessions = khor_le64(buf + LUO_COMPAT_LEN + 8);
	flbs = khor_le64(buf + LUO_COMPAT_LEN + 16);
	kv_uint(out, "liveupdate_number", khor_le64(buf + LUO_COMPAT_LEN));
	kv_hex(out, "sessions_phys", sessions);
	kv_hex(out, "flbs_phys", flbs);
	/* The blob is the luo_ser: owners see it as a node of its own. */
	if (c->own && c->blob_phys) {
		luo_owner = owner_new(c, c->owner, "luo_ser", "luo_ser");
		owner_claim(c, luo_owner, c->blob_phys, LUO_SER_SIZE,
			    KHOR_NO_DETAIL);
	}
	if (!c->mem) {
		blob_problem(c, -KHOR_ENODATA, false, 0,
			     "LUO: no memory source to follow its blocks");
		return;
	}
	if (flbs)
		luo_flbs(c, out, flbs, luo_owner);
	if (!sessions) {
		owner_luo_unserialized(c);
		kv_str(out, "state", "not serialized");
		kv_str(out, "note", "sessions not yet serialized: sessions_phys is 0 until liveupdate_reboot(), and stays 0 when there are none");
		return;
	}
	kv_str(out, "state", "serialized");
	x.list = kv_list(out, "sessions");
	if (luo_owner) {
		x.owner = owner_new(c, luo_owner, "luo-blocks", "session blocks");
		x.session_owner = luo_owner;
	}
	khor_error_clear(&e);
	c->blocks_left = LUO_BLOCK_BUDGET - KHOR_BLOCKS_MAX;
	rc = khor_blocks_walk(c->mem, sessions, c->page_size, SESSION_SIZE, 0,
			      session_entry, &x, &res, &e);
	kv_uint(out, "session_blocks", res.blocks);
	kv_uint(out, "session_count", res.entries);
	if (rc)
		chain_problem(c, rc, "LUO sessions", &e);
}

void blob_luo_raw(struct blob_ctx *c, const uint8_t *buf, size_t len,
		  struct khor_value *out)
{
	/*
	 * The compatible starts the struct; its field is
	 * ALIGN(sizeof(compatible), 8) bytes, 8 for "luo-v5" (postings of
	 * the series also used longer strings such as "luo-v4-block-v1"), so
	 * read the string wherever its NUL is, then the field size it implies.
	 */
	size_t max = len < 64 ? len : 64, n;
	char compat[65];

	for (n = 0; n < max && buf[n]; n++)
		if (buf[n] < 0x20 || buf[n] > 0x7e)
			break;
	if (n == 0 || n == max || buf[n]) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "LUO: blob of %zu bytes does not start with a compatible string",
			     len);
		return;
	}
	memcpy(compat, buf, n);
	compat[n] = '\0';
	kv_str(out, "compatible", compat);
	if (!strcmp(compat, "luo-v5")) {
		luo_v5(c, buf, len, out);
		return;
	}
	blob_problem(c, -KHOR_EFORMAT, false, 0,
		     "LUO: version \"%s\" is not supported (this decodes luo-v1 and luo-v5; %s)",
		     compat, !strncmp(compat, "luo-v2", 6) ||
		     !strncmp(compat, "luo-v3", 6) || !strncmp(compat, "luo-v4", 6) ?
		     "it never shipped in a released kernel" :
		     "unknown layout");
}
