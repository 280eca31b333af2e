/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/real.h"

/*
 * One cached pointer per symbol. Racing resolvers store the same value, so
 * acquire/release on the pointer is all the ordering needed.
 * The sentinel (void *)1 marks "not found": use the system call.
 */
#define NOT_FOUND ((void *)1)

void *real_lookup(_Atomic(void *) *slot, const char *name)
{
	void *p = atomic_load_explicit(slot, memory_order_acquire);
	if (p)
		return p == NOT_FOUND ? NULL : p;
	p = dlsym(RTLD_NEXT, name);
	atomic_store_explicit(slot, p ? p : NOT_FOUND, memory_order_release);
	return p;
}

#define SLOT(name) static _Atomic(void *) slot_##name
SLOT(socket);
SLOT(bind);
SLOT(connect);
SLOT(listen);
SLOT(setsockopt);
SLOT(close);
SLOT(close_range);
SLOT(closefrom);
SLOT(dup);
SLOT(dup2);
SLOT(dup3);
SLOT(fcntl);
SLOT(epoll_ctl);
SLOT(sendto);
SLOT(sendmsg);
SLOT(accept);
SLOT(accept4);
SLOT(shutdown);
SLOT(getsockopt);
SLOT(recvmsg);

int real_socket(int domain, int type, int protocol)
{
	int (*f)(int, int, int) = real_lookup(&slot_socket, "socket");
	return f ? f(domain, type, protocol) : (int)syscall(SYS_socket, domain, type, protocol);
}

int real_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*f)(int, const struct sockaddr *, socklen_t) = real_lookup(&slot_bind, "bind");
	return f ? f(fd, sa, len) : (int)syscall(SYS_bind, fd, sa, len);
}

int real_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*f)(int, const struct sockaddr *, socklen_t) = real_lookup(&slot_connect, "connect");
	return f ? f(fd, sa, len) : (int)syscall(SYS_connect, fd, sa, len);
}

int real_listen(int fd, int backlog)
{
	int (*f)(int, int) = real_lookup(&slot_listen, "listen");
	return f ? f(fd, backlog) : (int)syscall(SYS_listen, fd, backlog);
}

int real_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int (*f)(int, int, int, const void *, socklen_t) =
	    real_lookup(&slot_setsockopt, "setsockopt");
	return f ? f(fd, level, name, val, len)
	         : (int)syscall(SYS_setsockopt, fd, level, name, val, len);
}

int real_close(int fd)
{
	int (*f)(int) = real_lookup(&slot_close, "close");
	return f ? f(fd) : (int)syscall(SYS_close, fd);
}

int real_close_range(unsigned int first, unsigned int last, int flags)
{
	int (*f)(unsigned int, unsigned int, int) = real_lookup(&slot_close_range, "close_range");
	return f ? f(first, last, flags) : (int)syscall(SYS_close_range, first, last, flags);
}

void real_closefrom(int lowfd)
{
	void (*f)(int) = real_lookup(&slot_closefrom, "closefrom");
	if (f)
		f(lowfd);
	else
		syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0);
}

int real_dup(int fd)
{
	int (*f)(int) = real_lookup(&slot_dup, "dup");
	return f ? f(fd) : (int)syscall(SYS_dup, fd);
}

int real_dup2(int fd, int fd2)
{
	int (*f)(int, int) = real_lookup(&slot_dup2, "dup2");
	return f ? f(fd, fd2) : (int)syscall(SYS_dup2, fd, fd2);
}

int real_dup3(int fd, int fd2, int flags)
{
	int (*f)(int, int, int) = real_lookup(&slot_dup3, "dup3");
	return f ? f(fd, fd2, flags) : (int)syscall(SYS_dup3, fd, fd2, flags);
}

int real_fcntl(int fd, int cmd, void *arg)
{
	int (*f)(int, int, ...) = real_lookup(&slot_fcntl, "fcntl");
	return f ? f(fd, cmd, arg) : (int)syscall(SYS_fcntl, fd, cmd, arg);
}

int real_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int (*f)(int, int, int, struct epoll_event *) = real_lookup(&slot_epoll_ctl, "epoll_ctl");
	return f ? f(epfd, op, fd, ev) : (int)syscall(SYS_epoll_ctl, epfd, op, fd, ev);
}

ssize_t real_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa,
                    socklen_t salen)
{
	ssize_t (*f)(int, const void *, size_t, int, const struct sockaddr *, socklen_t) =
	    real_lookup(&slot_sendto, "sendto");
	return f ? f(fd, buf, len, flags, sa, salen)
	         : (ssize_t)syscall(SYS_sendto, fd, buf, len, flags, sa, salen);
}

ssize_t real_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t (*f)(int, const struct msghdr *, int) = real_lookup(&slot_sendmsg, "sendmsg");
	return f ? f(fd, msg, flags) : (ssize_t)syscall(SYS_sendmsg, fd, msg, flags);
}

int real_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	int (*f)(int, struct sockaddr *, socklen_t *) = real_lookup(&slot_accept, "accept");
	return f ? f(fd, sa, len) : (int)syscall(SYS_accept, fd, sa, len);
}

int real_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	int (*f)(int, struct sockaddr *, socklen_t *, int) = real_lookup(&slot_accept4, "accept4");
	return f ? f(fd, sa, len, flags) : (int)syscall(SYS_accept4, fd, sa, len, flags);
}

int real_shutdown(int fd, int how)
{
	int (*f)(int, int) = real_lookup(&slot_shutdown, "shutdown");
	return f ? f(fd, how) : (int)syscall(SYS_shutdown, fd, how);
}

int real_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int (*f)(int, int, int, void *, socklen_t *) = real_lookup(&slot_getsockopt, "getsockopt");
	return f ? f(fd, level, name, val, len)
	         : (int)syscall(SYS_getsockopt, fd, level, name, val, len);
}

ssize_t real_recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t (*f)(int, struct msghdr *, int) = real_lookup(&slot_recvmsg, "recvmsg");
	return f ? f(fd, msg, flags) : (ssize_t)syscall(SYS_recvmsg, fd, msg, flags);
}

void real_resolve_close(void)
{
	real_lookup(&slot_close, "close");
}
