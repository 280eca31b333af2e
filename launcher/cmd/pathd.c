/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run pathd [-c FILE] [-f] [-d] [--socket PATH] [--state PATH] [--grace MS]
 * [--promote-ms MS]`:
 * the per-program path daemon (launcher/pathd/). Exit 2 on a bad config or
 * usage (file:line, nothing changed), 0 with a message when the config
 * defines no paths (nothing to do), 1 when it cannot start (another
 * userspace path manager, no privilege). Without -f it forks, and the parent
 * exits only once the daemon runs, with its status.
 */
#include "cmd/commands.h"
#include "cmd/config_arg.h"
#include "cmd/options.h"
#include "os/msg.h"
#include "pathd/pathd.h"
#include "pathd/protection.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A number of milliseconds from 0 to max (def when the option is absent); false with a
 * message otherwise. */
static bool ms_arg(const char *name, const char *text, long def, long max, long *out)
{
	*out = def;
	if (!text)
		return true;
	if (!lr_opt_integer(text, 0, max, out)) {
		lr_err("pathd: %s takes milliseconds (0-%ld), not \"%s\"", name, max, text);
		return false;
	}
	return true;
}

int lr_cmd_pathd(int argc, char **argv)
{
	const char *conf_arg = NULL, *sock = NULL, *state = NULL, *grace = NULL, *promote = NULL;
	bool fg = false, dbg = false;
	const struct lr_option opts[] = {
	    {"config", 'c', &conf_arg, NULL},  {"foreground", 'f', NULL, &fg},
	    {"debug", 'd', NULL, &dbg},        {"socket", 0, &sock, NULL},
	    {"state", 0, &state, NULL},        {"grace", 0, &grace, NULL},
	    {"promote-ms", 0, &promote, NULL}, {NULL, 0, NULL, NULL},
	};
	char conf[PATH_MAX];
	const char *conf_path;
	bool builtin;
	struct mr_policy p;

	int first = lr_parse_options(argc, argv, opts, false);
	if (first < 0)
		return first == LR_OPTS_HELP ? LR_EXIT_OK : LR_EXIT_USAGE;
	if (first != argc) {
		lr_err("pathd: unexpected argument \"%s\"", argv[first]);
		return LR_EXIT_USAGE;
	}
	if (!lr_conf_open(conf_arg, &p, &builtin, conf, sizeof(conf)))
		return LR_EXIT_USAGE;
	conf_path = conf;
	if (p.n_paths == 0) {
		lr_msg_component("pathd");
		lr_info("%s defines no paths: nothing to do",
		        builtin ? "the built-in policy" : conf_path);
		mr_policy_free(&p);
		return LR_EXIT_OK;
	}
	long g, pm;
	if (!ms_arg("--grace", grace, 50, 60000, &g) ||
	    !ms_arg("--promote-ms", promote, PD_PROMOTE_MS_DEFAULT, PD_PROMOTE_MS_MAX, &pm)) {
		mr_policy_free(&p);
		return LR_EXIT_USAGE;
	}
	struct pd_options o = {
	    .conf_path = conf_path,
	    .policy = &p,
	    .socket_path = sock ? sock : PD_DEFAULT_SOCKET,
	    .state_path = state ? (*state ? state : NULL) : PD_DEFAULT_STATE,
	    .debug = dbg,
	    .grace_ms = (int)g,
	    .promote_ms = (int)pm,
	    .ready_fd = -1,
	};
	if (!fg) {
		int pipefd[2];
		if (pipe(pipefd) < 0) {
			lr_err("pathd: pipe: %m");
			return LR_EXIT_FAIL;
		}
		pid_t pid = fork();
		if (pid < 0) {
			lr_err("pathd: fork: %m");
			return LR_EXIT_FAIL;
		}
		if (pid > 0) {
			char c;
			int st;
			close(pipefd[1]);
			if (read(pipefd[0], &c, 1) == 1)
				return LR_EXIT_OK;
			waitpid(pid, &st, 0); /* it said why on stderr */
			return WIFEXITED(st) && WEXITSTATUS(st) ? WEXITSTATUS(st) : LR_EXIT_FAIL;
		}
		close(pipefd[0]);
		setsid();
		o.ready_fd = pipefd[1];
	}
	int rc = pd_run(&o);
	mr_policy_free(&p);
	return rc;
}
