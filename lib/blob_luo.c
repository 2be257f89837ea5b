// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "LUO" sub-node: Live Update Orchestrator sessions and files.
 *
 * Verified in TL include/linux/kho/abi/luo.h @cc4adab164b7 and
 * kernel/liveupdate/luo_session.c @7f790dd21a93:
 *  - blob: an FDT, root compatible "luo-v1", "liveupdate-number" u64
 *    (fdt_property(fdt_out, LUO_FDT_LIVEUPDATE_NUM, &ln, sizeof(ln)):
 *    CPU byte order);
 *  - child "luo-session", compatible "luo-session-v2", "luo-session-header"
 *    u64 PA (read back with get_unaligned((u64 *)ptr));
 *  - at that PA, a block of LUO_SESSION_PGCNT = 16 pages
 *    (kho_alloc_preserve(16 << PAGE_SHIFT)): struct luo_session_header_ser
 *    { u64 count; } __packed, then count x struct luo_session_ser
 *    { char name[LIVEUPDATE_SESSION_NAME_LENGTH = 64];
 *      struct luo_file_set_ser { u64 files; u64 count; } } __packed (80 B);
 *  - files: PA of count x struct luo_file_ser { char compatible[48];
 *    u64 data; u64 token; } __packed (64 B), in a block of LUO_FILE_PGCNT
 *    = 2 pages (kernel/liveupdate/luo_file.c).
 * LIVEUPDATE_SESSION_NAME_LENGTH = 64: include/uapi/linux/liveupdate.h
 * @0153094d03df. The older "luo-session-v1" layout is not verified here: it
 * is shown as a tree and named as unsupported. The raw luo-v5 blob of
 * kho-v4 is blob_luo_v5.c's.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "blob_internal.h"

#define LUO_SESSION_PGCNT 16
#define LUO_FILE_PGCNT 2
#define SESSION_NAME_LEN 64
#define SESSION_SER_SIZE (SESSION_NAME_LEN + 16)
#define FILE_COMPAT_LEN 48
#define FILE_SER_SIZE 64

static void luo_files(struct blob_ctx *c, struct khor_value *s, uint64_t files,
		      uint64_t count)
{
	uint64_t max = LUO_FILE_PGCNT * c->page_size / FILE_SER_SIZE;
	struct khor_value *list;
	uint8_t *buf;

	kv_hex(s, "files_phys", files);
	kv_uint(s, "file_count", count);
	if (!count)
		return;
	if (!files || count > max) {
		blob_problem(c, -KHOR_ECORRUPT, true, files,
			     "LUO file set at 0x%llx: %llu files (at most %llu fit its %d pages)",
			     (unsigned long long)files, (unsigned long long)count,
			     (unsigned long long)max, LUO_FILE_PGCNT);
		return;
	}
	buf = malloc((size_t)(count * FILE_SER_SIZE));
	if (!buf) {
		blob_problem(c, -KHOR_ENOMEM, false, 0, "out of memory");
		return;
	}
	if (!blob_read(c, "LUO file array", files, buf,
		       (size_t)(count * FILE_SER_SIZE))) {
		list = kv_list(s, "files");
		for (uint64_t i = 0; i < count && i < c->opts.max_items; i++) {
			const uint8_t *f = buf + i * FILE_SER_SIZE;
			struct khor_value *o = kv_obj(list, NULL);

			kv_strn(o, "compatible", (const char *)f, FILE_COMPAT_LEN);
			kv_hex(o, "data", khor_le64(f + FILE_COMPAT_LEN));
			kv_hex(o, "token", khor_le64(f + FILE_COMPAT_LEN + 8));
		}
	}
	free(buf);
}

static void luo_sessions(struct blob_ctx *c, struct khor_value *out,
			 uint64_t header)
{
	uint64_t max = (LUO_SESSION_PGCNT * c->page_size - 8) / SESSION_SER_SIZE;
	struct khor_value *list;
	uint8_t cnt[8], *buf;
	uint64_t count;

	kv_hex(out, "session_header", header);
	if (blob_read(c, "LUO session header", header, cnt, sizeof(cnt)))
		return;
	count = khor_le64(cnt);
	kv_uint(out, "session_count", count);
	if (count > max) {
		blob_problem(c, -KHOR_ECORRUPT, true, header,
			     "LUO session header at 0x%llx: %llu sessions (at most %llu fit its %d pages)",
			     (unsigned long long)header, (unsigned long long)count,
			     (unsigned long long)max, LUO_SESSION_PGCNT);
		return;
	}
	if (!count)
		return;
	buf = malloc((size_t)(count * SESSION_SER_SIZE));
	if (!buf) {
		blob_problem(c, -KHOR_ENOMEM, false, 0, "out of memory");
		return;
	}
	if (!blob_read(c, "LUO sessions", header + 8, buf,
		       (size_t)(count * SESSION_SER_SIZE))) {
		list = kv_list(out, "sessions");
		for (uint64_t i = 0; i < count && i < c->opts.max_items; i++) {
			const uint8_t *p = buf + i * SESSION_SER_SIZE;
			struct khor_value *s = kv_obj(list, NULL);

			kv_strn(s, "name", (const char *)p, SESSION_NAME_LEN);
			luo_files(c, s, khor_le64(p + SESSION_NAME_LEN),
				  khor_le64(p + SESSION_NAME_LEN + 8));
		}
	}
	free(buf);
}

void blob_luo(struct blob_ctx *c, const void *fdt, struct khor_value *out)
{
	uint64_t num, header;
	const char *compat;
	int node, rc, len;

	rc = fdt_prop_u64(fdt, 0, "liveupdate-number", &num);
	if (!rc)
		kv_uint(out, "liveupdate_number", num);
	else if (rc == -KHOR_ECORRUPT)
		blob_problem(c, rc, false, 0,
			     "LUO: 'liveupdate-number' is not 8 bytes");
	node = fdt_subnode_offset(fdt, 0, "luo-session");
	if (node < 0) {
		kv_str(out, "note", "no luo-session node");
		return;
	}
	compat = fdt_getprop(fdt, node, "compatible", &len);
	if (!compat || len < 1 || compat[len - 1]) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "LUO: luo-session has no compatible string");
		return;
	}
	kv_str(out, "session_compatible", compat);
	if (strcmp(compat, "luo-session-v2")) {
		blob_problem(c, -KHOR_EFORMAT, false, 0,
			     "LUO: session layout \"%s\" is not supported (this decodes luo-session-v2)",
			     compat);
		return;
	}
	rc = fdt_prop_u64(fdt, node, "luo-session-header", &header);
	if (rc) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "LUO: 'luo-session-header' %s",
			     rc == -KHOR_ENOTFOUND ? "missing" : "is not 8 bytes");
		return;
	}
	luo_sessions(c, out, header);
}
