/* SPDX-License-Identifier: MIT */
/* Placeholder until the report module lands: reporting stays disabled. */
#include "report.h"

bool mr_report_enabled;

void mr_report_init(const char *path)
{
	(void)path;
}

void mr_report_close(int fd, struct mr_fd *e)
{
	(void)fd;
	(void)e;
}
