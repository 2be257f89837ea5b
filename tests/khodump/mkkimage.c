// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkkimage - kernel images for `khodump preflight` tests, written from
 * the formats' documentation, independent of tools/kimage.c:
 *
 *   mkkimage --elf OUT [--info INFO] [--trailer N] SECTION:STRING...
 *	an ELF64 "vmlinux" with a .text section, the named sections (in the
 *	order first named) holding each STRING with its NUL, every string
 *	after eight 0xff bytes (like a pointer before a compatible array),
 *	and .shstrtab; then N bytes of 0x5a (as vmlinux.relocs follows
 *	vmlinux.bin in a bzImage payload). INFO gets one line per string:
 *	"STRING SECTION SECTION_OFFSET FILE_OFFSET" (hex).
 *
 *   mkkimage --bzimage OUT --payload FILE [--init-size N]
 *		[--kernel-alignment N] [--pref-address N] [--setup-sects N]
 *		[--protocol N]
 *	a bzImage (Documentation/arch/x86/boot.rst): setup_sects at 0x1f1,
 *	"HdrS" at 0x202, the protocol at 0x206, kernel_alignment at 0x230,
 *	payload_offset (from the protected-mode code, which starts at
 *	(setup_sects + 1) * 512) and payload_length at 0x248/0x24c,
 *	pref_address at 0x258, init_size at 0x260; 0x1c0 bytes of filler
 *	code before the payload and 0x40 after it. INFO (--info) gets
 *	"payload_offset 0x..." (from the start of the file).
 */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gen/khoimg.h"

#define MAX_SECT 8
#define MAX_STR 64

const char *kig_prog = "mkkimage";

/* Errors: "mkkimage: message", exit status 1 (tests/gen/khoimg.c). */
#define die(...) kig_die(__VA_ARGS__)

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("bad number '%s'", s);
	return v;
}

struct sect {
	char name[32];
	uint8_t buf[4096];
	size_t len;
	uint64_t off;
};

static void write_elf(const char *out, const char *info, size_t trailer, int n,
		      char **args)
{
	struct sect s[MAX_SECT + 2];
	struct { const char *str; int sect; size_t at; } strs[MAX_STR];
	int ns = 1, nstr = 0;
	uint8_t shstr[512];
	size_t shlen = 1, pos;
	uint32_t name_off[MAX_SECT + 3];
	Elf64_Ehdr eh;
	FILE *f;

	memset(s, 0, sizeof(s));
	/* .text: some code bytes, never searched by a reader of data */
	snprintf(s[0].name, sizeof(s[0].name), ".text");
	memcpy(s[0].buf, "\x55\x48\x89\xe5\xc3kho-in-text\0", 17);
	s[0].len = 64;
	for (int i = 0; i < n; i++) {
		char *colon = strchr(args[i], ':');
		int k;

		if (!colon || colon == args[i])
			die("'%s': expected SECTION:STRING", args[i]);
		*colon = '\0';
		for (k = 0; k < ns && strcmp(s[k].name, args[i]); k++)
			;
		if (k == ns) {
			if (ns == MAX_SECT)
				die("too many sections");
			snprintf(s[ns++].name, sizeof(s[0].name), "%s", args[i]);
		}
		if (nstr == MAX_STR || s[k].len + 8 + strlen(colon + 1) + 1 > sizeof(s[k].buf))
			die("too many strings");
		memset(s[k].buf + s[k].len, 0xff, 8);
		s[k].len += 8;
		strs[nstr].str = colon + 1;
		strs[nstr].sect = k;
		strs[nstr++].at = s[k].len;
		memcpy(s[k].buf + s[k].len, colon + 1, strlen(colon + 1) + 1);
		s[k].len += strlen(colon + 1) + 1;
	}
	/* section names, then the layout: header, sections, .shstrtab, headers */
	shstr[0] = '\0';
	for (int k = 0; k < ns; k++) {
		name_off[k] = (uint32_t)shlen;
		memcpy(shstr + shlen, s[k].name, strlen(s[k].name) + 1);
		shlen += strlen(s[k].name) + 1;
	}
	name_off[ns] = (uint32_t)shlen;
	memcpy(shstr + shlen, ".shstrtab", 10);
	shlen += 10;
	pos = 0x1000;
	for (int k = 0; k < ns; k++) {
		s[k].off = pos;
		pos += (s[k].len + 0xfff) & ~(size_t)0xfff;
	}
	kig_ehdr(&eh, ET_EXEC);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)(ns + 2);
	eh.e_shstrndx = (uint16_t)(ns + 1);
	eh.e_shoff = pos + ((shlen + 7) & ~(size_t)7);
	f = fopen(out, "wb");
	if (!f)
		die("cannot write '%s': %s", out, strerror(errno));
	fwrite(&eh, sizeof(eh), 1, f);
	for (int k = 0; k < ns; k++) {
		fseek(f, (long)s[k].off, SEEK_SET);
		fwrite(s[k].buf, 1, s[k].len, f);
	}
	fseek(f, (long)pos, SEEK_SET);
	fwrite(shstr, 1, shlen, f);
	fseek(f, (long)eh.e_shoff, SEEK_SET);
	{
		Elf64_Shdr sh;

		memset(&sh, 0, sizeof(sh));
		fwrite(&sh, sizeof(sh), 1, f);
		for (int k = 0; k < ns; k++) {
			memset(&sh, 0, sizeof(sh));
			sh.sh_name = name_off[k];
			sh.sh_type = SHT_PROGBITS;
			sh.sh_flags = SHF_ALLOC | (k ? SHF_WRITE : SHF_EXECINSTR);
			sh.sh_addr = 0xffffffff81000000ULL + s[k].off;
			sh.sh_offset = s[k].off;
			sh.sh_size = s[k].len;
			sh.sh_addralign = 1;
			fwrite(&sh, sizeof(sh), 1, f);
		}
		memset(&sh, 0, sizeof(sh));
		sh.sh_name = name_off[ns];
		sh.sh_type = SHT_STRTAB;
		sh.sh_offset = pos;
		sh.sh_size = shlen;
		sh.sh_addralign = 1;
		fwrite(&sh, sizeof(sh), 1, f);
	}
	for (size_t i = 0; i < trailer; i++)
		fputc(0x5a, f);
	if (fclose(f))
		die("cannot write '%s'", out);
	if (info) {
		f = fopen(info, "w");
		if (!f)
			die("cannot write '%s'", info);
		for (int i = 0; i < nstr; i++)
			fprintf(f, "%s %s 0x%zx 0x%" PRIx64 "\n", strs[i].str, s[strs[i].sect].name,
				strs[i].at, s[strs[i].sect].off + strs[i].at);
		fclose(f);
	}
}

