/* SPDX-License-Identifier: MIT */
/*
 * Reading the kernel integrity record (format/integrity_record.h) for the
 * running kernel: the file's trust checks on the opened descriptor (a regular
 * file owned by root that nobody else may write, a few hundred bytes), then
 * the record checked against uname(2) and the boot id. Shared by the preload
 * library, the path daemon and the launcher, so all of them believe the same
 * files.
 */
#ifndef MPTCP_RUN_KERNEL_INTEGRITY_FILE_H
#define MPTCP_RUN_KERNEL_INTEGRITY_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "format/integrity_record.h"

#define MR_INTEGRITY_FILE MR_STATEDIR "/kernel-integrity"
#define MR_INTEGRITY_MAX  4096 /* a larger file is not a record */

/*
 * The running kernel's integrity as recorded at path (MR_INTEGRITY_FILE):
 * MR_KI_INTACT or MR_KI_MISORDERS with *rec filled when a trusted record for
 * this kernel and boot exists, else MR_KI_UNKNOWN with why saying why
 * ("not probed yet", "ignored: recorded in an earlier boot", ...).
 */
enum mr_kernel_integrity mr_kernel_integrity_read(const char *path, struct mr_integrity_record *rec,
                                                  char *why, size_t wsize);

/*
 * Whether this network namespace lets peers join only the addresses its userspace path
 * manager announces: net.mptcp.allow_join_initial_addr_port = 0 (peers are told not to join
 * the first address and port) and net.mptcp.path_manager = userspace (no in-kernel endpoint
 * announces anything). With the path daemon as that manager, every join this host receives is
 * one it protects.
 */
bool mr_kernel_joins_announced_only(void);

/* The running kernel's identity as the record names it; false when it cannot be read. */
bool mr_kernel_identity(char release[MR_KI_FIELD], char version[MR_KI_FIELD],
                        char boot_id[MR_KI_FIELD]);

#endif
