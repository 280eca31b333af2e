/* SPDX-License-Identifier: MIT */
/*
 * The daemon's netlink: the MPTCP path-manager generic netlink family
 * (commands and the mptcp_pm_events group), rtnetlink (links and addresses)
 * and the MPTCP sock_diag dump, with libmnl. Every command is synchronous
 * (sent, then its ACK read), so an error belongs to the command that caused it.
 */
#ifndef MPTCP_RUN_PATHD_NL_H
#define MPTCP_RUN_PATHD_NL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pd_addr {
	int family; /* AF_INET, AF_INET6; 0: none */
	uint8_t a[16];
};

bool pd_addr_eq(const struct pd_addr *x, const struct pd_addr *y);
const char *pd_addr_str(const struct pd_addr *x, char *buf, size_t size);

/* One path-manager event, decoded. */
struct pd_event {
	int type; /* MPTCP_EVENT_* */
	uint32_t token;
	int family;
	struct pd_addr saddr, daddr;
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
int pd_pm_subflow_create(struct pd_genl *g, uint32_t token, const struct pd_addr *loc,
                         uint8_t loc_id, int if_idx, bool backup, const struct pd_addr *rem,
                         uint16_t rport, char *why, size_t wsize);
int pd_pm_subflow_destroy(struct pd_genl *g, uint32_t token, const struct pd_addr *loc,
                          uint16_t lport, const struct pd_addr *rem, uint16_t rport, char *why,
                          size_t wsize);
int pd_pm_set_backup(struct pd_genl *g, uint32_t token, const struct pd_addr *loc, uint16_t lport,
                     const struct pd_addr *rem, uint16_t rport, bool backup, char *why,
                     size_t wsize);
int pd_pm_announce(struct pd_genl *g, uint32_t token, const struct pd_addr *loc, uint8_t loc_id,
                   uint16_t port, char *why, size_t wsize);
/* Local addresses the userspace PM knows for one connection; -errno when it is not ours. */
int pd_pm_get_addrs(struct pd_genl *g, uint32_t token, struct pd_addr *out, uint8_t *ids, int max);

/* rtnetlink: link and address changes. */
struct pd_link_ev {
	bool is_addr, removed;
	int ifindex;
	char name[IF_NAMESIZE];
	bool up; /* links: IFF_UP and IFF_LOWER_UP */
	struct pd_addr addr;
	bool addr_usable; /* global scope, not tentative */
};
struct pd_rtnl;
struct pd_rtnl *pd_rtnl_open(const char **why);
void pd_rtnl_close(struct pd_rtnl *r);
int pd_rtnl_fd(const struct pd_rtnl *r);
/* Dumps every link then every address through cb (call once, before reading changes). */
int pd_rtnl_dump(struct pd_rtnl *r, void (*cb)(const struct pd_link_ev *, void *), void *arg);
int pd_rtnl_read(struct pd_rtnl *r, void (*cb)(const struct pd_link_ev *, void *), void *arg);

/* One MPTCP connection, or one of its TCP subflows, from sock_diag. */
struct pd_diag_conn {
	uint32_t token; /* a subflow's: the local token of its connection */
	uint8_t state;
	int family;
	struct pd_addr loc, rem;
	uint16_t lport, rport;
	uid_t uid;
	uint32_t inode;    /* connections: the socket's inode, to find its owner in /proc */
	uint32_t sf_flags; /* subflows: MPTCP_SUBFLOW_FLAG_* */
};
/* Dumps the MPTCP sockets of this namespace (INET_DIAG_REQ_PROTOCOL = 262), or with
 * subflows the TCP sockets that are MPTCP subflows (their ULP info carries the token). */
int pd_diag_dump(bool subflows, void (*cb)(const struct pd_diag_conn *, void *), void *arg);

#endif
