/* SPDX-License-Identifier: MIT */
#include "pathd/ifaces.h"

#include <stdio.h>
#include <string.h>

#include "kernel/ifkind.h"
#include "os/msg.h"

static struct pl_iface *iface_get(struct pl_ifaces *ifs, int ifindex, bool create)
{
	struct pl_iface *free_slot = NULL;
	for (int i = 0; i < PL_IFACES; i++) {
		if (ifs->ifs[i].ifindex == ifindex)
			return &ifs->ifs[i];
		if (!ifs->ifs[i].ifindex && !free_slot)
			free_slot = &ifs->ifs[i];
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->ifindex = ifindex;
	return free_slot;
}

void pd_ifaces_apply(struct pl_ifaces *ifs, const struct pd_link_ev *e, bool kinds)
{
	struct pl_iface *f = iface_get(ifs, e->ifindex, !e->removed);
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
			lr_dbg("link %s %s", f->name, e->up ? "up" : "down");
		f->up = e->up;
		if (kinds) {
			uint8_t k = (uint8_t)mr_iface_kind(f->name);
			if (k != f->kind)
				lr_dbg("link %s is %s", f->name,
				       k ? mr_kind_name((enum mr_kind)k) : "of no kind");
			f->kind = k;
		}
		return;
	}
	for (int k = 0; k < f->n_addr; k++)
		if (pl_addr_eq(&f->addr[k], &e->addr)) {
			f->addr[k] = f->addr[--f->n_addr];
			break;
		}
	if (!e->removed && e->addr_usable && f->n_addr < PL_IF_ADDRS)
		f->addr[f->n_addr++] = e->addr;
	char b[64];
	lr_dbg("address %s %s on %s", pl_addr_str(&e->addr, b, sizeof(b)),
	       e->removed ? "removed" : "added", f->name);
}
