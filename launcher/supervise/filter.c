/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filter, built and installed in the child between fork and exec.
 * It looks only at syscall numbers and integer arguments:
 *   socket(AF_INET|AF_INET6, SOCK_STREAM [|SOCK_NONBLOCK|SOCK_CLOEXEC], 0|IPPROTO_TCP)
 *   connect(), listen() (unless the plan lets them through) -> user notification
 *   setsockopt() of an option MPTCP refuses (by level and name), and
 *   getsockopt(SOL_SOCKET, SO_OOBINLINE) (the emulated value) -> user notification
 *   with the plan's nswatch: setns(), unshare() and clone() with CLONE_NEWNET,
 *   clone3() (its flags are in memory)                   -> user notification
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
#include <netinet/tcp.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
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

/*
 * The (level, optname) pairs an MPTCP socket refuses (6.18): ENOPROTOOPT at
 * SOL_TCP, EOPNOTSUPP at SOL_SOCKET, SOL_IP, SOL_IPV6. The supervisor sees a
 * setsockopt() only for these: every other one runs without a round trip.
 */
static const int refused_tcp[] = {
    TCP_QUICKACK, TCP_USER_TIMEOUT,         TCP_ULP,    TCP_SAVE_SYN, TCP_WINDOW_CLAMP, TCP_LINGER2,
    TCP_SYNCNT,   TCP_THIN_LINEAR_TIMEOUTS, TCP_REPAIR, TCP_TX_DELAY};
static const int refused_sol[] = {SO_OOBINLINE, SO_ZEROCOPY};
static const int refused_ip[] = {IP_TTL, IP_RECVERR, IP_MTU_DISCOVER};
static const int refused_ip6[] = {IPV6_TCLASS, IPV6_RECVERR, IPV6_UNICAST_HOPS};

static const struct {
	int level;
	const int *names;
	unsigned n;
} refused[] = {
    {IPPROTO_TCP, refused_tcp, sizeof(refused_tcp) / sizeof(int)},
    {SOL_SOCKET, refused_sol, sizeof(refused_sol) / sizeof(int)},
    {IPPROTO_IP, refused_ip, sizeof(refused_ip) / sizeof(int)},
    {IPPROTO_IPV6, refused_ip6, sizeof(refused_ip6) / sizeof(int)},
};

/*
 * A small assembler: jumps to NOTIFY are patched once the program's two
 * return instructions are placed at its end.
 */
#define MAX_INSNS 96
struct prog {
	struct sock_filter f[MAX_INSNS];
	unsigned n;
	unsigned notify[48], n_notify; /* instructions whose jt goes to RET_USER_NOTIF */
	unsigned allow[12], n_allow;   /* instructions whose jf goes to RET_ALLOW */
	unsigned ja[4], n_ja;          /* unconditional jumps to RET_ALLOW */
};

static void emit(struct prog *p, struct sock_filter insn)
{
	if (p->n < MAX_INSNS)
		p->f[p->n] = insn;
	p->n++;
}

static void load(struct prog *p, unsigned off)
{
	emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off));
}

/* if (A == k) notify; else fall through */
static void eq_notify(struct prog *p, unsigned k)
{
	if (p->n_notify < sizeof(p->notify) / sizeof(p->notify[0]))
		p->notify[p->n_notify++] = p->n;
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0));
}

/* if (A != k) allow; else fall through */
static void ne_allow(struct prog *p, unsigned k)
{
	if (p->n_allow < sizeof(p->allow) / sizeof(p->allow[0]))
		p->allow[p->n_allow++] = p->n;
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0));
}

/* if (A & k) notify; else allow */
static void bits_notify(struct prog *p, unsigned k)
{
	if (p->n_notify < sizeof(p->notify) / sizeof(p->notify[0]))
		p->notify[p->n_notify++] = p->n;
	if (p->n_allow < sizeof(p->allow) / sizeof(p->allow[0]))
		p->allow[p->n_allow++] = p->n;
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, k, 0, 0));
}

/* goto allow */
static void goto_allow(struct prog *p)
{
	if (p->n_ja < sizeof(p->ja) / sizeof(p->ja[0]))
		p->ja[p->n_ja++] = p->n;
	emit(p, (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0));
}

