/* SPDX-License-Identifier: MIT */
/*
 * The mptcp_pm generic netlink family (pathd/genl.h), with libmnl. Commands
 * wait for their ACK and return the kernel's extack text, so a refused
 * SUBFLOW_CREATE is logged with the kernel's own reason.
 */
#include "pathd/genl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/uapi.h"
#include "pathd/nlattr.h"

struct pd_genl {
	struct mnl_socket *nl;
	unsigned portid, seq;
	uint16_t family;
	uint32_t events_group;
	char buf[PD_NLBUF];
};

int pd_genl_fd(const struct pd_genl *g)
{
	return mnl_socket_get_fd(g->nl);
}

uint32_t pd_genl_events_group(const struct pd_genl *g)
{
	return g->events_group;
}

static int family_group_cb(const struct nlattr *grp, struct pd_genl *g)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;
	mnl_attr_for_each_nested(a, grp)
	{
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(a);
	}
	if (name && strcmp(name, MPTCP_PM_EV_GRP_NAME) == 0)
		g->events_group = id;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pd_genl *g = data;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			g->family = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS) {
			const struct nlattr *grp;
			mnl_attr_for_each_nested(grp, a) family_group_cb(grp, g);
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *genl_msg(struct pd_genl *g, char *buf, uint16_t type, uint8_t cmd,
                                 uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++g->seq;
	struct genlmsghdr *h = mnl_nlmsg_put_extra_header(nlh, sizeof(*h));
	h->cmd = cmd;
	h->version = MPTCP_PM_VER;
	return nlh;
}

struct pd_genl *pd_genl_open(bool events, const char **why)
{
	struct pd_genl *g = calloc(1, sizeof(*g));
	char buf[256];
	int one = 1;
	if (!g) {
		*why = "out of memory";
		return NULL;
	}
	g->seq = (unsigned)time(NULL);
	if (!(g->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC)) ||
	    mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*why = "cannot open a generic netlink socket";
		goto fail;
	}
	g->portid = mnl_socket_get_portid(g->nl);
	mnl_socket_setsockopt(g->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	struct nlmsghdr *nlh = genl_msg(g, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MPTCP_PM_NAME);
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0) {
		*why = "cannot ask for the mptcp_pm family";
		goto fail;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(g->nl, g->buf, sizeof(g->buf));
		if (n <= 0)
			break;
		int rc = mnl_cb_run(g->buf, (size_t)n, g->seq, g->portid, family_cb, g);
		if (rc <= MNL_CB_STOP)
			break;
	}
	if (!g->family) {
		*why = "the kernel has no mptcp_pm generic netlink family (MPTCP disabled?)";
		goto fail;
	}
	if (events) {
		if (!g->events_group) {
			*why = "the mptcp_pm family has no mptcp_pm_events group";
			goto fail;
		}
		int sz = 4 << 20;
		setsockopt(mnl_socket_get_fd(g->nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
		if (mnl_socket_setsockopt(g->nl, NETLINK_ADD_MEMBERSHIP, &g->events_group,
		                          sizeof(g->events_group)) < 0) {
			*why = errno == EPERM ? "joining mptcp_pm_events needs CAP_NET_ADMIN"
			                      : "cannot join mptcp_pm_events";
			goto fail;
		}
	}
	return g;
fail:
	pd_genl_close(g);
	return NULL;
}

void pd_genl_close(struct pd_genl *g)
{
	if (!g)
		return;
	if (g->nl)
		mnl_socket_close(g->nl);
	free(g);
}

struct ev_ctx {
	void (*cb)(const struct pd_event *, void *);
	void *arg;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ev_ctx *c = data;
	const struct genlmsghdr *h = mnl_nlmsg_get_payload(nlh);
	struct pd_event e;
	const struct nlattr *a;
	memset(&e, 0, sizeof(e));
	e.type = h->cmd;
	e.if_idx = 0;
	mnl_attr_for_each(a, nlh, sizeof(*h))
	{
		switch (mnl_attr_get_type(a)) {
		case MPTCP_ATTR_TOKEN:
			e.token = mnl_attr_get_u32(a);
			break;
		case MPTCP_ATTR_FAMILY:
			e.family = mnl_attr_get_u16(a);
			break;
		case MPTCP_ATTR_LOC_ID:
			e.loc_id = mnl_attr_get_u8(a);
			break;
		case MPTCP_ATTR_REM_ID:
			e.rem_id = mnl_attr_get_u8(a);
			break;
		case MPTCP_ATTR_SADDR4:
			pd_nl_get_addr(a, AF_INET, &e.saddr);
			break;
		case MPTCP_ATTR_SADDR6:
			pd_nl_get_addr(a, AF_INET6, &e.saddr);
			break;
		case MPTCP_ATTR_DADDR4:
			pd_nl_get_addr(a, AF_INET, &e.daddr);
			break;
		case MPTCP_ATTR_DADDR6:
			pd_nl_get_addr(a, AF_INET6, &e.daddr);
			break;
		case MPTCP_ATTR_SPORT:
			e.sport = ntohs(mnl_attr_get_u16(a));
			break;
		case MPTCP_ATTR_DPORT:
			e.dport = ntohs(mnl_attr_get_u16(a));
			break;
		case MPTCP_ATTR_BACKUP:
			e.backup = mnl_attr_get_u8(a) != 0;
			break;
		case MPTCP_ATTR_ERROR:
			e.error = (int)mnl_attr_get_u32(a);
			break;
		case MPTCP_ATTR_IF_IDX:
			e.if_idx = (int)mnl_attr_get_u32(a);
			break;
		case MPTCP_ATTR_FLAGS:
			if (mnl_attr_get_u16(a) & MPTCP_PM_EV_FLAG_SERVER_SIDE)
				e.server_side = true;
			break;
		case MPTCP_ATTR_SERVER_SIDE: /* before 6.7 */
			if (mnl_attr_get_u8(a))
				e.server_side = true;
			break;
		default:
			break;
		}
	}
	c->cb(&e, c->arg);
	return MNL_CB_OK;
}

int pd_genl_read(struct pd_genl *g, void (*cb)(const struct pd_event *, void *), void *arg)
{
	struct ev_ctx c = {cb, arg};
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(g->nl), g->buf, sizeof(g->buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		/* Events carry sequence 0 and port 0: accept any. */
		if (mnl_cb_run(g->buf, (size_t)n, 0, 0, event_cb, &c) < MNL_CB_STOP && errno != 0 &&
		    errno != ESRCH)
			return -1;
	}
}

/*
 * Sends nlh and reads until its ACK. Returns 0 or -errno; the extack message, if any,
 * goes to why. A dump's replies go through cb.
 */
static int genl_call(struct pd_genl *g, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, char *why,
                     size_t wsize)
{
	if (why && wsize)
		why[0] = '\0';
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(g->nl, g->buf, sizeof(g->buf));
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)g->buf; mnl_nlmsg_ok(h, (int)n);
		     h = mnl_nlmsg_next(h, (int *)&n)) {
			if (h->nlmsg_seq != nlh->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				if (e->error && why && (h->nlmsg_flags & NLM_F_ACK_TLVS)) {
					size_t off = sizeof(*e);
					if (!(h->nlmsg_flags & NLM_F_CAPPED))
						off += e->msg.nlmsg_len - sizeof(e->msg);
					const struct nlattr *attr;
					mnl_attr_for_each_payload(
					    (const void *)((const char *)e + MNL_ALIGN(off)),
					    h->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(off))
					{
						if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
							snprintf(why, wsize, "%s",
							         mnl_attr_get_str(attr));
					}
				}
				return e->error;
			}
			if (cb && cb(h, data) < MNL_CB_OK)
				return -EIO;
		}
	}
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, const struct pl_addr *x, int id,
                     uint32_t flags, int if_idx, uint16_t port)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);
	mnl_attr_put_u16(nlh, MPTCP_PM_ADDR_ATTR_FAMILY, (uint16_t)x->family);
	if (x->family == AF_INET)
		mnl_attr_put(nlh, MPTCP_PM_ADDR_ATTR_ADDR4, 4, x->a);
	else
		mnl_attr_put(nlh, MPTCP_PM_ADDR_ATTR_ADDR6, 16, x->a);
	if (id >= 0)
		mnl_attr_put_u8(nlh, MPTCP_PM_ADDR_ATTR_ID, (uint8_t)id);
	if (flags)
		mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_FLAGS, flags);
	if (if_idx > 0)
		mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_IF_IDX, (uint32_t)if_idx);
	if (port)
		mnl_attr_put_u16(nlh, MPTCP_PM_ADDR_ATTR_PORT, port); /* host order */
	mnl_attr_nest_end(nlh, n);
}

