/* SPDX-License-Identifier: MIT */
/*
 * One sample of a network namespace's MPTCP connections and their subflows,
 * as `mptcp-run top` and `--timeline` see them from the outside (sock_diag,
 * /proc, the path daemon's state). The sampler (launcher/sampler/) fills it;
 * everything that decides from it (rates, totals, order, layout) is pure
 * (launcher/live/), so it is unit-tested on samples made by hand.
 */
#ifndef MPTCP_RUN_LIVE_SAMPLE_H
#define MPTCP_RUN_LIVE_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LV_IFNAME   16 /* IF_NAMESIZE */
#define LV_PROG     64 /* a program's name as shown (the basename of its executable) */
#define LV_PATHLIST 96 /* the path daemon's list for the connection, "wifi, cellular" */

struct lv_addr {
	int family; /* AF_INET, AF_INET6 */
	uint8_t a[16];
};

/* One TCP subflow of an MPTCP connection (tcp_info and the ULP info of sock_diag). */
struct lv_subflow {
	uint32_t token; /* the local token of its connection */
	struct lv_addr loc, rem;
	uint16_t lport, rport;
	int ifindex;              /* bound device, else the interface holding loc; 0: unknown */
	char ifname[LV_IFNAME];   /* "" when unknown */
	char pathname[LV_IFNAME]; /* the path daemon's name for ifname ("wifi"), or "" */
	uint8_t state;            /* TCP_ESTABLISHED... */
	bool backup;              /* the local or the remote end marked it backup */
	bool initial;             /* the MP_CAPABLE subflow (not a join) */
	uint64_t bytes_sent;      /* tcpi_bytes_sent: on the wire, retransmissions included */
	uint64_t bytes_acked, bytes_received, bytes_retrans;
	uint32_t rtt_us;
	uint32_t retrans; /* tcpi_total_retrans: segments */
};

/* One MPTCP connection. Its subflows are sfs[first_sf .. first_sf + n_sf). */
struct lv_conn {
	uint32_t token;
	uint8_t state; /* TCP_* numbers, as the kernel reports MPTCP socket states */
	bool fallback; /* fell back to TCP (MPTCP_INFO_FLAG_FALLBACK) */
	bool server;   /* accepted from a listener (the remote port is not ours to dial) */
	struct lv_addr loc, rem;
	uint16_t lport, rport;
	uid_t uid;
	uint32_t inode;          /* 0 once the program closed it (orphaned) */
	pid_t pid;               /* 0: owner unknown */
	char prog[LV_PROG];      /* "" when unknown */
	char paths[LV_PATHLIST]; /* the path daemon's list, "" without the daemon */
	uint64_t bytes_sent, bytes_acked, bytes_received; /* MPTCP level (6.5+), 0 before */
	size_t first_sf, n_sf;
};

/* What the sample could not see, so the screen can say it. */
struct lv_limits {
	unsigned owners_unknown;   /* connections whose owner was not found */
	unsigned procs_unreadable; /* processes whose /proc/PID/fd could not be read */
	bool no_diag;              /* sock_diag failed entirely (errno in diag_err) */
	int diag_err;
};

struct lv_sample {
	double t;    /* seconds, CLOCK_MONOTONIC */
	double wall; /* seconds since the epoch */
	struct lv_conn *conns;
	size_t n_conns, cap_conns;
	struct lv_subflow *sfs;
	size_t n_sfs, cap_sfs;
	unsigned tcp_plain; /* established TCP connections that are not MPTCP subflows */
	unsigned fallback;  /* MPTCP sockets that fell back to TCP */
	bool pathd;         /* the path daemon's state file was read */
	struct lv_limits lim;
};

void lv_sample_init(struct lv_sample *s);
void lv_sample_free(struct lv_sample *s);
/* Empties s, keeping its memory. */
void lv_sample_clear(struct lv_sample *s);
/* Appends; NULL when out of memory. The new entry is zeroed. */
struct lv_conn *lv_sample_add_conn(struct lv_sample *s);
struct lv_subflow *lv_sample_add_subflow(struct lv_sample *s);
/* Sorts the subflows by (token, initial first, interface, local port) and sets each
 * connection's first_sf/n_sf. Subflows of no listed connection are dropped. */
void lv_sample_link(struct lv_sample *s);
/* The connection with this token, or NULL. */
const struct lv_conn *lv_sample_find(const struct lv_sample *s, uint32_t token);
/* Moves src into dst (dst freed first); src is left empty. */
void lv_sample_move(struct lv_sample *dst, struct lv_sample *src);

bool lv_addr_eq(const struct lv_addr *x, const struct lv_addr *y);
/* "198.18.1.1", "fd00::1"; a v4-mapped address as IPv4. */
const char *lv_addr_str(const struct lv_addr *x, char *buf, size_t size);
/* "198.18.1.1:5000", "[fd00::1]:5000". */
const char *lv_endpoint_str(const struct lv_addr *x, uint16_t port, char *buf, size_t size);
/* "ESTAB", "FIN-WAIT-1"...: ss(8)'s names. */
const char *lv_state_name(uint8_t state);
/* The other way (0 when unknown). */
uint8_t lv_state_from_name(const char *name);
/* lv_endpoint_str's text back; false when it is not one. */
bool lv_endpoint_parse(const char *s, struct lv_addr *a, uint16_t *port);

#endif
