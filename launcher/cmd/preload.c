/* SPDX-License-Identifier: MIT */
/*
 * `mptcp-run preload install|uninstall|status`: our entry in
 * /etc/ld.so.preload, which makes every dynamically linked program on the
 * machine load the library (setuid ones included), so install is careful.
 */
#include "os/atomic_file.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "cmd/config_arg.h"
#include "text/ldso_text.h"
#include "os/libpath.h"
#include "os/msg.h"
#include "os/rootdir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LDSO_PRELOAD "/etc/ld.so.preload"

struct target {
	char root[PATH_MAX];
	char file[PATH_MAX]; /* ROOT/etc/ld.so.preload */
	char lib[PATH_MAX];  /* as written into the file (a path on the target system) */
	bool lib_found;
	char *text; /* current content, "" when the file does not exist */
	size_t len;
	bool exists;
	struct stat st;
};

/* Refuses symlinks and files we cannot read, before anything is written. */
static int load(struct target *t)
{
	char etc[PATH_MAX];
	struct stat st;
	int err;

	if (!lr_join(etc, sizeof(etc), t->root, "/etc"))
		return LR_EXIT_USAGE;
	if (stat(etc, &st) < 0 || !S_ISDIR(st.st_mode)) {
		lr_err("%s: no such directory", etc);
		return LR_EXIT_USAGE;
	}
	if (lstat(t->file, &st) < 0) {
		if (errno != ENOENT) {
			lr_err("%s: %s", t->file, strerror(errno));
			return LR_EXIT_USAGE;
		}
		t->text = strdup("");
		t->len = 0;
		return t->text ? 0 : LR_EXIT_FAIL;
	}
	if (S_ISLNK(st.st_mode)) {
		lr_err("%s is a symbolic link: refusing to edit it (edit the file it points to, or "
		       "replace the link with a file)",
		       t->file);
		return LR_EXIT_USAGE;
	}
	err = lr_read_file(t->file, &t->text, &t->len, &t->st);
	if (err) {
		lr_err("%s: %s", t->file, err == -EINVAL ? "not a regular file" : strerror(-err));
		return LR_EXIT_USAGE;
	}
	t->exists = true;
	return 0;
}

/* The library must be as trusted as the loader that will map it into every process. */
static int check_library(const struct target *t)
{
	char on_target[PATH_MAX];
	struct stat st;

	if (!lr_join(on_target, sizeof(on_target), t->root, t->lib))
		return LR_EXIT_USAGE;
	if (stat(on_target, &st) < 0 && stat(t->lib, &st) < 0) {
		lr_err("%s: library not found; install mptcp-run first", t->lib);
		return LR_EXIT_FAIL;
	}
	/* The path is written for the target system; the library must be there at boot. */
	if (*t->root && stat(on_target, &st) < 0 && stat(t->lib, &st) == 0)
		lr_warn("%s is not in %s yet: install mptcp-run in that tree too", t->lib, t->root);
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		lr_err("%s: refusing: every program would load this library, but it is %s "
		       "(it must be owned by root and writable only by root)",
		       t->lib, st.st_uid != 0 ? "not owned by root" : "group- or world-writable");
		return LR_EXIT_FAIL;
	}
	return 0;
}

/* Under ld.so.preload nothing sets MPTCP_RUN_FORCE: the system config's defaults decide. */
static void warn_upgrade_all(const struct target *t)
{
	char conf[PATH_MAX], msg[600];
	struct mr_program prog;
	struct mr_policy p;
	bool builtin;

	if (!lr_join(conf, sizeof(conf), t->root, MR_SYSTEM_CONF))
		return;
	if (!lr_conf_load(conf, false, &p, &builtin, msg, sizeof(msg))) {
		lr_warn("%s", msg);
		return;
	}
	mr_resolve(&p, NULL, false, &prog);
	if (p.n_sections == 0 && (prog.role[MR_ROLE_CONNECT].mode == MR_MPTCP ||
	                          prog.role[MR_ROLE_LISTEN].mode == MR_MPTCP))
		lr_warn("%s%s: the default is mode \"mptcp\" and there are no program sections: "
		        "every program on this machine will use MPTCP; add sections with mode "
		        "\"mptcp\" and set defaults.mode = \"tcp\" to choose programs",
		        conf, builtin ? " (missing, built-in policy)" : "");
	mr_policy_free(&p);
}

