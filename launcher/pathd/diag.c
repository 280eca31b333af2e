/* SPDX-License-Identifier: MIT */
/* The MPTCP sock_diag dump (pathd/diag.h), with libmnl. */
#include "pathd/diag.h"

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
enum { TCP_STATE_ESTABLISHED = 1, TCP_STATE_SYN_SENT = 2 };

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
