/* SPDX-License-Identifier: MIT */
/*
 * The policy engine: which program gets MPTCP for which endpoint.
 *
 * Pure code: no system calls, no allocation during a decision, no mutable
 * global state; libc string, memory and formatting functions only (checked by
 * tests/structure). The library, the launcher (`mptcp-run explain`) and the fuzzers all
 * use it, so a decision means the same thing everywhere.
 *
 * A policy is a list of program sections plus defaults. A section has a
 * section-level rule set and one rule set per role (connect, listen); a key
 * missing in a role block is taken from the section, and one missing in the
 * section from `defaults`. The most specific endpoint entry (longest prefix,
 * then narrowest port range) among `include` and `exclude` decides; on a tie
 * `exclude` wins.
 */
#ifndef MPTCP_RUN_POLICY_H
#define MPTCP_RUN_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum mr_role { MR_ROLE_CONNECT = 0, MR_ROLE_LISTEN = 1, MR_ROLE_COUNT };
enum mr_verdict { MR_TCP = 0, MR_MPTCP = 1 };

/* An endpoint as the engine sees it: IPv4 (also for v4-mapped IPv6) or IPv6. */
struct mr_endpoint {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network order; IPv4 uses the first 4 bytes */
	uint16_t port;    /* host order */
};

/* One entry of an include/exclude list: "198.18.0.0/15", "[2001:db8::]/32:443", "*:22". */
struct mr_entry {
	int family; /* AF_INET, AF_INET6, or AF_UNSPEC for "*" (any address) */
	uint8_t addr[16];
	uint8_t prefix;            /* 0..32 or 0..128 */
	uint16_t port_lo, port_hi; /* 0..65535 when no port was given */
	uint32_t index;            /* position in the list as written, for messages */
};

/*
 * A node of a list's binary trie: one level per address bit. The entries whose
 * prefix ends at this node are the run v[start, start + count) of the sorted
 * array (narrowest port range first). Child index 0 means "none".
 */
struct mr_trie_node {
	uint32_t child[2];
	uint32_t start, count;
};

/* An endpoint list. Lookup walks the trie once: at most 33 or 129 nodes, whatever its size. */
struct mr_list {
	struct mr_entry *v;
	size_t n;
	struct mr_trie_node *nodes;
	size_t n_nodes;
	uint32_t root4, root6;         /* 0: no entry of that family */
	uint32_t any_start, any_count; /* "*" entries, the least specific */
	bool set;                      /* the key was present (even if empty) */
};

struct mr_port_range {
	uint16_t lo, hi;
};

struct mr_ports {
	struct mr_port_range *v;
	size_t n;
	bool set;
};

/* Keys that may appear in defaults, in a section and in a role block. */
struct mr_rules {
	int mode; /* -1 unset, MR_TCP, MR_MPTCP */
	struct mr_list include, exclude;
	struct mr_ports ports;
	int line; /* config line of the block, 0 when built in */
};

/*
 * Paths (issue 13): named interfaces a program's connections may use. A path
 * is a device; `backup` paths carry data only when no other subflow works.
 * Only the path daemon (`mptcp-run pathd`) and the library's registration act
 * on them; a config without `paths` changes nothing.
 */
#define MR_PATHS_MAX    32 /* paths defined in one config */
#define MR_PATH_DEV_MAX 16 /* IFNAMSIZ */

/*
 * The kind of an interface, as the kernel tells it (shim/kernel/ifkind.h reads it): a path
 * may name a kind instead of (or besides) a device, and then uses every interface of that
 * kind. "wwan" is another name of "cellular".
 */
enum mr_kind { MR_KIND_NONE = 0, MR_KIND_WIFI, MR_KIND_CELLULAR, MR_KIND_ETHERNET, MR_KIND_COUNT };

/* A data budget: bytes per day or per month, the period starting at `start`. */
enum mr_period { MR_PER_MONTH = 0, MR_PER_DAY = 1 };
struct mr_budget {
	uint64_t bytes; /* 0: no budget */
	uint8_t per;    /* enum mr_period */
	uint8_t
	    start; /* month: day 1-31 (a shorter month starts on its last day); day: hour 0-23 */
	int line;
};

