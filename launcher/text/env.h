/* SPDX-License-Identifier: MIT */
/*
 * Pure environment value merging: LD_PRELOAD and GODEBUG. No getenv/setenv
 * here, so every rule is unit-tested on plain strings.
 */
#ifndef MPTCP_RUN_LAUNCHER_ENV_H
#define MPTCP_RUN_LAUNCHER_ENV_H

#include <stdbool.h>

#define LR_LIB_NAME "libmptcp-run.so"

/* ld.so splits LD_PRELOAD on spaces and colons; true if one entry is exactly `lib`. */
bool lr_preload_has(const char *list, const char *lib);

/*
 * The LD_PRELOAD value to use: `lib` first (so our socket() is found before
 * any other interposer's), then every entry the user had. If `lib` is already
 * an entry the old value is returned unchanged; another copy of the library
 * (an entry whose file name is libmptcp-run.so) is replaced, because two
 * copies would both interpose. old may be NULL. Returns malloc'd text, NULL
 * when out of memory.
 */
char *lr_preload_merge(const char *old, const char *lib);

/* LD_PRELOAD without `lib` (and other copies of it); used when the library is absent. */
char *lr_preload_remove(const char *old, const char *lib);

/* True if the comma-separated GODEBUG text has a multipathtcp= setting. */
bool lr_godebug_has_mptcp(const char *godebug);

/*
 * GODEBUG with multipathtcp=1 added, comma-joined, unless the user already
 * chose a multipathtcp value (theirs wins, it may be 0 on purpose).
 * old may be NULL. Returns malloc'd text, NULL when out of memory.
 */
char *lr_godebug_merge(const char *old);

#endif
