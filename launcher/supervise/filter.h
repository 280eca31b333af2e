/* SPDX-License-Identifier: MIT */
/* The child's half of the supervisor: the seccomp filter (supervise/filter.c). */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_FILTER_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_FILTER_H

#include <stdbool.h>

#include "supervise/plan.h"

/*
 * In the child, before exec: installs the filter with a new listener.
 * Returns the listener fd, or -errno. *nnp says whether no_new_privs had to
 * be set (no CAP_SYS_ADMIN).
 */
int lr_sv_install_filter(const struct lr_sv_plan *plan, bool *nnp);

#endif
