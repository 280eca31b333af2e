/* SPDX-License-Identifier: MIT */
/*
 * What `check` and `explain` say about the kernel's multi-path data fault
 * (README, "The kernel's multi-path data fault"): the verdict line of a
 * probe or of the recorded one, and the protection one program gets.
 */
#ifndef MPTCP_RUN_CMD_INTEGRITY_TEXT_H
#define MPTCP_RUN_CMD_INTEGRITY_TEXT_H

#include <stddef.h>

#include "format/integrity_record.h"
#include "policy/policy.h"

/*
 * The verdict line for a kernel: what was found (release, k of n, the shape,
 * the time), what it means for the user, what protects them. state is
 * MR_KI_UNKNOWN when no record applies (why says why). Returns "ok" or "warn".
 */
const char *lr_integrity_verdict(enum mr_kernel_integrity state,
                                 const struct mr_integrity_record *rec, const char *why, char *buf,
                                 size_t size);

/* The protection a program gets on this kernel, for `explain`. */
void lr_integrity_protection(const struct mr_program *prog, enum mr_kernel_integrity state,
                             char *buf, size_t size);

#endif