int pd_pm_subflow_create(struct pd_genl *g, uint32_t token, const struct pl_addr *loc,
                         uint8_t loc_id, int if_idx, bool backup, const struct pl_addr *rem,
                         uint16_t rport, char *why, size_t wsize)
{
	char buf[512];
	struct nlmsghdr *nlh = genl_msg(g, buf, g->family, MPTCP_PM_CMD_SUBFLOW_CREATE, NLM_F_ACK);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR, loc, loc_id, backup ? MPTCP_PM_ADDR_FLAG_BACKUP : 0,
	         if_idx, 0);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR_REMOTE, rem, -1, 0, 0, rport);
	return genl_call(g, nlh, NULL, NULL, why, wsize);
}

int pd_pm_subflow_destroy(struct pd_genl *g, uint32_t token, const struct pl_addr *loc,
                          uint16_t lport, const struct pl_addr *rem, uint16_t rport, char *why,
                          size_t wsize)
{
	char buf[512];
	struct nlmsghdr *nlh = genl_msg(g, buf, g->family, MPTCP_PM_CMD_SUBFLOW_DESTROY, NLM_F_ACK);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR, loc, -1, 0, 0, lport);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR_REMOTE, rem, -1, 0, 0, rport);
	return genl_call(g, nlh, NULL, NULL, why, wsize);
}

