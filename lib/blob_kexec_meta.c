// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "kexec-metadata" sub-node: a packed C struct, not an FDT.
 *
 * Verified in TL include/linux/kho/abi/kexec_metadata.h @40735a683bf8:
 *	struct kho_kexec_metadata {
 *		u32 version;				offset 0 (=1)
 *		char previous_release[__NEW_UTS_LEN + 1];	offset 4, 65 bytes
 *		u32 kexec_count;			offset 69
 *	} __packed;				total 73 bytes
 * "version ... (must be first field)": any other version is not decoded.
 * Integers are CPU byte order (a plain struct copy).
 */
#include "blob_internal.h"

#define KM_VERSION_OFF 0
#define KM_RELEASE_OFF 4
#define KM_RELEASE_LEN 65
#define KM_COUNT_OFF 69
#define KM_SIZE KHOR_KEXEC_META_SIZE
#define KM_VERSION 1

int64_t khor_kexec_meta_count(const uint8_t *buf, size_t len)
{
	if (len < KM_SIZE || khor_le32(buf + KM_VERSION_OFF) != KM_VERSION)
		return -1;
	return khor_le32(buf + KM_COUNT_OFF);
}

void blob_kexec_metadata(struct blob_ctx *c, const uint8_t *buf, size_t len,
			 struct khor_value *out)
{
	uint32_t version;

	if (len < 4) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "kexec-metadata: %zu bytes, too short for a version",
			     len);
		return;
	}
	version = khor_le32(buf + KM_VERSION_OFF);
	kv_uint(out, "version", version);
	if (version != KM_VERSION) {
		kv_str(out, "note", "unknown version: fields not decoded");
		return;
	}
	if (len < KM_SIZE) {
		blob_problem(c, -KHOR_ECORRUPT, false, 0,
			     "kexec-metadata: %zu bytes, version 1 needs %d",
			     len, KM_SIZE);
		return;
	}
	kv_strn(out, "previous_release", (const char *)buf + KM_RELEASE_OFF,
		KM_RELEASE_LEN);
	kv_uint(out, "kexec_count", (uint64_t)khor_kexec_meta_count(buf, len));
}
