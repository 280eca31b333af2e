/* SPDX-License-Identifier: MIT */
#include "sampler/ifaces.h"

#include <errno.h>
#include <ifaddrs.h>
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
			memcpy(a->a, &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr,
			       4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a->family = AF_INET6;
			memcpy(a->a,
			       &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr, 16);
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

void ls_ifaces_name(const struct ls_ifaces *x, struct lv_sample *s)
{
	for (size_t k = 0; k < s->n_sfs; k++) {
		struct lv_subflow *f = &s->sfs[k];
		struct lv_addr loc = plain(&f->loc);
		size_t i;
		if (f->ifindex > 0) {
			for (i = 0; i < x->n && x->e[i].ifindex != f->ifindex; i++)
				;
			if (i < x->n) {
				memcpy(f->ifname, x->e[i].name, LV_IFNAME);
				continue;
			}
			/* Bound to an interface with no address left: its name all the same. */
			char name[IF_NAMESIZE];
			if (if_indextoname((unsigned)f->ifindex, name)) {
				snprintf(f->ifname, LV_IFNAME, "%s", name);
				continue;
			}
		}
		for (i = 0; i < x->n; i++)
			if (lv_addr_eq(&x->e[i].addr, &loc)) {
				memcpy(f->ifname, x->e[i].name, LV_IFNAME);
				f->ifindex = x->e[i].ifindex;
				break;
			}
	}
}
