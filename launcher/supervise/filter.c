/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter, built and installed in the child between fork and exec.
 * It looks only at syscall numbers and integer arguments:
 *   socket(AF_INET|AF_INET6, SOCK_STREAM [|SOCK_NONBLOCK|SOCK_CLOEXEC], 0|IPPROTO_TCP)
 *   connect(), listen()                                  -> user notification
 *   everything else, other architectures (i386, x32)     -> allowed
 * connect() and listen() cannot be selected further (the filter cannot see
 * the descriptor's type or dereference the address), so the supervisor sees
 * every one of them and lets through at once those that are not on an MPTCP
 * socket.
 */
#include "supervise/filter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define SV_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SV_ARCH AUDIT_ARCH_AARCH64
#else
#error "supervisor: add this architecture's AUDIT_ARCH value"
#endif

/* The low 32 bits of argument i (the kernel reads int arguments from them). */
#define ARG_LO(i) ((unsigned)offsetof(struct seccomp_data, args[i]))

int lr_sv_install_filter(bool *nnp)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SV_ARCH, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 12, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_listen, 11, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    /* socket(): the family */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 7),
	    /* the type without SOCK_NONBLOCK|SOCK_CLOEXEC */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~(unsigned)(SOCK_NONBLOCK | SOCK_CLOEXEC)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, 0, 4),
	    /* the protocol */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
	int fd;

	/* jump targets above: connect/listen (index 4/5) land on index 17 (RET_USER_NOTIF). */
	_Static_assert(sizeof(f) / sizeof(f[0]) == 19, "recount the jumps");
	*nnp = false;
	fd = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
	                  &prog);
	if (fd < 0 && errno == EACCES) {
		/* No CAP_SYS_ADMIN: the kernel wants no_new_privs first. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return -errno;
		*nnp = true;
		fd = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
		                  SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	}
	return fd < 0 ? -errno : fd;
}
