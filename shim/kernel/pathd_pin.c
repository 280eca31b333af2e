/* SPDX-License-Identifier: MIT */
/* Pinning a socket to a listed path (kernel/pathd_pin.h). */
#include "kernel/pathd_pin.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/clock.h"
#include "kernel/ifkind.h"

/* A local address of a path's interface, of the connection's family. */
struct candidate {
	struct sockaddr_storage src;
	socklen_t len;      /* 0: the path has none */
	char dev[IFNAMSIZ]; /* the interface: the path's dev, or one of its kind */
};

/*
 * The interface scan (getifaddrs: two netlink dumps) and the routing probes cost more than
 * the connect() they serve, so their results are kept for a second. An address that went
 * away meanwhile fails the bind(), which drops what is kept. Under one mutex, held for a
 * few copies: what a connect() takes out of it is the usable paths and one candidate.
 */
#define SCAN_TTL_MS 1000
#define PROBES      16

struct scan {
	int64_t expiry_ms; /* 0: nothing kept */
	bool usable[MR_PATHS_MAX];
	struct candidate mine[MR_PATHS_MAX];
};
struct probe {
	int64_t expiry_ms;
	int family, path;
	unsigned char dst[16];
	bool ok;
};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct scan scans[2]; /* AF_INET, AF_INET6 */
static struct probe probes[PROBES];
static unsigned probe_next;

/* The path of interface name: by its name, else (a config naming kinds) by its kind, read
 * from sysfs once per interface and scan. */
static int path_of(const struct mr_policy *p, const char *name, bool kinds, char seen[][IFNAMSIZ],
                   int8_t *seen_path, int *n_seen)
{
	int k = mr_path_by_dev(p, name);
	if (k >= 0 || !kinds)
		return k;
	for (int i = 0; i < *n_seen; i++)
		if (strcmp(seen[i], name) == 0)
			return seen_path[i];
	k = mr_path_of_iface(p, name, mr_iface_kind(name));
	if (*n_seen < MR_PATHS_MAX) {
		snprintf(seen[*n_seen], IFNAMSIZ, "%s", name);
		seen_path[(*n_seen)++] = (int8_t)k;
	}
	return k;
}

/* Each path's first usable local address of family, from getifaddrs(). */
static bool scan(const struct mr_policy *p, int family, struct scan *out)
{
	struct ifaddrs *ifs;
	char seen[MR_PATHS_MAX][IFNAMSIZ];
	int8_t seen_path[MR_PATHS_MAX];
	int n_seen = 0;
	bool kinds = mr_policy_has_kinds(p);
	if (getifaddrs(&ifs) < 0)
		return false;
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family ||
		    (i->ifa_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING))
			continue;
		if (family == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
			continue;
		int k = path_of(p, i->ifa_name, kinds, seen, seen_path, &n_seen);
		if (k < 0 || out->usable[k])
			continue;
		struct candidate *c = &out->mine[k];
		out->usable[k] = true;
		snprintf(c->dev, sizeof(c->dev), "%s", i->ifa_name);
		c->len =
		    family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		memcpy(&c->src, i->ifa_addr, c->len);
		/* Port 0: the kernel picks one at connect() (IP_BIND_ADDRESS_NO_PORT). */
		((struct sockaddr_in *)&c->src)->sin_port = 0;
	}
	freeifaddrs(ifs);
	return true;
}

/* The usable paths of family, kept or scanned now; false when the interfaces cannot be read. */
static bool usable_paths(const struct mr_policy *p, int family, bool usable[MR_PATHS_MAX],
                         int64_t now)
{
	struct scan *sc = &scans[family == AF_INET6];
	pthread_mutex_lock(&lock);
	bool kept = sc->expiry_ms > now;
	if (kept)
		memcpy(usable, sc->usable, sizeof(sc->usable));
	pthread_mutex_unlock(&lock);
	if (kept)
		return true;
	struct scan *fresh = calloc(1, sizeof(*fresh)); /* 4 kB: not on the program's stack */
	if (!fresh || !scan(p, family, fresh)) {
		free(fresh);
		return false;
	}
	fresh->expiry_ms = now + SCAN_TTL_MS;
	memcpy(usable, fresh->usable, sizeof(fresh->usable));
	pthread_mutex_lock(&lock);
	*sc = *fresh;
	pthread_mutex_unlock(&lock);
	free(fresh);
	return true;
}

