/* SPDX-License-Identifier: MIT */
#include "pathd/takeover.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "os/msg.h"
#include "os/sysctl.h"

static char saved_pm[32];    /* the value to restore, "" when nothing to restore */
static char saved_file[128]; /* which file it goes back to */

static bool write_small(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = write(fd, v, strlen(v));
	close(fd);
	return n == (ssize_t)strlen(v);
}

/* Async-signal-safe: also called from the fatal-signal handler. */
void pd_restore_pm(void)
{
	if (!saved_pm[0])
		return;
	int fd = open(saved_file, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = write(fd, saved_pm, strlen(saved_pm));
		(void)n;
		close(fd);
	}
	saved_pm[0] = '\0';
}

static void fatal_signal(int sig)
{
	pd_restore_pm();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Whether some socket of this namespace listens to mptcp_pm_events: another
 * userspace path manager (mptcpd, a second pathd) or a monitor. /proc/net/netlink
 * shows the first 32 groups of each socket of the reader's namespace.
 */
static bool events_have_listeners(uint32_t group)
{
	FILE *f = fopen("/proc/net/netlink", "re");
	char line[256];
	bool found = false;
	if (!f || group == 0 || group > 32) {
		if (f)
			fclose(f);
		return false;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sk;
		int eth;
		unsigned pid;
		unsigned long groups;
		/* NOLINTNEXTLINE(cert-err34-c): a line that does not parse fails the == 4 test */
		if (sscanf(line, "%llx %d %u %lx", &sk, &eth, &pid, &groups) == 4 &&
		    eth == NETLINK_GENERIC && (groups & (1ul << (group - 1))))
			found = true;
	}
	fclose(f);
	return found;
}

bool pd_take_pm(uint32_t group)
{
	static const char *const pm = "/proc/sys/net/mptcp/path_manager";
	static const char *const type = "/proc/sys/net/mptcp/pm_type";
	char cur[32];
	const char *file = pm, *want = "userspace", *kernel = "kernel";
	if (!lr_read_sysctl(pm, cur, sizeof(cur))) {
		file = type; /* before 6.15 */
		want = "1";
		kernel = "0";
		if (!lr_read_sysctl(type, cur, sizeof(cur))) {
			lr_err("this kernel has no userspace MPTCP path manager (no %s)", type);
			return false;
		}
	}
	bool userspace = strcmp(cur, want) == 0;
	if (userspace && events_have_listeners(group)) {
		lr_err(
		    "another userspace path manager is active in this network namespace "
		    "(%s = %s and mptcp_pm_events has a listener, e.g. mptcpd): refusing to start",
		    file, cur);
		return false;
	}
	if (!userspace && events_have_listeners(group))
		lr_warn("something already listens to mptcp_pm_events (a monitor, or a path "
		        "manager waiting): it must not issue commands while pathd runs");
	snprintf(saved_file, sizeof(saved_file), "%s", file);
	/* A stale "userspace" (a previous pathd killed with SIGKILL) goes back to the kernel's. */
	snprintf(saved_pm, sizeof(saved_pm), "%s", userspace ? kernel : cur);
	if (!userspace && !write_small(file, want)) {
		lr_err("cannot write %s: %s", file, strerror(errno));
		saved_pm[0] = '\0';
		return false;
	}
	if (userspace)
		lr_info("%s was already %s with no path manager listening: taking over", file, cur);
	lr_dbg("%s: %s -> %s", file, cur, want);
	struct sigaction sa = {.sa_handler = fatal_signal};
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	return true;
}

int pd_instance_lock(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	static const char name[] = "mptcp-run-pathd";
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memcpy(sun.sun_path + 1, name, sizeof(name) - 1);
	if (bind(fd, (struct sockaddr *)&sun,
	         (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof(name))) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
