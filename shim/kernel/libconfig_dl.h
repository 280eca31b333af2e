/* SPDX-License-Identifier: MIT */
/*
 * libconfig, opened on demand inside the preload library.
 *
 * The library is loaded into every process of a machine that uses
 * /etc/ld.so.preload; linking libconfig would make each of them map and
 * relocate it at start, though most never create a socket and so never read
 * the config. The parser asks for this table only when it has text to parse.
 */
#ifndef MPTCP_RUN_KERNEL_LIBCONFIG_DL_H
#define MPTCP_RUN_KERNEL_LIBCONFIG_DL_H

#include "policy/config_text.h"

/* Opens libconfig once (an mr_libconfig_get); NULL (and *why set) if it cannot be loaded. */
const struct mr_libconfig *mr_libconfig_dl(const char **why);

#endif
