/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's state and loop (pathd/pathd.h). One thread, one poll():
 * path-manager events, link and address changes, registrations, signals.
 *
 * What it guarantees for a connection whose program lists paths:
 *  - every other listed path with a usable address gets one subflow, created
 *    with IF_IDX (so routing cannot move it) and the backup flag of the path;
 *  - a path whose interface goes down or whose address goes away loses its
 *    subflow, and gets one again when it comes back;
 *  - a subflow on an unlisted interface (the initial one, when routing picked
 *    it) is closed once a listed subflow is established;
 *  - on the server side, listed addresses are announced with a port of a
 *    listener the daemon owns.
 * A connection nobody registered waits grace_ms, then gets the defaults; a
 * registration arriving later corrects it. Registration, CREATED, ESTABLISHED
 * and CLOSED may come in any order.
 */
#include "pathd/pathd.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mptcp.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "kernel/uapi.h"
#include "os/proc_exe.h"
#include "os/sysctl.h"
#include "pathd/nl.h"
#include "pathd/reg.h"

#define PD_IFACES    64
#define PD_IF_ADDRS  8
#define PD_CONNS     8192 /* connections tracked at once; more are left alone */
#define PD_SUBS      (MR_PATHS_MAX + 4)
#define PD_ORPHAN_MS 5000. /* a registration whose CREATED never comes is forgotten */
#define PD_LISTENERS 16
#define PD_HASH      16384 /* token -> connection index; a power of two, 2 * PD_CONNS */
#define PD_UID_CAP   1024  /* registered connections one uid other than root may hold */
#define PD_UIDS      64    /* uids counted at once for that cap */
#define PD_STATE_MS  200.  /* the live view is rewritten at most this often */
#define PD_LAT       4096  /* latency samples kept for the live view */

struct iface {
	int ifindex; /* 0: free */
	char name[IF_NAMESIZE];
	bool up;
	struct pd_addr addr[PD_IF_ADDRS];
	int n_addr;
};

struct sub {
	struct pd_addr loc, rem;
	uint16_t lport, rport;
	int path;     /* policy index of its interface, -1 unlisted/unknown */
	bool ours;    /* created by us (not the initial one nor a peer's join) */
	bool live;    /* SUB_ESTABLISHED seen */
	bool initial; /* the connection's first subflow */
	bool backup;
	bool closing; /* SUBFLOW_DESTROY sent */
};

struct conn {
	uint32_t token;
	bool created, established, server;
	int family;
	struct pd_addr loc, rem;
	uint16_t lport, rport;
	double t_created, t_established, t_first_sub, t_seen;
	/* owner */
	bool registered;
	pid_t pid;
	uid_t uid;
	char exe[256];
	bool adopted; /* found by sock_diag at start, not seen from CREATED */
	uint32_t inode;
	bool decided; /* pp holds the paths in force */
	struct mr_program_paths pp;
	struct sub s[PD_SUBS];
	int n_sub;
	uint32_t failed;    /* paths whose create failed: retried after the next link change */
	uint32_t announced; /* server: paths announced */
};

struct listener {
	struct pd_addr addr;
	int fd;
	uint16_t port;
};

