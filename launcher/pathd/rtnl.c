/* SPDX-License-Identifier: MIT */
/* Links and addresses over rtnetlink (pathd/rtnl.h), with libmnl. */
#include "pathd/rtnl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "kernel/uapi.h"
#include "pathd/nlattr.h"

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
		struct pl_addr local = {0}, address = {0};
		ev.is_addr = true;
		ev.ifindex = (int)ifa->ifa_index;
		ev.removed = nlh->nlmsg_type == RTM_DELADDR;
		if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
			return MNL_CB_OK;
		mnl_attr_for_each(a, nlh, sizeof(*ifa))
		{
			if (mnl_attr_get_type(a) == IFA_LOCAL)
				pd_nl_get_addr(a, ifa->ifa_family, &local);
			else if (mnl_attr_get_type(a) == IFA_ADDRESS)
				pd_nl_get_addr(a, ifa->ifa_family, &address);
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
