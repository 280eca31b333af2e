/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kernel/ifname.h"
#include "kernel/clock.h"
#include "kernel/real.h"

void mr_ifcache_init(struct mr_ifcache *c)
{
	c->v4_loaded = false;
	c->n4 = 0;
}

/*
 * The process's last IPv4 table, reused for a second: a server writing a line
 * per accepted connection would otherwise pay a socket(), an ioctl() and a
 * close() for each. Two buffers and a published pointer: a table is written
 * only into the one readers are not pointed at, at most once a second, and a
 * line copies it in microseconds. A dev name may be up to a second stale.
 */
struct v4_table {
	int64_t at; /* CLOCK_MONOTONIC second it was read */
	int n4;
	__typeof__(((struct mr_ifcache *)0)->v4) v4;
};
static struct v4_table tables[2];
static _Atomic(struct v4_table *) current;
static _Atomic int filling;

static bool reuse_v4(struct mr_ifcache *c, int64_t now)
{
	struct v4_table *t = atomic_load_explicit(&current, memory_order_acquire);
	if (!t || t->at != now)
		return false;
	c->n4 = t->n4;
	memcpy(c->v4, t->v4, sizeof(c->v4[0]) * (size_t)t->n4);
	return true;
}

static void publish_v4(const struct mr_ifcache *c, int64_t now)
{
	int expected = 0;
	if (!atomic_compare_exchange_strong(&filling, &expected, 1))
		return; /* another thread publishes: ours was just as fresh */
	struct v4_table *cur = atomic_load_explicit(&current, memory_order_acquire);
	struct v4_table *t = cur == &tables[0] ? &tables[1] : &tables[0];
	t->at = now;
	t->n4 = c->n4;
	memcpy(t->v4, c->v4, sizeof(c->v4[0]) * (size_t)c->n4);
	atomic_store_explicit(&current, t, memory_order_release);
	atomic_store_explicit(&filling, 0, memory_order_release);
}

static void read_v4(struct mr_ifcache *c);

static void load_v4(struct mr_ifcache *c)
{
	int64_t now = mr_coarse_s();
	c->v4_loaded = true;
	if (reuse_v4(c, now))
		return;
	read_v4(c);
	publish_v4(c, now);
}

static void read_v4(struct mr_ifcache *c)
{
	struct ifreq reqs[32] = {0}; /* the kernel fills what ifc_len says */
	struct ifconf ifc = {.ifc_len = sizeof(reqs), .ifc_req = reqs};
	c->n4 = 0;
	int s = real_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	if (ioctl(s, SIOCGIFCONF, &ifc) == 0) {
		int n = ifc.ifc_len / (int)sizeof(struct ifreq);
		for (int i = 0; i < n && c->n4 < MR_IFCACHE_V4; i++) {
			const struct sockaddr_in *a = (const struct sockaddr_in *)&reqs[i].ifr_addr;
			if (a->sin_family != AF_INET)
				continue;
			c->v4[c->n4].addr = a->sin_addr.s_addr;
			memcpy(c->v4[c->n4].name, reqs[i].ifr_name, IFNAMSIZ);
			c->v4[c->n4].name[IFNAMSIZ - 1] = '\0';
			/* Alias labels ("eth0:1") name the device before the colon. */
			char *colon = strchr(c->v4[c->n4].name, ':');
			if (colon)
				*colon = '\0';
			c->n4++;
		}
	}
	real_close(s);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* One line of /proc/net/if_inet6: "<32 hex> <idx> <plen> <scope> <flags> <name>". */
static bool inet6_line_matches(const char *s, size_t n, const uint8_t *addr, char *name)
{
	if (n < 33)
		return false;
	for (int i = 0; i < 16; i++) {
		int hi = hexval(s[2 * (size_t)i]), lo = hexval(s[2 * (size_t)i + 1]);
		if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != addr[i])
			return false;
	}
	size_t end = n, start;
	while (end > 0 && s[end - 1] == ' ')
		end--;
	start = end;
	while (start > 0 && s[start - 1] != ' ')
		start--;
	if (end - start == 0 || end - start >= IFNAMSIZ)
		return false;
	memcpy(name, s + start, end - start);
	name[end - start] = '\0';
	return true;
}

static bool lookup_v6(const uint8_t *addr, char *name)
{
	char buf[512];
	size_t have = 0;
	bool found = false;
	int fd = open("/proc/net/if_inet6", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - have);
		if (r <= 0)
			break;
		have += (size_t)r;
		size_t start = 0;
		for (size_t i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			if (inet6_line_matches(buf + start, i - start, addr, name)) {
				found = true;
				goto out;
			}
			start = i + 1;
		}
		if (start == 0 && have == sizeof(buf))
			break; /* a line longer than the buffer: not the format we know */
		memmove(buf, buf + start, have - start);
		have -= start;
	}
out:
	real_close(fd);
	return found;
}

void mr_ifname_of(struct mr_ifcache *c, const struct sockaddr_storage *ss, char name[IFNAMSIZ])
{
	uint32_t v4;
	name[0] = '\0';
	if (ss->ss_family == AF_INET) {
		v4 = ((const struct sockaddr_in *)ss)->sin_addr.s_addr;
	} else if (ss->ss_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a, mapped, 12) != 0) {
			lookup_v6(a, name);
			return;
		}
		memcpy(&v4, a + 12, 4);
	} else {
		return;
	}
	if (!c->v4_loaded)
		load_v4(c);
	for (int i = 0; i < c->n4; i++) {
		if (c->v4[i].addr == v4) {
			memcpy(name, c->v4[i].name, IFNAMSIZ);
			return;
		}
	}
}
