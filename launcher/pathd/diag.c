/* SPDX-License-Identifier: MIT */
/* The MPTCP sock_diag dump (pathd/diag.h), with libmnl. */
#include "pathd/diag.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/uapi.h"
#include "pathd/nlattr.h"

/* The TCP states (netinet/tcp.h's names clash with linux/tcp.h's tcp_info). */
enum { TCP_STATE_ESTABLISHED = 1, TCP_STATE_SYN_SENT = 2, TCP_STATE_TIME_WAIT = 6 };

#define TOKEN_END (offsetof(struct mr_mptcp_info, token) + sizeof(uint32_t))

struct diag_ctx {
	void (*cb)(const struct pd_diag_conn *, void *);
	void *arg;
	bool subflows;
};

/* A subflow's ULP info: {NAME "mptcp", MPTCP {TOKEN_LOC, FLAGS, ...}}. false: not MPTCP. */
static bool ulp_info(const struct nlattr *ulp, uint32_t *token, uint32_t *flags)
{
	const struct nlattr *a, *b;
	bool mptcp = false;
	mnl_attr_for_each_nested(a, ulp)
	{
		if (mnl_attr_get_type(a) == INET_ULP_INFO_NAME)
			mptcp = strcmp(mnl_attr_get_str(a), "mptcp") == 0;
	}
	if (!mptcp)
		return false;
	mnl_attr_for_each_nested(a, ulp)
	{
		if (mnl_attr_get_type(a) != INET_ULP_INFO_MPTCP)
			continue;
		mnl_attr_for_each_nested(b, a)
		{
			if (mnl_attr_get_payload_len(b) < 4)
				continue;
			if (mnl_attr_get_type(b) == MPTCP_SUBFLOW_ATTR_TOKEN_LOC)
				*token = mnl_attr_get_u32(b);
			else if (mnl_attr_get_type(b) == MPTCP_SUBFLOW_ATTR_FLAGS)
				*flags = mnl_attr_get_u32(b);
		}
	}
	return true;
}

bool pd_diag_subflow(const struct nlmsghdr *nlh, uint32_t *token, uint32_t *flags,
                     struct tcp_info *ti)
{
	const struct nlattr *a;
	bool mptcp = false;
	*token = *flags = 0;
	if (ti)
		memset(ti, 0, sizeof(*ti));
	mnl_attr_for_each(a, nlh, sizeof(struct inet_diag_msg))
	{
		size_t len = mnl_attr_get_payload_len(a);
		if (ti && mnl_attr_get_type(a) == INET_DIAG_INFO)
			memcpy(ti, mnl_attr_get_payload(a), len < sizeof(*ti) ? len : sizeof(*ti));
		else if (mnl_attr_get_type(a) == INET_DIAG_ULP_INFO)
			mptcp = ulp_info(a, token, flags);
	}
	return mptcp;
}

void pd_diag_sample(const struct tcp_info *ti, struct pl_sample *out)
{
	*out = (struct pl_sample){
	    .bytes_acked = ti->tcpi_bytes_acked,
	    .bytes_received = ti->tcpi_bytes_received,
	    .segs_out = ti->tcpi_segs_out,
	    .total_retrans = ti->tcpi_total_retrans,
	    .unacked = ti->tcpi_unacked,
	    .notsent = ti->tcpi_notsent_bytes,
	    .snd_wnd = ti->tcpi_snd_wnd,
	    .rtt_us = ti->tcpi_rtt,
	    .rto_us = ti->tcpi_rto,
	    .last_ack_ms = ti->tcpi_last_ack_recv,
	};
}

static int diag_cb(const struct nlmsghdr *nlh, void *data)
{
	struct diag_ctx *c = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct pd_diag_conn d;
	memset(&d, 0, sizeof(d));
	d.family = m->idiag_family;
	d.state = m->idiag_state;
	d.uid = m->idiag_uid;
	d.loc.family = d.rem.family = m->idiag_family;
	memcpy(d.loc.a, m->id.idiag_src, 16);
	memcpy(d.rem.a, m->id.idiag_dst, 16);
	d.lport = ntohs(m->id.idiag_sport);
	d.rport = ntohs(m->id.idiag_dport);
	d.inode = m->idiag_inode;
	if (c->subflows) {
		struct tcp_info ti;
		if (!pd_diag_subflow(nlh, &d.token, &d.sf_flags, &ti))
			return MNL_CB_OK;
		pd_diag_sample(&ti, &d.tcp);
	} else {
		mnl_attr_for_each(a, nlh, sizeof(*m))
		{
			/* The connection's struct mptcp_info, of which the token only. */
			if (mnl_attr_get_type(a) == INET_DIAG_INFO &&
			    mnl_attr_get_payload_len(a) >= TOKEN_END)
				memcpy(&d.token,
				       (const char *)mnl_attr_get_payload(a) +
				           offsetof(struct mr_mptcp_info, token),
				       sizeof(d.token));
		}
	}
	if (d.token)
		c->cb(&d, c->arg);
	return MNL_CB_OK;
}

