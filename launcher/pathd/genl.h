/* SPDX-License-Identifier: MIT */
/*
 * The MPTCP path-manager generic netlink family, with libmnl: its commands
 * (kernel-mptcp.md §4.3) and the mptcp_pm_events group. Every command is
 * synchronous (sent, then its ACK read), so an error belongs to the command
 * that caused it, with the kernel's extack text.
 */
#ifndef MPTCP_RUN_PATHD_GENL_H
#define MPTCP_RUN_PATHD_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner/addr.h"

/* One path-manager event, decoded. */
struct pd_event {
	int type; /* MPTCP_EVENT_* */
	uint32_t token;
	int family;
	struct pl_addr saddr, daddr;
	uint16_t sport, dport; /* host order */
	uint8_t loc_id, rem_id;
	bool backup, server_side;
	int if_idx;
	int error;
};

struct pd_genl;
/* Resolves the mptcp_pm family; events: also joins mptcp_pm_events. NULL with *why set. */
struct pd_genl *pd_genl_open(bool events, const char **why);
void pd_genl_close(struct pd_genl *g);
int pd_genl_fd(const struct pd_genl *g);
/* The multicast group id of mptcp_pm_events (for the "is another PM listening" check). */
uint32_t pd_genl_events_group(const struct pd_genl *g);
/* Reads what is queued and calls cb per event. -1 on error (errno; ENOBUFS: events lost). */
int pd_genl_read(struct pd_genl *g, void (*cb)(const struct pd_event *, void *), void *arg);

/* Commands: 0, or -errno with the kernel's extack text in why (may be ""). */
int pd_pm_subflow_create(struct pd_genl *g, uint32_t token, const struct pl_addr *loc,
                         uint8_t loc_id, int if_idx, bool backup, const struct pl_addr *rem,
                         uint16_t rport, char *why, size_t wsize);
int pd_pm_subflow_destroy(struct pd_genl *g, uint32_t token, const struct pl_addr *loc,
                          uint16_t lport, const struct pl_addr *rem, uint16_t rport, char *why,
                          size_t wsize);
/* SET_FLAGS on one subflow (token, local address and port, remote address and port). */
int pd_pm_set_backup(struct pd_genl *g, uint32_t token, const struct pl_addr *loc, uint16_t lport,
                     const struct pl_addr *rem, uint16_t rport, bool backup, char *why,
                     size_t wsize);
int pd_pm_announce(struct pd_genl *g, uint32_t token, const struct pl_addr *loc, uint8_t loc_id,
                   uint16_t port, bool backup, char *why, size_t wsize);
/* Local addresses the userspace PM knows for one connection; -errno when it is not ours. */
int pd_pm_get_addrs(struct pd_genl *g, uint32_t token, struct pl_addr *out, uint8_t *ids, int max);

#endif
