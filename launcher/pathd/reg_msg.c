/* SPDX-License-Identifier: MIT */
/* One registration message, checked (pathd/reg_msg.h). */
#include "pathd/reg_msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/pathd_sock.h"
#include "kernel/uapi.h"
#include "os/proc_exe.h"

#define PD_FDS_PER_MSG 4 /* room for a few: the extra ones are closed, not left in flight */

int64_t pd_reg_token(uint64_t netns_cookie, int fd)
{
	uint64_t cookie = 0;
	unsigned char info[64];
	socklen_t l = sizeof(cookie);
	uint32_t token = 0;
	/* No fstat() nor SO_PROTOCOL first: a descriptor that is not a socket fails with ENOTSOCK,
	 * and only an MPTCP socket answers SOL_MPTCP (every other protocol: ENOPROTOOPT). */
	if (netns_cookie && (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &l) < 0 ||
	                     cookie != netns_cookie))
		return -1;
	l = sizeof(info);
	memset(info, 0, sizeof(info));
	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, info, &l) < 0)
		return -1;
	/* Before connect() the kernel answers with nothing (or zeros): no token yet. */
	if (l >= 16)
		memcpy(&token, info + 12, 4);
	return token;
}

/*
 * The owner's executable. /proc/PID/exe is read by number, and the number may have
 * been reused since the kernel named that process: the pidfd pins it, so when it
 * still exists after the readlink, the link belonged to it.
 */
static void read_exe(pid_t pid, int pidfd, char *exe, size_t size)
{
	lr_proc_exe(pid, exe, size);
	if (pidfd >= 0 && pidfd_send_signal(pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
		exe[0] = '\0'; /* the owner is gone: the number may name another process now */
}

/* The pid a pidfd names (its "Pid:" line in our fdinfo), 0 when it names none. */
static pid_t pid_of(int pidfd)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *p = strstr(buf, "\nPid:");
	long v = p ? strtol(p + 5, NULL, 10) : 0;
	return v > 0 ? (pid_t)v : 0;
}

/* Whether the process of pidfd holds socket fd as its descriptor number n. */
static bool holds(int pidfd, int n, int fd)
{
	struct stat a, b;
	int theirs = pidfd_getfd(pidfd, n, 0);
	if (theirs < 0)
		return false;
	bool same = fstat(theirs, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
	            a.st_ino == b.st_ino;
	close(theirs);
	return same;
}

struct slot {
	char data[16];
	union {
		char buf[CMSG_SPACE(sizeof(int) * PD_FDS_PER_MSG) +
		         CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
};

/* What a message carried, its descriptors taken out of it. */
struct carried {
	int fds[2]; /* the socket, and for MR_PATHD_MSG_FOR its owner's pidfd; -1: none */
	int n_fds;
	bool from_sender;
};

static void take_out(struct msghdr *m, const struct pd_reg_sender *who, struct carried *c)
{
	*c = (struct carried){.fds = {-1, -1}};
	for (struct cmsghdr *h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
		if (h->cmsg_level != SOL_SOCKET)
			continue;
		if (h->cmsg_type == SCM_RIGHTS) {
			size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(fd));
				if (c->n_fds < 2)
					c->fds[c->n_fds++] = fd;
				else
					close(fd); /* more than a registration carries */
			}
		} else if (h->cmsg_type == SCM_CREDENTIALS &&
		           h->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(h), sizeof(cr));
			/* The kernel's stamp of the sending process: a descriptor of the channel
			 * that reached another process (fork without the library's handler,
			 * SCM_RIGHTS) registers nothing in the name of the one that opened it. */
			c->from_sender = cr.pid == who->pid;
		}
	}
}

/* One received message: registered, kept, or counted refused. Closes what it carried. */
static void check_one(struct msghdr *m, unsigned len, uint64_t netns_cookie,
                      const struct pd_reg_sender *who, struct pd_reg_tally *t,
                      const struct pd_reg_sink *sink)
{
	struct carried c;
	struct mr_pathd_msg_for f = {0};
	const unsigned char *data = m->msg_iov[0].iov_base;
	take_out(m, who, &c);
	int sock = c.fds[0], pidfd = -1, owner_pidfd = who->pidfd;
	pid_t owner = who->pid;
	bool good = c.from_sender && !(m->msg_flags & (MSG_CTRUNC | MSG_TRUNC)) && len >= 1;
	if (good && data[0] == MR_PATHD_MSG_FOR && len == sizeof(f) && c.n_fds == 2) {
		/* On behalf of another process: the one the pidfd names, if it holds the socket. */
		memcpy(&f, data, sizeof(f));
		owner_pidfd = pidfd = c.fds[1];
		owner = pid_of(pidfd);
		good = owner > 0 && holds(pidfd, f.fd, sock);
	} else if (good) {
		good = data[0] == MR_PATHD_MSG_OWN && c.n_fds == 1;
	}
	if (c.n_fds == 2 && pidfd < 0)
		close(c.fds[1]);
	int64_t token = good ? pd_reg_token(netns_cookie, sock) : -1;
	struct pd_registration reg = {.pid = owner, .uid = who->uid};
	if (token >= 0)
		read_exe(owner, owner_pidfd, reg.exe, sizeof(reg.exe));
	if (pidfd >= 0)
		close(pidfd);
	if (token > 0) {
		reg.token = (uint32_t)token;
		t->ok++;
		sink->registered(&reg, sink->arg);
	} else if (token == 0 && sink->keep(sock, &reg, sink->arg)) {
		return; /* the sink's now */
	} else {
		t->refused++;
	}
	/* Closed at once: holding it would keep the program's connection alive after its close().
	 */
	if (sock >= 0)
		close(sock);
}

bool pd_reg_read(int fd, unsigned max, uint64_t netns_cookie, const struct pd_reg_sender *who,
                 struct pd_reg_tally *t, const struct pd_reg_sink *sink)
{
	struct slot s[PD_BATCH];
	struct mmsghdr mm[PD_BATCH];
	if (max > PD_BATCH)
		max = PD_BATCH;
	for (unsigned i = 0; i < max; i++) {
		s[i].iov = (struct iovec){s[i].data, sizeof(s[i].data)};
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &s[i].iov;
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = s[i].u.buf;
		mm[i].msg_hdr.msg_controllen = sizeof(s[i].u.buf);
	}
	int n = recvmmsg(fd, mm, max, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	for (int i = 0; i < n; i++) {
		/* The end of the channel reads as an empty message with nothing attached (a real
		 * message carries at least the kernel's credentials). */
		if (mm[i].msg_len == 0 && mm[i].msg_hdr.msg_controllen == 0)
			return false;
		t->read++;
		check_one(&mm[i].msg_hdr, mm[i].msg_len, netns_cookie, who, t, sink);
	}
	return true;
}
