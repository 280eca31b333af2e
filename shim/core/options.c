/* SPDX-License-Identifier: MIT */
/*
 * Socket options: recorded while the socket may still be replaced, replayed on
 * the replacement (skipping values a fresh socket has anyway), the option
 * fallback (an option MPTCP refuses but TCP accepts turns a pending socket into
 * TCP when sockopt_fallback allows), and the emulation of options that mean
 * nothing under MPTCP.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include "core/lifecycle.h"
#include "core/option_rules.h"
#include "core/replace.h"
#include "core/runtime.h"
#include "kernel/log.h"
#include "kernel/real.h"
#include "kernel/uapi.h"

static void record_option(struct mr_fd *e, int level, int name, const void *val, socklen_t len)
{
	if (!val || len > MR_OPT_MAX_LEN) {
		mr_fd_noswap(e, MR_NOSWAP_OPTS);
		return;
	}
	/* Setting an option again replaces the recorded value: the replay keeps the order. */
	for (unsigned i = 0; i < e->n_opts; i++) {
		struct mr_opt *o = &e->opts[i];
		if (o->level == level && o->name == name) {
			memcpy(o->val, val, len);
			o->len = (uint8_t)len;
			o->skipped = false;
			return;
		}
	}
	if (e->n_opts >= MR_MAX_OPTS) {
		mr_fd_noswap(e, MR_NOSWAP_OPTS);
		return;
	}
	struct mr_opt *o = &e->opts[e->n_opts];
	o->level = level;
	o->name = name;
	o->len = (uint8_t)len;
	o->skipped = false;
	memcpy(o->val, val, len);
	e->n_opts++;
}

/* Would a plain TCP socket accept this option? Answered on a scratch socket. */
static bool tcp_accepts(uint32_t st, int level, int name, const void *val, socklen_t len)
{
	int t = real_socket((st & MR_ST_V6) ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	                    IPPROTO_TCP);
	if (t < 0)
		return false;
	bool ok = real_setsockopt(t, level, name, val, len) == 0;
	real_close(t);
	return ok;
}

int mr_setsockopt_managed(int fd, struct mr_fd *e, int level, int name, const void *val,
                          socklen_t len, int rc)
{
	int err = errno;
	uint32_t st = mr_fd_state(e);
	const struct mr_runtime *rt;
	const char *why = NULL;

	if (rc == 0) {
		record_option(e, level, name, val, len);
		errno = err;
		return 0;
	}
	if (!(st & MR_ST_MPTCP) || (err != ENOPROTOOPT && err != EOPNOTSUPP && err != EINVAL))
		goto out;
	rt = mr_runtime();
	if (!rt || !rt->prog.sockopt_fallback || !tcp_accepts(st, level, name, val, len))
		goto out;
	if (!mr_swap(fd, e, false, &why)) {
		mr_log(
		    MR_LOG_INFO,
		    "fd %d setsockopt(level %d, option %d): MPTCP refused it (%s) and the socket "
		    "cannot become TCP: %s",
		    fd, level, name, strerror(err), why);
		goto out;
	}
	mr_fd_set_bits(e, MR_ST_PINNED);
	rc = real_setsockopt(fd, level, name, val, len);
	err = errno;
	mr_log(MR_LOG_INFO,
	       "fd %d setsockopt(level %d, option %d): MPTCP refused it, socket is now TCP "
	       "(sockopt_fallback)%s",
	       fd, level, name, rc == 0 ? "" : ", and TCP refused it too");
	if (rc == 0)
		record_option(e, level, name, val, len);
out:
	errno = err;
	return rc;
}

/* ---- options without meaning under MPTCP ---- */

static bool is_mptcp_socket(int fd)
{
	int proto = 0;
	socklen_t len = sizeof(proto);
	return real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
	       proto == IPPROTO_MPTCP;
}

/* Sets fd's emulated value (any socket: accepted ones are not managed). */
static bool emulate(int fd, const void *val, socklen_t len)
{
	int v;
	if (!val || len < (socklen_t)sizeof(int))
		return false; /* the kernel would say EINVAL on TCP: let MPTCP's error stand */
	memcpy(&v, val, sizeof(v));
	struct mr_fd *e = mr_fd_get_or_create(fd);
	if (!e)
		return false;
	uint32_t st = mr_fd_state(e);
	/* A number whose entry is stale (closed behind our back) starts afresh. */
	if (!(st & MR_ST_MANAGED))
		mr_fd_claim(e, 0);
	mr_fd_set_bits(e, MR_ST_OOB_EMUL);
	if (v)
		mr_fd_set_bits(e, MR_ST_OOB_ON);
	else
		mr_fd_clear_bits(e, MR_ST_OOB_ON);
	return true;
}

bool mr_option_emulated(int fd, int level, int name, const void *val, socklen_t len)
{
	int err = errno;
	if (!mr_option_emulable(level, name) || err != EOPNOTSUPP || !is_mptcp_socket(fd) ||
	    !emulate(fd, val, len)) {
		errno = err;
		return false;
	}
	mr_log(MR_LOG_DEBUG, "fd %d setsockopt(SO_OOBINLINE): emulated (MPTCP has no urgent data)",
	       fd);
	struct mr_fd *e = mr_pending(fd);
	if (e)
		record_option(e, level, name, val, len); /* a replacement to TCP sets it for real */
	errno = err;
	return true;
}

/* Copies an int-sized or smaller value as the kernel does: at most *len bytes, *len updated. */
static void copy_out(const void *src, socklen_t n, void *val, socklen_t *len)
{
	socklen_t k = *len < n ? *len : n;
	memcpy(val, src, k);
	*len = k;
}

bool mr_option_get_skipped(int fd, int level, int name, void *val, socklen_t *len)
{
	int err = errno;
	struct mr_fd *e = mr_fd_get(fd);
	if (err != EOPNOTSUPP || !val || !len || (int)*len < 0 || !e ||
	    !(mr_fd_state(e) & MR_ST_MANAGED))
		return false;
	for (unsigned i = 0; i < e->n_opts && i < MR_MAX_OPTS; i++) {
		const struct mr_opt *o = &e->opts[i];
		if (o->skipped && o->level == level && o->name == name) {
			copy_out(o->val, o->len, val, len);
			return true;
		}
	}
	return false;
}

bool mr_option_get_emulated(int fd, int level, int name, void *val, socklen_t *len)
{
	if (!mr_option_emulable(level, name) || !val || !len || (int)*len < 0)
		return false;
	struct mr_fd *e = mr_fd_get(fd);
	uint32_t st = e ? mr_fd_state(e) : 0;
	if (!(st & MR_ST_OOB_EMUL))
		return false;
	int v = (st & MR_ST_OOB_ON) ? 1 : 0;
	/* As the kernel does for int options: at most sizeof(int) bytes, the length written back.
	 */
	socklen_t n = *len < (socklen_t)sizeof(v) ? *len : (socklen_t)sizeof(v);
	memcpy(val, &v, n);
	*len = n;
	return true;
}
