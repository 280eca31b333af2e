/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run enable|disable UNIT`: a drop-in under /etc/systemd/system/UNIT.d.
 * The vendor unit is only read (mptcpize rewrites it in place and loses its
 * Environment= lines, mptcpd#209); an LD_PRELOAD the unit already sets is
 * merged into ours, because a drop-in's assignment replaces the unit's.
 */
#include "os/atomic_file.h"
#include "os/binary.h"
#include "cmd/backend.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "text/env.h"
#include "os/libpath.h"
#include "os/msg.h"
#include "os/rootdir.h"
#include "text/unit_text.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Unit search path in systemd's priority order (system units). */
static const char *const unit_dirs[] = {
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
};
#define N_UNIT_DIRS (sizeof(unit_dirs) / sizeof(unit_dirs[0]))
#define MAX_DROPINS 256

struct args {
	char root[PATH_MAX];
	char unit[LR_UNIT_NAME_MAX];
	char templ[LR_UNIT_NAME_MAX]; /* "" unless unit is an instance */
	bool has_root;
};

static int parse(int argc, char **argv, struct args *a)
{
	const char *root = "/", *why;
	const struct lr_option opts[] = {
	    {"root", 0, &root, &a->has_root},
	    {NULL, 0, NULL, NULL},
	};

	memset(a, 0, sizeof(*a));
	int first = lr_parse_options(argc, argv, opts, false);
	if (first < 0)
		return first == LR_OPTS_HELP ? -1 : LR_EXIT_USAGE;
	if (argc - first != 1) {
		lr_err("%s: expected exactly one unit name", argv[0]);
		return LR_EXIT_USAGE;
	}
	why = lr_unit_name_check(argv[first], a->unit, sizeof(a->unit));
	if (why) {
		lr_err("%s: invalid unit name '%s': %s", argv[0], argv[first], why);
		return LR_EXIT_USAGE;
	}
	if (!lr_unit_template(a->unit, a->templ, sizeof(a->templ)))
		a->templ[0] = '\0';
	if (!lr_root_resolve(root, a->root, sizeof(a->root)))
		return LR_EXIT_USAGE;
	return 0;
}

/* The unit file systemd would load: first match in priority order, instance then template. */
static bool find_unit(const struct args *a, char *out, size_t size)
{
	const char *names[2] = {a->unit, a->templ};
	struct stat st;
	size_t d, i;

	for (i = 0; i < 2; i++) {
		if (!*names[i])
			continue;
		for (d = 0; d < N_UNIT_DIRS; d++) {
			int n = snprintf(out, size, "%s%s/%s", a->root, unit_dirs[d], names[i]);

			if (n > 0 && (size_t)n < size && stat(out, &st) == 0 && S_ISREG(st.st_mode))
				return true;
		}
	}
	return false;
}

struct dropin {
	char name[NAME_MAX + 1];
	char path[PATH_MAX];
};

static int dropin_cmp(const void *x, const void *y)
{
	return strcmp(((const struct dropin *)x)->name, ((const struct dropin *)y)->name);
}

/*
 * The unit's existing drop-ins, by file name across all directories (a name
 * in a higher-priority directory hides the same name lower down), sorted as
 * systemd applies them. Ours is left out.
 */
static size_t list_dropins(const struct args *a, struct dropin *v, size_t max)
{
	const char *names[2] = {a->unit, a->templ};
	size_t n = 0, d, i, k;

	for (i = 0; i < 2; i++) {
		if (!*names[i])
			continue;
		for (d = 0; d < N_UNIT_DIRS; d++) {
			char dir[PATH_MAX];
			struct dirent *de;
			DIR *dp;
			int len = snprintf(dir, sizeof(dir), "%s%s/%s.d", a->root, unit_dirs[d],
			                   names[i]);

			if (len < 0 || (size_t)len >= sizeof(dir) || !(dp = opendir(dir)))
				continue;
			while ((de = readdir(dp)) && n < max) {
				size_t nl = strlen(de->d_name);
				bool seen = false;

				if (nl < 6 || strcmp(de->d_name + nl - 5, ".conf") != 0 ||
				    strcmp(de->d_name, LR_DROPIN_NAME) == 0)
					continue;
				for (k = 0; k < n; k++)
					seen |= strcmp(v[k].name, de->d_name) == 0;
				if (seen)
					continue;
				snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
				len = snprintf(v[n].path, sizeof(v[n].path), "%s/%s", dir,
				               de->d_name);
				if (len > 0 && (size_t)len < sizeof(v[n].path))
					n++;
			}
			closedir(dp);
		}
	}
	qsort(v, n, sizeof(v[0]), dropin_cmp);
	return n;
}

/* What the unit's files set today, before our drop-in. */
struct unit_state {
	struct lr_env_value preload, godebug, exec, exec_line;
	int exec_count;
	bool exec_later; /* a drop-in after ours sets ExecStart= */
};

static void unit_state_free(struct unit_state *u)
{
	lr_env_value_free(&u->preload);
	lr_env_value_free(&u->godebug);
	lr_env_value_free(&u->exec);
	lr_env_value_free(&u->exec_line);
}

static bool scan_file(const char *path, struct unit_state *u)
{
	char *text;
	size_t len;
	bool ok;

	/* Units are often symlinks (systemctl link, aliases): follow them for reading. */
	if (lr_read_file_follow(path, &text, &len) < 0) {
		lr_warn("%s: cannot read it; its Environment= lines are not merged", path);
		return true;
	}
	ok = lr_unit_env_scan(text, len, "LD_PRELOAD", &u->preload) &&
	     lr_unit_env_scan(text, len, "GODEBUG", &u->godebug) &&
	     lr_unit_exec_scan(text, len, &u->exec) &&
	     lr_unit_exec_line_scan(text, len, &u->exec_line, &u->exec_count);
	free(text);
	return ok;
}

/*
 * Applies the unit file and its drop-ins in systemd's order. Assignments in
 * drop-ins sorted after ours override ours: those are reported, not merged.
 */
static int scan_unit(const struct args *a, const char *unit_file, struct unit_state *u)
{
	struct dropin *d = calloc(MAX_DROPINS, sizeof(*d));
	size_t n, i;

	if (!d)
		return LR_EXIT_FAIL;
	n = list_dropins(a, d, MAX_DROPINS);
	if (!scan_file(unit_file, u))
		goto oom;
	for (i = 0; i < n; i++) {
		struct unit_state later = {0};

		if (strcmp(d[i].name, LR_DROPIN_NAME) < 0) {
			if (!scan_file(d[i].path, u))
				goto oom;
			continue;
		}
		if (!scan_file(d[i].path, &later)) {
			unit_state_free(&later);
			goto oom;
		}
		if (later.preload.set)
			lr_warn("%s sets LD_PRELOAD and is applied after %s, so it overrides it",
			        d[i].path, LR_DROPIN_NAME);
		if (later.exec.set) {
			lr_env_value_free(&u->exec);
			u->exec = later.exec;
			later.exec = (struct lr_env_value){0};
			u->exec_later = true;
		}
		unit_state_free(&later);
	}
	free(d);
	return 0;
oom:
	free(d);
	lr_err("out of memory");
	return LR_EXIT_FAIL;
}

/* Where the launcher is on the target system: the first of these present in root. */
static const char *launcher_path(const struct args *a)
{
	static const char *const paths[] = {"/usr/bin/mptcp-run", "/usr/local/bin/mptcp-run"};
	char on_target[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (lr_join(on_target, sizeof(on_target), a->root, paths[i]) &&
		    stat(on_target, &st) == 0)
			return paths[i];
	lr_warn("%s is not in %s yet: install mptcp-run there (the drop-in runs it)", paths[0],
	        *a->root ? a->root : "/");
	return paths[0];
}

/*
 * Looks at the program the service starts, like `mptcp-run CMD` does: Go 1.21
 * and later get GODEBUG (*godebug, merged, malloc'd); Go before 1.21 and
 * static binaries the supervisor (*supervise); the unreachable ones a warning.
 */
static void service_backend(const struct args *a, const struct unit_state *u, char **godebug,
                            bool *supervise)
{
	char path[PATH_MAX], why[256];
	struct lr_binary b;
	enum lr_backend k;

	*godebug = NULL;
	*supervise = false;
	if (!u->exec.set || u->exec.value[0] != '/' ||
	    snprintf(path, sizeof(path), "%s%s", a->root, u->exec.value) >= (int)sizeof(path))
		return;
	lr_binary_inspect(path, &b);
	if (b.err)
		return;
	/* systemd starts services with every capability unless the unit drops them. */
	k = lr_backend_of(&b, false, why, sizeof(why));
	if (k == LR_BACKEND_GODEBUG) {
		*godebug = lr_godebug_merge(u->godebug.set ? u->godebug.value : NULL);
		lr_warn("%s: Go program (LD_PRELOAD has no effect): the drop-in sets GODEBUG=%s",
		        u->exec.value, *godebug ? *godebug : "?");
	} else if (k == LR_BACKEND_SUPERVISOR) {
		*supervise = true;
		printf("%s: %s: the service runs under the supervisor (mptcp-run --supervise)\n",
		       u->exec.value, why);
	} else if (k == LR_BACKEND_NONE) {
		lr_warn("%s: %s: the service's sockets will stay TCP", u->exec.value, why);
	}
}

/* systemctl daemon-reload, only on a running systemd and for the real root. */
static void daemon_reload(const struct args *a, const char *unit)
{
	char *const argv[] = {"systemctl", "daemon-reload", NULL};
	struct stat st;
	pid_t pid;
	int status, err;

	if (a->has_root) {
		printf(
		    "not reloading systemd (--root); on that system run: systemctl daemon-reload "
		    "&& systemctl restart %s\n",
		    unit);
		return;
	}
	if (stat("/run/systemd/system", &st) < 0) {
		printf("systemd is not running; the change applies when it next starts %s\n", unit);
		return;
	}
	err = posix_spawnp(&pid, "systemctl", NULL, NULL, argv, environ);
	if (err) {
		lr_warn("cannot run systemctl daemon-reload: %s", strerror(err));
		return;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		lr_warn("systemctl daemon-reload failed; run it yourself");
	printf("restart the service to apply it: systemctl restart %s\n", unit);
}

static bool dropin_paths(const struct args *a, char *dir, char *file)
{
	char rel[PATH_MAX];
	int n = snprintf(rel, sizeof(rel), "%s/%s.d", unit_dirs[0], a->unit);

	return n > 0 && (size_t)n < sizeof(rel) && lr_join(dir, PATH_MAX, a->root, rel) &&
	       snprintf(file, PATH_MAX, "%s/%s", dir, LR_DROPIN_NAME) < PATH_MAX;
}

/* mkdir -p for the missing directories below root. */
static int make_dirs(const char *root, const char *dir)
{
	char buf[PATH_MAX];
	size_t i;
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (i = strlen(root) + 1;; i++) {
		char c = buf[i];

		if (c != '/' && c != '\0')
			continue;
		buf[i] = '\0';
		if (stat(buf, &st) < 0) {
			if (errno != ENOENT || mkdir(buf, 0755) < 0 || lr_fsync_parent(buf) < 0)
				return -errno;
		} else if (!S_ISDIR(st.st_mode)) {
			return -ENOTDIR;
		}
		if (!c)
			break;
		buf[i] = c;
	}
	return 0;
}

int lr_cmd_enable(int argc, char **argv)
{
	char unit_file[PATH_MAX], lib[PATH_MAX], on_target[PATH_MAX], dir[PATH_MAX], file[PATH_MAX];
	struct unit_state state = {0};
	char *text, *old = NULL, *godebug;
	bool supervise;
	struct args a;
	size_t old_len = 0;
	struct stat st;
	int rc, err;

	rc = parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? LR_EXIT_OK : rc;
	if (!find_unit(&a, unit_file, sizeof(unit_file))) {
		lr_err("%s: unit not found in %s{/etc,/run,/usr/lib,/lib}/systemd/system", a.unit,
		       a.root);
		return LR_EXIT_USAGE;
	}
	lr_lib_path(lib, sizeof(lib));
	if (!lr_join(on_target, sizeof(on_target), a.root, lib))
		return LR_EXIT_USAGE;
	if (stat(on_target, &st) < 0 && stat(lib, &st) < 0) {
		lr_err("%s: library not found; install mptcp-run first", lib);
		return LR_EXIT_FAIL;
	}
	/* The path is written for the target system; the library must be there at boot. */
	if (*a.root && stat(on_target, &st) < 0 && stat(lib, &st) == 0)
		lr_warn("%s is not in %s yet: install mptcp-run in that tree too", lib, a.root);
	if (!dropin_paths(&a, dir, file)) {
		lr_err("%s: path too long", a.unit);
		return LR_EXIT_USAGE;
	}
	rc = scan_unit(&a, unit_file, &state);
	if (rc) {
		unit_state_free(&state);
		return rc;
	}
	service_backend(&a, &state, &godebug, &supervise);
	if (supervise) {
		const char *why;

		if (state.exec_later)
			lr_warn("a drop-in applied after %s sets ExecStart=: it overrides ours",
			        LR_DROPIN_NAME);
		text = lr_dropin_supervise_text(launcher_path(&a),
		                                state.exec_line.set ? state.exec_line.value : "",
		                                state.exec_count, &why);
		if (!text && why) {
			lr_err("%s: %s: not enabled (run the service's command under `mptcp-run "
			       "--supervise` yourself)",
			       a.unit, why);
			unit_state_free(&state);
			return LR_EXIT_FAIL;
		}
	} else {
		text = lr_dropin_text(lib, state.preload.set ? state.preload.value : NULL, godebug);
	}
	unit_state_free(&state);
	free(godebug);
	if (!text) {
		lr_err("out of memory");
		return LR_EXIT_FAIL;
	}
	err = lr_read_file(file, &old, &old_len, NULL);
	if (err == 0 && old_len == strlen(text) && memcmp(old, text, old_len) == 0) {
		printf("already enabled: %s\n", file);
		free(old);
		free(text);
		return LR_EXIT_OK;
	}
	free(old);
	if (err && err != -ENOENT) {
		lr_err("%s: %s", file, err == -ELOOP ? "is a symbolic link" : strerror(-err));
		free(text);
		return LR_EXIT_USAGE;
	}
	err = make_dirs(a.root, dir);
	if (!err)
		err = lr_write_atomic(file, text, strlen(text), 0644, NULL);
	free(text);
	if (err) {
		lr_err("%s: %s", file, strerror(-err));
		return LR_EXIT_FAIL;
	}
	printf("enabled: wrote %s\n", file);
	daemon_reload(&a, a.unit);
	return LR_EXIT_OK;
}

int lr_cmd_disable(int argc, char **argv)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct args a;
	struct stat st;
	int rc, err;

	rc = parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? LR_EXIT_OK : rc;
	if (!dropin_paths(&a, dir, file)) {
		lr_err("%s: path too long", a.unit);
		return LR_EXIT_USAGE;
	}
	if (lstat(file, &st) < 0) {
		if (errno == ENOENT) {
			printf("not enabled: %s does not exist\n", file);
			return LR_EXIT_OK;
		}
		lr_err("%s: %s", file, strerror(errno));
		return LR_EXIT_USAGE;
	}
	if (S_ISDIR(st.st_mode)) {
		lr_err("%s: is a directory, not our drop-in", file);
		return LR_EXIT_USAGE;
	}
	err = lr_unlink_durable(file);
	if (err) {
		lr_err("%s: %s", file, strerror(-err));
		return LR_EXIT_FAIL;
	}
	/* The directory goes only if we emptied it; other drop-ins stay. */
	if (rmdir(dir) == 0)
		lr_fsync_parent(dir);
	printf("disabled: removed %s\n", file);
	daemon_reload(&a, a.unit);
	return LR_EXIT_OK;
}
