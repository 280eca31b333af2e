/* SPDX-License-Identifier: MIT */
#include "planner/retry.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

double pl_retry_delay_ms(int fails)
{
	if (fails <= 0)
		return 0;
	double d = PL_RETRY_FIRST_MS;
	for (int i = 1; i < fails && d < PL_RETRY_MAX_MS; i++)
		d *= 2;
	return d < PL_RETRY_MAX_MS ? d : PL_RETRY_MAX_MS;
}

void pl_retry_fail(struct pl_conn *c, int path, enum pl_fail why, int err, double now)
{
	if (path < 0 || path >= MR_PATHS_MAX)
		return;
	struct pl_retry *r = &c->retry[path];
	if (r->fails < 255)
		r->fails++;
	r->why = (uint8_t)why;
	r->err = err < 0 ? -err : err;
	r->at = now + pl_retry_delay_ms(r->fails);
}

bool pl_retry_allows(const struct pl_conn *c, int path, double now)
{
	return path >= 0 && path < MR_PATHS_MAX &&
	       (!c->retry[path].fails || now >= c->retry[path].at);
}

void pl_retry_forget(struct pl_conn *c, int path)
{
	if (path >= 0 && path < MR_PATHS_MAX)
		memset(&c->retry[path], 0, sizeof(c->retry[path]));
}

void pl_retry_progress(struct pl_conn *c, const struct pl_sub *s, double now)
{
	if (s->path < 0 || s->path >= MR_PATHS_MAX || s->bad)
		return;
	struct pl_retry *r = &c->retry[s->path];
	if (r->fails && s->t_live > 0 && now - s->t_live >= pl_retry_delay_ms(r->fails))
		r->fails = 0; /* why and tries stay, for the record */
}

bool pl_retry_unreachable(const struct pl_conn *c, int path)
{
	return path >= 0 && path < MR_PATHS_MAX && c->retry[path].fails >= PL_UNREACHABLE_FAILS;
}

/* The errno values a subflow's failure carries, by name (no strerror in a pure module). */
static const char *errno_name(int err)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
	    {ECONNRESET, "ECONNRESET"},
	    {ETIMEDOUT, "ETIMEDOUT"},
	    {ECONNREFUSED, "ECONNREFUSED"},
	    {ENETUNREACH, "ENETUNREACH"},
	    {EHOSTUNREACH, "EHOSTUNREACH"},
	    {ENETDOWN, "ENETDOWN"},
	    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
	    {EPIPE, "EPIPE"},
	    {ENOTCONN, "ENOTCONN"},
	    {EINVAL, "EINVAL"},
	    {ENOMEM, "ENOMEM"},
	    {ENOSPC, "ENOSPC"},
	    {EPERM, "EPERM"},
	    {EBADMSG, "EBADMSG"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == err)
			return names[i].name;
	return NULL;
}

const char *pl_fail_text(const struct pl_retry *r, char *buf, size_t size)
{
	static const char *const what[] = {
	    [PL_FAIL_NONE] = "none",
	    [PL_FAIL_REFUSED] = "refused",
	    [PL_FAIL_NEVER_UP] = "never established",
	    [PL_FAIL_TIMEOUT] = "not established in time",
	    [PL_FAIL_RESET] = "reset",
	    [PL_FAIL_PEER_CLOSED] = "closed by the peer",
	    [PL_FAIL_STALLED] = "stalled (no ACK progress)",
	    [PL_FAIL_SLOW] = "too slow (RTT or loss beyond the thresholds)",
	};
	const char *w = r->why < sizeof(what) / sizeof(what[0]) ? what[r->why] : "?";
	const char *e = r->err ? errno_name(r->err) : NULL;
	if (e)
		snprintf(buf, size, "%s (%s)", w, e);
	else if (r->err)
		snprintf(buf, size, "%s (error %d)", w, r->err);
	else
		snprintf(buf, size, "%s", w);
	return buf;
}

void pl_sub_closed(struct pl_conn *c, const struct pl_addr *loc, uint16_t lport,
                   const struct pl_addr *rem, uint16_t rport, int err, double now)
{
	struct pl_sub *s = pl_sub_find(c, loc, lport, rem, rport);
	if (!s)
		return;
	/* Not closed by us, on a listed path: its path waits before the next one. A join that
	 * was judged bad was counted when it was. */
	if (!s->closing && !s->bad && c->decided && mr_paths_lists(&c->pp, s->path)) {
		enum pl_fail why = !s->live ? PL_FAIL_NEVER_UP
		                   : err    ? PL_FAIL_RESET
		                            : PL_FAIL_PEER_CLOSED;
		pl_retry_fail(c, s->path, why, err, now);
	}
	pl_sub_remove(c, s); /* a promotion still due goes with it */
}
