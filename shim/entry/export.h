/* SPDX-License-Identifier: MIT */
/* Marks the interposed functions: the only symbols the library exports. */
#ifndef MPTCP_RUN_EXPORT_H
#define MPTCP_RUN_EXPORT_H

#define MR_EXPORT __attribute__((visibility("default")))

#endif
