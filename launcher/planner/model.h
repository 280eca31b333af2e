/* SPDX-License-Identifier: MIT */
/*
 * What the path daemon knows, as plain data the planner reads: the
 * interfaces (name, state, addresses) and each connection with its owner,
 * its paths once decided, and its subflows. The functions here apply what
 * the kernel reports (a connection created or established, a subflow
 * established, closed or re-flagged, a registration) to a connection; they
 * are pure like the planner (no system calls, the time is an argument), so
 * the unit tests replay event sequences through the same code as the daemon.
 */
#ifndef MPTCP_RUN_PLANNER_MODEL_H
#define MPTCP_RUN_PLANNER_MODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "planner/addr.h"
#include "policy/policy.h"

#define PL_IFACES   64
#define PL_IF_ADDRS 8
#define PL_SUBS     (MR_PATHS_MAX + 4) /* subflows tracked per connection */
#define PL_EXE_MAX  256

struct pl_iface {
	int ifindex; /* 0: free slot */
	char name[IF_NAMESIZE];
	uint8_t kind;                     /* enum mr_kind, as the kernel says (kernel/ifkind.h) */
	bool up;                          /* IFF_UP and IFF_LOWER_UP */
	struct pl_addr addr[PL_IF_ADDRS]; /* usable addresses: global scope, not tentative */
	int n_addr;
};

struct pl_ifaces {
	struct pl_iface ifs[PL_IFACES];
};

/* The configuration and the interfaces: everything the planner reads besides a connection. */
struct pl_world {
	const struct mr_policy *policy;
	const struct pl_ifaces *ifs;
	int grace_ms; /* an unregistered connection waits this long before the defaults apply */
	bool wait_registration; /* some program lists its own paths: waiting is worth it */
	int drain_ms; /* a subflow leaving a path (no_path) is flagged backup this long first */
};

/* A subflow's re-flag to active, for a join created backup to protect it. */
enum pl_promo {
	PL_PROMO_NONE = 0,
	PL_PROMO_AWAIT_ESTABLISHED, /* created backup; promoted promote_ms after SUB_ESTABLISHED */
	PL_PROMO_DUE,               /* established: promote_at says when */
};

/*
 * One measurement of a subflow, as plain data (the daemon reads it from tcp_info through
 * sock_diag, the unit tests write it by hand).
 */
struct pl_sample {
	uint64_t bytes_acked;    /* tcpi_bytes_acked: sent and acknowledged */
	uint64_t bytes_received; /* tcpi_bytes_received */
	uint32_t segs_out;       /* tcpi_segs_out: segments sent, retransmissions included */
	uint32_t total_retrans;  /* tcpi_total_retrans: segments retransmitted */
	uint32_t unacked;        /* tcpi_unacked: segments in flight */
	uint32_t notsent;        /* tcpi_notsent_bytes: written, not sent yet */
	uint32_t snd_wnd;        /* tcpi_snd_wnd: the peer's window (0: it asks us to wait) */
	uint32_t rtt_us, rto_us; /* tcpi_rtt (smoothed), tcpi_rto */
	uint32_t last_ack_ms;    /* tcpi_last_ack_recv: since the last ACK came */
};

/* What the samples say of a subflow (pl_sub_sampled). */
struct pl_health {
	bool sampled;     /* at least one sample */
	bool outstanding; /* data in flight, or waiting with the peer's window open */
	double t;         /* the last sample's time */
	uint64_t acked, received;
	uint32_t segs_out, retrans;
	double progress_at;   /* when ACKs last advanced or data last arrived */
	float rtt_ms, rto_ms; /* the last sample's */
	float loss;           /* retransmitted / sent segments over the last window of them */
	double over_since;    /* handover: its RTT or loss beyond the thresholds since (0: not) */
	double better_since;  /* interactive: better than the active subflow since (0: not) */
};

