/* SPDX-License-Identifier: MIT */
/* The launcher as the command's parent: signals passed on, its status taken (child_relay.h). */
#include "os/child_relay.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Not SIGPIPE: the kernel sends it as SI_USER when our own write hits a
 * closed pipe, and that must not kill the command.
 */
static const int forwarded[] = {SIGHUP,  SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
                                SIGUSR2, SIGWINCH, SIGCONT, SIGALRM};

int lr_relay_open(sigset_t *old)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&mask, forwarded[i]);
	sigprocmask(SIG_BLOCK, &mask, old);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		int e = errno;

		sigprocmask(SIG_SETMASK, old, NULL);
		return -e;
	}
	return sfd;
}

bool lr_relay_read(int sfd, pid_t child, int *status)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si) || child <= 0)
		return false;
	if (si.ssi_signo == SIGCHLD)
		return waitpid(child, status, WNOHANG) == child;
	if (si.ssi_code != SI_KERNEL)
		kill(child, (int)si.ssi_signo);
	return false;
}

int lr_relay_exit_status(int status, const sigset_t *old)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit no_core = {0, 0};

		/* The child dumped core already if it was going to. */
		(void)setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigprocmask(SIG_SETMASK, old, NULL);
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
		return 128 + sig;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
