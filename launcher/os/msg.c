/* SPDX-License-Identifier: MIT */
#include "os/msg.h"

#include <stdarg.h>
#include <stdio.h>

bool lr_quiet;

void lr_err(const char *fmt, ...)
{
	va_list ap;

	fputs("mptcp-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void lr_warn(const char *fmt, ...)
{
	va_list ap;

	if (lr_quiet)
		return;
	fputs("mptcp-run: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
