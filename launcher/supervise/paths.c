/* SPDX-License-Identifier: MIT */
/* Per-program paths for supervised programs (supervise/paths.h). */
#include "supervise/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernel/pathd_pin.h"
#include "kernel/pathd_sock.h"
#include "kernel/uapi.h"
#include "os/msg.h"
#include "supervise/child.h"

#define RETRY_MS 1000 /* with no daemon, asked again at most this often (as the library) */

static int lr_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	return connect(fd, sa, len);
}

static int lr_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	return bind(fd, sa, len);
}

static const struct mr_sockcalls calls = {
    .socket = socket,
    .connect = lr_connect,
    .bind = lr_bind,
    .setsockopt = setsockopt,
    .getsockopt = getsockopt,
    .sendmsg = sendmsg,
    .close = close,
};

/* The supervisor's channel: one, as a process of the library has; chan_pid opened it (the
 * background copy of the supervisor is a fork: it opens its own, the daemon would refuse a
 * message it sent on ours). */
static int chan = -1;
static pid_t chan_pid;
static bool live, said_untrusted;
static long long retry_ms;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool ready(const struct lr_sv_paths_env *env);

bool lr_sv_paths_daemon_ready(const struct lr_sv_paths_env *env)
{
	return ready(env);
}

static bool ready(const struct lr_sv_paths_env *env)
{
	if (chan >= 0 && chan_pid != getpid()) {
		close(chan);
		chan = -1;
		live = false;
		retry_ms = 0;
	}
	if (live && mr_pathd_chan_alive(chan))
		return true;
	if (!live && now_ms() < retry_ms)
		return false;
	const char *path = secure_getenv("MPTCP_RUN_PATHD_SOCKET");
	const char *uid_text = secure_getenv("MPTCP_RUN_PATHD_UID");
	uid_t allowed = uid_text && *uid_text ? (uid_t)strtoul(uid_text, NULL, 10) : 0, peer;
	enum mr_chan_open why;
	if (!path || !*path)
		path = MR_PATHD_SOCKET;
	int fd = mr_pathd_chan_connect(&calls, path, allowed, &peer, &why);
	if (chan >= 0)
		close(chan);
	chan = fd;
	chan_pid = getpid();
	live = fd >= 0;
	if (live)
		return true;
	retry_ms = now_ms() + RETRY_MS;
	if (why == MR_CHAN_UNTRUSTED && !said_untrusted) {
		said_untrusted = true;
		lr_err("%s is served by uid %u, not root: no socket handed over, paths not applied",
		       path, (unsigned)peer);
	}
	lr_sv_debug(env->opt, "no path daemon at %s: the sockets are left to routing", path);
	return false;
}

/* Whether thread tid runs in our network namespace (the daemon's is the one we reach). */
static bool our_netns(const struct lr_sv_paths_env *env, pid_t tid)
{
	char path[64];
	struct stat st;
	if (!env->may_have_moved)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)tid);
	return stat(path, &st) == 0 && st.st_dev == env->net_dev && st.st_ino == env->net_ino;
}

/* A pidfd of the process thread tid belongs to (its thread-group leader). */
static int process_pidfd(pid_t tid)
{
	char path[64], buf[512];
	int fd = pidfd_open(tid, 0);
	if (fd >= 0 || errno != EINVAL)
		return fd;
	/* Not the leader: its Tgid. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = strstr(buf, "\nTgid:");
	return p ? pidfd_open((pid_t)strtol(p + 6, NULL, 10), 0) : -1;
}

/* Whether the socket is bound to a specific local address (its owner chose the path). */
static bool bound_to_address(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
		return true;
	if (ss.ss_family == AF_INET)
		return ((struct sockaddr_in *)&ss)->sin_addr.s_addr != htonl(INADDR_ANY);
	return ss.ss_family != AF_INET6 ||
	       !IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
}

static void hand_over(const struct lr_sv_paths_env *env, pid_t tid, int dup, int fd)
{
	int owner = process_pidfd(tid);
	if (owner < 0)
		return;
	for (int attempt = 0; attempt < 2; attempt++) {
		enum mr_chan_send r = mr_pathd_chan_send_for(&calls, chan, dup, owner, fd);
		if (r == MR_CHAN_FULL)
			lr_sv_debug(env->opt,
			            "pid %d: the path daemon's queue is full: not registered",
			            (int)tid);
		if (r != MR_CHAN_GONE)
			break;
		live = false; /* it restarted, or let our channel go: once more on a new one */
		retry_ms = 0;
		if (!ready(env))
			break;
	}
	close(owner);
}

void lr_sv_paths_connect(const struct lr_sv_paths_env *env, const struct seccomp_notif *req,
                         const struct mr_program *p)
{
	struct mr_program_paths pp;
	struct sockaddr_storage ss;
	struct mr_endpoint ep;
	struct mr_decision d;
	pid_t tid = (pid_t)req->pid;
	int fd = (int)req->data.args[0], err;
	size_t n = req->data.args[2] < sizeof(ss) ? (size_t)req->data.args[2] : sizeof(ss);

	mr_program_paths(env->opt->policy, p, &pp);
	if (pp.origin != MR_PATHS_SECTION)
		return; /* the defaults: the daemon serves them without a registration */
	memset(&ss, 0, sizeof(ss));
	if (!lr_sv_child_read(tid, req->data.args[1], &ss, n) ||
	    !mr_endpoint_from_sockaddr((struct sockaddr *)&ss, (socklen_t)n, &ep))
		return;
	mr_decide(&p->role[MR_ROLE_CONNECT], &ep, &d);
	if (d.verdict != MR_MPTCP || !our_netns(env, tid) || !ready(env))
		return;
	int dup = lr_sv_child_fd(tid, fd);
	__u64 id = req->id;
	/* The descriptor and the address were the caller's: the call is still pending. */
	if (dup < 0 || !lr_sv_is_mptcp(dup) ||
	    ioctl(env->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
		if (dup >= 0)
			close(dup);
		return;
	}
	if (!bound_to_address(dup)) {
		const char *dev = mr_pathd_pin(&calls, dup, env->opt->policy, &pp,
		                               (struct sockaddr *)&ss, (socklen_t)n, &err);
		if (dev)
			lr_sv_debug(env->opt, "pid %d: connect(%d): initial subflow pinned to %s",
			            (int)tid, fd, dev);
		else if (err)
			lr_sv_debug(env->opt, "pid %d: connect(%d): SO_BINDTODEVICE: %s", (int)tid,
			            fd, strerror(err));
	}
	hand_over(env, tid, dup, fd);
	close(dup);
}