int pd_pm_set_backup(struct pd_genl *g, uint32_t token, const struct pl_addr *loc, uint16_t lport,
                     const struct pl_addr *rem, uint16_t rport, bool backup, char *why,
                     size_t wsize)
{
	char buf[512];
	struct nlmsghdr *nlh = genl_msg(g, buf, g->family, MPTCP_PM_CMD_SET_FLAGS, NLM_F_ACK);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	/* FLAGS must be present to clear the flag too: put it even when 0. */
	struct nlattr *n = mnl_attr_nest_start(nlh, MPTCP_PM_ATTR_ADDR);
	mnl_attr_put_u16(nlh, MPTCP_PM_ADDR_ATTR_FAMILY, (uint16_t)loc->family);
	if (loc->family == AF_INET)
		mnl_attr_put(nlh, MPTCP_PM_ADDR_ATTR_ADDR4, 4, loc->a);
	else
		mnl_attr_put(nlh, MPTCP_PM_ADDR_ATTR_ADDR6, 16, loc->a);
	mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_FLAGS, backup ? MPTCP_PM_ADDR_FLAG_BACKUP : 0);
	mnl_attr_put_u16(nlh, MPTCP_PM_ADDR_ATTR_PORT, lport);
	mnl_attr_nest_end(nlh, n);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR_REMOTE, rem, -1, 0, 0, rport);
	return genl_call(g, nlh, NULL, NULL, why, wsize);
}

int pd_pm_announce(struct pd_genl *g, uint32_t token, const struct pl_addr *loc, uint8_t loc_id,
                   uint16_t port, bool backup, char *why, size_t wsize)
{
	char buf[512];
	struct nlmsghdr *nlh = genl_msg(g, buf, g->family, MPTCP_PM_CMD_ANNOUNCE, NLM_F_ACK);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR, loc, loc_id,
	         MPTCP_PM_ADDR_FLAG_SIGNAL | (backup ? MPTCP_PM_ADDR_FLAG_BACKUP : 0), 0, port);
	return genl_call(g, nlh, NULL, NULL, why, wsize);
}

struct addrs_ctx {
	struct pl_addr *out;
	uint8_t *ids;
	int n, max;
};

static int addrs_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addrs_ctx *c = data;
	const struct nlattr *a, *b;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		if (mnl_attr_get_type(a) != MPTCP_PM_ATTR_ADDR || c->n >= c->max)
			continue;
		struct pl_addr x = {0};
		uint8_t id = 0;
		int fam = 0;
		mnl_attr_for_each_nested(b, a)
		{
			if (mnl_attr_get_type(b) == MPTCP_PM_ADDR_ATTR_FAMILY)
				fam = mnl_attr_get_u16(b);
		}
		mnl_attr_for_each_nested(b, a)
		{
			if (mnl_attr_get_type(b) == MPTCP_PM_ADDR_ATTR_ADDR4 && fam == AF_INET)
				pd_nl_get_addr(b, AF_INET, &x);
			else if (mnl_attr_get_type(b) == MPTCP_PM_ADDR_ATTR_ADDR6 &&
			         fam == AF_INET6)
				pd_nl_get_addr(b, AF_INET6, &x);
			else if (mnl_attr_get_type(b) == MPTCP_PM_ADDR_ATTR_ID)
				id = mnl_attr_get_u8(b);
		}
		if (x.family) {
			c->out[c->n] = x;
			c->ids[c->n++] = id;
		}
	}
	return MNL_CB_OK;
}

int pd_pm_get_addrs(struct pd_genl *g, uint32_t token, struct pl_addr *out, uint8_t *ids, int max)
{
	char buf[256];
	struct addrs_ctx c = {out, ids, 0, max};
	struct nlmsghdr *nlh =
	    genl_msg(g, buf, g->family, MPTCP_PM_CMD_GET_ADDR, NLM_F_DUMP | NLM_F_ACK);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	int rc = genl_call(g, nlh, addrs_cb, &c, NULL, 0);
	return rc < 0 ? rc : c.n;
}
