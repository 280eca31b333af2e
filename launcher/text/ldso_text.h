/* SPDX-License-Identifier: MIT */
/*
 * Pure editing of /etc/ld.so.preload text. glibc's loader reads the file as
 * names separated by white space or ':' with '#' comments; we edit only our
 * own entry and keep every other byte of the file.
 */
#ifndef MPTCP_RUN_LAUNCHER_LDSO_TEXT_H
#define MPTCP_RUN_LAUNCHER_LDSO_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True if `lib` is one of the (uncommented) entries. */
bool lr_ldso_has(const char *text, size_t len, const char *lib);

/*
 * Text with `lib` appended on a line of its own, or an unchanged copy if it
 * is already there (*changed tells which). Returns malloc'd text (NUL
 * terminated, *out_len bytes), NULL when out of memory.
 */
char *lr_ldso_add(const char *text, size_t len, const char *lib, size_t *out_len, bool *changed);

/*
 * Text without any `lib` entry. A line that held only our entry disappears;
 * a line shared with other entries or a comment keeps them.
 */
char *lr_ldso_remove(const char *text, size_t len, const char *lib, size_t *out_len, bool *changed);

#endif
