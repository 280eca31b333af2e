/* SPDX-License-Identifier: MIT */
#include "sampler/ifaces.h"

#include <errno.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static void add_link(struct ls_ifaces *x, const char *name, bool up)
{
	for (size_t i = 0; i < x->n_links; i++)
		if (strcmp(x->link[i].name, name) == 0)
			return;
	if (x->n_links == LS_MAX_ADDRS)
		return;
	snprintf(x->link[x->n_links].name, LV_IFNAME, "%s", name);
	x->link[x->n_links++].up = up;
}

int ls_ifaces_load(struct ls_ifaces *x)
{
	struct ifaddrs *all, *i;

	x->n = x->n_links = 0;
	if (getifaddrs(&all) < 0)
		return -errno;
	for (i = all; i; i = i->ifa_next) {
		bool up = (i->ifa_flags & IFF_UP) && (i->ifa_flags & IFF_RUNNING);
		if (!i->ifa_name || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		add_link(x, i->ifa_name, up);
		if (!i->ifa_addr || x->n == LS_MAX_ADDRS)
			continue;
		struct lv_addr *a = &x->e[x->n].addr;
		memset(a, 0, sizeof(*a));
		if (i->ifa_addr->sa_family == AF_INET) {
			a->family = AF_INET;
			memcpy(a->a,
			       &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr,
			       4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a->family = AF_INET6;
			memcpy(a->a,
			       &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr,
			       16);
		} else {
			continue;
		}
		x->e[x->n].ifindex = (int)if_nametoindex(i->ifa_name);
		x->e[x->n].up = up;
		snprintf(x->e[x->n].name, LV_IFNAME, "%s", i->ifa_name);
		x->n++;
	}
	freeifaddrs(all);
	return 0;
}

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* A v4-mapped IPv6 address as the IPv4 address it is. */
static struct lv_addr plain(const struct lv_addr *a)
{
	struct lv_addr p = *a;
	if (a->family == AF_INET6 && memcmp(a->a, v4mapped, 12) == 0) {
		memset(&p, 0, sizeof(p));
		p.family = AF_INET;
		memcpy(p.a, a->a + 12, 4);
	}
	return p;
}

#define ROUTE_TTL 5.0 /* seconds a looked-up route is believed */

/* The output interface of the route from loc to rem; 0 when the kernel has none. */
static int route_oif(struct mnl_socket *nl, const struct lv_addr *loc, const struct lv_addr *rem)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	size_t alen = loc->family == AF_INET ? 4 : 16;
	int oif = 0;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 1;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)loc->family;
	rtm->rtm_dst_len = rtm->rtm_src_len = (unsigned char)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, rem->a);
	mnl_attr_put(nlh, RTA_SRC, alen, loc->a);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return 0;
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	nlh = (struct nlmsghdr *)buf;
	if (!mnl_nlmsg_ok(nlh, (int)n) || nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
	{
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_get_payload_len(a) >= 4)
			oif = (int)mnl_attr_get_u32(a);
	}
	return oif;
}

static int cached_oif(struct ls_routes *r, struct mnl_socket **nl, const struct lv_addr *loc,
                      const struct lv_addr *rem)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (lv_addr_eq(&r->e[i].loc, loc) && lv_addr_eq(&r->e[i].rem, rem))
			return r->e[i].ifindex;
	if (!*nl) {
		*nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
		if (*nl && mnl_socket_bind(*nl, 0, MNL_SOCKET_AUTOPID) < 0) {
			mnl_socket_close(*nl);
			*nl = NULL;
		}
	}
	int oif = *nl ? route_oif(*nl, loc, rem) : 0;
	if (r->n < LS_ROUTE_CACHE) {
		r->e[r->n].loc = *loc;
		r->e[r->n].rem = *rem;
		r->e[r->n++].ifindex = oif;
	}
	return oif;
}

static bool name_of_index(const struct ls_ifaces *x, int ifindex, char *out)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->e[i].ifindex == ifindex) {
			memcpy(out, x->e[i].name, LV_IFNAME);
			return true;
		}
	/* An interface with no address left: its name all the same. */
	char name[IF_NAMESIZE];
	if (ifindex > 0 && if_indextoname((unsigned)ifindex, name)) {
		snprintf(out, LV_IFNAME, "%s", name);
		return true;
	}
	return false;
}

void ls_ifaces_name(const struct ls_ifaces *x, struct ls_routes *r, double now, struct lv_sample *s)
{
	struct mnl_socket *nl = NULL;

	if (now - r->since > ROUTE_TTL) {
		r->n = 0;
		r->since = now;
	}
	for (size_t k = 0; k < s->n_sfs; k++) {
		struct lv_subflow *f = &s->sfs[k];
		struct lv_addr loc = plain(&f->loc), rem = plain(&f->rem);
		if (f->ifindex > 0 && name_of_index(x, f->ifindex, f->ifname))
			continue;
		int oif = loc.family == rem.family ? cached_oif(r, &nl, &loc, &rem) : 0;
		if (oif > 0 && name_of_index(x, oif, f->ifname)) {
			f->ifindex = oif;
			continue;
		}
		for (size_t i = 0; i < x->n; i++)
			if (lv_addr_eq(&x->e[i].addr, &loc)) {
				memcpy(f->ifname, x->e[i].name, LV_IFNAME);
				f->ifindex = x->e[i].ifindex;
				break;
			}
	}
	if (nl)
		mnl_socket_close(nl);
}
