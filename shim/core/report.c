/* SPDX-License-Identifier: MIT */
/*
 * Connection report: one JSON object per line for every socket the library
 * handled, appended when the program closes it (or at exit).
 *
 * close() may run in a signal handler and in any thread, so the work here is
 * bounded and uses only system calls and our own formatting: no stdio, no
 * malloc, no locks. Everything lives on the stack (about 10 KiB at most, see
 * REPORT_MAX_SUBFLOWS); the one exception is the rule text, formatted by the
 * policy engine's mr_format_decision() with snprintf (no allocation for the
 * conversions it uses, in glibc). A line is written with a single write() to
 * an O_APPEND descriptor, so lines of several processes never interleave on a
 * local file system. Any failure drops the line, never the program's call.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernel/log.h"
#include "core/peercache.h"
#include "kernel/real.h"
#include "core/report.h"
#include "core/runtime.h"

/* The kernel interface, spelled out: Debian 12's <linux/mptcp.h> predates most of it. */
#define SOL_MPTCP_          284
#define MPTCP_TCPINFO_      2
#define MPTCP_SUBFLOW_ADDRS 3
#define MPTCP_FULL_INFO     4

/* struct mptcp_info as of 6.10 (96 bytes); the kernel copies min(ours, its own). */
struct rp_mptcp_info {
	uint8_t subflows, add_addr_signal, add_addr_accepted, subflows_max;
	uint8_t add_addr_signal_max, add_addr_accepted_max, pad1[2];
	uint32_t flags, token;
	uint64_t write_seq, snd_una, rcv_nxt;
	uint8_t local_addr_used, local_addr_max, csum_enabled, pad2;
	uint32_t retransmits;
	uint64_t bytes_retrans, bytes_sent, bytes_received, bytes_acked; /* 6.5+ */
	uint8_t subflows_total, endp_laminar_max, reserved[2];
	uint32_t last_data_sent, last_data_recv, last_ack_recv;
};
_Static_assert(sizeof(struct rp_mptcp_info) == 96, "struct mptcp_info layout");

struct rp_subflow_data {
	uint32_t size_subflow_data, num_subflows, size_kernel, size_user;
} __attribute__((aligned(8)));

struct rp_subflow_addrs {
	struct sockaddr_storage local, remote;
};

struct rp_subflow_info {
	uint32_t id;
	struct rp_subflow_addrs addrs;
};
_Static_assert(sizeof(struct rp_subflow_info) == 264, "struct mptcp_subflow_info layout");

struct rp_full_info {
	uint32_t size_tcpinfo_kernel, size_tcpinfo_user, size_sfinfo_kernel, size_sfinfo_user;
	uint32_t num_subflows, size_arrays_user;
	uint64_t subflow_info, tcp_info;
	struct rp_mptcp_info mptcp_info;
};
_Static_assert(offsetof(struct rp_full_info, mptcp_info) == 40, "struct mptcp_full_info layout");

/* The in-kernel PM allows 8 extra subflows; more would be unusual, and are counted, not listed. */
#define REPORT_MAX_SUBFLOWS 9
#define REPORT_LINE_MAX     4096
/* Only the tcp_info fields up to tcpi_bytes_retrans are read: a shorter copy saves stack. */
#define TCPINFO_USED (offsetof(struct tcp_info, tcpi_bytes_retrans) + sizeof(uint64_t))

bool mr_report_enabled;
static _Atomic int report_fd = -1;
static dev_t report_dev;
static ino_t report_ino;

int mr_report_fd(void)
{
	return atomic_load_explicit(&report_fd, memory_order_relaxed);
}

