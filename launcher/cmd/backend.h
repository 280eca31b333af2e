/* SPDX-License-Identifier: MIT */
/*
 * Which backend a binary gets when run by `mptcp-run` without --supervise or
 * --no-supervise, and why, in words: shared by run's choice, `enable`,
 * `check` and `explain` (cmd/backend.c).
 */
#ifndef MPTCP_RUN_LAUNCHER_CMD_BACKEND_H
#define MPTCP_RUN_LAUNCHER_CMD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "os/binary.h"

enum lr_backend {
	LR_BACKEND_PRELOAD,    /* the preload library */
	LR_BACKEND_GODEBUG,    /* Go 1.21 or later: GODEBUG=multipathtcp=1 */
	LR_BACKEND_SUPERVISOR, /* seccomp user notification */
	LR_BACKEND_NONE,       /* nothing reaches it: sockets stay TCP */
};

/* Go 1.21 added GODEBUG=multipathtcp; older toolchains ignore it. */
#define LR_GO_MPTCP_VERSION 1021

/*
 * The backend for an inspected binary; why (may be NULL) gets the reason
 * ("Go 1.19 ignores GODEBUG=multipathtcp"). sys_admin: the launcher would run
 * with CAP_SYS_ADMIN (then a set-ID program keeps its privileges under the
 * supervisor).
 */
enum lr_backend lr_backend_of(const struct lr_binary *b, bool sys_admin, char *why, size_t size);
const char *lr_backend_name(enum lr_backend k);

#endif