int pd_diag_dump(bool subflows, void (*cb)(const struct pd_diag_conn *, void *), void *arg)
{
	static const int families[] = {AF_INET, AF_INET6};
	struct diag_ctx c = {cb, arg, subflows};
	char *buf = malloc(PD_NLBUF);
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	int rc = -1;
	if (!buf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	for (size_t i = 0; i < 2; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = (unsigned)time(NULL) + (unsigned)i;
		struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
		req->sdiag_family = (uint8_t)families[i];
		req->sdiag_protocol = IPPROTO_TCP; /* a u8: 262 goes in the attribute below */
		/* Subflows: established ones, and joins still in SYN-SENT (their ports); not the
		 * TIME-WAIT and closing sockets a busy host has thousands of. */
		req->idiag_states =
		    subflows ? (1u << TCP_STATE_ESTABLISHED) | (1u << TCP_STATE_SYN_SENT) : ~0u;
		req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
		if (!subflows)
			mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			goto out;
		for (;;) {
			ssize_t n = mnl_socket_recvfrom(nl, buf, PD_NLBUF);
			if (n < 0)
				goto out;
			int r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq,
			                   mnl_socket_get_portid(nl), diag_cb, &c);
			if (r == MNL_CB_STOP)
				break;
			if (r < 0)
				goto out;
		}
	}
	rc = 0;
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return rc;
}

/* ---- exact requests ---- */

struct pd_diag {
	struct mnl_socket *nl;
	unsigned seq;
	char buf[8192]; /* one socket's answer: the message, tcp_info and the ULP info */
};

struct pd_diag *pd_diag_open(void)
{
	struct pd_diag *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!g->nl || mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		pd_diag_close(g);
		return NULL;
	}
	g->seq = (unsigned)time(NULL);
	return g;
}

void pd_diag_close(struct pd_diag *g)
{
	if (!g)
		return;
	if (g->nl)
		mnl_socket_close(g->nl);
	free(g);
}

/* An exact request for one TCP socket (SOCK_DIAG_BY_FAMILY or SOCK_DESTROY) into g->buf. */
static struct nlmsghdr *exact(struct pd_diag *g, uint16_t type, const struct pl_addr *loc,
                              uint16_t lport, const struct pl_addr *rem, uint16_t rport,
                              int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(g->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST; /* no dump: the kernel looks the one socket up */
	nlh->nlmsg_seq = ++g->seq;
	struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)loc->family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0u;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	memcpy(req->id.idiag_src, loc->a, sizeof(req->id.idiag_src));
	memcpy(req->id.idiag_dst, rem->a, sizeof(req->id.idiag_dst));
	req->id.idiag_sport = htons(lport);
	req->id.idiag_dport = htons(rport);
	req->id.idiag_if = (uint32_t)ifindex;
	req->id.idiag_cookie[0] = req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	return nlh;
}

struct one_ctx {
	struct pd_diag_conn *out;
	bool found;
};

static int one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct one_ctx *c = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct tcp_info ti;
	struct pd_diag_conn *d = c->out;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_OK;
	memset(d, 0, sizeof(*d));
	d->family = m->idiag_family;
	d->state = m->idiag_state;
	d->uid = m->idiag_uid;
	d->loc.family = d->rem.family = m->idiag_family;
	memcpy(d->loc.a, m->id.idiag_src, 16);
	memcpy(d->rem.a, m->id.idiag_dst, 16);
	d->lport = ntohs(m->id.idiag_sport);
	d->rport = ntohs(m->id.idiag_dport);
	d->inode = m->idiag_inode;
	d->ifindex = (int)m->id.idiag_if;
	pd_diag_subflow(nlh, &d->token, &d->sf_flags, &ti); /* closing: no longer MPTCP's */
	pd_diag_sample(&ti, &d->tcp);
	c->found = true;
	return MNL_CB_STOP;
}

int pd_diag_lookup(struct pd_diag *g, const struct pl_addr *loc, uint16_t lport,
                   const struct pl_addr *rem, uint16_t rport, int ifindex, struct pd_diag_conn *out)
{
	struct nlmsghdr *nlh = exact(g, SOCK_DIAG_BY_FAMILY, loc, lport, rem, rport, ifindex);
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	struct one_ctx c = {out, false};
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(g->nl, g->buf, sizeof(g->buf));
		if (n < 0)
			return -errno;
		int r =
		    mnl_cb_run(g->buf, (size_t)n, g->seq, mnl_socket_get_portid(g->nl), one_cb, &c);
		if (r < 0)
			return -errno;
		/* The answer is one message, or an error (ENOENT); a socket in TIME_WAIT answers
		 * without tcp_info, which counts as gone. */
		if (c.found || r == MNL_CB_STOP)
			return c.found && out->state != TCP_STATE_TIME_WAIT ? 0 : -ENOENT;
	}
}

int pd_diag_reset(struct pd_diag *g, const struct pl_addr *loc, uint16_t lport,
                  const struct pl_addr *rem, uint16_t rport, int ifindex)
{
	struct nlmsghdr *nlh = exact(g, SOCK_DESTROY, loc, lport, rem, rport, ifindex);
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ssize_t n = mnl_socket_recvfrom(g->nl, g->buf, sizeof(g->buf));
	if (n < 0)
		return -errno;
	/* The ACK: an error message whose code is 0 on success. */
	if (mnl_cb_run(g->buf, (size_t)n, g->seq, mnl_socket_get_portid(g->nl), NULL, NULL) < 0)
		return -errno;
	return 0;
}
