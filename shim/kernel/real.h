/* SPDX-License-Identifier: MIT */
/*
 * The functions mptcp-run interposes, as the next object in the lookup order
 * (normally libc) defines them. Resolved with dlsym(RTLD_NEXT) on first use
 * (close() in the constructor); a missing symbol falls back to the raw system
 * call, so a call never fails because of the interposition itself.
 */
#ifndef MPTCP_RUN_REAL_H
#define MPTCP_RUN_REAL_H

#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/socket.h>

int real_socket(int domain, int type, int protocol);
int real_bind(int fd, const struct sockaddr *sa, socklen_t len);
int real_connect(int fd, const struct sockaddr *sa, socklen_t len);
int real_listen(int fd, int backlog);
int real_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int real_close(int fd);
int real_close_range(unsigned int first, unsigned int last, int flags);
void real_closefrom(int lowfd);
int real_dup(int fd);
int real_dup2(int fd, int fd2);
int real_dup3(int fd, int fd2, int flags);
int real_fcntl(int fd, int cmd, void *arg);
int real_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
ssize_t real_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa,
                    socklen_t salen);
ssize_t real_sendmsg(int fd, const struct msghdr *msg, int flags);
int real_accept(int fd, struct sockaddr *sa, socklen_t *len);
int real_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags);
int real_shutdown(int fd, int how);
int real_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
ssize_t real_recvmsg(int fd, struct msghdr *msg, int flags);
/*
 * The next definition of name, cached in *slot (NULL when there is none). The
 * real_* functions above use it and fall back to the system call; callers with no
 * system call to fall back to (posix_spawn, system, popen) use it directly.
 */
void *real_lookup(_Atomic(void *) *slot, const char *name);

/* Resolves close() now (called from the constructor); the rest resolve on first use. */
void real_resolve_close(void);

#endif
