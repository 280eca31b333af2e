/* SPDX-License-Identifier: MIT */
/* Another process's executable (os/proc_exe.h). */
#include "os/proc_exe.h"

#include <stdio.h>
#include <unistd.h>

size_t lr_proc_exe(pid_t pid, char *buf, size_t size)
{
	char link[32];
	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)pid);
	ssize_t n = readlink(link, buf, size - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return (size_t)n;
}
