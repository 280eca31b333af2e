/* SPDX-License-Identifier: MIT */
#include "text/elfinfo.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

/* Caps on what we are willing to read; real executables are far below them. */
#define MAX_PHNUM      4096
#define MAX_SHNUM      65536
#define MAX_SHSTRTAB   (1u << 20)
#define MAX_NOTE_BYTES (64u << 10)

/* Go's build ID note: owner "Go", type 4 (cmd/internal/buildid). */
#define GO_NOTE_BUILDID 4

int lr_mem_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct lr_mem *m = ctx;

	if (off > m->len || len > m->len - off)
		return -1;
	memcpy(buf, m->buf + off, len);
	return 0;
}

struct elf {
	const struct lr_reader *r;
	bool is64, swap;
};

static uint16_t get16(const struct elf *e, const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return e->swap ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const struct elf *e, const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return e->swap ? __builtin_bswap32(v) : v;
}

static uint64_t get64(const struct elf *e, const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return e->swap ? __builtin_bswap64(v) : v;
}

/* An address-sized field: 8 bytes in ELF64, 4 in ELF32. */
static uint64_t getw(const struct elf *e, const unsigned char *p)
{
	return e->is64 ? get64(e, p) : get32(e, p);
}

static bool in_file(const struct elf *e, uint64_t off, uint64_t len)
{
	return off <= e->r->size && len <= e->r->size - off;
}

