/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run [OPTIONS] CMD ARGS`: set up the environment and execvp, so the
 * command keeps our pid and its exit status and signals reach the caller
 * unchanged.
 */
#include "os/binary.h"
#include "cmd/commands.h"
#include "cmd/config_arg.h"
#include "text/env.h"
#include "os/libpath.h"
#include "os/msg.h"
#include "os/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const log_levels[] = {"off", "error", "warn", "info", "debug"};

static bool valid_level(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (strcmp(s, log_levels[i]) == 0)
			return true;
	return false;
}

/* setenv with the reason on failure; an incomplete environment must not be exec'd. */
static bool set(const char *name, const char *value)
{
	if (!value || setenv(name, value, 1) < 0) {
		lr_err("cannot set %s: %s", name, strerror(value ? errno : ENOMEM));
		return false;
	}
	return true;
}

/* The config the library will read must parse; a broken -c file is refused. */
static int setup_config(const char *conf_arg)
{
	char path[PATH_MAX], msg[600];
	struct mr_policy p;
	const char *sys;
	bool builtin, named;

	if (conf_arg) {
		if (!lr_conf_abs_path(conf_arg, path, sizeof(path)))
			return LR_EXIT_USAGE;
		if (!lr_conf_load(path, true, &p, &builtin, msg, sizeof(msg))) {
			lr_err("%s", msg);
			return LR_EXIT_USAGE;
		}
		mr_policy_free(&p);
		return set("MPTCP_RUN_CONF", path) ? 0 : LR_EXIT_FAIL;
	}
	/* Not ours to refuse, but say so now rather than leave the user guessing later. */
	sys = lr_conf_default(&named);
	if (lr_conf_load(sys, named, &p, &builtin, msg, sizeof(msg)))
		mr_policy_free(&p);
	else
		lr_warn("%s: the library will keep every socket TCP", msg);
	return 0;
}

static int setup_preload(void)
{
	char lib[PATH_MAX];
	char *v;

	if (!lr_lib_path(lib, sizeof(lib))) {
		/* ld.so would print an error in every process; better one line here. */
		lr_warn("%s not found: sockets will stay TCP (is mptcp-run installed?)", lib);
		return 0;
	}
	v = lr_preload_merge(getenv("LD_PRELOAD"), lib);
	if (!set("LD_PRELOAD", v)) {
		free(v);
		return LR_EXIT_FAIL;
	}
	free(v);
	return 0;
}

static int inspect_target(const char *cmd)
{
	struct lr_binary b;
	const char *problem, *why, *fix;
	char *v;
	int err;

	lr_binary_inspect(cmd, &b);
	if (b.err)
		return 0; /* execvp reports it */
	if (b.elf.go) {
		const char *old = getenv("GODEBUG");

		if (lr_godebug_has_mptcp(old)) {
			lr_warn("%s: Go program (LD_PRELOAD has no effect): keeping GODEBUG=%s",
			        b.path, old);
			return 0;
		}
		v = lr_godebug_merge(old);
		if (!set("GODEBUG", v)) {
			free(v);
			return LR_EXIT_FAIL;
		}
		free(v);
		lr_warn("%s: Go program (LD_PRELOAD has no effect): using GODEBUG=multipathtcp=1 "
		        "instead (Go 1.21 or later)",
		        b.path);
		return 0;
	}
	problem = lr_binary_problem(&b);
	if (problem && b.script)
		lr_warn("%s: interpreter %s: %s: sockets will stay TCP", b.path, b.exe, problem);
	else if (problem)
		lr_warn("%s: %s: sockets will stay TCP", b.path, problem);
	err = lr_mptcp_probe();
	if (err) {
		lr_mptcp_probe_explain(err, &why, &fix);
		lr_warn("%s (see mptcp-run check)", why);
	}
	return 0;
}

/*
 * --report FILE: the library appends to it from every process of the command,
 * whatever their working directory, so the path is made absolute; the file is
 * created now so that a path that cannot be written is a usage error, not
 * silence.
 */
static int setup_report(const char *file)
{
	char abs[PATH_MAX], cwd[PATH_MAX];
	int n;
	if (file[0] == '/') {
		n = snprintf(abs, sizeof(abs), "%s", file);
	} else {
		if (!getcwd(cwd, sizeof(cwd))) {
			lr_err("--report %s: cannot resolve the current directory", file);
			return LR_EXIT_USAGE;
		}
		n = snprintf(abs, sizeof(abs), "%s/%s", cwd, file);
	}
	if (n < 0 || (size_t)n >= sizeof(abs)) {
		lr_err("--report %s: path too long", file);
		return LR_EXIT_USAGE;
	}
	int fd = open(abs, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0) {
		lr_err("--report %s: %s", abs, strerror(errno));
		return LR_EXIT_USAGE;
	}
	close(fd);
	return set("MPTCP_RUN_REPORT", abs) ? 0 : LR_EXIT_FAIL;
}

int lr_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"debug", no_argument, NULL, 'd'},
	    {"quiet", no_argument, NULL, 'q'},        {"log", required_argument, NULL, 'l'},
	    {"report", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
	};
	const char *conf = NULL, *level = NULL, *report = NULL;
	char path[PATH_MAX];
	int opt, rc, err;

	opterr = 0;
	optind = 0;
	/* '+': stop at the first non-option, so `mptcp-run ncat -l 5000` works. */
	while ((opt = getopt_long(argc, argv, "+:c:dql:r:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'd':
			level = "debug";
			break;
		case 'q':
			lr_quiet = true;
			level = "off";
			break;
		case 'l':
			if (!valid_level(optarg)) {
				lr_err("invalid log level '%s' (off, error, warn, info, debug)",
				       optarg);
				return LR_EXIT_USAGE;
			}
			level = optarg;
			break;
		case 'r':
			report = optarg;
			break;
		case 'h':
			lr_usage();
			return LR_EXIT_OK;
		case 'V':
			printf("mptcp-run %s\n", MR_VERSION);
			return LR_EXIT_OK;
		default:
			lr_bad_option(argc, argv, opt);
			return LR_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		lr_err("no command given");
		lr_usage_hint();
		return LR_EXIT_USAGE;
	}
	rc = setup_config(conf);
	if (rc)
		return rc;
	if (level && !set("MPTCP_RUN_LOG", level))
		return LR_EXIT_FAIL;
	if (report) {
		rc = setup_report(report);
		if (rc)
			return rc;
	}
	rc = setup_preload();
	if (rc)
		return rc;
	if (!set("MPTCP_RUN_FORCE", "1"))
		return LR_EXIT_FAIL;
	rc = inspect_target(argv[optind]);
	if (rc)
		return rc;
	fflush(NULL);
	execvp(argv[optind], argv + optind);
	/*
	 * As a shell reports it: 127 not found, 126 found but not runnable. execvp says
	 * EACCES when a PATH directory is not searchable even if the command is nowhere.
	 */
	err = errno;
	if (err == ENOENT || (err == EACCES && !strchr(argv[optind], '/') &&
	                      lr_find_command(argv[optind], path, sizeof(path)) == ENOENT)) {
		lr_err("%s: command not found", argv[optind]);
		return LR_EXIT_NOTFOUND;
	}
	lr_err("%s: %s", argv[optind], strerror(err));
	return LR_EXIT_NOEXEC;
}
