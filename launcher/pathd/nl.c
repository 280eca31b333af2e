/* SPDX-License-Identifier: MIT */
/*
 * The daemon's netlink, with libmnl: the mptcp_pm generic netlink family
 * (kernel-mptcp.md §4.3 for the commands, attributes and events), rtnetlink
 * for links and addresses, and the MPTCP sock_diag dump. Commands wait for
 * their ACK and return the kernel's extack text, so a refused SUBFLOW_CREATE
 * is logged with the kernel's own reason.
 */
#include "pathd/nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/inet_diag.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/uapi.h"

#ifndef INET_DIAG_REQ_PROTOCOL
#define INET_DIAG_REQ_PROTOCOL 3 /* 5.7: after NONE, BYTECODE, SK_BPF_STORAGES */
#endif
#ifndef MPTCP_PM_ADDR_FLAG_SIGNAL
#define MPTCP_PM_ADDR_FLAG_SIGNAL (1 << 0)
#endif
#ifndef MPTCP_PM_ADDR_FLAG_BACKUP
#define MPTCP_PM_ADDR_FLAG_BACKUP (1 << 2)
#endif
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16)
#endif
#define PD_NLBUF            32768
#define PD_ATTR_FLAGS       13 /* MPTCP_ATTR_FLAGS, u16 (6.2) */
#define PD_EV_FLAG_SERVER   2  /* MPTCP_PM_EV_FLAG_SERVER_SIDE */
#define PD_ATTR_SERVER_SIDE 18 /* deprecated form of the same */

bool pd_addr_eq(const struct pd_addr *x, const struct pd_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16) == 0;
}

const char *pd_addr_str(const struct pd_addr *x, char *buf, size_t size)
{
	if (!x->family || !inet_ntop(x->family, x->a, buf, (socklen_t)size))
		snprintf(buf, size, "-");
	return buf;
}

/* ---- generic netlink ---- */

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

static void get_addr(const struct nlattr *a, int family, struct pd_addr *out)
{
	size_t n = family == AF_INET ? 4 : 16;
	if (mnl_attr_get_payload_len(a) < n)
		return;
	out->family = family;
	memcpy(out->a, mnl_attr_get_payload(a), n);
}

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
			get_addr(a, AF_INET, &e.saddr);
			break;
		case MPTCP_ATTR_SADDR6:
			get_addr(a, AF_INET6, &e.saddr);
			break;
		case MPTCP_ATTR_DADDR4:
			get_addr(a, AF_INET, &e.daddr);
			break;
		case MPTCP_ATTR_DADDR6:
			get_addr(a, AF_INET6, &e.daddr);
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
		case PD_ATTR_FLAGS:
			if (mnl_attr_get_u16(a) & PD_EV_FLAG_SERVER)
				e.server_side = true;
			break;
		case PD_ATTR_SERVER_SIDE:
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

static void put_addr(struct nlmsghdr *nlh, uint16_t type, const struct pd_addr *x, int id,
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

int pd_pm_subflow_create(struct pd_genl *g, uint32_t token, const struct pd_addr *loc,
                         uint8_t loc_id, int if_idx, bool backup, const struct pd_addr *rem,
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

int pd_pm_subflow_destroy(struct pd_genl *g, uint32_t token, const struct pd_addr *loc,
                          uint16_t lport, const struct pd_addr *rem, uint16_t rport, char *why,
                          size_t wsize)
{
	char buf[512];
	struct nlmsghdr *nlh = genl_msg(g, buf, g->family, MPTCP_PM_CMD_SUBFLOW_DESTROY, NLM_F_ACK);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR, loc, -1, 0, 0, lport);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR_REMOTE, rem, -1, 0, 0, rport);
	return genl_call(g, nlh, NULL, NULL, why, wsize);
}

