/* SPDX-License-Identifier: MIT */
#include "planner/model.h"

#include <stdio.h>
#include <string.h>

/* ---- interfaces ---- */

int pl_path_of_iface(const struct pl_world *w, const struct pl_iface *f)
{
	return mr_path_of_iface(w->policy, f->name, (enum mr_kind)f->kind);
}

const struct pl_iface *pl_iface_next(const struct pl_world *w, int path,
                                     const struct pl_iface *after)
{
	if (path < 0 || (size_t)path >= w->policy->n_paths)
		return NULL;
	for (int i = after ? (int)(after - w->ifs->ifs) + 1 : 0; i < PL_IFACES; i++)
		if (w->ifs->ifs[i].ifindex && pl_path_of_iface(w, &w->ifs->ifs[i]) == path)
			return &w->ifs->ifs[i];
	return NULL;
}

const struct pl_iface *pl_iface_of_path(const struct pl_world *w, int path)
{
	return pl_iface_next(w, path, NULL);
}

int pl_path_of_addr(const struct pl_world *w, const struct pl_addr *a)
{
	for (int i = 0; i < PL_IFACES; i++) {
		const struct pl_iface *f = &w->ifs->ifs[i];
		if (!f->ifindex)
			continue;
		for (int k = 0; k < f->n_addr; k++)
			if (pl_addr_eq(&f->addr[k], a))
				return pl_path_of_iface(w, f);
	}
	return -1;
}

/* The interface holding addr, 0 for none. */
static int ifindex_of_addr(const struct pl_world *w, const struct pl_addr *a)
{
	for (int i = 0; i < PL_IFACES; i++) {
		const struct pl_iface *f = &w->ifs->ifs[i];
		for (int k = 0; f->ifindex && k < f->n_addr; k++)
			if (pl_addr_eq(&f->addr[k], a))
				return f->ifindex;
	}
	return 0;
}

const struct pl_addr *pl_iface_addr(const struct pl_iface *f, int family)
{
	if (!f || !f->up)
		return NULL;
	for (int k = 0; k < f->n_addr; k++)
		if (f->addr[k].family == family)
			return &f->addr[k];
	return NULL;
}

const struct pl_addr *pl_path_addr(const struct pl_world *w, int path, int family, int *ifindex)
{
	for (const struct pl_iface *f = NULL; (f = pl_iface_next(w, path, f));) {
		const struct pl_addr *a = pl_iface_addr(f, family);
		if (!a)
			continue;
		if (ifindex)
			*ifindex = f->ifindex;
		return a;
	}
	return NULL;
}

bool pl_path_has_addr(const struct pl_world *w, int path, const struct pl_addr *loc)
{
	for (const struct pl_iface *f = NULL; (f = pl_iface_next(w, path, f));) {
		const struct pl_addr *a = pl_iface_addr(f, loc->family);
		if (a && pl_addr_eq(a, loc))
			return true;
	}
	return false;
}

/* ---- subflows ---- */

struct pl_sub *pl_sub_find(struct pl_conn *c, const struct pl_addr *loc, uint16_t lport,
                           const struct pl_addr *rem, uint16_t rport)
{
	/* The exact port first: a join whose port is not known yet must not be taken for the
	 * subflow it replaces on the same path (whose SUB_CLOSED may come after it was made). */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < c->n_sub; i++) {
			struct pl_sub *s = &c->s[i];
			if (pl_addr_eq(&s->loc, loc) && pl_addr_eq(&s->rem, rem) &&
			    s->rport == rport &&
			    (pass == 0 ? s->lport == lport : !s->lport || !lport))
				return s;
		}
	return NULL;
}

struct pl_sub *pl_sub_add(const struct pl_world *w, struct pl_conn *c, const struct pl_addr *loc,
                          uint16_t lport, const struct pl_addr *rem, uint16_t rport)
{
	if (c->n_sub >= PL_SUBS)
		return NULL;
	struct pl_sub *s = &c->s[c->n_sub++];
	*s = (struct pl_sub){.loc = *loc,
	                     .rem = *rem,
	                     .lport = lport,
	                     .rport = rport,
	                     .path = pl_path_of_addr(w, loc),
	                     .ifindex = ifindex_of_addr(w, loc)};
	return s;
}