/* Budgets by path index: a program section's or defaults' `budgets = { PATH = ...; }`. */
struct mr_budgets {
	struct mr_budget b[MR_PATHS_MAX];
	bool set; /* the key was present: it replaces the inherited budgets whole */
	int line;
};

/* What a program's connections do on a path whose budget is spent (`over_budget`). */
enum mr_over { MR_OVER_LEAVE = 0, MR_OVER_STAY = 1 };

struct mr_path {
	char *name;
	char dev[MR_PATH_DEV_MAX]; /* "" when the path names a kind only */
	uint8_t kind;              /* enum mr_kind; MR_KIND_NONE: the device only */
	bool backup;
	bool metered;            /* its bytes are counted per program (a budget implies it) */
	struct mr_budget budget; /* the path's own, all programs together */
	int line;
};

/* A `paths = [ "wifi", "cellular" ]` list: indices into mr_policy.paths, in the order written. */
struct mr_path_list {
	uint8_t idx[MR_PATHS_MAX];
	size_t n;
	bool set;
	int line;
};

/*
 * What a program accepts from a kernel that may misorder data received on a joined
 * subflow (README, "The kernel's multi-path data fault"): by default it is protected
 * (on a kernel not known to be intact its listeners stay TCP, and the path daemon
 * keeps each join it makes a backup until the peer has surely finished it);
 * "accept-risk" turns that off for paths that must aggregate.
 */
enum mr_integrity { MR_INTEGRITY_PROTECT = 0, MR_INTEGRITY_ACCEPT_RISK = 1 };

/*
 * How the path daemon uses a program's paths (its path mode), with the mode's tuning: the keys
 * as written in `defaults` or in a program section (shim/policy/path_modes.c). A key set in the
 * section beats the one in defaults, which beats the built-in value, key by key.
 *  - aggregate: every listed path carries data at once;
 *  - handover: one path carries data, the next listed one gets a subflow only when it fails or
 *    degrades (handover = { stall_ms; rtt_ms; loss_pct; });
 *  - interactive: every listed path has a subflow, the one measured best carries the data
 *    (interactive = { every_ms; better_pct; hold_ms; }).
 */
enum mr_path_mode { MR_PATH_AGGREGATE = 0, MR_PATH_HANDOVER = 1, MR_PATH_INTERACTIVE = 2 };

enum mr_mode_key {
	MR_MK_MODE,   /* path_mode */
	MR_MK_STALL,  /* handover.stall_ms */
	MR_MK_RTT,    /* handover.rtt_ms */
	MR_MK_LOSS,   /* handover.loss_pct */
	MR_MK_EVERY,  /* interactive.every_ms */
	MR_MK_BETTER, /* interactive.better_pct */
	MR_MK_HOLD,   /* interactive.hold_ms */
	MR_MK_COUNT
};

/* The path-mode keys of one level: v[k] counts where line[k] > 0 (the line it was set on). */
struct mr_mode_keys {
	int v[MR_MK_COUNT];
	int line[MR_MK_COUNT];
};

/* One program's path mode and tuning, resolved (0 for a threshold: not used). */
struct mr_path_tuning {
	int v[MR_MK_COUNT]; /* v[MR_MK_MODE] is an enum mr_path_mode */
};

struct mr_section {
	char **match; /* program names or absolute paths, shell globs */
	size_t n_match;
	struct mr_rules rules;               /* section level */
	struct mr_rules role[MR_ROLE_COUNT]; /* connect = { }, listen = { } */
	int sockopt_fallback;                /* -1 unset, 0, 1 */
	int integrity;                       /* -1 unset, enum mr_integrity */
	int integrity_line;
	struct mr_path_list paths;      /* paths = [ ... ] of this section */
	struct mr_mode_keys path_modes; /* path_mode, handover = { }, interactive = { } */
	struct mr_budgets budgets;      /* budgets = { PATH = ...; } of this section */
	int over_budget;                /* -1 unset, enum mr_over */
	int over_budget_line;
	int line;
};

