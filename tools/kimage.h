/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel image a KHO kexec would boot, read for `khodump preflight`:
 * an x86 bzImage (its setup header and its payload, decompressed by the
 * payload's own magic bytes) or an ELF vmlinux or module, and the places
 * in its data where a NUL-terminated string is found. Nothing here prints.
 */
#ifndef KHOTOOLS_KIMAGE_H
#define KHOTOOLS_KIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest decompressed payload accepted: Debian's 6.12 holds about 60 MiB. */
#define KIMAGE_MAX_PAYLOAD (1ULL << 30)
#define KIMAGE_MAX_REGIONS 64

enum kimage_kind {
	KIMAGE_BZIMAGE,
	KIMAGE_ELF,
};

/* A stretch of the searched bytes: one ELF section, or the whole payload. */
struct kimage_region {
	char name[64];
	const uint8_t *data;
	uint64_t size;
	uint64_t offset;	/* in the payload (bzImage) or the file (ELF) */
};

/**
 * struct kimage - an opened kernel image
 * @path: as given
 * @kind: bzImage or ELF (vmlinux, a module)
 * @protocol: bzImage boot protocol version (e.g. 0x20f)
 * @setup_sects: bzImage setup sectors (the 32/64-bit code starts at
 *	(setup_sects + 1) * 512)
 * @init_size: bzImage init_size: the memory the kernel needs from its
 *	load address while it decompresses and starts
 * @kernel_alignment: bzImage kernel_alignment
 * @pref_address: bzImage pref_address
 * @payload_offset: file offset of the compressed payload
 * @payload_length: its length
 * @compressor: "gzip", "xz", "zstd", ... named by the payload's magic
 *	bytes; "none" for an uncompressed payload
 * @payload_size: decompressed bytes
 * @payload_elf: the decompressed payload is an ELF file (its sections
 *	are the regions)
 * @searchable: the regions can be searched; if not, @why says why
 * @why: why the contents cannot be searched (an unsupported compressor)
 * @regions: what kimage_find() searches: the kernel's data sections
 *	(.rodata*, .data*, .init.data, .init.rodata*), where string
 *	constants and handlers' compatible arrays live; or the whole payload
 *	when it is not ELF
 * @nregions: entries in @regions
 */
struct kimage {
	const char *path;
	enum kimage_kind kind;
	uint16_t protocol;
	uint8_t setup_sects;
	uint32_t init_size;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint64_t payload_offset;
	uint64_t payload_length;
	const char *compressor;
	uint64_t payload_size;
	bool payload_elf;
	bool searchable;
	char why[160];
	struct kimage_region regions[KIMAGE_MAX_REGIONS];
	unsigned int nregions;
	/* private */
	int fd;
	void *elf;
	uint8_t *file;
	size_t file_len;
	uint8_t *payload;
};

/* Where kimage_find() found a string. */
struct kimage_hit {
	const struct kimage_region *region;
	uint64_t region_offset;	/* from the region's start */
	uint64_t offset;	/* payload or file offset */
};

/**
 * kimage_open() - read a bzImage or an ELF kernel image or module
 * @ki: filled; kimage_close() it in every case
 * @path: the file
 * @err: the reason on failure ("cannot open '...': ...", "'...': not a
 *	bzImage or an ELF file", a truncated or corrupt payload)
 * @errlen: bytes at @err
 *
 * A payload compressed in a format not supported here is not an error:
 * @ki->searchable is then false and @ki->why says which format it is.
 *
 * Return: 0 or -1.
 */
int kimage_open(struct kimage *ki, const char *path, char *err, size_t errlen);

/**
 * kimage_find() - the first place @s (with its terminating NUL) stands as
 * a string of its own: not preceded by a printable character, so that
 * "LUO" does not match the end of "VALUO"
 * Return: true and @hit, or false.
 */
bool kimage_find(const struct kimage *ki, const char *s, struct kimage_hit *hit);

void kimage_close(struct kimage *ki);

#endif /* KHOTOOLS_KIMAGE_H */
