/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run [OPTIONS] CMD ARGS`. Two backends, chosen from the binary:
 *   - the preload library (dynamic libc programs): set up the environment and
 *     execvp, so the command keeps our pid and its exit status and signals
 *     reach the caller unchanged;
 *   - the supervisor (launcher/supervise/: Go before 1.21, static binaries,
 *     set-ID programs when we may keep their privileges): we stay the parent,
 *     answer the child's socket calls, and exit as it does.
 * --supervise forces the supervisor, --no-supervise forbids it.
 */
#include "os/binary.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "cmd/config_arg.h"
#include "cmd/timeline.h"
#include "text/env.h"
#include "os/libpath.h"
#include "os/msg.h"
#include "os/probe.h"
#include "supervise/supervise.h"

#include <errno.h>
#include <fcntl.h>
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

enum supervise_mode { SV_AUTO, SV_FORCE, SV_NEVER };

/* Go 1.21 added GODEBUG=multipathtcp; older toolchains ignore it. */
#define GO_MPTCP_VERSION 1021

/* CAP_SYS_ADMIN in our effective set: the filter then needs no no_new_privs. */
static bool have_sys_admin(void)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "CapEff:", 7) == 0) {
			eff = strtoull(line + 7, NULL, 16);
			break;
		}
	fclose(f);
	return eff & (1ULL << 21);
}

struct target {
	bool supervise;
	bool setid;
};

static int use_godebug(const char *path)
{
	const char *old = getenv("GODEBUG");
	char *v;

	if (lr_godebug_has_mptcp(old)) {
		lr_warn("%s: Go program (LD_PRELOAD has no effect): keeping GODEBUG=%s", path, old);
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
	        path);
	return 0;
}

/*
 * The backend for this binary, and what to tell the user about it. Silence
 * means the chosen backend reaches the program's sockets.
 */
static int inspect_target(const char *cmd, enum supervise_mode mode, struct target *t)
{
	struct lr_binary b;
	const char *problem, *why, *fix;
	int err, gover;

	memset(t, 0, sizeof(*t));
	lr_binary_inspect(cmd, &b);
	t->setid = b.setuid || b.setgid || b.filecaps;
	if (mode == SV_FORCE) {
		t->supervise = true;
	} else if (b.err) {
		return 0; /* execvp reports it */
	} else if (b.elf.go) {
		/* "go1.19.8" -> "1.19.8" */
		const char *v = !b.elf.go_version[0]                      ? "(version unknown)"
		                : strncmp(b.elf.go_version, "go", 2) == 0 ? b.elf.go_version + 2
		                                                          : b.elf.go_version;

		gover = lr_go_version_number(b.elf.go_version);
		if (gover >= GO_MPTCP_VERSION || (gover == 0 && b.elf.go_version[0]))
			return use_godebug(b.path);
		/* Before 1.21 (or too old to say, before 1.18): GODEBUG does nothing. */
		if (mode == SV_NEVER) {
			lr_warn("%s: Go %s program: LD_PRELOAD has no effect and this Go ignores "
			        "GODEBUG=multipathtcp (Go 1.21 or later): sockets will stay TCP "
			        "(the supervisor would reach them: drop --no-supervise)",
			        b.path, v);
			return 0;
		}
		t->supervise = true;
		lr_dbg("%s: Go %s program: using the supervisor", b.path, v);
	} else {
		problem = lr_binary_problem(&b);
		/* A static binary; a set-ID one only with CAP_SYS_ADMIN, as then the filter needs
		 * no no_new_privs and the program keeps its privileges. */
		if (problem && mode == SV_AUTO &&
		    ((b.elf.kind == LR_ELF_STATIC && !t->setid) || have_sys_admin())) {
			t->supervise = true;
			lr_dbg("%s: %s: using the supervisor", b.path, problem);
		} else if (problem) {
			const char *hint = mode == SV_NEVER ? " (--no-supervise)"
			                   : t->setid       ? " (--supervise would reach it, but "
			                                      "without its privileges)"
			                                    : "";

			if (b.script)
				lr_warn("%s: interpreter %s: %s: sockets will stay TCP%s", b.path,
				        b.exe, problem, hint);
			else
				lr_warn("%s: %s: sockets will stay TCP%s", b.path, problem, hint);
		}
	}
	err = lr_mptcp_probe();
	if (err) {
		lr_mptcp_probe_explain(err, &why, &fix);
		lr_warn("%s (see mptcp-run check)", why);
	}
	return 0;
}

/* As a shell reports it: 127 not found, 126 found but not runnable. */
static int exec_failed(const char *cmd, int err)
{
	char path[PATH_MAX];

	/* execvp says EACCES when a PATH directory is not searchable even if the command is
	 * nowhere. */
	if (err == ENOENT || (err == EACCES && !strchr(cmd, '/') &&
	                      lr_find_command(cmd, path, sizeof(path)) == ENOENT)) {
		lr_err("%s: command not found", cmd);
		return LR_EXIT_NOTFOUND;
	}
	lr_err("%s: %s", cmd, strerror(err));
	return LR_EXIT_NOEXEC;
}

/* The supervisor backend: the policy is loaded here, the launcher stays the parent. */
static int run_supervised(char **argv, const char *level, bool setid)
{
	struct lr_supervise opt = {0};
	struct mr_policy p;
	char msg[600];
	const char *path, *bad;
	bool named, builtin;
	int rc;

	path = lr_conf_default(&named);
	if (!lr_conf_load(path, named, &p, &builtin, msg, sizeof(msg))) {
		/* The same outcome as the library's: every socket TCP. */
		lr_warn("%s: sockets will stay TCP", msg);
		fflush(NULL);
		execvp(argv[0], argv);
		return exec_failed(argv[0], errno);
	}
	opt.policy = &p;
	opt.force = true;
	opt.debug = level && strcmp(level, "debug") == 0;
	opt.warn_setid = setid;
	/* --report sets it (absolute, created); one inherited from the caller counts too. */
	opt.report = getenv("MPTCP_RUN_REPORT");
	bad = lr_sv_levers_parse(getenv("MPTCP_RUN_SUPERVISE_OFF"), &opt.levers);
	if (bad)
		lr_warn("MPTCP_RUN_SUPERVISE_OFF: unknown lever at \"%s\" (known: %s)", bad,
		        LR_SV_LEVER_NAMES);
	rc = lr_supervise_run(&opt, argv);
	mr_policy_free(&p);
	if (rc <= -1000) {
		lr_err("cannot start the supervisor: %s", strerror(-1000 - rc));
		return LR_EXIT_FAIL;
	}
	if (rc < 0)
		return exec_failed(argv[0], -rc);
	return rc;
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
	const char *conf = NULL, *level = NULL, *report = NULL, *sample = NULL;
	const char *timeline = NULL, *tl_interval = NULL;
	double interval = 0.2;
	bool debug = false, quiet = false, version = false, sup = false, nosup = false;
	const struct lr_option opts[] = {
	    {"config", 'c', &conf, NULL},
	    {"debug", 'd', NULL, &debug},
	    {"quiet", 'q', NULL, &quiet},
	    {"log", 'l', &level, NULL},
	    {"report", 'r', &report, NULL},
	    {"report-sample", 0, &sample, NULL},
	    {"version", 'V', NULL, &version},
	    {"supervise", 0, NULL, &sup},
	    {"no-supervise", 0, NULL, &nosup},
	    {"timeline", 0, &timeline, NULL},
	    {"timeline-interval", 0, &tl_interval, NULL},
	    {NULL, 0, NULL, NULL},
	};
	enum supervise_mode mode = SV_AUTO;
	struct target t;
	int rc;

	/* Options end at the first operand, so `mptcp-run ncat -l 5000` works. */
	int first = lr_parse_options(argc, argv, opts, true);
	if (first < 0)
		return first == LR_OPTS_HELP ? LR_EXIT_OK : LR_EXIT_USAGE;
	if (version) {
		printf("mptcp-run %s\n", MR_VERSION);
		return LR_EXIT_OK;
	}
	if (level && !valid_level(level)) {
		lr_err("invalid log level '%s' (off, error, warn, info, debug)", level);
		return LR_EXIT_USAGE;
	}
	/* An explicit --log wins over -d, which wins over -q (which also silences warnings). */
	lr_quiet = quiet;
	if (!level)
		level = debug ? "debug" : quiet ? "off" : NULL;
	if (sup && nosup) {
		lr_err("--supervise and --no-supervise exclude each other");
		return LR_EXIT_USAGE;
	}
	mode = sup ? SV_FORCE : nosup ? SV_NEVER : SV_AUTO;
	if (sample) {
		long n;
		if (!lr_opt_integer(sample, 1, 1000000, &n)) {
			lr_err("--report-sample '%s': expected a number from 1 to 1000000", sample);
			return LR_EXIT_USAGE;
		}
		if (!report && !getenv("MPTCP_RUN_REPORT")) {
			lr_err("--report-sample needs --report FILE");
			return LR_EXIT_USAGE;
		}
		if (!set("MPTCP_RUN_REPORT_SAMPLE", sample))
			return LR_EXIT_FAIL;
	}
	if (tl_interval && !lr_timeline_interval(tl_interval, &interval)) {
		lr_err("--timeline-interval '%s': expected seconds from 0.01 to 60", tl_interval);
		return LR_EXIT_USAGE;
	}
	if (tl_interval && !timeline) {
		lr_err("--timeline-interval needs --timeline FILE");
		return LR_EXIT_USAGE;
	}
	if (first >= argc) {
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
	if (!set("MPTCP_RUN_FORCE", "1"))
		return LR_EXIT_FAIL;
	/* The launcher's own debug lines follow the library's level. */
	lr_debug = level && strcmp(level, "debug") == 0;
	rc = inspect_target(argv[first], mode, &t);
	if (rc)
		return rc;
	/* From here on the command runs in a child when a timeline is kept; we sample it. */
	if (timeline) {
		rc = lr_timeline_start(timeline, interval, argv + first);
		if (rc < 0)
			return rc == -2 ? LR_EXIT_USAGE : LR_EXIT_FAIL;
	}
	if (t.supervise)
		return run_supervised(argv + first, level, t.setid);
	rc = setup_preload();
	if (rc)
		return rc;
	fflush(NULL);
	execvp(argv[first], argv + first);
	return exec_failed(argv[first], errno);
}
