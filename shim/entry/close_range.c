/* SPDX-License-Identifier: MIT */
/* close_range(), closefrom(): ranges of descriptors, minus the report's own (core/closing.c). */
#include <unistd.h>

#include "core/lifecycle.h"
#include "entry/export.h"

MR_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	return mr_close_range(first, last, flags);
}

MR_EXPORT void closefrom(int lowfd)
{
	mr_closefrom(lowfd);
}
