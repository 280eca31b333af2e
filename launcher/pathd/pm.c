/* SPDX-License-Identifier: MIT */
#include "pathd/pm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/uapi.h"
#include "os/msg.h"
#include "pathd/clock.h"

/* A stable local address id per address. */
static uint8_t addr_id(struct pd_pm *pm, const struct pl_addr *a)
{
	for (int i = 0; i < pm->n_ids; i++)
		if (pl_addr_eq(&pm->ids[i], a))
			return (uint8_t)(i + 1);
	if (pm->n_ids < 255) {
		pm->ids[pm->n_ids++] = *a;
		return (uint8_t)pm->n_ids;
	}
	return 255; /* exhausted after 255 distinct addresses: the kernel refuses a clash */
}

/* The interface's name (a path of a kind has no dev of its own). */
static const char *if_name(const struct pd_pm *pm, int ifindex)
{
	for (int i = 0; pm->ifs && i < PL_IFACES; i++)
		if (pm->ifs->ifs[i].ifindex == ifindex)
			return pm->ifs->ifs[i].name;
	return "?";
}

static int subflow_create(void *ctx, const struct pl_conn *c, int path, const struct pl_addr *loc,
                          int ifindex, bool backup)
{
	struct pd_pm *pm = ctx;
	const struct mr_path *p = &pm->policy->paths[path];
	const char *dev = p->dev[0] ? p->dev : if_name(pm, ifindex);
	char why[128], b1[64], b2[64];
	double t0 = pd_now_ms();
	int rc = pd_pm_subflow_create(pm->cmd, c->token, loc, addr_id(pm, loc), ifindex, backup,
	                              &c->rem, c->rport, why, sizeof(why));
	pm->cmd_ms += pd_now_ms() - t0;
	if (rc < 0) {
		/* The connection closed meanwhile (a short one: ESTABLISHED waits for data on the
		 * client, CLOSED may even come first): not an error worth a line. */
		if (rc == -ENOTCONN || (rc == -EINVAL && strstr(why, "invalid token"))) {
			lr_dbg("token %08x: closed before its subflow on %s could be added",
			       c->token, p->name);
			return rc;
		}
		pm->n_errors++;
		lr_err("token %08x: SUBFLOW_CREATE %s dev %s -> %s:%u failed: %s%s%s", c->token,
		       pl_addr_str(loc, b1, sizeof(b1)), dev, pl_addr_str(&c->rem, b2, sizeof(b2)),
		       c->rport, strerror(-rc), why[0] ? ": " : "", why);
		return rc;
	}
	pm->n_create++;
	/* Interactive joins stay backup until measured best; protected ones are promoted. */
	lr_dbg("token %08x: subflow on %s (%s)%s", c->token, p->name, dev,
	       !backup ? ""
	       : p->backup || c->tune.v[MR_MK_MODE] == MR_PATH_INTERACTIVE
	           ? " backup"
	           : " backup until promoted");
	return 0;
}

static int subflow_destroy(void *ctx, const struct pl_conn *c, const struct pl_sub *s,
                           const char *why_text)
{
	struct pd_pm *pm = ctx;
	char why[128];
	double t0 = pd_now_ms();
	int rc = pd_pm_subflow_destroy(pm->cmd, c->token, &s->loc, s->lport, &s->rem, s->rport, why,
	                               sizeof(why));
	pm->cmd_ms += pd_now_ms() - t0;
	if (rc < 0) {
		pm->n_errors++;
		lr_err("token %08x: SUBFLOW_DESTROY failed: %s%s%s", c->token, strerror(-rc),
		       why[0] ? ": " : "", why);
		return rc;
	}
	pm->n_destroy++;
	lr_dbg("token %08x: subflow from port %u closed (%s)", c->token, s->lport, why_text);
	return 0;
}