static void write_bzimage(const char *out, const char *info, const char *payload,
			  uint64_t init_size, uint64_t align, uint64_t pref,
			  unsigned int setup_sects, unsigned int protocol)
{
	FILE *in = fopen(payload, "rb"), *f;
	unsigned int ss = setup_sects ? setup_sects : 4;
	size_t pm = (size_t)(ss + 1) * 512, plen;
	uint8_t *setup = calloc(1, pm + 0x1c0);
	uint8_t *pl;
	long l;

	if (!in || !setup)
		die("cannot read '%s'", payload);
	fseek(in, 0, SEEK_END);
	l = ftell(in);
	fseek(in, 0, SEEK_SET);
	if (l <= 0)
		die("'%s' is empty", payload);
	plen = (size_t)l;
	pl = malloc(plen);
	if (!pl || fread(pl, 1, plen, in) != plen)
		die("cannot read '%s'", payload);
	fclose(in);
	setup[0x1f1] = (uint8_t)setup_sects;
	kig_wr_le(setup + 0x1fe, 0xaa55, 2);
	memcpy(setup + 0x202, "HdrS", 4);
	kig_wr_le(setup + 0x206, protocol, 2);
	kig_wr_le(setup + 0x230, align, 4);
	kig_wr_le(setup + 0x248, 0x1c0, 4);
	kig_wr_le(setup + 0x24c, plen, 4);
	kig_wr_le(setup + 0x258, pref, 8);
	kig_wr_le(setup + 0x260, init_size, 4);
	memset(setup + pm, 0x90, 0x1c0);	/* the decompressor's code */
	f = fopen(out, "wb");
	if (!f)
		die("cannot write '%s'", out);
	fwrite(setup, 1, pm + 0x1c0, f);
	fwrite(pl, 1, plen, f);
	for (int i = 0; i < 0x40; i++)
		fputc(0, f);
	if (fclose(f))
		die("cannot write '%s'", out);
	if (info) {
		f = fopen(info, "w");
		if (!f)
			die("cannot write '%s'", info);
		fprintf(f, "payload_offset 0x%zx\n", pm + 0x1c0);
		fclose(f);
	}
	free(pl);
	free(setup);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "elf", required_argument, NULL, 'e' },
		{ "bzimage", required_argument, NULL, 'b' },
		{ "payload", required_argument, NULL, 'p' },
		{ "info", required_argument, NULL, 'i' },
		{ "trailer", required_argument, NULL, 't' },
		{ "init-size", required_argument, NULL, 'I' },
		{ "kernel-alignment", required_argument, NULL, 'A' },
		{ "pref-address", required_argument, NULL, 'P' },
		{ "setup-sects", required_argument, NULL, 'S' },
		{ "protocol", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *elf = NULL, *bz = NULL, *payload = NULL, *info = NULL;
	uint64_t trailer = 0, init_size = 0x1000000, align = 0x200000, pref = 0x1000000;
	unsigned int ss = 31, proto = 0x20f;
	int opt;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'e': elf = optarg; break;
		case 'b': bz = optarg; break;
		case 'p': payload = optarg; break;
		case 'i': info = optarg; break;
		case 't': trailer = num(optarg); break;
		case 'I': init_size = num(optarg); break;
		case 'A': align = num(optarg); break;
		case 'P': pref = num(optarg); break;
		case 'S': ss = (unsigned int)num(optarg); break;
		case 'V': proto = (unsigned int)num(optarg); break;
		default:
			return 2;
		}
	}
	if (elf)
		write_elf(elf, info, (size_t)trailer, argc - optind, argv + optind);
	else if (bz && payload)
		write_bzimage(bz, info, payload, init_size, align, pref, ss, proto);
	else
		die("give --elf OUT SECTION:STRING... or --bzimage OUT --payload FILE");
	return 0;
}
