/* SPDX-License-Identifier: MIT */
#include "pathd/adopt.h"

#include <dirent.h>
#include <errno.h>
#include <linux/mptcp.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/msg.h"
#include "os/proc_exe.h"
#include "pathd/clock.h"
#include "pathd/daemon.h"
#include "pathd/diag.h"
#include "pathd/protection.h"

static void on_diag(const struct pd_diag_conn *x, void *arg)
{
	struct pd_daemon *d = arg;
	struct pl_addr ids_addr[16];
	uint8_t ids[16];
	double now = pd_now_ms();
	if (x->state != TCP_ESTABLISHED)
		return;
	struct pl_conn *c = pd_conn_find(&d->conns, x->token);
	if (c && c->created)
		return; /* known already (a resync after lost events) */
	/* Only connections of the userspace PM answer GET_ADDR with a token. */
	if (pd_pm_get_addrs(d->pm.cmd, x->token, ids_addr, ids, 16) < 0)
		return;
	if (!c && !(c = pd_conn_get(&d->conns, x->token, now)))
		return;
	c->created = c->established = c->adopted = true;
	c->t_created = c->t_established = now - d->o->grace_ms; /* no grace: it is late already */
	c->family = x->family;
	c->loc = x->loc;
	c->rem = x->rem;
	c->lport = x->lport;
	c->rport = x->rport;
	c->inode = x->inode;
	if (!c->registered)
		c->uid = x->uid;
	c->prot = pd_protection_for(c, d->o->promote_ms);
	c->n_sub = 0;
	struct pl_sub *s = pl_sub_add(&d->world, c, &c->loc, c->lport, &c->rem, c->rport);
	s->live = s->initial = true;
	lr_dbg("adopted token %08x", c->token);
}

/* A subflow of an adopted connection, with its ports: what it has is not created twice, and
 * what it should not have can be closed. */
static void on_diag_subflow(const struct pd_diag_conn *x, void *arg)
{
	struct pd_daemon *d = arg;
	struct pl_conn *c = pd_conn_find(&d->conns, x->token);
	if (!c || !c->adopted || x->state != TCP_ESTABLISHED)
		return;
	pl_sub_adopted(&d->world, c, &x->loc, x->lport, &x->rem, x->rport,
	               (x->sf_flags & MPTCP_SUBFLOW_FLAG_JOIN_LOC) != 0,
	               (x->sf_flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC) != 0, pd_now_ms());
}

/* The adopted, ownerless connection whose socket has inode ino, or NULL. */
static struct pl_conn *by_inode(struct pd_daemon *d, unsigned long ino)
{
	for (size_t i = 0; i < d->conns.n; i++) {
		struct pl_conn *c = &d->conns.c[i];
		if (c->adopted && !c->registered && c->inode == ino)
			return c;
	}
	return NULL;
}

/* The program of each adopted connection: the process holding its socket's inode. */
static void adopt_owners(struct pd_daemon *d)
{
	size_t want = 0;
	for (size_t i = 0; i < d->conns.n; i++)
		want += d->conns.c[i].adopted && !d->conns.c[i].registered && d->conns.c[i].inode;
	DIR *proc = want ? opendir("/proc") : NULL;
	struct dirent *p;
	while (proc && want && (p = readdir(proc))) {
		char path[300], link[64], exe[PL_EXE_MAX];
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
			struct pl_conn *c = *end == ']' ? by_inode(d, ino) : NULL;
			if (!c)
				continue;
			if (!exe[0])
				lr_proc_exe((pid_t)pid, exe, sizeof(exe));
			if (!exe[0])
				break;
			pd_conns_set_owner(&d->conns, c, (pid_t)pid, exe);
			lr_dbg("token %08x: owner found, pid %ld (%s)", c->token, pid, exe);
			want--;
		}
		closedir(fds);
	}
	if (proc)
		closedir(proc);
}

void pd_adopt(struct pd_daemon *d)
{
	if (pd_diag_dump(false, on_diag, d) < 0 || pd_diag_dump(true, on_diag_subflow, d) < 0)
		lr_warn("sock_diag: %s (open connections may be managed partly)", strerror(errno));
	adopt_owners(d);
}
