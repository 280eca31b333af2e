/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run explain [--state FILE] PROGRAM [connect|listen ADDRESS:PORT]`: the
 * library's own policy code (mr_config_load, mr_resolve, mr_decide,
 * mr_format_decision) run on the user's question, so the answer cannot
 * drift from what the library does; with paths, each one as it is now
 * (cmd/explain_paths.c).
 */
#include "os/binary.h"
#include "cmd/backend.h"
#include "cmd/integrity_text.h"
#include "kernel/integrity_file.h"
#include "pathd/pathd.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "cmd/config_arg.h"
#include "cmd/explain_paths.h"
#include "os/msg.h"
#include "pathd/pathd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LISTED 8

/* "198.18.1.2:80" or "[fd00::2]:443" into an endpoint; false on anything else. */
static bool parse_endpoint(const char *text, struct mr_endpoint *ep)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port_s;
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	unsigned long port;
	char *end;
	size_t n;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return false;
		n = (size_t)(close - text - 1);
		port_s = close + 2;
		text++;
	} else {
		colon = strrchr(text, ':');
		if (!colon || memchr(text, ':', (size_t)(colon - text)))
			return false;
		n = (size_t)(colon - text);
		port_s = colon + 1;
	}
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, text, n);
	host[n] = '\0';
	if (*port_s < '0' || *port_s > '9')
		return false;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || *end || port > 65535)
		return false;
	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, host, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		s4.sin_port = htons((uint16_t)port);
		return mr_endpoint_from_sockaddr((struct sockaddr *)&s4, sizeof(s4), ep);
	}
	if (inet_pton(AF_INET6, host, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons((uint16_t)port);
		return mr_endpoint_from_sockaddr((struct sockaddr *)&s6, sizeof(s6), ep);
	}
	return false;
}

/*
 * The path the library will see in /proc/self/exe: resolved through PATH
 * like execvp, then symlinks resolved. A name not found stays a bare name
 * (only basename globs can match it).
 */
static void program_path(const char *prog, char *out, size_t size)
{
	char found[PATH_MAX], real[PATH_MAX];

	if (lr_find_command(prog, found, sizeof(found)) != 0 || !realpath(found, real)) {
		snprintf(out, size, "%s", prog);
		return;
	}
	snprintf(out, size, "%s", real);
}

static void origin_text(const struct mr_program *prog, enum mr_role role, enum mr_origin o,
                        int line, char *buf, size_t size)
{
	switch (o) {
	case MR_FROM_BUILTIN:
		snprintf(buf, size, "built-in");
		break;
	case MR_FROM_FORCE:
		snprintf(buf, size, "launcher (MPTCP_RUN_FORCE)");
		break;
	case MR_FROM_DEFAULTS:
		snprintf(buf, size, "defaults, line %d", line);
		break;
	case MR_FROM_SECTION:
		snprintf(buf, size, "programs[%td], line %d", prog->section_index, line);
		break;
	case MR_FROM_ROLE:
		snprintf(buf, size, "programs[%td].%s, line %d", prog->section_index,
		         mr_role_name(role), line);
		break;
	}
}

static void print_list(const struct mr_program *prog, enum mr_role role, const char *key,
                       const struct mr_list *l, enum mr_origin o, int line)
{
	char from[128], e[96];
	size_t i;

	if (!l || !l->set)
		return;
	origin_text(prog, role, o, line, from, sizeof(from));
	printf("  %-8s", key);
	if (l->n == 0)
		printf(" (empty)");
	for (i = 0; i < l->n && i < MAX_LISTED; i++) {
		mr_format_entry(&l->v[i], e, sizeof(e));
		printf("%s %s", i ? "," : "", e);
	}
	if (l->n > MAX_LISTED)
		printf(", ... (%zu more)", l->n - MAX_LISTED);
	printf("   [%s]\n", from);
}

static void print_role(const struct mr_program *prog, enum mr_role role)
{
	const struct mr_effective *e = &prog->role[role];
	struct mr_endpoint any = {.family = AF_INET};
	struct mr_decision d;
	char why[400], from[128];
	size_t i;

	if (e->constant) {
		/* Any endpoint gives the same answer; the decision names the rule. */
		mr_decide(e, &any, &d);
		mr_format_decision(prog, role, &d, why, sizeof(why));
		printf("%s: %s for every endpoint, by %s\n", mr_role_name(role),
		       mr_verdict_name(e->constant_verdict), why);
		return;
	}
	origin_text(prog, role, e->mode_origin, e->mode_line, from, sizeof(from));
	printf("%s: depends on the endpoint (mode \"%s\" [%s])\n", mr_role_name(role),
	       mr_verdict_name((enum mr_verdict)e->mode), from);
	print_list(prog, role, "include", e->include, e->include_origin, e->include_line);
	print_list(prog, role, "exclude", e->exclude, e->exclude_origin, e->exclude_line);
	if (e->ports && e->ports->set) {
		origin_text(prog, role, e->ports_origin, e->ports_line, from, sizeof(from));
		printf("  %-8s", "ports");
		for (i = 0; i < e->ports->n && i < MAX_LISTED; i++) {
			const struct mr_port_range *r = &e->ports->v[i];

			if (r->lo == r->hi)
				printf("%s %u", i ? "," : "", r->lo);
			else
				printf("%s %u-%u", i ? "," : "", r->lo, r->hi);
		}
		printf("   [%s]\n", from);
	}
}

static void print_section(const struct mr_program *prog)
{
	const struct mr_section *s = prog->section;
	size_t i;

	if (!s) {
		printf("section: none matches: defaults apply\n");
		return;
	}
	printf("section: programs[%td], line %d, match", prog->section_index, s->line);
	for (i = 0; i < s->n_match; i++)
		printf("%s \"%s\"", i ? "," : "", s->match[i]);
	printf("\n");
}

/* Where a path-mode key came from, as explain says it. */
static void mode_origin(const struct mr_program *prog, const struct mr_path_tuning_source *src,
                        enum mr_mode_key k, char *buf, size_t size)
{
	switch (src->origin[k]) {
	case MR_FROM_SECTION:
		snprintf(buf, size, "programs[%td], line %d", prog->section_index, src->line[k]);
		break;
	case MR_FROM_DEFAULTS:
		snprintf(buf, size, "defaults, line %d", src->line[k]);
		break;
	default:
		snprintf(buf, size, "built in");
		break;
	}
}

/* How the path daemon uses the program's paths (its path mode) and the mode's tuning. */
static void print_path_mode(const struct mr_policy *p, const struct mr_program *prog)
{
	static const enum mr_mode_key handover[] = {MR_MK_STALL, MR_MK_RTT, MR_MK_LOSS};
	static const enum mr_mode_key interactive[] = {MR_MK_EVERY, MR_MK_BETTER, MR_MK_HOLD};
	static const char *const what[] = {
	    [MR_PATH_AGGREGATE] = "every listed path carries data",
	    [MR_PATH_HANDOVER] = "one path carries data, the next only when it fails",
	    [MR_PATH_INTERACTIVE] = "every path has a subflow, the fastest carries data",
	};
	struct mr_path_tuning t;
	struct mr_path_tuning_source src;
	char from[96];
	if (p->n_paths == 0)
		return;
	mr_program_path_mode(p, prog, &t, &src);
	enum mr_path_mode m = (enum mr_path_mode)t.v[MR_MK_MODE];
	mode_origin(prog, &src, MR_MK_MODE, from, sizeof(from));
	printf("path mode: %s (%s): %s\n", mr_path_mode_name(m), from, what[m]);
	const enum mr_mode_key *keys = m == MR_PATH_HANDOVER      ? handover
	                               : m == MR_PATH_INTERACTIVE ? interactive
	                                                          : NULL;
	for (size_t i = 0; keys && i < 3; i++) {
		mode_origin(prog, &src, keys[i], from, sizeof(from));
		if (t.v[keys[i]] == 0 && keys[i] != MR_MK_HOLD)
			printf("  %s: not used (%s)\n", mr_mode_key_name(keys[i]), from);
		else
			printf("  %s: %d (%s)\n", mr_mode_key_name(keys[i]), t.v[keys[i]], from);
	}
}

/* The protection against the kernel's multi-path data fault; the kernel's state for later. */
static enum mr_kernel_integrity print_integrity(const struct mr_program *prog)
{
	struct mr_integrity_record rec;
	char why[300], text[400];
	enum mr_kernel_integrity state =
	    mr_kernel_integrity_read(MR_INTEGRITY_FILE, &rec, why, sizeof(why));
	lr_integrity_protection(prog, state, text, sizeof(text));
	printf("integrity: %s\n", text);
	return state;
}

/* What `mptcp-run PROGRAM` would use to reach the program's sockets, and why. */
static void print_backend(const char *exe)
{
	struct lr_binary b;
	char why[320];
	enum lr_backend k;

	lr_binary_inspect(exe, &b);
	/* As root the launcher has CAP_SYS_ADMIN: set-ID programs keep their privileges. */
	k = lr_backend_of(&b, geteuid() == 0, why, sizeof(why));
	printf("backend: %s (%s)\n", lr_backend_name(k), why);
}

int lr_cmd_explain(int argc, char **argv)
{
	const char *conf_arg = NULL, *state_file = NULL;
	bool preload = false;
	const struct lr_option opts[] = {
	    {"config", 'c', &conf_arg, NULL},
	    {"preload", 0, NULL, &preload},
	    {"state", 0, &state_file, NULL},
	    {NULL, 0, NULL, NULL},
	};
	char conf[PATH_MAX], exe[PATH_MAX], ep_text[96];
	const char *conf_path;
	bool builtin;
	struct mr_endpoint ep;
	struct mr_program prog;
	struct mr_decision d;
	struct mr_policy p;
	enum mr_role role = MR_ROLE_CONNECT;
	int nargs;

	int first = lr_parse_options(argc, argv, opts, false);
	if (first < 0)
		return first == LR_OPTS_HELP ? LR_EXIT_OK : LR_EXIT_USAGE;
	nargs = argc - first;
	if (nargs != 1 && nargs != 3) {
		lr_err("explain: expected PROGRAM [connect|listen ADDRESS:PORT]");
		return LR_EXIT_USAGE;
	}
	if (!*argv[first]) {
		lr_err("explain: empty program name");
		return LR_EXIT_USAGE;
	}
	if (nargs == 3) {
		if (strcmp(argv[first + 1], "connect") == 0) {
			role = MR_ROLE_CONNECT;
		} else if (strcmp(argv[first + 1], "listen") == 0) {
			role = MR_ROLE_LISTEN;
		} else {
			lr_err("explain: '%s': expected connect or listen", argv[first + 1]);
			return LR_EXIT_USAGE;
		}
		if (!parse_endpoint(argv[first + 2], &ep)) {
			lr_err("explain: '%s': expected ADDRESS:PORT, such as 198.18.1.2:80 or "
			       "[fd00::2]:443",
			       argv[first + 2]);
			return LR_EXIT_USAGE;
		}
	}
	if (!lr_conf_open(conf_arg, &p, &builtin, conf, sizeof(conf)))
		return LR_EXIT_USAGE;
	conf_path = conf;
	program_path(argv[first], exe, sizeof(exe));
	mr_resolve(&p, exe, !preload, &prog);

	printf("program: %s\n", exe);
	printf("config:  %s%s\n", conf_path, builtin ? " (missing: built-in policy)" : "");
	printf("started: %s\n", preload ? "through /etc/ld.so.preload (no MPTCP_RUN_FORCE)"
	                                : "by mptcp-run or an enabled unit (MPTCP_RUN_FORCE=1)");
	print_backend(exe);
	print_section(&prog);
	lr_explain_paths(&p, &prog, exe, state_file ? state_file : PD_DEFAULT_STATE);
	print_path_mode(&p, &prog);
	enum mr_kernel_integrity state = print_integrity(&prog);
	if (nargs == 3) {
		char why[400];

		mr_decide(&prog.role[role], &ep, &d);
		mr_format_decision(&prog, role, &d, why, sizeof(why));
		mr_format_endpoint(&ep, ep_text, sizeof(ep_text));
		/* The library's listener guard (shim/core/integrity_guard.h), as it will judge. */
		bool guarded =
		    role == MR_ROLE_LISTEN && d.verdict == MR_MPTCP &&
		    !mr_integrity_listener_may_be_mptcp(prog.integrity, state,
		                                        mr_kernel_joins_announced_only() &&
		                                            access(PD_DEFAULT_STATE, R_OK) == 0);
		printf("%s %s: %s, by %s%s\n", mr_role_name(role), ep_text,
		       mr_verdict_name(guarded ? MR_TCP : d.verdict), why,
		       guarded
		           ? "; kept TCP by integrity = \"protect\": the kernel is not known to "
		             "deliver data on joined subflows intact"
		           : "");
	} else {
		print_role(&prog, MR_ROLE_CONNECT);
		print_role(&prog, MR_ROLE_LISTEN);
	}
	mr_policy_free(&p);
	return LR_EXIT_OK;
}
