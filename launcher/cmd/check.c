/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run check`: one line per item, "ok", "warn" or "fail", and the
 * command that fixes it. Exit 0 only when MPTCP can be used: the kernel
 * creates MPTCP sockets, the config parses and the library is there. A
 * single path (no subflow endpoint) is a warning: it still works.
 */
#include "os/atomic_file.h"
#include "cmd/backend.h"
#include "cmd/commands.h"
#include "kernel/ifkind.h"
#include "cmd/options.h"
#include "cmd/config_arg.h"
#include "cmd/integrity_text.h"
#include "integrity/probe.h"
#include "kernel/integrity_file.h"
#include "os/state_dir.h"
#include "text/ldso_text.h"
#include "os/libpath.h"
#include "os/msg.h"
#include "os/probe.h"
#include "os/sysctl.h"
#include "os/helper.h"
#include "pathd/pathd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IP_OUTPUT_MAX ((size_t)64 * 1024)

struct report {
	int fails, warns;
};

static void item(struct report *r, const char *verdict, const char *what, const char *fix,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void item(struct report *r, const char *verdict, const char *what, const char *fix,
                 const char *fmt, ...)
{
	va_list ap;

	if (strcmp(verdict, "fail") == 0)
		r->fails++;
	else if (strcmp(verdict, "warn") == 0)
		r->warns++;
	printf("%-4s %s: ", verdict, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fix)
		printf("; fix: %s", fix);
	printf("\n");
}

/* A small /proc/sys file, trimmed; false when missing. /proc reports size 0: read, don't stat. */
static bool check_kernel(struct report *r)
{
	const char *why, *fix;
	int err = lr_mptcp_probe();

	lr_mptcp_probe_explain(err, &why, &fix);
	if (err == 0)
		item(r, "ok", "kernel", NULL, "%s", why);
	else if (fix)
		item(r, "fail", "kernel", fix, "%s", why);
	else
		item(r, "fail", "kernel", NULL, "%s: %s", why, strerror(err));
	return err == 0;
}

static void check_sysctl(struct report *r)
{
	char v[64];

	if (!lr_read_sysctl("/proc/sys/net/mptcp/enabled", v, sizeof(v)))
		item(r, "fail", "net.mptcp.enabled", "use a kernel built with CONFIG_MPTCP=y",
		     "/proc/sys/net/mptcp/enabled does not exist (no MPTCP in this kernel)");
	else if (strcmp(v, "1") == 0)
		item(r, "ok", "net.mptcp.enabled", NULL, "1 in this network namespace");
	else
		item(r, "fail", "net.mptcp.enabled", "sysctl -w net.mptcp.enabled=1",
		     "%s in this network namespace: MPTCP sockets are refused", v);
}

/* Returns true when the in-kernel path manager is in charge (endpoints matter). */
static bool check_pm(struct report *r)
{
	char v[64];

	if (!lr_read_sysctl("/proc/sys/net/mptcp/path_manager", v, sizeof(v))) {
		if (!lr_read_sysctl("/proc/sys/net/mptcp/pm_type", v, sizeof(v))) {
			item(r, "ok", "path manager", NULL,
			     "kernel (no pm_type sysctl: in-kernel only)");
			return true;
		}
		snprintf(v, sizeof(v), "%s", strcmp(v, "1") == 0 ? "userspace" : "kernel");
	}
	if (strcmp(v, "kernel") == 0) {
		item(r, "ok", "path manager", NULL, "kernel (subflows follow the endpoints below)");
		return true;
	}
	item(r, "warn", "path manager",
	     "run the path manager daemon (mptcpd), or sysctl -w net.mptcp.path_manager=kernel",
	     "%s: extra subflows are created only by a userspace daemon", v);
	return false;
}

/* "add_addr_accepted 0 subflows 2": the value after `key`, -1 if absent. */
static long limit_value(const char *text, const char *key)
{
	size_t k = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key))) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t';

		if (start && (p[k] == ' ' || p[k] == '\t'))
			return strtol(p + k, NULL, 10);
		p += k;
	}
	return -1;
}

static void check_limits(struct report *r)
{
	char *const argv[] = {"ip", "mptcp", "limits", "show", NULL};
	long subflows, accepted;
	char *out;
	int rc = lr_spawn_capture(argv, IP_OUTPUT_MAX, &out);

	if (rc != 0) {
		item(r, "warn", "limits", "install iproute2 (a version with `ip mptcp`)",
		     "cannot run `ip mptcp limits show`");
		free(out);
		return;
	}
	subflows = limit_value(out, "subflows");
	accepted = limit_value(out, "add_addr_accepted");
	free(out);
	if (subflows == 0)
		item(r, "warn", "limits", "ip mptcp limits set subflows 2 add_addr_accepted 2",
		     "subflows 0: no connection can add a second path");
	else if (accepted == 0)
		item(
		    r, "ok", "limits", NULL,
		    "subflows %ld, add_addr_accepted 0 (addresses a server announces are not used; "
		    "ip mptcp limits set add_addr_accepted 2 to use them)",
		    subflows);
	else
		item(r, "ok", "limits", NULL, "subflows %ld, add_addr_accepted %ld", subflows,
		     accepted);
}

/* An example for the fix: a non-loopback address and its interface. */
static bool example_address(char *buf, size_t size)
{
	struct ifaddrs *ifa, *i;
	char addr[INET6_ADDRSTRLEN];
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		const void *a;

		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6 &&
		         !IN6_IS_ADDR_LINKLOCAL(
		             &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr))
			a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		else
			continue;
		if (!inet_ntop(i->ifa_addr->sa_family, a, addr, sizeof(addr)))
			continue;
		snprintf(buf, size, "ip mptcp endpoint add %s dev %s subflow", addr, i->ifa_name);
		found = true;
	}
	freeifaddrs(ifa);
	return found;
}

/* One in-kernel endpoint, from a line of `ip mptcp endpoint show`. */
struct endpoint {
	char addr[64], dev[IF_NAMESIZE], id[8];
	bool subflow, signal, backup;
};

static bool parse_endpoint(char *line, struct endpoint *e)
{
	char *save = NULL, *w = strtok_r(line, " \t", &save), *prev = NULL;
	memset(e, 0, sizeof(*e));
	if (!w)
		return false;
	snprintf(e->addr, sizeof(e->addr), "%s", w);
	for (; (w = strtok_r(NULL, " \t", &save)); prev = w) {
		if (prev && strcmp(prev, "dev") == 0)
			snprintf(e->dev, sizeof(e->dev), "%s", w);
		else if (prev && strcmp(prev, "id") == 0)
			snprintf(e->id, sizeof(e->id), "%s", w);
		e->subflow |= strcmp(w, "subflow") == 0;
		e->signal |= strcmp(w, "signal") == 0;
		e->backup |= strcmp(w, "backup") == 0;
	}
	return true;
}

/* "paths = { p1 = { dev = "eth1"; }; ... };" for the devices of the subflow endpoints. */
static void pathd_snippet(const struct endpoint *e, size_t n, char *buf, size_t size)
{
	size_t off = 0, k = 0;
	int w = snprintf(buf, size, "paths = {");
	off = w > 0 ? (size_t)w : 0;
	for (size_t i = 0; i < n && off < size; i++) {
		if (!e[i].subflow || !e[i].dev[0])
			continue;
		w = snprintf(buf + off, size - off, " p%zu = { dev = \"%s\"; };", ++k, e[i].dev);
		off += w > 0 ? (size_t)w : 0;
	}
	if (off < size)
		snprintf(buf + off, size - off,
		         " }; then mptcp-run pathd (it replaces these endpoints)");
}

/*
 * The in-kernel endpoints: whether connections this host opens can use a second path, and
 * on a kernel not known to deliver joins intact, which endpoints make or invite joins that
 * carry data at once, and what does that safely.
 */
static void check_endpoints(struct report *r, enum mr_kernel_integrity kernel)
{
	char *const argv[] = {"ip", "mptcp", "endpoint", "show", NULL};
	char fix[600] = "ip mptcp endpoint add ADDR dev IF subflow";
	char example[200];
	struct endpoint ep[16];
	size_t n = 0, subflow = 0, total = 0, signal = 0;
	char *out, *line, *save = NULL;
	int rc = lr_spawn_capture(argv, IP_OUTPUT_MAX, &out);
	bool safe = kernel == MR_KI_INTACT;

	if (rc != 0) {
		item(r, "warn", "endpoints", "install iproute2 (a version with `ip mptcp`)",
		     "cannot run `ip mptcp endpoint show`");
		free(out);
		return;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct endpoint e;
		total++;
		if (!parse_endpoint(line, &e))
			continue;
		subflow += e.subflow;
		signal += e.signal && !e.backup;
		if (n < sizeof(ep) / sizeof(ep[0]))
			ep[n++] = e;
	}
	free(out);
	if (subflow && safe) {
		item(r, "ok", "endpoints", NULL, "%zu subflow endpoint%s (of %zu)", subflow,
		     subflow == 1 ? "" : "s", total);
	} else if (subflow) {
		/* What the library cannot do per connection, the daemon does: say so. */
		pathd_snippet(ep, n, fix, sizeof(fix));
		item(r, "warn", "endpoints", fix,
		     "%zu subflow endpoint%s joins that carry data at once: a peer whose kernel "
		     "misplaces data on joins (this one may) can receive an upload wrong; the path "
		     "daemon makes each join a backup until the peer has finished it",
		     subflow, subflow == 1 ? " makes" : "s make");
	} else {
		if (!safe)
			snprintf(fix, sizeof(fix),
			         "mptcp-run pathd with a path for each interface (safe joins on "
			         "this kernel)");
		if (example_address(example, sizeof(example)))
			snprintf(
			    fix, sizeof(fix),
			    safe
			        ? "ip mptcp endpoint add ADDR dev IF subflow, for each other local "
			          "address (e.g. %s)"
			        : "mptcp-run pathd with a path for each interface (safe joins on "
			          "this kernel), rather than subflow endpoints (e.g. %s)",
			    example);
		item(r, "warn", "endpoints", fix,
		     "no subflow endpoint (%zu endpoint%s): connections this host opens use one "
		     "path only",
		     total, total == 1 ? "" : "s");
	}
	if (signal && !safe) {
		char ids[64] = "";
		size_t off = 0;
		for (size_t i = 0; i < n && off < sizeof(ids); i++)
			if (ep[i].signal && !ep[i].backup) {
				int w = snprintf(ids + off, sizeof(ids) - off, "%s%s",
				                 off ? "," : "", ep[i].id);
				off += w > 0 ? (size_t)w : 0;
			}
		char cmd[160];
		snprintf(cmd, sizeof(cmd), "ip mptcp endpoint change id N backup, for N in %s",
		         ids);
		item(r, "warn", "joins", cmd,
		     "signal endpoint%s (id %s) invite%s peers to join this host: what arrives on "
		     "those joins can be misplaced by this kernel; as backup, peers keep data off "
		     "them until the first path fails",
		     signal == 1 ? "" : "s", ids, signal == 1 ? "s" : "");
	}
}

/*
 * Servers on a kernel not known intact: their listeners stay TCP under the library's guard,
 * unless every join this host can receive is one the path daemon protects.
 */
static void check_servers(struct report *r, enum mr_kernel_integrity kernel)
{
	if (kernel == MR_KI_INTACT)
		return;
	if (mr_kernel_joins_announced_only() && access(PD_DEFAULT_STATE, R_OK) == 0) {
		item(r, "ok", "servers", NULL,
		     "peers may join only the addresses the path daemon announces (as backup, each "
		     "join made active once this host has finished it): listeners under mptcp-run "
		     "are MPTCP");
		return;
	}
	item(r, "warn", "servers",
	     "sysctl -w net.mptcp.allow_join_initial_addr_port=0 and run mptcp-run pathd with "
	     "paths for this host's interfaces (clients then join the addresses it announces: "
	     "they need add_addr_accepted > 0), or integrity = \"accept-risk\" for a program",
	     "listeners under mptcp-run stay TCP on this kernel: the joins of clients they do not "
	     "control could be misplaced");
}

/* Whether an interface of kind k is here (kernel/ifkind.h, as the daemon reads kinds). */
static bool kind_here(enum mr_kind k)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	bool found = false;
	for (i = ifs; ifs && i->if_index && !found; i++)
		found = mr_iface_kind(i->if_name) == k;
	if (ifs)
		if_freenameindex(ifs);
	return found;
}

/* Per-program paths: each path's interface (or kind), and whether the path daemon runs. */
static void check_paths(struct report *r, const struct mr_policy *p)
{
	char list[512] = "";
	size_t off = 0;
	if (p->n_paths == 0)
		return;
	for (size_t i = 0; i < p->n_paths; i++) {
		const struct mr_path *x = &p->paths[i];
		const char *kind = mr_kind_name((enum mr_kind)x->kind);
		bool dev_here = x->dev[0] && if_nametoindex(x->dev);
		if (x->dev[0] && !dev_here && !x->kind)
			item(r, "warn", "paths", NULL,
			     "path \"%s\": no interface %s here (its subflows wait for it)",
			     x->name, x->dev);
		else if (x->kind && !dev_here && !kind_here((enum mr_kind)x->kind))
			item(
			    r, "warn", "paths", NULL,
			    "path \"%s\": no %s interface here (its subflows wait for one; a "
			    "device the kernel does not know as one takes the kind from its alias: "
			    "ip link set IF alias mptcp-run-kind=%s)",
			    x->name, kind, kind);
		char what[64];
		snprintf(what, sizeof(what), "%s%s%s%s", x->dev, x->dev[0] && x->kind ? "|" : "",
		         x->kind ? "kind " : "", kind);
		int n = snprintf(list + off, sizeof(list) - off, "%s%s=%s%s", i ? ", " : "",
		                 x->name, what, x->backup ? " (backup)" : "");
		if (n > 0 && (size_t)n < sizeof(list) - off)
			off += (size_t)n;
	}
	if (access(PD_DEFAULT_STATE, R_OK) == 0)
		item(r, "ok", "paths", NULL, "%zu defined: %s; the path daemon runs", p->n_paths,
		     list);
	else
		item(r, "warn", "paths", "mptcp-run pathd (or systemctl start mptcp-run-pathd)",
		     "%zu defined: %s; no path daemon runs, so they are not applied", p->n_paths,
		     list);
}

static void check_config(struct report *r, const char *conf_arg)
{
	char path[PATH_MAX], msg[600];
	const char *conf;
	struct mr_policy p;
	bool builtin, named = true;

	if (conf_arg) {
		if (!realpath(conf_arg, path)) {
			item(r, "fail", "config", NULL, "%s: %s", conf_arg, strerror(errno));
			return;
		}
		conf = path;
	} else {
		conf = lr_conf_default(&named);
	}
	if (!lr_conf_load(conf, named, &p, &builtin, msg, sizeof(msg))) {
		item(r, "fail", "config", "correct the file (see mptcp-run.conf(5))", "%s", msg);
		return;
	}
	if (builtin)
		item(r, "ok", "config", NULL,
		     "%s does not exist: built-in policy (MPTCP for every program, loopback "
		     "excluded)",
		     conf);
	else
		item(r, "ok", "config", NULL, "%s parses: %zu program section%s", conf,
		     p.n_sections, p.n_sections == 1 ? "" : "s");
	check_paths(r, &p);
	mr_policy_free(&p);
}

static bool check_library(struct report *r, char *lib, size_t size)
{
	struct stat st;

	if (!lr_lib_path(lib, size)) {
		item(r, "fail", "library", "make install (or build it next to the launcher)",
		     "%s not found", lib);
		return false;
	}
	if (stat(lib, &st) == 0 && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))))
		item(r, "warn", "library",
		     "chown root:root and chmod go-w it before preload install", "%s is %s", lib,
		     st.st_uid != 0 ? "not owned by root" : "group- or world-writable");
	else
		item(r, "ok", "library", NULL, "%s", lib);
	return true;
}

static void check_ldso(struct report *r, const char *lib)
{
	static const char path[] = "/etc/ld.so.preload";
	char *text;
	size_t len;
	int err = lr_read_file(path, &text, &len, NULL);

	if (err == -ENOENT) {
		item(r, "ok", "ld.so.preload", NULL,
		     "not installed system-wide (programs use MPTCP through mptcp-run or enabled "
		     "units)");
		return;
	}
	if (err) {
		item(r, "warn", "ld.so.preload", NULL, "%s: %s", path,
		     err == -ELOOP ? "is a symbolic link" : strerror(-err));
		return;
	}
	if (lr_ldso_has(text, len, lib))
		item(r, "ok", "ld.so.preload", NULL,
		     "%s is in %s: every dynamically linked program loads it", lib, path);
	else
		item(r, "ok", "ld.so.preload", NULL,
		     "not installed system-wide (programs use MPTCP through mptcp-run or enabled "
		     "units)");
	free(text);
}

/*
 * Whether this kernel delivers multi-path data intact: read from the record of this kernel
 * and boot; probed as root when there is none (or --probe), and the result recorded for the
 * library and the path daemon.
 */
static enum mr_kernel_integrity check_integrity(struct report *r, int probe, int seconds,
                                                bool control)
{
	struct mr_integrity_record rec;
	char why[300], text[1200];
	enum mr_kernel_integrity state = MR_KI_UNKNOWN;

	if (!control && probe <= 0)
		state = mr_kernel_integrity_read(MR_INTEGRITY_FILE, &rec, why, sizeof(why));
	if (!control && (probe < 0 || state != MR_KI_UNKNOWN || geteuid() != 0)) {
		const char *level = lr_integrity_verdict(state, &rec, why, text, sizeof(text));
		item(r, level, "kernel integrity",
		     state == MR_KI_UNKNOWN ? "run `mptcp-run check` as root (about 30 s)" : NULL,
		     "%s", text);
		return state;
	}
	struct lr_probe_options o = {
	    .seconds = seconds, .held_tests = 3, .single_path = control, .progress = stdout};
	if (!lr_probe_run(&o, &rec, why, sizeof(why))) {
		item(r, "warn", "kernel integrity", NULL, "the probe could not run: %s", why);
		return MR_KI_UNKNOWN;
	}
	if (why[0])
		printf("  (%s)\n", why);
	if (control) {
		/* One path proves the probe can pass; it says nothing of joins: not recorded. */
		item(r, rec.verdict == MR_KI_INTACT ? "ok" : "fail", "probe control", NULL,
		     "one path, no join: %d of %d tests misordered (must be 0)", rec.misordered,
		     rec.runs);
		return MR_KI_UNKNOWN;
	}
	char buf[MR_INTEGRITY_MAX];
	size_t n = mr_integrity_format(&rec, buf, sizeof(buf));
	int err = -1;
	if (n && lr_state_dir(MR_STATEDIR, why, sizeof(why)))
		err = lr_write_atomic(MR_INTEGRITY_FILE, buf, n, 0644, NULL);
	else if (!n)
		snprintf(why, sizeof(why), "record too long");
	if (err == 0)
		snprintf(why, sizeof(why), "recorded in %s", MR_INTEGRITY_FILE);
	else if (err < 0 && err != -1)
		snprintf(why, sizeof(why), "%s: %s", MR_INTEGRITY_FILE, strerror(-err));
	const char *level = lr_integrity_verdict(rec.verdict, &rec, why, text, sizeof(text));
	item(r, level, "kernel integrity", NULL, "%s; %s", text,
	     err == 0 ? why : "NOT recorded: the library and the path daemon cannot see it");
	if (err != 0)
		printf("  (%s)\n", why);
	return rec.verdict;
}

/* `check PROGRAM`: the backend `mptcp-run PROGRAM` would use, and why. */
static void check_backend(struct report *r, const char *cmd)
{
	struct lr_binary b;
	char why[320];
	enum lr_backend k;

	lr_binary_inspect(cmd, &b);
	k = lr_backend_of(&b, geteuid() == 0, why, sizeof(why));
	if (k == LR_BACKEND_NONE)
		item(r, "warn", "backend", "run it another way, or as root for the supervisor",
		     "%s: none: %s; its sockets stay TCP", b.path[0] ? b.path : cmd, why);
	else
		item(r, "ok", "backend", NULL, "%s: %s (%s)", b.path[0] ? b.path : cmd,
		     lr_backend_name(k), why);
}

int lr_cmd_check(int argc, char **argv)
{
	const char *conf = NULL, *secs_arg = NULL;
	bool no_probe = false, force_probe = false, control = false;
	const struct lr_option opts[] = {
	    {"config", 'c', &conf, NULL},          {"probe", 0, NULL, &force_probe},
	    {"probe-seconds", 0, &secs_arg, NULL}, {"no-probe", 0, NULL, &no_probe},
	    {"probe-control", 0, NULL, &control},  {NULL, 0, NULL, NULL},
	};
	struct report r = {0};
	char lib[PATH_MAX];
	bool pm_kernel;

	int first = lr_parse_options(argc, argv, opts, false);
	if (first < 0)
		return first == LR_OPTS_HELP ? LR_EXIT_OK : LR_EXIT_USAGE;
	if (argc - first > 1) {
		lr_err("check: unexpected argument '%s'", argv[first + 1]);
		return LR_EXIT_USAGE;
	}
	long secs = 30;
	if (secs_arg && !lr_opt_integer(secs_arg, 10, 3600, &secs)) {
		lr_err("check: --probe-seconds takes 10-3600 seconds, not \"%s\"", secs_arg);
		return LR_EXIT_USAGE;
	}
	if (no_probe && (force_probe || control)) {
		lr_err("check: --no-probe and --probe/--probe-control contradict each other");
		return LR_EXIT_USAGE;
	}
	check_kernel(&r);
	check_sysctl(&r);
	pm_kernel = check_pm(&r);
	check_limits(&r);
	/* First, as root (the probe takes up to --probe-seconds): the endpoint advice depends on
	 * it. */
	enum mr_kernel_integrity kernel = check_integrity(&r,
	                                                  no_probe      ? -1
	                                                  : force_probe ? 1
	                                                                : 0,
	                                                  (int)secs, control);
	if (pm_kernel)
		check_endpoints(&r, kernel);
	check_servers(&r, kernel);
	check_config(&r, conf);
	if (check_library(&r, lib, sizeof(lib)))
		check_ldso(&r, lib);
	if (first < argc)
		check_backend(&r, argv[first]);
	printf("%s: %d failed, %d warning%s\n",
	       r.fails ? "MPTCP cannot be used" : "MPTCP can be used", r.fails, r.warns,
	       r.warns == 1 ? "" : "s");
	return r.fails ? LR_EXIT_FAIL : LR_EXIT_OK;
}
