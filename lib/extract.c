// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --extract: a small ELF vmcore holding only the pages decoding read, so
 * KHO state can be attached to a bug report. The layout follows the
 * fixtures and what libkdumpfile reads as an ELF kdump: ET_CORE x86_64,
 * one PT_LOAD per run of pages with p_paddr = phys and p_vaddr in the
 * direct map (0xffff888000000000 + phys, no KASLR).
 *
 * Two notes: the source's VMCOREINFO (name "VMCOREINFO", type 0, as the
 * kernel's crash_save_vmcoreinfo writes it) and our "KHOTOOLS" note with
 * the original end of physical memory, so an address above the highest
 * extracted page is still "not in the dump" and only addresses beyond the
 * original memory are "outside memory".
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "memsrc.h"

#define DIRECT_MAP 0xffff888000000000ULL

static size_t note_size(size_t namesz, size_t descsz)
{
	return 12 + ((namesz + 3) & ~(size_t)3) + ((descsz + 3) & ~(size_t)3);
}

static uint8_t *put_note(uint8_t *p, const char *name, uint32_t type,
			 const void *desc, size_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	uint32_t d = (uint32_t)descsz;

	memcpy(p, &namesz, 4);
	memcpy(p + 4, &d, 4);
	memcpy(p + 8, &type, 4);
	p += 12;
	memset(p, 0, (namesz + 3) & ~3u);
	memcpy(p, name, namesz);
	p += (namesz + 3) & ~3u;
	memset(p, 0, (descsz + 3) & ~(size_t)3);
	memcpy(p, desc, descsz);
	return p + ((descsz + 3) & ~(size_t)3);
}

static int write_all(int fd, const void *buf, size_t len, uint64_t off,
		     const char *path, struct khor_error *err)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return khor_err(err, -KHOR_EIO, "cannot write '%s': %s",
					path, w < 0 ? strerror(errno) : "short write");
		p += w;
		off += (uint64_t)w;
		len -= (size_t)w;
	}
	return 0;
}

int khor_extract_write(struct khor_mem *src, const uint64_t *pages, size_t n,
		       const char *path, struct khor_error *err)
{
	const struct khor_mem_info *mi = khor_mem_get_info(src);
	const char *vmci = mi->vmcoreinfo;
	size_t nruns = 0, notes_len, ph = 0, vmci_len = vmci ? strlen(vmci) : 0;
	uint8_t desc[KHOR_NOTE_DESCSZ], *notes = NULL, *page = NULL;
	uint64_t off, data_off;
	Elf64_Phdr *phdr = NULL;
	Elf64_Ehdr eh;
	int fd = -1, rc;

	for (size_t i = 0; i < n; i++) {
		if (pages[i] % KHOR_EXTRACT_PAGE || (i && pages[i] <= pages[i - 1]))
			return khor_err(err, -KHOR_EINVAL,
					"extract: page list not ascending page addresses");
		nruns += !i || pages[i] != pages[i - 1] + KHOR_EXTRACT_PAGE;
	}
	if (nruns + 1 >= PN_XNUM)
		return khor_err(err, -KHOR_EINVAL,
				"extract: %zu separate runs of pages are too many for one ELF file",
				nruns);
	notes_len = note_size(sizeof(KHOR_NOTE_NAME), KHOR_NOTE_DESCSZ) +
		    (vmci ? note_size(sizeof("VMCOREINFO"), vmci_len) : 0);
	notes = calloc(1, notes_len);
	phdr = calloc(nruns + 1, sizeof(*phdr));
	page = malloc(KHOR_EXTRACT_PAGE);
	if (!notes || !phdr || !page) {
		rc = khor_err(err, -KHOR_ENOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < 8; i++) {
		desc[i] = (uint8_t)(mi->phys_end >> (8 * i));
		desc[8 + i] = (uint8_t)(mi->page_size >> (8 * i));
	}
	{
		uint8_t *p = notes;

		if (vmci)
			p = put_note(p, "VMCOREINFO", 0, vmci, vmci_len);
		put_note(p, KHOR_NOTE_NAME, KHOR_NOTE_TYPE, desc, sizeof(desc));
	}

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)(nruns + 1);

	off = sizeof(eh) + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	phdr[ph].p_type = PT_NOTE;
	phdr[ph].p_offset = off;
	phdr[ph].p_filesz = phdr[ph].p_memsz = notes_len;
	ph++;
	off += notes_len;
	data_off = off = (off + KHOR_EXTRACT_PAGE - 1) & ~(uint64_t)(KHOR_EXTRACT_PAGE - 1);
	for (size_t i = 0; i < n; i++, off += KHOR_EXTRACT_PAGE) {
		if (i && pages[i] == pages[i - 1] + KHOR_EXTRACT_PAGE) {
			phdr[ph - 1].p_filesz += KHOR_EXTRACT_PAGE;
			phdr[ph - 1].p_memsz += KHOR_EXTRACT_PAGE;
			continue;
		}
		phdr[ph].p_type = PT_LOAD;
		phdr[ph].p_flags = PF_R | PF_W | PF_X;
		phdr[ph].p_offset = off;
		phdr[ph].p_paddr = pages[i];
		phdr[ph].p_vaddr = DIRECT_MAP + pages[i];
		phdr[ph].p_filesz = phdr[ph].p_memsz = KHOR_EXTRACT_PAGE;
		phdr[ph].p_align = KHOR_EXTRACT_PAGE;
		ph++;
	}

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = khor_err(err, -KHOR_EIO, "cannot create '%s': %s", path,
			      strerror(errno));
		goto out;
	}
	rc = write_all(fd, &eh, sizeof(eh), 0, path, err);
	if (!rc)
		rc = write_all(fd, phdr, ph * sizeof(*phdr), sizeof(eh), path, err);
	if (!rc)
		rc = write_all(fd, notes, notes_len, phdr[0].p_offset, path, err);
	for (size_t i = 0; !rc && i < n; i++) {
		rc = khor_mem_read(src, pages[i], page, KHOR_EXTRACT_PAGE);
		if (rc) {
			rc = khor_err_at(err, rc == -KHOR_ENODATA ? rc : -KHOR_EIO,
					 -1, pages[i],
					 "extract: cannot read page 0x%llx: %s",
					 (unsigned long long)pages[i],
					 khor_mem_errmsg(src));
			break;
		}
		rc = write_all(fd, page, KHOR_EXTRACT_PAGE,
			       data_off + i * KHOR_EXTRACT_PAGE, path, err);
	}
	if (close(fd) && !rc)
		rc = khor_err(err, -KHOR_EIO, "cannot write '%s': %s", path,
			      strerror(errno));
	fd = -1;
	if (rc)
		unlink(path);
out:
	if (fd >= 0)
		close(fd);
	free(notes);
	free(phdr);
	free(page);
	return rc;
}
