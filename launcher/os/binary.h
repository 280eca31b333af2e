/* SPDX-License-Identifier: MIT */
/*
 * What will actually run when we exec a command, and whether the preload
 * library can reach it: resolves the command through PATH like execvp,
 * follows "#!" interpreters, and looks at the ELF headers and set-ID bits of
 * the binary the kernel ends up loading.
 */
#ifndef MPTCP_RUN_LAUNCHER_BINARY_H
#define MPTCP_RUN_LAUNCHER_BINARY_H

#include "text/elfinfo.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct lr_binary {
	char path[PATH_MAX]; /* the command as execvp will find it */
	int err;             /* 0, or the errno execvp would fail with (ENOENT, EACCES) */
	bool script;         /* "#!" (or no ELF magic: execvp hands it to /bin/sh) */
	char exe[PATH_MAX];  /* the binary the kernel loads: path, or the final interpreter */
	bool exe_ok;         /* exe could be opened and inspected */
	struct lr_elf_info elf;
	bool setuid, setgid; /* set-ID bits that change credentials, so ld.so ignores LD_PRELOAD */
	bool filecaps;       /* security.capability xattr: same effect */
};

/* execvp's PATH search: 0 and the path in out, or ENOENT/EACCES. */
int lr_find_command(const char *cmd, char *out, size_t size);

void lr_binary_inspect(const char *cmd, struct lr_binary *b);

/*
 * Why LD_PRELOAD cannot work for this binary, as the words after
 * "mptcp-run: warning: PATH: "; NULL when it can. Go programs are reported
 * separately (they get GODEBUG instead).
 */
const char *lr_binary_problem(const struct lr_binary *b);

#endif