static int rd(const struct elf *e, uint64_t off, void *buf, size_t len)
{
	if (!in_file(e, off, len))
		return -1;
	return e->r->read_at(e->r->ctx, off, buf, len);
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Scans a note area for the Go build ID note. */
static bool notes_have_go(const struct elf *e, const unsigned char *p, size_t len)
{
	size_t pos = 0, namesz, descsz;
	uint32_t type;

	while (len - pos >= 12) {
		namesz = get32(e, p + pos);
		descsz = get32(e, p + pos + 4);
		type = get32(e, p + pos + 8);
		pos += 12;
		if (namesz > len - pos)
			return false;
		/* The Go linker writes the name as "Go\0\0" (namesz 4); accept 3 too. */
		if (type == GO_NOTE_BUILDID && (namesz == 3 || namesz == 4) &&
		    memcmp(p + pos, "Go", 3) == 0)
			return true;
		pos += align4(namesz);
		if (pos > len || descsz > len - pos)
			return false;
		pos += align4(descsz);
		if (pos > len)
			return false;
	}
	return false;
}

static bool segment_has_go_note(const struct elf *e, uint64_t off, uint64_t size)
{
	unsigned char *buf;
	bool go = false;

	if (size > MAX_NOTE_BYTES)
		size = MAX_NOTE_BYTES;
	if (size < 12 || !in_file(e, off, size))
		return false;
	buf = malloc((size_t)size);
	if (!buf)
		return false;
	if (rd(e, off, buf, (size_t)size) == 0)
		go = notes_have_go(e, buf, (size_t)size);
	free(buf);
	return go;
}

static void read_phdrs(const struct elf *e, const unsigned char *eh, struct lr_elf_info *out)
{
	uint64_t phoff = getw(e, eh + (e->is64 ? 32 : 28));
	uint16_t phentsize = get16(e, eh + (e->is64 ? 54 : 42));
	uint16_t phnum = get16(e, eh + (e->is64 ? 56 : 44));
	size_t need = e->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	unsigned char ph[sizeof(Elf64_Phdr)];
	uint16_t i;

	out->kind = LR_ELF_STATIC;
	if (phnum == 0)
		return;
	if (phentsize < need || phnum > MAX_PHNUM) {
		out->kind = LR_ELF_BAD;
		return;
	}
	for (i = 0; i < phnum; i++) {
		uint32_t type;
		uint64_t off, filesz;

		if (rd(e, phoff + (uint64_t)i * phentsize, ph, need) < 0) {
			out->kind = LR_ELF_BAD;
			return;
		}
		type = get32(e, ph);
		off = e->is64 ? get64(e, ph + 8) : get32(e, ph + 4);
		filesz = e->is64 ? get64(e, ph + 32) : get32(e, ph + 16);
		if (type == PT_INTERP) {
			size_t n = filesz < sizeof(out->interp) - 1 ? (size_t)filesz
			                                            : sizeof(out->interp) - 1;

			out->kind = LR_ELF_DYNAMIC;
			if (rd(e, off, out->interp, n) < 0)
				n = 0;
			out->interp[n] = '\0';
			out->interp[strnlen(out->interp, n)] = '\0';
		} else if (type == PT_NOTE && !out->go) {
			out->go = segment_has_go_note(e, off, filesz);
		}
	}
}

static bool is_go_section(const char *name)
{
	return strcmp(name, ".go.buildinfo") == 0 || strcmp(name, ".note.go.buildid") == 0 ||
	       strcmp(name, ".gopclntab") == 0;
}

/* The header of .go.buildinfo: magic, pointer size, flags; Go 1.18+ inlines the strings. */
#define GO_BUILDINFO_MAGIC     "\xff Go buildinf:"
#define GO_BUILDINFO_HDR       32
#define GO_BUILDINFO_INLINE    0x2
#define GO_BUILDINFO_MAX_BYTES 96

static void read_go_version(const struct elf *e, uint64_t off, uint64_t size,
                            struct lr_elf_info *out)
{
	unsigned char b[GO_BUILDINFO_MAX_BYTES];
	size_t n = size < sizeof(b) ? (size_t)size : sizeof(b);
	uint64_t len = 0;
	size_t pos = GO_BUILDINFO_HDR;
	int shift = 0;

	if (n <= GO_BUILDINFO_HDR || rd(e, off, b, n) < 0 ||
	    memcmp(b, GO_BUILDINFO_MAGIC, 14) != 0 || !(b[15] & GO_BUILDINFO_INLINE))
		return;
	/* A uvarint length, then the bytes. */
	while (pos < n && shift < 35) {
		len |= (uint64_t)(b[pos] & 0x7f) << shift;
		shift += 7;
		if (!(b[pos++] & 0x80))
			break;
	}
	if (len == 0 || len >= sizeof(out->go_version) || len > n - pos)
		return;
	memcpy(out->go_version, b + pos, (size_t)len);
	out->go_version[len] = '\0';
	if (strnlen(out->go_version, (size_t)len) != len)
		out->go_version[0] = '\0';
}

int lr_go_version_number(const char *v)
{
	unsigned long major, minor;
	char *end;

	if (strncmp(v, "go", 2) != 0 || v[2] < '0' || v[2] > '9')
		return 0;
	major = strtoul(v + 2, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return *end == '\0' && major < 1000 ? (int)(major * 1000) : 0;
	minor = strtoul(end + 1, &end, 10);
	if (major > 1000 || minor > 999)
		return 0;
	return (int)(major * 1000 + minor);
}

static void read_shdrs(const struct elf *e, const unsigned char *eh, struct lr_elf_info *out)
{
	uint64_t shoff = getw(e, eh + (e->is64 ? 40 : 32));
	uint16_t shentsize = get16(e, eh + (e->is64 ? 58 : 46));
	uint64_t shnum = get16(e, eh + (e->is64 ? 60 : 48));
	uint64_t shstrndx = get16(e, eh + (e->is64 ? 62 : 50));
	size_t need = e->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	unsigned char sh[sizeof(Elf64_Shdr)];
	uint64_t stroff, strsize, i;
	char *strtab;

	if (shoff == 0 || shentsize < need)
		return;
	/* Extended numbering: the real counts live in section header 0. */
	if (shnum == 0 || shstrndx == SHN_XINDEX) {
		if (rd(e, shoff, sh, need) < 0)
			return;
		if (shnum == 0)
			shnum = e->is64 ? get64(e, sh + 32) : get32(e, sh + 20);
		if (shstrndx == SHN_XINDEX)
			shstrndx = get32(e, sh + (e->is64 ? 40 : 24));
	}
	if (shnum > MAX_SHNUM || shstrndx >= shnum)
		return;
	if (rd(e, shoff + shstrndx * shentsize, sh, need) < 0)
		return;
	stroff = e->is64 ? get64(e, sh + 24) : get32(e, sh + 16);
	strsize = e->is64 ? get64(e, sh + 32) : get32(e, sh + 20);
	if (strsize == 0 || strsize > MAX_SHSTRTAB || !in_file(e, stroff, strsize))
		return;
	strtab = malloc((size_t)strsize + 1);
	if (!strtab)
		return;
	if (rd(e, stroff, strtab, (size_t)strsize) < 0)
		goto out;
	strtab[strsize] = '\0';
	for (i = 0; i < shnum && !out->go_version[0]; i++) {
		uint32_t name;

		if (rd(e, shoff + i * shentsize, sh, need) < 0)
			break;
		name = get32(e, sh);
		if (name < strsize && is_go_section(strtab + name))
			out->go = true;
		if (name < strsize && strcmp(strtab + name, ".go.buildinfo") == 0)
			read_go_version(e, e->is64 ? get64(e, sh + 24) : get32(e, sh + 16),
			                e->is64 ? get64(e, sh + 32) : get32(e, sh + 20), out);
	}
out:
	free(strtab);
}

void lr_elf_inspect(const struct lr_reader *r, struct lr_elf_info *out)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	struct elf e = {.r = r};
	uint16_t one = 1;
	bool host_le = *(unsigned char *)&one == 1;

	memset(out, 0, sizeof(*out));
	out->kind = LR_NOT_ELF;
	if (rd(&e, 0, eh, EI_NIDENT) < 0 || memcmp(eh, ELFMAG, SELFMAG) != 0)
		return;
	out->kind = LR_ELF_BAD;
	if (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64)
		return;
	if (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB)
		return;
	e.is64 = eh[EI_CLASS] == ELFCLASS64;
	e.swap = (eh[EI_DATA] == ELFDATA2LSB) != host_le;
	if (rd(&e, 0, eh, e.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)) < 0)
		return;
	read_phdrs(&e, eh, out);
	if (out->kind == LR_ELF_BAD)
		return;
	/* Even when a note said Go: the toolchain version is in .go.buildinfo. */
	read_shdrs(&e, eh, out);
}
