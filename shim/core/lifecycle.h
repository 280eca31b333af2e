/* SPDX-License-Identifier: MIT */
/*
 * The socket lifecycle, as the interposed calls (shim/entry/) see it: what each
 * call means for a socket mptcp-run manages. Verdicts in core/verdict.c,
 * options in core/options.c, duplicates and epoll in core/sharing.c, closing
 * in core/closing.c.
 */
#ifndef MPTCP_RUN_CORE_LIFECYCLE_H
#define MPTCP_RUN_CORE_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "core/fdtable.h"

/* socket(AF_INET/AF_INET6, SOCK_STREAM…, 0/IPPROTO_TCP): creates the socket per plan. */
int mr_create_socket(int domain, int type, int protocol);

/* After bind(): records the address. Nothing is decided at bind(): the role (listen or
 * connect) is only known at listen() or connect(), and a bound socket can be replaced on
 * the same address and port. */
void mr_after_bind(struct mr_fd *e, const struct sockaddr *sa, socklen_t len, int rc);
/*
 * Before connect() (and sendto()/sendmsg() with MSG_FASTOPEN): the connect-role
 * decision for the remote address. Returns whether the address is an inet one:
 * only then can the call make the socket live.
 */
bool mr_before_connect(int fd, struct mr_fd *e, const struct sockaddr *sa, socklen_t len);
/*
 * After it (errno preserved): a connect that started (done, in progress,
 * interrupted) makes the socket live; one that failed leaves it to be decided
 * again by the next connect(), as the kernel lets it connect again. Learns
 * whether an MPTCP connection fell back (peer cache).
 */
void mr_after_connect(int fd, struct mr_fd *e, bool inet, int rc);
/* sendto()/sendmsg() with MSG_FASTOPEN: mr_before_connect() for a pending socket; NULL if not. */
struct mr_fd *mr_before_fastopen(int fd, const struct sockaddr *sa, socklen_t len, bool *inet);
/* close() of a socket whose non-blocking connect was MPTCP: same, learnt late. */
void mr_check_fallback_at_close(int fd, struct mr_fd *e);

/* Before listen(): the listen-role decision for the bound address (wildcard if unbound). */
void mr_before_listen(int fd, struct mr_fd *e);
/* After listen(): live once it succeeded; a failed listen() leaves the socket pending. */
void mr_after_listen(struct mr_fd *e, int rc);

/* shutdown() before connect: recorded (the kernel records it too) so a replacement repeats it. */
void mr_note_shutdown(struct mr_fd *e, int how, int rc);
/* After shutdown() (errno preserved): the above, or with a report open, the paths recorded. */
/* Before shutdown(): with a report open, the paths of a live connection are recorded. */
void mr_before_shutdown(int fd, int how);
void mr_after_shutdown(int fd, int how, int rc);

/*
 * setsockopt() refused by an MPTCP socket, for an option whose effect no program
 * can observe on an MPTCP connection (SO_OOBINLINE: MPTCP has no urgent data):
 * remembered for getsockopt() and answered with success. True when emulated.
 */
bool mr_option_emulated(int fd, int level, int name, const void *val, socklen_t len);
/* getsockopt() of an emulated option: true and the value filled in. */
bool mr_option_get_emulated(int fd, int level, int name, void *val, socklen_t *len);
/*
 * getsockopt() that the kernel refused (EOPNOTSUPP) for an option the program
 * set to its default before a replacement by MPTCP, which therefore skipped it:
 * true and the value the program set, which the socket it had would report.
 */
bool mr_option_get_skipped(int fd, int level, int name, void *val, socklen_t *len);

/* setsockopt() on a managed socket: recording and the option fallback. */
int mr_setsockopt_managed(int fd, struct mr_fd *e, int level, int name, const void *val,
                          socklen_t len, int rc);

/* epoll_ctl() on a managed, not yet live socket: records the registration. */
void mr_note_epoll(struct mr_fd *e, int epfd, int op, const struct epoll_event *ev);

/* sendmsg() with SCM_RIGHTS: pending sockets leaving this process are decided now. */
void mr_before_send_fds(const struct msghdr *msg);
/* recvmsg() with SCM_RIGHTS: received numbers are not ours (stale entries are forgotten). */
void mr_after_recv_fds(const struct msghdr *msg, ssize_t rc);

/* dup*(): the source may no longer be replaced; the target is forgotten. */
void mr_note_dup(int oldfd, int newfd);
/* Before dup*(): a socket that is MPTCP only because of the prediction goes back to TCP. */
void mr_before_dup(int fd);
/* Copies the address a program passed to bind/connect/sendto into out (bounded). */
bool mr_copy_sockaddr(const struct sockaddr *sa, socklen_t len, struct sockaddr_storage *out,
                      socklen_t *outlen);

/* After accept()/accept4() on lfd returned fd (or -1): see core/accepting.c. */
void mr_after_accept(int lfd, int fd);

/* Before close(): reports and forgets a managed descriptor (async-signal-safe). */
void mr_before_close(int fd);
/* close_range() and closefrom(), keeping the report's descriptor open. */
int mr_close_range(unsigned int first, unsigned int last, int flags);
void mr_closefrom(int lowfd);
/* At exit(): a report line for every managed socket still open. */
void mr_report_at_exit(void);

/* A managed entry that is not live (still replaceable or recordable), else NULL. */
static inline struct mr_fd *mr_pending(int fd)
{
	struct mr_fd *e = mr_fd_get(fd);
	if (!e)
		return NULL;
	uint32_t st = mr_fd_state(e);
	return (st & MR_ST_MANAGED) && !(st & (MR_ST_LIVE | MR_ST_CONNECTING)) ? e : NULL;
}

#endif
