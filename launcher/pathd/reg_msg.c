/* SPDX-License-Identifier: MIT */
/* One registration message, checked (pathd/reg_msg.h). */
#include "pathd/reg_msg.h"

#include <errno.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/uapi.h"
#include "os/proc_exe.h"

#define PD_FDS_PER_MSG 4 /* room for a few: the extra ones are closed, not left in flight */

/* The token of a received descriptor, 0 unless it is a connected MPTCP socket of our netns
 * (two system calls: this runs once per registered connection). */
static uint32_t token_of(uint64_t netns_cookie, int fd)
{
	uint64_t cookie = 0;
	unsigned char info[64];
	socklen_t l = sizeof(cookie);
	uint32_t token = 0;
	/* No fstat() nor SO_PROTOCOL first: a descriptor that is not a socket fails with ENOTSOCK,
	 * and only an MPTCP socket answers SOL_MPTCP (every other protocol: ENOPROTOOPT). */
	if (netns_cookie && (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &l) < 0 ||
	                     cookie != netns_cookie))
		return 0;
	l = sizeof(info);
	memset(info, 0, sizeof(info));
	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, info, &l) < 0 || l < 16)
		return 0;
	memcpy(&token, info + 12, 4);
	return token;
}

/*
 * The sender's executable. /proc/PID/exe is read by number, and the number may have
 * been reused since SO_PEERCRED: the pidfd taken at accept() pins the process, so when
 * it still exists after the readlink, the link belonged to the sender.
 */
static void read_exe(pid_t pid, int pidfd, char *exe, size_t size)
{
	lr_proc_exe(pid, exe, size);
	if (pidfd >= 0 && pidfd_send_signal(pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
		exe[0] = '\0'; /* the sender is gone: the number may name another process now */
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

/* One received message: registers it, or counts it refused. Closes what it carried. */
static void check_one(struct msghdr *m, uint64_t netns_cookie, const struct pd_reg_sender *who,
                      struct pd_reg_tally *t, void (*cb)(const struct pd_registration *, void *),
                      void *arg)
{
	int got = -1;
	bool from_sender = false;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
		if (h->cmsg_level != SOL_SOCKET)
			continue;
		if (h->cmsg_type == SCM_RIGHTS) {
			size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(fd));
				if (got < 0)
					got = fd;
				else
					close(fd); /* one descriptor per registration */
			}
		} else if (h->cmsg_type == SCM_CREDENTIALS &&
		           h->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred c;
			memcpy(&c, CMSG_DATA(h), sizeof(c));
			/* The kernel's stamp of the sending process: a descriptor of the channel
			 * that reached another process (fork without the library's handler,
			 * SCM_RIGHTS) registers nothing in the name of the one that opened it. */
			from_sender = c.pid == who->pid;
		}
	}
	if (got < 0 || !from_sender || (m->msg_flags & MSG_CTRUNC)) {
		if (got >= 0)
			close(got);
		t->refused++;
		return;
	}
	struct pd_registration reg;
	memset(&reg, 0, sizeof(reg));
	reg.token = token_of(netns_cookie, got);
	/* Closed at once: holding it would keep the program's connection alive after its close().
	 */
	close(got);
	if (!reg.token) {
		t->refused++;
		return;
	}
	reg.pid = who->pid;
	reg.uid = who->uid;
	read_exe(who->pid, who->pidfd, reg.exe, sizeof(reg.exe));
	t->ok++;
	cb(&reg, arg);
}

bool pd_reg_read(int fd, unsigned max, uint64_t netns_cookie, const struct pd_reg_sender *who,
                 struct pd_reg_tally *t, void (*cb)(const struct pd_registration *, void *),
                 void *arg)
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
		check_one(&mm[i].msg_hdr, netns_cookie, who, t, cb, arg);
	}
	return true;
}
