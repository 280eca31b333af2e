/* SPDX-License-Identifier: MIT */
/*
 * Socket options on a managed socket: recorded while the socket may still be
 * replaced (the replacement replays them), and the option fallback: an option
 * MPTCP refuses but TCP accepts turns the socket into TCP when that is allowed.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/lifecycle.h"
#include "core/replace.h"
#include "core/runtime.h"
#include "kernel/log.h"
#include "kernel/real.h"

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