struct pl_sub {
	struct pl_addr loc, rem;
	uint16_t lport, rport; /* lport 0: not known yet (comes with SUB_ESTABLISHED) */
	int path;              /* policy index of its interface, -1 unlisted or unknown */
	bool ours;             /* created by the daemon (not the initial one, not the peer's) */
	bool live;             /* SUB_ESTABLISHED seen */
	bool initial;          /* the connection's first subflow */
	/* A backup subflow: the local flag the daemon set (created with it, or SET_FLAGS) once
	 * it set one (flagged), else the flag of the kernel's last event, which on 6.10 and
	 * later kernels is the one the peer asked for: events never overwrite ours. */
	bool backup;
	bool flagged;
	bool closing;      /* SUBFLOW_DESTROY sent */
	uint8_t promo;     /* enum pl_promo */
	double promote_at; /* PL_PROMO_DUE: when to re-flag it active */
	bool bad;          /* judged stalled or slow (handover): closed once another carries data */
	bool held;         /* flagged backup because its path may not carry data now (no_data) */
	double t_create;   /* ours: when it was asked for */
	double t_live;     /* SUB_ESTABLISHED's time (or the connection's, for the initial one) */
	struct pl_health h;
	int ifindex;      /* the interface holding loc, 0 when unknown */
	double drain_end; /* its path in no_path: flagged backup, reset at this time (0: not yet) */
	/* The daemon's accounting (pathd/usage.h): its tcp_info counters already counted. */
	uint64_t counted_acked, counted_received;
};

/* Why a path's last subflow failed (the retry's reason, for the log and `paths`). */
enum pl_fail {
	PL_FAIL_NONE = 0,
	PL_FAIL_REFUSED,     /* SUBFLOW_CREATE refused (err) */
	PL_FAIL_NEVER_UP,    /* the join closed before it was established (err, maybe 0) */
	PL_FAIL_TIMEOUT,     /* the join was not established in time: closed */
	PL_FAIL_RESET,       /* closed with an error after it was established (err) */
	PL_FAIL_PEER_CLOSED, /* closed by the peer, no error */
	PL_FAIL_STALLED,     /* no ACK progress with data in flight (handover) */
	PL_FAIL_SLOW,        /* RTT or loss beyond the thresholds (handover) */
};

/*
 * A path's retry state in one connection: a subflow on it that failed while its interface and
 * address are still there is made again after a delay that doubles with each failure in a row
 * (1 s to 60 s), and the count goes back to 0 once a subflow on it has carried data for as
 * long as the last delay. A path without a usable address has none (it is made at once when
 * the address comes back).
 */
struct pl_retry {
	uint8_t fails;  /* failures in a row */
	uint8_t why;    /* enum pl_fail: the last one */
	int err;        /* its errno, 0 when none */
	double at;      /* not made again before then */
	uint32_t tries; /* retries made (for the log) */
};

/* Integrity protection of one connection (the kernel's misordered join data): its joins are
 * created backup and made active promote_ms after they are established. */
struct pl_protection {
	bool on;
	int promote_ms;
};

struct pl_conn {
	uint32_t token;
	bool created, established, server;
	int family;
	struct pl_addr loc, rem; /* the initial subflow's ends */
	uint16_t lport, rport;
	double t_created, t_established, t_first_sub, t_seen;
	/* the owner, from a registration or from /proc at adoption */
	bool registered;
	pid_t pid;
	uid_t uid;
	char exe[PL_EXE_MAX];
	bool adopted;   /* found by sock_diag at start, not seen from CREATED */
	uint32_t inode; /* adopted: the socket's inode, to find the owner */
	bool decided;   /* pp holds the paths in force */
	struct mr_program_paths pp;
	uint8_t integrity; /* decided: the owner's enum mr_integrity (protect or accept-risk) */
	struct mr_path_tuning tune; /* decided: the owner's path mode and its tuning */
	int section; /* decided: the owner's program section, -1 none (the defaults) */
	struct pl_protection prot; /* an input: the daemon sets it before each plan */
	/* An input the daemon may set before each plan: paths that may not carry data now (a
	 * bit per policy path). Their subflows are flagged backup and never made the active one;
	 * a mode that needs a path to carry data skips them. */
	uint32_t no_data;
	/* Another: paths the connection may not use at all now (a spent data budget): no subflow
	 * is made there, and those there are flagged backup while another subflow carries the
	 * data (pl_world.drain_ms), then reset. */
	uint32_t no_path;
	struct pl_sub s[PL_SUBS];
	int n_sub;
	struct pl_retry retry[MR_PATHS_MAX]; /* per policy path */
	uint8_t carrier;                     /* handover: 1 + the path carrying data, 0 none yet */
	uint32_t announced;                  /* server: paths announced */
	double wake_at;   /* the daemon's: when it looks at this connection again (0: never) */
	int sample_every; /* the daemon's: the sampling period it asked for (ms, 0: none) */
	double count_at;  /* the daemon's: when its counted subflows are sampled (0: none) */
};

