/* SPDX-License-Identifier: MIT */
/* The probe's network namespaces (integrity/netns.h). */
#include "integrity/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static bool lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = false;
	if (s < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
	}
	close(s);
	return ok;
}

bool lr_ns_start(struct lr_ns *ns, void (*serve)(int ctl), char *why, size_t wsize)
{
	int sv[2];
	char ready;
	ns->pid = 0;
	ns->ctl = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(why, wsize, "socketpair: %s", strerror(errno));
		return false;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, wsize, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (pid == 0) {
		close(sv[0]);
		/* The namespace lives exactly as long as the launcher that asked for it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		signal(SIGINT, SIG_IGN); /* the launcher decides when it ends */
		signal(SIGPIPE, SIG_IGN);
		char ok = unshare(CLONE_NEWNET) == 0 && lo_up() ? '1' : '0';
		if (write(sv[1], &ok, 1) != 1 || ok != '1')
			_exit(1);
		serve(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	ns->pid = pid;
	ns->ctl = sv[0];
	if (read(ns->ctl, &ready, 1) != 1 || ready != '1') {
		snprintf(why, wsize, "cannot create a network namespace (unshare: needs root)");
		lr_ns_stop(ns);
		return false;
	}
	return true;
}

void lr_ns_stop(struct lr_ns *ns)
{
	if (ns->pid > 0) {
		kill(ns->pid, SIGKILL);
		while (waitpid(ns->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (ns->ctl >= 0)
		close(ns->ctl);
	ns->pid = 0;
	ns->ctl = -1;
}

/* In a child: enters the holder's namespace. */
static bool enter(const struct lr_ns *ns)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ns->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0 && setns(fd, CLONE_NEWNET) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

int lr_ns_run(const struct lr_ns *ns, char *const argv[], char *err, size_t esize)
{
	int pfd[2];
	if (esize)
		err[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(pfd[1], 2) < 0 ||
		    !enter(ns))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	size_t got = 0;
	char sink[256];
	for (;;) {
		char *dst = got + 1 < esize ? err + got : sink;
		size_t room = got + 1 < esize ? esize - 1 - got : sizeof(sink);
		ssize_t n = read(pfd[0], dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst == err + got)
			got += (size_t)n;
	}
	if (esize) {
		err[got] = '\0';
		err[strcspn(err, "\n")] = '\0';
	}
	close(pfd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) != 127 ? WEXITSTATUS(st) : -1;
}

bool lr_ns_sysctl(const struct lr_ns *ns, const char *file, const char *value)
{
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		if (!enter(ns))
			_exit(1);
		int fd = open(file, O_WRONLY | O_CLOEXEC);
		size_t n = strlen(value);
		_exit(fd >= 0 && write(fd, value, n) == (ssize_t)n ? 0 : 1);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
