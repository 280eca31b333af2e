/* SPDX-License-Identifier: MIT */
/* libconfig as linked into the launcher, the tests and the fuzzers (never the preload library). */
#ifndef MPTCP_RUN_KERNEL_LIBCONFIG_LINKED_H
#define MPTCP_RUN_KERNEL_LIBCONFIG_LINKED_H

#include "policy/config_text.h"

/* An mr_libconfig_get that never fails. */
const struct mr_libconfig *mr_libconfig_linked(const char **why);

#endif