static int install(struct target *t)
{
	char *out;
	size_t len;
	bool changed;
	int rc, err;

	if (lr_ldso_has(t->text, t->len, t->lib)) {
		printf("already installed: %s is in %s\n", t->lib, t->file);
		return LR_EXIT_OK;
	}
	rc = check_library(t);
	if (rc)
		return rc;
	warn_upgrade_all(t);
	out = lr_ldso_add(t->text, t->len, t->lib, &len, &changed);
	if (!out)
		return LR_EXIT_FAIL;
	err = lr_write_atomic(t->file, out, len, t->exists ? t->st.st_mode & 07777 : 0644,
	                      t->exists ? &t->st : NULL);
	free(out);
	if (err) {
		lr_err("%s: %s", t->file, strerror(-err));
		return LR_EXIT_FAIL;
	}
	printf("installed: added %s to %s; dynamically linked programs started from now on "
	       "load it\n",
	       t->lib, t->file);
	return LR_EXIT_OK;
}

static int uninstall(struct target *t)
{
	char *out;
	size_t len;
	bool changed;
	int err;

	out = lr_ldso_remove(t->text, t->len, t->lib, &len, &changed);
	if (!out)
		return LR_EXIT_FAIL;
	if (!changed) {
		free(out);
		printf("not installed: %s is not in %s\n", t->lib, t->file);
		return LR_EXIT_OK;
	}
	/* A file that held only our line goes away, as before install. */
	if (len == 0)
		err = lr_unlink_durable(t->file);
	else
		err = lr_write_atomic(t->file, out, len, t->st.st_mode & 07777, &t->st);
	free(out);
	if (err) {
		lr_err("%s: %s", t->file, strerror(-err));
		return LR_EXIT_FAIL;
	}
	printf("uninstalled: removed %s from %s; running programs keep it until they exit\n",
	       t->lib, t->file);
	return LR_EXIT_OK;
}

static int status(const struct target *t)
{
	if (lr_ldso_has(t->text, t->len, t->lib)) {
		printf("installed: %s is in %s\n", t->lib, t->file);
		return LR_EXIT_OK;
	}
	printf("not installed: %s is not in %s\n", t->lib, t->file);
	return LR_EXIT_FAIL;
}

int lr_cmd_preload(int argc, char **argv)
{
	const char *root = "/";
	const struct lr_option opts[] = {
	    {"root", 0, &root, NULL},
	    {NULL, 0, NULL, NULL},
	};
	const char *action;
	struct target t;
	int rc;

	int first = lr_parse_options(argc, argv, opts, false);
	if (first < 0)
		return first == LR_OPTS_HELP ? LR_EXIT_OK : LR_EXIT_USAGE;
	if (argc - first != 1) {
		lr_err("preload: expected one of install, uninstall, status");
		return LR_EXIT_USAGE;
	}
	action = argv[first];
	if (strcmp(action, "install") != 0 && strcmp(action, "uninstall") != 0 &&
	    strcmp(action, "status") != 0) {
		lr_err("preload: unknown action '%s' (install, uninstall, status)", action);
		return LR_EXIT_USAGE;
	}
	memset(&t, 0, sizeof(t));
	if (!lr_root_resolve(root, t.root, sizeof(t.root)) ||
	    !lr_join(t.file, sizeof(t.file), t.root, LDSO_PRELOAD))
		return LR_EXIT_USAGE;
	t.lib_found = lr_lib_path(t.lib, sizeof(t.lib));
	rc = load(&t);
	if (rc)
		return rc;
	if (strcmp(action, "install") == 0)
		rc = install(&t);
	else if (strcmp(action, "uninstall") == 0)
		rc = uninstall(&t);
	else
		rc = status(&t);
	free(t.text);
	return rc;
}
