/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run explain PROGRAM`'s paths: the list the program gets and the key
 * that gives it, then each path as it is on this machine now (the interfaces
 * of its device or of its kind, as the kernel tells their kinds: the same
 * reader as the daemon's and the library's), its budgets (the path's and the
 * program's, with their lines) and, when the path daemon runs, what they
 * have used this period (its state file, read through its one reader).
 */
#include "cmd/explain_paths.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "kernel/ifkind.h"
#include "pathd/state_file.h"

#define IFS_SHOWN 8

struct iface_now {
	char name[IF_NAMESIZE];
	bool up;
	char addr[INET6_ADDRSTRLEN];
	int path;
};

/* The interfaces of this machine that some path takes, with their first address. */
static size_t interfaces(const struct mr_policy *p, struct iface_now *out, size_t max)
{
	struct ifaddrs *ifs, *i;
	size_t n = 0;
	bool kinds = mr_policy_has_kinds(p);
	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i; i = i->ifa_next) {
		size_t k;
		for (k = 0; k < n && strcmp(out[k].name, i->ifa_name) != 0; k++)
			;
		if (k == n) {
			int path = mr_path_of_iface(
			    p, i->ifa_name, kinds ? mr_iface_kind(i->ifa_name) : MR_KIND_NONE);
			if (path < 0 || n >= max)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].name, sizeof(out[n].name), "%s", i->ifa_name);
			out[n].path = path;
			out[n].up =
			    (i->ifa_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
			n++;
		}
		struct iface_now *f = &out[k];
		if (f->addr[0] || !i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, f->addr,
			          sizeof(f->addr));
		else if (i->ifa_addr->sa_family == AF_INET6 &&
		         !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
			          f->addr, sizeof(f->addr));
	}
	freeifaddrs(ifs);
	return n;
}

static const char *origin_of(enum mr_origin o, const struct mr_program *prog, char *buf,
                             size_t size)
{
	if (o == MR_FROM_SECTION)
		snprintf(buf, size, "programs[%td] budgets", prog->section_index);
	else
		snprintf(buf, size, "defaults.budgets");
	return buf;
}

/* The daemon's count of this program (or of all, program NULL) on path, or NULL. */
static const char *use_of(const struct pd_state *st, const char *path, const char *program,
                          char *buf, size_t size)
{
	char b[32];
	if (!st)
		return NULL;
	if (!program) {
		for (size_t i = 0; i < st->n_paths; i++)
			if (strcmp(st->paths[i].name, path) == 0 && st->paths[i].metered) {
				mr_format_bytes(st->paths[i].used, b, sizeof(b));
				snprintf(buf, size, "%s used%s", b,
				         st->paths[i].over ? ", spent" : "");
				return buf;
			}
		return NULL;
	}
	for (size_t i = 0; i < st->n_usage; i++)
		if (strcmp(st->usage[i].path, path) == 0 &&
		    strcmp(st->usage[i].program, program) == 0) {
			mr_format_bytes(st->usage[i].bytes, b, sizeof(b));
			snprintf(buf, size, "%s used%s", b, st->usage[i].over ? ", spent" : "");
			return buf;
		}
	return NULL;
}

/* One listed path now: its interfaces, its budgets and their use. */
static void print_path(const struct mr_policy *p, const struct mr_program *prog, int k,
                       const struct iface_now *ifs, size_t n_ifs, const struct pd_state *st,
                       const char *exe, bool *spent_leave)
{
	const struct mr_path *x = &p->paths[k];
	char what[64], b[96], o[48], u[64];
	struct mr_budget pb;
	enum mr_origin origin;
	enum mr_over over = mr_program_over(p, prog, &origin);
	if (x->kind && x->dev[0])
		snprintf(what, sizeof(what), "dev %s or kind %s", x->dev,
		         mr_kind_name((enum mr_kind)x->kind));
	else if (x->kind)
		snprintf(what, sizeof(what), "kind %s", mr_kind_name((enum mr_kind)x->kind));
	else
		snprintf(what, sizeof(what), "dev %s", x->dev);
	printf("  %-10s %s%s:", x->name, what, x->backup ? ", backup" : "");
	size_t shown = 0;
	for (size_t i = 0; i < n_ifs; i++) {
		if (ifs[i].path != k)
			continue;
		printf("%s %s (%s%s%s)", shown++ ? "," : "", ifs[i].name, ifs[i].up ? "up" : "down",
		       ifs[i].addr[0] ? ", " : "", ifs[i].addr);
	}
	printf("%s\n", shown ? "" : " none on this machine now");
	bool spent = false;
	if (x->budget.bytes) {
		mr_format_budget(&x->budget, b, sizeof(b));
		const char *used = use_of(st, x->name, NULL, u, sizeof(u));
		printf("    budget %s (the path's, all programs, line %d)%s%s\n", b, x->budget.line,
		       used ? ": " : "", used ? used : "");
		spent = used && strstr(used, "spent");
	}
	mr_program_budget(p, prog, k, &pb, &origin);
	if (pb.bytes) {
		mr_format_budget(&pb, b, sizeof(b));
		const char *used = use_of(st, x->name, exe, u, sizeof(u));
		printf("    budget %s (this program's, %s, line %d)%s%s\n", b,
		       origin_of(origin, prog, o, sizeof(o)), pb.line, used ? ": " : "",
		       used ? used : "");
		spent = spent || (used && strstr(used, "spent"));
	}
	if (spent) {
		printf("    spent: %s\n",
		       over == MR_OVER_STAY
		           ? "kept as a backup (over_budget = \"stay\")"
		           : "not used until it is renewed (over_budget = \"leave\")");
		*spent_leave = over == MR_OVER_LEAVE;
	}
}

void lr_explain_paths(const struct mr_policy *p, const struct mr_program *prog, const char *exe,
                      const char *state_path)
{
	struct mr_program_paths pp;
	char list[512], why[200];
	mr_program_paths(p, prog, &pp);
	if (pp.origin == MR_PATHS_NONE)
		return;
	mr_format_paths(p, &pp.list, list, sizeof(list));
	switch (pp.origin) {
	case MR_PATHS_SECTION:
		printf("paths:   %s (programs[%td] paths, line %d)\n", list, prog->section_index,
		       pp.list.line);
		break;
	case MR_PATHS_DEFAULTS:
		printf("paths:   %s (defaults.paths, line %d)\n", list, pp.list.line);
		break;
	default:
		printf("paths:   %s (no list applies: every defined path)\n", list);
		break;
	}
	struct iface_now ifs[IFS_SHOWN * MR_PATHS_MAX];
	size_t n_ifs = interfaces(p, ifs, sizeof(ifs) / sizeof(ifs[0]));
	struct pd_state st;
	bool have_state = state_path && pd_state_read(state_path, &st, why, sizeof(why)) == 0;
	enum mr_origin origin, over_origin;
	enum mr_over over = mr_program_over(p, prog, &over_origin);
	bool any_budget = false;
	char now[512] = "";
	size_t off = 0;
	for (size_t i = 0; i < pp.list.n; i++) {
		int k = pp.list.idx[i];
		struct mr_budget pb;
		bool spent_leave = false;
		print_path(p, prog, k, ifs, n_ifs, have_state ? &st : NULL, exe, &spent_leave);
		mr_program_budget(p, prog, k, &pb, &origin);
		any_budget = any_budget || pb.bytes || p->paths[k].budget.bytes;
		bool usable = false;
		for (size_t j = 0; j < n_ifs; j++)
			usable = usable || (ifs[j].path == k && ifs[j].up && ifs[j].addr[0]);
		if (usable && !spent_leave && off < sizeof(now))
			off += (size_t)snprintf(now + off, sizeof(now) - off, "%s%s",
			                        off ? ", " : "", p->paths[k].name);
	}
	if (any_budget)
		printf("over_budget: %s (%s)\n", mr_over_name(over),
		       over_origin == MR_FROM_SECTION    ? "its section"
		       : over_origin == MR_FROM_DEFAULTS ? "defaults"
		                                         : "built in");
	printf("now:     %s%s\n", off ? now : "no listed path is usable: left to routing",
	       have_state || !any_budget ? "" : " (budget use unknown: no path daemon runs)");
	if (have_state)
		pd_state_free(&st);
}
