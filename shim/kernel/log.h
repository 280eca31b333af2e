/* SPDX-License-Identifier: MIT */
/* Logging to stderr, one line per call, never into a network socket. */
#ifndef MPTCP_RUN_LOG_H
#define MPTCP_RUN_LOG_H

enum mr_log_level { MR_LOG_OFF, MR_LOG_ERROR, MR_LOG_WARN, MR_LOG_INFO, MR_LOG_DEBUG };

extern int mr_log_level;

/* Parses off|error|warn|info|debug; -1 if unknown. */
int mr_log_parse_level(const char *s);

__attribute__((format(printf, 2, 3))) void mr_log_write(int level, const char *fmt, ...);

#define mr_log(level, ...)                                                                         \
	do {                                                                                       \
		if (__builtin_expect(mr_log_level >= (level), 0))                                  \
			mr_log_write((level), __VA_ARGS__);                                        \
	} while (0)

#endif
