/* SPDX-License-Identifier: MIT */
#include "sampler/diag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/uapi.h"
#include "pathd/diag.h"

#define DIAG_BUF (64UL * 1024)

#ifndef MPTCP_INFO_FLAG_FALLBACK
#define MPTCP_INFO_FLAG_FALLBACK (1 << 0)
#endif

enum { TCP_STATE_ESTABLISHED = 1, TCP_STATE_CLOSE = 7, TCP_STATE_LISTEN = 10 };

struct ctx {
	struct lv_sample *s;
	bool subflows; /* this dump is of TCP sockets */
	bool oom;
};

static void endpoints(const struct inet_diag_msg *m, struct lv_addr *loc, struct lv_addr *rem,
                      uint16_t *lport, uint16_t *rport)
{
	loc->family = rem->family = m->idiag_family;
	memcpy(loc->a, m->id.idiag_src, 16);
	memcpy(rem->a, m->id.idiag_dst, 16);
	*lport = ntohs(m->id.idiag_sport);
	*rport = ntohs(m->id.idiag_dport);
}

static void tcp_socket(struct ctx *c, const struct nlmsghdr *nlh, const struct inet_diag_msg *m)
{
	struct tcp_info ti;
	uint32_t token, flags;

	/* The path daemon's reading of a subflow's attributes: one definition of it. */
	if (!pd_diag_subflow(nlh, &token, &flags, &ti)) {
		if (m->idiag_state == TCP_STATE_ESTABLISHED)
			c->s->tcp_plain++;
		return;
	}
	if (!token || m->idiag_state == TCP_STATE_LISTEN)
		return;
	struct lv_subflow *f = lv_sample_add_subflow(c->s);
	if (!f) {
		c->oom = true;
		return;
	}
	f->token = token;
	endpoints(m, &f->loc, &f->rem, &f->lport, &f->rport);
	f->ifindex = (int)m->id.idiag_if;
	f->state = m->idiag_state;
	f->backup = flags & (MPTCP_SUBFLOW_FLAG_BKUP_LOC | MPTCP_SUBFLOW_FLAG_BKUP_REM);
	f->initial = flags & (MPTCP_SUBFLOW_FLAG_MCAP_LOC | MPTCP_SUBFLOW_FLAG_MCAP_REM);
	f->bytes_sent = ti.tcpi_bytes_sent;
	f->bytes_acked = ti.tcpi_bytes_acked;
	f->bytes_received = ti.tcpi_bytes_received;
	f->bytes_retrans = ti.tcpi_bytes_retrans;
	f->rtt_us = ti.tcpi_rtt;
	f->retrans = ti.tcpi_total_retrans;
}

static void mptcp_socket(struct ctx *c, const struct nlmsghdr *nlh, const struct inet_diag_msg *m)
{
	const struct nlattr *a;
	struct mr_mptcp_info mi;

	if (m->idiag_state == TCP_STATE_LISTEN)
		return;
	memset(&mi, 0, sizeof(mi));
	mnl_attr_for_each(a, nlh, sizeof(*m))
	{
		size_t len = mnl_attr_get_payload_len(a);
		if (mnl_attr_get_type(a) == INET_DIAG_INFO)
			memcpy(&mi, mnl_attr_get_payload(a), len < sizeof(mi) ? len : sizeof(mi));
	}
	/* Token 0: never connected. */
	if (!mi.token)
		return;
	struct lv_conn *k = lv_sample_add_conn(c->s);
	if (!k) {
		c->oom = true;
		return;
	}
	k->token = mi.token;
	k->state = m->idiag_state;
	k->fallback = mi.flags & MPTCP_INFO_FLAG_FALLBACK;
	endpoints(m, &k->loc, &k->rem, &k->lport, &k->rport);
	k->uid = m->idiag_uid;
	k->inode = m->idiag_inode;
	k->bytes_sent = mi.bytes_sent;
	k->bytes_acked = mi.bytes_acked;
	k->bytes_received = mi.bytes_received;
	if (k->fallback)
		c->s->fallback++;
}

static int cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctx *c = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_OK;
	if (c->subflows)
		tcp_socket(c, nlh, m);
	else
		mptcp_socket(c, nlh, m);
	return c->oom ? MNL_CB_ERROR : MNL_CB_OK;
}

/* One dump: family, MPTCP sockets or TCP ones. */
static int dump(struct mnl_socket *nl, char *buf, int family, bool subflows, struct ctx *c,
                unsigned seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP; /* a u8: 262 goes in the attribute below */
	req->idiag_states = ~0u;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (!subflows)
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	c->subflows = subflows;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, DIAG_BUF);
		if (n < 0)
			return -errno;
		int r = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), cb, c);
		if (c->oom)
			return -ENOMEM;
		if (r == MNL_CB_STOP)
			return 0;
		if (r < 0)
			return -errno;
	}
}

int ls_diag_read(struct lv_sample *s)
{
	static const int families[] = {AF_INET, AF_INET6};
	struct ctx c = {s, false, false};
	char *buf = malloc(DIAG_BUF);
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	unsigned seq = (unsigned)time(NULL);
	int rc = -ENOMEM;

	if (!buf || !nl) {
		rc = nl ? -ENOMEM : -errno;
		goto out;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	for (size_t i = 0; i < 2; i++) {
		rc = dump(nl, buf, families[i], false, &c, seq++);
		if (rc == 0)
			rc = dump(nl, buf, families[i], true, &c, seq++);
		/* A kernel without IPv6 refuses the AF_INET6 dump: IPv4 alone is all there is. */
		if (rc < 0 && !(i == 1 && (rc == -ENOENT || rc == -EAFNOSUPPORT)))
			goto out;
	}
	rc = 0;
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return rc;
}