struct mr_policy {
	struct mr_rules defaults;
	int sockopt_fallback; /* defaults.sockopt_fallback, 1 unless set */
	int fallback_memory;  /* defaults.fallback_memory in seconds, -1 unless set */
	int integrity;        /* defaults.integrity, -1 unless set (then: protect) */
	int integrity_line;
	struct mr_section *sections;
	size_t n_sections;
	struct mr_path paths[MR_PATHS_MAX]; /* the top-level `paths = { name = { dev; backup } }` */
	size_t n_paths;                     /* 0: no `paths` anywhere, nothing changes */
	int paths_line;
	struct mr_path_list default_paths;      /* defaults.paths */
	struct mr_mode_keys default_path_modes; /* defaults.path_mode, .handover, .interactive */
	struct mr_budgets default_budgets;      /* defaults.budgets: each program's own */
	int over_budget; /* defaults.over_budget, -1 unless set (then: leave) */
	int over_budget_line;
};

/* Which list decided, for messages and for `mptcp-run explain`. */
enum mr_reason {
	MR_BY_MODE,       /* mode = "tcp"/"mptcp" with no endpoint entry involved */
	MR_BY_EXCLUDE,    /* an exclude entry matched */
	MR_BY_INCLUDE,    /* an include entry matched */
	MR_BY_NO_INCLUDE, /* include is set and nothing in it matched */
	MR_BY_PORTS,      /* ports is set and the port is not in it */
};

/* Where a key came from. */
enum mr_origin { MR_FROM_BUILTIN, MR_FROM_DEFAULTS, MR_FROM_SECTION, MR_FROM_ROLE, MR_FROM_FORCE };

struct mr_decision {
	enum mr_verdict verdict;
	enum mr_reason reason;
	enum mr_origin origin;        /* of the key that decided */
	const struct mr_entry *entry; /* for MR_BY_EXCLUDE / MR_BY_INCLUDE */
	int line;                     /* config line of the block that decided, 0 if built in */
};

/*
 * The rules in force for one program and one role, with inheritance resolved.
 * Built once per process by mr_resolve(); a decision only reads it.
 */
struct mr_effective {
	int mode;
	enum mr_origin mode_origin;
	const struct mr_list *include, *exclude;
	enum mr_origin include_origin, exclude_origin;
	const struct mr_ports *ports;
	enum mr_origin ports_origin;
	int mode_line, include_line, exclude_line, ports_line;
	/* When the verdict does not depend on the endpoint: constant = true and this verdict. */
	bool constant;
	enum mr_verdict constant_verdict;
};

struct mr_program {
	const struct mr_section *section; /* NULL: no section matched, defaults apply */
	ptrdiff_t section_index;          /* -1 when NULL */
	struct mr_effective role[MR_ROLE_COUNT];
	bool sockopt_fallback;
	enum mr_integrity integrity;
	enum mr_origin integrity_origin; /* MR_FROM_BUILTIN, _DEFAULTS or _SECTION */
	int integrity_line;              /* 0 when built in */
};

/* The built-in policy (used when no config file exists): upgrade, loopback excluded. */
void mr_policy_builtin(struct mr_policy *p);

/*
 * Resolves the rules for a program. exe is the absolute path of the executable
 * (may be NULL or relative if unknown; then only basename globs can match).
 * force_mptcp turns defaults.mode into "mptcp" (the launcher's request); an
 * explicit mode in the program's own section or role block still wins.
 */
void mr_resolve(const struct mr_policy *p, const char *exe, bool force_mptcp,
                struct mr_program *out);

/* Decides one endpoint. Never fails. */
void mr_decide(const struct mr_effective *e, const struct mr_endpoint *ep, struct mr_decision *d);
/*
 * The verdict for an endpoint not known yet (a socket handed to another process
 * before connect): what an endpoint no entry names gets. An opt-in policy (include
 * or ports set) gives TCP, since only the endpoints it lists get MPTCP.
 */
void mr_decide_unnamed(const struct mr_effective *e, struct mr_decision *d);

/* sockaddr -> endpoint (v4-mapped IPv6 becomes IPv4). false for other families/short lengths. */
bool mr_endpoint_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct mr_endpoint *ep);

/*
 * Parses one list entry as written in the config. Returns NULL on success or a
 * static message explaining what is wrong.
 */
