/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of launcher/elfinfo.c on synthetic ELF images (dynamic, static, Go
 * by section and by note, both classes and byte orders, hostile headers) and
 * on real files: /bin/true is dynamic, busybox-static's /bin/busybox static.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/binary.h"
#include "text/elfinfo.h"

#define INTERP "/lib64/ld-linux-x86-64.so.2"

struct image {
	unsigned char buf[4096];
	size_t len;
};

struct spec {
	bool interp;
	const char *section; /* extra section name, e.g. ".go.buildinfo" */
	bool go_note;
	const void *content; /* the extra section's bytes, at offset 3072 */
	size_t content_len;
};

static size_t put(struct image *im, size_t off, const void *p, size_t n)
{
	memcpy(im->buf + off, p, n);
	if (off + n > im->len)
		im->len = off + n;
	return off + n;
}

/* A little-endian ELF64 executable laid out by hand. */
static void build64(struct image *im, const struct spec *s)
{
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph[2];
	Elf64_Shdr sh[3];
	char strtab[64];
	size_t phnum = 0, strsize;
	unsigned char note[32];
	uint32_t nh[3] = {4, 20, 4}; /* namesz, descsz, type GO_BUILDID */

	memset(im, 0, sizeof(*im));
	memset(ph, 0, sizeof(ph));
	memset(sh, 0, sizeof(sh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = 64;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_ehsize = sizeof(eh);
	if (s->interp) {
		put(im, 1024, INTERP, sizeof(INTERP));
		ph[phnum].p_type = PT_INTERP;
		ph[phnum].p_offset = 1024;
		ph[phnum].p_filesz = sizeof(INTERP);
		phnum++;
	}
	if (s->go_note) {
		memcpy(note, nh, 12);
		/* Note bytes, not a string. */
		// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
		memcpy(note + 12, "Go\0\0", 4);
		memset(note + 16, 'x', 16);
		put(im, 1536, note, 32);
		ph[phnum].p_type = PT_NOTE;
		ph[phnum].p_offset = 1536;
		ph[phnum].p_filesz = 32;
		phnum++;
	}
	eh.e_phnum = (Elf64_Half)phnum;
	put(im, 64, ph, phnum * sizeof(ph[0]));
	/* Sections: null, .shstrtab, and the optional named one. */
	strsize = (size_t)snprintf(strtab, sizeof(strtab), "%c.shstrtab%c%s", 0, 0,
	                           s->section ? s->section : ".text") +
	          1;
	put(im, 2048, strtab, strsize);
	sh[1].sh_name = 1;
	sh[1].sh_type = SHT_STRTAB;
	sh[1].sh_offset = 2048;
	sh[1].sh_size = strsize;
	sh[2].sh_name = 11;
	sh[2].sh_type = SHT_PROGBITS;
	if (s->content) {
		put(im, 3072, s->content, s->content_len);
		sh[2].sh_offset = 3072;
		sh[2].sh_size = s->content_len;
	}
	eh.e_shoff = 2560;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 3;
	eh.e_shstrndx = 1;
	put(im, 2560, sh, sizeof(sh));
	put(im, 0, &eh, sizeof(eh));
}

static void inspect(const struct image *im, struct lr_elf_info *info)
{
	struct lr_mem m = {.buf = im->buf, .len = im->len};
	struct lr_reader r = {.read_at = lr_mem_read_at, .ctx = &m, .size = im->len};

	lr_elf_inspect(&r, info);
}

/* .go.buildinfo as Go 1.18+ writes it: magic, ptrsize, flags (2: inline strings), pad to 32. */
static size_t buildinfo(unsigned char *b, const char *version, int flags)
{
	size_t n = strlen(version);

	memset(b, 0, 32);
	memcpy(b, "\xff Go buildinf:", 14);
	b[14] = 8;
	b[15] = (unsigned char)flags;
	b[32] = (unsigned char)n;
	memcpy(b + 33, version, n);
	b[33 + n] = 0; /* empty modinfo */
	return 34 + n;
}

static void test_go_version(void **state)
{
	unsigned char b[128];
	struct image im;
	struct lr_elf_info info;
	size_t n;

	(void)state;
	n = buildinfo(b, "go1.19.8", 2);
	build64(&im, &(struct spec){.section = ".go.buildinfo", .content = b, .content_len = n});
	inspect(&im, &info);
	assert_true(info.go);
	assert_string_equal(info.go_version, "go1.19.8");
	/* The version is read even when a Go note already said "Go". */
	build64(&im,
	        &(struct spec){
	            .section = ".go.buildinfo", .go_note = true, .content = b, .content_len = n});
	inspect(&im, &info);
	assert_string_equal(info.go_version, "go1.19.8");
	/* Before Go 1.18 (no inline flag): Go, version unknown. */
	n = buildinfo(b, "go1.17", 0);
	build64(&im, &(struct spec){.section = ".go.buildinfo", .content = b, .content_len = n});
	inspect(&im, &info);
	assert_true(info.go);
	assert_string_equal(info.go_version, "");
	/* A length past the section, or a bad magic: no version. */
	n = buildinfo(b, "go1.21.0", 2);
	b[32] = 120;
	build64(&im, &(struct spec){.section = ".go.buildinfo", .content = b, .content_len = n});
	inspect(&im, &info);
	assert_string_equal(info.go_version, "");
	n = buildinfo(b, "go1.21.0", 2);
	b[1] = 'X';
	build64(&im, &(struct spec){.section = ".go.buildinfo", .content = b, .content_len = n});
	inspect(&im, &info);
	assert_string_equal(info.go_version, "");

	assert_int_equal(lr_go_version_number("go1.19.8"), 1019);
	assert_int_equal(lr_go_version_number("go1.21"), 1021);
	assert_int_equal(lr_go_version_number("go1.21rc2"), 1021);
	assert_int_equal(lr_go_version_number("go1.22.0 X:boringcrypto"), 1022);
	assert_int_equal(lr_go_version_number("go2"), 2000);
	assert_int_equal(lr_go_version_number("devel go1.23-abc"), 0);
	assert_int_equal(lr_go_version_number(""), 0);
	assert_int_equal(lr_go_version_number("go"), 0);
}

static void test_dynamic_static(void **state)
{
	struct image im;
	struct lr_elf_info info;

	(void)state;
	build64(&im, &(struct spec){.interp = true});
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_DYNAMIC);
	assert_string_equal(info.interp, INTERP);
	assert_false(info.go);

	build64(&im, &(struct spec){.interp = false});
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_STATIC);
	assert_false(info.go);
}

