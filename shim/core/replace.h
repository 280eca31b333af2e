/* SPDX-License-Identifier: MIT */
/*
 * Replacing a socket under the same descriptor: the one mechanism behind
 * endpoint decisions and the socket-option fallback.
 */
#ifndef MPTCP_RUN_SWAP_H
#define MPTCP_RUN_SWAP_H

#include <stdbool.h>

#include "core/fdtable.h"

/*
 * Replaces fd's socket by a new one of the other protocol (MPTCP <-> TCP),
 * keeping the descriptor number, O_NONBLOCK, FD_CLOEXEC, every recorded option,
 * the recorded bind address and the epoll registrations. Returns true on
 * success; false leaves fd exactly as it was and sets *why. errno is preserved.
 */
bool mr_swap(int fd, struct mr_fd *e, bool to_mptcp, const char **why);

#endif
