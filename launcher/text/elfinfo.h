/* SPDX-License-Identifier: MIT */
/*
 * Classifies an executable from its ELF headers: does the kernel hand it to a
 * dynamic loader (so LD_PRELOAD can work), and is it a Go program (which makes
 * its own socket system calls). Reads go through a callback with explicit
 * offsets and sizes, every size is checked against the file size and capped,
 * so a hostile or truncated file costs a few small reads and nothing else.
 * Pure: the unit tests feed it synthetic buffers.
 */
#ifndef MPTCP_RUN_LAUNCHER_ELFINFO_H
#define MPTCP_RUN_LAUNCHER_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lr_reader {
	/* Reads exactly len bytes at off; returns 0, or -1 (short read, error). */
	int (*read_at)(void *ctx, uint64_t off, void *buf, size_t len);
	void *ctx;
	uint64_t size;
};

enum lr_elf_kind {
	LR_NOT_ELF,     /* no ELF magic: a script or something execvp hands to /bin/sh */
	LR_ELF_BAD,     /* ELF magic but headers we cannot trust */
	LR_ELF_DYNAMIC, /* has PT_INTERP: ld.so runs first and honours LD_PRELOAD */
	LR_ELF_STATIC,  /* no PT_INTERP (static, static-pie): nothing reads LD_PRELOAD */
};

struct lr_elf_info {
	enum lr_elf_kind kind;
	bool go;          /* .go.buildinfo / .note.go.buildid section, or a "Go" build ID note */
	char interp[256]; /* PT_INTERP, when dynamic */
	/*
	 * The Go toolchain that built it, from .go.buildinfo ("go1.19.8"); empty
	 * when unknown (no section, or the layout before Go 1.18, which keeps the
	 * version behind pointers).
	 */
	char go_version[48];
};

/*
 * Go's version as major*1000 + minor ("go1.19.8" -> 1019); 0 when it is not
 * a release version ("devel ...", empty).
 */
int lr_go_version_number(const char *v);

void lr_elf_inspect(const struct lr_reader *r, struct lr_elf_info *out);

/* A reader over a memory buffer (ctx points to this struct). */
struct lr_mem {
	const unsigned char *buf;
	size_t len;
};
int lr_mem_read_at(void *ctx, uint64_t off, void *buf, size_t len);

#endif