static void test_go(void **state)
{
	struct image im;
	struct lr_elf_info info;

	(void)state;
	build64(&im, &(struct spec){.interp = false, .section = ".go.buildinfo"});
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_STATIC);
	assert_true(info.go);

	/* cgo programs are dynamic and still Go. */
	build64(&im, &(struct spec){.interp = true, .section = ".note.go.buildid"});
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_DYNAMIC);
	assert_true(info.go);

	/* Stripped section headers: the build ID note in PT_NOTE still tells. */
	build64(&im, &(struct spec){.go_note = true});
	((Elf64_Ehdr *)(void *)im.buf)->e_shoff = 0;
	inspect(&im, &info);
	assert_true(info.go);

	build64(&im, &(struct spec){.interp = true, .section = ".go.buildinfox"});
	inspect(&im, &info);
	assert_false(info.go);
}

/* Big-endian ELF32 with a PT_INTERP: byte order and class handled. */
static void test_elf32_be(void **state)
{
	unsigned char b[512] = {0};
	struct lr_mem m = {.buf = b, .len = sizeof(b)};
	struct lr_reader r = {.read_at = lr_mem_read_at, .ctx = &m, .size = sizeof(b)};
	struct lr_elf_info info;

	(void)state;
	/* The ELF magic, not a string. */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = ELFCLASS32;
	b[EI_DATA] = ELFDATA2MSB;
	b[EI_VERSION] = EV_CURRENT;
	b[31] = 52; /* e_phoff = 52 (big-endian, 4 bytes at 28) */
	b[43] = 32; /* e_phentsize */
	b[45] = 1;  /* e_phnum */
	b[52 + 3] = PT_INTERP;
	b[52 + 6] = 1;  /* p_offset = 256 */
	b[52 + 19] = 8; /* p_filesz = 8 */
	/* 8 bytes, the NUL included. */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(b + 256, "/lib/ld\0", 8);
	lr_elf_inspect(&r, &info);
	assert_int_equal(info.kind, LR_ELF_DYNAMIC);
	assert_string_equal(info.interp, "/lib/ld");
}

