// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * khoimg: the ELF core writer the test and benchmark generators share
 * (khoimg.h says why it stands apart from lib/; the tree encoder is inline
 * there, so that the unit tests' simulated trees need no extra object).
 */
#include "khoimg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void kig_die_at(const char *file, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	if (file)
		fprintf(stderr, "%s: %s:%u: ", kig_prog, file, line);
	else
		fprintf(stderr, "%s: ", kig_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *kig_calloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		kig_die("out of memory");
	return p;
}

uint8_t *kig_note(const char *name, uint32_t type, const void *desc,
		  size_t desc_len, size_t *len, size_t *desc_off)
{
	size_t nl = strlen(name) + 1, doff = 12 + ((nl + 3) & ~(size_t)3);
	size_t l = doff + ((desc_len + 3) & ~(size_t)3);
	uint8_t *n = kig_calloc(l, 1);

	kig_wr_le(n, nl, 4);
	kig_wr_le(n + 4, desc_len, 4);
	kig_wr_le(n + 8, type, 4);
	memcpy(n + 12, name, nl);
	memcpy(n + doff, desc, desc_len);
	*len = l;
	if (desc_off)
		*desc_off = doff;
	return n;
}

void kig_ehdr(Elf64_Ehdr *eh, uint16_t type)
{
	memset(eh, 0, sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = type;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
}

void kig_core_init(struct kig_core *c, uint64_t ps, uint64_t vbase,
		   const void *note, size_t notelen, bool note_memsz)
{
	memset(c, 0, sizeof(*c));
	c->ps = ps;
	c->vbase = vbase;
	c->note = note;
	c->notelen = notelen;
	c->note_memsz = note_memsz;
	c->out.fd = -1;
	c->cap = 64;
	c->ph = kig_calloc(c->cap, sizeof(*c->ph));
	if (note) {
		c->ph[0].p_type = PT_NOTE;
		c->ph[0].p_filesz = notelen;
		c->ph[0].p_memsz = note_memsz ? notelen : 0;
		c->nph = 1;
	}
}

void kig_core_load(struct kig_core *c, uint64_t pa, uint64_t len, bool merge)
{
	Elf64_Phdr *last = c->nph ? &c->ph[c->nph - 1] : NULL;

	if (merge && last && last->p_type == PT_LOAD &&
	    last->p_paddr + last->p_filesz == pa) {
		last->p_filesz += len;
		last->p_memsz += len;
		return;
	}
	if (c->nph == c->cap) {
		c->ph = realloc(c->ph, 2 * c->cap * sizeof(*c->ph));
		if (!c->ph)
			kig_die("out of memory");
		c->cap *= 2;
	}
	c->ph[c->nph++] = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
		.p_paddr = pa, .p_vaddr = c->vbase + pa,
		.p_filesz = len, .p_memsz = len, .p_align = c->ps,
	};
}

size_t kig_core_nloads(const struct kig_core *c)
{
	return c->nph - !!c->note;
}

void kig_pwrite(int fd, const void *buf, size_t len, uint64_t off,
		const char *path)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n <= 0)
			kig_die("cannot write '%s': %s", path,
				n ? strerror(errno) : "short write");
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
}

void kig_out_start(struct kig_out *o, int fd, const char *path, uint64_t off)
{
	*o = (struct kig_out){ .fd = fd, .path = path, .off = off,
			       .buf = kig_calloc(1, KIG_OUTBUF) };
}

static void kig_out_flush(struct kig_out *o)
{
	kig_pwrite(o->fd, o->buf, o->len, o->off, o->path);
	o->off += o->len;
	o->len = 0;
}

void kig_out_put(struct kig_out *o, const void *p, size_t len)
{
	if (o->len + len > KIG_OUTBUF)
		kig_out_flush(o);
	if (len > KIG_OUTBUF) {
		kig_pwrite(o->fd, p, len, o->off, o->path);
		o->off += len;
		return;
	}
	memcpy(o->buf + o->len, p, len);
	o->len += len;
}

void kig_out_skip(struct kig_out *o, uint64_t len)
{
	kig_out_flush(o);
	o->off += len;
}

void kig_out_end(struct kig_out *o)
{
	kig_out_flush(o);
	free(o->buf);
	o->buf = NULL;
}

void kig_core_open(struct kig_core *c, const char *path)
{
	Elf64_Ehdr eh;
	uint64_t off;
	int fd;

	if (c->nph >= PN_XNUM)
		kig_die("%zu program headers: too many for e_phnum", c->nph);
	kig_ehdr(&eh, ET_CORE);
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)c->nph;
	/* the note right after the headers, the data from the next page */
	off = sizeof(eh) + c->nph * sizeof(Elf64_Phdr);
	if (c->note) {
		c->ph[0].p_offset = off;
		off += c->notelen;
	}
	off = (off + c->ps - 1) & ~(c->ps - 1);
	for (size_t i = !!c->note; i < c->nph; i++) {
		c->ph[i].p_offset = off;
		off += c->ph[i].p_filesz;
	}
	c->total = off;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		kig_die("cannot create '%s': %s", path, strerror(errno));
	kig_pwrite(fd, &eh, sizeof(eh), 0, path);
	kig_pwrite(fd, c->ph, c->nph * sizeof(*c->ph), sizeof(eh), path);
	if (c->note)
		kig_pwrite(fd, c->note, c->notelen, c->ph[0].p_offset, path);
	kig_out_start(&c->out, fd, path,
		      c->nph > !!c->note ? c->ph[!!c->note].p_offset : off);
}

void kig_core_put(struct kig_core *c, const void *p, size_t len)
{
	kig_out_put(&c->out, p, len);
}

void kig_core_skip(struct kig_core *c, uint64_t len)
{
	kig_out_skip(&c->out, len);
}

void kig_core_close(struct kig_core *c, uint64_t cut)
{
	struct kig_out *o = &c->out;

	kig_out_end(o);
	if (ftruncate(o->fd, (off_t)(cut < c->total ? c->total - cut : 0)))
		kig_die("cannot size '%s': %s", o->path, strerror(errno));
	if (close(o->fd))
		kig_die("cannot write '%s': %s", o->path, strerror(errno));
	free(c->ph);
	c->ph = NULL;
	o->fd = -1;
}