void pl_sub_remove(struct pl_conn *c, struct pl_sub *s)
{
	*s = c->s[--c->n_sub];
}

/* ---- events ---- */

void pl_conn_seen(const struct pl_world *w, struct pl_conn *c, bool established, int family,
                  const struct pl_addr *loc, uint16_t lport, const struct pl_addr *rem,
                  uint16_t rport, bool server, double now)
{
	if (family)
		c->family = family;
	if (loc->family) {
		c->loc = *loc;
		c->rem = *rem;
		c->lport = lport;
		c->rport = rport;
	}
	if (server)
		c->server = true;
	if (!c->created) {
		c->created = true;
		c->t_created = now;
		struct pl_sub *s;
		if (c->loc.family && (s = pl_sub_add(w, c, &c->loc, c->lport, &c->rem, c->rport))) {
			s->live = s->initial = true;
			s->t_live = now;
		}
	}
	if (established && !c->established) {
		c->established = true;
		c->t_established = now;
	}
}

struct pl_sub *pl_sub_established(const struct pl_world *w, struct pl_conn *c,
                                  const struct pl_addr *loc, uint16_t lport,
                                  const struct pl_addr *rem, uint16_t rport, bool backup,
                                  double now)
{
	struct pl_sub *s = pl_sub_find(c, loc, lport, rem, rport);
	if (!s) /* a join we did not create (the peer's, on the server side) */
		s = pl_sub_add(w, c, loc, 0, rem, rport);
	if (!s)
		return NULL;
	bool was_live = s->live;
	s->lport = lport;
	s->live = true;
	if (!was_live)
		s->t_live = now;
	if (!s->flagged)
		s->backup = backup;
	if (s->promo == PL_PROMO_AWAIT_ESTABLISHED) {
		s->promo = PL_PROMO_DUE;
		s->promote_at = now + c->prot.promote_ms;
	} else if (c->server && c->prot.on && !s->ours && !s->initial && !was_live &&
	           s->path >= 0 && (c->announced & (1u << s->path)) &&
	           c->tune.v[MR_MK_MODE] != MR_PATH_HANDOVER) {
		/* A peer's join to an address announced as backup: this event comes when this end
		 * has finished the join, so the peer may put data on it now, not before. */
		s->promo = PL_PROMO_DUE;
		s->promote_at = now;
		s->flagged = true;
		s->backup = true;
	}
	return s;
}

void pl_sub_priority(struct pl_conn *c, const struct pl_addr *loc, uint16_t lport,
                     const struct pl_addr *rem, uint16_t rport, bool backup)
{
	struct pl_sub *s = pl_sub_find(c, loc, lport, rem, rport);
	if (s && !s->flagged)
		s->backup = backup;
}

void pl_conn_owner(struct pl_conn *c, pid_t pid, uid_t uid, const char *exe)
{
	bool changed = c->decided && (!c->registered || strcmp(c->exe, exe) != 0);
	c->registered = true;
	c->pid = pid;
	c->uid = uid;
	snprintf(c->exe, sizeof(c->exe), "%s", exe);
	if (changed)
		c->decided = false; /* decided on the defaults before it came: corrected now */
}

void pl_sub_adopted(const struct pl_world *w, struct pl_conn *c, const struct pl_addr *loc,
                    uint16_t lport, const struct pl_addr *rem, uint16_t rport, bool ours,
                    bool backup, double now)
{
	struct pl_sub *s = pl_sub_find(c, loc, lport, rem, rport);
	if (!s) {
		if (!(s = pl_sub_add(w, c, loc, lport, rem, rport)))
			return;
		s->ours = ours;
		s->live = true;
		s->t_live = now;
	}
	s->backup = backup; /* sock_diag's BKUP_LOC: the local flag */
	s->flagged = s->ours;
	/* A join of ours flagged backup on a path that is not a backup path: created so by an
	 * earlier daemon to protect it, which did not live to promote it. */
	if (s->ours && backup && s->path >= 0 && !w->policy->paths[s->path].backup) {
		s->promo = PL_PROMO_DUE;
		s->promote_at = now + c->prot.promote_ms;
	}
}