/* if (A != k) goto the label placed by skip_here(); returns the jump's index */
static unsigned ne_skip(struct prog *p, unsigned k)
{
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0));
	return p->n - 1;
}

static void skip_here(struct prog *p, unsigned jump)
{
	if (jump < MAX_INSNS)
		p->f[jump].jf = (unsigned char)(p->n - jump - 1);
}

/* Places the returns and patches the jumps; false if the program does not fit. */
static bool finish(struct prog *p)
{
	unsigned ret_allow, ret_notify, i;

	ret_allow = p->n;
	emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	ret_notify = p->n;
	emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
	if (p->n > MAX_INSNS || ret_notify > 255)
		return false;
	for (i = 0; i < p->n_notify; i++)
		p->f[p->notify[i]].jt = (unsigned char)(ret_notify - p->notify[i] - 1);
	for (i = 0; i < p->n_allow; i++)
		p->f[p->allow[i]].jf = (unsigned char)(ret_allow - p->allow[i] - 1);
	for (i = 0; i < p->n_ja; i++)
		p->f[p->ja[i]].k = ret_allow - p->ja[i] - 1;
	return true;
}

/*
 *   arch != native                                  -> allow
 *   connect, listen (each unless the plan says no)  -> notify
 *   nswatch: setns, clone3                          -> notify
 *            unshare, clone with CLONE_NEWNET       -> notify
 *   socket(AF_INET|AF_INET6, SOCK_STREAM[|flags], 0|IPPROTO_TCP) -> notify
 *   setsockopt(fd, level, name) for a refused pair  -> notify
 *   getsockopt(fd, SOL_SOCKET, SO_OOBINLINE)        -> notify (the emulated value)
 *   anything else                                   -> allow
 */
static bool build(struct prog *p, const struct lr_sv_plan *plan)
{
	unsigned skip, k;
	size_t i;

	memset(p, 0, sizeof(*p));
	load(p, offsetof(struct seccomp_data, arch));
	ne_allow(p, SV_ARCH);
	load(p, offsetof(struct seccomp_data, nr));
	if (plan->connect)
		eq_notify(p, __NR_connect);
	if (plan->listen)
		eq_notify(p, __NR_listen);
	if (plan->nswatch) {
		eq_notify(p, __NR_setns);
		eq_notify(p, __NR_clone3);
		/* clone's flags are its first argument on x86_64 and aarch64 */
		skip = ne_skip(p, __NR_unshare);
		load(p, ARG_LO(0));
		bits_notify(p, CLONE_NEWNET);
		skip_here(p, skip);
		skip = ne_skip(p, __NR_clone);
		load(p, ARG_LO(0));
		bits_notify(p, CLONE_NEWNET);
		skip_here(p, skip);
	}

	skip = ne_skip(p, __NR_socket);
	load(p, ARG_LO(0));
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0));
	ne_allow(p, AF_INET6);
	load(p, ARG_LO(1)); /* the type without SOCK_NONBLOCK|SOCK_CLOEXEC */
	emit(p, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
	                                     ~(unsigned)(SOCK_NONBLOCK | SOCK_CLOEXEC)));
	ne_allow(p, SOCK_STREAM);
	load(p, ARG_LO(2));
	eq_notify(p, 0);
	eq_notify(p, IPPROTO_TCP);
	goto_allow(p);
	skip_here(p, skip);

	skip = ne_skip(p, __NR_getsockopt);
	load(p, ARG_LO(1));
	ne_allow(p, SOL_SOCKET);
	load(p, ARG_LO(2));
	eq_notify(p, SO_OOBINLINE);
	goto_allow(p);
	skip_here(p, skip);

	ne_allow(p, __NR_setsockopt);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		load(p, ARG_LO(1));
		skip = ne_skip(p, (unsigned)refused[i].level);
		load(p, ARG_LO(2));
		for (k = 0; k < refused[i].n; k++)
			eq_notify(p, (unsigned)refused[i].names[k]);
		skip_here(p, skip);
	}
	return finish(p);
}

int lr_sv_install_filter(const struct lr_sv_plan *plan, bool *nnp)
{
	static struct prog p;
	struct sock_fprog prog;
	int fd;

	if (!build(&p, plan))
		return -E2BIG;
	prog.len = (unsigned short)p.n;
	prog.filter = p.f;
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
