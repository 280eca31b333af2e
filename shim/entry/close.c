/* SPDX-License-Identifier: MIT */
/* close(): the descriptor is reported and forgotten first (core/closing.c), then closed. */
#include <unistd.h>

#include "core/lifecycle.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int close(int fd)
{
	mr_before_close(fd);
	return real_close(fd);
}
