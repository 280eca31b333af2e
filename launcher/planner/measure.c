/* SPDX-License-Identifier: MIT */
#include "planner/measure.h"

#include "planner/retry.h"

static double later(double a, double b)
{
	return a > b ? a : b;
}

/* The hold of the handover thresholds: stall_ms, or 1 s when no stall time is set. */
static double threshold_hold(const struct pl_conn *c)
{
	return c->tune.v[MR_MK_STALL] > 0 ? c->tune.v[MR_MK_STALL] : 1000.;
}

void pl_health_update(const struct pl_conn *c, struct pl_sub *s, const struct pl_sample *x,
                      double now)
{
	struct pl_health *h = &s->h;
	double acked_at = now - x->last_ack_ms; /* the last ACK, as the kernel saw it */
	bool moved;
	if (!h->sampled) {
		/* Its last ACK, or its establishment for one that never had data acknowledged. */
		h->progress_at = later(s->t_live, acked_at);
		h->segs_out = x->segs_out;
		h->retrans = x->total_retrans;
		moved = false;
	} else if (x->bytes_acked > h->acked) {
		h->progress_at = later(h->progress_at, acked_at);
		moved = true;
	} else if (x->bytes_received > h->received) {
		h->progress_at = now;
		moved = true;
	} else {
		moved = false;
	}
	h->sampled = true;
	h->t = now;
	h->acked = x->bytes_acked;
	h->received = x->bytes_received;
	/* In flight, or waiting to leave while the peer's window is open: a path that drops what
	 * it is given as it leaves (a firewall) keeps nothing in flight, and a peer that asked us
	 * to wait (window 0) is not a stall. */
	h->outstanding = x->unacked > 0 || (x->notsent > 0 && x->snd_wnd > 0);
	h->rtt_ms = (float)x->rtt_us / 1000.f;
	h->rto_ms = (float)x->rto_us / 1000.f;
	/* The loss of the last window of PL_LOSS_WINDOW segments or more. */
	if (x->segs_out >= h->segs_out + PL_LOSS_WINDOW) {
		uint32_t sent = x->segs_out - h->segs_out;
		uint32_t again = x->total_retrans >= h->retrans ? x->total_retrans - h->retrans : 0;
		h->loss = again >= sent ? 1.f : (float)again / (float)sent;
		h->segs_out = x->segs_out;
		h->retrans = x->total_retrans;
	} else if (x->segs_out < h->segs_out) {
		h->segs_out = x->segs_out; /* another socket with the same ends: start again */
		h->retrans = x->total_retrans;
	}
	/* The handover thresholds, judged only while the subflow carries data (an idle one's
	 * RTT is old news). */
	int rtt = c->tune.v[MR_MK_RTT], loss = c->tune.v[MR_MK_LOSS];
	bool over =
	    (rtt > 0 && h->rtt_ms > (float)rtt) || (loss > 0 && h->loss * 100.f > (float)loss);
	if (!over)
		h->over_since = 0;
	else if (!h->over_since && (moved || h->outstanding))
		h->over_since = now;
}

bool pl_stalled(const struct pl_conn *c, const struct pl_sub *s, double now)
{
	int stall = c->tune.v[MR_MK_STALL];
	return stall > 0 && s->h.sampled && s->h.outstanding && now - s->h.progress_at >= stall;
}

bool pl_too_slow(const struct pl_conn *c, const struct pl_sub *s, double now)
{
	return s->h.over_since > 0 && now - s->h.over_since >= threshold_hold(c);
}

double pl_score(const struct pl_sub *s)
{
	if (!s->h.sampled || s->h.rtt_ms <= 0)
		return -1;
	return (double)s->h.rtt_ms + (double)s->h.loss * (double)s->h.rto_ms;
}

int pl_sample_every(const struct pl_conn *c)
{
	if (!c->decided || c->server || c->pp.origin == MR_PATHS_NONE)
		return 0;
	if (c->tune.v[MR_MK_MODE] == MR_PATH_HANDOVER) {
		int t = c->tune.v[MR_MK_STALL] > 0 ? c->tune.v[MR_MK_STALL] / 4 : 250;
		return t < PL_SAMPLE_MIN_MS   ? PL_SAMPLE_MIN_MS
		       : t > PL_SAMPLE_MAX_MS ? PL_SAMPLE_MAX_MS
		                              : t;
	}
	if (c->tune.v[MR_MK_MODE] == MR_PATH_INTERACTIVE)
		return c->tune.v[MR_MK_EVERY];
	/* Aggregate: only while a path retries (to see data flow again, and learn the port of a
	 * join that does not come up, to close it). */
	for (int i = 0; i < MR_PATHS_MAX; i++)
		if (c->retry[i].fails)
			return PL_RETRY_SAMPLE;
	return 0;
}

void pl_sub_sampled(struct pl_conn *c, const struct pl_addr *loc, uint16_t lport,
                    const struct pl_addr *rem, uint16_t rport, bool connecting,
                    const struct pl_sample *x, double now)
{
	struct pl_sub *s = NULL;
	for (int i = 0; i < c->n_sub && !s; i++)
		if (c->s[i].lport == lport && pl_addr_eq(&c->s[i].loc, loc) &&
		    pl_addr_eq(&c->s[i].rem, rem) && c->s[i].rport == rport)
			s = &c->s[i];
	if (!s && connecting) {
		/* A join of ours still in SYN-SENT: its port, so that it can be closed. */
		for (int i = 0; i < c->n_sub && !s; i++)
			if (!c->s[i].lport && c->s[i].ours && !c->s[i].live &&
			    pl_addr_eq(&c->s[i].loc, loc) && pl_addr_eq(&c->s[i].rem, rem) &&
			    c->s[i].rport == rport)
				s = &c->s[i];
		if (s)
			s->lport = lport;
		return;
	}
	if (!s || !s->live || connecting)
		return;
	uint64_t acked = s->h.acked, received = s->h.received;
	bool first = !s->h.sampled;
	pl_health_update(c, s, x, now);
	if (!first && (s->h.acked > acked || s->h.received > received))
		pl_retry_progress(c, s, now);
}
