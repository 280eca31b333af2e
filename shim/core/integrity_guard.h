/* SPDX-License-Identifier: MIT */
/*
 * Whether a listener may be MPTCP on this kernel. The kernel fault of README's
 * "The kernel's multi-path data fault" hands the RECEIVER of a passively
 * accepted join misplaced bytes; a listener is where a program receives such
 * joins, from clients it does not control. So unless the program accepts the
 * risk (integrity = "accept-risk") or `mptcp-run check` recorded this kernel
 * as intact in this boot, a listener stays TCP. Connecting sockets are not
 * concerned: the joins they make are active, and the fault is on the passive
 * side.
 */
#ifndef MPTCP_RUN_CORE_INTEGRITY_GUARD_H
#define MPTCP_RUN_CORE_INTEGRITY_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/runtime.h"

/*
 * true when a listener of this program may be MPTCP; otherwise false with why
 * filled ("this kernel misorders data received on joined subflows ...").
 * The record is read at most every few seconds, only from listen().
 */
bool mr_listener_may_be_mptcp(const struct mr_runtime *rt, char *why, size_t wsize);

#endif