int pd_pm_set_backup(struct pd_genl *g, uint32_t token, const struct pd_addr *loc, uint16_t lport,
                     const struct pd_addr *rem, uint16_t rport, bool backup, char *why,
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

int pd_pm_announce(struct pd_genl *g, uint32_t token, const struct pd_addr *loc, uint8_t loc_id,
                   uint16_t port, char *why, size_t wsize)
{
	char buf[512];
	struct nlmsghdr *nlh = genl_msg(g, buf, g->family, MPTCP_PM_CMD_ANNOUNCE, NLM_F_ACK);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	put_addr(nlh, MPTCP_PM_ATTR_ADDR, loc, loc_id, MPTCP_PM_ADDR_FLAG_SIGNAL, 0, port);
	return genl_call(g, nlh, NULL, NULL, why, wsize);
}

struct addrs_ctx {
	struct pd_addr *out;
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
		struct pd_addr x = {0};
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
				get_addr(b, AF_INET, &x);
			else if (mnl_attr_get_type(b) == MPTCP_PM_ADDR_ATTR_ADDR6 &&
			         fam == AF_INET6)
				get_addr(b, AF_INET6, &x);
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

int pd_pm_get_addrs(struct pd_genl *g, uint32_t token, struct pd_addr *out, uint8_t *ids, int max)
{
	char buf[256];
	struct addrs_ctx c = {out, ids, 0, max};
	struct nlmsghdr *nlh =
	    genl_msg(g, buf, g->family, MPTCP_PM_CMD_GET_ADDR, NLM_F_DUMP | NLM_F_ACK);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	int rc = genl_call(g, nlh, addrs_cb, &c, NULL, 0);
	return rc < 0 ? rc : c.n;
}

/* ---- rtnetlink ---- */

struct pd_rtnl {
	struct mnl_socket *nl;
	char buf[PD_NLBUF];
};

int pd_rtnl_fd(const struct pd_rtnl *r)
{
	return mnl_socket_get_fd(r->nl);
}

struct pd_rtnl *pd_rtnl_open(const char **why)
{
	struct pd_rtnl *r = calloc(1, sizeof(*r));
	if (!r) {
		*why = "out of memory";
		return NULL;
	}
	if (!(r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) ||
	    /* Routes too: a subflow that failed for want of a route (a link back up before its
	     * routes) is retried when one appears. Their messages carry nothing else we use. */
	    mnl_socket_bind(r->nl,
	                    RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
	                        RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
	                    MNL_SOCKET_AUTOPID) < 0) {
		*why = "cannot open an rtnetlink socket";
		pd_rtnl_close(r);
		return NULL;
	}
	int sz = 1 << 20;
	setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	return r;
}

void pd_rtnl_close(struct pd_rtnl *r)
{
	if (!r)
		return;
	if (r->nl)
		mnl_socket_close(r->nl);
	free(r);
}

struct rt_ctx {
	void (*cb)(const struct pd_link_ev *, void *);
	void *arg;
};

static int rt_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rt_ctx *c = data;
	struct pd_link_ev ev;
	const struct nlattr *a;
	memset(&ev, 0, sizeof(ev));
	if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
		ev.ifindex = ifi->ifi_index;
		ev.removed = nlh->nlmsg_type == RTM_DELLINK;
		ev.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
		mnl_attr_for_each(a, nlh, sizeof(*ifi))
		{
			if (mnl_attr_get_type(a) == IFLA_IFNAME)
				snprintf(ev.name, sizeof(ev.name), "%s", mnl_attr_get_str(a));
		}
	} else if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
		uint32_t flags = ifa->ifa_flags;
		struct pd_addr local = {0}, address = {0};
		ev.is_addr = true;
		ev.ifindex = (int)ifa->ifa_index;
		ev.removed = nlh->nlmsg_type == RTM_DELADDR;
		if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
			return MNL_CB_OK;
		mnl_attr_for_each(a, nlh, sizeof(*ifa))
		{
			if (mnl_attr_get_type(a) == IFA_LOCAL)
				get_addr(a, ifa->ifa_family, &local);
			else if (mnl_attr_get_type(a) == IFA_ADDRESS)
				get_addr(a, ifa->ifa_family, &address);
			else if (mnl_attr_get_type(a) == IFA_FLAGS)
				flags = mnl_attr_get_u32(a);
		}
		ev.addr = local.family ? local : address;
		if (!ev.addr.family)
			return MNL_CB_OK;
		ev.addr_usable = ifa->ifa_scope == RT_SCOPE_UNIVERSE &&
		                 !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
	} else {
		return MNL_CB_OK;
	}
	c->cb(&ev, c->arg);
	return MNL_CB_OK;
}