const char *mr_entry_parse(const char *text, struct mr_entry *out);
/* Parses "80" or "8000-8100". Returns NULL or a static message. */
const char *mr_ports_parse(const char *text, struct mr_port_range *out);
/* Sorts a list and builds its trie (call after filling it). -1 if out of memory. */
int mr_list_finish(struct mr_list *l);
/* Frees what a list owns (entries and trie); the list becomes empty and unset. */
void mr_list_free(struct mr_list *l);
/* The most specific entry of l matching ep, or NULL. */
const struct mr_entry *mr_list_lookup(const struct mr_list *l, const struct mr_endpoint *ep);

/* Formatting, for logs and explain. All write at most `size` bytes, NUL-terminated. */
size_t mr_format_entry(const struct mr_entry *e, char *buf, size_t size);
size_t mr_format_endpoint(const struct mr_endpoint *ep, char *buf, size_t size);
/*
 * An AF_INET/AF_INET6 socket address as "198.18.1.1:443" or "[fd00::1]:443"; 0 and "" for
 * other families. No allocation (inet_ntop and snprintf's integer conversions), so the
 * library's report may call it from close() in a signal handler.
 */
size_t mr_format_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t size);
/* The inverse of mr_endpoint_from_sockaddr (IPv4 stays IPv4). */
void mr_endpoint_to_sockaddr(const struct mr_endpoint *ep, struct sockaddr_storage *ss);
/* "programs[2] (match \"curl\", line 12) connect.include 198.18.0.0/15" and the like. */
size_t mr_format_decision(const struct mr_program *prog, enum mr_role role,
                          const struct mr_decision *d, char *buf, size_t size);

const char *mr_role_name(enum mr_role r);
/* "protect" or "accept-risk", as written in the config. */
const char *mr_integrity_name(enum mr_integrity i);
const char *mr_verdict_name(enum mr_verdict v);

/* ---- paths (shim/policy/paths.c) ---- */

enum mr_paths_origin {
	MR_PATHS_NONE,     /* the config defines no paths: nothing to do */
	MR_PATHS_SECTION,  /* the program's section lists them */
	MR_PATHS_DEFAULTS, /* defaults.paths */
	MR_PATHS_ALL,      /* no list applies: every defined path, in definition order */
};

/* The paths of one program, resolved. */
struct mr_program_paths {
	struct mr_path_list list;
	enum mr_paths_origin origin;
};

/* Which paths a program resolved by mr_resolve() may use. Never fails. */
void mr_program_paths(const struct mr_policy *p, const struct mr_program *prog,
                      struct mr_program_paths *out);
/* The index of the path whose dev is `dev`, or -1. */
int mr_path_by_dev(const struct mr_policy *p, const char *dev);
/* Whether path index `idx` is in the list. */
bool mr_paths_lists(const struct mr_program_paths *pp, int idx);

/*
 * The path that carries the initial subflow: the first listed usable path that
 * is not a backup, else the first usable backup one. usable[i] says whether
 * path i of the policy has its interface up with an address of the
 * connection's family. Returns the path index, or -1 when no listed path is
 * usable (the connection is then left to routing rather than broken).
 */
int mr_paths_initial(const struct mr_policy *p, const struct mr_program_paths *pp,
                     const bool usable[MR_PATHS_MAX]);

/*
 * The device a fresh socket should be pinned to before connect() with
 * SO_BINDTODEVICE, or NULL: NULL when routing already picks the initial path
 * (routed is the policy index of the path routing would use, -1 for an
 * unlisted or unknown interface) or when no listed path is usable.
 */
const char *mr_paths_pin_device(const struct mr_policy *p, const struct mr_program_paths *pp,
                                const bool usable[MR_PATHS_MAX], int routed);

/* ---- path modes (shim/policy/path_modes.c) ---- */

/* Where each resolved key came from: MR_FROM_BUILTIN, _DEFAULTS or _SECTION, and its line. */
struct mr_path_tuning_source {
	enum mr_origin origin[MR_MK_COUNT];
	int line[MR_MK_COUNT];
};

/* The built-in value of each key: aggregate; stall_ms 1000, rtt_ms and loss_pct not used;
 * every_ms 1000, better_pct 20, hold_ms 3000. */
extern const struct mr_path_tuning mr_path_tuning_builtin;
/* The path mode and tuning of a program resolved by mr_resolve() (prog NULL: the defaults'),
 * and where each key came from (src may be NULL). Never fails. */
void mr_program_path_mode(const struct mr_policy *p, const struct mr_program *prog,
                          struct mr_path_tuning *out, struct mr_path_tuning_source *src);