/* ---- interfaces ---- */

/* The policy path of an interface: by its name, else by its kind; -1 for none. */
int pl_path_of_iface(const struct pl_world *w, const struct pl_iface *f);
/* The interfaces of policy path `path` (one for a device, any number for a kind): the
 * first after `after` (NULL: the first), NULL when there is no other. */
const struct pl_iface *pl_iface_next(const struct pl_world *w, int path,
                                     const struct pl_iface *after);
/* The first interface of path `path`, NULL when it has none (or path is out of range). */
const struct pl_iface *pl_iface_of_path(const struct pl_world *w, int path);
/* The policy path of the interface holding addr, -1 when unlisted or unknown. */
int pl_path_of_addr(const struct pl_world *w, const struct pl_addr *a);
/* The address a subflow of this family uses on interface f (up), or NULL. */
const struct pl_addr *pl_iface_addr(const struct pl_iface *f, int family);
/* The address a subflow of this family uses on path (its first interface that is up with
 * one), or NULL. */
const struct pl_addr *pl_path_addr(const struct pl_world *w, int path, int family, int *ifindex);
/* Whether loc is the address an interface of path gives a subflow of its family now. */
bool pl_path_has_addr(const struct pl_world *w, int path, const struct pl_addr *loc);

/* ---- subflows of a connection ---- */

/* The subflow with these ends; a port 0 on either side matches any local port. */
struct pl_sub *pl_sub_find(struct pl_conn *c, const struct pl_addr *loc, uint16_t lport,
                           const struct pl_addr *rem, uint16_t rport);
/* A new entry on the path its local address belongs to; NULL when the table is full. */
struct pl_sub *pl_sub_add(const struct pl_world *w, struct pl_conn *c, const struct pl_addr *loc,
                          uint16_t lport, const struct pl_addr *rem, uint16_t rport);
void pl_sub_remove(struct pl_conn *c, struct pl_sub *s);

/* ---- what the kernel and the programs report ---- */

/* CREATED or ESTABLISHED (either may come first, ESTABLISHED waits for data on a client).
 * loc/rem/ports: the initial subflow's, family 0 when the event had none. */
void pl_conn_seen(const struct pl_world *w, struct pl_conn *c, bool established, int family,
                  const struct pl_addr *loc, uint16_t lport, const struct pl_addr *rem,
                  uint16_t rport, bool server, double now);
/* SUB_ESTABLISHED: the subflow (a new entry for a join we did not make). NULL: table full. */
struct pl_sub *pl_sub_established(const struct pl_world *w, struct pl_conn *c,
                                  const struct pl_addr *loc, uint16_t lport,
                                  const struct pl_addr *rem, uint16_t rport, bool backup,
                                  double now);
/* SUB_PRIORITY (an MP_PRIO received): the peer's backup flag, kept unless the daemon set
 * the subflow's flag itself. */
void pl_sub_priority(struct pl_conn *c, const struct pl_addr *loc, uint16_t lport,
                     const struct pl_addr *rem, uint16_t rport, bool backup);
/* A verified registration (or an owner found at adoption). A connection decided on the
 * defaults, or for another program, is decided again. */
void pl_conn_owner(struct pl_conn *c, pid_t pid, uid_t uid, const char *exe);
/* A subflow found at adoption (sock_diag), with its ports and flags. */
void pl_sub_adopted(const struct pl_world *w, struct pl_conn *c, const struct pl_addr *loc,
                    uint16_t lport, const struct pl_addr *rem, uint16_t rport, bool ours,
                    bool backup, double now);

#endif