void mr_report_init(const char *path)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO nobody reads must not stall the program at close(). */
	int fd =
	    open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
	if (fd < 0) {
		mr_log(MR_LOG_WARN, "MPTCP_RUN_REPORT=%s: %s; no report is written", path,
		       strerror(errno));
		return;
	}
	/* Out of the way of programs that dup2() onto small numbers they think are free. */
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 512);
	if (high >= 0) {
		real_close(fd);
		fd = high;
	}
	if (fstat(fd, &st) < 0) {
		real_close(fd);
		return;
	}
	report_dev = st.st_dev;
	report_ino = st.st_ino;
	atomic_store(&report_fd, fd);
	mr_report_enabled = true;
}

/* The program closed our descriptor (closefrom, a close loop, dup2 over it): stop for good. */
static void report_lost(int fd)
{
	int expected = fd;
	if (atomic_compare_exchange_strong(&report_fd, &expected, -1))
		mr_report_enabled = false;
}

static bool report_fd_is_ours(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_dev != report_dev || st.st_ino != report_ino) {
		report_lost(fd);
		return false;
	}
	return true;
}

/* ---- a bounded line, formatted without stdio ---- */

struct line {
	char *buf;
	size_t len, cap;
	bool overflow;
};

static void add(struct line *l, const char *s, size_t n)
{
	if (l->overflow || n > l->cap - l->len) {
		l->overflow = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void adds(struct line *l, const char *s)
{
	add(l, s, strlen(s));
}

static void add_u64(struct line *l, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	add(l, tmp + i, sizeof(tmp) - i);
}

/* A JSON string. Bytes >= 0x80 pass through (paths are bytes; the reader does not decode). */
static void add_str(struct line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	add(l, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char esc[2] = {'\\', (char)*p};
			add(l, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			add(l, esc, 6);
		} else {
			add(l, (const char *)p, 1);
		}
	}
	add(l, "\"", 1);
}

/* ,"key": */
static void key(struct line *l, const char *k)
{
	add(l, ",\"", 2);
	adds(l, k);
	add(l, "\":", 2);
}

static void kv_str(struct line *l, const char *k, const char *v)
{
	key(l, k);
	if (v)
		add_str(l, v);
	else
		adds(l, "null");
}

static void kv_u64(struct line *l, const char *k, uint64_t v)
{
	key(l, k);
	add_u64(l, v);
}

static void kv_bool(struct line *l, const char *k, bool v)
{
	key(l, k);
	adds(l, v ? "true" : "false");
}

/* ---- addresses ---- */

static char *fmt_v4(char *p, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	return p;
}

/* RFC 5952 text: the longest run of two or more zero groups becomes "::". */
static char *fmt_v6(char *p, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	int best = -1, best_len = 0;
	if (memcmp(a, mapped, 12) == 0) {
		memcpy(p, "::ffff:", 7);
		return fmt_v4(p + 7, a + 12);
	}
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && a[2 * j] == 0 && a[2 * j + 1] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			*p++ = ':';
		unsigned g = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		bool started = false;
		for (int s = 12; s >= 0; s -= 4) {
			unsigned d = (g >> s) & 15;
			if (d || started || s == 0) {
				*p++ = hex[d];
				started = true;
			}
		}
	}
	return p;
}

/* "198.18.1.1:443" or "[fd00::1]:443" into out (64 bytes); false for other families. */
static bool fmt_sockaddr(const struct sockaddr_storage *ss, char *out, char *addr_only)
{
	char *p = out;
	unsigned port;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		p = fmt_v4(p, (const uint8_t *)&a->sin_addr);
		port = ntohs(a->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		*p++ = '[';
		p = fmt_v6(p, a->sin6_addr.s6_addr);
		*p++ = ']';
		port = ntohs(a->sin6_port);
	} else {
		return false;
	}
	if (addr_only) {
		size_t skip = ss->ss_family == AF_INET6;
		size_t n = (size_t)(p - out) - 2 * skip;
		memcpy(addr_only, out + skip, n);
		addr_only[n] = '\0';
	}
	*p++ = ':';
	char tmp[8];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + port % 10);
		port /= 10;
	} while (port);
	memcpy(p, tmp + i, sizeof(tmp) - i);
	p += sizeof(tmp) - i;
	*p = '\0';
	return true;
}