static void test_hostile(void **state)
{
	struct image im;
	struct lr_elf_info info;
	Elf64_Ehdr *eh;

	(void)state;
	/* Not ELF at all. */
	memset(&im, 0, sizeof(im));
	memcpy(im.buf, "#!/bin/sh\n", 10);
	im.len = 10;
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_NOT_ELF);
	/* Empty file. */
	im.len = 0;
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_NOT_ELF);

	/* Truncated header. */
	build64(&im, &(struct spec){.interp = true});
	im.len = 40;
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_BAD);

	/* Program headers beyond the end of the file. */
	build64(&im, &(struct spec){.interp = true});
	eh = (Elf64_Ehdr *)(void *)im.buf;
	eh->e_phoff = 0xfffffffffffff000ull;
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_BAD);

	/* Absurd counts and sizes. */
	build64(&im, &(struct spec){.interp = true});
	eh->e_phnum = 0xffff;
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_BAD);
	build64(&im, &(struct spec){.interp = true});
	eh->e_phentsize = 4;
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_BAD);

	/* PT_INTERP pointing outside the file: still has a loader, empty name. */
	build64(&im, &(struct spec){.interp = true});
	((Elf64_Phdr *)(void *)(im.buf + 64))->p_offset = 1u << 30;
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_DYNAMIC);
	assert_string_equal(info.interp, "");

	/* Section header garbage: no Go, no crash. */
	build64(&im, &(struct spec){.interp = true, .section = ".go.buildinfo"});
	eh->e_shstrndx = 200;
	inspect(&im, &info);
	assert_false(info.go);
	build64(&im, &(struct spec){.interp = true, .section = ".go.buildinfo"});
	((Elf64_Shdr *)(void *)(im.buf + 2560))[1].sh_size = 1ull << 40;
	inspect(&im, &info);
	assert_false(info.go);
	build64(&im, &(struct spec){.interp = true, .section = ".go.buildinfo"});
	((Elf64_Shdr *)(void *)(im.buf + 2560))[2].sh_name = 0xffffffffu;
	inspect(&im, &info);
	assert_false(info.go);

	/* A note whose sizes run past its segment. */
	build64(&im, &(struct spec){.go_note = true});
	eh->e_shoff = 0;
	((uint32_t *)(void *)(im.buf + 1536))[0] = 0xfffffff0u;
	inspect(&im, &info);
	assert_false(info.go);

	/* Unknown class. */
	build64(&im, &(struct spec){.interp = true});
	im.buf[EI_CLASS] = 7;
	inspect(&im, &info);
	assert_int_equal(info.kind, LR_ELF_BAD);
}

static void test_real_files(void **state)
{
	struct lr_binary b;

	(void)state;
	lr_binary_inspect("/bin/true", &b);
	assert_int_equal(b.err, 0);
	assert_true(b.exe_ok);
	assert_int_equal(b.elf.kind, LR_ELF_DYNAMIC);
	assert_false(b.elf.go);
	assert_null(lr_binary_problem(&b));

	if (access("/bin/busybox", X_OK) == 0) {
		lr_binary_inspect("/bin/busybox", &b);
		assert_int_equal(b.elf.kind, LR_ELF_STATIC);
		assert_non_null(strstr(lr_binary_problem(&b), "static"));
	} else {
		print_message("skipped: /bin/busybox missing (install busybox-static)\n");
	}

	lr_binary_inspect("no-such-command-mptcp-run", &b);
	assert_int_equal(b.err, ENOENT);
}

static void test_script(void **state)
{
	char dir[] = "/tmp/mr-elf-XXXXXX", path[64];
	struct lr_binary b;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/usr/bin/env true\necho\n", f);
	fclose(f);
	chmod(path, 0755);
	lr_binary_inspect(path, &b);
	assert_true(b.script);
	assert_true(b.exe_ok);
	assert_int_equal(b.elf.kind, LR_ELF_DYNAMIC);
	assert_non_null(strstr(b.exe, "true"));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dynamic_static), cmocka_unit_test(test_go),
	    cmocka_unit_test(test_go_version),     cmocka_unit_test(test_elf32_be),
	    cmocka_unit_test(test_hostile),        cmocka_unit_test(test_real_files),
	    cmocka_unit_test(test_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