static int rt_dump_one(struct mnl_socket *nl, char *buf, size_t size, uint16_t type,
                       struct rt_ctx *c)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL) + type;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, size);
		if (n < 0)
			return -1;
		int rc = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), rt_cb, c);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -1;
	}
}

int pd_rtnl_dump(struct pd_rtnl *r, void (*cb)(const struct pd_link_ev *, void *), void *arg)
{
	/* Its own socket: the notifications queued on r meanwhile are applied after the dump. */
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	struct rt_ctx c = {cb, arg};
	int rc = -1;
	if (!nl)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    rt_dump_one(nl, r->buf, sizeof(r->buf), RTM_GETLINK, &c) == 0 &&
	    rt_dump_one(nl, r->buf, sizeof(r->buf), RTM_GETADDR, &c) == 0)
		rc = 0;
	mnl_socket_close(nl);
	return rc;
}

int pd_rtnl_read(struct pd_rtnl *r, void (*cb)(const struct pd_link_ev *, void *), void *arg)
{
	struct rt_ctx c = {cb, arg};
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(r->nl), r->buf, sizeof(r->buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		mnl_cb_run(r->buf, (size_t)n, 0, 0, rt_cb, &c);
	}
}

/* ---- sock_diag ---- */

struct diag_ctx {
	void (*cb)(const struct pd_diag_conn *, void *);
	void *arg;
	bool subflows;
};

/* A subflow's ULP info: {NAME "mptcp", MPTCP {TOKEN_LOC, FLAGS, ...}}. */
static void ulp_info(const struct nlattr *ulp, struct pd_diag_conn *d)
{
	const struct nlattr *a, *b;
	bool mptcp = false;
	mnl_attr_for_each_nested(a, ulp)
	{
		if (mnl_attr_get_type(a) == INET_ULP_INFO_NAME)
			mptcp = strcmp(mnl_attr_get_str(a), "mptcp") == 0;
	}
	if (!mptcp)
		return;
	mnl_attr_for_each_nested(a, ulp)
	{
		if (mnl_attr_get_type(a) != INET_ULP_INFO_MPTCP)
			continue;
		mnl_attr_for_each_nested(b, a)
		{
			if (mnl_attr_get_payload_len(b) < 4)
				continue;
			if (mnl_attr_get_type(b) == MPTCP_SUBFLOW_ATTR_TOKEN_LOC)
				d->token = mnl_attr_get_u32(b);
			else if (mnl_attr_get_type(b) == MPTCP_SUBFLOW_ATTR_FLAGS)
				d->sf_flags = mnl_attr_get_u32(b);
		}
	}
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
	mnl_attr_for_each(a, nlh, sizeof(*m))
	{
		/* struct mptcp_info: the token is at offset 12 (path-manager.md). */
		if (!c->subflows && mnl_attr_get_type(a) == INET_DIAG_INFO &&
		    mnl_attr_get_payload_len(a) >= 16)
			memcpy(&d.token, (const char *)mnl_attr_get_payload(a) + 12, 4);
		if (c->subflows && mnl_attr_get_type(a) == INET_DIAG_ULP_INFO)
			ulp_info(a, &d);
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
		req->idiag_states = ~0u;
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
