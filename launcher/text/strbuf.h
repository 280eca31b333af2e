/* SPDX-License-Identifier: MIT */
/*
 * A growable, always NUL-terminated string. Every text the launcher builds
 * (environment values, ld.so.preload, drop-ins) goes through it, so there is
 * no fixed-size buffer to overflow and no length arithmetic at call sites.
 * Allocation failure is sticky: the caller checks once, at lr_buf_take().
 */
#ifndef MPTCP_RUN_LAUNCHER_STRBUF_H
#define MPTCP_RUN_LAUNCHER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct lr_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

void lr_buf_init(struct lr_buf *b);
void lr_buf_add(struct lr_buf *b, const char *s, size_t n);
void lr_buf_adds(struct lr_buf *b, const char *s);
void lr_buf_addc(struct lr_buf *b, char c);
/* Hands the string to the caller (free() it); NULL if any allocation failed. */
char *lr_buf_take(struct lr_buf *b);
void lr_buf_free(struct lr_buf *b);

#endif
