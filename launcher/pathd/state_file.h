/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's state file (/run/mptcp-run/pathd.json): its one
 * definition, written by the daemon and read by `mptcp-run paths` (and any
 * other reader) through this module pair only, so a key has one spelling.
 * Written with the project's JSON writer (shim/format), read with jansson,
 * tested against each other. The file is replaced whole (temp file +
 * rename), so a reader sees one version or the next, never a mix.
 *
 * {"pid":N, "config":"FILE",
 *  "paths":[{"name","dev","backup","up","addrs":["ADDR",…],
 *            "kind":"wifi|cellular|ethernet|","ifaces":["IF",…],"metered",
 *            "budget":{"bytes","per":"day|month","start"}|null,
 *            "used":N,"period":"2025-06-01T00","resets":"2025-07-01T00","over"},…],
 *  "connections":[{"token":"%08x","side":"client|server",
 *                  "state":"registered|created|established","local":"ADDR:PORT",
 *                  "remote":"ADDR:PORT","pid":N (0: unregistered),"uid":N (-1),"exe":"",
 *                  "paths":"wifi, cellular (backup)" ("" pending),
 *                  "mode":"aggregate|handover|interactive" ("" pending),
 *                  "subflows":[{"path","local","backup","live","initial","promoting",
 *                               "rtt_ms" (0: not measured)},…],
 *                  "retries":[{"path","fails","unreachable","retry_in_ms","why"},…]},…],
 *  "usage":[{"program","path","bytes","budget":{…}|null,"period","resets","over"},…],
 *  "counters":{"connections","subflow_create","subflow_destroy","set_flags","announce",
 *              "errors","registrations","refused","rate_limited","uid_capped","command_ms"},
 *  "sf_latency_ms":{"n","p50","p99"}}
 */
#ifndef MPTCP_RUN_PATHD_STATE_FILE_H
#define MPTCP_RUN_PATHD_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PD_STATE_ENDPOINT 64 /* "ADDR:PORT" */
#define PD_STATE_ADDRS    8
#define PD_STATE_PATHS    256 /* a connection's formatted path list */
#define PD_STATE_IFACES   8   /* interfaces shown per path (a kind may have several) */
#define PD_STATE_PERIOD   16  /* "2025-06-01T00" */

enum pd_state_conn_state { PD_CONN_REGISTERED, PD_CONN_CREATED, PD_CONN_ESTABLISHED };

struct pd_state_sub {
	const char *path; /* the policy path's name, "(unlisted)" */
	char local[PD_STATE_ENDPOINT];
	bool backup, live, initial;
	bool promoting; /* created backup to protect it, to be made active */
	double rtt_ms;  /* its last measured RTT, 0 when not measured */
};

#define PD_STATE_WHY 96

/* A path of a connection that failed and waits to be tried again (planner/retry.h). */
struct pd_state_retry {
	const char *path;
	unsigned fails;     /* failures in a row */
	bool unreachable;   /* failed often enough in a row to be called so */
	double retry_in_ms; /* until the next try, 0: due */
	char why[PD_STATE_WHY];
};

struct pd_state_conn {
	uint32_t token;
	bool server;
	enum pd_state_conn_state state;
	char local[PD_STATE_ENDPOINT], remote[PD_STATE_ENDPOINT];
	long long pid, uid; /* 0 and -1 when nobody registered it */
	const char *exe;    /* "" when unregistered */
	char paths[PD_STATE_PATHS];
	const char *mode; /* its path mode, "" until decided */
	struct pd_state_sub *subs;
	size_t n_subs;
	struct pd_state_retry *retries;
	size_t n_retries;
};

/* A budget as the file shows it; bytes 0: none. */
struct pd_state_budget {
	unsigned long long bytes;
	uint8_t per, start; /* enum mr_period; its first day or hour */
};

struct pd_state_path {
	const char *name, *dev;
	bool backup, up;
	char addrs[PD_STATE_ADDRS][PD_STATE_ENDPOINT];
	size_t n_addrs;
	/* Kinds and budgets: the kind it names ("" none) and the interfaces it has now; whether
	 * it is counted (metered, or a budget names it), its own budget, and its total use in
	 * the budget's period (a calendar month without one). */
	const char *kind;
	char ifaces[PD_STATE_IFACES][16];
	size_t n_ifaces;
	bool metered;
	struct pd_state_budget budget;
	unsigned long long used;
	char period[PD_STATE_PERIOD], resets[PD_STATE_PERIOD];
	bool over;
};

/* One program's use of one counted path, in its budget's period (a calendar month without). */
struct pd_state_usage {
	const char *program, *path;
	unsigned long long bytes;
	struct pd_state_budget budget;
	char period[PD_STATE_PERIOD], resets[PD_STATE_PERIOD];
	bool over;
};

struct pd_state_counters {
	unsigned long long connections, subflow_create, subflow_destroy, set_flags, announce,
	    errors, registrations, refused, rate_limited, uid_capped;
	double command_ms;
};

struct pd_state {
	long long pid;
	const char *config;
	struct pd_state_path *paths;
	size_t n_paths;
	struct pd_state_conn *conns;
	size_t n_conns;
	struct pd_state_usage *usage;
	size_t n_usage;
	struct pd_state_counters counters;
	struct {
		unsigned long long n;
		double p50, p99;
	} latency;
	void *json; /* read: what the strings point into */
};

/* Replaces path with s (mode 0644). 0 or a negative errno. */
int pd_state_write(const char *path, const struct pd_state *s);
/* Prints s as the file holds it (one line). 0 or -1. */
int pd_state_print(FILE *f, const struct pd_state *s);
/*
 * Reads path into s, strings pointing into memory s owns (pd_state_free). Keys a daemon of
 * another version did not write read as 0, false or "". 0, or -ENOENT when there is no file
 * (no daemon runs), -EINVAL with jansson's reason in err, -ENOMEM.
 */
int pd_state_read(const char *path, struct pd_state *s, char *err, size_t esize);
void pd_state_free(struct pd_state *s);

#endif