static int subflow_reset(void *ctx, const struct pl_conn *c, const struct pl_sub *s,
                         const char *why_text)
{
	struct pd_pm *pm = ctx;
	if (!pm->diag)
		return subflow_destroy(ctx, c, s, why_text);
	double t0 = pd_now_ms();
	/* The kernel finds a socket bound to a device only when asked with that device. */
	int rc = s->ifindex
	             ? pd_diag_reset(pm->diag, &s->loc, s->lport, &s->rem, s->rport, s->ifindex)
	             : -ENOENT;
	if (rc == -ENOENT)
		rc = pd_diag_reset(pm->diag, &s->loc, s->lport, &s->rem, s->rport, 0);
	pm->cmd_ms += pd_now_ms() - t0;
	if (rc < 0) {
		pm->n_errors++;
		lr_err("token %08x: reset of the subflow from port %u failed: %s", c->token,
		       s->lport, strerror(-rc));
		return rc;
	}
	pm->n_destroy++;
	lr_dbg("token %08x: subflow from port %u reset (%s)", c->token, s->lport, why_text);
	return 0;
}

static int set_backup(void *ctx, const struct pl_conn *c, const struct pl_sub *s, bool backup)
{
	struct pd_pm *pm = ctx;
	char why[128];
	int rc = pd_pm_set_backup(pm->cmd, c->token, &s->loc, s->lport, &s->rem, s->rport, backup,
	                          why, sizeof(why));
	if (rc < 0) {
		pm->n_errors++;
		lr_err("token %08x: SET_FLAGS backup %s on port %u failed: %s%s%s", c->token,
		       backup ? "on" : "off", s->lport, strerror(-rc), why[0] ? ": " : "", why);
		return rc;
	}
	pm->n_set_flags++;
	return 0;
}

/* A listener for joins to an announced address, on a port the daemon owns. */
static uint16_t listener_port(struct pd_pm *pm, const struct pl_addr *a)
{
	for (int i = 0; i < pm->n_ls; i++)
		if (pl_addr_eq(&pm->ls[i].addr, a))
			return pm->ls[i].port;
	if (pm->n_ls >= PD_LISTENERS)
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
	pm->ls[pm->n_ls].addr = *a;
	pm->ls[pm->n_ls].fd = fd;
	pm->ls[pm->n_ls].port = port;
	pm->n_ls++;
	return port;
}

static int announce(void *ctx, const struct pl_conn *c, int path, const struct pl_addr *loc,
                    bool backup)
{
	struct pd_pm *pm = ctx;
	char why[128], b[64];
	uint16_t port = listener_port(pm, loc);
	int rc = port ? pd_pm_announce(pm->cmd, c->token, loc, addr_id(pm, loc), port, backup, why,
	                               sizeof(why))
	              : -EADDRNOTAVAIL;
	if (rc < 0) {
		pm->n_errors++;
		lr_err("token %08x: ANNOUNCE %s failed: %s", c->token,
		       pl_addr_str(loc, b, sizeof(b)), strerror(-rc));
		return rc;
	}
	pm->n_announce++;
	lr_dbg("token %08x: announced %s port %u (%s)%s", c->token, pl_addr_str(loc, b, sizeof(b)),
	       port, pm->policy->paths[path].name, backup ? " as backup" : "");
	return 0;
}

static void debug_line(void *ctx, const char *line)
{
	(void)ctx;
	lr_dbg("%s", line);
}

static void info_line(void *ctx, const char *line)
{
	(void)ctx;
	lr_info("%s", line);
}

static const struct pl_ops ops_debug = {
    .subflow_create = subflow_create,
    .subflow_destroy = subflow_destroy,
    .subflow_reset = subflow_reset,
    .set_backup = set_backup,
    .announce = announce,
    .debug = debug_line,
    .info = info_line,
};

static const struct pl_ops ops_quiet = {
    .subflow_create = subflow_create,
    .subflow_destroy = subflow_destroy,
    .subflow_reset = subflow_reset,
    .set_backup = set_backup,
    .announce = announce,
    .debug = NULL,
    .info = info_line,
};

const struct pl_ops *pd_pm_ops(void)
{
	return lr_debug ? &ops_debug : &ops_quiet;
}

void pd_pm_close(struct pd_pm *pm)
{
	pd_diag_close(pm->diag);
	pm->diag = NULL;
	for (int i = 0; i < pm->n_ls; i++)
		close(pm->ls[i].fd);
	pm->n_ls = 0;
}