/* ---- interface of a local address ---- */

/*
 * getifaddrs() would allocate and is not async-signal-safe, so: SIOCGIFCONF for
 * IPv4 (one ioctl into a stack array) and /proc/net/if_inet6 for IPv6 (read in
 * small pieces). Loaded at most once per report line.
 */
struct ifcache {
	bool v4_loaded;
	int n4;
	struct {
		uint32_t addr;
		char name[IFNAMSIZ];
	} v4[32];
};

static void load_v4(struct ifcache *c)
{
	struct ifreq reqs[32];
	struct ifconf ifc = {.ifc_len = sizeof(reqs), .ifc_req = reqs};
	c->v4_loaded = true;
	int s = real_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	if (ioctl(s, SIOCGIFCONF, &ifc) == 0) {
		int n = ifc.ifc_len / (int)sizeof(struct ifreq);
		for (int i = 0; i < n && c->n4 < 32; i++) {
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
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
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

static void iface_of(struct ifcache *c, const struct sockaddr_storage *ss, char *name)
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

/* ---- what the kernel says about the socket ---- */

struct subflow {
	struct sockaddr_storage local, remote;
	bool have_tcpi;
	struct tcp_info tcpi; /* only the first TCPINFO_USED bytes are filled */
};

struct conn {
	int n;     /* subflows listed */
	int total; /* subflows the kernel has */
	bool have_totals;
	uint64_t sent, acked, received, retrans;
	struct subflow sf[REPORT_MAX_SUBFLOWS];
};

static bool tcp_info_of(int fd, struct tcp_info *ti)
{
	socklen_t len = TCPINFO_USED;
	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) == 0 && len >= TCPINFO_USED;
}

/* A plain TCP connection, a fallback, or an MPTCP one whose kernel lists no subflows. */
static void single_path(int fd, const struct sockaddr_storage *local,
                        const struct sockaddr_storage *remote, struct conn *c)
{
	c->n = c->total = 1;
	c->sf[0].local = *local;
	c->sf[0].remote = *remote;
	c->sf[0].have_tcpi = tcp_info_of(fd, &c->sf[0].tcpi);
	/* A fallback closed by both ends has lost its subflow: zeros would be a lie. */
	if (c->sf[0].tcpi.tcpi_bytes_acked == 0 && c->sf[0].tcpi.tcpi_state == 7 /* TCP_CLOSE */)
		c->sf[0].have_tcpi = false;
	if (c->sf[0].have_tcpi) {
		c->have_totals = true;
		c->sent = c->sf[0].tcpi.tcpi_bytes_sent;
		c->acked = c->sf[0].tcpi.tcpi_bytes_acked;
		c->received = c->sf[0].tcpi.tcpi_bytes_received;
		c->retrans = c->sf[0].tcpi.tcpi_total_retrans;
	}
}

/* 6.5+: addresses, tcp_info of every subflow and the connection's own counters at once. */
static bool full_info(int fd, struct conn *c)
{
	struct rp_subflow_info sfi[REPORT_MAX_SUBFLOWS];
	struct tcp_info ti[REPORT_MAX_SUBFLOWS];
	struct rp_full_info fi;
	socklen_t len = sizeof(fi);

	memset(&fi, 0, sizeof(fi));
	fi.size_tcpinfo_user = sizeof(struct tcp_info);
	fi.size_sfinfo_user = sizeof(struct rp_subflow_info);
	fi.size_arrays_user = REPORT_MAX_SUBFLOWS;
	fi.subflow_info = (uint64_t)(uintptr_t)sfi;
	fi.tcp_info = (uint64_t)(uintptr_t)ti;
	memset(ti, 0, sizeof(ti));
	if (getsockopt(fd, SOL_MPTCP_, MPTCP_FULL_INFO, &fi, &len) < 0)
		return false;
	c->total = (int)fi.num_subflows;
	c->n = c->total < REPORT_MAX_SUBFLOWS ? c->total : REPORT_MAX_SUBFLOWS;
	for (int i = 0; i < c->n; i++) {
		c->sf[i].local = sfi[i].addrs.local;
		c->sf[i].remote = sfi[i].addrs.remote;
		c->sf[i].tcpi = ti[i];
		c->sf[i].have_tcpi = fi.size_tcpinfo_kernel >= TCPINFO_USED;
	}
	if (len >= offsetof(struct rp_full_info, mptcp_info) +
	               offsetof(struct rp_mptcp_info, subflows_total)) {
		c->have_totals = true;
		c->sent = fi.mptcp_info.bytes_sent;
		c->acked = fi.mptcp_info.bytes_acked;
		c->received = fi.mptcp_info.bytes_received;
		c->retrans = fi.mptcp_info.retransmits;
	}
	return true;
}

/* The connection's own counters (6.5+): they outlive the subflows. */
static void mptcp_totals(int fd, struct conn *c)
{
	struct rp_mptcp_info mi;
	socklen_t len = sizeof(mi);
	memset(&mi, 0, sizeof(mi));
	if (getsockopt(fd, SOL_MPTCP_, MR_MPTCP_INFO, &mi, &len) < 0 ||
	    len < offsetof(struct rp_mptcp_info, subflows_total))
		return;
	c->have_totals = true;
	c->sent = mi.bytes_sent;
	c->acked = mi.bytes_acked;
	c->received = mi.bytes_received;
	c->retrans = mi.retransmits;
}

/* 5.16–6.4: MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS, matched by position. */
static bool split_info(int fd, struct conn *c)
{
	struct {
		struct rp_subflow_data d;
		struct tcp_info ti[REPORT_MAX_SUBFLOWS];
	} t;
	struct {
		struct rp_subflow_data d;
		struct rp_subflow_addrs a[REPORT_MAX_SUBFLOWS];
	} a;
	socklen_t len = sizeof(t);

	memset(&t, 0, sizeof(t));
	t.d.size_subflow_data = sizeof(t.d);
	t.d.size_user = sizeof(struct tcp_info);
	if (getsockopt(fd, SOL_MPTCP_, MPTCP_TCPINFO_, &t, &len) < 0)
		return false;
	memset(&a, 0, sizeof(a.d));
	a.d.size_subflow_data = sizeof(a.d);
	a.d.size_user = sizeof(struct rp_subflow_addrs);
	len = sizeof(a);
	if (getsockopt(fd, SOL_MPTCP_, MPTCP_SUBFLOW_ADDRS, &a, &len) < 0)
		return false;
	c->total = (int)t.d.num_subflows;
	int n = (int)(t.d.num_subflows < a.d.num_subflows ? t.d.num_subflows : a.d.num_subflows);
	c->n = n < REPORT_MAX_SUBFLOWS ? n : REPORT_MAX_SUBFLOWS;
	for (int i = 0; i < c->n; i++) {
		c->sf[i].local = a.a[i].local;
		c->sf[i].remote = a.a[i].remote;
		c->sf[i].tcpi = t.ti[i];
		c->sf[i].have_tcpi = t.d.size_kernel >= TCPINFO_USED;
	}
	return true;
}

static void add_subflow(struct line *l, struct ifcache *ic, const struct subflow *s, bool first)
{
	char local[64], remote[64], dev[IFNAMSIZ];
	bool lok = fmt_sockaddr(&s->local, local, NULL),
	     rok = fmt_sockaddr(&s->remote, remote, NULL);
	iface_of(ic, &s->local, dev);
	adds(l, first ? "{" : ",{");
	adds(l, "\"local\":");
	if (lok)
		add_str(l, local);
	else
		adds(l, "null");
	kv_str(l, "remote", rok ? remote : NULL);
	kv_str(l, "dev", dev[0] ? dev : NULL);
	if (s->have_tcpi) {
		kv_u64(l, "bytes_sent", s->tcpi.tcpi_bytes_sent);
		kv_u64(l, "bytes_acked", s->tcpi.tcpi_bytes_acked);
		kv_u64(l, "bytes_received", s->tcpi.tcpi_bytes_received);
		kv_u64(l, "retrans", s->tcpi.tcpi_total_retrans);
		kv_u64(l, "rtt_us", s->tcpi.tcpi_rtt);
	}
	/* The backup flag is only in inet_diag's ULP info (CAP_NET_ADMIN); getsockopt has none. */
	adds(l, ",\"backup\":null}");
}

/* ---- one line ---- */

static const char *kept_reason(uint32_t st, bool socket_mptcp, const struct mr_endpoint *peer,
                               bool is_connect)
{
	if (!socket_mptcp && (st & MR_ST_PINNED))
		return "an option MPTCP refuses made it TCP (sockopt_fallback)";
	if (!socket_mptcp && atomic_load(&mr_mptcp_unavailable))
		return "MPTCP sockets cannot be created here";
	if (!socket_mptcp && is_connect && mr_peercache_seconds && mr_peercache_fell_back(peer))
		return "this peer fell back to TCP recently";
	if (st & MR_ST_NOSWAP) {
		enum mr_noswap why = mr_fd_noswap_reason(st);
		if (why != MR_NOSWAP_NONE)
			return mr_noswap_text(why);
	}
	return "not replaced";
}

static bool get_name(int fd, bool peer, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);
	memset(ss, 0, sizeof(*ss));
	int rc = peer ? getpeername(fd, (struct sockaddr *)ss, &len)
	              : getsockname(fd, (struct sockaddr *)ss, &len);
	return rc == 0 && (ss->ss_family == AF_INET || ss->ss_family == AF_INET6);
}

static void endpoint_to_sockaddr(const struct mr_endpoint *ep, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(ep->port);
		memcpy(&a->sin_addr, ep->addr, 4);
	} else if (ep->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(ep->port);
		memcpy(&a->sin6_addr, ep->addr, 16);
	}
}