static void forget_scans(void)
{
	pthread_mutex_lock(&lock);
	memset(scans, 0, sizeof(scans));
	memset(probes, 0, sizeof(probes));
	pthread_mutex_unlock(&lock);
}

/*
 * Whether a subflow from src pinned to dev can reach dst: a UDP socket with the
 * same pinning asks the kernel's routing (policy rules included) without sending
 * anything. An IPv6 destination with no route through dev would fail connect()
 * with ENETUNREACH: such a path is not usable for this connection.
 */
static bool reachable(const struct mr_sockcalls *k, const char *dev, const struct candidate *c,
                      const struct sockaddr *dst, socklen_t len)
{
	int u = k->socket(dst->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u < 0)
		return false;
	bool ok =
	    k->setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev) + 1) == 0 &&
	    k->bind(u, (const struct sockaddr *)&c->src, c->len) == 0 &&
	    k->connect(u, dst, len) == 0;
	k->close(u);
	return ok;
}

static const unsigned char *dst_bytes(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET
	           ? (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr
	           : (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
}

/* Path k's address (c) and whether it reaches sa, from the probes kept, else probed now. */
static bool candidate(const struct mr_sockcalls *calls, int k, const struct sockaddr *sa,
                      socklen_t len, int64_t now, struct candidate *c)
{
	size_t n = sa->sa_family == AF_INET ? 4 : 16;
	const unsigned char *dst = dst_bytes(sa);
	int found = -1;
	pthread_mutex_lock(&lock);
	*c = scans[sa->sa_family == AF_INET6].mine[k];
	for (int i = 0; i < PROBES && found < 0; i++) {
		const struct probe *p = &probes[i];
		if (p->expiry_ms > now && p->family == sa->sa_family && p->path == k &&
		    memcmp(p->dst, dst, n) == 0)
			found = p->ok;
	}
	pthread_mutex_unlock(&lock);
	if (!c->len)
		return false; /* scanned again meanwhile, and gone */
	if (found >= 0)
		return found;
	bool ok = reachable(calls, c->dev, c, sa, len);
	pthread_mutex_lock(&lock);
	struct probe *p = &probes[probe_next++ % PROBES];
	*p = (struct probe){
	    .expiry_ms = now + SCAN_TTL_MS, .family = sa->sa_family, .path = k, .ok = ok};
	memcpy(p->dst, dst, n);
	pthread_mutex_unlock(&lock);
	return ok;
}

const char *mr_pathd_pin(const struct mr_sockcalls *k, int fd, const struct mr_policy *p,
                         const struct mr_program_paths *pp, const struct sockaddr *sa,
                         socklen_t len, char dev_out[IFNAMSIZ], int *err)
{
	bool usable[MR_PATHS_MAX] = {false};
	struct candidate c;
	int64_t now = mr_coarse_ms();
	*err = 0;
	if (!usable_paths(p, sa->sa_family, usable, now))
		return NULL;
	/* The first listed path that routing can use from its own address and device. */
	for (;;) {
		int i = mr_paths_initial(p, pp, usable);
		if (i < 0)
			return NULL; /* none: left to routing rather than broken */
		if (!candidate(k, i, sa, len, now, &c)) {
			usable[i] = false;
			continue;
		}
		snprintf(dev_out, IFNAMSIZ, "%s", p->paths[i].dev[0] ? p->paths[i].dev : c.dev);
		const char *dev = dev_out;
		int one = 1;
		/* Device and source address both: the device keeps the first subflow on this
		 * interface, the address selects the interface's routing table (source rules). */
		if (k->setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev,
		                  (socklen_t)strlen(dev) + 1) < 0) {
			*err = errno;
			return NULL;
		}
		k->setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (k->bind(fd, (const struct sockaddr *)&c.src, c.len) < 0)
			forget_scans(); /* the address went away: the next connect() looks again */
		return dev;
	}
}
