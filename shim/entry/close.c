/* SPDX-License-Identifier: MIT */
/*
 * close(): the descriptor is reported and forgotten first (core/closing.c), then
 * closed. A program closing the number of the path daemon's channel (a loop over
 * every number) takes that number: the library stops using it.
 */
#include <unistd.h>

#include "core/lifecycle.h"
#include "core/pathd_channel.h"
#include "entry/export.h"
#include "kernel/real.h"

MR_EXPORT int close(int fd)
{
	mr_before_close(fd);
	mr_pathd_chan_release(fd);
	return real_close(fd);
}