/* "aggregate", "handover", "interactive". */
const char *mr_path_mode_name(enum mr_path_mode m);
/* The key's name as written: "path_mode", "handover.stall_ms"... */
const char *mr_mode_key_name(enum mr_mode_key k);

/* Whether str is UTF-8 (RFC 3629, strict): config strings must be; JSON readers want it. */
bool mr_utf8_valid(const char *str);

/* "wifi, cellular (backup)" into buf; "" when the list is empty. */
size_t mr_format_paths(const struct mr_policy *p, const struct mr_path_list *l, char *buf,
                       size_t size);

/* ---- metered paths, budgets, kinds (shim/policy/budget.c) ---- */

/* "wifi", "cellular", "ethernet"; "" for MR_KIND_NONE. */
const char *mr_kind_name(enum mr_kind k);
/* A kind as written in the config ("wwan" is cellular); MR_KIND_NONE when unknown. */
enum mr_kind mr_kind_parse(const char *text);
/*
 * The path an interface belongs to: the one whose dev is its name, else the one whose kind
 * is its kind (kind MR_KIND_NONE: by name only). -1 when none.
 */
int mr_path_of_iface(const struct mr_policy *p, const char *name, enum mr_kind kind);
/* Whether the config names any kind (interfaces' kinds are worth reading). */
bool mr_policy_has_kinds(const struct mr_policy *p);

/* What the kernel says about an interface (shim/kernel/ifkind.c reads it from sysfs). */
struct mr_iface_facts {
	bool wireless;    /* /sys/class/net/IF/wireless or phy80211 exists: a Wi-Fi device */
	char devtype[16]; /* uevent's DEVTYPE ("wlan", "wwan", "bridge", ...), "" for none */
	bool physical;    /* /sys/class/net/IF/device exists: on a bus, not a virtual device */
	int type;         /* /sys/class/net/IF/type: ARPHRD_* (1: Ethernet) */
	char alias[128];  /* /sys/class/net/IF/ifalias, where an administrator may name the kind */
};
/*
 * The kind those facts make: "mptcp-run-kind=KIND" as a word of the interface's alias
 * first (the administrator's word: a phone tethered over USB is Ethernet to the kernel,
 * cellular to its user), then Wi-Fi (wireless, DEVTYPE=wlan), cellular (DEVTYPE=wwan),
 * Ethernet (ARPHRD_ETHER on a bus, no DEVTYPE); anything else (virtual devices: veth,
 * bridges, tunnels) has none.
 */
enum mr_kind mr_kind_classify(const struct mr_iface_facts *f);

/* Parses a byte count: "5000000", "500M", "5G", "5GB" (powers of 1000), "5GiB" (of 1024).
 * NULL, or a static message. */
const char *mr_bytes_parse(const char *text, uint64_t *out);
/* Parses "500M/day" or "5G/month" (the period starting at midnight, on day 1). */
const char *mr_budget_parse(const char *text, struct mr_budget *out);
/* "4.9 MB", "500 MB", "12 kB", "800 B" (powers of 1000, 2 significant decimals at most). */
size_t mr_format_bytes(uint64_t bytes, char *buf, size_t size);
/* "500 MB per day from 06:00", "5 GB per month from day 1". */
size_t mr_format_budget(const struct mr_budget *b, char *buf, size_t size);

/*
 * The budget of program prog on path `path` (bytes 0: none): its section's budgets when it
 * sets the key, else defaults.budgets; *origin says which (MR_FROM_BUILTIN: none applies).
 */
void mr_program_budget(const struct mr_policy *p, const struct mr_program *prog, int path,
                       struct mr_budget *out, enum mr_origin *origin);
/* What prog's connections do on a spent path: its section's over_budget, the defaults', leave. */
enum mr_over mr_program_over(const struct mr_policy *p, const struct mr_program *prog,
                             enum mr_origin *origin);
/* Whether bytes on path are counted: metered, or a budget (the path's or a program's) names it. */
bool mr_path_counted(const struct mr_policy *p, int path);
/* "leave" or "stay". */
const char *mr_over_name(enum mr_over o);

/* Frees everything owned by p (sections, lists, strings); p itself is not freed. */
void mr_policy_free(struct mr_policy *p);

#endif