struct daemon {
	const struct pd_options *o;
	struct pd_genl *ev, *cmd;
	struct pd_rtnl *rt;
	struct pd_reg *reg;
	int sigfd, lockfd;
	struct iface ifs[PD_IFACES];
	struct conn *c;
	size_t n_conn;
	uint32_t *hidx;       /* PD_HASH slots: connection index + 1, 0 empty (linear probing) */
	double next_deadline; /* the earliest grace or orphan expiry: expire() runs then */
	struct {
		uid_t uid;
		int n;
	} uids[PD_UIDS]; /* registered connections per uid (n 0: free) */
	unsigned long n_uid_capped;
	struct pd_addr ids[255]; /* local address id - 1 -> address */
	int n_ids;
	struct listener ls[PD_LISTENERS];
	int n_ls;
	bool any_section_paths; /* some program lists its own paths: wait for registrations */
	bool dirty;
	double last_state;
	unsigned long n_create, n_destroy, n_announce, n_errors, n_conns_total;
	double cmd_ms; /* time inside SUBFLOW_CREATE/DESTROY: the kernel's work, in our context */
	/* ESTABLISHED (client) -> first SF_ESTABLISHED of ours, for the live view: the last
	 * PD_LAT samples, n_lat counts them all */
	double lat[PD_LAT];
	size_t n_lat;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool debug;

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mptcp-run pathd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define dbg(...)                                                                                   \
	do {                                                                                       \
		if (debug)                                                                         \
			say(__VA_ARGS__);                                                          \
	} while (0)

/* ---- path manager ownership (sysctl) ---- */

static char saved_pm[32];    /* the value to restore, "" when nothing to restore */
static char saved_file[128]; /* which file it goes back to */

static bool write_small(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = write(fd, v, strlen(v));
	close(fd);
	return n == (ssize_t)strlen(v);
}

/* Async-signal-safe: also called from the fatal-signal handler. */
static void restore_pm(void)
{
	if (!saved_pm[0])
		return;
	int fd = open(saved_file, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = write(fd, saved_pm, strlen(saved_pm));
		(void)n;
		close(fd);
	}
	saved_pm[0] = '\0';
}

static void fatal_signal(int sig)
{
	restore_pm();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Whether some socket of this namespace listens to mptcp_pm_events: another
 * userspace path manager (mptcpd, a second pathd) or a monitor. /proc/net/netlink
 * shows the first 32 groups of each socket of the reader's namespace.
 */
static bool events_have_listeners(uint32_t group)
{
	FILE *f = fopen("/proc/net/netlink", "re");
	char line[256];
	bool found = false;
	if (!f || group == 0 || group > 32) {
		if (f)
			fclose(f);
		return false;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sk;
		int eth;
		unsigned pid;
		unsigned long groups;
		/* NOLINTNEXTLINE(cert-err34-c): a line that does not parse fails the == 4 test */
		if (sscanf(line, "%llx %d %u %lx", &sk, &eth, &pid, &groups) == 4 &&
		    eth == NETLINK_GENERIC && (groups & (1ul << (group - 1))))
			found = true;
	}
	fclose(f);
	return found;
}

/* Switches the namespace to the userspace PM. false with a message when it must not. */
static bool take_pm(uint32_t group)
{
	static const char *const pm = "/proc/sys/net/mptcp/path_manager";
	static const char *const type = "/proc/sys/net/mptcp/pm_type";
	char cur[32];
	const char *file = pm, *want = "userspace", *kernel = "kernel";
	if (!lr_read_sysctl(pm, cur, sizeof(cur))) {
		file = type; /* before 6.15 */
		want = "1";
		kernel = "0";
		if (!lr_read_sysctl(type, cur, sizeof(cur))) {
			say("this kernel has no userspace MPTCP path manager (no %s)", type);
			return false;
		}
	}
	bool userspace = strcmp(cur, want) == 0;
	if (userspace && events_have_listeners(group)) {
		say("another userspace path manager is active in this network namespace "
		    "(%s = %s and mptcp_pm_events has a listener, e.g. mptcpd): refusing to start",
		    file, cur);
		return false;
	}
	if (!userspace && events_have_listeners(group))
		say("warning: something already listens to mptcp_pm_events (a monitor, or a "
		    "path manager waiting): it must not issue commands while pathd runs");
	snprintf(saved_file, sizeof(saved_file), "%s", file);
	/* A stale "userspace" (a previous pathd killed with SIGKILL) goes back to the kernel's. */
	snprintf(saved_pm, sizeof(saved_pm), "%s", userspace ? kernel : cur);
	if (!userspace && !write_small(file, want)) {
		say("cannot write %s: %s", file, strerror(errno));
		saved_pm[0] = '\0';
		return false;
	}
	if (userspace)
		say("%s was already %s with no path manager listening: taking over", file, cur);
	dbg("%s: %s -> %s", file, cur, want);
	return true;
}

/*
 * One pathd per network namespace: an abstract unix socket is per namespace and
 * disappears with its process, even after SIGKILL.
 */
static int instance_lock(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	static const char name[] = "mptcp-run-pathd";
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memcpy(sun.sun_path + 1, name, sizeof(name) - 1);
	if (bind(fd, (struct sockaddr *)&sun,
	         (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof(name))) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* ---- interfaces ---- */

static struct iface *iface_get(struct daemon *d, int ifindex, bool create)
{
	struct iface *free_slot = NULL;
	for (int i = 0; i < PD_IFACES; i++) {
		if (d->ifs[i].ifindex == ifindex)
			return &d->ifs[i];
		if (!d->ifs[i].ifindex && !free_slot)
			free_slot = &d->ifs[i];
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->ifindex = ifindex;
	return free_slot;
}

static struct iface *iface_of_path(struct daemon *d, int path)
{
	if (path < 0 || (size_t)path >= d->o->policy->n_paths)
		return NULL;
	for (int i = 0; i < PD_IFACES; i++)
		if (d->ifs[i].ifindex && strcmp(d->ifs[i].name, d->o->policy->paths[path].dev) == 0)
			return &d->ifs[i];
	return NULL;
}

/* The policy path of the interface holding addr, -1 when unlisted or unknown. */
static int path_of_addr(struct daemon *d, const struct pd_addr *a)
{
	for (int i = 0; i < PD_IFACES; i++) {
		if (!d->ifs[i].ifindex)
			continue;
		for (int k = 0; k < d->ifs[i].n_addr; k++)
			if (pd_addr_eq(&d->ifs[i].addr[k], a))
				return mr_path_by_dev(d->o->policy, d->ifs[i].name);
	}
	return -1;
}

/* The address a subflow of this family uses on path, or NULL when the path is not usable. */
static const struct pd_addr *path_addr(struct daemon *d, int path, int family, int *ifindex)
{
	struct iface *f = iface_of_path(d, path);
	if (!f || !f->up)
		return NULL;
	for (int k = 0; k < f->n_addr; k++)
		if (f->addr[k].family == family) {
			if (ifindex)
				*ifindex = f->ifindex;
			return &f->addr[k];
		}
	return NULL;
}

/* A stable local address id per address (the userspace PM wants one id per address). */
static uint8_t addr_id(struct daemon *d, const struct pd_addr *a)
{
	for (int i = 0; i < d->n_ids; i++)
		if (pd_addr_eq(&d->ids[i], a))
			return (uint8_t)(i + 1);
	if (d->n_ids < 255) {
		d->ids[d->n_ids++] = *a;
		return (uint8_t)d->n_ids;
	}
	return 255; /* exhausted after 255 distinct addresses: the kernel refuses a clash */
}

/* ---- connections: a compact array (walked by apply_all), indexed by token ---- */

static size_t h_home(uint32_t token)
{
	return (size_t)((token * 2654435761u) >> 18) & (PD_HASH - 1);
}

/* The slot holding token, or the empty slot where it would go. */
static size_t h_slot(const struct daemon *d, uint32_t token)
{
	size_t i = h_home(token);
	while (d->hidx[i] && d->c[d->hidx[i] - 1].token != token)
		i = (i + 1) & (PD_HASH - 1);
	return i;
}

/* Removes slot i, moving later entries of the probe run back (no tombstones). */
static void h_delete(struct daemon *d, size_t i)
{
	size_t j = i;
	d->hidx[i] = 0;
	for (;;) {
		j = (j + 1) & (PD_HASH - 1);
		if (!d->hidx[j])
			return;
		size_t k = h_home(d->c[d->hidx[j] - 1].token);
		/* Entry j may move to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		d->hidx[i] = d->hidx[j];
		d->hidx[j] = 0;
		i = j;
	}
}

static void want_deadline(struct daemon *d, double t)
{
	if (!d->next_deadline || t < d->next_deadline)
		d->next_deadline = t;
}

static struct conn *conn_get(struct daemon *d, uint32_t token, bool create)
{
	size_t h = h_slot(d, token);
	if (d->hidx[h])
		return &d->c[d->hidx[h] - 1];
	if (!create || d->n_conn >= PD_CONNS)
		return NULL;
	struct conn *c = &d->c[d->n_conn++];
	memset(c, 0, sizeof(*c));
	c->token = token;
	c->t_seen = now_ms();
	d->hidx[h] = (uint32_t)d->n_conn;
	want_deadline(d, c->t_seen + PD_ORPHAN_MS);
	d->n_conns_total++;
	d->dirty = true;
	return c;
}

static void uid_count(struct daemon *d, uid_t uid, int delta)
{
	for (int i = 0; i < PD_UIDS; i++)
		if (d->uids[i].n && d->uids[i].uid == uid) {
			d->uids[i].n += delta;
			return;
		}
	if (delta <= 0)
		return;
	for (int i = 0; i < PD_UIDS; i++)
		if (!d->uids[i].n) {
			d->uids[i].uid = uid;
			d->uids[i].n = delta;
			return;
		}
}

/* Whether uid may own one more registered connection (root always may). */
static bool uid_below_cap(const struct daemon *d, uid_t uid)
{
	if (uid == 0)
		return true;
	int free_slots = 0;
	for (int i = 0; i < PD_UIDS; i++) {
		if (d->uids[i].n && d->uids[i].uid == uid)
			return d->uids[i].n < PD_UID_CAP;
		free_slots += !d->uids[i].n;
	}
	return free_slots > 0; /* a uid that cannot be counted is not let in */
}

static void conn_drop(struct daemon *d, struct conn *c)
{
	size_t i = (size_t)(c - d->c), last = d->n_conn - 1;
	if (c->registered)
		uid_count(d, c->uid, -1);
	h_delete(d, h_slot(d, c->token));
	if (i != last) {
		*c = d->c[last];
		d->hidx[h_slot(d, c->token)] = (uint32_t)i + 1;
	}
	d->n_conn--;
	d->dirty = true;
}

static struct sub *sub_find(struct conn *c, const struct pd_addr *loc, uint16_t lport,
                            const struct pd_addr *rem, uint16_t rport)
{
	for (int i = 0; i < c->n_sub; i++) {
		struct sub *s = &c->s[i];
		if (pd_addr_eq(&s->loc, loc) && pd_addr_eq(&s->rem, rem) && s->rport == rport &&
		    (s->lport == lport || !s->lport || !lport))
			return s;
	}
	return NULL;
}

/* A new subflow entry on the path its local address belongs to; NULL when the table is full. */
static struct sub *sub_add(struct daemon *d, struct conn *c, const struct pd_addr *loc,
                           uint16_t lport, const struct pd_addr *rem, uint16_t rport)
{
	if (c->n_sub >= PD_SUBS)
		return NULL;
	struct sub *s = &c->s[c->n_sub++];
	*s = (struct sub){
	    .loc = *loc, .rem = *rem, .lport = lport, .rport = rport, .path = path_of_addr(d, loc)};
	return s;
}

static void sub_remove(struct conn *c, struct sub *s)
{
	*s = c->s[--c->n_sub];
}

static bool has_sub_on(const struct conn *c, int path)
{
	for (int i = 0; i < c->n_sub; i++)
		if (c->s[i].path == path && !c->s[i].closing)
			return true;
	return false;
}

/* Decides the paths in force, once the owner is known or the grace period is over. */
static bool decide(struct daemon *d, struct conn *c, double now)
{
	if (c->decided)
		return true;
	if (!c->registered && d->any_section_paths && now < c->t_established + d->o->grace_ms)
		return false;
	struct mr_program prog;
	mr_resolve(d->o->policy, c->registered && c->exe[0] ? c->exe : NULL, false, &prog);
	if (!c->registered)
		prog.section = NULL; /* unknown owner: the defaults */
	mr_program_paths(d->o->policy, &prog, &c->pp);
	c->decided = true;
	char buf[256];
	mr_format_paths(d->o->policy, &c->pp.list, buf, sizeof(buf));
	dbg("token %08x (%s%s): paths %s", c->token, c->registered ? c->exe : "unregistered",
	    c->server ? ", server" : "", buf);
	return true;
}

static void create_sub(struct daemon *d, struct conn *c, int path)
{
	int ifindex = 0;
	const struct pd_addr *a = path_addr(d, path, c->family, &ifindex);
	char why[128], b1[64], b2[64];
	if (!a || c->n_sub >= PD_SUBS)
		return;
	bool backup = d->o->policy->paths[path].backup;
	uint8_t id = addr_id(d, a);
	double t0 = now_ms();
	int rc = pd_pm_subflow_create(d->cmd, c->token, a, id, ifindex, backup, &c->rem, c->rport,
	                              why, sizeof(why));
	d->cmd_ms += now_ms() - t0;
	if (rc < 0) {
		c->failed |= 1u << path;
		/* The connection closed meanwhile (a short one: ESTABLISHED waits for data on the
		 * client, CLOSED may even come first): not an error worth a line. */
		if (rc == -ENOTCONN || (rc == -EINVAL && strstr(why, "invalid token"))) {
			dbg("token %08x: closed before its subflow on %s could be added", c->token,
			    d->o->policy->paths[path].name);
			return;
		}
		d->n_errors++;
		say("token %08x: SUBFLOW_CREATE %s dev %s -> %s:%u failed: %s%s%s", c->token,
		    pd_addr_str(a, b1, sizeof(b1)), d->o->policy->paths[path].dev,
		    pd_addr_str(&c->rem, b2, sizeof(b2)), c->rport, strerror(-rc),
		    why[0] ? ": " : "", why);
		return;
	}
	d->n_create++;
	struct sub *s = sub_add(d, c, a, 0, &c->rem, c->rport); /* room checked above */
	s->path = path;
	s->ours = true;
	s->backup = backup;
	dbg("token %08x: subflow on %s (%s)%s", c->token, d->o->policy->paths[path].name,
	    d->o->policy->paths[path].dev, backup ? " backup" : "");
}

static void destroy_sub(struct daemon *d, struct conn *c, struct sub *s, const char *why_text)
{
	char why[128];
	if (s->closing || !s->lport)
		return; /* its local port comes with SUB_ESTABLISHED */
	double t0 = now_ms();
	int rc = pd_pm_subflow_destroy(d->cmd, c->token, &s->loc, s->lport, &s->rem, s->rport, why,
	                               sizeof(why));
	d->cmd_ms += now_ms() - t0;
	s->closing = true;
	if (rc < 0) {
		d->n_errors++;
		say("token %08x: SUBFLOW_DESTROY failed: %s%s%s", c->token, strerror(-rc),
		    why[0] ? ": " : "", why);
		return;
	}
	d->n_destroy++;
	dbg("token %08x: subflow from port %u closed (%s)", c->token, s->lport, why_text);
}

/* A listener for joins to an announced address, on a port the daemon owns. */
static uint16_t listener_port(struct daemon *d, const struct pd_addr *a)
{
	for (int i = 0; i < d->n_ls; i++)
		if (pd_addr_eq(&d->ls[i].addr, a))
			return d->ls[i].port;
	if (d->n_ls >= PD_LISTENERS)
		return 0;
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->a, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->a, 16);
		len = sizeof(*s6);
	}
	int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (fd < 0)
		return 0;
	/* Joins never reach accept(); a plain connection to this port is refused by backlog 0's
	 * tiny queue and dropped when we close it at exit. */
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return 0;
	}
	uint16_t port = ntohs(a->family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                           : ((struct sockaddr_in6 *)&ss)->sin6_port);
	d->ls[d->n_ls++] = (struct listener){.addr = *a, .fd = fd, .port = port};
	return port;
}

static void announce(struct daemon *d, struct conn *c, int path)
{
	const struct pd_addr *a = path_addr(d, path, c->family, NULL);
	char why[128], b[64];
	if (!a || pd_addr_eq(a, &c->loc))
		return;
	uint16_t port = listener_port(d, a);
	int rc = port ? pd_pm_announce(d->cmd, c->token, a, addr_id(d, a), port, why, sizeof(why))
	              : -EADDRNOTAVAIL;
	c->announced |= 1u << path;
	if (rc < 0) {
		d->n_errors++;
		say("token %08x: ANNOUNCE %s failed: %s", c->token, pd_addr_str(a, b, sizeof(b)),
		    strerror(-rc));
		return;
	}
	d->n_announce++;
	dbg("token %08x: announced %s port %u (%s)", c->token, pd_addr_str(a, b, sizeof(b)), port,
	    d->o->policy->paths[path].name);
}

/* Brings one connection to what its paths say. Idempotent: called after every change. */
static void apply(struct daemon *d, struct conn *c, double now)
{
	const struct mr_policy *p = d->o->policy;
	if (!c->created || !c->established || !decide(d, c, now))
		return;
	if (c->pp.origin == MR_PATHS_NONE)
		return;
	if (c->server) {
		for (size_t i = 0; i < c->pp.list.n; i++) {
			int k = c->pp.list.idx[i];
			if (!(c->announced & (1u << k)))
				announce(d, c, k);
		}
		return;
	}
	bool listed_live = false;
	for (int i = 0; i < c->n_sub; i++)
		if (c->s[i].live && !c->s[i].closing && mr_paths_lists(&c->pp, c->s[i].path))
			listed_live = true;
	/* Subflows to close: unlisted, or their path lost its interface or address. */
	for (int i = 0; i < c->n_sub; i++) {
		struct sub *s = &c->s[i];
		if (s->closing)
			continue;
		bool listed = mr_paths_lists(&c->pp, s->path);
		const struct pd_addr *a =
		    s->path >= 0 ? path_addr(d, s->path, c->family, NULL) : NULL;
		bool gone = listed && (!a || !pd_addr_eq(a, &s->loc));
		if (gone && s->live && c->n_sub > 1)
			destroy_sub(d, c, s, "its path went away");
		else if (!listed && s->live && listed_live)
			destroy_sub(d, c, s, "unlisted interface");
		else if (listed && s->live && s->initial && p->paths[s->path].backup &&
		         !s->backup) {
			/* Started on a backup path (nothing else was usable): flagged as one. */
			char why[128];
			if (pd_pm_set_backup(d->cmd, c->token, &s->loc, s->lport, &s->rem, s->rport,
			                     true, why, sizeof(why)) != 0)
				d->n_errors++;
			s->backup = true; /* tried once, whatever the answer */
		}
	}
	for (size_t i = 0; i < c->pp.list.n; i++) {
		int k = c->pp.list.idx[i];
		if (!has_sub_on(c, k) && !(c->failed & (1u << k)))
			create_sub(d, c, k);
	}
}

static void apply_all(struct daemon *d, bool clear_failed)
{
	double now = now_ms();
	for (size_t i = 0; i < d->n_conn; i++) {
		if (clear_failed)
			d->c[i].failed = 0;
		apply(d, &d->c[i], now);
	}
}

/* ---- events ---- */

static void fill_conn(struct conn *c, const struct pd_event *e)
{
	if (e->family)
		c->family = e->family;
	if (e->saddr.family) {
		c->loc = e->saddr;
		c->rem = e->daddr;
		c->lport = e->sport;
		c->rport = e->dport;
	}
	if (e->server_side)
		c->server = true;
}

static void on_event(const struct pd_event *e, void *arg)
{
	struct daemon *d = arg;
	double now = now_ms();
	struct conn *c;
	struct sub *s;
	switch (e->type) {
	case MPTCP_EVENT_CREATED:
	case MPTCP_EVENT_ESTABLISHED:
		if (!(c = conn_get(d, e->token, true)))
			return;
		fill_conn(c, e);
		if (!c->created) {
			c->created = true;
			c->t_created = now;
			if (c->loc.family &&
			    (s = sub_add(d, c, &c->loc, c->lport, &c->rem, c->rport)))
				s->live = s->initial = true;
		}
		if (e->type == MPTCP_EVENT_ESTABLISHED && !c->established) {
			c->established = true;
			c->t_established = now;
		}
		apply(d, c, now);
		if (c->established && !c->decided) {
			want_deadline(d, c->t_established + d->o->grace_ms);
			pd_reg_expect(d->reg, c->t_established + d->o->grace_ms);
		}
		break;
	case MPTCP_EVENT_CLOSED:
		if ((c = conn_get(d, e->token, false)))
			conn_drop(d, c);
		break;
	case MPTCP_EVENT_SUB_ESTABLISHED:
		if (!(c = conn_get(d, e->token, false)))
			return;
		s = sub_find(c, &e->saddr, e->sport, &e->daddr, e->dport);
		if (!s) /* a join we did not create (the peer's, on the server side) */
			s = sub_add(d, c, &e->saddr, 0, &e->daddr, e->dport);
		if (!s)
			return;
		s->lport = e->sport;
		s->live = true;
		s->backup = e->backup;
		if (s->ours && !c->t_first_sub) {
			c->t_first_sub = now;
			/* Only registered owners: the others wait grace_ms on purpose. */
			if (c->t_established && c->registered)
				d->lat[d->n_lat++ % PD_LAT] = now - c->t_established;
		}
		d->dirty = true;
		apply(d, c, now);
		break;
	case MPTCP_EVENT_SUB_CLOSED:
		if (!(c = conn_get(d, e->token, false)))
			return;
		if ((s = sub_find(c, &e->saddr, e->sport, &e->daddr, e->dport))) {
			if (s->ours && !s->closing && !s->live)
				c->failed |= s->path >= 0 ? 1u << s->path : 0; /* never came up */
			sub_remove(c, s);
		}
		d->dirty = true;
		apply(d, c, now);
		break;
	case MPTCP_EVENT_SUB_PRIORITY:
		if ((c = conn_get(d, e->token, false)) &&
		    (s = sub_find(c, &e->saddr, e->sport, &e->daddr, e->dport)))
			s->backup = e->backup;
		break;
	default:
		break;
	}
}

static void on_link(const struct pd_link_ev *e, void *arg)
{
	struct daemon *d = arg;
	struct iface *f = iface_get(d, e->ifindex, !e->removed);
	if (!f)
		return;
	if (!e->is_addr) {
		if (e->removed) {
			f->ifindex = 0;
			return;
		}
		if (e->name[0])
			snprintf(f->name, sizeof(f->name), "%s", e->name);
		if (f->up != e->up)
			dbg("link %s %s", f->name, e->up ? "up" : "down");
		f->up = e->up;
		return;
	}
	for (int k = 0; k < f->n_addr; k++)
		if (pd_addr_eq(&f->addr[k], &e->addr)) {
			f->addr[k] = f->addr[--f->n_addr];
			break;
		}
	if (!e->removed && e->addr_usable && f->n_addr < PD_IF_ADDRS)
		f->addr[f->n_addr++] = e->addr;
	char b[64];
	dbg("address %s %s on %s", pd_addr_str(&e->addr, b, sizeof(b)),
	    e->removed ? "removed" : "added", f->name);
}

static void on_registration(const struct pd_registration *r, void *arg)
{
	struct daemon *d = arg;
	struct conn *existing = conn_get(d, r->token, false);
	if (!(existing && existing->registered && existing->uid == r->uid) &&
	    !uid_below_cap(d, r->uid)) {
		d->n_uid_capped++;
		dbg("token %08x: uid %u holds %d registered connections already: ignored", r->token,
		    (unsigned)r->uid, PD_UID_CAP);
		return;
	}
	struct conn *c = existing ? existing : conn_get(d, r->token, true);
	if (!c)
		return;
	bool changed = c->decided && (!c->registered || strcmp(c->exe, r->exe) != 0);
	if (c->registered)
		uid_count(d, c->uid, -1);
	uid_count(d, r->uid, 1);
	c->registered = true;
	c->pid = r->pid;
	c->uid = r->uid;
	snprintf(c->exe, sizeof(c->exe), "%s", r->exe);
	dbg("token %08x registered by pid %d uid %u (%s)", r->token, (int)r->pid, (unsigned)r->uid,
	    r->exe[0] ? r->exe : "exe unreadable");
	if (changed)
		c->decided = false; /* decided on the defaults before it came: corrected now */
	d->dirty = true;
	apply(d, c, now_ms());
}

/* ---- adoption at start ---- */

static void on_diag(const struct pd_diag_conn *x, void *arg)
{
	struct daemon *d = arg;
	struct pd_addr ids_addr[16];
	uint8_t ids[16];
	if (x->state != 1 /* TCP_ESTABLISHED */)
		return;
	struct conn *c = conn_get(d, x->token, false);
	if (c && c->created)
		return; /* known already (a resync after lost events) */
	/* Only connections of the userspace PM answer GET_ADDR with a token. */
	if (pd_pm_get_addrs(d->cmd, x->token, ids_addr, ids, 16) < 0)
		return;
	if (!c && !(c = conn_get(d, x->token, true)))
		return;
	c->created = c->established = c->adopted = true;
	c->t_created = c->t_established = now_ms() - d->o->grace_ms;
	c->family = x->family;
	c->loc = x->loc;
	c->rem = x->rem;
	c->lport = x->lport;
	c->rport = x->rport;
	c->inode = x->inode;
	if (!c->registered)
		c->uid = x->uid;
	c->n_sub = 0;
	struct sub *s = sub_add(d, c, &c->loc, c->lport, &c->rem, c->rport);
	s->live = s->initial = true;
	dbg("adopted token %08x", c->token);
}

/* A subflow of an adopted connection, with its ports: what it has is not created twice, and
 * what it should not have can be closed. */
static void on_diag_subflow(const struct pd_diag_conn *x, void *arg)
{
	struct daemon *d = arg;
	struct conn *c = conn_get(d, x->token, false);
	if (!c || !c->adopted || x->state != 1)
		return;
	struct sub *s = sub_find(c, &x->loc, x->lport, &x->rem, x->rport);
	if (!s) {
		if (!(s = sub_add(d, c, &x->loc, x->lport, &x->rem, x->rport)))
			return;
		s->ours = (x->sf_flags & MPTCP_SUBFLOW_FLAG_JOIN_LOC) != 0;
		s->live = true;
	}
	s->backup = (x->sf_flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC) != 0;
}

/* The program of each adopted connection: the process holding its socket's inode. */
static void adopt_owners(struct daemon *d)
{
	size_t want = 0;
	for (size_t i = 0; i < d->n_conn; i++)
		want += d->c[i].adopted && !d->c[i].registered && d->c[i].inode;
	DIR *proc = want ? opendir("/proc") : NULL;
	struct dirent *p;
	while (proc && want && (p = readdir(proc))) {
		char path[300], link[64], exe[256];
		char *end;
		long pid = strtol(p->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		DIR *fds = opendir(path);
		if (!fds)
			continue;
		exe[0] = '\0';
		struct dirent *f;
		while (want && (f = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%ld/fd/%s", pid, f->d_name);
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strncmp(link, "socket:[", 8) != 0)
				continue;
			unsigned long ino = strtoul(link + 8, &end, 10);
			if (*end != ']')
				continue;
			for (size_t i = 0; i < d->n_conn; i++) {
				struct conn *c = &d->c[i];
				if (!c->adopted || c->registered || c->inode != ino)
					continue;
				if (!exe[0]) {
					lr_proc_exe((pid_t)pid, exe, sizeof(exe));
				}
				if (!exe[0])
					break;
				c->registered = true;
				c->pid = (pid_t)pid;
				snprintf(c->exe, sizeof(c->exe), "%s", exe);
				uid_count(d, c->uid, 1);
				dbg("token %08x: owner found, pid %ld (%s)", c->token, pid, exe);
				want--;
				break;
			}
		}
		closedir(fds);
	}
	if (proc)
		closedir(proc);
}

static void adopt(struct daemon *d)
{
	if (pd_diag_dump(false, on_diag, d) < 0 || pd_diag_dump(true, on_diag_subflow, d) < 0)
		say("warning: sock_diag: %s (open connections may be managed partly)",
		    strerror(errno));
	adopt_owners(d);
}

/* ---- live view ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void write_state(struct daemon *d)
{
	char tmp[4200], b1[64], b2[64];
	const struct mr_policy *p = d->o->policy;
	if (!d->o->state_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", d->o->state_path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return;
	fchmod(fileno(f), 0644);
	unsigned long ok, refused, limited;
	pd_reg_stats(d->reg, &ok, &refused, &limited);
	double p50 = 0, p99 = 0;
	size_t n = d->n_lat < PD_LAT ? d->n_lat : PD_LAT;
	if (n) {
		static double s[PD_LAT];
		memcpy(s, d->lat, n * sizeof(double));
		qsort(s, n, sizeof(double), cmp_double);
		p50 = s[n / 2];
		p99 = s[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
	}
	fprintf(f, "{\"pid\":%d,\"config\":", (int)getpid());
	json_str(f, d->o->conf_path);
	fprintf(f, ",\"paths\":[");
	for (size_t i = 0; i < p->n_paths; i++) {
		struct iface *x = iface_of_path(d, (int)i);
		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_str(f, p->paths[i].name);
		fprintf(f, ",\"dev\":");
		json_str(f, p->paths[i].dev);
		fprintf(f, ",\"backup\":%s,\"up\":%s,\"addrs\":[",
		        p->paths[i].backup ? "true" : "false", x && x->up ? "true" : "false");
		for (int k = 0; x && k < x->n_addr; k++)
			fprintf(f, "%s\"%s\"", k ? "," : "",
			        pd_addr_str(&x->addr[k], b1, sizeof(b1)));
		fprintf(f, "]}");
	}
	fprintf(f, "],\"connections\":[");
	for (size_t i = 0; i < d->n_conn; i++) {
		struct conn *c = &d->c[i];
		char list[256] = "";
		if (c->decided)
			mr_format_paths(p, &c->pp.list, list, sizeof(list));
		fprintf(
		    f,
		    "%s{\"token\":\"%08x\",\"side\":\"%s\",\"state\":\"%s\",\"local\":\"%s:%u\","
		    "\"remote\":\"%s:%u\",\"pid\":%d,\"uid\":%d,\"exe\":",
		    i ? "," : "", c->token, c->server ? "server" : "client",
		    c->established ? "established"
		    : c->created   ? "created"
		                   : "registered",
		    pd_addr_str(&c->loc, b1, sizeof(b1)), c->lport,
		    pd_addr_str(&c->rem, b2, sizeof(b2)), c->rport, c->registered ? (int)c->pid : 0,
		    c->registered ? (int)c->uid : -1);
		json_str(f, c->registered ? c->exe : "");
		fprintf(f, ",\"paths\":");
		json_str(f, list);
		fprintf(f, ",\"subflows\":[");
		for (int k = 0; k < c->n_sub; k++) {
			struct sub *s = &c->s[k];
			fprintf(f, "%s{\"path\":", k ? "," : "");
			json_str(f, s->path >= 0 ? p->paths[s->path].name : "(unlisted)");
			fprintf(f, ",\"local\":\"%s:%u\",\"backup\":%s,\"live\":%s,\"initial\":%s}",
			        pd_addr_str(&s->loc, b1, sizeof(b1)), s->lport,
			        s->backup ? "true" : "false", s->live ? "true" : "false",
			        s->initial ? "true" : "false");
		}
		fprintf(f, "]}");
	}
	fprintf(
	    f,
	    "],\"counters\":{\"connections\":%lu,\"subflow_create\":%lu,\"subflow_destroy\":%lu,"
	    "\"announce\":%lu,\"errors\":%lu,\"registrations\":%lu,\"refused\":%lu,"
	    "\"rate_limited\":%lu,\"uid_capped\":%lu,\"command_ms\":%.3f},\"sf_latency_ms\":{\"n\":"
	    "%zu,\"p50\":%.3f,\"p99\":%.3f}}\n",
	    d->n_conns_total, d->n_create, d->n_destroy, d->n_announce, d->n_errors, ok, refused,
	    limited, d->n_uid_capped, d->cmd_ms, d->n_lat, p50, p99);
	if (fclose(f) == 0)
		rename(tmp, d->o->state_path);
	else
		unlink(tmp);
}

/* ---- the loop ---- */

/* Time-driven work (grace periods over, orphans forgotten), only when a deadline is due:
 * between deadlines the loop sleeps and costs nothing per connection. */
static void expire(struct daemon *d, double now)
{
	if (!d->next_deadline || now < d->next_deadline)
		return;
	d->next_deadline = 0;
	for (size_t i = 0; i < d->n_conn;) {
		struct conn *c = &d->c[i];
		if (!c->created) {
			if (now - c->t_seen > PD_ORPHAN_MS) {
				conn_drop(d, c);
				continue;
			}
			want_deadline(d, c->t_seen + PD_ORPHAN_MS);
		}
		if (c->established && !c->decided) {
			apply(d, c, now);
			if (!c->decided)
				want_deadline(d, c->t_established + d->o->grace_ms);
		}
		i++;
	}
}

/* poll()'s timeout: until the next deadline of ours or of the registration queue. */
static int poll_timeout(const struct daemon *d, double now)
{
	double t = d->next_deadline;
	double r = pd_reg_next_deadline(d->reg);
	if (r && (!t || r < t))
		t = r;
	if (d->dirty && (!t || d->last_state + PD_STATE_MS < t))
		t = d->last_state + PD_STATE_MS;
	if (!t)
		return -1;
	if (t <= now)
		return 0;
	return (int)(t - now) + 1;
}

static void resync(struct daemon *d)
{
	/* Events were lost (ENOBUFS): what is still open comes back from sock_diag. */
	say("warning: path-manager events were lost; resynchronising");
	adopt(d);
	apply_all(d, true);
}

int pd_run(const struct pd_options *o)
{
	struct daemon *d = calloc(1, sizeof(*d));
	const char *why = "";
	int status = 1;
	sigset_t mask;

	if (!d || !(d->c = calloc(PD_CONNS, sizeof(*d->c))) ||
	    !(d->hidx = calloc(PD_HASH, sizeof(*d->hidx)))) {
		say("out of memory");
		if (d)
			free(d->c);
		free(d);
		return 1;
	}
	debug = o->debug;
	d->o = o;
	d->sigfd = d->lockfd = -1;
	for (size_t i = 0; i < o->policy->n_sections; i++)
		if (o->policy->sections[i].paths.set)
			d->any_section_paths = true;

	if ((d->lockfd = instance_lock()) < 0) {
		say("another pathd runs in this network namespace: refusing to start");
		goto out;
	}
	if (!(d->cmd = pd_genl_open(false, &why)) || !(d->ev = pd_genl_open(false, &why))) {
		say("%s", why);
		goto out;
	}
	/* Checked before we join the group ourselves. */
	if (!take_pm(pd_genl_events_group(d->ev)))
		goto out;
	struct sigaction sa = {.sa_handler = fatal_signal};
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	pd_genl_close(d->ev);
	if (!(d->ev = pd_genl_open(true, &why)) || !(d->rt = pd_rtnl_open(&why))) {
		say("%s", why);
		goto out;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		say("signalfd: %s", strerror(errno));
		goto out;
	}
	if (pd_rtnl_dump(d->rt, on_link, d) < 0) {
		say("cannot list links and addresses: %s", strerror(errno));
		goto out;
	}
	if (!(d->reg = pd_reg_open(o->socket_path))) {
		say("cannot listen on %s: %s", o->socket_path, strerror(errno));
		goto out;
	}
	adopt(d);
	say("managing paths (%zu defined) with the userspace path manager; registrations on %s",
	    o->policy->n_paths, o->socket_path);
	apply_all(d, false);
	write_state(d);
	if (o->ready_fd >= 0) {
		/* The launcher's parent waits for this before it exits (cmd/pathd.c). */
		ssize_t w = write(o->ready_fd, "1", 1);
		(void)w;
		close(o->ready_fd);
	}

	for (;;) {
		struct pollfd pf[4] = {
		    {pd_genl_fd(d->ev), POLLIN, 0},
		    {pd_rtnl_fd(d->rt), POLLIN, 0},
		    {pd_reg_fd(d->reg), POLLIN, 0},
		    {d->sigfd, POLLIN, 0},
		};
		int n = poll(pf, 4, poll_timeout(d, now_ms()));
		double now = now_ms();
		if (n < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			break;
		}
		if (pf[3].revents) {
			struct signalfd_siginfo si;
			if (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
				dbg("signal %u: exiting", si.ssi_signo);
				status = 0;
				break;
			}
		}
		if (pf[1].revents) {
			pd_rtnl_read(d->rt, on_link, d);
			d->dirty = true;
			apply_all(d, true);
		}
		if (pf[0].revents && pd_genl_read(d->ev, on_event, d) < 0 && errno == ENOBUFS)
			resync(d);
		/* After every wake-up (pathd/reg.h): registrations come without waking us. */
		pd_reg_handle(d->reg, now, on_registration, d);
		expire(d, now);
		if (d->dirty && now - d->last_state >= PD_STATE_MS) {
			write_state(d);
			d->dirty = false;
			d->last_state = now;
		}
	}
out:
	restore_pm();
	if (d->reg)
		pd_reg_close(d->reg);
	for (int i = 0; i < d->n_ls; i++)
		close(d->ls[i].fd);
	if (o->state_path && d->reg)
		unlink(o->state_path);
	pd_rtnl_close(d->rt);
	pd_genl_close(d->ev);
	pd_genl_close(d->cmd);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->lockfd >= 0)
		close(d->lockfd);
	free(d->hidx);
	free(d->c);
	free(d);
	return status;
}
