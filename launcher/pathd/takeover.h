/* SPDX-License-Identifier: MIT */
/*
 * Owning the namespace's path manager while the daemon runs: one daemon per
 * network namespace (an abstract unix socket, gone with its process even
 * after SIGKILL), net.mptcp.path_manager (pm_type before 6.15) switched to
 * userspace and restored on every exit the daemon can see, fatal signals
 * included; a start next to another userspace path manager is refused.
 */
#ifndef MPTCP_RUN_PATHD_TAKEOVER_H
#define MPTCP_RUN_PATHD_TAKEOVER_H

#include <stdbool.h>
#include <stdint.h>

/* The lock's descriptor, -1 with errno when another daemon holds it. */
int pd_instance_lock(void);
/* Switches to the userspace path manager; false with a message when it must not. group: the
 * mptcp_pm_events group, checked for other listeners before the daemon joins it. The fatal
 * signals restore it from here on. */
bool pd_take_pm(uint32_t group);
/* Puts back what pd_take_pm found (async-signal-safe); nothing when it changed nothing. */
void pd_restore_pm(void);

#endif