static void report(int fd, struct mr_fd *e, const char *at)
{
	int rfd = atomic_load_explicit(&report_fd, memory_order_relaxed);
	if (rfd < 0 || fd == rfd)
		return;
	uint32_t st = mr_fd_state(e);
	int proto = -1, acceptconn = 0;
	socklen_t olen = sizeof(proto);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &olen) < 0)
		return; /* not a socket (any more): nothing to say */
	olen = sizeof(acceptconn);
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acceptconn, &olen);

	struct sockaddr_storage local, remote;
	bool have_local = get_name(fd, false, &local);
	bool have_remote = !acceptconn && get_name(fd, true, &remote);
	bool socket_mptcp = proto == IPPROTO_MPTCP;
	const char *role, *conn_kind = "none";
	if (acceptconn)
		role = "listen";
	else if (have_remote || (st & MR_ST_LIVE))
		role = "connect";
	else
		role = "unused";
	bool is_connect = role[0] == 'c';
	if (is_connect && !have_remote && e->peer.family) {
		/* A connect() that failed or was reset: the destination is still worth naming. */
		endpoint_to_sockaddr(&e->peer, &remote);
	}

	/*
	 * After both ends closed, getpeername() says ENOTCONN but tcp_info keeps its
	 * counters: data acknowledged or received means the connection existed.
	 */
	bool established = have_remote;
	if (is_connect && !established && e->peer.family) {
		struct tcp_info ti;
		int v = -1;
		olen = sizeof(v);
		/* bytes_acked counts the SYN: non-zero once the handshake completed. */
		established = tcp_info_of(fd, &ti) && ti.tcpi_bytes_acked > 0;
		/* A closed fallback keeps no counters, but TCP_IS_MPTCP still says 0 (a refused or
		 * pending MPTCP connect says 1). */
		if (!established && socket_mptcp &&
		    getsockopt(fd, IPPROTO_TCP, MR_TCP_IS_MPTCP, &v, &olen) == 0 && v == 0)
			established = true;
		/* An MPTCP connection both ends closed has disposed of its subflows, but the
		 * connection still knows it received the peer's key. */
		struct rp_mptcp_info mi;
		olen = sizeof(mi);
		memset(&mi, 0, sizeof(mi));
		if (!established && socket_mptcp &&
		    getsockopt(fd, SOL_MPTCP_, MR_MPTCP_INFO, &mi, &olen) == 0 &&
		    (mi.flags & 2 /* MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED */))
			established = true;
	}

	struct conn c;
	c.n = c.total = 0;
	c.have_totals = false;
	if (established) {
		if (!socket_mptcp) {
			conn_kind = "tcp";
		} else {
			int v = -1;
			olen = sizeof(v);
			if (getsockopt(fd, IPPROTO_TCP, MR_TCP_IS_MPTCP, &v, &olen) == 0) {
				conn_kind = v ? "mptcp" : "fallback";
			} else {
				/* Before TCP_IS_MPTCP: MPTCP_INFO without a buffer fails once
				 * fallen back. */
				olen = 0;
				conn_kind =
				    getsockopt(fd, SOL_MPTCP_, MR_MPTCP_INFO, NULL, &olen) == 0
				        ? "mptcp"
				        : "fallback";
			}
		}
		if (conn_kind[0] != 'm') {
			single_path(fd, &local, &remote, &c);
		} else if (full_info(fd, &c) || split_info(fd, &c)) {
			/* The kernel resets a closed subflow it keeps (tcp_disconnect): no data. */
			bool live = false;
			for (int i = 0; i < c.n; i++)
				live |= c.sf[i].tcpi.tcpi_bytes_acked != 0 ||
				        c.sf[i].tcpi.tcpi_state != 7 /* TCP_CLOSE */;
			if (!live)
				c.n = c.total = 0;
		} else {
			single_path(fd, &local, &remote, &c); /* before 5.16: the first subflow */
		}
		if (conn_kind[0] == 'm' && !c.have_totals)
			mptcp_totals(fd, &c);
		if (!c.have_totals) {
			for (int i = 0; i < c.n; i++) {
				if (!c.sf[i].have_tcpi)
					continue;
				c.have_totals = true;
				c.sent += c.sf[i].tcpi.tcpi_bytes_sent;
				c.acked += c.sf[i].tcpi.tcpi_bytes_acked;
				c.received += c.sf[i].tcpi.tcpi_bytes_received;
				c.retrans += c.sf[i].tcpi.tcpi_total_retrans;
			}
		}
	}

	/* The policy's verdict for this endpoint, recomputed the way decide.c does. */
	const struct mr_runtime *rt = mr_runtime();
	const char *policy = NULL, *kept = NULL;
	char rule[320] = "";
	struct mr_endpoint ep;
	bool have_ep = false;
	if (is_connect && (have_remote || e->peer.family))
		have_ep =
		    mr_endpoint_from_sockaddr((struct sockaddr *)&remote, sizeof(remote), &ep);
	else if (role[0] == 'l' && have_local)
		have_ep = mr_endpoint_from_sockaddr((struct sockaddr *)&local, sizeof(local), &ep);
	if (rt && have_ep) {
		enum mr_role r = is_connect ? MR_ROLE_CONNECT : MR_ROLE_LISTEN;
		if (!rt->prog.role[r].exclude) {
			/* mr_resolve() never ran: the config was unusable and every socket stays
			 * TCP. */
			policy = "tcp";
			static const char msg[] =
			    "configuration not usable (see the error at start)";
			memcpy(rule, msg, sizeof(msg));
		} else {
			struct mr_decision d;
			mr_decide(&rt->prog.role[r], &ep, &d);
			mr_format_decision(&rt->prog, r, &d, rule, sizeof(rule));
			policy = mr_verdict_name(d.verdict);
			if ((d.verdict == MR_MPTCP) != socket_mptcp)
				kept = kept_reason(st, socket_mptcp, &ep, is_connect);
		}
	}

	char buf[REPORT_LINE_MAX], addr[64];
	struct line l = {.buf = buf, .cap = sizeof(buf) - 1};
	struct timespec now;
	struct ifcache ic;
	ic.v4_loaded = false;
	ic.n4 = 0;
	clock_gettime(CLOCK_REALTIME, &now);
	adds(&l, "{\"v\":1");
	kv_u64(&l, "time", (uint64_t)now.tv_sec);
	kv_str(&l, "program", rt ? rt->exe : NULL);
	kv_u64(&l, "pid", (uint64_t)getpid());
	kv_u64(&l, "fd", (uint64_t)fd);
	kv_str(&l, "at", at);
	kv_str(&l, "role", role);
	kv_str(&l, "local", have_local && fmt_sockaddr(&local, addr, NULL) ? addr : NULL);
	kv_str(&l, "remote",
	       (have_remote || (is_connect && e->peer.family)) && fmt_sockaddr(&remote, addr, NULL)
	           ? addr
	           : NULL);
	kv_str(&l, "socket", socket_mptcp ? "mptcp" : "tcp");
	kv_str(&l, "conn", conn_kind);
	kv_str(&l, "policy", policy);
	kv_str(&l, "rule", policy ? rule : NULL);
	kv_str(&l, "kept", kept);
	kv_bool(&l, "pinned", st & MR_ST_PINNED);
	/* Created before a fork(): parent and child may both report it. */
	kv_bool(&l, "shared", e->fork_gen != atomic_load(&mr_fork_gen));
	if (c.have_totals) {
		kv_u64(&l, "bytes_sent", c.sent);
		kv_u64(&l, "bytes_acked", c.acked);
		kv_u64(&l, "bytes_received", c.received);
		kv_u64(&l, "retrans", c.retrans);
	}
	kv_u64(&l, "subflows_total", (uint64_t)c.total);
	key(&l, "subflows");
	adds(&l, "[");
	for (int i = 0; i < c.n; i++)
		add_subflow(&l, &ic, &c.sf[i], i == 0);
	adds(&l, "]}");
	if (l.overflow)
		return; /* never a partial line */
	buf[l.len++] = '\n';

	if (!report_fd_is_ours(rfd))
		return;
	ssize_t w = write(rfd, buf, l.len);
	if (w < 0 && errno == EBADF)
		report_lost(rfd);
	else if (w > 0 && (size_t)w < l.len)
		(void)!write(rfd, "\n",
		             1); /* disk full mid-line: end it, so the next line is whole */
}

void mr_report_close(int fd, struct mr_fd *e)
{
	int saved = errno;
	report(fd, e, "close");
	errno = saved;
}

/*
 * Sockets still open at exit() (not _exit, not a fatal signal). Each is
 * forgotten once reported, so a later destructor closing it reports nothing twice.
 */
__attribute__((destructor)) static void report_at_exit(void)
{
	int saved = errno;
	if (!mr_report_enabled)
		return;
	for (int fd = 0; fd < MR_FD_MAX; fd++) {
		struct mr_fd *e = mr_fd_get(fd);
		if (!e) {
			fd |= 1023; /* a chunk that was never allocated holds no entry */
			continue;
		}
		if (mr_fd_state(e) & MR_ST_MANAGED) {
			report(fd, e, "exit");
			mr_fd_forget(fd);
		}
	}
	errno = saved;
}
