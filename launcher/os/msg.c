/* SPDX-License-Identifier: MIT */
#include "os/msg.h"

#include <stdarg.h>
#include <stdio.h>

bool lr_quiet;
bool lr_debug;

static const char *component;

void lr_msg_component(const char *name)
{
	component = name;
}

/* Formatted first, then printed with one call: stderr is unbuffered, and one fprintf() is one
 * write(), so the lines of the daemon and of programs sharing its stderr do not cut each
 * other. A message longer than the buffer is cut short. */
static void emit(const char *level, const char *fmt, va_list ap)
{
	char text[4096];

	vsnprintf(text, sizeof(text), fmt, ap);
	fprintf(stderr, "mptcp-run%s%s: %s%s\n", component ? " " : "", component ? component : "",
	        level ? level : "", text);
}

void lr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
}

void lr_warn(const char *fmt, ...)
{
	va_list ap;

	if (lr_quiet)
		return;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void lr_info(const char *fmt, ...)
{
	va_list ap;

	if (lr_quiet)
		return;
	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
}

void lr_dbg_print(const char *fmt, ...)
{
	va_list ap;

	if (!lr_debug)
		return;
	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
}
