/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/real.h"
#include "kernel/log.h"

int mr_log_level = MR_LOG_ERROR;

int mr_log_parse_level(const char *s)
{
	static const char *const names[] = {"off", "error", "warn", "info", "debug"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/*
 * A daemon may have closed stderr and had descriptor 2 reused by a network
 * connection: writing there would corrupt its traffic. Journald's stream is an
 * AF_UNIX socket, so only inet sockets are refused.
 */
static int stderr_is_safe(void)
{
	struct stat st;
	int domain;
	socklen_t len = sizeof(domain);
	if (fstat(2, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return 1;
	if (real_getsockopt(2, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return 0;
	return domain == AF_UNIX;
}

void mr_log_write(int level, const char *fmt, ...)
{
	static const char *const tags[] = {"", "error", "warn", "info", "debug"};
	char buf[768];
	int saved = errno;
	int n = snprintf(buf, sizeof(buf), "mptcp-run[%d]: %s: ", (int)getpid(),
	                 level >= 1 && level <= 4 ? tags[level] : "?");
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	size_t len =
	    (size_t)n +
	    ((size_t)m < sizeof(buf) - (size_t)n - 1 ? (size_t)m : sizeof(buf) - (size_t)n - 2);
	buf[len++] = '\n';
	if (stderr_is_safe()) {
		ssize_t w = write(2, buf, len);
		(void)w;
	}
	errno = saved;
}
