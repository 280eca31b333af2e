/* SPDX-License-Identifier: MIT */
/*
 * What the library knows about socket options, shared by setting them
 * (core/options.c) and replaying them on a replacement (core/replace.c): which
 * ones it emulates on MPTCP, what a fresh socket has for each (asked of the
 * kernel, once per process), how to replay one, and their names for log lines.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include "core/option_rules.h"
#include "kernel/log.h"
#include "kernel/real.h"

/*
 * The strict list: SO_OOBINLINE only. MPTCP carries no urgent data (send with
 * MSG_OOB goes in-band, recv with MSG_OOB is a plain recv, even after a
 * fallback), so inline or not is the same on an MPTCP socket. Candidates left
 * out, because a peer or the program could tell: TCP_QUICKACK, TCP_WINDOW_CLAMP
 * (ACK timing and the advertised window are on the wire), IP_TTL, IPV6_TCLASS,
 * IP_MTU_DISCOVER (on the wire), IP_RECVERR (the error queue stays empty),
 * SO_ZEROCOPY (completions never come).
 */
bool mr_option_emulable(int level, int name)
{
	return level == SOL_SOCKET && name == SO_OOBINLINE;
}

/* ---- replaying recorded options ---- */

/*
 * What a fresh TCP socket of the family has for an option, read once per
 * process (racing readers store the same bytes; a slot is published last).
 * No table of kernel defaults: the kernel answers for itself.
 */
#define DEFAULT_SLOTS 32

struct opt_default {
	_Atomic int state; /* 0 free, 1 being filled, 2 ready */
	int level, name;
	bool v6, readable;
	uint8_t len;
	uint8_t val[MR_OPT_MAX_LEN];
};

static struct opt_default defaults[DEFAULT_SLOTS];

static const struct opt_default *default_of(bool v6, int level, int name)
{
	for (int i = 0; i < DEFAULT_SLOTS; i++) {
		struct opt_default *d = &defaults[i];
		int s = atomic_load_explicit(&d->state, memory_order_acquire);
		if (s == 2 && d->v6 == v6 && d->level == level && d->name == name)
			return d;
		int expected = 0;
		if (s != 0 || !atomic_compare_exchange_strong(&d->state, &expected, 1))
			continue;
		d->v6 = v6;
		d->level = level;
		d->name = name;
		d->readable = false;
		int t =
		    real_socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
		socklen_t len = sizeof(d->val);
		if (t >= 0 && real_getsockopt(t, level, name, d->val, &len) == 0) {
			d->readable = true;
			d->len = (uint8_t)len;
		}
		if (t >= 0)
			real_close(t);
		atomic_store_explicit(&d->state, 2, memory_order_release);
		return d;
	}
	return NULL; /* table full: the default is unknown, so the option matters */
}

/* A recorded value equal to the default, compared as the kernel stores it (ints widen). */
static bool is_default(bool v6, const struct mr_opt *o)
{
	const struct opt_default *d = default_of(v6, o->level, o->name);
	if (!d || !d->readable)
		return false;
	if (o->len == d->len)
		return memcmp(o->val, d->val, o->len) == 0;
	/* An int option set with a shorter value (a char, as some programs pass). */
	if (d->len == sizeof(int) && o->len == 1) {
		int dv;
		memcpy(&dv, d->val, sizeof(dv));
		return dv == o->val[0];
	}
	return false;
}

int mr_option_replay(int nfd, struct mr_fd *e, bool v6, bool to_mptcp, struct mr_opt *o)
{
	o->skipped = false;
	if (real_setsockopt(nfd, o->level, o->name, o->val, o->len) == 0) {
		if (mr_option_emulable(o->level, o->name))
			mr_fd_clear_bits(e, MR_ST_OOB_EMUL | MR_ST_OOB_ON); /* set for real now */
		return 0;
	}
	int err = errno;
	if (to_mptcp && mr_option_emulable(o->level, o->name) && err == EOPNOTSUPP) {
		int v = 0;
		memcpy(&v, o->val, o->len < sizeof(v) ? o->len : sizeof(v));
		mr_fd_set_bits(e, MR_ST_OOB_EMUL | (v ? MR_ST_OOB_ON : 0));
		return 0;
	}
	/* The program set what the socket had anyway (TCP_USER_TIMEOUT = 0): nothing to carry. */
	if (is_default(v6, o)) {
		o->skipped = true; /* getsockopt() answers with it, as the old socket did */
		mr_log(MR_LOG_DEBUG, "%s (level %d, option %d) has its default value: not replayed",
		       mr_option_name(o->level, o->name) ?: "option", o->level, o->name);
		return 0;
	}
	errno = err;
	return -1;
}

const char *mr_option_name(int level, int name)
{
	static const struct {
		int level, name;
		const char *text;
	} names[] = {
	    {IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"},
	    {IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK"},
	    {IPPROTO_TCP, TCP_WINDOW_CLAMP, "TCP_WINDOW_CLAMP"},
	    {IPPROTO_TCP, TCP_LINGER2, "TCP_LINGER2"},
	    {IPPROTO_TCP, TCP_SYNCNT, "TCP_SYNCNT"},
	    {IPPROTO_TCP, TCP_SAVE_SYN, "TCP_SAVE_SYN"},
	    {IPPROTO_TCP, TCP_THIN_LINEAR_TIMEOUTS, "TCP_THIN_LINEAR_TIMEOUTS"},
	    {IPPROTO_TCP, TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT"},
	    {IPPROTO_TCP, TCP_MAXSEG, "TCP_MAXSEG"},
	    {IPPROTO_TCP, TCP_ULP, "TCP_ULP"},
	    {IPPROTO_IP, IP_TTL, "IP_TTL"},
	    {IPPROTO_IP, IP_RECVERR, "IP_RECVERR"},
	    {IPPROTO_IP, IP_MTU_DISCOVER, "IP_MTU_DISCOVER"},
	    {IPPROTO_IPV6, IPV6_TCLASS, "IPV6_TCLASS"},
	    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS"},
	    {IPPROTO_IPV6, IPV6_RECVERR, "IPV6_RECVERR"},
	    {SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE"},
	    {SOL_SOCKET, SO_ZEROCOPY, "SO_ZEROCOPY"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].level == level && names[i].name == name)
			return names[i].text;
	return NULL;
}
